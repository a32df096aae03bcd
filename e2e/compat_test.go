package e2e_test

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"cognate/internal/api"
	"cognate/internal/cognatetest"
)

// TestCompatibilityTable checks docs/compatibility.md against the server: every
// operation of the model is listed once, and an operation is marked "not yet"
// exactly when the server answers it with UnsupportedOperationException.
func TestCompatibilityTable(t *testing.T) {
	states := readCompatibilityTable(t)
	s := cognatetest.Start(t, cognatetest.SQLite)
	for name, op := range api.Operations {
		state, ok := states[name]
		if !ok {
			t.Errorf("docs/compatibility.md does not list %s", name)
			continue
		}
		implemented := !answersUnsupported(s, op)
		switch {
		case implemented && state == "not yet":
			t.Errorf("%s is implemented but docs/compatibility.md says not yet", name)
		case !implemented && state != "not yet":
			t.Errorf("%s answers UnsupportedOperationException but docs/compatibility.md says %q", name, state)
		}
		delete(states, name)
	}
	for name := range states {
		t.Errorf("docs/compatibility.md lists %s, which the model does not have", name)
	}
}

// answersUnsupported calls the operation with an empty input, straight on the
// service: an implemented operation fails on the missing parameters (or
// panics on them, which is caught here) rather than answering unsupported.
func answersUnsupported(s *cognatetest.Server, op *api.Operation) (unsupported bool) {
	defer func() {
		if recover() != nil {
			unsupported = false
		}
	}()
	_, err := op.Call(ctx, s.Inner().Service, op.NewInput())
	var u *api.UnsupportedOperationException
	return errors.As(err, &u)
}

func readCompatibilityTable(t *testing.T) map[string]string {
	f, err := os.Open("../docs/compatibility.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	states := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) < 4 || !strings.HasPrefix(sc.Text(), "| ") {
			continue
		}
		name, state := strings.TrimSpace(cells[1]), strings.TrimSpace(cells[2])
		if name == "Operation" || strings.HasPrefix(name, "---") {
			continue
		}
		if _, dup := states[name]; dup {
			t.Errorf("docs/compatibility.md lists %s twice", name)
		}
		if state != "full" && state != "partial" && state != "not yet" {
			t.Errorf("%s: state %q must be full, partial or not yet", name, state)
		}
		states[name] = state
	}
	return states
}
