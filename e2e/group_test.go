package e2e_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"cognate/internal/cognatetest"
)

func createGroup(t *testing.T, c *cip.Client, pool, name string) *types.GroupType {
	t.Helper()
	return must[*cip.CreateGroupOutput](t)(c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &pool, GroupName: &name})).Group
}

func addToGroup(t *testing.T, c *cip.Client, pool, user, group string) {
	t.Helper()
	must[*cip.AdminAddUserToGroupOutput](t)(c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &pool, Username: &user, GroupName: &group}))
}

// pages collects a paginated listing: list takes a token and returns the
// page's names and the next token. Every page but the last must be full.
func pages(t *testing.T, limit int, list func(token *string) ([]string, *string)) []string {
	t.Helper()
	var all []string
	var token *string
	for page := 0; ; page++ {
		if page > 100 {
			t.Fatal("the listing does not end")
		}
		names, next := list(token)
		if len(names) > limit || next != nil && len(names) != limit {
			t.Fatalf("page %d has %d items, limit %d, next token %v", page, len(names), limit, next != nil)
		}
		all = append(all, names...)
		if next == nil {
			return all
		}
		token = next
	}
}

func groupNames(gs []types.GroupType) []string {
	var out []string
	for _, g := range gs {
		out = append(out, aws.ToString(g.GroupName))
	}
	return out
}

func userNames(us []types.UserType) []string {
	var out []string
	for _, u := range us {
		out = append(out, aws.ToString(u.Username))
	}
	return out
}

func listGroups(t *testing.T, c *cip.Client, pool string, limit int32) []string {
	t.Helper()
	return pages(t, int(limit), func(token *string) ([]string, *string) {
		out := must[*cip.ListGroupsOutput](t)(c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: &pool, Limit: &limit, NextToken: token}))
		return groupNames(out.Groups), out.NextToken
	})
}

func groupsForUser(t *testing.T, c *cip.Client, pool, user string, limit int32) []string {
	t.Helper()
	return pages(t, int(limit), func(token *string) ([]string, *string) {
		out := must[*cip.AdminListGroupsForUserOutput](t)(c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{
			UserPoolId: &pool, Username: &user, Limit: &limit, NextToken: token,
		}))
		return groupNames(out.Groups), out.NextToken
	})
}

func usersInGroup(t *testing.T, c *cip.Client, pool, group string, limit int32) []string {
	t.Helper()
	return pages(t, int(limit), func(token *string) ([]string, *string) {
		out := must[*cip.ListUsersInGroupOutput](t)(c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{
			UserPoolId: &pool, GroupName: &group, Limit: &limit, NextToken: token,
		}))
		return userNames(out.Users), out.NextToken
	})
}

func TestCreateGroup(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "groups")
		before := time.Now().Add(-time.Minute)
		role := "arn:aws:iam::123456789012:role/admins"
		g := must[*cip.CreateGroupOutput](t)(c.CreateGroup(ctx, &cip.CreateGroupInput{
			UserPoolId: &pool, GroupName: aws.String("admins"), Description: aws.String("The administrators"),
			Precedence: aws.Int32(3), RoleArn: &role,
		})).Group
		check := func(what string, g *types.GroupType) {
			t.Helper()
			if aws.ToString(g.GroupName) != "admins" || aws.ToString(g.UserPoolId) != pool || aws.ToString(g.Description) != "The administrators" ||
				aws.ToInt32(g.Precedence) != 3 || g.Precedence == nil || aws.ToString(g.RoleArn) != role {
				t.Errorf("%s = %+v", what, g)
			}
			if g.CreationDate == nil || g.CreationDate.Before(before) || g.LastModifiedDate == nil {
				t.Errorf("%s dates: %v %v", what, g.CreationDate, g.LastModifiedDate)
			}
		}
		check("CreateGroup", g)
		check("GetGroup", must[*cip.GetGroupOutput](t)(c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &pool, GroupName: aws.String("admins")})).Group)

		bare := createGroup(t, c, pool, "plain")
		if bare.Precedence != nil || bare.RoleArn != nil || bare.Description != nil {
			t.Errorf("group with no settings = %+v", bare)
		}
		zero := must[*cip.CreateGroupOutput](t)(c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &pool, GroupName: aws.String("zero"), Precedence: aws.Int32(0)})).Group
		if zero.Precedence == nil || *zero.Precedence != 0 {
			t.Errorf("precedence 0 came back as %v", zero.Precedence)
		}

		_, err := c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &pool, GroupName: aws.String("admins")})
		wantErr(t, err, "GroupExistsException", "")
		// Group names are case-sensitive, and each pool has its own.
		createGroup(t, c, pool, "Admins")
		createGroup(t, c, newPool(t, c, "other"), "admins")

		_, err = c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &pool, GroupName: aws.String("nobody")})
		wantErr(t, err, "ResourceNotFoundException", "")
		_, err = c.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String("us-east-1_000000000"), GroupName: aws.String("g")})
		wantErr(t, err, "ResourceNotFoundException", "")
		_, err = c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: aws.String("us-east-1_000000000"), GroupName: aws.String("admins")})
		wantErr(t, err, "ResourceNotFoundException", "")
	})
}

