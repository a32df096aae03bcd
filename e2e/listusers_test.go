package e2e_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"cognate/internal/cognatetest"
)

// listUsernames lists every user the filter selects, page by page, and
// returns their usernames in the order listed.
func listUsernames(t *testing.T, c *cip.Client, pool, filter string, limit int32) []string {
	t.Helper()
	in := &cip.ListUsersInput{UserPoolId: &pool}
	if filter != "" {
		in.Filter = &filter
	}
	if limit > 0 {
		in.Limit = &limit
	}
	var names []string
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatalf("ListUsers(%s) does not end", filter)
		}
		out := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, in))
		if limit > 0 && len(out.Users) > int(limit) {
			t.Fatalf("ListUsers(%s) page of %d users, limit %d", filter, len(out.Users), limit)
		}
		for _, u := range out.Users {
			names = append(names, aws.ToString(u.Username))
		}
		if out.PaginationToken == nil {
			return names
		}
		if len(out.Users) == 0 {
			t.Fatalf("ListUsers(%s) returned an empty page with a token", filter)
		}
		in.PaginationToken = out.PaginationToken
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestListUsers_Filter(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		alice := createUser(t, c, pool, "alice", "email", "alice@example.com", "phone_number", "+15550000001",
			"name", "Alice Smith", "given_name", "Alice", "family_name", "Smith", "preferred_username", "ali")
		createUser(t, c, pool, "alicia", "email", "alicia@example.org", "phone_number", "+15550000002",
			"name", "Alicia Jones", "given_name", "Alicia", "family_name", "Jones", "preferred_username", "alicia1")
		createUser(t, c, pool, "bob", "email", "bob@example.com", "phone_number", "+442000000003",
			"name", "Bob Smith", "given_name", "Bob", "family_name", "Smith", "preferred_username", "bobby")
		createUser(t, c, pool, "carol", "name", `Carol "CJ" O'Neil`)
		must[*cip.AdminSetUserPasswordOutput](t)(c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: &pool, Username: aws.String("carol"), Password: aws.String("Perm-Passw0rd!"), Permanent: true,
		}))
		must[*cip.AdminDisableUserOutput](t)(c.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &pool, Username: aws.String("carol")}))
		aliceSub, _ := attrValue(alice.Attributes, "sub")

		for _, tc := range []struct {
			filter string
			want   []string
		}{
			{``, []string{"alice", "alicia", "bob", "carol"}},
			{`username = "alice"`, []string{"alice"}},
			{`username ^= "ali"`, []string{"alice", "alicia"}},
			{`username="bob"`, []string{"bob"}},
			{`  username  ^=  "b"  `, []string{"bob"}},
			{`username = "Alice"`, nil},
			{`username = "nobody"`, nil},
			{`email = "bob@example.com"`, []string{"bob"}},
			{`email ^= "ali"`, []string{"alice", "alicia"}},
			{`email ^= "alice@"`, []string{"alice"}},
			{`phone_number = "+15550000001"`, []string{"alice"}},
			{`phone_number ^= "+1555"`, []string{"alice", "alicia"}},
			{`name = "Bob Smith"`, []string{"bob"}},
			{`name ^= "Ali"`, []string{"alice", "alicia"}},
			{`name = "Carol \"CJ\" O'Neil"`, []string{"carol"}},
			{`given_name = "Alice"`, []string{"alice"}},
			{`given_name ^= "B"`, []string{"bob"}},
			{`family_name = "Smith"`, []string{"alice", "bob"}},
			{`family_name ^= "Jo"`, []string{"alicia"}},
			{`preferred_username = "bobby"`, []string{"bob"}},
			{`preferred_username ^= "ali"`, []string{"alice", "alicia"}},
			{`cognito:user_status = "CONFIRMED"`, []string{"carol"}},
			{`cognito:user_status = "FORCE_CHANGE_PASSWORD"`, []string{"alice", "alicia", "bob"}},
			{`cognito:user_status ^= "FORCE"`, []string{"alice", "alicia", "bob"}},
			{`status = "Disabled"`, []string{"carol"}},
			{`status = "Enabled"`, []string{"alice", "alicia", "bob"}},
			{`sub = "` + aliceSub + `"`, []string{"alice"}},
			{`sub ^= "` + aliceSub[:13] + `"`, []string{"alice"}},
		} {
			for _, limit := range []int32{0, 1} {
				got := listUsernames(t, c, pool, tc.filter, limit)
				if !slices.Equal(sorted(got), tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
					t.Errorf("ListUsers(%s, limit %d) = %v, want %v", tc.filter, limit, got, tc.want)
				}
			}
		}

		// A listed user carries what AdminGetUser shows.
		out := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &pool, Filter: aws.String(`username = "carol"`)}))
		if len(out.Users) != 1 {
			t.Fatalf("users = %+v", out.Users)
		}
		u := out.Users[0]
		if u.Enabled || u.UserStatus != types.UserStatusTypeConfirmed || u.UserCreateDate == nil || u.UserLastModifiedDate == nil {
			t.Errorf("listed carol = %+v", u)
		}
		wantAttr(t, u.Attributes, "name", `Carol "CJ" O'Neil`, true)
		if _, ok := attrValue(u.Attributes, "sub"); !ok {
			t.Error("listed carol has no sub")
		}
	})
}

