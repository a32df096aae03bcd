package sqlstore

import (
	"os"
	"slices"
	"testing"
)

// TestMigrationVersionsMatch: both dialects have the same migrations, so a
// database of either is at the same version after the same release.
func TestMigrationVersionsMatch(t *testing.T) {
	names := map[string][]string{}
	for _, dialect := range []string{"sqlite", "postgres"} {
		ms, err := migrations(os.DirFS("../" + dialect))
		if err != nil {
			t.Fatalf("%s: %v", dialect, err)
		}
		if len(ms) == 0 {
			t.Fatalf("%s: no migrations", dialect)
		}
		for _, m := range ms {
			names[dialect] = append(names[dialect], m.name)
		}
	}
	if !slices.Equal(names["sqlite"], names["postgres"]) {
		t.Fatalf("migrations differ:\nsqlite   %q\npostgres %q", names["sqlite"], names["postgres"])
	}
}
