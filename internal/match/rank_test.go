package match_test

import (
	"slices"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestMatchRankingOrder builds, for each ranking key of the package
// documentation, services that differ in that key alone, created worst
// first so that the ID tie-break alone would put them the other way round;
// then, for each pair of consecutive keys, two services where the first key
// favours one and the second the other, to pin the keys' precedence.
func TestMatchRankingOrder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lastYear, yesterday := today.AddDate(-1, 0, 0), today.AddDate(0, 0, -1)
		zip := []area{zipArea("02121")}
		tooYoung := &directory.Eligibility{MaxAgeMonths: ptr(1)} // the family's child is 6 months
		near, far := []loc{north(0.01)}, []loc{north(0.1)}
		secret := north(0.01)
		secret.confidential = true

		type query struct {
			name  string
			needs []string
			want  []string // rank order of these services
		}
		var queries []query
		// group makes a need term for one comparison, creates its services
		// in order with that need added, and records the expected order.
		group := func(name string, want []string, services ...func(need *ent.TaxonomyTerm) (string, svc)) {
			need := f.term(name, name, nil)
			for _, mk := range services {
				n, s := mk(need)
				s.needs = append(s.needs, need)
				f.add(n, s)
			}
			queries = append(queries, query{name: name, needs: []string{name}, want: want})
		}
		one := func(n string, s svc) func(*ent.TaxonomyTerm) (string, svc) {
			return func(*ent.TaxonomyTerm) (string, svc) { return n, s }
		}

		// 1. Eligible before ineligible.
		group("eligible", []string{"Eligible", "Ineligible"},
			one("Ineligible", svc{areas: zip, elig: tooYoung}),
			one("Eligible", svc{areas: zip}))
		// 2. Open before temporarily closed.
		group("open", []string{"Open", "Closed"},
			one("Closed", svc{areas: zip, status: service.StatusTEMPORARILY_CLOSED}),
			one("Open", svc{areas: zip}))
		// 3. More needs met (the family asks for needs-a and needs-b).
		needB := f.term("needs-b", "Second need", nil)
		group("needs-a", []string{"Two needs", "One need"},
			one("One need", svc{areas: zip}),
			one("Two needs", svc{areas: zip, needs: []*ent.TaxonomyTerm{needB}}))
		queries[len(queries)-1].needs = []string{"needs-a", "needs-b"}
		// 4. Language offered (the family prefers es; spa is the same).
		group("language", []string{"Spanish", "English"},
			one("English", svc{areas: zip, langs: []string{"en"}}),
			one("Spanish", svc{areas: zip, langs: []string{"spa"}}))
		// 5. Delivery mode offered (the family prefers IN_HOME).
		group("mode", []string{"At home", "At a clinic"},
			one("At a clinic", svc{areas: zip, modes: []directory.DeliveryMode{directory.InClinic}}),
			one("At home", svc{areas: zip, modes: []directory.DeliveryMode{directory.InClinic, directory.InHome}}))
		// 6. Coverage: ZIP, RADIUS and COUNTY one tier (then ID), STATE,
		// NATIONWIDE and ONLINE one tier.
		group("coverage", []string{"County", "Radius", "ZIP", "State", "Online", "Nationwide"},
			one("Online", svc{areas: []area{online}}),
			one("Nationwide", svc{areas: []area{nationwide}}),
			one("State", svc{areas: []area{stateArea("MA")}}),
			one("County", svc{areas: []area{countyArea("25025")}}),
			one("Radius", svc{areas: []area{radiusArea(dorchesterLat, dorchesterLon, 5)}}),
			one("ZIP", svc{areas: zip}))
		// 7. Nearer; unknown distances (no location, or only a confidential
		// one) last.
		group("distance", []string{"Near", "Far", "No location", "Confidential"},
			one("No location", svc{areas: zip}),
			one("Far", svc{areas: zip, locs: far}),
			one("Near", svc{areas: zip, locs: near}),
			one("Confidential", svc{areas: zip, locs: []loc{secret}}))
		// 8. More recently verified; never verified last.
		group("verified", []string{"Verified yesterday", "Verified last year", "Never verified"},
			one("Never verified", svc{areas: zip}),
			one("Verified last year", svc{areas: zip, verified: &lastYear}),
			one("Verified yesterday", svc{areas: zip, verified: &yesterday}))
		// 9. Then by ID.
		group("id", []string{"First", "Second", "Third"},
			one("First", svc{areas: zip}), one("Second", svc{areas: zip}), one("Third", svc{areas: zip}))

		// Precedence: each key outranks the next.
		group("p-eligible-open", []string{"Eligible, closed", "Ineligible, open"},
			one("Ineligible, open", svc{areas: zip, elig: tooYoung}),
			one("Eligible, closed", svc{areas: zip, status: service.StatusTEMPORARILY_CLOSED}))
		pB := f.term("p-open-needs-b", "Second need", nil)
		group("p-open-needs", []string{"Open, one need", "Closed, two needs"},
			one("Closed, two needs", svc{areas: zip, status: service.StatusTEMPORARILY_CLOSED, needs: []*ent.TaxonomyTerm{pB}}),
			one("Open, one need", svc{areas: zip}))
		queries[len(queries)-1].needs = []string{"p-open-needs", "p-open-needs-b"}
		qB := f.term("p-needs-language-b", "Second need", nil)
		group("p-needs-language", []string{"Two needs, English", "One need, Spanish"},
			one("One need, Spanish", svc{areas: zip, langs: []string{"es"}}),
			one("Two needs, English", svc{areas: zip, langs: []string{"en"}, needs: []*ent.TaxonomyTerm{qB}}))
		queries[len(queries)-1].needs = []string{"p-needs-language", "p-needs-language-b"}
		group("p-language-mode", []string{"Spanish, at a clinic", "English, at home"},
			one("English, at home", svc{areas: zip, langs: []string{"en"}, modes: []directory.DeliveryMode{directory.InHome}}),
			one("Spanish, at a clinic", svc{areas: zip, langs: []string{"es"}, modes: []directory.DeliveryMode{directory.InClinic}}))
		group("p-mode-coverage", []string{"State, at home", "ZIP, at a clinic"},
			one("ZIP, at a clinic", svc{areas: zip, modes: []directory.DeliveryMode{directory.InClinic}}),
			one("State, at home", svc{areas: []area{stateArea("MA")}, modes: []directory.DeliveryMode{directory.InHome}}))
		group("p-coverage-distance", []string{"ZIP, far", "State, near"},
			one("State, near", svc{areas: []area{stateArea("MA")}, locs: near}),
			one("ZIP, far", svc{areas: zip, locs: far}))
		group("p-distance-verified", []string{"Near, never verified", "Far, verified"},
			one("Far, verified", svc{areas: zip, locs: far, verified: &yesterday}),
			one("Near, never verified", svc{areas: zip, locs: near}))
		group("p-verified-id", []string{"Verified, higher ID", "Never verified, lower ID"},
			one("Never verified, lower ID", svc{areas: zip}),
			one("Verified, higher ID", svc{areas: zip, verified: &yesterday}))

		for _, q := range queries {
			fam := match.Family{ZIP: ptr("02121"), ChildAgeMonths: ptr(6), Needs: q.needs, Language: ptr("es"),
				DeliveryModes: []directory.DeliveryMode{directory.InHome}}
			out := f.match(fam, match.Options{IncludeIneligible: true})
			equal(t, q.name, among(out, q.want...), q.want)
			// The needs filter: only this group's services are eligible.
			if got := eligibleNames(out); slices.ContainsFunc(got, func(n string) bool { return !slices.Contains(q.want, n) }) {
				t.Errorf("%s: eligible %v beyond the group", q.name, got)
			}
		}

		// Preferences rank, never exclude; temporarily closed is a reason.
		fam := match.Family{ZIP: ptr("02121"), ChildAgeMonths: ptr(6), Needs: []string{"language"}, Language: ptr("es")}
		out := f.match(fam, match.Options{})
		expect(t, out, "English", true, C(match.InArea, match.NeedMet), C(match.Language))
		expect(t, out, "Spanish", true, C(match.InArea, match.NeedMet, match.Language), nil)
		if got := unmetMsg(out, "English", match.Language); got != "Not offered in Spanish (offered in English)." {
			t.Errorf("language unmet %q", got)
		}
		fam = match.Family{ZIP: ptr("02121"), Needs: []string{"mode"}, DeliveryModes: []directory.DeliveryMode{directory.InHome, directory.ByPhone}}
		out = f.match(fam, match.Options{})
		expect(t, out, "At a clinic", true, C(match.InArea, match.NeedMet), C(match.DeliveryMode))
		expect(t, out, "At home", true, C(match.InArea, match.NeedMet, match.DeliveryMode), nil)
		if got := unmetMsg(out, "At a clinic", match.DeliveryMode); got != "Not offered the way the family prefers (offered in a clinic)." {
			t.Errorf("mode unmet %q", got)
		}
		if got := reasonMsg(out, "At home", match.DeliveryMode); got != "Offered in the home, as the family prefers." {
			t.Errorf("mode met %q", got)
		}
		out = f.match(match.Family{ZIP: ptr("02121"), Needs: []string{"open"}}, match.Options{})
		equal(t, "open and closed", names(out.Results), []string{"Open", "Closed"})
		expect(t, out, "Closed", true, C(match.InArea, match.NeedMet, match.TemporarilyClosed), nil)
		if got := reasonMsg(out, "Closed", match.TemporarilyClosed); got != "Temporarily closed: check when it reopens before referring." {
			t.Errorf("closed reason %q", got)
		}
	})
}