func TestListUsers_InvalidFilter(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		createUser(t, c, pool, "alice")
		for _, filter := range []string{
			`username = alice`,
			`username == "alice"`,
			`username`,
			`"alice"`,
			`= "alice"`,
			`username = "alice`,
			`username ~ "alice"`,
			`username = "alice" and email = "x"`,
			`status = "Maybe"`,
			`status ^= "En"`,
		} {
			_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &pool, Filter: aws.String(filter)})
			t.Run(filter, func(t *testing.T) { wantErr(t, err, "InvalidParameterException", "Error while parsing filter.") })
		}
		for _, filter := range []string{`nickname = "x"`, `custom:tier = "gold"`, `email_verified = "true"`} {
			_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &pool, Filter: aws.String(filter)})
			t.Run(filter, func(t *testing.T) { wantErr(t, err, "InvalidParameterException", "") })
		}
		_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &pool, PaginationToken: aws.String("not a token")})
		wantErr(t, err, "InvalidParameterException", "")
		_, err = c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &pool, Limit: aws.Int32(61)})
		wantErr(t, err, "InvalidParameterException", "")
	})
}

func TestListUsers_Pagination(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		var all []string
		for i := range 23 {
			name := fmt.Sprintf("u%02d", i)
			// Family names repeat, so that pages ordered by them break ties.
			createUser(t, c, pool, name, "family_name", fmt.Sprintf("F%d", i%3))
			all = append(all, name)
		}
		for _, limit := range []int32{0, 1, 5, 7, 22, 23, 60} {
			got := listUsernames(t, c, pool, "", limit)
			if !slices.Equal(sorted(got), all) {
				t.Errorf("limit %d: listed %v", limit, got)
			}
		}
		// Page sizes: full pages, then the rest, and no token on the last.
		var sizes []int
		in := &cip.ListUsersInput{UserPoolId: &pool, Limit: aws.Int32(7)}
		for {
			out := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, in))
			sizes = append(sizes, len(out.Users))
			if out.PaginationToken == nil {
				break
			}
			in.PaginationToken = out.PaginationToken
		}
		if !slices.Equal(sizes, []int{7, 7, 7, 2}) {
			t.Errorf("page sizes = %v, want [7 7 7 2]", sizes)
		}
		// With a filter, over a field with repeated values.
		for _, limit := range []int32{1, 2, 4} {
			got := listUsernames(t, c, pool, `family_name ^= "F"`, limit)
			if !slices.Equal(sorted(got), all) {
				t.Errorf(`family_name ^= "F", limit %d: listed %v`, limit, got)
			}
			got = listUsernames(t, c, pool, `family_name = "F1"`, limit)
			if want := []string{"u01", "u04", "u07", "u10", "u13", "u16", "u19", "u22"}; !slices.Equal(sorted(got), want) {
				t.Errorf(`family_name = "F1", limit %d: listed %v, want %v`, limit, got, want)
			}
			got = listUsernames(t, c, pool, `username ^= "u1"`, limit)
			if want := all[10:20]; !slices.Equal(sorted(got), want) {
				t.Errorf(`username ^= "u1", limit %d: listed %v`, limit, got)
			}
		}
	})
}

