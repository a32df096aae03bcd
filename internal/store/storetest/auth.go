package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"cognate/internal/store"
)

var authTests = []test{
	{"SigningKeys", testSigningKeys},
	{"AuthSessions", testAuthSessions},
	{"RaceDeleteAuthSession", testRaceDeleteAuthSession},
	{"RefreshTokens", testRefreshTokens},
	{"FindHeld", testFindHeld},
	{"AuthEvents", testAuthEvents},
	{"AuthTimes", testAuthTimes},
	{"DeleteExpiredAuth", testDeleteExpiredAuth},
	{"DeleteUserDeletesAuth", testDeleteUserDeletesAuth},
	{"DeleteUserPoolDeletesAuth", testDeleteUserPoolDeletesAuth},
	{"AuthReadsCanceled", testAuthReadsCanceled},
	{"FindClient", testFindClient},
}

// testFindClient: a client is found by its ID alone, in whichever pool it is.
func testFindClient(t *testing.T, s store.Store) {
	ctx := context.Background()
	create(t, s, []store.UserPool{newPool("us-east-1_a"), newPool("us-east-1_b")},
		newClient("us-east-1_a", "clienta"), newClient("us-east-1_b", "clientb"))
	got, err := s.FindClient(ctx, "clientb")
	check(t, "find clientb", canon(got.Client), err, canon(newClient("us-east-1_b", "clientb")))
	check(t, "the pool of clientb", canon(got.Pool), err, canon(newPool("us-east-1_b")))
	checkAll(t, "the secrets of clientb, which has none", got.Secrets, err)

	b := newClient("us-east-1_b", "clientb")
	older, newer := newSecret(b, "s2", at(10)), newSecret(b, "s1", at(20))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(tx.AddClientSecret(ctx, newer), tx.AddClientSecret(ctx, older))
	})
	got, err = s.FindClient(ctx, "clientb")
	check(t, "find clientb with secrets", canon(got.Client), err, canon(b))
	checkAll(t, "the secrets of clientb, oldest first", got.Secrets, err, older, newer)
	_, err = s.FindClient(ctx, "nosuchclient")
	wantErr(t, "find an unknown client", err, store.ErrNotFound)
}

// getSession is the session FindAuthSession finds, ErrNotFound if none.
func getSession(ctx context.Context, r store.Reader, poolID, id string) (store.AuthSession, error) {
	found, err := r.FindAuthSession(ctx, poolID, id)
	if err == nil && !found.Found {
		err = store.ErrNotFound
	}
	return found.Session, err
}

func newSigningKey(poolID, id string, created time.Time) store.SigningKey {
	return store.SigningKey{PoolID: poolID, ID: id, CreatedAt: created, Private: []byte("sealed " + id)}
}

func newAuthSession(u store.User, id string, expires time.Time) store.AuthSession {
	return store.AuthSession{PoolID: u.PoolID, ID: id, ClientID: "client1", UserKey: u.Key,
		CreatedAt: at(10), ExpiresAt: expires, Data: []byte(`{"challenge":"PASSWORD_VERIFIER","session":"` + id + `"}`)}
}

func newRefreshToken(u store.User, id, family string, expires time.Time) store.RefreshToken {
	return store.RefreshToken{PoolID: u.PoolID, ID: id, Family: family, ClientID: "client1", UserKey: u.Key,
		AuthTime: at(11), CreatedAt: at(12), ExpiresAt: expires}
}

func newAuthEvent(u store.User, id string, created time.Time) store.AuthEvent {
	return store.AuthEvent{PoolID: u.PoolID, UserKey: u.Key, ID: id, CreatedAt: created,
		Data: []byte(`{"event_type":"SignIn","event":"` + id + `"}`)}
}

func eventID(e store.AuthEvent) string { return e.ID }

func wantFamily(t *testing.T, s store.Reader, poolID, userKey, family string, want bool) {
	t.Helper()
	found, err := s.FindAccessHolder(t.Context(), poolID, userKey, family)
	if errors.Is(err, store.ErrNotFound) && !want {
		return // no pool, no family
	}
	if err != nil || found.Live != want {
		t.Fatalf("FindAccessHolder of family %q of user %q in pool %q: live %v, %v; want %v", family, userKey, poolID, found.Live, err, want)
	}
}

// createUsers creates a pool's users in one transaction.
func createUsers(t *testing.T, s store.Store, users ...store.User) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, u := range users {
			if err := createUser(ctx, tx, u); err != nil {
				return err
			}
		}
		return nil
	})
}

func testSigningKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	// Ordered by CreatedAt, then ID: neither the order of insertion nor the ID alone.
	newest, first, second := newSigningKey(p.ID, "a-key", at(20)), newSigningKey(p.ID, "c-key", at(10)), newSigningKey(p.ID, "d-key", at(10))
	other := newSigningKey(q.ID, "b-key", at(15))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(tx.AddSigningKey(ctx, second), tx.AddSigningKey(ctx, newest),
			tx.AddSigningKey(ctx, first), tx.AddSigningKey(ctx, other))
	})
	keys, err := s.ListSigningKeys(ctx, p.ID)
	// Keys not retired come back with zero RetiredAt and ExpiresAt.
	checkAll(t, "ListSigningKeys", keys, err, first, second, newest)
	keys, err = s.ListSigningKeys(ctx, q.ID)
	checkAll(t, "ListSigningKeys of the other pool", keys, err, other)
	keys, err = s.ListSigningKeys(ctx, "us-east-1_missing")
	checkAll(t, "ListSigningKeys of a missing pool", keys, err)

	// Every refusal changes nothing, and the transaction goes on.
	taken := newSigningKey(p.ID, first.ID, at(30))
	taken.Private = []byte("other")
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "AddSigningKey with a taken ID", tx.AddSigningKey(ctx, taken), store.ErrConflict)
		wantErr(t, "AddSigningKey to a missing pool", tx.AddSigningKey(ctx, newSigningKey("us-east-1_missing", "k", at(0))), store.ErrNotFound)
		wantErr(t, "RetireSigningKey of a missing key", tx.RetireSigningKey(ctx, p.ID, "missing", at(30), at(90)), store.ErrNotFound)
		wantErr(t, "RetireSigningKey in another pool", tx.RetireSigningKey(ctx, q.ID, first.ID, at(30), at(90)), store.ErrNotFound)
		return tx.RetireSigningKey(ctx, p.ID, first.ID, at(30), at(90))
	})
	first.RetiredAt, first.ExpiresAt = at(30), at(90)
	keys, err = s.ListSigningKeys(ctx, p.ID)
	checkAll(t, "ListSigningKeys after RetireSigningKey", keys, err, first, second, newest)

	// Retired and expired in the other pool too, where it must stay.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.RetireSigningKey(ctx, q.ID, other.ID, at(30), at(40))
	})
	other.RetiredAt, other.ExpiresAt = at(30), at(40)
	// Not before now: kept.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteExpiredSigningKeys(ctx, p.ID, first.ExpiresAt)
	})
	keys, err = s.ListSigningKeys(ctx, p.ID)
	checkAll(t, "ListSigningKeys after DeleteExpiredSigningKeys at the expiry", keys, err, first, second, newest)
	// A millisecond later it goes; keys not retired stay, however late it is.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteExpiredSigningKeys(ctx, p.ID, first.ExpiresAt.Add(time.Millisecond))
	})
	keys, err = s.ListSigningKeys(ctx, p.ID)
	checkAll(t, "ListSigningKeys after DeleteExpiredSigningKeys past the expiry", keys, err, second, newest)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(tx.DeleteExpiredSigningKeys(ctx, p.ID, at(1_000_000)), tx.DeleteExpiredSigningKeys(ctx, "us-east-1_missing", at(0)))
	})
	keys, err = s.ListSigningKeys(ctx, p.ID)
	checkAll(t, "ListSigningKeys of keys not retired", keys, err, second, newest)
	keys, err = s.ListSigningKeys(ctx, q.ID)
	checkAll(t, "ListSigningKeys of the other pool after DeleteExpiredSigningKeys", keys, err, other)

	// The ID of a deleted key is free again.
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.AddSigningKey(ctx, taken) })
	keys, err = s.ListSigningKeys(ctx, p.ID)
	checkAll(t, "ListSigningKeys after re-adding a deleted key's ID", keys, err, second, newest, taken)
}

func testAuthSessions(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	alice, bob := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	createUsers(t, s, alice, bob)
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	s1 := newAuthSession(alice, "session-1", at(300))
	s1.Data = every
	// The store does not look at ExpiresAt: a session long expired is still there.
	expired := newAuthSession(bob, "session-2", time.UnixMilli(0))
	expired.Data = nil
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.CreateAuthSession(ctx, s1); err != nil {
			return err
		}
		got, err := getSession(ctx, tx, p.ID, s1.ID)
		check(t, "GetAuthSession in the tx", got, err, s1)
		return tx.CreateAuthSession(ctx, expired)
	})
	got, err := getSession(ctx, s, p.ID, s1.ID)
	check(t, "GetAuthSession", got, err, s1)
	got, err = getSession(ctx, s, p.ID, expired.ID)
	check(t, "GetAuthSession of an expired session", got, err, expired)
	_, err = getSession(ctx, s, p.ID, "missing")
	wantErr(t, "GetAuthSession of a missing session", err, store.ErrNotFound)
	_, err = getSession(ctx, s, q.ID, s1.ID)
	wantErr(t, "GetAuthSession in another pool", err, store.ErrNotFound)

	taken := newAuthSession(bob, s1.ID, at(400))
	fresh := newAuthSession(alice, "session-3", at(500))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "CreateAuthSession with a taken ID", tx.CreateAuthSession(ctx, taken), store.ErrConflict)
		wantErr(t, "CreateAuthSession of a missing user", tx.CreateAuthSession(ctx, newAuthSession(newUser(p.ID, "missing"), "s", at(0))), store.ErrNotFound)
		wantErr(t, "CreateAuthSession of a user of another pool", tx.CreateAuthSession(ctx, newAuthSession(newUser(q.ID, alice.Key), "s", at(0))), store.ErrNotFound)
		wantErr(t, "CreateAuthSession in a missing pool", tx.CreateAuthSession(ctx, newAuthSession(newUser("us-east-1_missing", alice.Key), "s", at(0))), store.ErrNotFound)
		wantErr(t, "DeleteAuthSession of a missing session", tx.DeleteAuthSession(ctx, p.ID, "missing"), store.ErrNotFound)
		wantErr(t, "DeleteAuthSession in another pool", tx.DeleteAuthSession(ctx, q.ID, s1.ID), store.ErrNotFound)
		return tx.CreateAuthSession(ctx, fresh)
	})
	got, err = getSession(ctx, s, p.ID, s1.ID)
	check(t, "GetAuthSession after the refused writes", got, err, s1)
	got, err = getSession(ctx, s, p.ID, fresh.ID)
	check(t, "GetAuthSession of the session created after refused writes", got, err, fresh)

	// Single use: once deleted, a session is gone, in the tx and after.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteAuthSession(ctx, p.ID, s1.ID); err != nil {
			return err
		}
		_, err := getSession(ctx, tx, p.ID, s1.ID)
		wantErr(t, "GetAuthSession in the tx after DeleteAuthSession", err, store.ErrNotFound)
		wantErr(t, "DeleteAuthSession twice", tx.DeleteAuthSession(ctx, p.ID, s1.ID), store.ErrNotFound)
		return nil
	})
	_, err = getSession(ctx, s, p.ID, s1.ID)
	wantErr(t, "GetAuthSession after DeleteAuthSession", err, store.ErrNotFound)
	err = s.Update(ctx, func(tx store.Tx) error { return tx.DeleteAuthSession(ctx, p.ID, s1.ID) })
	wantErr(t, "DeleteAuthSession of a deleted session", err, store.ErrNotFound)
	got, err = getSession(ctx, s, p.ID, fresh.ID)
	check(t, "GetAuthSession of another session after DeleteAuthSession", got, err, fresh)

	// The store's own CreateAuthSession, outside any Update, is the same write.
	own := newAuthSession(bob, "session-4", at(600))
	if err := s.CreateAuthSession(ctx, own); err != nil {
		t.Fatalf("Store.CreateAuthSession: %v", err)
	}
	got, err = getSession(ctx, s, p.ID, own.ID)
	check(t, "GetAuthSession after Store.CreateAuthSession", got, err, own)
	wantErr(t, "Store.CreateAuthSession with a taken ID", s.CreateAuthSession(ctx, newAuthSession(alice, own.ID, at(700))), store.ErrConflict)
	wantErr(t, "Store.CreateAuthSession of a missing user", s.CreateAuthSession(ctx, newAuthSession(newUser(p.ID, "missing"), "s", at(0))), store.ErrNotFound)
	got, err = getSession(ctx, s, p.ID, own.ID)
	check(t, "GetAuthSession after the refused Store.CreateAuthSession", got, err, own)

	// RedeemAuthSession uses a session up and stores the token, or does
	// neither.
	token := newRefreshToken(bob, "token-1", "family-1", at(600))
	if err := s.RedeemAuthSession(ctx, p.ID, own.ID, token); err != nil {
		t.Fatalf("RedeemAuthSession: %v", err)
	}
	takenID := newRefreshToken(bob, token.ID, "family-2", at(600))
	other := newAuthSession(bob, "session-5", at(600))
	if err := s.CreateAuthSession(ctx, other); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "RedeemAuthSession with a taken token ID", s.RedeemAuthSession(ctx, p.ID, other.ID, takenID), store.ErrConflict)
	got, err = getSession(ctx, s, p.ID, other.ID)
	check(t, "the session of a refused RedeemAuthSession", got, err, other)
	_, err = getSession(ctx, s, p.ID, own.ID)
	wantErr(t, "the session after RedeemAuthSession", err, store.ErrNotFound)
	gotToken, err := s.GetRefreshToken(ctx, p.ID, token.ID)
	check(t, "the token of RedeemAuthSession", gotToken, err, token)
	wantErr(t, "RedeemAuthSession of a used session", s.RedeemAuthSession(ctx, p.ID, own.ID, newRefreshToken(bob, "token-3", "family-3", at(600))), store.ErrNotFound)
	wantErr(t, "RedeemAuthSession of a session of another pool", s.RedeemAuthSession(ctx, q.ID, other.ID, newRefreshToken(bob, "token-3", "family-3", at(600))), store.ErrNotFound)
	_, err = s.GetRefreshToken(ctx, p.ID, "token-3")
	wantErr(t, "the token of a refused RedeemAuthSession", err, store.ErrNotFound)
}

