package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"cognate/internal/store"
)

var userTests = []test{
	{"UserCRUD", testUserCRUD},
	{"UserErrors", testUserErrors},
	{"SignInNames", testSignInNames},
	{"ForceAliasCreation", testForceAliasCreation},
	{"DeleteUserCascades", testDeleteUserCascades},
	{"DeleteUserPoolDeletesUsers", testDeleteUserPoolDeletesUsers},
	{"ListUsersFilters", testListUsersFilters},
	{"ListUsersUnderConcurrentInserts", testListUsersUnderConcurrentInserts},
	{"ListUsersBadFilters", testListUsersBadFilters},
	{"RaceCreateUser", testRaceCreateUser},
	{"RaceSignInName", testRaceSignInName},
	{"FindSigner", testFindSigner},
	{"FindAccessHolder", testFindAccessHolder},
	{"Groups", testGroups},
	{"GroupMembers", testGroupMembers},
	{"Outbox", testOutbox},
	{"RaceClaimMessages", testRaceClaimMessages},
	{"CreateUsers", testCreateUsers},
	{"CreateUsersRefused", testCreateUsersRefused},
	{"UserReadsCanceled", testUserReadsCanceled},
}

func newUser(poolID, key string) store.User {
	return store.User{
		PoolID: poolID, Key: key, Username: strings.ToUpper(key), Sub: "sub-" + key,
		Status: "CONFIRMED", Enabled: true, CreatedAt: at(5), UpdatedAt: at(6),
		Attributes: []byte(`{"user":"` + key + `"}`), Credential: []byte("sealed " + key), Settings: []byte(`{"mfa":[]}`),
		Email: key + "@example.com", PhoneNumber: "+44700900" + strconv.Itoa(len(key)),
		Name: "Name " + key, GivenName: "Given " + key, FamilyName: "Family " + key, PreferredUsername: "pref-" + key,
	}
}

func emailName(u store.User) store.SignInName {
	return store.SignInName{PoolID: u.PoolID, Name: u.Email, UserKey: u.Key, Kind: "email"}
}

func newGroup(poolID, name string, precedence *int32) store.Group {
	return store.Group{PoolID: poolID, Name: name, Description: "group " + name, RoleARN: "arn:aws:iam::123456789012:role/" + name,
		Precedence: precedence, CreatedAt: at(7), UpdatedAt: at(8)}
}

func newMessage(poolID, userKey, id string, next time.Time) store.Message {
	return store.Message{ID: id, PoolID: poolID, UserKey: userKey, CreatedAt: at(9), Kind: "verification", Medium: "EMAIL",
		Destination: userKey + "@example.com", Subject: "Your code", Body: "Your code is 123456",
		From: "Exämple <no-reply@example.com>", ReplyTo: "support@example.com", Code: "123456",
		Status: "pending", NextAttempt: next}
}

func ptr[T any](v T) *T { return &v }

func userKey(u store.User) string    { return u.Key }
func groupName(g store.Group) string { return g.Name }

func createUser(ctx context.Context, tx store.Tx, u store.User, names ...store.SignInName) error {
	return tx.CreateUser(ctx, u, names)
}

func testUserCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	u := newUser(p.ID, "alice")
	phone := store.SignInName{PoolID: p.ID, Name: "+447009005", UserKey: u.Key, Kind: "phone_number"}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return createUser(ctx, tx, u, emailName(u), phone) })

	got, err := s.GetUser(ctx, p.ID, u.Key)
	check(t, "GetUser", got, err, u)
	got, err = s.FindUserBySignInName(ctx, p.ID, u.Email)
	check(t, "FindUserBySignInName by email", got, err, u)
	got, err = s.FindUserBySignInName(ctx, p.ID, phone.Name)
	check(t, "FindUserBySignInName by phone", got, err, u)
	// The key is not a sign-in name: the domain looks it up with GetUser.
	_, err = s.FindUserBySignInName(ctx, p.ID, u.Key)
	wantErr(t, "FindUserBySignInName by key", err, store.ErrNotFound)
	names, err := s.ListSignInNames(ctx, p.ID, u.Key)
	checkAll(t, "ListSignInNames", names, err, phone, emailName(u)) // ordered by name: '+' < 'a'
	n, err := s.CountUsers(ctx, p.ID)
	if err != nil || n != 1 {
		t.Fatalf("CountUsers: %d, %v; want 1", n, err)
	}

	changed := u
	changed.Status, changed.Enabled, changed.UpdatedAt = "RESET_REQUIRED", false, at(60)
	changed.Attributes, changed.Credential, changed.Settings = []byte(`{"changed":true}`), nil, []byte(`{"mfa":["TOTP"]}`)
	changed.Email, changed.PhoneNumber, changed.Name = "new@example.com", "+1555", "New Name"
	changed.GivenName, changed.FamilyName, changed.PreferredUsername = "New", "Name", "newpref"
	// Not the store's to change:
	changed.Username, changed.Sub, changed.CreatedAt = "ALICE", "other-sub", at(-60)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateUser(ctx, changed) })
	want := changed
	want.Username, want.Sub, want.CreatedAt = u.Username, u.Sub, u.CreatedAt
	got, err = s.GetUser(ctx, p.ID, u.Key)
	check(t, "GetUser after UpdateUser", got, err, want)
	if got.Credential != nil {
		t.Fatalf("GetUser after UpdateUser with no credential: Credential is %q, want nil", got.Credential)
	}
	// Sign-in names are the domain's to change, with SetSignInNames.
	got, err = s.FindUserBySignInName(ctx, p.ID, u.Email)
	check(t, "FindUserBySignInName by the old email after UpdateUser", got, err, want)

	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteUser(ctx, p.ID, u.Key) })
	_, err = s.GetUser(ctx, p.ID, u.Key)
	wantErr(t, "GetUser after DeleteUser", err, store.ErrNotFound)
	_, err = s.FindUserBySignInName(ctx, p.ID, u.Email)
	wantErr(t, "FindUserBySignInName after DeleteUser", err, store.ErrNotFound)
	names, err = s.ListSignInNames(ctx, p.ID, u.Key)
	checkAll(t, "ListSignInNames after DeleteUser", names, err)
	if n, err := s.CountUsers(ctx, p.ID); err != nil || n != 0 {
		t.Fatalf("CountUsers after DeleteUser: %d, %v; want 0", n, err)
	}
	// The key, the sub and the names are free again.
	update(t, s, func(ctx context.Context, tx store.Tx) error { return createUser(ctx, tx, u, emailName(u)) })
}

