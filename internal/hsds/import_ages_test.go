package hsds

import (
	"context"
	"path/filepath"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// An age no person has (here 1e19 years, which as months once overflowed
// to 11 months, "up to age 0", silently) is dropped with a warning: the
// service keeps no bound from it.
func TestImportDropsImplausibleAges(t *testing.T) {
	dir := importCopyDir(t, importSample(t, "openreferral-spec-3.0/examples/csv"))
	importEditFile(t, filepath.Join(dir, "services.csv"), ",12,100,", ",1e19,1e19,")
	db := testdb.Open(t, dialect.SQLite, store.Options{})
	rep := importMust(t, db, dir, ImportOptions{})
	for _, col := range []string{"minimum_age", "maximum_age"} {
		if !importHasMessage(rep.Warnings, "services.csv", col, "not a person's age") {
			t.Errorf("no warning on %s:\n%s", col, rep)
		}
	}
	if e := db.Client.Service.Query().OnlyX(context.Background()).Eligibility; e != nil && (e.MinAgeMonths != nil || e.MaxAgeMonths != nil) {
		t.Errorf("ages stored: %+v", e)
	}
}