// TestMatchStatus: inactive and defunct services never appear, even as near
// misses.
func TestMatchStatus(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for _, st := range []service.Status{service.StatusINACTIVE, service.StatusDEFUNCT, service.StatusTEMPORARILY_CLOSED, service.StatusACTIVE} {
			f.add(string(st), svc{areas: []area{zipArea("02121"), nationwide}, status: st})
			f.add(string(st)+", too old", svc{areas: []area{zipArea("02121")}, status: st, elig: &directory.Eligibility{MaxAgeMonths: ptr(1)}})
		}
		fam := zipFamily()
		fam.ChildAgeMonths = ptr(6)
		for _, opts := range []match.Options{{}, {IncludeIneligible: true}, {IncludeIneligible: true, RevealConfidential: match.RevealAll}} {
			out := f.match(fam, opts)
			want := []string{"ACTIVE", "TEMPORARILY_CLOSED"}
			if opts.IncludeIneligible {
				want = append(want, "ACTIVE, too old", "TEMPORARILY_CLOSED, too old")
			}
			equal(t, "statuses", names(out.Results), want)
		}
	})
}

// TestMatchPaginationTies pages identical services two at a time: each
// comes exactly once, in ID order, and a cursor keeps its place when the
// query is run again, even after the directory changed.
func TestMatchPaginationTies(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var want []int
		for range 7 {
			want = append(want, f.add("Same", svc{areas: []area{zipArea("02121")}}).ID)
		}
		var got []int
		var after match.Cursor
		pages := 0
		for {
			// A fresh match per page, as a client paging through would.
			out := f.match(zipFamily(), match.Options{})
			page, hasNext, hasPrev, err := out.Page(after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if hasPrev != (pages > 0) {
				t.Errorf("page %d: hasPreviousPage %v", pages, hasPrev)
			}
			pages++
			for _, r := range page {
				got = append(got, r.Service.ID)
			}
			if !hasNext {
				break
			}
			after = page[len(page)-1].Cursor()
			if pages > 10 {
				t.Fatal("paging does not end")
			}
		}
		if pages != 4 || !slices.Equal(got, want) {
			t.Errorf("%d pages of IDs %v, want 4 pages of %v", pages, got, want)
		}

		// A page boundary holds when the directory changes: a new service
		// that ranks first does not shift the next page.
		out := f.match(zipFamily(), match.Options{})
		page, _, _, _ := out.Page("", 2)
		after = page[1].Cursor()
		yesterday := today.AddDate(0, 0, -1)
		f.add("Newly verified", svc{areas: []area{zipArea("02121")}, verified: &yesterday})
		out = f.match(zipFamily(), match.Options{})
		if names(out.Results)[0] != "Newly verified" {
			t.Fatalf("new service ranks %v", names(out.Results))
		}
		page, _, _, _ = out.Page(after, 10)
		var rest []int
		for _, r := range page {
			rest = append(rest, r.Service.ID)
		}
		equal(t, "after the second result, with a new first one", rest, want[2:])

		// Past the end, and a cursor that is not one.
		page, hasNext, _, err := out.Page(out.Results[len(out.Results)-1].Cursor(), 2)
		if err != nil || len(page) != 0 || hasNext {
			t.Errorf("after the last: %v, %v, %v", names(page), hasNext, err)
		}
		for _, bad := range []match.Cursor{"x", "1|1|0|0|0|0|-|-", "1|1|0|0|0|0|-|-|x", "1|1|0|0|0|0|near|-|3", "1|1|0|0|0|0|-|soon|3"} {
			if _, _, _, err := out.Page(bad, 2); fieldOf(err) != "after" {
				t.Errorf("cursor %q: %v, want bad input at after", bad, err)
			}
		}
	})
}

