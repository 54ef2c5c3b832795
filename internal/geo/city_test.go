package geo

import (
	"slices"
	"testing"
)

func TestNormalizeZIP(t *testing.T) {
	for in, want := range map[string]string{"02121": "02121", "02121-1234": "02121", "021211234": "02121"} {
		if got, ok := NormalizeZIP(in); !ok || got != want {
			t.Errorf("NormalizeZIP(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "2121", "02121-", "02121-12", "0212112345", "02121 1234", "0212a", "02121-123a"} {
		if got, ok := NormalizeZIP(in); ok {
			t.Errorf("NormalizeZIP(%q) = %q, want refused", in, got)
		}
	}
}

func TestCityKey(t *testing.T) {
	for _, same := range [][]string{
		{"St. Louis", "Saint Louis", "ST LOUIS", " saint   louis "},
		{"Coeur d'Alene", "Coeur dAlene", "coeur d’alene"},
		{"Winston-Salem", "Winston Salem"},
		{"Ft. Worth", "Fort Worth"},
	} {
		for _, s := range same[1:] {
			if CityKey(s) != CityKey(same[0]) {
				t.Errorf("CityKey(%q) = %q, CityKey(%q) = %q; want equal", s, CityKey(s), same[0], CityKey(same[0]))
			}
		}
	}
}

func TestLookupCity(t *testing.T) {
	boston, ok := LookupCity("boston", "MA")
	if !ok || boston.Name != "Boston" || boston.StateCode != "MA" || !boston.HasCentre {
		t.Fatalf("LookupCity(boston, MA) = %+v, %v", boston, ok)
	}
	// Boston includes the neighbourhoods GeoNames names on their own.
	for _, zip := range []string{"02108", "02119", "02121", "02124", "02126", "02130", "02136"} {
		if !slices.Contains(boston.ZIPs, zip) {
			t.Errorf("Boston's ZIPs %v lack %s", boston.ZIPs, zip)
		}
	}
	if slices.Contains(boston.ZIPs, "02138") { // Cambridge
		t.Errorf("Boston's ZIPs include Cambridge's 02138")
	}
	if d := DistanceKm(boston.Latitude, boston.Longitude, 42.33, -71.07); d > 10 {
		t.Errorf("Boston's centre %v, %v is %.1f km from the city", boston.Latitude, boston.Longitude, d)
	}
	// A neighbourhood by its own name is that neighbourhood alone.
	dorchester, ok := LookupCity("Dorchester", "MA")
	if !ok || slices.Contains(dorchester.ZIPs, "02108") || !slices.Contains(dorchester.ZIPs, "02121") {
		t.Errorf("LookupCity(Dorchester, MA) = %+v, %v", dorchester, ok)
	}
	// St. vs Saint, case and punctuation.
	a, ok1 := LookupCity("St. Louis", "MO")
	b, ok2 := LookupCity("SAINT LOUIS", "MO")
	if !ok1 || !ok2 || !slices.Equal(a.ZIPs, b.ZIPs) || len(a.ZIPs) < 20 {
		t.Errorf("St. Louis = %d ZIPs (%v), SAINT LOUIS = %d ZIPs (%v)", len(a.ZIPs), ok1, len(b.ZIPs), ok2)
	}
	// Territories resolve by their municipios.
	if sj, ok := LookupCity("San Juan", "PR"); !ok || len(sj.ZIPs) < 10 || !sj.HasCentre {
		t.Errorf("LookupCity(San Juan, PR) = %+v, %v", sj, ok)
	}
	if _, ok := LookupCity("Boston", "TX"); ok {
		t.Error("Boston, TX resolved")
	}
	if _, ok := LookupCity("Nowhere Such", "MA"); ok {
		t.Error("an unknown name resolved")
	}
}

func TestCityStates(t *testing.T) {
	states := CityStates("springfield")
	for _, s := range []string{"IL", "MA", "MO"} {
		if !slices.Contains(states, s) {
			t.Errorf("CityStates(springfield) = %v, lacks %s", states, s)
		}
	}
	if !slices.IsSorted(states) {
		t.Errorf("CityStates not sorted: %v", states)
	}
	if got := CityStates("Mattapan"); !slices.Equal(got, []string{"MA"}) {
		t.Errorf("CityStates(Mattapan) = %v, want [MA]", got)
	}
	if got := CityStates("nowhere such"); len(got) != 0 {
		t.Errorf("CityStates(nowhere such) = %v", got)
	}
}

func TestCountyZIPs(t *testing.T) {
	zips := CountyZIPs("25025") // Suffolk County, MA
	if !slices.Contains(zips, "02121") || !slices.Contains(zips, "02150") || slices.Contains(zips, "02138") || !slices.IsSorted(zips) {
		t.Errorf("CountyZIPs(25025) = %v", zips)
	}
	if got := CountyZIPs("66010"); !slices.Contains(got, "96910") || !slices.Contains(got, "96929") {
		t.Errorf("CountyZIPs(66010) = %v, want Guam's ZIPs", got)
	}
}

// TestCityPartsExist: every neighbourhood listed as part of a city is a
// place name GeoNames uses in that state, so none is silently ignored.
func TestCityPartsExist(t *testing.T) {
	for city, parts := range cityParts {
		for _, part := range parts {
			if len(data().cities.find(part, city[1])) == 0 {
				t.Errorf("%s, %s: part %q names no ZIP", city[0], city[1], part)
			}
		}
	}
}
