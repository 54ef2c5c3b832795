package match_test

import (
	"testing"

	"github.com/village-directory/village/ent"

	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestMatchOpenings: no openings is said with the date of the figure and
// ranks after services with openings or unknown capacity; openingsOnly
// leaves such services out (near misses with OPENINGS unmet).
func TestMatchOpenings(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		zip := []area{zipArea("02121")}
		june, may := date("2025-06-01"), date("2025-05-01")
		f.add("Full", svc{areas: zip, openings: ptr(0), asOf: &june})
		f.add("Full, undated", svc{areas: zip, openings: ptr(0)})
		f.add("Unknown capacity", svc{areas: zip})
		f.add("Three openings", svc{areas: zip, openings: ptr(3), asOf: &may})

		out := f.match(zipFamily(), match.Options{})
		equal(t, "order", names(out.Results), []string{"Unknown capacity", "Three openings", "Full", "Full, undated"})
		expect(t, out, "Full", true, C(match.InArea, match.Openings), nil)
		for name, want := range map[string]string{
			"Full":           "Had no openings as of 1 June 2025: ask whether a place has come up, or about its waiting list.",
			"Full, undated":  "Had no openings (the listing does not say as of when): ask whether a place has come up, or about its waiting list.",
			"Three openings": "Had 3 openings as of 1 May 2025.",
		} {
			if got := reasonMsg(out, name, match.Openings); got != want {
				t.Errorf("%s:\n got %q\nwant %q", name, got, want)
			}
		}
		expect(t, out, "Unknown capacity", true, C(match.InArea), nil)

		out = f.match(zipFamily(), match.Options{OpeningsOnly: true})
		equal(t, "openings only", names(out.Results), []string{"Unknown capacity", "Three openings"})
		out = f.match(zipFamily(), match.Options{OpeningsOnly: true, IncludeIneligible: true})
		expect(t, out, "Full", false, C(match.InArea), C(match.Openings))
		if got, want := unmetMsg(out, "Full", match.Openings), "Had no openings as of 1 June 2025, and only services with openings were asked for."; got != want {
			t.Errorf("openings only:\n got %q\nwant %q", got, want)
		}
	})
}

// TestMatchWait: a recorded wait is quoted; a wait in days that outlasts
// the family's time left to enrol (a child nearing the oldest age served,
// a pregnancy nearing the last week to enrol) is an unmet rule.
func TestMatchWait(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		zip := []area{zipArea("02121")}
		upTo2 := &directory.Eligibility{MaxAgeMonths: ptr(2)}
		byWeek28 := &directory.Eligibility{AcceptsPregnant: ptr(true), EnrollByPregnancyWeek: ptr(28)}
		f.add("Newborn visits, 60 days", svc{areas: zip, elig: upTo2, waitDays: ptr(60), waitText: "about two months"})
		f.add("Newborn visits, 2 weeks", svc{areas: zip, elig: upTo2, waitDays: ptr(14), waitText: "2 weeks"})
		f.add("Wait in words", svc{areas: zip, waitText: "Waiting list; call for details"})
		f.add("Prenatal, 3 weeks", svc{areas: zip, elig: byWeek28, waitDays: ptr(21)})
		f.add("Prenatal, 2 weeks", svc{areas: zip, elig: byWeek28, waitDays: ptr(14)})

		// Born 10 May 2025: 1 month old on 15 June, past "up to 2 months"
		// on 10 August, in 56 days.
		born := match.Family{ZIP: ptr("02121"), ChildBirthDate: ptr(date("2025-05-10"))}
		out := f.match(born, match.Options{IncludeIneligible: true})
		expect(t, out, "Newborn visits, 60 days", false, C(match.InArea, match.Age), C(match.Wait))
		if got, want := unmetMsg(out, "Newborn visits, 60 days", match.Wait),
			"Reports a wait of 60 days (“about two months”); the child will have outgrown the ages it serves (up to 2 months) by then (in about 8 weeks)."; got != want {
			t.Errorf("too long a wait:\n got %q\nwant %q", got, want)
		}
		expect(t, out, "Newborn visits, 2 weeks", true, C(match.InArea, match.Age, match.Wait), nil)
		if got, want := reasonMsg(out, "Newborn visits, 2 weeks", match.Wait),
			"Reports a wait of 2 weeks (“2 weeks”); the family can still enrol for about 8 weeks: refer soon."; got != want {
			t.Errorf("a wait within the window:\n got %q\nwant %q", got, want)
		}
		if got, want := reasonMsg(out, "Wait in words", match.Wait), "Reports this wait: “Waiting list; call for details”."; got != want {
			t.Errorf("wait in words:\n got %q\nwant %q", got, want)
		}

		// An age in months alone bounds the window by whole months (here
		// 2 months from today, 61 days): the 60-day wait is not held
		// against the family.
		out = f.match(match.Family{ZIP: ptr("02121"), ChildAgeMonths: ptr(1)}, match.Options{})
		expect(t, out, "Newborn visits, 60 days", true, C(match.InArea, match.Age, match.Wait), nil)

		// At week 26, a service enrolling up to week 28 has at most 3
		// weeks left.
		pregnant := match.Family{ZIP: ptr("02121"), PregnancyWeek: ptr(26)}
		out = f.match(pregnant, match.Options{IncludeIneligible: true})
		expect(t, out, "Prenatal, 3 weeks", false, nil, C(match.Wait))
		if got, want := unmetMsg(out, "Prenatal, 3 weeks", match.Wait),
			"Reports a wait of 3 weeks; the family will be past week 28 of pregnancy, the last it enrols at, by then (in about 3 weeks)."; got != want {
			t.Errorf("pregnancy window:\n got %q\nwant %q", got, want)
		}
		expect(t, out, "Prenatal, 2 weeks", true, nil, nil)
	})
}

