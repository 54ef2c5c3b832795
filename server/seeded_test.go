package server_test

import (
	"slices"
	"testing"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

type seededMatch struct {
	Match struct {
		TotalCount int
		Edges      []struct {
			Eligible bool
			Node     struct {
				Name    string
				Sample  bool
				Program *struct{ Name string }
			}
			Unmet []struct{ Criterion string }
		}
	}
}

const seededMatchQuery = `query($f: FamilyInput!) {
  match(family: $f, includeIneligible: true, first: 50) {
    totalCount
    edges { eligible node { name sample program { name } } unmet { criterion } }
  }
}`

// TestSeededBostonFamilies is the match issue's acceptance scenario on the
// seed and its samples: a newborn's first-time family in Dorchester who
// wants a home visit, and the same family with an older sibling.
func TestSeededBostonFamilies(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})
		family := map[string]any{"zip": "02121", "childAgeMonths": 0, "firstTimeParent": true, "needs": []string{"home-visiting"}}

		var first seededMatch
		a.ok(seededMatchQuery, map[string]any{"f": family}, &first)
		var eligible []string
		for _, e := range first.Match.Edges {
			if e.Eligible {
				if !e.Node.Sample {
					t.Errorf("%s is eligible but not a sample: the seed has no real local service in Dorchester", e.Node.Name)
				}
				eligible = append(eligible, e.Node.Name)
			}
		}
		slices.Sort(eligible)
		want := []string{"Family Connects Boston (sample)", "Visitas en Casa, Dorchester (sample)"}
		if !slices.Equal(eligible, want) {
			t.Fatalf("first-time family: eligible %q, want %q", eligible, want)
		}

		family["firstTimeParent"] = false
		var second seededMatch
		a.ok(seededMatchQuery, map[string]any{"f": family}, &second)
		found := false
		for _, e := range second.Match.Edges {
			if e.Node.Program == nil || e.Node.Program.Name != "Nurse-Family Partnership" {
				continue
			}
			found = true
			if e.Eligible {
				t.Fatalf("%s is eligible for a second-time parent", e.Node.Name)
			}
			var unmet []string
			for _, u := range e.Unmet {
				unmet = append(unmet, u.Criterion)
			}
			if !slices.Contains(unmet, "FIRST_TIME_PARENT_ONLY") {
				t.Fatalf("%s unmet %v: want FIRST_TIME_PARENT_ONLY among them", e.Node.Name, unmet)
			}
		}
		if !found {
			t.Fatalf("second-time family: Nurse-Family Partnership is not among the near misses")
		}
	})
}