func testUserErrors(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	alice, bob := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(createUser(ctx, tx, alice, emailName(alice)), createUser(ctx, tx, bob, emailName(bob)))
	})

	_, err := s.GetUser(ctx, p.ID, "missing")
	wantErr(t, "GetUser of a missing user", err, store.ErrNotFound)
	_, err = s.GetUser(ctx, q.ID, alice.Key)
	wantErr(t, "GetUser in another pool", err, store.ErrNotFound)
	_, err = s.FindUserBySignInName(ctx, q.ID, alice.Email)
	wantErr(t, "FindUserBySignInName in another pool", err, store.ErrNotFound)

	carol := newUser(p.ID, "carol")
	sameKey := newUser(p.ID, alice.Key)
	sameKey.Sub, sameKey.Email = "sub-other", "other@example.com"
	sameSub := carol
	sameSub.Sub = alice.Sub
	// Every refusal changes nothing, and the transaction goes on.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "CreateUser with a taken key", createUser(ctx, tx, sameKey, emailName(sameKey)), store.ErrConflict)
		wantErr(t, "CreateUser with a taken sub", createUser(ctx, tx, sameSub), store.ErrConflict)
		wantErr(t, "CreateUser with a sign-in name of another user",
			createUser(ctx, tx, carol, emailName(carol), store.SignInName{Name: bob.Email, Kind: "email"}), store.ErrConflict)
		wantErr(t, "CreateUser with a name twice",
			createUser(ctx, tx, carol, emailName(carol), emailName(carol)), store.ErrConflict)
		wantErr(t, "CreateUser in a missing pool", createUser(ctx, tx, newUser("us-east-1_missing", "dave")), store.ErrNotFound)
		wantErr(t, "UpdateUser of a missing user", tx.UpdateUser(ctx, newUser(p.ID, "missing")), store.ErrNotFound)
		wantErr(t, "UpdateUser in another pool", tx.UpdateUser(ctx, newUser(q.ID, alice.Key)), store.ErrNotFound)
		wantErr(t, "DeleteUser of a missing user", tx.DeleteUser(ctx, p.ID, "missing"), store.ErrNotFound)
		wantErr(t, "SetSignInNames to another user's name",
			tx.SetSignInNames(ctx, p.ID, alice.Key, []store.SignInName{{Name: "new@example.com", Kind: "email"}, emailName(bob)}), store.ErrConflict)
		wantErr(t, "SetSignInNames of a missing user",
			tx.SetSignInNames(ctx, p.ID, "missing", []store.SignInName{{Name: "new@example.com", Kind: "email"}}), store.ErrNotFound)

		// What was refused left no trace: carol's key, sub and email are free.
		if _, err := tx.GetUser(ctx, p.ID, carol.Key); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUser of the refused user: %v, want ErrNotFound", err)
		}
		if _, err := tx.FindUserBySignInName(ctx, p.ID, carol.Email); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("FindUserBySignInName of the refused user's email: %v, want ErrNotFound", err)
		}
		names, err := tx.ListSignInNames(ctx, p.ID, alice.Key)
		checkAll(t, "ListSignInNames after the refused SetSignInNames", names, err, emailName(alice))
		return createUser(ctx, tx, carol, emailName(carol))
	})
	got, err := s.GetUser(ctx, p.ID, alice.Key)
	check(t, "GetUser after the refused writes", got, err, alice)
	got, err = s.FindUserBySignInName(ctx, p.ID, carol.Email)
	check(t, "FindUserBySignInName of the user created after refused writes", got, err, carol)

	// Keys, subs and names are unique per pool: another pool may reuse them.
	other := newUser(q.ID, alice.Key)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return createUser(ctx, tx, other, emailName(other)) })
	got, err = s.FindUserBySignInName(ctx, q.ID, other.Email)
	check(t, "FindUserBySignInName in the other pool", got, err, other)
}

func testSignInNames(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	u := newUser(p.ID, "alice")
	update(t, s, func(ctx context.Context, tx store.Tx) error { return createUser(ctx, tx, u, emailName(u)) })

	phone := store.SignInName{PoolID: p.ID, Name: "+447009005", UserKey: u.Key, Kind: "phone_number"}
	pref := store.SignInName{PoolID: p.ID, Name: "ally", UserKey: u.Key, Kind: "preferred_username"}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		// Keeping a name the user holds is no conflict.
		return tx.SetSignInNames(ctx, p.ID, u.Key, []store.SignInName{pref, emailName(u), phone})
	})
	names, err := s.ListSignInNames(ctx, p.ID, u.Key)
	checkAll(t, "ListSignInNames", names, err, phone, emailName(u), pref)

	// A name's kind may change; names left out are freed.
	pref.Kind = "email"
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.SetSignInNames(ctx, p.ID, u.Key, []store.SignInName{pref})
	})
	names, err = s.ListSignInNames(ctx, p.ID, u.Key)
	checkAll(t, "ListSignInNames after replacing", names, err, pref)
	_, err = s.FindUserBySignInName(ctx, p.ID, u.Email)
	wantErr(t, "FindUserBySignInName of a freed name", err, store.ErrNotFound)

	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteSignInName(ctx, p.ID, pref.Name); err != nil {
			return err
		}
		return tx.DeleteSignInName(ctx, p.ID, "nobody's") // no error
	})
	names, err = s.ListSignInNames(ctx, p.ID, u.Key)
	checkAll(t, "ListSignInNames after DeleteSignInName", names, err)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.SetSignInNames(ctx, p.ID, u.Key, nil) })
}

// testForceAliasCreation moves a name from one user to another in one
// transaction, as AdminCreateUser with ForceAliasCreation does.
func testForceAliasCreation(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	old := newUser(p.ID, "old")
	shared := store.SignInName{PoolID: p.ID, Name: "shared@example.com", UserKey: old.Key, Kind: "email"}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return createUser(ctx, tx, old, shared, emailName(old)) })

	taker := newUser(p.ID, "new")
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "CreateUser with the held name", createUser(ctx, tx, taker, shared), store.ErrConflict)
		if err := tx.DeleteSignInName(ctx, p.ID, shared.Name); err != nil {
			return err
		}
		if err := createUser(ctx, tx, taker); err != nil {
			return err
		}
		return tx.SetSignInNames(ctx, p.ID, taker.Key, []store.SignInName{shared})
	})
	got, err := s.FindUserBySignInName(ctx, p.ID, shared.Name)
	check(t, "FindUserBySignInName of the moved name", got, err, taker)
	names, err := s.ListSignInNames(ctx, p.ID, old.Key)
	checkAll(t, "ListSignInNames of the user who lost the name", names, err, emailName(old))
}

