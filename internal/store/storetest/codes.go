package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"cognate/internal/store"
)

var codeTests = []test{
	{"Codes", testCodes},
	{"CodePurposes", testCodePurposes},
	{"CodeAttempts", testCodeAttempts},
	{"DeleteCode", testDeleteCode},
	{"RaceDeleteCode", testRaceDeleteCode},
	{"DeleteUserDeletesCodes", testDeleteUserDeletesCodes},
	{"DeleteUserPoolDeletesCodes", testDeleteUserPoolDeletesCodes},
	{"CodeReadsCanceled", testCodeReadsCanceled},
	{"CountMessagesTo", testCountMessagesTo},
}

// testCountMessagesTo: the messages to one address since a time, in its pool.
func testCountMessagesTo(t *testing.T, s store.Store) {
	ctx := context.Background()
	create(t, s, []store.UserPool{newPool("us-east-1_a"), newPool("us-east-1_b")})
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for i, m := range []struct {
			pool, dest string
			at         int
		}{{"us-east-1_a", "x@example.com", 0}, {"us-east-1_a", "x@example.com", 10}, {"us-east-1_a", "x@example.com", 20},
			{"us-east-1_a", "y@example.com", 20}, {"us-east-1_b", "x@example.com", 20}} {
			msg := newMessage(m.pool, "someone", fmt.Sprintf("0190aaaa-0000-7000-8000-%012d", i), at(m.at))
			msg.Destination, msg.CreatedAt = m.dest, at(m.at)
			if err := tx.EnqueueMessage(ctx, msg); err != nil {
				return err
			}
		}
		return nil
	})
	for _, c := range []struct {
		dest  string
		since int
		want  int
	}{{"x@example.com", 9, 2}, {"x@example.com", 10, 1}, {"x@example.com", -1, 3}, {"x@example.com", 20, 0}, {"y@example.com", 0, 1}, {"z@example.com", 0, 0}} {
		n, err := s.CountMessagesTo(ctx, "us-east-1_a", c.dest, at(c.since))
		if err != nil || n != c.want {
			t.Errorf("CountMessagesTo(%s, since %d) = %d, %v; want %d", c.dest, c.since, n, err, c.want)
		}
	}
}

func newCode(u store.User, purpose string, expires time.Time) store.Code {
	return store.Code{PoolID: u.PoolID, UserKey: u.Key, Purpose: purpose, Hash: []byte("hash of " + purpose + " " + u.Key),
		Destination: u.Email, CreatedAt: at(20), ExpiresAt: expires}
}

