package hsds

import (
	"context"
	"slices"
	"testing"

	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// Village → HSDS → Village, on each backend and in each format: the rules a
// record states (statedRules, in the eligibility attribute) and a
// program's siteFinderUrl come back as they were; a record from before
// statedRules still states every rule; a service that inherits still does.
func TestRoundTripKeepsStatedRules(t *testing.T) {
	ctx := context.Background()
	for _, backend := range testdb.Backends {
		for _, format := range []string{"csv", "json"} {
			t.Run(backend+"/"+format, func(t *testing.T) {
				src := testdb.Open(t, backend, store.Options{})
				org := src.Client.Organization.Create().SetName("Org").SaveX(ctx)
				prog := src.Client.Program.Create().SetName("Court Teams").SetOrganizationID(org.ID).
					SetSiteFinderURL("https://example.org/court-teams/sites").
					SetEligibility(&directory.Eligibility{StatedRules: []directory.Rule{directory.RuleCourtInvolvement},
						CourtInvolvementRequired: statedPtr(true), Description: "Babies and toddlers under court jurisdiction."}).SaveX(ctx)
				src.Client.Program.Create().SetName("No site finder").SaveX(ctx)
				svc := func(name string, e *directory.Eligibility) {
					q := src.Client.Service.Create().SetName(name).SetOrganizationID(org.ID).SetProgramID(prog.ID).SetStatus(service.StatusACTIVE)
					if e != nil {
						q.SetEligibility(e)
					}
					q.SaveX(ctx)
				}
				svc("Own ages", &directory.Eligibility{StatedRules: []directory.Rule{directory.RuleIncome}, MaxAgeMonths: statedPtr(36)})
				svc("States nothing", &directory.Eligibility{StatedRules: []directory.Rule{}, Description: "Local families."})
				svc("Old record", &directory.Eligibility{MaxAgeMonths: statedPtr(12)})
				svc("Inherits", nil)

				dir := t.TempDir()
				if _, err := Export(ctx, src.Client, format, dir); err != nil {
					t.Fatalf("export: %v", err)
				}
				dst := testdb.Open(t, backend, store.Options{})
				importMust(t, dst, dir, ImportOptions{})

				p := dst.Client.Program.Query().AllX(ctx)
				for _, got := range p {
					switch got.Name {
					case "Court Teams":
						if got.SiteFinderURL == nil || *got.SiteFinderURL != "https://example.org/court-teams/sites" {
							t.Errorf("siteFinderUrl %v", got.SiteFinderURL)
						}
						if !slices.Equal(got.Eligibility.StatedRules, []directory.Rule{directory.RuleCourtInvolvement}) {
							t.Errorf("program statedRules %v", got.Eligibility.StatedRules)
						}
					case "No site finder":
						if got.SiteFinderURL != nil {
							t.Errorf("siteFinderUrl %q from nowhere", *got.SiteFinderURL)
						}
					}
				}
				want := map[string]struct {
					stored []directory.Rule // nil: none stored
					nilEl  bool
				}{
					"Own ages":       {stored: []directory.Rule{directory.RuleIncome}},
					"States nothing": {stored: []directory.Rule{}},
					"Old record":     {stored: nil},
					"Inherits":       {nilEl: true},
				}
				for _, s := range dst.Client.Service.Query().AllX(ctx) {
					w := want[s.Name]
					switch {
					case w.nilEl:
						if s.Eligibility != nil {
							t.Errorf("%s: eligibility %+v, want inherited", s.Name, s.Eligibility)
						}
					case s.Eligibility == nil:
						t.Errorf("%s: eligibility lost", s.Name)
					case (w.stored == nil) != (s.Eligibility.StatedRules == nil) || !slices.Equal(s.Eligibility.StatedRules, w.stored):
						t.Errorf("%s: statedRules %#v, want %#v", s.Name, s.Eligibility.StatedRules, w.stored)
					}
				}
			})
		}
	}
}

// An HSDS package without Village attributes states no rule beyond the
// values it gives: every imported service's eligibility has statedRules,
// and states only what it has a value for (its ages, where given).
func TestImportStatesOnlyWhatItGives(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		importMust(t, db, officialCSVCopy(t), ImportOptions{})
		services := db.Client.Service.Query().AllX(context.Background())
		if len(services) == 0 {
			t.Fatal("nothing imported")
		}
		for _, s := range services {
			e := s.Eligibility
			if e == nil || e.StatedRules == nil {
				t.Errorf("%s: eligibility %+v, want one with statedRules", s.Name, e)
				continue
			}
			want := []directory.Rule{}
			if e.MinAgeMonths != nil || e.MaxAgeMonths != nil {
				want = []directory.Rule{directory.RuleAge}
			}
			if got := e.Stated(); !slices.Equal(got, want) {
				t.Errorf("%s states %v, want %v", s.Name, got, want)
			}
		}
	})
}

func statedPtr[T any](v T) *T { return &v }