// testRaceDeleteAuthSession: of two transactions answering one challenge,
// each deleting the session and issuing a token, exactly one commits; so
// does one of two RedeemAuthSessions.
func testRaceDeleteAuthSession(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	u := newUser(p.ID, "alice")
	createUsers(t, s, u)
	const rounds = 10
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for round := range rounds {
			if err := tx.CreateAuthSession(ctx, newAuthSession(u, fmt.Sprintf("session%d", round), at(300))); err != nil {
				return err
			}
		}
		return nil
	})
	race(t, rounds, func(round, racer int) error {
		id := fmt.Sprintf("session%d", round)
		token := newRefreshToken(u, fmt.Sprintf("token%d-%d", round, racer), id, at(300))
		if round%3 == 2 {
			err := s.RedeemAuthSession(ctx, p.ID, id, token)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w: %w", store.ErrConflict, err)
			}
			return err
		}
		return s.Update(ctx, func(tx store.Tx) error {
			// Some rounds read the session first.
			if round%3 == 0 {
				if _, err := getSession(ctx, tx, p.ID, id); errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("%w: %w", store.ErrConflict, err)
				} else if err != nil {
					return err
				}
			}
			if err := tx.DeleteAuthSession(ctx, p.ID, id); errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("%w: %w", store.ErrConflict, err)
			} else if err != nil {
				return err
			}
			return tx.CreateRefreshToken(ctx, token)
		})
	})
	for round := range rounds {
		id := fmt.Sprintf("session%d", round)
		if _, err := getSession(ctx, s, p.ID, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("GetAuthSession %q after the race: %v, want ErrNotFound", id, err)
		}
		var issued int
		for racer := range 2 {
			_, err := s.GetRefreshToken(ctx, p.ID, fmt.Sprintf("token%d-%d", round, racer))
			switch {
			case err == nil:
				issued++
			case !errors.Is(err, store.ErrNotFound):
				t.Fatalf("GetRefreshToken: %v", err)
			}
		}
		if issued != 1 {
			t.Fatalf("round %d: %d tokens issued for one session, want 1", round, issued)
		}
	}
}

func testRefreshTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	alice, bob := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	createUsers(t, s, alice, bob)
	a1 := newRefreshToken(alice, "token-a1", "family-1", at(300))
	a2 := newRefreshToken(alice, "token-a2", "family-1", at(400)) // a1 rotated
	a3 := newRefreshToken(alice, "token-a3", "family-2", at(300)) // another sign-in
	b1 := newRefreshToken(bob, "token-b1", "family-3", at(300))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, r := range []store.RefreshToken{a1, a2, a3, b1} {
			if err := tx.CreateRefreshToken(ctx, r); err != nil {
				return err
			}
		}
		got, err := tx.GetRefreshToken(ctx, p.ID, a2.ID)
		check(t, "GetRefreshToken in the tx", got, err, a2)
		wantFamily(t, tx, p.ID, alice.Key, a2.Family, true)
		return nil
	})
	for _, r := range []store.RefreshToken{a1, a2, a3, b1} {
		got, err := s.GetRefreshToken(ctx, p.ID, r.ID)
		check(t, "GetRefreshToken", got, err, r)
	}
	_, err := s.GetRefreshToken(ctx, p.ID, "missing")
	wantErr(t, "GetRefreshToken of a missing token", err, store.ErrNotFound)
	_, err = s.GetRefreshToken(ctx, q.ID, a1.ID)
	wantErr(t, "GetRefreshToken in another pool", err, store.ErrNotFound)
	wantFamily(t, s, p.ID, alice.Key, "family-1", true)
	wantFamily(t, s, p.ID, bob.Key, "family-1", false)
	wantFamily(t, s, p.ID, alice.Key, "missing", false)
	wantFamily(t, s, q.ID, alice.Key, "family-1", false)

	taken := newRefreshToken(bob, a1.ID, "family-4", at(500))
	fresh := newRefreshToken(bob, "token-b2", "family-3", at(500))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "CreateRefreshToken with a taken ID", tx.CreateRefreshToken(ctx, taken), store.ErrConflict)
		wantErr(t, "CreateRefreshToken of a missing user", tx.CreateRefreshToken(ctx, newRefreshToken(newUser(p.ID, "missing"), "t", "f", at(0))), store.ErrNotFound)
		wantErr(t, "CreateRefreshToken of a user of another pool", tx.CreateRefreshToken(ctx, newRefreshToken(newUser(q.ID, alice.Key), "t", "f", at(0))), store.ErrNotFound)
		wantErr(t, "SetRefreshTokenExpiry of a missing token", tx.SetRefreshTokenExpiry(ctx, p.ID, "missing", at(0)), store.ErrNotFound)
		wantErr(t, "SetRefreshTokenExpiry in another pool", tx.SetRefreshTokenExpiry(ctx, q.ID, a1.ID, at(0)), store.ErrNotFound)
		return tx.CreateRefreshToken(ctx, fresh)
	})
	got, err := s.GetRefreshToken(ctx, p.ID, a1.ID)
	check(t, "GetRefreshToken after the refused writes", got, err, a1)
	wantFamily(t, s, p.ID, bob.Key, taken.Family, false)
	got, err = s.GetRefreshToken(ctx, p.ID, fresh.ID)
	check(t, "GetRefreshToken of the token created after refused writes", got, err, fresh)

	// Rotation's grace period moves ExpiresAt, and nothing else. The store
	// does not look at ExpiresAt: an expired token still counts for its family.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(tx.SetRefreshTokenExpiry(ctx, p.ID, a1.ID, at(330)),
			tx.SetRefreshTokenExpiry(ctx, p.ID, a3.ID, time.UnixMilli(0)))
	})
	a1.ExpiresAt, a3.ExpiresAt = at(330), time.UnixMilli(0)
	got, err = s.GetRefreshToken(ctx, p.ID, a1.ID)
	check(t, "GetRefreshToken after SetRefreshTokenExpiry", got, err, a1)
	got, err = s.GetRefreshToken(ctx, p.ID, a3.ID)
	check(t, "GetRefreshToken of an expired token", got, err, a3)
	wantFamily(t, s, p.ID, alice.Key, a3.Family, true)

	// Revoking a sign-in removes its family, and no other.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.DeleteTokenFamily(ctx, p.ID, alice.Key, a1.Family); err != nil {
			return err
		}
		wantFamily(t, tx, p.ID, alice.Key, a1.Family, false)
		return errors.Join(tx.DeleteTokenFamily(ctx, p.ID, alice.Key, a1.Family), tx.DeleteTokenFamily(ctx, p.ID, alice.Key, "missing"),
			tx.DeleteTokenFamily(ctx, p.ID, alice.Key, b1.Family), // bob's family: nothing
			tx.DeleteTokenFamily(ctx, q.ID, bob.Key, b1.Family))   // no error, and nothing of pool p
	})
	for _, r := range []store.RefreshToken{a1, a2} {
		_, err := s.GetRefreshToken(ctx, p.ID, r.ID)
		wantErr(t, "GetRefreshToken after DeleteTokenFamily", err, store.ErrNotFound)
	}
	wantFamily(t, s, p.ID, alice.Key, a1.Family, false)
	wantFamily(t, s, p.ID, alice.Key, a3.Family, true)
	wantFamily(t, s, p.ID, bob.Key, b1.Family, true)

	// Global sign-out removes the user's tokens, and not the user.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(tx.DeleteUserTokens(ctx, p.ID, alice.Key), tx.DeleteUserTokens(ctx, p.ID, alice.Key),
			tx.DeleteUserTokens(ctx, p.ID, "missing"), tx.DeleteUserTokens(ctx, q.ID, bob.Key))
	})
	_, err = s.GetRefreshToken(ctx, p.ID, a3.ID)
	wantErr(t, "GetRefreshToken after DeleteUserTokens", err, store.ErrNotFound)
	wantFamily(t, s, p.ID, alice.Key, a3.Family, false)
	for _, r := range []store.RefreshToken{b1, fresh} {
		got, err := s.GetRefreshToken(ctx, p.ID, r.ID)
		check(t, "GetRefreshToken of another user after DeleteUserTokens", got, err, r)
	}
	if _, err := s.GetUser(ctx, p.ID, alice.Key); err != nil {
		t.Fatalf("GetUser after DeleteUserTokens: %v", err)
	}
	// The IDs of deleted tokens are free again.
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateRefreshToken(ctx, a1) })

	// The store's own CreateRefreshToken, outside any Update, is the same write.
	own := newRefreshToken(alice, "token-a4", "family-5", at(600))
	if err := s.CreateRefreshToken(ctx, own); err != nil {
		t.Fatalf("Store.CreateRefreshToken: %v", err)
	}
	got, err = s.GetRefreshToken(ctx, p.ID, own.ID)
	check(t, "GetRefreshToken after Store.CreateRefreshToken", got, err, own)
	wantErr(t, "Store.CreateRefreshToken with a taken ID", s.CreateRefreshToken(ctx, newRefreshToken(bob, own.ID, "family-6", at(600))), store.ErrConflict)
	wantErr(t, "Store.CreateRefreshToken of a missing user", s.CreateRefreshToken(ctx, newRefreshToken(newUser(p.ID, "missing"), "t", "f", at(0))), store.ErrNotFound)
	got, err = s.GetRefreshToken(ctx, p.ID, own.ID)
	check(t, "GetRefreshToken after the refused Store.CreateRefreshToken", got, err, own)
	wantFamily(t, s, p.ID, bob.Key, "family-6", false)
}