// checkCode makes only want canonical: the store must give times back as
// they are stored, to the millisecond and in UTC, whatever zone they were
// given in. An empty hash may come back as nil or as empty.
func checkCode(t *testing.T, what string, got store.Code, err error, want store.Code) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	ms := func(t time.Time) time.Time { return t.Truncate(time.Millisecond).UTC() }
	want.CreatedAt, want.ExpiresAt = ms(want.CreatedAt), ms(want.ExpiresAt)
	if len(got.Hash) == 0 {
		got.Hash = nil
	}
	if len(want.Hash) == 0 {
		want.Hash = nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func putCodes(t *testing.T, s store.Store, codes ...store.Code) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, c := range codes {
			if err := tx.PutCode(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func testCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	alice, bob := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	createUsers(t, s, alice, bob)
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	zone := time.FixedZone("UTC-03:30", -(3*3600 + 30*60))
	c := newCode(alice, "verify:email", at(300).In(zone))
	c.Hash, c.Value, c.Attempts = every, "new.älice@example.com", 2
	c.CreatedAt = at(20).In(zone)
	// The store does not look at ExpiresAt: a code long expired is still there.
	expired := newCode(bob, "signup", time.Date(1969, 12, 31, 23, 59, 59, 999_999_999, time.UTC))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutCode(ctx, c); err != nil {
			return err
		}
		got, err := tx.GetCode(ctx, p.ID, alice.Key, c.Purpose)
		checkCode(t, "GetCode in the tx", got, err, c)
		return tx.PutCode(ctx, expired)
	})
	got, err := s.GetCode(ctx, p.ID, alice.Key, c.Purpose)
	checkCode(t, "GetCode", got, err, c)
	got, err = s.GetCode(ctx, p.ID, bob.Key, expired.Purpose)
	checkCode(t, "GetCode of an expired code", got, err, expired)
	for what, key := range map[string][3]string{
		"of another purpose":         {p.ID, alice.Key, "reset"},
		"of another user":            {p.ID, bob.Key, c.Purpose},
		"of a missing user":          {p.ID, "missing", c.Purpose},
		"in another pool":            {q.ID, alice.Key, c.Purpose},
		"of a purpose's prefix":      {p.ID, alice.Key, "verify"},
		"of a purpose in upper case": {p.ID, alice.Key, "VERIFY:EMAIL"},
	} {
		_, err := s.GetCode(ctx, key[0], key[1], key[2])
		wantErr(t, "GetCode "+what, err, store.ErrNotFound)
	}

	// A second code of the purpose replaces every field of the first, and
	// starts again from its own Attempts.
	second := newCode(alice, c.Purpose, at(600))
	second.Hash, second.Destination, second.Value = []byte("second hash"), "+447009005", ""
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutCode(ctx, second); err != nil {
			return err
		}
		got, err := tx.GetCode(ctx, p.ID, alice.Key, c.Purpose)
		checkCode(t, "GetCode in the tx after the second PutCode", got, err, second)
		return nil
	})
	got, err = s.GetCode(ctx, p.ID, alice.Key, c.Purpose)
	checkCode(t, "GetCode after the second PutCode", got, err, second)
	got, err = s.GetCode(ctx, p.ID, bob.Key, expired.Purpose)
	checkCode(t, "GetCode of another user's code after the second PutCode", got, err, expired)
	// Putting the same code again changes nothing and is no error.
	putCodes(t, s, second)
	got, err = s.GetCode(ctx, p.ID, alice.Key, c.Purpose)
	checkCode(t, "GetCode after putting the same code again", got, err, second)

	// Every refusal changes nothing, and the transaction goes on.
	fresh := newCode(bob, "reset", at(700))
	fresh.Hash = nil
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "PutCode of a missing user", tx.PutCode(ctx, newCode(newUser(p.ID, "missing"), "signup", at(0))), store.ErrNotFound)
		wantErr(t, "PutCode of a user of another pool", tx.PutCode(ctx, newCode(newUser(q.ID, alice.Key), "signup", at(0))), store.ErrNotFound)
		wantErr(t, "PutCode in a missing pool", tx.PutCode(ctx, newCode(newUser("us-east-1_missing", alice.Key), "signup", at(0))), store.ErrNotFound)
		wantErr(t, "SetCodeAttempts of a missing code", tx.SetCodeAttempts(ctx, p.ID, alice.Key, "reset", 1), store.ErrNotFound)
		wantErr(t, "SetCodeAttempts in another pool", tx.SetCodeAttempts(ctx, q.ID, alice.Key, c.Purpose, 1), store.ErrNotFound)
		wantErr(t, "DeleteCode of a missing code", tx.DeleteCode(ctx, p.ID, alice.Key, "reset"), store.ErrNotFound)
		wantErr(t, "DeleteCode of a missing user", tx.DeleteCode(ctx, p.ID, "missing", c.Purpose), store.ErrNotFound)
		wantErr(t, "DeleteCode in another pool", tx.DeleteCode(ctx, q.ID, alice.Key, c.Purpose), store.ErrNotFound)
		return tx.PutCode(ctx, fresh)
	})
	got, err = s.GetCode(ctx, p.ID, alice.Key, c.Purpose)
	checkCode(t, "GetCode after the refused writes", got, err, second)
	got, err = s.GetCode(ctx, p.ID, bob.Key, fresh.Purpose)
	checkCode(t, "GetCode of the code put after refused writes", got, err, fresh)
	for _, key := range [][2]string{{p.ID, "missing"}, {q.ID, alice.Key}, {"us-east-1_missing", alice.Key}} {
		_, err := s.GetCode(ctx, key[0], key[1], "signup")
		wantErr(t, "GetCode of a refused PutCode", err, store.ErrNotFound)
	}
}

