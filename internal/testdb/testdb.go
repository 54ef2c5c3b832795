// Package testdb gives tests real, throw-away databases on both backends:
// an SQLite file in the test's temporary directory and a fresh PostgreSQL
// database, village_test_*, that is dropped afterwards.
//
// The PostgreSQL server is the one VILLAGE_TEST_POSTGRES names, else one
// found the usual ways (see FindPostgres). When there is none the
// PostgreSQL half is skipped, and FindPostgres's Line says so and how to run
// it (make test prints it once per run); with CI=true it fails instead.
//
// Speed: migrating a schema of this size costs far more than copying it, so
// a package whose TestMain calls Main migrates one template database per
// backend once and gives every test a copy (CREATE DATABASE … TEMPLATE on
// PostgreSQL, a file copy on SQLite). Without Main each database is migrated
// on its own, as before; the result is the same.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"
	"github.com/google/uuid"

	"github.com/village-directory/village/internal/store"
)

// Backends are the database backends every database test runs on.
var Backends = []string{dialect.SQLite, dialect.Postgres}

// Each runs fn as a subtest on each backend with a fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(b, func(t *testing.T) {
			fn(t, Open(t, b, store.Options{}))
		})
	}
}

// Open returns a fresh, migrated database on backend, closed and removed when
// the test ends.
func Open(t testing.TB, backend string, opts store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	dsn, migrated := migratedCopy(t, backend)
	if dsn == "" {
		dsn = DSN(t, backend)
	}
	db, err := store.Open(ctx, dsn, opts)
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	t.Cleanup(func() { db.Close() })
	if !migrated {
		if err := store.Migrate(ctx, db); err != nil {
			t.Fatalf("migrate %s: %v", backend, err)
		}
	} else if err := store.NewDirectoryID(ctx, db); err != nil {
		// A copy of the template is a directory of its own.
		t.Fatalf("%s: %v", backend, err)
	}
	return db
}

// DSN returns the address of a fresh, empty database on backend.
func DSN(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case dialect.SQLite:
		return filepath.Join(t.TempDir(), "village.db")
	case dialect.Postgres:
		return freshPostgres(t, "")
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

// Main runs a package's tests (call it from TestMain) with one migrated
// template database per backend, made when a test first needs it and
// removed when the tests end.
func Main(m *testing.M) {
	templates.enabled.Store(true)
	code := m.Run()
	templates.remove()
	os.Exit(code)
}

// templates are the migrated databases of this test process that Open
// copies, by backend.
var templates templateSet

type templateSet struct {
	enabled atomic.Bool
	mu      sync.Mutex
	made    map[string]*template
	dir     string // holds the SQLite template
}

type template struct {
	// sqlite is the template file's content; pgName the template database.
	sqlite []byte
	pgName string
	err    error
}

// migratedCopy returns a fresh copy of backend's template database and true,
// or "" and false when templates are not in use (no Main).
func migratedCopy(t testing.TB, backend string) (string, bool) {
	t.Helper()
	if !templates.enabled.Load() {
		return "", false
	}
	if backend == dialect.Postgres {
		requirePostgres(t)
	}
	templates.mu.Lock()
	defer templates.mu.Unlock()
	if templates.made == nil {
		templates.made = map[string]*template{}
	}
	tpl := templates.made[backend]
	if tpl == nil {
		tpl = makeTemplate(backend)
		templates.made[backend] = tpl
	}
	if tpl.err != nil {
		t.Fatalf("template %s database: %v", backend, tpl.err)
	}
	switch backend {
	case dialect.SQLite:
		path := filepath.Join(t.TempDir(), "village.db")
		if err := os.WriteFile(path, tpl.sqlite, 0o600); err != nil {
			t.Fatal(err)
		}
		return path, true
	case dialect.Postgres:
		// Copies are made one at a time: PostgreSQL refuses to copy a
		// template another session is reading.
		return freshPostgres(t, tpl.pgName), true
	}
	t.Fatalf("unknown backend %q", backend)
	return "", false
}

// makeTemplate migrates a database for backend to copy from.
func makeTemplate(backend string) *template {
	ctx := context.Background()
	tpl := &template{}
	var dsn string
	switch backend {
	case dialect.SQLite:
		dir, err := os.MkdirTemp("", "village-testdb-")
		if err != nil {
			tpl.err = err
			return tpl
		}
		templates.dir = dir
		dsn = filepath.Join(dir, "template.db")
	case dialect.Postgres:
		tpl.pgName = "village_test_template_" + uniqueSuffix()
		if err := adminExec("CREATE DATABASE " + tpl.pgName); err != nil {
			tpl.err, tpl.pgName = err, ""
			return tpl
		}
		dsn = withDatabase(FindPostgres().URL, tpl.pgName)
	default:
		tpl.err = fmt.Errorf("unknown backend %q", backend)
		return tpl
	}
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		tpl.err = err
		return tpl
	}
	if err := store.Migrate(ctx, db); err != nil {
		db.Close()
		tpl.err = err
		return tpl
	}
	// Closing the last connection checkpoints SQLite's write-ahead log into
	// the file, so the file alone is the whole database.
	if err := db.Close(); err != nil {
		tpl.err = err
		return tpl
	}
	if backend == dialect.SQLite {
		tpl.sqlite, tpl.err = os.ReadFile(dsn)
		if _, err := os.Stat(dsn + "-wal"); err == nil && tpl.err == nil {
			tpl.err = fmt.Errorf("%s-wal left after close: the file alone is not the database", dsn)
		}
	}
	return tpl
}