func testDeleteUserCascades(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	gone, kept := newUser(p.ID, "gone"), newUser(p.ID, "kept")
	g := newGroup(p.ID, "admins", nil)
	msg := newMessage(p.ID, gone.Key, "m1", at(0))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(
			createUser(ctx, tx, gone, emailName(gone)), createUser(ctx, tx, kept, emailName(kept)),
			tx.CreateGroup(ctx, g),
			tx.AddUserToGroup(ctx, p.ID, g.Name, gone.Key), tx.AddUserToGroup(ctx, p.ID, g.Name, kept.Key),
			tx.EnqueueMessage(ctx, msg))
	})
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteUser(ctx, p.ID, gone.Key) })

	members, err := s.ListUsersInGroup(ctx, p.ID, g.Name, store.Page{})
	checkAll(t, "ListUsersInGroup after DeleteUser", members, err, kept)
	groups, err := s.ListGroupsForUser(ctx, p.ID, gone.Key, store.Page{})
	checkAll(t, "ListGroupsForUser of the deleted user", groups, err)
	// The outbox is the record of what was sent: it outlives the user.
	msgs, err := s.ListMessages(ctx, p.ID, gone.Key, 0)
	checkAll(t, "ListMessages of the deleted user", msgs, err, msg)

	// A new user of the same key starts with no names and no groups.
	update(t, s, func(ctx context.Context, tx store.Tx) error { return createUser(ctx, tx, gone) })
	names, err := s.ListSignInNames(ctx, p.ID, gone.Key)
	checkAll(t, "ListSignInNames of the re-created user", names, err)
	groups, err = s.ListGroupsForUser(ctx, p.ID, gone.Key, store.Page{})
	checkAll(t, "ListGroupsForUser of the re-created user", groups, err)
	got, err := s.FindUserBySignInName(ctx, p.ID, kept.Email)
	check(t, "FindUserBySignInName of the other user", got, err, kept)
}

func testDeleteUserPoolDeletesUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_gone"), newPool("us-east-1_kept")
	create(t, s, []store.UserPool{p, q})
	u, kept := newUser(p.ID, "alice"), newUser(q.ID, "alice")
	g, keptGroup := newGroup(p.ID, "admins", ptr[int32](1)), newGroup(q.ID, "admins", nil)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(
			createUser(ctx, tx, u, emailName(u)), createUser(ctx, tx, kept, emailName(kept)),
			tx.CreateGroup(ctx, g), tx.CreateGroup(ctx, keptGroup),
			tx.AddUserToGroup(ctx, p.ID, g.Name, u.Key), tx.AddUserToGroup(ctx, q.ID, keptGroup.Name, kept.Key),
			tx.EnqueueMessage(ctx, newMessage(p.ID, u.Key, "m1", at(0))))
	})
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteUserPool(ctx, p.ID) })

	// A new pool of the same ID starts empty.
	create(t, s, []store.UserPool{p})
	if n, err := s.CountUsers(ctx, p.ID); err != nil || n != 0 {
		t.Fatalf("CountUsers of the re-created pool: %d, %v; want 0", n, err)
	}
	_, err := s.GetUser(ctx, p.ID, u.Key)
	wantErr(t, "GetUser of the deleted pool", err, store.ErrNotFound)
	_, err = s.FindUserBySignInName(ctx, p.ID, u.Email)
	wantErr(t, "FindUserBySignInName of the deleted pool", err, store.ErrNotFound)
	_, err = s.GetGroup(ctx, p.ID, g.Name)
	wantErr(t, "GetGroup of the deleted pool", err, store.ErrNotFound)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(createUser(ctx, tx, u, emailName(u)), tx.CreateGroup(ctx, g))
	})
	groups, err := s.ListGroupsForUser(ctx, p.ID, u.Key, store.Page{})
	checkAll(t, "ListGroupsForUser in the re-created pool", groups, err)
	msgs, err := s.ListMessages(ctx, p.ID, u.Key, 0)
	checkAll(t, "ListMessages in the re-created pool", msgs, err)

	got, err := s.FindUserBySignInName(ctx, q.ID, kept.Email)
	check(t, "FindUserBySignInName in the other pool", got, err, kept)
	members, err := s.ListUsersInGroup(ctx, q.ID, keptGroup.Name, store.Page{})
	checkAll(t, "ListUsersInGroup in the other pool", members, err, kept)
}

// fieldValue is a user's value of a field, as ListUsers compares it.
func fieldValue(u store.User, f store.UserField) string {
	switch f {
	case store.FieldUsername:
		return u.Key
	case store.FieldEmail:
		return u.Email
	case store.FieldPhoneNumber:
		return u.PhoneNumber
	case store.FieldName:
		return u.Name
	case store.FieldGivenName:
		return u.GivenName
	case store.FieldFamilyName:
		return u.FamilyName
	case store.FieldPreferredUsername:
		return u.PreferredUsername
	case store.FieldStatus:
		return u.Status
	case store.FieldEnabled:
		return strconv.FormatBool(u.Enabled)
	case store.FieldSub:
		return u.Sub
	}
	return ""
}

var userFields = []store.UserField{
	store.FieldUsername, store.FieldEmail, store.FieldPhoneNumber, store.FieldName, store.FieldGivenName,
	store.FieldFamilyName, store.FieldPreferredUsername, store.FieldStatus, store.FieldEnabled, store.FieldSub,
}

// listUsers reads a whole listing in pages of size (0: one unlimited page),
// continuing each after the last user's value and key.
func listUsers(t *testing.T, s store.Store, poolID string, f store.UserFilter, size int, between func()) []store.User {
	t.Helper()
	var all []store.User
	page := store.UserPage{Limit: size}
	for {
		got, err := s.ListUsers(t.Context(), poolID, f, page)
		if err != nil {
			t.Fatalf("ListUsers %+v %+v: %v", f, page, err)
		}
		if size > 0 && len(got) > size {
			t.Fatalf("ListUsers %+v %+v: %d users, want at most %d", f, page, len(got), size)
		}
		all = append(all, got...)
		if size <= 0 || len(got) < size {
			return all
		}
		last := got[len(got)-1]
		next := store.UserPage{AfterKey: last.Key, Limit: size}
		if f.Field != "" {
			next.AfterValue = fieldValue(last, f.Field)
		}
		if next.AfterValue < page.AfterValue || (next.AfterValue == page.AfterValue && next.AfterKey <= page.AfterKey) {
			t.Fatalf("ListUsers %+v %+v: the page ends at %+v, not after where it started", f, page, next)
		}
		page = next
		if between != nil {
			between()
		}
	}
}