// testCodePurposes: a user holds one code per purpose, each replaced and
// deleted alone, and the same purposes of another user are its own.
func testCodePurposes(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	alice, bob := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	createUsers(t, s, alice, bob)
	purposes := []string{"signup", "reset", "verify:email", "verify:phone_number"}
	var codes []store.Code
	for i, purpose := range purposes {
		for _, u := range []store.User{alice, bob} {
			c := newCode(u, purpose, at(300+i))
			c.Attempts = i
			codes = append(codes, c)
		}
	}
	putCodes(t, s, codes...)
	for _, c := range codes {
		got, err := s.GetCode(ctx, c.PoolID, c.UserKey, c.Purpose)
		checkCode(t, "GetCode of "+c.UserKey+"'s "+c.Purpose+" code", got, err, c)
	}

	// Replacing alice's reset code and deleting her signup code leave the rest.
	reset := newCode(alice, "reset", at(900))
	reset.Hash = []byte("another hash")
	putCodes(t, s, reset)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteCode(ctx, p.ID, alice.Key, "signup") })
	for _, c := range codes {
		got, err := s.GetCode(ctx, c.PoolID, c.UserKey, c.Purpose)
		switch {
		case c.UserKey == alice.Key && c.Purpose == "signup":
			wantErr(t, "GetCode of the deleted code", err, store.ErrNotFound)
		case c.UserKey == alice.Key && c.Purpose == "reset":
			checkCode(t, "GetCode of the replaced code", got, err, reset)
		default:
			checkCode(t, "GetCode of "+c.UserKey+"'s "+c.Purpose+" code after the changes", got, err, c)
		}
	}
}

func testCodeAttempts(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	alice, bob := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	createUsers(t, s, alice, bob)
	c, other, bobs := newCode(alice, "signup", at(300)), newCode(alice, "reset", at(300)), newCode(bob, "signup", at(300))
	putCodes(t, s, c, other, bobs)

	// Attempts changes, and nothing else: not the other purpose, not the other user.
	for _, attempts := range []int{1, 2, 5, 0} {
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			if err := tx.SetCodeAttempts(ctx, p.ID, alice.Key, c.Purpose, attempts); err != nil {
				return err
			}
			want := c
			want.Attempts = attempts
			got, err := tx.GetCode(ctx, p.ID, alice.Key, c.Purpose)
			checkCode(t, "GetCode in the tx after SetCodeAttempts", got, err, want)
			return nil
		})
		c.Attempts = attempts
		got, err := s.GetCode(ctx, p.ID, alice.Key, c.Purpose)
		checkCode(t, fmt.Sprintf("GetCode after SetCodeAttempts %d", attempts), got, err, c)
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.SetCodeAttempts(ctx, p.ID, alice.Key, c.Purpose, 3)
	})
	c.Attempts = 3
	got, err := s.GetCode(ctx, p.ID, alice.Key, c.Purpose)
	checkCode(t, "GetCode after SetCodeAttempts", got, err, c)
	got, err = s.GetCode(ctx, p.ID, alice.Key, other.Purpose)
	checkCode(t, "GetCode of the other purpose after SetCodeAttempts", got, err, other)
	got, err = s.GetCode(ctx, p.ID, bob.Key, bobs.Purpose)
	checkCode(t, "GetCode of the other user after SetCodeAttempts", got, err, bobs)

	// A rolled back transaction records nothing.
	rollback := errors.New("roll back")
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.SetCodeAttempts(ctx, p.ID, alice.Key, c.Purpose, 4); err != nil {
			return err
		}
		return rollback
	})
	wantErr(t, "Update that rolls back", err, rollback)
	got, err = s.GetCode(ctx, p.ID, alice.Key, c.Purpose)
	checkCode(t, "GetCode after a rolled back SetCodeAttempts", got, err, c)

	// A new code starts from its own Attempts.
	c = newCode(alice, c.Purpose, at(400))
	putCodes(t, s, c)
	got, err = s.GetCode(ctx, p.ID, alice.Key, c.Purpose)
	checkCode(t, "GetCode of a new code after SetCodeAttempts", got, err, c)
}