func TestUpdateGroup(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "groups")
		role := "arn:aws:iam::123456789012:role/admins"
		created := must[*cip.CreateGroupOutput](t)(c.CreateGroup(ctx, &cip.CreateGroupInput{
			UserPoolId: &pool, GroupName: aws.String("admins"), Description: aws.String("old"), Precedence: aws.Int32(3), RoleArn: &role,
		})).Group
		time.Sleep(5 * time.Millisecond)
		out := must[*cip.UpdateGroupOutput](t)(c.UpdateGroup(ctx, &cip.UpdateGroupInput{
			UserPoolId: &pool, GroupName: aws.String("admins"), Description: aws.String("new"),
		})).Group
		got := must[*cip.GetGroupOutput](t)(c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &pool, GroupName: aws.String("admins")})).Group
		for what, g := range map[string]*types.GroupType{"UpdateGroup": out, "GetGroup": got} {
			if aws.ToString(g.Description) != "new" || aws.ToInt32(g.Precedence) != 3 || aws.ToString(g.RoleArn) != role {
				t.Errorf("%s after changing the description = %+v", what, g)
			}
			if !g.CreationDate.Equal(*created.CreationDate) || g.LastModifiedDate.Before(*created.LastModifiedDate) {
				t.Errorf("%s dates: created %v → %v, modified %v → %v", what, created.CreationDate, g.CreationDate, created.LastModifiedDate, g.LastModifiedDate)
			}
		}
		role2 := "arn:aws:iam::123456789012:role/other"
		must[*cip.UpdateGroupOutput](t)(c.UpdateGroup(ctx, &cip.UpdateGroupInput{
			UserPoolId: &pool, GroupName: aws.String("admins"), Precedence: aws.Int32(1), RoleArn: &role2,
		}))
		got = must[*cip.GetGroupOutput](t)(c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &pool, GroupName: aws.String("admins")})).Group
		if aws.ToString(got.Description) != "new" || aws.ToInt32(got.Precedence) != 1 || aws.ToString(got.RoleArn) != role2 {
			t.Errorf("after changing precedence and role = %+v", got)
		}
		_, err := c.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: &pool, GroupName: aws.String("nobody"), Description: aws.String("x")})
		wantErr(t, err, "ResourceNotFoundException", "")
	})
}

