package server

import (
	"runtime"
	"testing"
)

// On SQLite the server asks for one P more than the runtime's default, for
// the writer's fsync; on PostgreSQL the default.
func TestProcs(t *testing.T) {
	n := runtime.GOMAXPROCS(0)
	if got := Procs(Config{DataDir: t.TempDir()}); got != n+1 {
		t.Errorf("SQLite: %d Ps, want %d", got, n+1)
	}
	if got := Procs(Config{DatabaseURL: "postgres://localhost/test"}); got != n {
		t.Errorf("PostgreSQL: %d Ps, want %d", got, n)
	}
}