func testDeleteCode(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	alice := newUser(p.ID, "alice")
	createUsers(t, s, alice)
	c, other := newCode(alice, "signup", at(300)), newCode(alice, "reset", at(300))
	putCodes(t, s, c, other)

	// Single use: once deleted, a code is gone, in the tx and after.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteCode(ctx, p.ID, alice.Key, c.Purpose); err != nil {
			return err
		}
		_, err := tx.GetCode(ctx, p.ID, alice.Key, c.Purpose)
		wantErr(t, "GetCode in the tx after DeleteCode", err, store.ErrNotFound)
		wantErr(t, "DeleteCode twice", tx.DeleteCode(ctx, p.ID, alice.Key, c.Purpose), store.ErrNotFound)
		wantErr(t, "SetCodeAttempts of a deleted code", tx.SetCodeAttempts(ctx, p.ID, alice.Key, c.Purpose, 1), store.ErrNotFound)
		return nil
	})
	_, err := s.GetCode(ctx, p.ID, alice.Key, c.Purpose)
	wantErr(t, "GetCode after DeleteCode", err, store.ErrNotFound)
	err = s.Update(ctx, func(tx store.Tx) error { return tx.DeleteCode(ctx, p.ID, alice.Key, c.Purpose) })
	wantErr(t, "DeleteCode of a deleted code", err, store.ErrNotFound)
	got, err := s.GetCode(ctx, p.ID, alice.Key, other.Purpose)
	checkCode(t, "GetCode of another purpose after DeleteCode", got, err, other)
	if _, err := s.GetUser(ctx, p.ID, alice.Key); err != nil {
		t.Fatalf("GetUser after DeleteCode: %v", err)
	}

	// A deleted code's purpose takes a new code.
	c = newCode(alice, c.Purpose, at(400))
	putCodes(t, s, c)
	got, err = s.GetCode(ctx, p.ID, alice.Key, c.Purpose)
	checkCode(t, "GetCode of a code put after DeleteCode", got, err, c)
}

// testRaceDeleteCode: of two transactions submitting one code, each using
// it up and then acting on it, exactly one commits.
func testRaceDeleteCode(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	const rounds = 10
	users := make([]store.User, rounds)
	codes := make([]store.Code, rounds)
	for round := range rounds {
		users[round] = newUser(p.ID, fmt.Sprintf("user%d", round))
		codes[round] = newCode(users[round], "signup", at(300))
	}
	createUsers(t, s, users...)
	putCodes(t, s, codes...)
	race(t, rounds, func(round, racer int) error {
		u := users[round]
		return s.Update(ctx, func(tx store.Tx) error {
			// Half the rounds read the code first, as the domain does.
			if round%2 == 0 {
				if _, err := tx.GetCode(ctx, p.ID, u.Key, "signup"); errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("%w: %w", store.ErrConflict, err)
				} else if err != nil {
					return err
				}
			}
			if err := tx.DeleteCode(ctx, p.ID, u.Key, "signup"); errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w: %w", store.ErrConflict, err)
			} else if err != nil {
				return err
			}
			return tx.AddAuthEvent(ctx, newAuthEvent(u, fmt.Sprintf("confirmed-%d", racer), at(30)))
		})
	})
	for round, u := range users {
		if _, err := s.GetCode(ctx, p.ID, u.Key, "signup"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetCode of %q after the race: %v, want ErrNotFound", u.Key, err)
		}
		events, err := s.ListAuthEvents(ctx, p.ID, u.Key, store.Page{})
		if err != nil || len(events) != 1 {
			t.Fatalf("round %d: %d confirmations of one code (%v), want 1", round, len(events), err)
		}
	}
}

func testDeleteUserDeletesCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	gone, kept := newUser(p.ID, "gone"), newUser(p.ID, "kept")
	createUsers(t, s, gone, kept)
	var goneCodes, keptCodes []store.Code
	for _, purpose := range []string{"signup", "verify:email"} {
		goneCodes = append(goneCodes, newCode(gone, purpose, at(300)))
		keptCodes = append(keptCodes, newCode(kept, purpose, at(300)))
	}
	putCodes(t, s, append(goneCodes, keptCodes...)...)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteUser(ctx, p.ID, gone.Key); err != nil {
			return err
		}
		_, err := tx.GetCode(ctx, p.ID, gone.Key, goneCodes[0].Purpose)
		wantErr(t, "GetCode in the tx after DeleteUser", err, store.ErrNotFound)
		return nil
	})
	for _, c := range goneCodes {
		_, err := s.GetCode(ctx, p.ID, gone.Key, c.Purpose)
		wantErr(t, "GetCode of the deleted user", err, store.ErrNotFound)
	}

	// A new user of the same key starts without codes, and may be given them.
	createUsers(t, s, gone)
	for _, c := range goneCodes {
		_, err := s.GetCode(ctx, p.ID, gone.Key, c.Purpose)
		wantErr(t, "GetCode of the re-created user", err, store.ErrNotFound)
	}
	putCodes(t, s, goneCodes...)
	for _, c := range append(goneCodes, keptCodes...) {
		got, err := s.GetCode(ctx, p.ID, c.UserKey, c.Purpose)
		checkCode(t, "GetCode after DeleteUser of "+c.UserKey+"'s "+c.Purpose+" code", got, err, c)
	}
}

func testDeleteUserPoolDeletesCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_gone"), newPool("us-east-1_kept")
	create(t, s, []store.UserPool{p, q})
	// The same user and purpose in both pools.
	var codes []store.Code
	for _, pool := range []string{p.ID, q.ID} {
		u := newUser(pool, "alice")
		createUsers(t, s, u)
		codes = append(codes, newCode(u, "reset", at(300)))
	}
	putCodes(t, s, codes...)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteUserPool(ctx, p.ID) })
	_, err := s.GetCode(ctx, p.ID, "alice", "reset")
	wantErr(t, "GetCode of the deleted pool", err, store.ErrNotFound)

	// A new pool of the same ID, with a user of the same key, starts empty.
	create(t, s, []store.UserPool{p})
	createUsers(t, s, newUser(p.ID, "alice"))
	_, err = s.GetCode(ctx, p.ID, "alice", "reset")
	wantErr(t, "GetCode of the re-created pool", err, store.ErrNotFound)
	got, err := s.GetCode(ctx, q.ID, "alice", "reset")
	checkCode(t, "GetCode of the other pool", got, err, codes[1])
	putCodes(t, s, codes[0])
	got, err = s.GetCode(ctx, p.ID, "alice", "reset")
	checkCode(t, "GetCode of a code put in the re-created pool", got, err, codes[0])
}

func testCodeReadsCanceled(t *testing.T, s store.Store) {
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	u := newUser(p.ID, "alice")
	createUsers(t, s, u)
	putCodes(t, s, newCode(u, "signup", at(300)))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.GetCode(ctx, p.ID, u.Key, "signup")
	wantErr(t, "GetCode with a canceled context", err, context.Canceled)
	err = s.Update(ctx, func(tx store.Tx) error { return tx.DeleteCode(ctx, p.ID, u.Key, "signup") })
	wantErr(t, "DeleteCode with a canceled context", err, context.Canceled)
	got, err := s.GetCode(t.Context(), p.ID, u.Key, "signup")
	checkCode(t, "GetCode after the canceled DeleteCode", got, err, newCode(u, "signup", at(300)))
}
