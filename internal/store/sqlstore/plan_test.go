package sqlstore_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cognate/internal/store"
	"cognate/internal/store/postgres"
	"cognate/internal/store/postgres/pgtest"
	"cognate/internal/store/sqlite"
	"cognate/internal/store/sqlstore"
)

// pages are the ListUsers pages whose plans the tests check: every field,
// equal and prefix, from the start and continued, and no filter.
func pages() []struct {
	filter store.UserFilter
	page   store.UserPage
} {
	type pg = struct {
		filter store.UserFilter
		page   store.UserPage
	}
	out := []pg{
		{store.UserFilter{}, store.UserPage{Limit: 60}},
		{store.UserFilter{}, store.UserPage{AfterKey: "user00000100", Limit: 60}},
	}
	values := map[store.UserField]string{
		store.FieldUsername: "user0000010", store.FieldEmail: "user0000010", store.FieldPhoneNumber: "+4470000001",
		store.FieldName: "Name 1", store.FieldGivenName: "Given1", store.FieldFamilyName: "Family1",
		store.FieldPreferredUsername: "pref0000010", store.FieldStatus: "CONFIRMED", store.FieldEnabled: "true",
		store.FieldSub: "00000000-0000-4000-8000-00000000001",
	}
	for field, v := range values {
		out = append(out,
			pg{store.UserFilter{Field: field, Value: v}, store.UserPage{Limit: 60}},
			pg{store.UserFilter{Field: field, Value: v}, store.UserPage{AfterValue: v, AfterKey: "user00000100", Limit: 60}})
		if field != store.FieldEnabled {
			out = append(out,
				pg{store.UserFilter{Field: field, Value: v, Prefix: true}, store.UserPage{Limit: 60}},
				pg{store.UserFilter{Field: field, Value: v, Prefix: true}, store.UserPage{AfterValue: v + "5", AfterKey: "user00000100", Limit: 60}})
		}
	}
	return out
}

