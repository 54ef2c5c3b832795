package ent

import (
	"database/sql"
	"testing"

	entsql "entgo.io/ent/dialect/sql"
)

// TestReuseScanValues checks that the rows of a query scan into the same
// holders but for the columns scanned as sql.UnknownType, which get a fresh
// one each row (assignValues keeps those).
func TestReuseScanValues(t *testing.T) {
	made := 0
	scan := reuseScanValues(func(columns []string) ([]any, error) {
		made++
		return []any{new(sql.NullInt64), new(entsql.UnknownType), new(sql.NullString)}, nil
	})
	columns := []string{"id", "count", "name"}
	first, _ := scan(columns)
	first[1] = new(sql.NullInt64) // as sqlgraph swaps in the column's type
	kept := first[1]
	second, _ := scan(columns)
	if made != 1 || second[0] != first[0] || second[2] != first[2] {
		t.Fatalf("made values %d times; holders reused: %v", made, second[0] == first[0])
	}
	if _, ok := second[1].(*entsql.UnknownType); !ok || second[1] == kept {
		t.Fatalf("the unknown column's holder was not renewed: %T", second[1])
	}
	if reuseScanValues(nil) != nil {
		t.Fatal("a spec without ScanValues (a count) must keep none")
	}
}