// wantUsers is what ListUsers should return of users: those matching f,
// ordered by (value, key) byte-wise.
func wantUsers(users []store.User, f store.UserFilter) []string {
	var out []store.User
	for _, u := range users {
		v := fieldValue(u, f.Field)
		if f.Field == "" || (f.Prefix && strings.HasPrefix(v, f.Value)) || (!f.Prefix && v == f.Value) {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b store.User) int {
		if c := strings.Compare(fieldValue(a, f.Field), fieldValue(b, f.Field)); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	return ids(out, userKey)
}

// awkward are values that sort differently under any order but bytes, or
// whose prefixes' upper bounds need care: multi-byte characters, the last
// character before the surrogates and the very last one, DEL and U+0080.
var awkward = []string{
	"", "a", "A", "ab", "abc", "aB", "a b", "a-b", "a_b", "a\u007f", "a\u0080", "a\u00ff", "a\u0100",
	"Zoe", "Zoë", "Zoé", "Zoë Anne", "Zo", "zoe", "é", "ê", "e\u0301", "¿", "À",
	"名前", "名前太郎", "名", "呑", "\ud7ff", "\ud7ffx", "\ue000", "\uffff", "\U00010000",
	"\U0010ffff", "\U0010ffff\U0010ffff", "x\U0010ffff", "x\U0010ffffy", "y", "😀", "😀😀", "😁",
}

func testListUsersFilters(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	r := rand.New(rand.NewPCG(7, 8))
	pick := func() string { return awkward[r.IntN(len(awkward))] }
	var users, others []store.User
	for i := range 60 {
		// Keys and subs are unique; other fields repeat, so that pages
		// continue within a run of equal values.
		u := newUser(p.ID, fmt.Sprintf("%s%02d", pick(), i))
		u.Sub = fmt.Sprintf("%s%02d", pick(), i)
		u.Email, u.PhoneNumber, u.Name, u.GivenName, u.FamilyName, u.PreferredUsername = pick(), pick(), pick(), pick(), pick(), pick()
		u.Status = []string{"CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD", "RESET_REQUIRED"}[i%4]
		u.Enabled = i%3 != 0
		users = append(users, u)
		// The same values in another pool must not show.
		o := u
		o.PoolID = q.ID
		others = append(others, o)
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.CreateUsers(ctx, append(users, others...), nil)
	})

	verify := func(f store.UserFilter) {
		t.Helper()
		want := wantUsers(users, f)
		for _, size := range []int{0, 2, 7} {
			if got := ids(listUsers(t, s, p.ID, f, size, nil), userKey); !slices.Equal(got, want) {
				t.Fatalf("ListUsers %+v in pages of %d:\n got %q\nwant %q", f, size, got, want)
			}
		}
	}
	verify(store.UserFilter{})
	for _, field := range userFields {
		values := map[string]bool{"missing": field != store.FieldEnabled}
		prefixes := map[string]bool{"missing": true, "\U0010ffff\U0010ffff\U0010ffff": true}
		for _, u := range users {
			v := fieldValue(u, field)
			values[v] = true
			for i := range v {
				prefixes[v[:i]] = true // every prefix that ends on a character boundary
			}
			prefixes[v] = true
		}
		for v, ok := range values {
			if !ok {
				continue
			}
			verify(store.UserFilter{Field: field, Value: v})
		}
		if field == store.FieldEnabled {
			continue
		}
		for prefix := range prefixes {
			verify(store.UserFilter{Field: field, Value: prefix, Prefix: true})
		}
	}

	// An empty prefix matches every user, those with no value too.
	all, err := s.ListUsers(ctx, p.ID, store.UserFilter{Field: store.FieldEmail, Prefix: true}, store.UserPage{})
	if err != nil || len(all) != len(users) {
		t.Fatalf("ListUsers with an empty prefix: %d users, %v; want all %d", len(all), err, len(users))
	}
	// The listed users are whole.
	first := listUsers(t, s, p.ID, store.UserFilter{}, 1, nil)
	slices.SortFunc(users, func(a, b store.User) int { return strings.Compare(a.Key, b.Key) })
	checkAll(t, "ListUsers in pages of one", first, nil, users...)
	if n, err := s.CountUsers(ctx, p.ID); err != nil || n != int64(len(users)) {
		t.Fatalf("CountUsers: %d, %v; want %d", n, err, len(users))
	}
}

// testListUsersUnderConcurrentInserts pages through a filtered listing while
// another goroutine inserts users into it: every user present from the start
// is listed once, in order.
func testListUsersUnderConcurrentInserts(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	r := rand.New(rand.NewPCG(9, 10))
	domains := []string{"a.example", "b.example", "c.example"}
	var initial []store.User
	for i := range 60 {
		u := newUser(p.ID, fmt.Sprintf("%s%03d", randomID(r, ""), i))
		// Few distinct values: pages continue within runs of equal emails.
		u.Email = "user@" + domains[r.IntN(len(domains))]
		initial = append(initial, u)
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateUsers(ctx, initial, nil) })

	filter := store.UserFilter{Field: store.FieldEmail, Value: "user@", Prefix: true}
	done := make(chan error, 1)
	inserted := make(chan struct{}, 100)
	go func() {
		r := rand.New(rand.NewPCG(11, 12))
		for i := range 60 {
			u := newUser(p.ID, fmt.Sprintf("%s%03dx", randomID(r, ""), i))
			u.Email = "user@" + domains[r.IntN(len(domains))]
			if err := s.Update(ctx, func(tx store.Tx) error { return createUser(ctx, tx, u) }); err != nil {
				done <- err
				return
			}
			inserted <- struct{}{}
		}
		done <- nil
	}()
	got := listUsers(t, s, p.ID, filter, 4, func() {
		select { // let an insert land between pages
		case <-inserted:
		case <-time.After(10 * time.Millisecond):
		}
	})
	if err := <-done; err != nil {
		t.Fatalf("concurrent insert: %v", err)
	}
	seen := map[string]int{}
	for i, u := range got {
		seen[u.Key]++
		if i > 0 {
			prev := got[i-1]
			if prev.Email > u.Email || (prev.Email == u.Email && prev.Key >= u.Key) {
				t.Fatalf("listing not strictly ordered: (%q, %q) then (%q, %q)", prev.Email, prev.Key, u.Email, u.Key)
			}
		}
	}
	for _, u := range initial {
		if seen[u.Key] != 1 {
			t.Fatalf("user %q, present from the start, listed %d times", u.Key, seen[u.Key])
		}
	}
}