func TestListGroups_Pagination(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "groups")
		if got := listGroups(t, c, pool, 5); len(got) != 0 {
			t.Errorf("groups of a new pool: %v", got)
		}
		var want []string
		for i := range 8 {
			name := fmt.Sprintf("group-%d", i)
			createGroup(t, c, pool, name)
			want = append(want, name)
		}
		createGroup(t, c, newPool(t, c, "other"), "elsewhere")
		for _, limit := range []int32{1, 3, 8, 60} {
			if got := listGroups(t, c, pool, limit); !slices.Equal(sorted(got), want) {
				t.Errorf("limit %d: %v", limit, got)
			}
		}
		out := must[*cip.ListGroupsOutput](t)(c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: &pool}))
		if !slices.Equal(sorted(groupNames(out.Groups)), want) || out.NextToken != nil {
			t.Errorf("ListGroups with no limit = %v, next %v", groupNames(out.Groups), out.NextToken)
		}
		_, err := c.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: aws.String("us-east-1_000000000")})
		wantErr(t, err, "ResourceNotFoundException", "")
	})
}

func TestAdminAddUserToGroup(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "groups")
		createUser(t, c, pool, "alice")
		createUser(t, c, pool, "bob")
		createGroup(t, c, pool, "admins")
		for range 3 {
			addToGroup(t, c, pool, "alice", "admins")
		}
		if got := usersInGroup(t, c, pool, "admins", 10); !slices.Equal(got, []string{"alice"}) {
			t.Errorf("members = %v, want [alice]", got)
		}
		if got := groupsForUser(t, c, pool, "alice", 10); !slices.Equal(got, []string{"admins"}) {
			t.Errorf("alice's groups = %v", got)
		}
		if got := groupsForUser(t, c, pool, "bob", 10); len(got) != 0 {
			t.Errorf("bob's groups = %v", got)
		}
		_, err := c.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &pool, Username: aws.String("alice"), GroupName: aws.String("nobody")})
		wantErr(t, err, "ResourceNotFoundException", "")
		_, err = c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: &pool, Username: aws.String("alice"), GroupName: aws.String("nobody")})
		wantErr(t, err, "ResourceNotFoundException", "")
		_, err = c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: &pool, GroupName: aws.String("nobody")})
		wantErr(t, err, "ResourceNotFoundException", "")

		must[*cip.AdminRemoveUserFromGroupOutput](t)(c.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{
			UserPoolId: &pool, Username: aws.String("alice"), GroupName: aws.String("admins"),
		}))
		if got := usersInGroup(t, c, pool, "admins", 10); len(got) != 0 {
			t.Errorf("members after removal = %v", got)
		}
		if got := groupsForUser(t, c, pool, "alice", 10); len(got) != 0 {
			t.Errorf("alice's groups after removal = %v", got)
		}
	})
}

func TestAdminListGroupsForUser_Pagination(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "groups")
		createUser(t, c, pool, "alice")
		createUser(t, c, pool, "bob")
		var want []string
		for i := range 7 {
			name := fmt.Sprintf("g%d", i)
			createGroup(t, c, pool, name)
			addToGroup(t, c, pool, "alice", name)
			want = append(want, name)
		}
		addToGroup(t, c, pool, "bob", "g3")
		for _, limit := range []int32{1, 2, 7, 60} {
			if got := groupsForUser(t, c, pool, "alice", limit); !slices.Equal(sorted(got), want) {
				t.Errorf("limit %d: %v", limit, got)
			}
		}
		if got := groupsForUser(t, c, pool, "bob", 2); !slices.Equal(got, []string{"g3"}) {
			t.Errorf("bob's groups = %v", got)
		}
		out := must[*cip.AdminListGroupsForUserOutput](t)(c.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &pool, Username: aws.String("alice")}))
		if len(out.Groups) != 7 || out.NextToken != nil || aws.ToString(out.Groups[0].UserPoolId) != pool {
			t.Errorf("with no limit: %+v", out)
		}
	})
}

