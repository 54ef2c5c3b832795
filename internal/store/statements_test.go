package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestKeepPrepared: on PostgreSQL a connection keeps a statement prepared
// from its second run, bounded; answers are the same as unprepared, a
// schema change under a prepared statement does not fail it, and
// Options.Unprepared prepares nothing.
func TestKeepPrepared(t *testing.T) {
	ctx := context.Background()
	// preparedOn is how many statements the connection has prepared.
	preparedOn := func(t *testing.T, conn *sql.Conn) int {
		t.Helper()
		var n int
		// (Its own text, kept from its second run, is not counted.)
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM pg_prepared_statements WHERE statement NOT LIKE '%pg_prepared_statements%'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Run("kept", func(t *testing.T) {
		db := testdb.Open(t, dialect.Postgres, store.Options{})
		conn, err := db.SQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "CREATE TABLE kept (id int PRIMARY KEY, name text)"); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if _, err := conn.ExecContext(ctx, "INSERT INTO kept VALUES ($1, $2)", i, fmt.Sprint("name ", i)); err != nil {
				t.Fatal(err)
			}
		}
		if n := preparedOn(t, conn); n != 1 {
			t.Errorf("after an insert run 3 times: %d statements prepared, want 1", n)
		}
		query := "SELECT * FROM kept WHERE id = $1"
		for i := range 3 {
			var id int
			var name string
			if err := conn.QueryRowContext(ctx, query, i).Scan(&id, &name); err != nil || id != i || name != fmt.Sprint("name ", i) {
				t.Fatalf("run %d: %d %q %v", i, id, name, err)
			}
		}
		if n := preparedOn(t, conn); n != 2 {
			t.Errorf("after a select run 3 times: %d statements prepared, want 2", n)
		}
		// A read without arguments is kept too (the server would plan it
		// every time); a write without arguments is not.
		for range 3 {
			var n int
			if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM kept WHERE name LIKE 'name %'").Scan(&n); err != nil || n != 3 {
				t.Fatalf("a read without arguments: %d %v", n, err)
			}
			if _, err := conn.ExecContext(ctx, "UPDATE kept SET name = name"); err != nil {
				t.Fatal(err)
			}
		}
		if n := preparedOn(t, conn); n != 3 {
			t.Errorf("after a read and a write without arguments run 3 times each: %d statements prepared, want 3", n)
		}
		// Several statements in one text without arguments run as the
		// simple protocol runs them, every result set, and are never
		// prepared (no prepared statement holds several): trying would
		// abort a transaction begun by a BEGIN statement.
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			t.Fatal(err)
		}
		for run := range 3 {
			rows, err := conn.QueryContext(ctx, "SELECT 1; SELECT 2")
			if err != nil {
				t.Fatalf("several statements, run %d: %v", run+1, err)
			}
			var sets []int
			for {
				for rows.Next() {
					var v int
					if err := rows.Scan(&v); err != nil {
						t.Fatal(err)
					}
					sets = append(sets, v)
				}
				if !rows.NextResultSet() {
					break
				}
			}
			if err := rows.Close(); err != nil || !slices.Equal(sets, []int{1, 2}) {
				t.Fatalf("several statements, run %d: %v %v, want [1 2]", run+1, sets, err)
			}
		}
		if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
			t.Fatalf("commit after several statements: %v", err)
		}
		// A column added changes what the prepared select returns: the
		// server refuses the old plan, and it is run again unprepared.
		if _, err := conn.ExecContext(ctx, "ALTER TABLE kept ADD COLUMN note text DEFAULT 'added'"); err != nil {
			t.Fatal(err)
		}
		var id int
		var name, note string
		if err := conn.QueryRowContext(ctx, query, 1).Scan(&id, &name, &note); err != nil || note != "added" {
			t.Fatalf("after the schema changed: %d %q %q %v", id, name, note, err)
		}
		// The same inside a transaction: it runs unprepared there, so a
		// schema change cannot abort it.
		if err := conn.QueryRowContext(ctx, query, 1).Scan(&id, &name, &note); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, "ALTER TABLE kept ADD COLUMN more text DEFAULT 'more'"); err != nil {
			t.Fatal(err)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var more string
		if err := tx.QueryRowContext(ctx, query, 1).Scan(&id, &name, &note, &more); err != nil || more != "more" {
			t.Fatalf("in a transaction after the schema changed: %q %v", more, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatalf("commit after the schema changed: %v", err)
		}
		// A text the server cannot prepare answers its own error.
		for range 2 {
			_, err := conn.QueryContext(ctx, "SELECT missing FROM kept WHERE id = $1", 1)
			if err == nil || !strings.Contains(err.Error(), "42703") {
				t.Fatalf("a missing column: %v, want its error (42703)", err)
			}
		}
		// Many texts each run twice: at most the bound stays prepared.
		for i := range 100 {
			for range 2 {
				var n int
				if err := conn.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) + %d FROM kept WHERE id >= $1", i), 0).Scan(&n); err != nil || n != 3+i {
					t.Fatalf("statement %d: %d %v", i, n, err)
				}
			}
		}
		if n := preparedOn(t, conn); n != 64 {
			t.Errorf("after 100 texts run twice: %d statements prepared, want the bound, 64", n)
		}
		// Writes in a transaction rolled back leave nothing.
		tx, err = conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 10; i < 13; i++ {
			if _, err := tx.ExecContext(ctx, "INSERT INTO kept VALUES ($1, $2)", i, "in a transaction"); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		var count int
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM kept").Scan(&count); err != nil || count != 3 {
			t.Errorf("after a rolled-back transaction: %d rows %v, want 3", count, err)
		}
	})
	t.Run("unprepared", func(t *testing.T) {
		db := testdb.Open(t, dialect.Postgres, store.Options{Unprepared: true})
		conn, err := db.SQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for i := range 3 {
			var n int
			if err := conn.QueryRowContext(ctx, "SELECT $1::int + 1", i).Scan(&n); err != nil || n != i+1 {
				t.Fatalf("%d %v", n, err)
			}
		}
		if n := preparedOn(t, conn); n != 0 {
			t.Errorf("unprepared: %d statements prepared, want none", n)
		}
	})
}
