package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestEmbeddedDataIsCurrent rebuilds the data files from the source tables
// in internal/geo/data/sources and checks they match the embedded copies byte for byte, which also shows
// the build is deterministic.
func TestEmbeddedDataIsCurrent(t *testing.T) {
	src := filepath.Join("..", "..", "data", "sources")
	files, stats, err := Build(src)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(stats)
	again, _, err := Build(src)
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if !bytes.Equal(b, again[name]) {
			t.Errorf("%s: two builds differ", name)
		}
		embedded, err := os.ReadFile(filepath.Join("..", "..", "data", name))
		if err != nil {
			t.Error(err)
			continue
		}
		if !bytes.Equal(b, embedded) {
			t.Errorf("%s is stale: run go run ./internal/geo/internal/buildgeo", name)
		}
	}
}
