package store_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/store"
)

// TestOpenRefusesOtherSchemes: a URL of another database is refused by its
// scheme, and nothing is created for it (it was once taken for a file path).
func TestOpenRefusesOtherSchemes(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, dsn := range []string{"mysql://root:secret@127.0.0.1/x", "sqlserver://sa@db/x", "sqlite://x.db", "redis:x"} {
		db, err := store.Open(context.Background(), dsn, store.Options{})
		if err == nil {
			db.Close()
			t.Errorf("%s: opened", dsn)
			continue
		}
		scheme, _, _ := strings.Cut(dsn, ":")
		if !strings.Contains(err.Error(), "not "+scheme) || !strings.Contains(err.Error(), "postgres://") {
			t.Errorf("%s: error does not name the scheme and what is accepted: %v", dsn, err)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error shows the password: %v", dsn, err)
		}
	}
	if entries, _ := os.ReadDir("."); len(entries) > 0 {
		t.Errorf("refused URLs left %v behind", entries)
	}
}

// TestOpenSQLiteAcceptsPathsAndFileURLs: a plain path, one with a colon in
// it and a file: URL are SQLite files.
func TestOpenSQLiteAcceptsPathsAndFileURLs(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{filepath.Join(dir, "a.db"), filepath.Join(dir, "b:c.db"), "file:" + filepath.Join(dir, "d.db") + "?cache=shared"} {
		db, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Errorf("%s: %v", dsn, err)
			continue
		}
		if db.Dialect != "sqlite3" {
			t.Errorf("%s: opened as %s", dsn, db.Dialect)
		}
		db.Close()
	}
}

// TestSQLiteErrorsNameFileAndCause: each way a SQLite file can be unusable
// is reported with its path and the reason.
func TestSQLiteErrorsNameFileAndCause(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte(strings.Repeat("not a database at all\n", 100)), 0o644); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(dir, "ro.db")
	db, err := store.Open(ctx, readOnly, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, c := range []struct{ dsn, path, cause string }{
		{dir, dir, "is a directory"},
		{notDB, notDB, "not a SQLite database"},
		{"file:" + readOnly + "?mode=ro", readOnly, "read-only"},
	} {
		db, err := store.Open(ctx, c.dsn, store.Options{})
		if err == nil {
			err = store.Migrate(ctx, db)
			db.Close()
		}
		if err == nil {
			t.Errorf("%s: opened and migrated", c.dsn)
			continue
		}
		if !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.cause) {
			t.Errorf("%s: error %q does not name %s and %q", c.dsn, err, c.path, c.cause)
		}
	}
	if os.Geteuid() == 0 {
		return // root may write anywhere: no permission error to provoke
	}
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(ctx, filepath.Join(locked, "v.db"), store.Options{})
	if err == nil || !strings.Contains(err.Error(), "no permission to write in "+locked) {
		t.Errorf("unwritable directory: %v", err)
	}
}
