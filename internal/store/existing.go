package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/lib/pq"

	"github.com/village-directory/village/ent/migrate"
)

// ErrNoDatabase is what OpenExisting returns for a database that does not
// exist yet.
var ErrNoDatabase = errors.New("the database does not exist yet")

// OpenExisting opens dsn as Open does, but creates nothing: a SQLite file
// that does not exist (nor its folder), an in-memory SQLite database
// (empty by nature), or a PostgreSQL database that does not exist is
// ErrNoDatabase. It is for commands asked to change nothing (import
// --dry-run).
func OpenExisting(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if !IsPostgres(dsn) && urlScheme(dsn) == "" || strings.EqualFold(urlScheme(dsn), "file") {
		file, query, _ := strings.Cut(dsn, "?")
		if file == "" || strings.Contains(file, ":memory:") || strings.Contains(query, "mode=memory") {
			return nil, ErrNoDatabase
		}
		if _, err := os.Stat(strings.TrimPrefix(file, "file:")); errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNoDatabase
		}
	}
	db, err := Open(ctx, dsn, opts)
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "3D000" { // invalid_catalog_name
		return nil, ErrNoDatabase
	}
	return db, err
}

// SchemaCurrent reports whether the database's schema is the one Migrate
// would leave, asking the database only read-only questions: it lists the
// statements a migration would run without running them.
func SchemaCurrent(ctx context.Context, db *DB) (bool, error) {
	addReverseJoinIndexes(migrate.Tables)
	var plan bytes.Buffer
	if err := db.Client.Schema.WriteTo(ctx, &plan); err != nil {
		return false, fmt.Errorf("inspect schema: %w", err)
	}
	for _, line := range strings.Split(plan.String(), "\n") {
		switch s := strings.ToUpper(strings.TrimSpace(line)); {
		case s == "", s == "BEGIN;", s == "COMMIT;", strings.HasPrefix(s, "PRAGMA "):
		default:
			return false, nil
		}
	}
	return true, nil
}

// ScratchDSN names a new, empty in-memory SQLite database, private to its
// name and gone when its last connection closes: somewhere to map records
// without a database of one's own.
func ScratchDSN(name string) string {
	return "file:" + name + "?mode=memory&cache=shared"
}
