package records

import (
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
)

// LockRows locks the rows a query reads until the transaction ends, on
// PostgreSQL (SQLite has one writer at a time already).
func LockRows(s *sql.Selector) {
	if s.Dialect() == dialect.Postgres {
		s.ForUpdate()
	}
}

// IntIDs is the int IDs among ent values, such as a mutation's AddedIDs.
func IntIDs(vs []ent.Value) []int {
	out := make([]int, 0, len(vs))
	for _, v := range vs {
		if id, ok := v.(int); ok {
			out = append(out, id)
		}
	}
	return out
}