func fill(t *testing.T, s store.Store, n int) {
	t.Helper()
	ctx := t.Context()
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, pool := range []string{"us-east-1_a", "us-east-1_b"} {
			if err := tx.CreateUserPool(ctx, store.UserPool{ID: pool}); err != nil {
				return err
			}
			users := make([]store.User, n)
			for i := range users {
				key := fmt.Sprintf("user%08d", i)
				users[i] = store.User{PoolID: pool, Key: key, Username: key,
					Sub:    fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
					Status: []string{"CONFIRMED", "UNCONFIRMED", "FORCE_CHANGE_PASSWORD"}[i%3], Enabled: i%5 != 0,
					Email: key + "@example.com", PhoneNumber: fmt.Sprintf("+44700000%04d", i), Name: fmt.Sprintf("Name %d", i%100),
					GivenName: fmt.Sprintf("Given%d", i%50), FamilyName: fmt.Sprintf("Family%d", i%70), PreferredUsername: fmt.Sprintf("pref%07d", i)}
			}
			if err := tx.CreateUsers(ctx, users, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// planSQLite opens a SQLite store that fill gave 2,000 users a pool, and a
// handle of its own on the file, to explain queries with.
func planSQLite(t *testing.T) (*sqlstore.DB, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cognate.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fill(t, db, 2000)
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return db, raw
}

// planPostgres opens a PostgreSQL store that fill gave 20,000 users a pool,
// and a handle of its own, on one connection so that PREPARE and SET hold,
// to explain queries with.
func planPostgres(t *testing.T) (*sqlstore.DB, *sql.DB) {
	t.Helper()
	url := pgtest.URL(t)
	db, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fill(t, db, 20000)
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	raw.SetMaxOpenConns(1)
	return db, raw
}

// ranged is the column a field's listing ranges over.
func ranged(f store.UserField) string {
	if f == "" || f == store.FieldUsername {
		return "key"
	}
	return string(f)
}

// TestListUsersPlansSQLite: every ListUsers page is one range of the field's
// index, read in order (no SCAN of the table or an index, no temporary
// B-tree to sort), so a page costs the same whatever the pool's size.
func TestListUsersPlansSQLite(t *testing.T) {
	ctx := t.Context()
	db, raw := planSQLite(t)
	indexes := map[string]string{"key": "sqlite_autoindex_users_1", "sub": "sqlite_autoindex_users_2"}
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			if _, err := raw.ExecContext(ctx, "ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range pages() {
			text, args := explainable(t, db, p.filter, p.page)
			var plan []string
			for _, row := range query(t, ctx, raw, "EXPLAIN QUERY PLAN "+text, args...) {
				plan = append(plan, strings.SplitN(row, " ", 4)[3]) // id, parent, notused, detail
			}
			col := ranged(p.filter.Field)
			index := indexes[col]
			if index == "" {
				index = "users_" + col
			}
			// SQLite shows <= as < and >= as >.
			start := fmt.Sprintf("(%s,key)>(?,?)", col)
			if col == "key" || col == "sub" {
				start = col + ">?"
			}
			if len(plan) != 1 || !strings.HasPrefix(plan[0], "SEARCH users USING INDEX "+index+" (pool_id=? AND "+start) ||
				(p.filter.Field != "" && !strings.Contains(plan[0], " AND "+col+"<?)")) {
				t.Errorf("ListUsers %+v %+v (ANALYZE run: %v): plan\n\t%s\nwant one SEARCH of %s from %s to %s<?",
					p.filter, p.page, analyzed, strings.Join(plan, "\n\t"), index, start, col)
			}
		}
	}
}

// TestListUsersPlansPostgres: as on SQLite, in the plans PostgreSQL makes
// for the values (custom) and for any values (generic, as it may for a
// prepared statement run often), on enough rows for the planner to prefer
// the index because it must, not because the table is small.
func TestListUsersPlansPostgres(t *testing.T) {
	ctx := t.Context()
	db, raw := planPostgres(t)
	if _, err := raw.ExecContext(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	indexes := map[string]string{"key": "users_pkey", "sub": "users_pool_id_sub_key"}
	for i, p := range pages() {
		text, args := explainable(t, db, p.filter, p.page)
		col := ranged(p.filter.Field)
		index := indexes[col]
		if index == "" {
			index = "users_" + col
		}
		literals := make([]string, len(args))
		for i, a := range args {
			switch a := a.(type) {
			case string:
				literals[i] = "'" + strings.ReplaceAll(a, "'", "''") + "'"
			default:
				literals[i] = fmt.Sprint(a)
			}
		}
		name := fmt.Sprintf("page%d", i)
		if _, err := raw.ExecContext(ctx, "PREPARE "+name+" AS "+text); err != nil {
			t.Fatal(err)
		}
		for _, generic := range []bool{false, true} {
			mode := map[bool]string{false: "force_custom_plan", true: "force_generic_plan"}[generic]
			if _, err := raw.ExecContext(ctx, "SET plan_cache_mode = "+mode); err != nil {
				t.Fatal(err)
			}
			plan := strings.Join(query(t, ctx, raw, "EXPLAIN EXECUTE "+name+"("+strings.Join(literals, ", ")+")"), "\n")
			if !strings.Contains(plan, "Index Scan using "+index+" on users") ||
				strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Sort") ||
				strings.Contains(plan, "Bitmap") || strings.Contains(plan, "Filter:") {
				t.Errorf("ListUsers %+v %+v (%s): plan\n%s\nwant an Index Scan of %s, all conditions in Index Cond",
					p.filter, p.page, mode, plan, index)
			}
		}
	}
}

func explainable(t *testing.T, db *sqlstore.DB, f store.UserFilter, p store.UserPage) (string, []any) {
	t.Helper()
	text, args, err := db.ListUsersQuery("us-east-1_a", f, p)
	if err != nil {
		t.Fatal(err)
	}
	return text, args
}

// lookupKeys are keys of ExistingUserKeys's query, one in two of a user.
func lookupKeys() []string {
	var keys []string
	for i := range 512 {
		k := fmt.Sprintf("user%08d", i*7919%2000)
		if i%2 == 1 {
			k = "absent-" + k
		}
		keys = append(keys, k)
	}
	return keys
}

// TestExistingUserKeysPlanSQLite: ExistingUserKeys probes the primary key
// once per key, reading no table.
func TestExistingUserKeysPlanSQLite(t *testing.T) {
	ctx := t.Context()
	db, raw := planSQLite(t)
	text, args := db.ExistingUserKeysQuery("us-east-1_a", lookupKeys())
	var plan []string
	for _, row := range query(t, ctx, raw, "EXPLAIN QUERY PLAN "+text, args...) {
		plan = append(plan, strings.SplitN(row, " ", 4)[3])
	}
	want := []string{"SCAN 512-ROW VALUES CLAUSE", "CORRELATED SCALAR SUBQUERY 1",
		"SEARCH users USING COVERING INDEX sqlite_autoindex_users_1 (pool_id=? AND key=?)"}
	if !slices.Equal(plan, want) {
		t.Errorf("ExistingUserKeys: plan\n\t%s\nwant\n\t%s", strings.Join(plan, "\n\t"), strings.Join(want, "\n\t"))
	}
}

// TestExistingUserKeysPlanPostgres: ExistingUserKeys probes the primary key
// once per key in every plan, also before the planner has statistics of the
// pool, as while it is being imported: then key IN (…) would read the whole
// pool instead.
func TestExistingUserKeysPlanPostgres(t *testing.T) {
	ctx := t.Context()
	db, raw := planPostgres(t)
	text, args := db.ExistingUserKeysQuery("us-east-1_a", lookupKeys())
	literals := make([]string, len(args))
	for i, a := range args {
		literals[i] = "'" + a.(string) + "'"
	}
	if _, err := raw.ExecContext(ctx, "PREPARE lookup AS "+text); err != nil {
		t.Fatal(err)
	}
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			if _, err := raw.ExecContext(ctx, "ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			if _, err := raw.ExecContext(ctx, "SET plan_cache_mode = "+mode); err != nil {
				t.Fatal(err)
			}
			plan := strings.Join(query(t, ctx, raw, "EXPLAIN EXECUTE lookup("+strings.Join(literals, ", ")+")"), "\n")
			if !strings.Contains(plan, "Index Only Scan using users_pkey on users") ||
				!strings.Contains(plan, "Index Cond: ((pool_id = ") || !strings.Contains(plan, "AND (key = ") ||
				strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Bitmap") ||
				strings.Contains(plan, "Hash") || strings.Contains(plan, "Filter:") {
				t.Errorf("ExistingUserKeys (ANALYZE run: %v, %s): plan\n%s\nwant an Index Only Scan of users_pkey on (pool_id, key)",
					analyzed, mode, plan)
			}
		}
	}
}

// holdersSQL puts the users fill makes in pool us-east-1_a into two of
// 2,000 groups each, and gives each a refresh token and a session
// (PostgreSQL's SQL).
var holdersSQL = []string{
	`INSERT INTO groups (pool_id, name, description, role_arn, precedence, created_at, updated_at)
		SELECT 'us-east-1_a', 'group' || i, '', '', NULL, 0, 0 FROM generate_series(1, 2000) i`,
	`INSERT INTO group_members (pool_id, group_name, user_key)
		SELECT 'us-east-1_a', 'group' || (i % 2000 + 1), u.key FROM users u, generate_series(0, 1) i
		WHERE u.pool_id = 'us-east-1_a'`,
	`INSERT INTO refresh_tokens (pool_id, id, family, client_id, user_key, auth_time, created_at, expires_at)
		SELECT 'us-east-1_a', 'token-' || u.key, 'family-' || u.key, 'client', u.key, 0, 0, 0 FROM users u
		WHERE u.pool_id = 'us-east-1_a'`,
	`INSERT INTO auth_sessions (pool_id, id, client_id, user_key, created_at, expires_at, data)
		SELECT 'us-east-1_a', 'session-' || u.key, 'client', u.key, 0, 0, '' FROM users u
		WHERE u.pool_id = 'us-east-1_a'`,
}

// holderReads are the reads of a user with its groups and the pool's
// generation, each with the number of index lookups it makes.
func holderReads(db *sqlstore.DB) []struct {
	name    string
	text    string
	args    []any
	lookups int
} {
	signer, signerArgs := db.FindSignerQuery("us-east-1_a", "user00000010")
	token, tokenArgs := db.FindRefreshTokenQuery("us-east-1_a", "token-user00000010")
	session, sessionArgs := db.FindAuthSessionQuery("us-east-1_a", "session-user00000010")
	return []struct {
		name    string
		text    string
		args    []any
		lookups int
	}{
		// The user by key and by sign-in name, each with its memberships
		// and groups; the pool.
		{"FindSigner", signer, signerArgs, 8},
		// The token, its user, the memberships and groups; the pool.
		{"FindRefreshToken", token, tokenArgs, 5},
		{"FindAuthSession", session, sessionArgs, 5},
	}
}

// TestHolderPlansSQLite: FindSigner, FindRefreshToken and FindAuthSession
// search an index for each row they read; they scan nothing and sort
// nothing.
func TestHolderPlansSQLite(t *testing.T) {
	ctx := t.Context()
	db, raw := planSQLite(t)
	for _, r := range holderReads(db) {
		var searches int
		for _, row := range query(t, ctx, raw, "EXPLAIN QUERY PLAN "+r.text, r.args...) {
			detail := strings.SplitN(row, " ", 4)[3]
			switch {
			case strings.HasPrefix(detail, "SEARCH "):
				searches++
			case strings.HasPrefix(detail, "SCAN ") || strings.Contains(detail, "TEMP B-TREE"):
				t.Errorf("%s: %s", r.name, detail)
			}
		}
		if searches != r.lookups {
			t.Errorf("%s: %d SEARCHes, want %d", r.name, searches, r.lookups)
		}
	}
}

// TestHolderPlansPostgres: as on SQLite, in the custom and the generic
// plans, before any ANALYZE.
func TestHolderPlansPostgres(t *testing.T) {
	ctx := t.Context()
	db, raw := planPostgres(t)
	for _, q := range holdersSQL {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range holderReads(db) {
		literals := make([]string, len(r.args))
		for i, a := range r.args {
			literals[i] = "'" + a.(string) + "'"
		}
		name := fmt.Sprintf("holder%d", i)
		if _, err := raw.ExecContext(ctx, "PREPARE "+name+" AS "+r.text); err != nil {
			t.Fatal(err)
		}
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			if _, err := raw.ExecContext(ctx, "SET plan_cache_mode = "+mode); err != nil {
				t.Fatal(err)
			}
			plan := strings.Join(query(t, ctx, raw, "EXPLAIN EXECUTE "+name+"("+strings.Join(literals, ", ")+")"), "\n")
			if strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Bitmap") || strings.Contains(plan, "Hash") ||
				strings.Contains(plan, "Sort") ||
				strings.Count(plan, "Index Scan using")+strings.Count(plan, "Index Only Scan using") != r.lookups {
				t.Errorf("%s (%s): plan\n%s\nwant %d index scans and nothing else", r.name, mode, plan, r.lookups)
			}
		}
	}
}

// TestTokenFamilyPlans: a user's token family is one search of
// refresh_tokens_user_family, and FindAccessHolder's user and pool are one
// search each, on both backends (on PostgreSQL, in the custom and the
// generic plans, before any ANALYZE).
func TestTokenFamilyPlans(t *testing.T) {
	ctx := t.Context()
	queries := func(db *sqlstore.DB) map[string][]any {
		return db.TokenFamilyQueries("us-east-1_a", "user00000010", "family-user00000010")
	}
	lite, raw := planSQLite(t)
	for text, args := range queries(lite) {
		plan := strings.Join(query(t, ctx, raw, "EXPLAIN QUERY PLAN "+text, args...), "\n")
		if !strings.Contains(plan, "INDEX refresh_tokens_user_family (pool_id=? AND user_key=? AND family=?)") ||
			strings.Contains(plan, "SCAN ") {
			t.Errorf("%s: plan\n%s\nwant one search of refresh_tokens_user_family and no scan", text, plan)
		}
	}
	pg, raw := planPostgres(t)
	for _, q := range holdersSQL {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for text, args := range queries(pg) {
		literals := make([]string, len(args))
		for i, a := range args {
			literals[i] = "'" + a.(string) + "'"
		}
		name := fmt.Sprintf("family%d", n)
		n++
		if _, err := raw.ExecContext(ctx, "PREPARE "+name+" AS "+text); err != nil {
			t.Fatal(err)
		}
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			if _, err := raw.ExecContext(ctx, "SET plan_cache_mode = "+mode); err != nil {
				t.Fatal(err)
			}
			plan := strings.Join(query(t, ctx, raw, "EXPLAIN EXECUTE "+name+"("+strings.Join(literals, ", ")+")"), "\n")
			if !strings.Contains(plan, "using refresh_tokens_user_family on refresh_tokens") || strings.Contains(plan, "Seq Scan") ||
				strings.Contains(plan, "Bitmap") || strings.Contains(plan, "Filter:") {
				t.Errorf("%s (%s): plan\n%s\nwant index scans only, refresh_tokens_user_family's with all conditions in Index Cond", text, mode, plan)
			}
		}
	}
}
