package match_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestMatchCity: a caller who only says "Boston" is placed in all of
// Boston's ZIPs (GeoNames names many by neighbourhood: Dorchester,
// Roxbury, Mattapan); a service covering the whole city's county is in
// area, one covering some of its ZIPs is a CONFIRM, one elsewhere a miss.
func TestMatchCity(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("Dorchester ZIP", svc{areas: []area{zipArea("02121")}})
		f.add("Mattapan ZIP", svc{areas: []area{zipArea("02126")}})
		f.add("Cambridge ZIP", svc{areas: []area{zipArea("02138")}})
		f.add("Suffolk County", svc{areas: []area{countyArea("25025")}})
		f.add("Massachusetts", svc{areas: []area{stateArea("MA")}})
		f.add("Downtown radius", svc{areas: []area{radiusArea(42.3601, -71.0589, 3)}})
		f.add("Texas", svc{areas: []area{stateArea("TX")}})

		for _, city := range []string{"Boston", "boston", "BOSTON."} {
			out := f.match(match.Family{City: ptr(city), State: ptr("MA")}, match.Options{IncludeIneligible: true})
			checkScores(t, out)
			equal(t, city+" family", eligibleNames(out),
				[]string{"Suffolk County", "Downtown radius", "Massachusetts", "Dorchester ZIP", "Mattapan ZIP"})
			expect(t, out, "Suffolk County", true, C(match.InArea), C())
			expect(t, out, "Dorchester ZIP", true, C(match.Confirm), C())
			if got, want := reasonMsg(out, "Mattapan ZIP", match.Confirm), "Covers part of Boston, MA (ZIP 02126): ask for the family's ZIP."; got != want {
				t.Errorf("%s: %q, want %q", city, got, want)
			}
			if got, want := unmetMsg(out, "Cambridge ZIP", match.OutOfArea), "Does not cover Boston, MA."; got != want {
				t.Errorf("%s: %q, want %q", city, got, want)
			}
			if r := find(out, "Dorchester ZIP"); r == nil || r.Coverage == nil || r.Coverage.Kind != servicearea.KindZIP {
				t.Errorf("%s: Dorchester ZIP coverage %+v", city, r)
			}
			if got := out.Place; got.City != "Boston" || got.ZIP != "" || got.Point == nil || !slices.Contains(got.ZIPs, "02121") {
				t.Errorf("%s: place %+v", city, got)
			}
		}

		// A neighbourhood named on its own is its ZIPs alone: Mattapan has
		// one ZIP, so the family is in that ZIP.
		out := f.match(match.Family{City: ptr("Mattapan"), State: ptr("MA")}, match.Options{})
		equal(t, "Mattapan family", names(out.Results), []string{"Mattapan ZIP", "Suffolk County", "Massachusetts"})
		if out.Place.ZIP != "02126" {
			t.Errorf("Mattapan: place %+v, want ZIP 02126", out.Place)
		}
		// Only one state has a Mattapan: the state may be left out.
		out = f.match(match.Family{City: ptr("Mattapan")}, match.Options{})
		if out.Place.ZIP != "02126" || out.Place.State != "MA" {
			t.Errorf("Mattapan without a state: %+v", out.Place)
		}

		// A ZIP with the city: the ZIP, checked against the city.
		out = f.match(match.Family{City: ptr("Boston"), State: ptr("MA"), ZIP: ptr("02121-3305")}, match.Options{})
		equal(t, "Boston 02121", names(out.Results), []string{"Dorchester ZIP", "Suffolk County", "Massachusetts"})
	})
}

// TestMatchCityWithoutState: several states have a Springfield, so the
// worker is told which to ask about.
func TestMatchCityWithoutState(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		_, err := f.m.Match(f.ctx, match.Family{City: ptr("Springfield")}, match.Options{})
		if fieldOf(err) != "family.state" {
			t.Fatalf("Springfield alone: %v, want bad input at family.state", err)
		}
		for _, st := range []string{"IL", "MA", "MO", "OR"} {
			if !strings.Contains(err.Error(), st) {
				t.Errorf("error %q does not list %s", err, st)
			}
		}
	})
}

