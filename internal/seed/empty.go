package seed

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/village-directory/village/ent/migrate"
)

// notRecordTables are the tables that hold no directory records: API keys
// the change feed and the call log. A table added to the schema that is not a directory
// record (a setting, a log) belongs here, or a database holding only it
// would never be seeded.
var notRecordTables = map[string]bool{"api_keys": true, "change_events": true, "call_records": true}

// TablesInUse lists the tables of a migrated database that hold directory
// records (organizations, services, locations, taxonomy terms, resources,
// and every other). A database with none holds no records at all: only
// such a one is seeded unasked (serve, make run); an imported directory
// without programs is not empty.
func TablesInUse(ctx context.Context, db *sql.DB) ([]string, error) {
	var used []string
	for _, t := range migrate.Tables {
		if notRecordTables[t.Name] {
			continue
		}
		var one int
		err := db.QueryRowContext(ctx, `SELECT 1 FROM "`+t.Name+`" LIMIT 1`).Scan(&one)
		switch {
		case err == sql.ErrNoRows:
		case err != nil:
			return nil, fmt.Errorf("inspect table %s: %w", t.Name, err)
		default:
			used = append(used, t.Name)
		}
	}
	return used, nil
}