func testListUsersBadFilters(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	for _, f := range []store.UserFilter{
		{Field: "nickname", Value: "x"},
		{Field: store.FieldEnabled, Value: "yes"},
		{Field: store.FieldEnabled, Value: "t", Prefix: true},
		{Value: "x"},
	} {
		if _, err := s.ListUsers(ctx, p.ID, f, store.UserPage{}); err == nil {
			t.Errorf("ListUsers %+v: no error", f)
		}
	}
}

func testRaceCreateUser(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	race(t, 10, func(round, racer int) error {
		u := newUser(p.ID, fmt.Sprintf("race%d", round))
		u.Sub = fmt.Sprintf("sub-%d-%d", round, racer)
		u.Email = fmt.Sprintf("racer%d-%d@example.com", round, racer)
		return s.Update(ctx, func(tx store.Tx) error {
			// Read first, as the domain does: both racers see no user.
			if _, err := tx.GetUser(ctx, p.ID, u.Key); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w: user exists (%v)", store.ErrConflict, err)
			}
			return createUser(ctx, tx, u, emailName(u))
		})
	})
	if n, err := s.CountUsers(ctx, p.ID); err != nil || n != 10 {
		t.Fatalf("CountUsers after the races: %d, %v; want 10", n, err)
	}
}

func testRaceSignInName(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	race(t, 10, func(round, racer int) error {
		u := newUser(p.ID, fmt.Sprintf("racer%d-%d", round, racer))
		name := store.SignInName{Name: fmt.Sprintf("shared%d@example.com", round), Kind: "email"}
		return s.Update(ctx, func(tx store.Tx) error {
			if _, err := tx.FindUserBySignInName(ctx, p.ID, name.Name); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w: name taken (%v)", store.ErrConflict, err)
			}
			return createUser(ctx, tx, u, name)
		})
	})
	if n, err := s.CountUsers(ctx, p.ID); err != nil || n != 10 {
		t.Fatalf("CountUsers after the races: %d, %v; want the 10 winners", n, err)
	}
}

func testGroups(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	admins, users := newGroup(p.ID, "admins", ptr[int32](0)), newGroup(p.ID, "users", nil)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(tx.CreateGroup(ctx, users), tx.CreateGroup(ctx, admins), tx.CreateGroup(ctx, newGroup(q.ID, "admins", nil)))
	})
	got, err := s.GetGroup(ctx, p.ID, admins.Name)
	check(t, "GetGroup", got, err, admins)
	got, err = s.GetGroup(ctx, p.ID, users.Name)
	check(t, "GetGroup with no precedence", got, err, users)
	list, err := s.ListGroups(ctx, p.ID, store.Page{})
	checkAll(t, "ListGroups", list, err, admins, users)

	changed := admins
	changed.Description, changed.RoleARN, changed.Precedence, changed.UpdatedAt = "changed", "", ptr[int32](-7), at(60)
	changed.CreatedAt = at(-60) // not the store's to change
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateGroup(ctx, changed) })
	want := changed
	want.CreatedAt = admins.CreatedAt
	got, err = s.GetGroup(ctx, p.ID, admins.Name)
	check(t, "GetGroup after UpdateGroup", got, err, want)
	changed.Precedence = nil
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateGroup(ctx, changed) })
	want.Precedence = nil
	got, err = s.GetGroup(ctx, p.ID, admins.Name)
	check(t, "GetGroup after clearing the precedence", got, err, want)

	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "CreateGroup with a taken name", tx.CreateGroup(ctx, newGroup(p.ID, "users", nil)), store.ErrConflict)
		wantErr(t, "CreateGroup in a missing pool", tx.CreateGroup(ctx, newGroup("us-east-1_missing", "g", nil)), store.ErrNotFound)
		wantErr(t, "UpdateGroup of a missing group", tx.UpdateGroup(ctx, newGroup(p.ID, "missing", nil)), store.ErrNotFound)
		wantErr(t, "DeleteGroup of a missing group", tx.DeleteGroup(ctx, p.ID, "missing"), store.ErrNotFound)
		_, err := tx.GetGroup(ctx, p.ID, "missing")
		wantErr(t, "GetGroup of a missing group", err, store.ErrNotFound)
		return tx.DeleteGroup(ctx, p.ID, users.Name)
	})
	list, err = s.ListGroups(ctx, p.ID, store.Page{})
	checkAll(t, "ListGroups after DeleteGroup", list, err, want)

	// Pages, byte-wise.
	var names []string
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for i := range 12 {
			name := fmt.Sprintf("%c%02d", idChars[i], i)
			names = append(names, name)
			if err := tx.CreateGroup(ctx, newGroup(q.ID, name, nil)); err != nil {
				return err
			}
		}
		return nil
	})
	names = append(names, "admins")
	slices.Sort(names)
	for _, size := range []int{1, 5, 100} {
		got := pages(t, size, groupName, func(page store.Page) ([]store.Group, error) { return s.ListGroups(ctx, q.ID, page) })
		if g := ids(got, groupName); !slices.Equal(g, names) {
			t.Fatalf("ListGroups in pages of %d:\n got %q\nwant %q", size, g, names)
		}
	}
}

// createMoved creates pools p and q, then changes p, and returns p's
// generation, which is then not q's.
func createMoved(t *testing.T, s store.Store, p, q store.UserPool) int64 {
	t.Helper()
	create(t, s, []store.UserPool{p, q})
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateUserPool(ctx, p) })
	pool, err := s.GetUserPool(t.Context(), p.ID)
	if err != nil || pool.Generation == 0 {
		t.Fatalf("GetUserPool after UpdateUserPool: generation %d, %v", pool.Generation, err)
	}
	return pool.Generation
}