// testFindHeld: a refresh token or a session is read with its user, the
// user's groups and the pool's generation; an unknown one with the
// generation alone.
func testFindHeld(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	gen := createMoved(t, s, p, q)
	alice, bob := newUser(p.ID, "alice"), newUser(p.ID, "bob")
	groups := []store.Group{newGroup(p.ID, "zeta", nil), newGroup(p.ID, "alpha", ptr(int32(1)))}
	a, b := newRefreshToken(alice, "token-a", "family-1", at(300)), newRefreshToken(bob, "token-b", "family-2", at(300))
	sa, sb := newAuthSession(alice, "session-a", at(300)), newAuthSession(bob, "session-b", at(300))
	createUsers(t, s, alice, bob)
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(tx.CreateGroup(ctx, groups[0]), tx.CreateGroup(ctx, groups[1]),
			tx.AddUserToGroup(ctx, p.ID, "zeta", alice.Key), tx.AddUserToGroup(ctx, p.ID, "alpha", alice.Key),
			tx.CreateRefreshToken(ctx, a), tx.CreateRefreshToken(ctx, b), tx.CreateAuthSession(ctx, sa), tx.CreateAuthSession(ctx, sb))
	})
	inGroups := store.Signer{User: alice, Found: true, Groups: []store.Group{groups[1], groups[0]}, Generation: gen}
	inNone := store.Signer{User: bob, Found: true, Generation: gen}
	unknown := store.Signer{Generation: gen}

	// found is a read made comparable: the record canonical, and whether it
	// was there, beside its holder.
	type found struct {
		record any
		ok     bool
		holder store.Signer
	}
	for _, r := range []struct {
		name     string
		find     func(poolID, id string) (found, error)
		a, b     any
		aID, bID string
	}{
		{"FindRefreshToken", func(poolID, id string) (found, error) {
			f, err := s.FindRefreshToken(ctx, poolID, id)
			return found{canon(f.Token), f.Found, canon(f.Holder)}, err
		}, canon(a), canon(b), a.ID, b.ID},
		{"FindAuthSession", func(poolID, id string) (found, error) {
			f, err := s.FindAuthSession(ctx, poolID, id)
			return found{canon(f.Session), f.Found, canon(f.Holder)}, err
		}, canon(sa), canon(sb), sa.ID, sb.ID},
	} {
		zero := reflect.Zero(reflect.TypeOf(r.a)).Interface()
		for _, c := range []struct {
			what, pool, id string
			want           found
		}{
			{"of a user in groups", p.ID, r.aID, found{r.a, true, canon(inGroups)}},
			{"of a user in no group", p.ID, r.bID, found{r.b, true, canon(inNone)}},
			{"of an unknown ID", p.ID, "missing", found{zero, false, canon(unknown)}},
			{"in another pool", q.ID, r.aID, found{zero, false, canon(store.Signer{})}},
		} {
			got, err := r.find(c.pool, c.id)
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("%s %s: %v\n got %+v\nwant %+v", r.name, c.what, err, got, c.want)
			}
		}
		_, err := r.find("us-east-1_missing", r.aID)
		wantErr(t, r.name+" in a missing pool", err, store.ErrNotFound)
	}

	// In a transaction they see the transaction's writes.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := errors.Join(tx.SetRefreshTokenExpiry(ctx, p.ID, b.ID, at(30)), tx.DeleteAuthSession(ctx, p.ID, sb.ID)); err != nil {
			return err
		}
		got, err := tx.FindRefreshToken(ctx, p.ID, b.ID)
		check(t, "the token FindRefreshToken reads in the tx", got.Token, err, newRefreshToken(bob, b.ID, b.Family, at(30)))
		gotSession, err := tx.FindAuthSession(ctx, p.ID, sb.ID)
		check(t, "FindAuthSession of a session deleted in the tx", gotSession, err, store.FoundAuthSession{Holder: unknown})
		return nil
	})
}

func testAuthEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	alice, bob, carol := newUser(p.ID, "alice"), newUser(p.ID, "bob"), newUser(p.ID, "carol")
	createUsers(t, s, alice, bob, carol)
	// IDs of characters a collation other than byte order would sort
	// differently, added out of order.
	var events []store.AuthEvent
	for i := range len(idChars) {
		events = append(events, newAuthEvent(alice, fmt.Sprintf("%c%02d", idChars[i], i), at(i)))
	}
	bobs := newAuthEvent(bob, "b01", at(0))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, i := range []int{5, 0, 12, 3, 7, 1, 9, 2, 11, 4, 6, 10, 8} {
			if err := tx.AddAuthEvent(ctx, events[i]); err != nil {
				return err
			}
		}
		if err := tx.AddAuthEvent(ctx, bobs); err != nil {
			return err
		}
		got, err := tx.ListAuthEvents(ctx, p.ID, bob.Key, store.Page{})
		checkAll(t, "ListAuthEvents in the tx", got, err, bobs)
		return nil
	})
	newestFirst := slices.Clone(events)
	slices.SortFunc(newestFirst, func(a, b store.AuthEvent) int { return strings.Compare(b.ID, a.ID) })

	got, err := s.ListAuthEvents(ctx, p.ID, alice.Key, store.Page{})
	checkAll(t, "ListAuthEvents", got, err, newestFirst...)
	got, err = s.ListAuthEvents(ctx, p.ID, alice.Key, store.Page{Limit: 3})
	checkAll(t, "ListAuthEvents with a limit", got, err, newestFirst[:3]...)
	for _, size := range []int{1, 5, 13, 100} {
		got := pages(t, size, eventID, func(page store.Page) ([]store.AuthEvent, error) {
			return s.ListAuthEvents(ctx, p.ID, alice.Key, page)
		})
		checkAll(t, fmt.Sprintf("ListAuthEvents in pages of %d", size), got, nil, newestFirst...)
	}
	// After need not be a stored ID: this one sorts between newestFirst[5] and [4].
	got, err = s.ListAuthEvents(ctx, p.ID, alice.Key, store.Page{After: newestFirst[5].ID + "-", Limit: 2})
	checkAll(t, "ListAuthEvents before an ID not stored", got, err, newestFirst[5:7]...)
	got, err = s.ListAuthEvents(ctx, p.ID, alice.Key, store.Page{After: newestFirst[len(newestFirst)-1].ID})
	checkAll(t, "ListAuthEvents before the oldest", got, err)
	got, err = s.ListAuthEvents(ctx, p.ID, bob.Key, store.Page{})
	checkAll(t, "ListAuthEvents of another user", got, err, bobs)
	got, err = s.ListAuthEvents(ctx, p.ID, carol.Key, store.Page{})
	checkAll(t, "ListAuthEvents of a user without events", got, err)
	got, err = s.ListAuthEvents(ctx, p.ID, "missing", store.Page{})
	checkAll(t, "ListAuthEvents of a missing user", got, err)

	taken := newAuthEvent(alice, events[0].ID, at(100))
	taken.Data = []byte("other")
	fresh := newAuthEvent(carol, "c01", at(100))
	fresh.Data = nil
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		wantErr(t, "AddAuthEvent with a taken ID", tx.AddAuthEvent(ctx, taken), store.ErrConflict)
		wantErr(t, "AddAuthEvent of a missing user", tx.AddAuthEvent(ctx, newAuthEvent(newUser(p.ID, "missing"), "e", at(0))), store.ErrNotFound)
		wantErr(t, "AddAuthEvent in a missing pool", tx.AddAuthEvent(ctx, newAuthEvent(newUser("us-east-1_missing", alice.Key), "e", at(0))), store.ErrNotFound)
		return tx.AddAuthEvent(ctx, fresh)
	})
	got, err = s.ListAuthEvents(ctx, p.ID, alice.Key, store.Page{})
	checkAll(t, "ListAuthEvents after the refused writes", got, err, newestFirst...)
	got, err = s.ListAuthEvents(ctx, p.ID, carol.Key, store.Page{})
	checkAll(t, "ListAuthEvents of the event added after refused writes", got, err, fresh)
}

// testAuthTimes: every time of the records comes back to the millisecond,
// in UTC, whatever zone it was given in.
func testAuthTimes(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	u := newUser(p.ID, "alice")
	createUsers(t, s, u)
	zone := time.FixedZone("UTC+05:30", 5*3600+30*60)
	in := func(seconds int) time.Time { return at(seconds).In(zone) }
	k := store.SigningKey{PoolID: p.ID, ID: "key", CreatedAt: in(1), Private: []byte("sealed")}
	sess := store.AuthSession{PoolID: p.ID, ID: "session", ClientID: "client1", UserKey: u.Key, CreatedAt: in(2), ExpiresAt: in(3)}
	tok := store.RefreshToken{PoolID: p.ID, ID: "token", Family: "family", ClientID: "client1", UserKey: u.Key,
		AuthTime: in(4), CreatedAt: in(5), ExpiresAt: in(6)}
	ev := store.AuthEvent{PoolID: p.ID, UserKey: u.Key, ID: "event", CreatedAt: time.Date(1969, 12, 31, 23, 59, 59, 999_999_999, zone)}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(tx.AddSigningKey(ctx, k), tx.CreateAuthSession(ctx, sess), tx.CreateRefreshToken(ctx, tok), tx.AddAuthEvent(ctx, ev))
	})
	wantTime := func(what string, got, given time.Time) {
		t.Helper()
		if want := given.Truncate(time.Millisecond); got.Location() != time.UTC || !got.Equal(want) {
			t.Fatalf("%s: got %v, want %v in UTC", what, got, want.UTC())
		}
	}
	keys, err := s.ListSigningKeys(ctx, p.ID)
	if err != nil || len(keys) != 1 {
		t.Fatalf("ListSigningKeys: %+v, %v", keys, err)
	}
	wantTime("SigningKey.CreatedAt", keys[0].CreatedAt, k.CreatedAt)
	gotSess, err := getSession(ctx, s, p.ID, sess.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantTime("AuthSession.CreatedAt", gotSess.CreatedAt, sess.CreatedAt)
	wantTime("AuthSession.ExpiresAt", gotSess.ExpiresAt, sess.ExpiresAt)
	gotTok, err := s.GetRefreshToken(ctx, p.ID, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantTime("RefreshToken.AuthTime", gotTok.AuthTime, tok.AuthTime)
	wantTime("RefreshToken.CreatedAt", gotTok.CreatedAt, tok.CreatedAt)
	wantTime("RefreshToken.ExpiresAt", gotTok.ExpiresAt, tok.ExpiresAt)
	events, err := s.ListAuthEvents(ctx, p.ID, u.Key, store.Page{})
	if err != nil || len(events) != 1 {
		t.Fatalf("ListAuthEvents: %+v, %v", events, err)
	}
	wantTime("AuthEvent.CreatedAt before the epoch", events[0].CreatedAt, ev.CreatedAt)

	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(tx.RetireSigningKey(ctx, p.ID, k.ID, in(7), in(8)), tx.SetRefreshTokenExpiry(ctx, p.ID, tok.ID, in(9)))
	})
	keys, err = s.ListSigningKeys(ctx, p.ID)
	if err != nil || len(keys) != 1 {
		t.Fatalf("ListSigningKeys after RetireSigningKey: %+v, %v", keys, err)
	}
	wantTime("SigningKey.RetiredAt", keys[0].RetiredAt, in(7))
	wantTime("SigningKey.ExpiresAt", keys[0].ExpiresAt, in(8))
	gotTok, err = s.GetRefreshToken(ctx, p.ID, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantTime("RefreshToken.ExpiresAt after SetRefreshTokenExpiry", gotTok.ExpiresAt, in(9))
}