func TestListUsers_PaginationWithInserts(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "users")
		var before []string
		for i := range 12 {
			name := fmt.Sprintf("m%02d", i*2)
			createUser(t, c, pool, name, "family_name", "Same")
			before = append(before, name)
		}
		for _, filter := range []string{"", `family_name = "Same"`} {
			seen := map[string]int{}
			var later []string // users added after the cursor
			in := &cip.ListUsersInput{UserPoolId: &pool, Limit: aws.Int32(4)}
			if filter != "" {
				in.Filter = aws.String(filter)
			}
			for page := 0; ; page++ {
				out := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, in))
				for _, u := range out.Users {
					seen[aws.ToString(u.Username)]++
				}
				if out.PaginationToken == nil {
					break
				}
				// Users arrive between pages, on both sides of the cursor.
				last := aws.ToString(out.Users[len(out.Users)-1].Username)
				after := fmt.Sprintf("%sx%d%d", last, page, len(filter))
				createUser(t, c, pool, after, "family_name", "Same")
				later = append(later, after)
				createUser(t, c, pool, fmt.Sprintf("a%d%d", page, len(filter)), "family_name", "Same")
				in.PaginationToken = out.PaginationToken
			}
			for name, n := range seen {
				if n != 1 {
					t.Errorf("filter %q: %s listed %d times", filter, name, n)
				}
			}
			for _, name := range append(before, later...) {
				if seen[name] != 1 {
					t.Errorf("filter %q: %s was skipped", filter, name)
				}
			}
			if len(later) < 3 {
				t.Errorf("filter %q: only %d pages", filter, len(later)+1)
			}
		}
	})
}

func TestListUsers_AttributesToGet(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := attributePool(t, c)
		createUser(t, c, pool, "alice", "family_name", "Smith", "email", "alice@example.com", "given_name", "Alice", "custom:age", "30")
		createUser(t, c, pool, "bob", "family_name", "Jones", "given_name", "Bob")
		for _, tc := range []struct {
			get  []string
			want map[string]string // username → the names of the attributes listed
		}{
			{[]string{"email"}, map[string]string{"alice": "email", "bob": ""}},
			{[]string{"given_name", "sub"}, map[string]string{"alice": "given_name sub", "bob": "given_name sub"}},
			{[]string{"custom:age", "family_name"}, map[string]string{"alice": "custom:age family_name", "bob": "family_name"}},
		} {
			out := must[*cip.ListUsersOutput](t)(c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &pool, AttributesToGet: tc.get}))
			if len(out.Users) != 2 {
				t.Fatalf("users = %+v", out.Users)
			}
			for _, u := range out.Users {
				var names []string
				for _, a := range u.Attributes {
					names = append(names, aws.ToString(a.Name))
				}
				slices.Sort(names)
				name := aws.ToString(u.Username)
				if got := strings.Join(names, " "); got != tc.want[name] {
					t.Errorf("AttributesToGet %v: %s has %q, want %q", tc.get, name, got, tc.want[name])
				}
				if u.UserStatus == "" || !u.Enabled || u.UserCreateDate == nil {
					t.Errorf("AttributesToGet %v: %s lost its other fields: %+v", tc.get, name, u)
				}
			}
		}
		_, err := c.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &pool, AttributesToGet: []string{"email", "shoe_size"}})
		wantErr(t, err, "InvalidParameterException", "")
	})
}