// testFindSigner: a name resolves as a username first, then as a sign-in
// name, in the pool alone, with the user's groups and the pool's generation.
func testFindSigner(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	gen := createMoved(t, s, p, q)
	alice, bob, carol := newUser(p.ID, "alice"), newUser(p.ID, "bob"), newUser(p.ID, "carol")
	groups := []store.Group{newGroup(p.ID, "zeta", nil), newGroup(p.ID, "alpha", ptr(int32(2))), newGroup(p.ID, "mid", ptr(int32(1)))}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		errs := []error{createUser(ctx, tx, alice), createUser(ctx, tx, carol, emailName(carol)),
			// bob's sign-in name is alice's username.
			createUser(ctx, tx, bob, store.SignInName{PoolID: p.ID, Name: alice.Key, UserKey: bob.Key, Kind: "preferred_username"})}
		for _, g := range groups {
			errs = append(errs, tx.CreateGroup(ctx, g))
		}
		for _, g := range groups {
			errs = append(errs, tx.AddUserToGroup(ctx, p.ID, g.Name, carol.Key))
		}
		errs = append(errs, tx.AddUserToGroup(ctx, p.ID, "mid", bob.Key))
		return errors.Join(errs...)
	})
	sorted := []store.Group{groups[1], groups[2], groups[0]}
	for _, c := range []struct {
		what, pool, name string
		want             store.Signer
	}{
		{"a username that is another user's sign-in name", p.ID, alice.Key, store.Signer{User: alice, Found: true, Generation: gen}},
		{"a username in groups", p.ID, carol.Key, store.Signer{User: carol, Found: true, Groups: sorted, Generation: gen}},
		{"a sign-in name", p.ID, carol.Email, store.Signer{User: carol, Found: true, Groups: sorted, Generation: gen}},
		{"a name nobody has", p.ID, "nobody", store.Signer{Generation: gen}},
		{"a username of another pool", q.ID, alice.Key, store.Signer{}},
	} {
		got, err := s.FindSigner(ctx, c.pool, c.name)
		check(t, "FindSigner of "+c.what, got, err, c.want)
	}
	_, err := s.FindSigner(ctx, "us-east-1_missing", alice.Key)
	wantErr(t, "FindSigner in a missing pool", err, store.ErrNotFound)

	// In a transaction it sees the transaction's writes.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.RemoveUserFromGroup(ctx, p.ID, "alpha", carol.Key); err != nil {
			return err
		}
		got, err := tx.FindSigner(ctx, p.ID, carol.Key)
		checkAll(t, "the groups FindSigner reads in the tx", got.Groups, err, groups[2], groups[0])
		return nil
	})
}

// testFindAccessHolder: the user of a key, with whether a refresh token of
// its family is left, and the pool's generation.
func testFindAccessHolder(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	gen := createMoved(t, s, p, q)
	alice, bob := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	createUsers(t, s, alice, bob)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.CreateRefreshToken(ctx, store.RefreshToken{PoolID: p.ID, ID: "token", Family: "family", ClientID: "client",
			UserKey: alice.Key, AuthTime: at(0), CreatedAt: at(0), ExpiresAt: at(-10)}) // expired: it still counts
	})
	for _, c := range []struct {
		what, pool, key, family string
		want                    store.AccessHolder
	}{
		{"a user and its family", p.ID, alice.Key, "family", store.AccessHolder{User: alice, Found: true, Live: true, Generation: gen}},
		{"a user and another's family", p.ID, bob.Key, "family", store.AccessHolder{User: bob, Found: true, Generation: gen}},
		{"a user and no family", p.ID, alice.Key, "", store.AccessHolder{User: alice, Found: true, Generation: gen}},
		{"no user", p.ID, "nobody", "family", store.AccessHolder{Generation: gen}},
		{"a user of another pool", q.ID, alice.Key, "family", store.AccessHolder{}},
	} {
		got, err := s.FindAccessHolder(ctx, c.pool, c.key, c.family)
		got.User, c.want.User = canon(got.User), canon(c.want.User)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Fatalf("FindAccessHolder of %s: %v\n got %+v\nwant %+v", c.what, err, got, c.want)
		}
	}
	_, err := s.FindAccessHolder(ctx, "us-east-1_missing", alice.Key, "family")
	wantErr(t, "FindAccessHolder in a missing pool", err, store.ErrNotFound)
}

func testGroupMembers(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	var users []store.User
	var groups []store.Group
	for i := range 7 {
		users = append(users, newUser(p.ID, fmt.Sprintf("%c-user%d", idChars[i], i)))
		groups = append(groups, newGroup(p.ID, fmt.Sprintf("%c-group%d", idChars[12-i], i), ptr(int32(i))))
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, g := range groups {
			if err := tx.CreateGroup(ctx, g); err != nil {
				return err
			}
		}
		if err := tx.CreateUsers(ctx, users, nil); err != nil {
			return err
		}
		// Everyone in every group but the last; the first user twice.
		for _, g := range groups[:6] {
			for _, u := range users {
				if err := tx.AddUserToGroup(ctx, p.ID, g.Name, u.Key); err != nil {
					return err
				}
			}
		}
		return tx.AddUserToGroup(ctx, p.ID, groups[0].Name, users[0].Key)
	})
	byKey := slices.Clone(users)
	slices.SortFunc(byKey, func(a, b store.User) int { return strings.Compare(a.Key, b.Key) })
	byName := slices.Clone(groups[:6])
	slices.SortFunc(byName, func(a, b store.Group) int { return strings.Compare(a.Name, b.Name) })
	for _, size := range []int{1, 2, 100} {
		members := pages(t, size, userKey, func(page store.Page) ([]store.User, error) {
			return s.ListUsersInGroup(ctx, p.ID, groups[0].Name, page)
		})
		checkAll(t, fmt.Sprintf("ListUsersInGroup in pages of %d", size), members, nil, byKey...)
		in := pages(t, size, groupName, func(page store.Page) ([]store.Group, error) {
			return s.ListGroupsForUser(ctx, p.ID, users[3].Key, page)
		})
		checkAll(t, fmt.Sprintf("ListGroupsForUser in pages of %d", size), in, nil, byName...)
	}
	none, err := s.ListUsersInGroup(ctx, p.ID, groups[6].Name, store.Page{})
	checkAll(t, "ListUsersInGroup of an empty group", none, err)

	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "AddUserToGroup of a missing user", tx.AddUserToGroup(ctx, p.ID, groups[0].Name, "missing"), store.ErrNotFound)
		wantErr(t, "AddUserToGroup to a missing group", tx.AddUserToGroup(ctx, p.ID, "missing", users[0].Key), store.ErrNotFound)
		return errors.Join(
			tx.RemoveUserFromGroup(ctx, p.ID, groups[0].Name, users[0].Key),
			tx.RemoveUserFromGroup(ctx, p.ID, groups[0].Name, users[0].Key), // idempotent
			tx.RemoveUserFromGroup(ctx, p.ID, "missing", "missing"))
	})
	members, err := s.ListUsersInGroup(ctx, p.ID, groups[0].Name, store.Page{})
	checkAll(t, "ListUsersInGroup after RemoveUserFromGroup", members, err, byKey[1:]...)

	// Deleting a group removes its memberships, and nothing else.
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteGroup(ctx, p.ID, byName[2].Name) })
	in, err := s.ListGroupsForUser(ctx, p.ID, users[3].Key, store.Page{})
	checkAll(t, "ListGroupsForUser after DeleteGroup", in, err, slices.Delete(slices.Clone(byName), 2, 3)...)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateGroup(ctx, byName[2]) })
	members, err = s.ListUsersInGroup(ctx, p.ID, byName[2].Name, store.Page{})
	checkAll(t, "ListUsersInGroup of a re-created group", members, err)
	if n, err := s.CountUsers(ctx, p.ID); err != nil || n != int64(len(users)) {
		t.Fatalf("CountUsers after DeleteGroup: %d, %v; want %d", n, err, len(users))
	}
}