// TestMatchZIPPlus4: a ZIP+4 places the family in its ZIP.
func TestMatchZIPPlus4(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("Dorchester ZIP", svc{areas: []area{zipArea("02121")}})
		for _, zip := range []string{"02121-1234", "021211234"} {
			out := f.match(match.Family{ZIP: ptr(zip)}, match.Options{})
			equal(t, zip, names(out.Results), []string{"Dorchester ZIP"})
			if out.Place.ZIP != "02121" {
				t.Errorf("%s: place %+v", zip, out.Place)
			}
		}
		p, err := match.ResolveArea(ptr("02121-1234"), nil, nil, nil, nil, nil)
		if err != nil || p.ZIP != "02121" || !slices.Equal(p.ZIPs, []string{"02121"}) {
			t.Errorf("ResolveArea(02121-1234) = %+v, %v", p, err)
		}
	})
}

// TestMatchTerritories: families in Guam, Puerto Rico, the Virgin Islands,
// American Samoa and the Northern Marianas are placed in their own
// territory, with a point to measure distances from.
func TestMatchTerritories(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("Guam", svc{areas: []area{stateArea("GU")}, locs: []loc{{lat: 13.4757, lon: 144.7489}}})
		f.add("American Samoa", svc{areas: []area{stateArea("AS")}})
		f.add("Guam ZIP 96915", svc{areas: []area{zipArea("96915")}})
		f.add("San Juan", svc{areas: []area{countyArea("72127")}, locs: []loc{{lat: 18.4655, lon: -66.1057}}})
		f.add("Near San Juan", svc{areas: []area{radiusArea(18.4655, -66.1057, 20)}})
		f.add("St. Thomas", svc{areas: []area{countyArea("78030")}})
		f.add("Saipan", svc{areas: []area{countyArea("69110")}})
		for zip, want := range map[string][]string{
			"96910": {"Guam"}, "96913": {"Guam"}, "96915": {"Guam ZIP 96915", "Guam"}, "96929": {"Guam"},
			"96799": {"American Samoa"},
			"00901": {"San Juan", "Near San Juan"},
			"00802": {"St. Thomas"},
			"96950": {"Saipan"},
		} {
			out := f.match(match.Family{ZIP: ptr(zip)}, match.Options{})
			equal(t, "ZIP "+zip, names(out.Results), want)
			if out.Place.Point == nil {
				t.Errorf("ZIP %s has no point", zip)
			}
		}
		out := f.match(match.Family{ZIP: ptr("96913")}, match.Options{})
		if d := distanceOf(out, "Guam"); d == nil || *d > 30 {
			t.Errorf("Guam service distance %v, want within the island", d)
		}
		// Guam's ZIPs have no place name: the miss still says whose they are.
		out = f.match(match.Family{ZIP: ptr("96913")}, match.Options{IncludeIneligible: true})
		if got, want := unmetMsg(out, "Guam ZIP 96915", match.OutOfArea), "Does not cover ZIP 96913 (Guam)."; got != want {
			t.Errorf("Guam miss: %q, want %q", got, want)
		}
		out = f.match(match.Family{City: ptr("San Juan"), State: ptr("PR")}, match.Options{})
		if d := distanceOf(out, "San Juan"); d == nil || math.IsNaN(*d) || *d > 20 {
			t.Errorf("San Juan city: distance %v", d)
		}
	})
}

// TestResolveAreaCity resolves a city with its state to its ZIPs and centre.
func TestResolveAreaCity(t *testing.T) {
	p, err := match.ResolveArea(nil, nil, ptr("Boston"), ptr("MA"), nil, nil)
	if err != nil || p.City != "Boston" || p.State != "MA" || p.Point == nil || len(p.ZIPs) < 30 ||
		!slices.Contains(p.ZIPs, "02121") || len(p.Counties) == 0 || p.Counties[0].FIPS != "25025" {
		t.Errorf("Boston, MA: %+v, %v", p, err)
	}
	p, err = match.ResolveArea(nil, ptr("25025"), nil, nil, nil, nil)
	if err != nil || !slices.Contains(p.ZIPs, "02121") || slices.Contains(p.ZIPs, "02138") {
		t.Errorf("county 25025 ZIPs: %v, %v", p.ZIPs, err)
	}
	for _, c := range []struct {
		city, state *string
		field       string
	}{
		{ptr("Springfield"), nil, "state"},
		{nil, ptr("MA"), "state"},
		{ptr("Nowhere Such"), ptr("MA"), "city"},
	} {
		_, err := match.ResolveArea(nil, nil, c.city, c.state, nil, nil)
		if got := fieldOf(err); got != c.field {
			t.Errorf("ResolveArea(city %v, state %v): %v at %q, want %q", c.city, c.state, err, got, c.field)
		}
	}
}
