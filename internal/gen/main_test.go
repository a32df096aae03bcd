package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate fails when internal/api's generated files differ from
// what the generator writes today: run `go generate ./internal/api` and commit.
func TestGeneratedUpToDate(t *testing.T) {
	raw, err := os.ReadFile(defaultModelPath())
	if err != nil {
		t.Skipf("model not found (%v): set COGNATE_MODEL to cognito-idp/service-2.json to check the generated API", err)
	}
	files, err := Generate(raw)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join("..", "api", name))
		if err != nil {
			t.Fatalf("%s: %v (run go generate ./internal/api)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("internal/api/%s is stale: run go generate ./internal/api and commit the result", name)
		}
	}
	existing, _ := filepath.Glob(filepath.Join("..", "api", "*_gen.go"))
	for _, path := range existing {
		if _, ok := files[filepath.Base(path)]; !ok {
			t.Errorf("%s is not written by the generator any more: delete it", path)
		}
	}
}
