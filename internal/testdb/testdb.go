// Package testdb gives tests real, throw-away databases on both backends:
// an SQLite file in the test's temporary directory and, when
// VILLAGE_TEST_POSTGRES names a server, a fresh PostgreSQL database that is
// dropped afterwards. Without that variable the PostgreSQL half is skipped
// loudly; with CI=true it fails instead.
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
	"strings"
	"sync/atomic"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/internal/store"
)

// EnvPostgres names the variable holding the URL of a PostgreSQL server where
// tests may create and drop their own databases.
const EnvPostgres = "VILLAGE_TEST_POSTGRES"

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
	dsn := DSN(t, backend)
	db, err := store.Open(ctx, dsn, opts)
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := store.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate %s: %v", backend, err)
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
		return freshPostgres(t)
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

var seq atomic.Int64

func freshPostgres(t testing.TB) string {
	t.Helper()
	server := os.Getenv(EnvPostgres)
	if server == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is not set: the PostgreSQL half of the suite cannot run", EnvPostgres)
		}
		t.Skipf("SKIPPING PostgreSQL: set %s (for example postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable) to run this test on PostgreSQL too", EnvPostgres)
	}
	admin, err := sql.Open("postgres", server)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	defer admin.Close()
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	name := fmt.Sprintf("village_test_%d_%d_%s", os.Getpid(), seq.Add(1), hex.EncodeToString(suffix[:]))
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create test database on %s: %v", redact(server), err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("postgres", server)
		if err != nil {
			return
		}
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgres, err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "the server"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return strings.TrimSpace(u.String())
}