func testOutbox(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	// IDs sort in creation order; due times need not.
	m1 := newMessage(p.ID, "alice", "01", at(10))
	m2 := newMessage(p.ID, "alice", "02", at(0))
	m3 := newMessage(p.ID, "alice", "03", at(30))
	sent := newMessage(p.ID, "alice", "04", at(0))
	sent.Status, sent.Attempts = "sent", 1
	bobs := newMessage(p.ID, "bob", "05", at(5))
	bobs.Medium, bobs.Destination, bobs.Subject, bobs.From, bobs.ReplyTo = "SMS", "+447009001", "", "", ""
	// An email from the sender's default address, with a reply address.
	m3.From = ""
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, m := range []store.Message{m1, m2, m3, sent, bobs} {
			if err := tx.EnqueueMessage(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	msgs, err := s.ListMessages(ctx, p.ID, "alice", 0)
	checkAll(t, "ListMessages", msgs, err, sent, m3, m2, m1)
	msgs, err = s.ListMessages(ctx, p.ID, "alice", 2)
	checkAll(t, "ListMessages with a limit", msgs, err, sent, m3)
	msgs, err = s.ListMessages(ctx, p.ID, "bob", 10)
	checkAll(t, "ListMessages of another user", msgs, err, bobs)

	update(t, s, func(ctx context.Context, tx store.Tx) error {
		claimed, err := tx.ClaimMessages(ctx, at(15), 10)
		checkAll(t, "ClaimMessages", claimed, err, m2, bobs, m1) // due, pending, oldest due first
		claimed, err = tx.ClaimMessages(ctx, at(15), 1)
		checkAll(t, "ClaimMessages with a limit", claimed, err, m2)

		wantErr(t, "EnqueueMessage with a taken ID", tx.EnqueueMessage(ctx, newMessage(p.ID, "carol", m1.ID, at(0))), store.ErrConflict)
		wantErr(t, "EnqueueMessage to a missing pool", tx.EnqueueMessage(ctx, newMessage("us-east-1_missing", "carol", "06", at(0))), store.ErrNotFound)
		wantErr(t, "UpdateMessage of a missing message", tx.UpdateMessage(ctx, newMessage(p.ID, "alice", "missing", at(0))), store.ErrNotFound)

		// A sender records each attempt.
		m2.Status, m2.Attempts, m2.LastError = "sent", 1, ""
		failing := m1
		failing.Attempts, failing.NextAttempt, failing.LastError = 1, at(100), "connection refused"
		failing.Body, failing.From, failing.ReplyTo = "not the store's to change", "nor this", "nor this"
		return errors.Join(tx.UpdateMessage(ctx, m2), tx.UpdateMessage(ctx, failing))
	})
	m1.Attempts, m1.NextAttempt, m1.LastError = 1, at(100), "connection refused"
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		claimed, err := tx.ClaimMessages(ctx, at(50), 10)
		checkAll(t, "ClaimMessages after the attempts", claimed, err, bobs, m3)
		return nil
	})
	msgs, err = s.ListMessages(ctx, p.ID, "alice", 0)
	checkAll(t, "ListMessages after the attempts", msgs, err, sent, m3, m2, m1)
}

// testRaceClaimMessages: senders that claim due messages and record the
// claim in one transaction never both take the same message.
func testRaceClaimMessages(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	const messages = 20
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for i := range messages {
			if err := tx.EnqueueMessage(ctx, newMessage(p.ID, "alice", fmt.Sprintf("%02d", i), at(i))); err != nil {
				return err
			}
		}
		return nil
	})
	claims := make(chan string, 2*messages)
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			for {
				var claimed []store.Message
				err := s.Update(ctx, func(tx store.Tx) error {
					var err error
					if claimed, err = tx.ClaimMessages(ctx, at(messages), 2); err != nil {
						return err
					}
					for _, m := range claimed {
						m.Attempts, m.NextAttempt = m.Attempts+1, at(1000) // leased
						if err := tx.UpdateMessage(ctx, m); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil || len(claimed) == 0 {
					errs <- err
					return
				}
				for _, m := range claimed {
					claims <- m.ID
				}
			}
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("claim: %v", err)
		}
	}
	close(claims)
	seen := map[string]bool{}
	for id := range claims {
		if seen[id] {
			t.Fatalf("message %s claimed twice", id)
		}
		seen[id] = true
	}
	if len(seen) != messages {
		t.Fatalf("%d messages claimed, want %d", len(seen), messages)
	}
}

// bulkUsers returns n users of a pool and their emails as sign-in names.
func bulkUsers(poolID string, from, n int) ([]store.User, []store.SignInName) {
	var users []store.User
	var names []store.SignInName
	for i := from; i < from+n; i++ {
		u := newUser(poolID, fmt.Sprintf("bulk%05d", i))
		if i%2 == 0 {
			u.Credential = nil
		}
		users = append(users, u)
		names = append(names, emailName(u))
	}
	return users, names
}

