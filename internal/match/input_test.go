package match_test

import (
	"testing"

	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestMatchBadInput: every input the issue calls bad, and a few more, names
// the field at fault.
func TestMatchBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.term("home-visiting", "Home visiting", nil)
		f.add("Anything", svc{areas: []area{nationwide}})
		zip := ptr("02121")
		for _, c := range []struct {
			name   string
			family match.Family
			field  string
		}{
			{"no place at all", match.Family{ChildAgeMonths: ptr(3)}, "family.zip"},
			{"unknown ZIP", match.Family{ZIP: ptr("99999")}, "family.zip"},
			{"malformed ZIP", match.Family{ZIP: ptr("2121")}, "family.zip"},
			{"short ZIP+4", match.Family{ZIP: ptr("02121-12")}, "family.zip"},
			{"ZIP+4 with a space", match.Family{ZIP: ptr("02121 1234")}, "family.zip"},
			{"city without a state, in several", match.Family{City: ptr("Springfield")}, "family.state"},
			{"unknown city", match.Family{City: ptr("Nowhere Such"), State: ptr("MA")}, "family.city"},
			{"city not in the state", match.Family{City: ptr("Boston"), State: ptr("TX")}, "family.city"},
			{"ZIP outside the city", match.Family{City: ptr("Boston"), State: ptr("MA"), ZIP: ptr("02138")}, "family.city"},
			{"empty city", match.Family{City: ptr(" . "), State: ptr("MA")}, "family.city"},
			{"malformed county", match.Family{CountyFIPS: ptr("2502")}, "family.countyFips"},
			{"unknown county", match.Family{CountyFIPS: ptr("25999")}, "family.countyFips"},
			{"lower-case state", match.Family{State: ptr("ma")}, "family.state"},
			{"unknown state", match.Family{State: ptr("ZZ")}, "family.state"},
			{"latitude alone", match.Family{Latitude: ptr(42.3)}, "family.longitude"},
			{"longitude alone", match.Family{Longitude: ptr(-71.0)}, "family.latitude"},
			{"latitude out of range", match.Family{Latitude: ptr(95.0), Longitude: ptr(-71.0)}, "family.latitude"},
			{"coordinates in the ocean", match.Family{Latitude: ptr(0.0), Longitude: ptr(0.0)}, "family.latitude"},
			{"county outside the ZIP", match.Family{ZIP: zip, CountyFIPS: ptr("25017")}, "family.countyFips"},
			{"state not the ZIP's", match.Family{ZIP: zip, State: ptr("NH")}, "family.state"},
			{"state not the county's", match.Family{CountyFIPS: ptr("25025"), State: ptr("NH")}, "family.state"},
			{"negative age", match.Family{ZIP: zip, ChildAgeMonths: ptr(-1)}, "family.childAgeMonths"},
			{"both age fields", match.Family{ZIP: zip, ChildAgeMonths: ptr(3), ChildBirthDate: ptr(date("2025-03-01"))}, "family.childBirthDate"},
			{"birth date in the future", match.Family{ZIP: zip, ChildBirthDate: ptr(date("2025-06-16"))}, "family.childBirthDate"},
			{"pregnancy week 0", match.Family{ZIP: zip, PregnancyWeek: ptr(0)}, "family.pregnancyWeek"},
			{"pregnancy week 43", match.Family{ZIP: zip, PregnancyWeek: ptr(43)}, "family.pregnancyWeek"},
			{"week for a family not pregnant", match.Family{ZIP: zip, Pregnant: ptr(false), PregnancyWeek: ptr(20)}, "family.pregnancyWeek"},
			{"due date for a family not pregnant", match.Family{ZIP: zip, Pregnant: ptr(false), DueDate: ptr(date("2025-09-01"))}, "family.dueDate"},
			{"week and due date", match.Family{ZIP: zip, PregnancyWeek: ptr(20), DueDate: ptr(date("2025-09-01"))}, "family.dueDate"},
			{"due date too far", match.Family{ZIP: zip, DueDate: ptr(date("2026-03-20"))}, "family.dueDate"},   // 278 days away
			{"due date long past", match.Family{ZIP: zip, DueDate: ptr(date("2025-05-25"))}, "family.dueDate"}, // 21 days past: week 43
			{"income without household size", match.Family{ZIP: zip, AnnualIncome: ptr(30000)}, "family.householdSize"},
			{"household size without income", match.Family{ZIP: zip, HouseholdSize: ptr(3)}, "family.annualIncome"},
			{"household of 0", match.Family{ZIP: zip, HouseholdSize: ptr(0), AnnualIncome: ptr(1)}, "family.householdSize"},
			{"negative income", match.Family{ZIP: zip, HouseholdSize: ptr(2), AnnualIncome: ptr(-1)}, "family.annualIncome"},
			{"unknown need", match.Family{ZIP: zip, Needs: []string{"nope"}}, "family.needs[0]"},
			{"second need unknown", match.Family{ZIP: zip, Needs: []string{"home-visiting", "nope"}}, "family.needs[1]"},
			{"need twice", match.Family{ZIP: zip, Needs: []string{"home-visiting", "home-visiting"}}, "family.needs[1]"},
			{"language not a code", match.Family{ZIP: zip, Language: ptr("Spanish")}, "family.language"},
			{"mode twice", match.Family{ZIP: zip, DeliveryModes: []directory.DeliveryMode{directory.InHome, directory.InHome}}, "family.deliveryModes[1]"},
			{"zero travel limit", match.Family{ZIP: zip, MaxDistanceKm: ptr(0.0)}, "family.maxDistanceKm"},
			{"negative travel limit", match.Family{ZIP: zip, MaxDistanceKm: ptr(-3.0)}, "family.maxDistanceKm"},
		} {
			out, err := f.m.Match(f.ctx, c.family, match.Options{IncludeIneligible: true})
			if got := fieldOf(err); got != c.field {
				t.Errorf("%s: %v (outcome %v), want bad input at %s", c.name, err, out, c.field)
			}
		}

		// The edges of what is accepted.
		for _, fam := range []match.Family{
			{ZIP: zip, PregnancyWeek: ptr(1)},
			{ZIP: zip, PregnancyWeek: ptr(42)},
			{ZIP: zip, DueDate: ptr(date("2025-06-01"))}, // 14 days past: week 42
			{ZIP: zip, DueDate: ptr(date("2026-03-15"))}, // 273 days away: week 1
			{ZIP: zip, ChildAgeMonths: ptr(0)},
			{ZIP: zip, ChildBirthDate: ptr(date("2025-06-15"))}, // born today
			{ZIP: zip, HouseholdSize: ptr(1), AnnualIncome: ptr(0)},
			{ZIP: zip, Language: ptr("spa")},
		} {
			if _, err := f.m.Match(f.ctx, fam, match.Options{}); err != nil {
				t.Errorf("%+v: %v", fam, err)
			}
		}
	})
}
