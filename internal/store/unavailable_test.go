package store_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestUnavailableIsTheDatabaseUnreachable pins what store.Unavailable
// counts, on errors as the drivers return them.
func TestUnavailableIsTheDatabaseUnreachable(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	refused := func() error {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, err = store.Open(t.Context(), "postgres://postgres@"+addr+"/x?sslmode=disable&connect_timeout=2", store.Options{})
		return err
	}()
	terminated := func() error {
		db := testdb.Open(t, dialect.Postgres, store.Options{})
		conn, err := db.SQL.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var pid int
		if err := conn.QueryRowContext(t.Context(), "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL.ExecContext(t.Context(), "SELECT pg_terminate_backend($1)", pid); err != nil {
			t.Fatal(err)
		}
		_, err = conn.ExecContext(t.Context(), "SELECT 1")
		return err
	}()
	sqlite := testdb.Open(t, dialect.SQLite, store.Options{})
	_, sqliteErr := sqlite.SQL.ExecContext(t.Context(), "SELECT * FROM no_such_table")
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"a refused connection", refused, true},
		{"a connection the server terminated (57P01)", terminated, true},
		{"a cancelled request", ctx.Err(), false},
		{"a request past its deadline", context.DeadlineExceeded, false},
		{"an SQLite error", sqliteErr, false},
		{"another error", errors.New("boom"), false},
	} {
		if c.err == nil {
			t.Fatalf("%s: no error to classify", c.name)
		}
		if got := store.Unavailable(c.err); got != c.want {
			t.Errorf("Unavailable(%s: %v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