func testCreateUsers(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	// More than a backend's statement holds, and not a multiple of it.
	users, names := bulkUsers(p.ID, 0, 2345)
	existing := newUser(p.ID, "existing")
	update(t, s, func(ctx context.Context, tx store.Tx) error { return createUser(ctx, tx, existing) })
	// A name may also belong to a user in the pool already.
	extra := store.SignInName{PoolID: p.ID, Name: "extra@example.com", UserKey: existing.Key, Kind: "email"}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateUsers(ctx, users, append(names, extra)) })

	if n, err := s.CountUsers(ctx, p.ID); err != nil || n != int64(len(users))+1 {
		t.Fatalf("CountUsers: %d, %v; want %d", n, err, len(users)+1)
	}
	for _, i := range []int{0, 1, 999, 1000, 1001, 2344} {
		got, err := s.GetUser(ctx, p.ID, users[i].Key)
		check(t, "GetUser of a bulk user", got, err, users[i])
		if (got.Credential == nil) != (users[i].Credential == nil) {
			t.Fatalf("GetUser of a bulk user: Credential %q, want %q", got.Credential, users[i].Credential)
		}
		got, err = s.FindUserBySignInName(ctx, p.ID, names[i].Name)
		check(t, "FindUserBySignInName of a bulk user", got, err, users[i])
	}
	got, err := s.FindUserBySignInName(ctx, p.ID, extra.Name)
	check(t, "FindUserBySignInName of a name added to an existing user", got, err, existing)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateUsers(ctx, nil, nil) })
}

// testCreateUsersRefused: a batch with one refused row changes nothing, and
// the transaction goes on.
func testCreateUsersRefused(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	held := newUser(p.ID, "held")
	update(t, s, func(ctx context.Context, tx store.Tx) error { return createUser(ctx, tx, held, emailName(held)) })

	users, names := bulkUsers(p.ID, 0, 2345)
	takenSub := slices.Clone(users)
	takenSub[1234].Sub = held.Sub
	takenName := slices.Clone(names)
	takenName[1001].Name = held.Email
	missingUser := newUser(p.ID, "missing")
	for _, c := range []struct {
		what  string
		users []store.User
		names []store.SignInName
		want  error
	}{
		{"a taken key, last", append(slices.Clone(users), held), names, store.ErrConflict},
		{"a taken key, first", append([]store.User{held}, users...), names, store.ErrConflict},
		{"a key given twice", append(slices.Clone(users), users[1500]), nil, store.ErrConflict},
		{"a taken sub", takenSub, names, store.ErrConflict},
		{"a taken name, last", users, append(slices.Clone(names), store.SignInName{PoolID: p.ID, Name: held.Email, UserKey: users[0].Key, Kind: "email"}), store.ErrConflict},
		{"a taken name, in the middle", users, takenName, store.ErrConflict},
		{"a name given twice", users, append(slices.Clone(names), names[2000]), store.ErrConflict},
		{"a missing pool", append(slices.Clone(users), newUser("us-east-1_missing", "x")), names, store.ErrNotFound},
		{"a name of a missing user", users, append(slices.Clone(names), emailName(missingUser)), store.ErrNotFound},
	} {
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			wantErr(t, "CreateUsers with "+c.what, tx.CreateUsers(ctx, c.users, c.names), c.want)
			if n, err := tx.CountUsers(ctx, p.ID); err != nil || n != 1 {
				t.Fatalf("CountUsers after CreateUsers with %s: %d, %v; want 1", c.what, n, err)
			}
			got, err := tx.FindUserBySignInName(ctx, p.ID, held.Email)
			check(t, "FindUserBySignInName of the held name after CreateUsers with "+c.what, got, err, held)
			for _, n := range []store.SignInName{names[0], names[1001], names[2344]} {
				if _, err := tx.FindUserBySignInName(ctx, p.ID, n.Name); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("FindUserBySignInName %q after CreateUsers with %s: %v, want ErrNotFound", n.Name, c.what, err)
				}
			}
			return nil
		})
	}

	// Returned by fn, the refusal rolls the transaction back too.
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := createUser(ctx, tx, newUser(p.ID, "before")); err != nil {
			return err
		}
		return tx.CreateUsers(ctx, append(slices.Clone(users), held), names)
	})
	wantErr(t, "Update returning CreateUsers' conflict", err, store.ErrConflict)
	if n, err := s.CountUsers(ctx, p.ID); err != nil || n != 1 {
		t.Fatalf("CountUsers after the rolled-back Update: %d, %v; want 1", n, err)
	}
	// The whole batch goes in once the conflict is gone.
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateUsers(ctx, users, names) })
	if n, err := s.CountUsers(ctx, p.ID); err != nil || n != int64(len(users))+1 {
		t.Fatalf("CountUsers after the batch: %d, %v; want %d", n, err, len(users)+1)
	}
}

func testUserReadsCanceled(t *testing.T, s store.Store) {
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for name, f := range map[string]func() error{
		"GetUser":              func() error { _, err := s.GetUser(ctx, p.ID, "alice"); return err },
		"FindUserBySignInName": func() error { _, err := s.FindUserBySignInName(ctx, p.ID, "alice"); return err },
		"FindSigner":           func() error { _, err := s.FindSigner(ctx, p.ID, "alice"); return err },
		"FindAccessHolder":     func() error { _, err := s.FindAccessHolder(ctx, p.ID, "alice", "f"); return err },
		"ListSignInNames":      func() error { _, err := s.ListSignInNames(ctx, p.ID, "alice"); return err },
		"ListUsers": func() error {
			_, err := s.ListUsers(ctx, p.ID, store.UserFilter{Field: store.FieldEmail, Value: "a", Prefix: true}, store.UserPage{})
			return err
		},
		"CountUsers":        func() error { _, err := s.CountUsers(ctx, p.ID); return err },
		"GetGroup":          func() error { _, err := s.GetGroup(ctx, p.ID, "g"); return err },
		"ListGroups":        func() error { _, err := s.ListGroups(ctx, p.ID, store.Page{}); return err },
		"ListGroupsForUser": func() error { _, err := s.ListGroupsForUser(ctx, p.ID, "alice", store.Page{}); return err },
		"ListUsersInGroup":  func() error { _, err := s.ListUsersInGroup(ctx, p.ID, "g", store.Page{}); return err },
		"ListMessages":      func() error { _, err := s.ListMessages(ctx, p.ID, "alice", 0); return err },
	} {
		wantErr(t, name+" with a canceled context", f(), context.Canceled)
	}
}

// The awkward values are valid UTF-8, which PostgreSQL requires of text.
func init() {
	for _, v := range awkward {
		if !utf8.ValidString(v) {
			panic(fmt.Sprintf("storetest: awkward value %q is not UTF-8", v))
		}
	}
}