// TestMatchNearMisses: a near miss lists every criterion it fails; eligible
// results list only unmet preferences.
func TestMatchNearMisses(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		visiting := f.term("home-visiting", "Home visiting", nil)
		diapers := f.term("diapers", "Diapers", nil)
		strict := &directory.Eligibility{MaxAgeMonths: ptr(36), FirstTimeParentsOnly: ptr(true), CourtInvolvementRequired: ptr(true),
			MaxIncomePercentFPL: ptr(200), ReferralRequired: ptr(true)}
		f.add("Fails everything", svc{areas: []area{countyArea("25017")}, needs: []*ent.TaxonomyTerm{diapers}, elig: strict,
			langs: []string{"en"}, locs: []loc{north(0.1)}})
		f.add("Fits", svc{areas: []area{zipArea("02121")}, needs: []*ent.TaxonomyTerm{visiting}, langs: []string{"en"}})
		f.add("Too old only", svc{areas: []area{zipArea("02121")}, needs: []*ent.TaxonomyTerm{visiting}, elig: &directory.Eligibility{MaxAgeMonths: ptr(36)}})
		f.add("Other state", svc{areas: []area{stateArea("NH")}, needs: []*ent.TaxonomyTerm{visiting}})

		fam := match.Family{ZIP: ptr("02121"), ChildAgeMonths: ptr(40), FirstTimeParent: ptr(false), CourtInvolved: ptr(false),
			HouseholdSize: ptr(3), AnnualIncome: ptr(60000), Needs: []string{"home-visiting"}, Language: ptr("es"), MaxDistanceKm: ptr(5.0)}
		out := f.match(fam, match.Options{IncludeIneligible: true})
		equal(t, "results", names(out.Results), []string{"Fits", "Too old only", "Fails everything"})
		expect(t, out, "Fits", true, C(match.InArea, match.NeedMet), C(match.Language))
		// No languages listed: asked (CONFIRM), not held against it.
		expect(t, out, "Too old only", false, C(match.InArea, match.NeedMet, match.Confirm), C(match.Age))
		expect(t, out, "Fails everything", false, C(match.ReferralRequired),
			C(match.OutOfArea, match.Distance, match.NoNeedMet, match.Age, match.FirstTimeParentOnly, match.CourtInvolvement, match.Income, match.Language))
		if n := out.Eligible(); n != 1 {
			t.Errorf("%d eligible, want 1", n)
		}
		out = f.match(fam, match.Options{})
		equal(t, "eligible only", names(out.Results), []string{"Fits"})
	})
}