func TestListUsersInGroup_Pagination(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "groups")
		createGroup(t, c, pool, "staff")
		createGroup(t, c, pool, "other")
		var want []string
		for i := range 7 {
			name := fmt.Sprintf("user%d", i)
			createUser(t, c, pool, name, "email", name+"@example.com")
			addToGroup(t, c, pool, name, "staff")
			want = append(want, name)
		}
		createUser(t, c, pool, "outsider")
		addToGroup(t, c, pool, "outsider", "other")
		for _, limit := range []int32{1, 3, 7, 60} {
			if got := usersInGroup(t, c, pool, "staff", limit); !slices.Equal(sorted(got), want) {
				t.Errorf("limit %d: %v", limit, got)
			}
		}
		out := must[*cip.ListUsersInGroupOutput](t)(c.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: &pool, GroupName: aws.String("staff"), Limit: aws.Int32(1)}))
		u := out.Users[0]
		if u.UserStatus != types.UserStatusTypeForceChangePassword || !u.Enabled || u.UserCreateDate == nil {
			t.Errorf("listed member = %+v", u)
		}
		wantAttr(t, u.Attributes, "email", aws.ToString(u.Username)+"@example.com", true)
	})
}

func TestAdminDeleteUser_RemovesMemberships(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "groups")
		createGroup(t, c, pool, "a")
		createGroup(t, c, pool, "b")
		createUser(t, c, pool, "alice")
		createUser(t, c, pool, "bob")
		for _, g := range []string{"a", "b"} {
			addToGroup(t, c, pool, "alice", g)
			addToGroup(t, c, pool, "bob", g)
		}
		must[*cip.AdminDeleteUserOutput](t)(c.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &pool, Username: aws.String("alice")}))
		for _, g := range []string{"a", "b"} {
			if got := usersInGroup(t, c, pool, g, 10); !slices.Equal(got, []string{"bob"}) {
				t.Errorf("members of %s after deleting alice = %v", g, got)
			}
		}
		// A new alice does not inherit the old one's groups.
		createUser(t, c, pool, "alice")
		if got := groupsForUser(t, c, pool, "alice", 10); len(got) != 0 {
			t.Errorf("the new alice is in %v", got)
		}
	})
}

func TestDeleteGroup(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "groups")
		createGroup(t, c, pool, "doomed")
		createGroup(t, c, pool, "kept")
		createUser(t, c, pool, "alice")
		addToGroup(t, c, pool, "alice", "doomed")
		addToGroup(t, c, pool, "alice", "kept")

		must[*cip.DeleteGroupOutput](t)(c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: &pool, GroupName: aws.String("doomed")}))
		_, err := c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &pool, GroupName: aws.String("doomed")})
		wantErr(t, err, "ResourceNotFoundException", "")
		_, err = c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: &pool, GroupName: aws.String("doomed")})
		wantErr(t, err, "ResourceNotFoundException", "")
		if got := groupsForUser(t, c, pool, "alice", 10); !slices.Equal(got, []string{"kept"}) {
			t.Errorf("alice's groups after the delete = %v", got)
		}
		if got := listGroups(t, c, pool, 10); !slices.Equal(got, []string{"kept"}) {
			t.Errorf("groups = %v", got)
		}
		// A new group of the same name starts empty.
		createGroup(t, c, pool, "doomed")
		if got := usersInGroup(t, c, pool, "doomed", 10); len(got) != 0 {
			t.Errorf("the new group has members %v", got)
		}
		_, err = c.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String("us-east-1_000000000"), GroupName: aws.String("kept")})
		wantErr(t, err, "ResourceNotFoundException", "")
	})
}

func TestDeleteUserPool_DeletesUsersAndGroups(t *testing.T) {
	cognatetest.ForEachBackend(t, func(t *testing.T, s *cognatetest.Server) {
		c := s.Client
		pool := newPool(t, c, "doomed")
		createGroup(t, c, pool, "g")
		createUser(t, c, pool, "alice", "email", "alice@example.com")
		addToGroup(t, c, pool, "alice", "g")
		must[*cip.DeleteUserPoolOutput](t)(c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &pool}))
		_, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &pool, Username: aws.String("alice")})
		wantErr(t, err, "ResourceNotFoundException", "")
		_, err = c.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &pool, GroupName: aws.String("g")})
		wantErr(t, err, "ResourceNotFoundException", "")
	})
}