func testDeleteExpiredAuth(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_a"), newPool("us-east-1_b")
	create(t, s, []store.UserPool{p, q})
	alice, bob := newUser(p.ID, "alice"), newUser(q.ID, "bob")
	createUsers(t, s, alice, bob)
	now := at(100)
	// Expired sessions and tokens in both pools, and some that are not:
	// one expiring at now is not yet expired.
	var expiredSessions, liveSessions []store.AuthSession
	var expiredTokens, liveTokens []store.RefreshToken
	for i, u := range []store.User{alice, bob, alice, bob, alice} {
		expiredSessions = append(expiredSessions, newAuthSession(u, fmt.Sprintf("expired-session%d", i), now.Add(-time.Duration(i+1)*time.Millisecond)))
	}
	for i, u := range []store.User{bob, alice, bob} {
		expiredTokens = append(expiredTokens, newRefreshToken(u, fmt.Sprintf("expired-token%d", i), fmt.Sprintf("family%d", i), at(i)))
	}
	liveSessions = []store.AuthSession{newAuthSession(alice, "live-session0", now), newAuthSession(bob, "live-session1", at(200))}
	liveTokens = []store.RefreshToken{newRefreshToken(alice, "live-token0", "family0", now), newRefreshToken(bob, "live-token1", "family9", at(200))}
	// Signing keys and events have no part in it.
	key := newSigningKey(p.ID, "key", at(0))
	key.RetiredAt, key.ExpiresAt = at(1), at(2)
	event := newAuthEvent(alice, "event", at(0))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, a := range append(slices.Clone(expiredSessions), liveSessions...) {
			if err := tx.CreateAuthSession(ctx, a); err != nil {
				return err
			}
		}
		for _, r := range append(slices.Clone(expiredTokens), liveTokens...) {
			if err := tx.CreateRefreshToken(ctx, r); err != nil {
				return err
			}
		}
		return errors.Join(tx.AddSigningKey(ctx, key), tx.AddAuthEvent(ctx, event))
	})

	// At most limit of each per call: 2+2, then 2+1, then 1+0, then none.
	for _, want := range []int{4, 3, 1, 0} {
		var n int
		update(t, s, func(ctx context.Context, tx store.Tx) error {
			var err error
			n, err = tx.DeleteExpiredAuth(ctx, now, 2)
			return err
		})
		if n != want {
			t.Fatalf("DeleteExpiredAuth with a limit of 2: removed %d, want %d", n, want)
		}
	}
	for _, a := range expiredSessions {
		_, err := getSession(ctx, s, a.PoolID, a.ID)
		wantErr(t, "GetAuthSession of an expired session after DeleteExpiredAuth", err, store.ErrNotFound)
	}
	for _, r := range expiredTokens {
		_, err := s.GetRefreshToken(ctx, r.PoolID, r.ID)
		wantErr(t, "GetRefreshToken of an expired token after DeleteExpiredAuth", err, store.ErrNotFound)
	}
	for _, a := range liveSessions {
		got, err := getSession(ctx, s, a.PoolID, a.ID)
		check(t, "GetAuthSession of a live session after DeleteExpiredAuth", got, err, a)
	}
	for _, r := range liveTokens {
		got, err := s.GetRefreshToken(ctx, r.PoolID, r.ID)
		check(t, "GetRefreshToken of a live token after DeleteExpiredAuth", got, err, r)
	}
	wantFamily(t, s, bob.PoolID, bob.Key, "family2", false)
	wantFamily(t, s, alice.PoolID, alice.Key, "family0", true)
	keys, err := s.ListSigningKeys(ctx, p.ID)
	checkAll(t, "ListSigningKeys after DeleteExpiredAuth", keys, err, key)
	events, err := s.ListAuthEvents(ctx, p.ID, alice.Key, store.Page{})
	checkAll(t, "ListAuthEvents after DeleteExpiredAuth", events, err, event)

	// Without a limit, everything expired goes in one call.
	var n int
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		n, err = tx.DeleteExpiredAuth(ctx, at(300), 0)
		return err
	})
	if n != len(liveSessions)+len(liveTokens) {
		t.Fatalf("DeleteExpiredAuth without a limit: removed %d, want %d", n, len(liveSessions)+len(liveTokens))
	}
	for _, r := range liveTokens {
		wantFamily(t, s, r.PoolID, r.UserKey, r.Family, false)
	}
}