// TestMatchPrograms: the programs among all the results, not a page's.
func TestMatchPrograms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		visits := f.program("Family Visits", nil)
		groups := f.program("Parent Groups", nil)
		f.program("Unmatched Model", nil)
		f.add("Visits, ZIP, far", svc{areas: []area{zipArea("02121")}, program: visits, locs: []loc{north(0.1)}})
		f.add("Visits, county, near", svc{areas: []area{countyArea("25025")}, program: visits, locs: []loc{north(0.02)}})
		f.add("Visits, too old, nearest", svc{areas: []area{zipArea("02121")}, program: visits, locs: []loc{north(0.01)},
			elig: &directory.Eligibility{MaxAgeMonths: ptr(1)}})
		f.add("Groups, statewide", svc{areas: []area{stateArea("MA")}, program: groups})
		f.add("Groups, online", svc{areas: []area{online}, program: groups})
		f.add("No program", svc{areas: []area{zipArea("02121")}})

		fam := match.Family{ZIP: ptr("02121"), ChildAgeMonths: ptr(6)}
		type summary struct {
			program string
			matched int
			nearest string
		}
		summarise := func(out *match.Outcome) []summary {
			var s []summary
			for _, p := range out.Programs {
				s = append(s, summary{p.Program.Name, p.MatchedServices, p.Nearest.Name})
			}
			return s
		}
		out := f.match(fam, match.Options{})
		equal(t, "results", names(out.Results), []string{"Visits, county, near", "Visits, ZIP, far", "No program", "Groups, statewide", "Groups, online"})
		// Over every result, whatever page is cut.
		if page, _, _, _ := out.Page("", 1); len(page) != 1 {
			t.Fatal("page")
		}
		equal(t, "programs", summarise(out), []summary{{"Family Visits", 2, "Visits, county, near"}, {"Parent Groups", 2, "Groups, statewide"}})

		// With near misses they count too; the nearest stays an eligible
		// one when there is one.
		out = f.match(fam, match.Options{IncludeIneligible: true})
		equal(t, "programs with near misses", summarise(out), []summary{{"Family Visits", 3, "Visits, county, near"}, {"Parent Groups", 2, "Groups, statewide"}})
		fam.ChildAgeMonths = ptr(0) // now the nearest one fits
		out = f.match(fam, match.Options{})
		equal(t, "programs for a newborn", summarise(out), []summary{{"Family Visits", 3, "Visits, too old, nearest"}, {"Parent Groups", 2, "Groups, statewide"}})
	})
}