// remove drops the PostgreSQL template and deletes the SQLite one.
func (ts *templateSet) remove() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if tpl := ts.made[dialect.Postgres]; tpl != nil && tpl.pgName != "" {
		if err := adminExec("DROP DATABASE IF EXISTS " + tpl.pgName + " WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "testdb: drop template database %s: %v\n", tpl.pgName, err)
		}
	}
	if ts.dir != "" {
		os.RemoveAll(ts.dir)
	}
	ts.made = nil
}

var reported sync.Once

// requirePostgres skips t, or fails it with CI=true, when there is no
// PostgreSQL server. The first time, a server found by probing is named on
// stderr (seen with -v, or when a package fails).
func requirePostgres(t testing.TB) {
	t.Helper()
	s := FindPostgres()
	if !s.Explicit || !s.Found() {
		reported.Do(func() { fmt.Fprintln(os.Stderr, s.Line()) })
	}
	if s.Found() {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and no PostgreSQL server: the PostgreSQL half of the suite cannot run (%s)", s.Origin)
	}
	t.Skip(s.Line())
}

// freshPostgres creates an empty database, or a copy of template when it is
// not empty, and drops it when the test ends.
func freshPostgres(t testing.TB, template string) string {
	t.Helper()
	requirePostgres(t)
	name := "village_test_" + uniqueSuffix()
	create := "CREATE DATABASE " + name
	if template != "" {
		create += " TEMPLATE " + template
	}
	if err := adminExec(create); err != nil {
		t.Fatalf("create test database on %s: %v", store.RedactURL(FindPostgres().URL), err)
	}
	t.Cleanup(func() {
		if err := adminExec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return withDatabase(FindPostgres().URL, name)
}

var admin struct {
	once sync.Once
	db   *sql.DB
	err  error
}

// adminExec runs a statement on the server's own database (the one its URL
// names), over one connection pool shared by the process.
func adminExec(stmt string) error {
	admin.once.Do(func() {
		admin.db, admin.err = sql.Open("postgres", FindPostgres().URL)
		if admin.err == nil {
			admin.db.SetMaxOpenConns(2)
		}
	})
	if admin.err != nil {
		return fmt.Errorf("%s: %w", EnvPostgres, admin.err)
	}
	_, err := admin.db.Exec(stmt)
	return err
}

var seq atomic.Int64

// uniqueSuffix names a database no other test or process uses.
func uniqueSuffix() string {
	var r [4]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("%d_%d_%s", os.Getpid(), seq.Add(1), hex.EncodeToString(r[:]))
}

// withDatabase returns server with its database replaced by name.
func withDatabase(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

// DirectoryID is db's directory id (see store.DirectoryID).
func DirectoryID(t testing.TB, db *store.DB) uuid.UUID {
	t.Helper()
	dir, err := store.DirectoryID(context.Background(), db.Client)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