// TestMatchStale: a listing last verified longer ago than the matcher's
// stale period is said to be, naming the month, and ranks after fresher
// ones; verifiedWithinMonths leaves out older and never-verified listings.
func TestMatchStale(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		zip := []area{zipArea("02121")}
		march2024, lastMonth := date("2024-03-10"), date("2025-05-20")
		f.add("Verified March 2024, near", svc{areas: zip, verified: &march2024, locs: []loc{north(0.01)}})
		f.add("Never verified", svc{areas: zip})
		f.add("Verified last month, far", svc{areas: zip, verified: &lastMonth, locs: []loc{north(0.1)}})

		out := f.match(zipFamily(), match.Options{})
		equal(t, "order", names(out.Results), []string{"Verified last month, far", "Never verified", "Verified March 2024, near"})
		expect(t, out, "Verified March 2024, near", true, C(match.InArea, match.Verified), nil)
		expect(t, out, "Never verified", true, C(match.InArea), nil)
		if got, want := reasonMsg(out, "Verified March 2024, near", match.Verified),
			"Last verified in March 2024, more than 12 months ago: check its details are still current before referring."; got != want {
			t.Errorf("stale:\n got %q\nwant %q", got, want)
		}

		// --stale-after 24: fresh again, and nearer first.
		m := f.at(today)
		m.SetStaleAfterMonths(24)
		out = f.matchWith(m, zipFamily(), match.Options{})
		equal(t, "stale after 24 months", names(out.Results), []string{"Verified March 2024, near", "Verified last month, far", "Never verified"})
		expect(t, out, "Verified March 2024, near", true, C(match.InArea), nil)

		out = f.match(zipFamily(), match.Options{VerifiedWithinMonths: ptr(6), IncludeIneligible: true})
		equal(t, "eligible within 6 months", eligibleNames(out), []string{"Verified last month, far"})
		expect(t, out, "Verified March 2024, near", false, C(match.InArea), C(match.Verified))
		if got, want := unmetMsg(out, "Never verified", match.Verified),
			"No record of when it was last verified, and only listings verified within 6 months were asked for."; got != want {
			t.Errorf("never verified:\n got %q\nwant %q", got, want)
		}
		if _, err := f.m.Match(f.ctx, zipFamily(), match.Options{VerifiedWithinMonths: ptr(0)}); fieldOf(err) != "verifiedWithinMonths" {
			t.Errorf("verifiedWithinMonths 0: %v, want bad input on verifiedWithinMonths", err)
		}
	})
}

// TestMatchWholeOrder pins the precedence of the keys this work added
// among the documented order: needs before openings, openings before
// language, coverage before staleness, every stated area before a
// location, staleness before distance.
func TestMatchWholeOrder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		zip := []area{zipArea("02121")}
		old := date("2023-02-01")
		a, b := f.term("order-a", "First need", nil), f.term("order-b", "Second need", nil)
		both := []*ent.TaxonomyTerm{a, b}
		// Each pair: the first key favours the first named, the second the
		// other; created so that the ID favours the other too.
		f.add("One need, open", svc{areas: zip, needs: both[:1], openings: ptr(2)})
		f.add("Two needs, full", svc{areas: zip, needs: both, openings: ptr(0)})
		out := f.match(match.Family{ZIP: ptr("02121"), Needs: []string{"order-a", "order-b"}}, match.Options{})
		equal(t, "needs before openings", names(out.Results), []string{"Two needs, full", "One need, open"})

		c := f.term("order-c", "Third need", nil)
		f.add("Full, Spanish", svc{areas: zip, needs: []*ent.TaxonomyTerm{c}, openings: ptr(0), langs: []string{"es"}})
		f.add("Open, English", svc{areas: zip, needs: []*ent.TaxonomyTerm{c}, langs: []string{"en"}})
		f.add("State, fresh, near", svc{areas: []area{stateArea("MA")}, needs: []*ent.TaxonomyTerm{c}, langs: []string{"en"}, locs: []loc{north(0.01)}})
		f.add("ZIP, stale, far", svc{areas: zip, needs: []*ent.TaxonomyTerm{c}, langs: []string{"en"}, verified: &old, locs: []loc{north(0.2)}})
		f.add("No area, fresh, near", svc{needs: []*ent.TaxonomyTerm{c}, langs: []string{"en"}, locs: []loc{north(0.01)}})
		f.add("Nationwide, stale, far", svc{areas: []area{nationwide}, needs: []*ent.TaxonomyTerm{c}, langs: []string{"en"}, verified: &old, locs: []loc{north(0.3)}})
		f.add("ZIP, fresh, far", svc{areas: zip, needs: []*ent.TaxonomyTerm{c}, langs: []string{"en"}, locs: []loc{north(0.3)}})
		out = f.match(match.Family{ZIP: ptr("02121"), Needs: []string{"order-c"}, Language: ptr("es")}, match.Options{})
		equal(t, "openings before language", among(out, "Full, Spanish", "Open, English"), []string{"Open, English", "Full, Spanish"})
		equal(t, "coverage, staleness, distance", among(out, "State, fresh, near", "ZIP, stale, far", "No area, fresh, near",
			"Nationwide, stale, far", "ZIP, fresh, far"),
			[]string{"ZIP, fresh, far", "ZIP, stale, far", "State, fresh, near", "Nationwide, stale, far", "No area, fresh, near"})
		// Open, English (ZIP, unverified, no location) ranks with ZIP, fresh:
		// never verified is not stale; no distance comes after a known one.
		equal(t, "unknown distance last within the tier", among(out, "ZIP, fresh, far", "Open, English", "ZIP, stale, far"),
			[]string{"ZIP, fresh, far", "Open, English", "ZIP, stale, far"})
	})
}
