package postgres

import "testing"

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT 1":                               "SELECT 1",
		"a = ? AND b > ? LIMIT ?":                "a = $1 AND b > $2 LIMIT $3",
		"x = '?' AND y = ?":                      "x = '?' AND y = $1",
		`x = 'it''s ?' AND "odd?col" = ? OR z=?`: `x = 'it''s ?' AND "odd?col" = $1 OR z=$2`,
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
}
