package hsds

import (
	"testing"

	"github.com/village-directory/village/internal/hsds/internal/dirtypkg"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestImportWarningsBounded imports a dirty package large enough that
// several kinds of warning recur far more often than ImportWarningsKept:
// the report keeps the first ImportWarningsKept of each kind, in package
// order, and counts the others, so a dirty national package does not hold
// a message per row.
func TestImportWarningsBounded(t *testing.T) {
	const services = 400
	p, err := dirtypkg.Write(t.TempDir(), dirtypkg.Options{Services: services})
	if err != nil {
		t.Fatal(err)
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, p.Dir, ImportOptions{})
		kept := map[string][]ImportMessage{}
		for _, w := range rep.Warnings {
			kept[warningKind(w)] = append(kept[warningKind(w)], w)
		}
		groups := rep.WarningGroups()
		total, over := 0, 0
		for _, g := range groups {
			total += g.Count
			if g.Count > ImportWarningsKept {
				over++
			}
			if want := min(g.Count, ImportWarningsKept); len(kept[g.Kind]) != want {
				t.Errorf("%s: %d warnings, %d kept, want %d", g.Kind, g.Count, len(kept[g.Kind]), want)
			}
			if len(g.Examples) != min(g.Count, importGroupExamples) {
				t.Errorf("%s: %d examples of %d", g.Kind, len(g.Examples), g.Count)
			}
			delete(kept, g.Kind)
		}
		for k, ws := range kept {
			t.Errorf("%d warnings of kind %s kept but in no group", len(ws), k)
		}
		if over < 2 {
			t.Fatalf("%d kinds of warning over %d: the package does not exercise the bound:\n%s", over, ImportWarningsKept, rep)
		}
		if rep.WarningCount() != total {
			t.Errorf("WarningCount %d, groups count %d", rep.WarningCount(), total)
		}
		if len(rep.Warnings) >= rep.WarningCount() {
			t.Errorf("%d warnings kept of %d: none left out", len(rep.Warnings), rep.WarningCount())
		}
		// Every language row reuses its service's id: each is given a
		// derived id with a warning, counted though only the first are
		// kept, and those kept are the first rows of the file.
		var langs []ImportMessage
		for _, w := range rep.Warnings {
			if w.Kind == WarnIDDuplicate && w.File == "languages.csv" {
				langs = append(langs, w)
			}
		}
		count := 0
		for _, g := range groups {
			if g.Kind == WarnIDDuplicate {
				count = g.Count
			}
		}
		if rows := p.Rows["languages.csv"]; count < rows {
			t.Errorf("%d %s warnings, want at least one per language row (%d)", count, WarnIDDuplicate, rows)
		}
		for i, w := range langs {
			if i > 0 && w.Row <= langs[i-1].Row {
				t.Errorf("kept %s warnings out of package order: row %d after row %d", WarnIDDuplicate, w.Row, langs[i-1].Row)
			}
		}
		if len(langs) == 0 || langs[0].Row != 1 {
			t.Errorf("kept %s warnings of languages.csv do not start at its first row: %v", WarnIDDuplicate, langs)
		}
		// A kind under the bound is kept whole: every phone without a
		// number.
		phones := 0
		for _, w := range rep.Warnings {
			if w.Kind == WarnPhoneWithoutNumber {
				phones++
			}
		}
		if phones != p.PhonesWithoutNumber || phones > ImportWarningsKept {
			t.Errorf("%d %s warnings kept, want all %d", phones, WarnPhoneWithoutNumber, p.PhonesWithoutNumber)
		}
		// The accounting still covers every row.
		importCheckAccounting(t, rep, p)
	})
}