func testDeleteUserDeletesAuth(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	gone, kept := newUser(p.ID, "gone"), newUser(p.ID, "kept")
	createUsers(t, s, gone, kept)
	goneSession, keptSession := newAuthSession(gone, "session-gone", at(300)), newAuthSession(kept, "session-kept", at(300))
	goneToken, keptToken := newRefreshToken(gone, "token-gone", "family-gone", at(300)), newRefreshToken(kept, "token-kept", "family-kept", at(300))
	goneEvent, keptEvent := newAuthEvent(gone, "event", at(0)), newAuthEvent(kept, "event", at(0))
	key := newSigningKey(p.ID, "key", at(0))
	add := func(ctx context.Context, tx store.Tx, a store.AuthSession, r store.RefreshToken, e store.AuthEvent) error {
		return errors.Join(tx.CreateAuthSession(ctx, a), tx.CreateRefreshToken(ctx, r), tx.AddAuthEvent(ctx, e))
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return errors.Join(add(ctx, tx, goneSession, goneToken, goneEvent), add(ctx, tx, keptSession, keptToken, keptEvent),
			tx.AddSigningKey(ctx, key))
	})
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteUser(ctx, p.ID, gone.Key) })

	_, err := getSession(ctx, s, p.ID, goneSession.ID)
	wantErr(t, "GetAuthSession of the deleted user", err, store.ErrNotFound)
	_, err = s.GetRefreshToken(ctx, p.ID, goneToken.ID)
	wantErr(t, "GetRefreshToken of the deleted user", err, store.ErrNotFound)
	wantFamily(t, s, p.ID, goneToken.UserKey, goneToken.Family, false)
	events, err := s.ListAuthEvents(ctx, p.ID, gone.Key, store.Page{})
	checkAll(t, "ListAuthEvents of the deleted user", events, err)

	// A new user of the same key starts with nothing, and the IDs are free.
	createUsers(t, s, gone)
	events, err = s.ListAuthEvents(ctx, p.ID, gone.Key, store.Page{})
	checkAll(t, "ListAuthEvents of the re-created user", events, err)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return add(ctx, tx, goneSession, goneToken, goneEvent) })

	gotSession, err := getSession(ctx, s, p.ID, keptSession.ID)
	check(t, "GetAuthSession of the other user", gotSession, err, keptSession)
	gotToken, err := s.GetRefreshToken(ctx, p.ID, keptToken.ID)
	check(t, "GetRefreshToken of the other user", gotToken, err, keptToken)
	events, err = s.ListAuthEvents(ctx, p.ID, kept.Key, store.Page{})
	checkAll(t, "ListAuthEvents of the other user", events, err, keptEvent)
	keys, err := s.ListSigningKeys(ctx, p.ID)
	checkAll(t, "ListSigningKeys after DeleteUser", keys, err, key)
}

func testDeleteUserPoolDeletesAuth(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, q := newPool("us-east-1_gone"), newPool("us-east-1_kept")
	create(t, s, []store.UserPool{p, q})
	// The same IDs in both pools.
	var keys []store.SigningKey
	var sessions []store.AuthSession
	var tokens []store.RefreshToken
	var events []store.AuthEvent
	for _, pool := range []string{p.ID, q.ID} {
		u := newUser(pool, "alice")
		createUsers(t, s, u)
		keys = append(keys, newSigningKey(pool, "key", at(0)))
		sessions = append(sessions, newAuthSession(u, "session", at(300)))
		tokens = append(tokens, newRefreshToken(u, "token", "family", at(300)))
		events = append(events, newAuthEvent(u, "event", at(0)))
	}
	add := func(ctx context.Context, tx store.Tx, i int) error {
		return errors.Join(tx.AddSigningKey(ctx, keys[i]), tx.CreateAuthSession(ctx, sessions[i]),
			tx.CreateRefreshToken(ctx, tokens[i]), tx.AddAuthEvent(ctx, events[i]))
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error { return errors.Join(add(ctx, tx, 0), add(ctx, tx, 1)) })
	update(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteUserPool(ctx, p.ID) })

	// A new pool of the same ID, with a user of the same key, starts empty.
	create(t, s, []store.UserPool{p})
	createUsers(t, s, newUser(p.ID, "alice"))
	gotKeys, err := s.ListSigningKeys(ctx, p.ID)
	checkAll(t, "ListSigningKeys of the re-created pool", gotKeys, err)
	_, err = getSession(ctx, s, p.ID, sessions[0].ID)
	wantErr(t, "GetAuthSession of the deleted pool", err, store.ErrNotFound)
	_, err = s.GetRefreshToken(ctx, p.ID, tokens[0].ID)
	wantErr(t, "GetRefreshToken of the deleted pool", err, store.ErrNotFound)
	wantFamily(t, s, p.ID, tokens[0].UserKey, tokens[0].Family, false)
	gotEvents, err := s.ListAuthEvents(ctx, p.ID, "alice", store.Page{})
	checkAll(t, "ListAuthEvents of the deleted pool", gotEvents, err)
	update(t, s, func(ctx context.Context, tx store.Tx) error { return add(ctx, tx, 0) })

	gotKeys, err = s.ListSigningKeys(ctx, q.ID)
	checkAll(t, "ListSigningKeys of the other pool", gotKeys, err, keys[1])
	gotSession, err := getSession(ctx, s, q.ID, sessions[1].ID)
	check(t, "GetAuthSession of the other pool", gotSession, err, sessions[1])
	gotToken, err := s.GetRefreshToken(ctx, q.ID, tokens[1].ID)
	check(t, "GetRefreshToken of the other pool", gotToken, err, tokens[1])
	gotEvents, err = s.ListAuthEvents(ctx, q.ID, "alice", store.Page{})
	checkAll(t, "ListAuthEvents of the other pool", gotEvents, err, events[1])
}

func testAuthReadsCanceled(t *testing.T, s store.Store) {
	p := newPool("us-east-1_a")
	create(t, s, []store.UserPool{p})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for name, f := range map[string]func() error{
		"ListSigningKeys":  func() error { _, err := s.ListSigningKeys(ctx, p.ID); return err },
		"GetRefreshToken":  func() error { _, err := s.GetRefreshToken(ctx, p.ID, "t"); return err },
		"FindRefreshToken": func() error { _, err := s.FindRefreshToken(ctx, p.ID, "t"); return err },
		"FindAuthSession":  func() error { _, err := s.FindAuthSession(ctx, p.ID, "s"); return err },
		"ListAuthEvents":   func() error { _, err := s.ListAuthEvents(ctx, p.ID, "alice", store.Page{}); return err },
		"ListAuthEvents after": func() error {
			_, err := s.ListAuthEvents(ctx, p.ID, "alice", store.Page{After: "e", Limit: 1})
			return err
		},
	} {
		wantErr(t, name+" with a canceled context", f(), context.Canceled)
	}
}
