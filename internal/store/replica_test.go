package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/store"
)

// TestReplicaToken: a read-after token is PostgreSQL's spelling of a WAL
// position, read back as written; anything else is refused naming the
// header it came in.
func TestReplicaToken(t *testing.T) {
	for text, want := range map[string]store.LSN{"0/0": 0, "16/B374D848": 0x16_B374D848, "0/16B3748": 0x16B3748, "FFFFFFFF/FFFFFFFF": 1<<64 - 1, "a/b": 0xa_0000000b} {
		got, err := store.ParseLSN(text)
		if err != nil || got != want {
			t.Errorf("ParseLSN(%q) = %v, %v; want %v", text, got, err, want)
		}
		if back, _ := store.ParseLSN(got.String()); back != got {
			t.Errorf("%q: String %q reads back as %v", text, got.String(), back)
		}
	}
	if s := store.LSN(0x16_B374D848).String(); s != "16/B374D848" {
		t.Errorf("String = %q, want 16/B374D848", s)
	}
	for _, bad := range []string{"", "16", "16/", "/16", "x/1", "1/-1", "123456789/0", "0/123456789", "1/2/3"} {
		if _, err := store.ParseLSN(bad); err == nil || !strings.Contains(err.Error(), store.ReadAfterHeader) {
			t.Errorf("ParseLSN(%q): %v, want an error naming %s", bad, err, store.ReadAfterHeader)
		}
	}
}

// TestReplicaRefusedOnSQLite: read replicas need a PostgreSQL primary; a
// SQLite database is refused before anything is created.
func TestReplicaRefusedOnSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "village.db")
	db, err := store.Open(context.Background(), path, store.Options{ReadReplicas: []string{"postgres://127.0.0.1:1/x"}})
	if err == nil {
		db.Close()
		t.Fatal("read replicas of a SQLite database were accepted")
	}
	if !strings.Contains(err.Error(), "PostgreSQL") || !strings.Contains(err.Error(), "SQLite") {
		t.Errorf("error %q does not say replicas need PostgreSQL", err)
	}
	if _, statErr := os.Stat(path); !os.IsNotExist(statErr) {
		t.Errorf("the refused database was created: %v", statErr)
	}
}
