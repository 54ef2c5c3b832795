package seed

import (
	"context"
	"slices"
	"testing"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// A migrated database holds no records; one row in any record table (here
// only API keys aside) is a directory that is not empty.
func TestTablesInUse(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		used, err := TablesInUse(ctx, db.SQL)
		if err != nil || len(used) != 0 {
			t.Fatalf("a migrated database holds %v (%v)", used, err)
		}
		// A location alone, no organization, service or program.
		if _, err := db.SQL.ExecContext(ctx, `INSERT INTO locations (created_at, updated_at, version, sample, location_type, name) VALUES (CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, false, 'PHYSICAL', 'Lone')`); err != nil {
			t.Fatal(err)
		}
		used, err = TablesInUse(ctx, db.SQL)
		if err != nil || !slices.Equal(used, []string{"locations"}) {
			t.Errorf("a database holding one location: %v (%v)", used, err)
		}
	})
}