// TestMatchClock: ages and weeks are counted at the matcher's today, not
// the wall clock.
func TestMatchClock(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("First year", svc{areas: []area{zipArea("02121")}, elig: &directory.Eligibility{MaxAgeMonths: ptr(11)}})
		fam := match.Family{ZIP: ptr("02121"), ChildBirthDate: ptr(date("2024-06-15"))}
		if out := f.matchWith(f.at(date("2025-06-14")), fam, match.Options{}); len(out.Results) != 1 {
			t.Error("11 months old on 2025-06-14: want the service")
		}
		if out := f.matchWith(f.at(date("2025-06-15")), fam, match.Options{}); len(out.Results) != 0 {
			t.Error("12 months old on 2025-06-15: want nothing")
		}
	})
}

// TestMatchRows: a page's rows are read again whole, with the index's
// organization and program; a service deleted since it was ranked shows as
// ranked, from what the index holds.
func TestMatchRows(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		visits := f.program("Family Visits", nil)
		kept := f.add("Kept", svc{areas: []area{zipArea("02121")}, program: visits})
		gone := f.add("Gone", svc{areas: []area{zipArea("02121")}})
		f.c.Service.UpdateOne(kept).SetDescription("Weekly visits").SetWaitTime("two weeks").ExecX(f.ctx)
		out, err := f.m.Match(f.ctx, match.Family{ZIP: ptr("02121")}, match.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Results) != 2 || out.Results[0].Service != nil || out.Programs[0].Nearest != nil {
			t.Fatalf("before Rows: %d results, rows %v, nearest %v", len(out.Results), out.Results[0].Service, out.Programs[0].Nearest)
		}
		f.c.ServiceArea.Delete().Where(servicearea.ServiceID(gone.ID)).ExecX(f.ctx)
		f.c.Service.DeleteOneID(gone.ID).ExecX(f.ctx)
		if err := f.m.Rows(f.ctx, out.Results, out.Programs); err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Results {
			s := r.Service
			if s == nil || s.ID != r.ServiceID() || s.Edges.Organization == nil || s.Edges.Organization.ID != f.org.ID {
				t.Fatalf("result %d: row %+v", r.ServiceID(), s)
			}
			switch s.ID {
			case kept.ID:
				if s.Name != "Kept" || s.Description != "Weekly visits" || s.WaitTime != "two weeks" ||
					s.Edges.Program == nil || s.Edges.Program.ID != visits.ID {
					t.Errorf("kept: name %q, description %q, wait %q, program %v", s.Name, s.Description, s.WaitTime, s.Edges.Program)
				}
			case gone.ID:
				if s.Name != "" || s.Edges.Program != nil || s.Status != gone.Status {
					t.Errorf("deleted since ranked: %+v", s)
				}
			}
		}
		if n := out.Programs[0].Nearest; n == nil || n != out.Results[slices.IndexFunc(out.Results, func(r *match.Result) bool { return r.ServiceID() == kept.ID })].Service {
			t.Errorf("the program's nearest %v, want the kept result's row", n)
		}
	})
}
