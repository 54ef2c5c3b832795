package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"entgo.io/ent/schema/field"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/migrate"
)

// emptyStringsAreNull stores an empty string written to an optional field
// as NULL, on every write path (GraphQL, HSDS import, seed, internal code).
// Which fields: those a mutation's ClearField accepts, that is the fields
// ent/schema declares Optional, read from the generated code rather than
// listed here. A required field keeps its "" for its validator to refuse;
// enums and Village's own string types are not plain strings and are left
// alone. See the package documentation for why the Go fields stay strings.
func emptyStringsAreNull() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			for _, name := range m.Fields() {
				if v, ok := m.Field(name); ok {
					if s, isString := v.(string); isString && s == "" {
						// An error means the field is required: left as
						// it is, its validator answers.
						_ = m.ClearField(name)
					}
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

// nullEmptyStrings converts the empty strings stored in optional string
// columns (every nullable string column of ent's schema) to NULL: what
// emptyStringsAreNull does to new writes, for the rows written before it.
// One statement per table, run by Migrate; a no-op once done. It writes
// with SQL, below ent's hooks, so it logs no change events and bumps no
// versions: "" and NULL both meant "not recorded", and the API already
// answers null for either.
func nullEmptyStrings(ctx context.Context, db *sql.DB) error {
	for _, t := range migrate.Tables {
		var set, where []string
		for _, c := range t.Columns {
			if c.Type == field.TypeString && c.Nullable {
				q := `"` + c.Name + `"`
				set = append(set, q+" = NULLIF("+q+", '')")
				where = append(where, q+" = ''")
			}
		}
		if len(set) == 0 {
			continue
		}
		_, err := db.ExecContext(ctx, `UPDATE "`+t.Name+`" SET `+strings.Join(set, ", ")+" WHERE "+strings.Join(where, " OR "))
		if err != nil {
			return fmt.Errorf("migrate: store empty strings of %s as null: %w", t.Name, err)
		}
	}
	return nil
}
