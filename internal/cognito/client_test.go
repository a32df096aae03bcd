package cognito

import (
	"context"
	"path/filepath"
	"testing"

	"cognate/internal/api"
	"cognate/internal/secrets"
	"cognate/internal/store"
	"cognate/internal/store/sqlite"
)

func newTestService(t testing.TB) (*Service, store.Store) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "cognate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	box, err := secrets.New(make([]byte, secrets.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return New(st, box, Config{Region: "us-east-1", AccountID: "123456789012"}), st
}

// The API cannot see a deleted pool's clients, so the rows are checked in the
// store: nothing of them may be left behind.
func TestDeleteUserPool_RemovesClientRows(t *testing.T) {
	ctx := context.Background()
	s, st := newTestService(t)
	p, err := s.CreateUserPool(ctx, &api.CreateUserPoolInput{PoolName: new("pool")})
	if err != nil {
		t.Fatal(err)
	}
	poolID := p.UserPool.Id
	c, err := s.CreateUserPoolClient(ctx, &api.CreateUserPoolClientInput{UserPoolId: poolID, ClientName: new("app"), GenerateSecret: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteUserPool(ctx, &api.DeleteUserPoolInput{UserPoolId: poolID}); err != nil {
		t.Fatal(err)
	}
	clients, err := st.ListClients(ctx, *poolID, store.Page{Limit: 10})
	if err != nil || len(clients) != 0 {
		t.Errorf("clients left: %v, %v", clients, err)
	}
	secrets, err := st.ListClientSecrets(ctx, *poolID, *c.UserPoolClient.ClientId)
	if err != nil || len(secrets) != 0 {
		t.Errorf("secrets left: %v, %v", secrets, err)
	}
}

func TestCheckRedirectURL(t *testing.T) {
	for url, ok := range map[string]bool{
		"https://example.com/cb":      true,
		"http://localhost/cb":         true,
		"http://localhost:3000/cb":    true,
		"http://127.0.0.1:8080":       true,
		"http://[::1]:9000/cb":        true,
		"myapp://callback":            true,
		"http://example.com/cb":       false,
		"http://localhost.evil.com/x": false,
		"http://10.0.0.1/cb":          false,
		"/relative":                   false,
		"https://example.com/#frag":   false,
		"https://example.com/cb#":     false,
	} {
		if err := checkRedirectURL(url); (err == nil) != ok {
			t.Errorf("checkRedirectURL(%q) = %v, want ok=%v", url, err, ok)
		}
	}
}

func TestCheckTokenValidity(t *testing.T) {
	units := func(access, id, refresh api.TimeUnitsType) *api.TokenValidityUnitsType {
		return &api.TokenValidityUnitsType{AccessToken: access, IdToken: id, RefreshToken: refresh}
	}
	cases := []struct {
		name                string
		access, id, refresh *int32
		units               *api.TokenValidityUnitsType
		ok                  bool
	}{
		{"defaults", nil, nil, new(int32(30)), units("", "", ""), true},
		{"one day in hours", new(int32(24)), new(int32(24)), new(int32(30)), units("", "", ""), true},
		{"25 hours", new(int32(25)), nil, new(int32(30)), units("", "", ""), false},
		{"5 minutes", new(int32(5)), new(int32(300)), new(int32(30)), units("minutes", "seconds", ""), true},
		{"299 seconds", nil, new(int32(299)), new(int32(30)), units("", "seconds", ""), false},
		{"refresh 60 minutes", nil, nil, new(int32(60)), units("", "", "minutes"), true},
		{"refresh 59 minutes", nil, nil, new(int32(59)), units("", "", "minutes"), false},
		{"refresh 10 years", nil, nil, new(int32(3650)), units("", "", ""), true},
		{"refresh 10 years in seconds", nil, nil, new(int32(315360000)), units("", "", "seconds"), true},
		{"refresh 3651 days", nil, nil, new(int32(3651)), units("", "", "days"), false},
	}
	for _, c := range cases {
		err := checkTokenValidity(&api.UserPoolClientType{AccessTokenValidity: c.access, IdTokenValidity: c.id, RefreshTokenValidity: c.refresh, TokenValidityUnits: c.units})
		if (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.name, err, c.ok)
		}
	}
}
