package geo

import (
	"cmp"
	"fmt"
	"iter"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

func countyCodes(cs []County) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.FIPS
	}
	return out
}

func mustZIP(t *testing.T, zip string) Place {
	t.Helper()
	p, ok := LookupZIP(zip)
	if !ok {
		t.Fatalf("LookupZIP(%q) not found", zip)
	}
	return p
}

func TestLookupZIPBoston(t *testing.T) {
	p := mustZIP(t, "02121")
	want := Place{
		ZIP: "02121", PlaceName: "Dorchester", StateCode: "MA",
		Counties: []County{{FIPS: "25025", Name: "Suffolk", StateCode: "MA"}},
		Latitude: 42.2973, Longitude: -71.0745, HasCentroid: true,
	}
	if fmt.Sprint(p) != fmt.Sprint(want) {
		t.Errorf("LookupZIP(02121) = %+v, want %+v", p, want)
	}
}

func TestLookupZIPMultiCounty(t *testing.T) {
	// Dawsonville GA: GeoNames says Dawson; HUD adds five more counties.
	p := mustZIP(t, "30534")
	want := []string{"13085", "13057", "13117", "13123", "13187", "13227"}
	if got := countyCodes(p.Counties); !slices.Equal(got, want) {
		t.Errorf("30534 counties = %v, want %v (GeoNames' Dawson first)", got, want)
	}
	for _, c := range p.Counties {
		if c.StateCode != "GA" || c.Name == "" {
			t.Errorf("30534 county %+v", c)
		}
	}
	if p.Counties[0].Name != "Dawson" || p.Counties[5].Name != "Pickens" {
		t.Errorf("30534 county names %+v", p.Counties)
	}

	// San Juan PR 00926 is in seven municipios, known only to HUD.
	p = mustZIP(t, "00926")
	want = []string{"72021", "72025", "72031", "72033", "72061", "72127", "72139"}
	if got := countyCodes(p.Counties); !slices.Equal(got, want) {
		t.Errorf("00926 counties = %v, want %v", got, want)
	}
	// Names come from the Census table (HUD strips accents: "Catano").
	if p.Counties[3].Name != "Cataño" {
		t.Errorf("72033 named %q, want Cataño", p.Counties[3].Name)
	}
}

// TestLookupZIPTerritories checks every territory's ZIPs resolve to their
// own territory, with a centre: GeoNames' US table lacks them, the HUD
// crosswalk copy put Guam in American Samoa, and buildgeo places them by
// their county-equivalent (see territory.go).
func TestLookupZIPTerritories(t *testing.T) {
	p := mustZIP(t, "00601")
	if got := countyCodes(p.Counties); !slices.Equal(got, []string{"72113", "72001"}) && !slices.Equal(got, []string{"72001", "72113"}) {
		t.Errorf("LookupZIP(00601) counties = %v", p.Counties)
	}
	if p.StateCode != "PR" || !p.HasCentroid {
		t.Errorf("LookupZIP(00601) = %+v, want a Puerto Rico place with a centre", p)
	}
	for _, tc := range []struct {
		zip, state, county string
		lat, lon           float64 // roughly; within 1.5 degrees
	}{
		{"96910", "GU", "66010", 13.45, 144.76},
		{"96913", "GU", "66010", 13.45, 144.76},
		{"96915", "GU", "66010", 13.45, 144.76},
		{"96929", "GU", "66010", 13.45, 144.76},
		{"96799", "AS", "60010", -14.28, -170.70},
		{"96950", "MP", "69110", 15.2, 145.75},
		{"96952", "MP", "69120", 14.97, 145.62},
		{"00802", "VI", "78030", 18.34, -64.93},
		{"00820", "VI", "78010", 17.74, -64.73},
		{"00901", "PR", "72127", 18.45, -66.07},
	} {
		p := mustZIP(t, tc.zip)
		if p.StateCode != tc.state || len(p.Counties) == 0 || p.Counties[0].FIPS != tc.county {
			t.Errorf("LookupZIP(%s) = %s %v, want %s %s", tc.zip, p.StateCode, countyCodes(p.Counties), tc.state, tc.county)
		}
		if !p.HasCentroid || math.Abs(p.Latitude-tc.lat) > 1.5 || math.Abs(p.Longitude-tc.lon) > 1.5 {
			t.Errorf("LookupZIP(%s) centre = %v, %v (%v), want near %v, %v", tc.zip, p.Latitude, p.Longitude, p.HasCentroid, tc.lat, tc.lon)
		}
	}
	// Every Puerto Rico ZIP has a centre on the island.
	n := 0
	for zip, p := range allZIPs() {
		if p.StateCode != "PR" {
			continue
		}
		n++
		if !p.HasCentroid || p.Latitude < 17.8 || p.Latitude > 18.6 || p.Longitude < -67.4 || p.Longitude > -65.2 {
			t.Errorf("PR ZIP %s centre %v, %v (%v) is not on Puerto Rico", zip, p.Latitude, p.Longitude, p.HasCentroid)
		}
	}
	if n < 150 {
		t.Errorf("%d Puerto Rico ZIPs, want the crosswalk's 160 or more", n)
	}
	// No Guam ZIP lies in American Samoa any more.
	for zip, p := range allZIPs() {
		if strings.HasPrefix(zip, "969") && zip <= "96932" && p.StateCode != "GU" {
			t.Errorf("ZIP %s resolves to %s, want GU", zip, p.StateCode)
		}
	}
}

func TestLookupZIPDuplicateHawaii(t *testing.T) {
	for zip, name := range map[string]string{"96860": "Jbphh", "96863": "Mcbh Kaneohe Bay"} {
		p := mustZIP(t, zip)
		if p.StateCode != "HI" || p.PlaceName != name || !slices.Equal(countyCodes(p.Counties), []string{"15003"}) ||
			p.Latitude != 21.316 || p.Longitude != -157.8677 {
			t.Errorf("LookupZIP(%s) = %+v, want the Hawaii row (%s, Honolulu 15003)", zip, p, name)
		}
	}
}

func TestLookupZIPMilitaryAndOdd(t *testing.T) {
	p := mustZIP(t, "09001") // a ZIP, not Fairfield County
	if p.PlaceName != "APO AA" || p.StateCode != "" || len(p.Counties) != 0 || !p.HasCentroid {
		t.Errorf("LookupZIP(09001) = %+v, want military APO AA without state or county", p)
	}
	// Marshall Islands: a GeoNames state code outside the Census table.
	p = mustZIP(t, "96960")
	if p.StateCode != "MH" || len(p.Counties) != 0 {
		t.Errorf("LookupZIP(96960) = %+v", p)
	}
	if s, ok := LookupState("MH"); !ok || s.FIPS != "68" {
		t.Errorf("LookupState(MH) = %+v, %v", s, ok)
	}
	// GeoNames puts the Pentagon in DC; HUD in Arlington VA.
	p = mustZIP(t, "20301")
	if p.StateCode != "DC" || !slices.Equal(countyCodes(p.Counties), []string{"11001", "51013"}) {
		t.Errorf("LookupZIP(20301) = %+v", p)
	}
	for _, z := range []string{"", "0212", "021211", "02121-1234", "abcde", "00000", "99999"} {
		if p, ok := LookupZIP(z); ok {
			t.Errorf("LookupZIP(%q) = %+v, want not found", z, p)
		}
	}
}

func TestConnecticut(t *testing.T) {
	p := mustZIP(t, "06604")
	want := []County{{"09120", "Connecticut Metropolitan", "CT"}, {"09001", "Fairfield", "CT"}}
	if !slices.Equal(p.Counties, want) {
		t.Errorf("06604 counties = %+v, want %+v", p.Counties, want)
	}
	for code, want := range map[string][]string{
		"09001": {"09001", "09120", "09140", "09190"},
		"09120": {"09120", "09001"},
		"09190": {"09190", "09001", "09005"},
		"09003": {"09003", "09110", "09140", "09160", "09170"},
		"09170": {"09170", "09003", "09009"},
	} {
		if got := EquivalentCounties(code); !slices.Equal(got, want) {
			t.Errorf("EquivalentCounties(%s) = %v, want %v", code, got, want)
		}
	}
	// Symmetry, and the total: 28 planning-region/old-county pairs.
	pairs := 0
	for _, a := range []string{"09110", "09120", "09130", "09140", "09150", "09160", "09170", "09180", "09190"} {
		if c, ok := LookupCounty(a); !ok || c.StateCode != "CT" || c.Name == "" {
			t.Errorf("LookupCounty(%s) = %+v, %v", a, c, ok)
		}
		for _, b := range EquivalentCounties(a)[1:] {
			pairs++
			if b < "09001" || b > "09015" {
				t.Errorf("%s equivalent to %s, want an old CT county", a, b)
			}
			if !slices.Contains(EquivalentCounties(b), a) {
				t.Errorf("%s ~ %s but not back", a, b)
			}
		}
	}
	if pairs != 28 {
		t.Errorf("%d Connecticut pairs, want 28", pairs)
	}
}

func TestAlaskaAndRetiredCodes(t *testing.T) {
	for code, want := range map[string][]string{
		"02261": {"02261", "02063", "02066"},
		"02063": {"02063", "02261"},
		"02066": {"02066", "02261"},
		"02270": {"02270", "02158"},
		"02158": {"02158", "02270"},
		"46113": {"46113", "46102"},
		"46102": {"46102", "46113"},
		"02232": {"02232", "02105", "02230"},
		"25025": {"25025"},
		"00000": {"00000"},
		"2502":  nil,
	} {
		if got := EquivalentCounties(code); !slices.Equal(got, want) {
			t.Errorf("EquivalentCounties(%q) = %v, want %v", code, got, want)
		}
	}
	for code, name := range map[string]string{
		"02261": "Valdez-Cordova", "02063": "Chugach", "02066": "Copper River",
		"02270": "Wade Hampton", "02158": "Kusilvak", "46113": "Shannon", "46102": "Oglala Lakota",
	} {
		if c, ok := LookupCounty(code); !ok || c.Name != name || c.FIPS != code {
			t.Errorf("LookupCounty(%s) = %+v, %v, want %s", code, c, ok, name)
		}
	}
	// Valdez: GeoNames has the 2019 code, HUD the old one.
	if got := countyCodes(mustZIP(t, "99686").Counties); !slices.Equal(got, []string{"02063", "02261"}) {
		t.Errorf("99686 counties = %v", got)
	}
	// Pine Ridge SD: Oglala Lakota (GeoNames) and Shannon (HUD).
	if got := countyCodes(mustZIP(t, "57770").Counties); !slices.Equal(got, []string{"46102", "46113"}) {
		t.Errorf("57770 counties = %v", got)
	}
}

func TestStatesAndCounties(t *testing.T) {
	if s, ok := LookupState("MA"); !ok || s != (State{"MA", "25", "Massachusetts"}) {
		t.Errorf("LookupState(MA) = %+v, %v", s, ok)
	}
	if s, ok := StateByFIPS("72"); !ok || s.Code != "PR" {
		t.Errorf("StateByFIPS(72) = %+v, %v", s, ok)
	}
	if _, ok := LookupState("ma"); ok {
		t.Error("LookupState(ma) found")
	}
	if c, ok := LookupCounty("25025"); !ok || c != (County{"25025", "Suffolk", "MA"}) {
		t.Errorf("LookupCounty(25025) = %+v, %v", c, ok)
	}
	if _, ok := LookupCounty("25999"); ok {
		t.Error("LookupCounty(25999) found")
	}
}

func TestNearestZIP(t *testing.T) {
	for _, tc := range []struct {
		lat, lon float64
		zip      string
		km       float64
	}{
		// 02121, 02122 and 02125 share a centroid; the lowest ZIP wins.
		{42.3097, -71.0621, "02121", 1.715},
		{41.1796, -73.2019, "06604", 0},
		{21.3, -157.85, "96814", 0.632},
		// Across the antimeridian, from 179.5°E to Adak at 176.7°W.
		{52.0, 179.5, "99546", 265.372},
		// Far from anything: still an answer, with a large distance.
		{0, 0, "00820", 7339.492},
	} {
		p, km, ok := NearestZIP(tc.lat, tc.lon)
		if !ok || p.ZIP != tc.zip || math.Abs(km-tc.km) > 0.01 {
			t.Errorf("NearestZIP(%v, %v) = %s, %.3f km, %v; want %s, %.3f km", tc.lat, tc.lon, p.ZIP, km, ok, tc.zip, tc.km)
		}
	}
	for _, c := range [][2]float64{{math.NaN(), 0}, {91, 0}, {0, -181}, {math.Inf(1), 0}} {
		if _, _, ok := NearestZIP(c[0], c[1]); ok {
			t.Errorf("NearestZIP(%v) ok", c)
		}
	}
}

// TestNearestZIPMatchesLinearScan checks the grid search against a scan of
// every candidate, at random points near the data and anywhere on Earth.
func TestNearestZIPMatchesLinearScan(t *testing.T) {
	g := &data().grid
	if len(g.pts) < 40000 {
		t.Fatalf("only %d NearestZIP candidates", len(g.pts))
	}
	byLat := slices.SortedFunc(slices.Values(g.pts), func(a, b nearPoint) int { return cmp.Compare(a.lat, b.lat) })
	rng := rand.New(rand.NewPCG(1, 2))
	n := 400
	if testing.Short() {
		n = 100
	}
	for i := range n {
		var lat, lon float64
		if i%3 == 0 {
			lat, lon = rng.Float64()*180-90, rng.Float64()*360-180
		} else {
			p := g.pts[rng.IntN(len(g.pts))]
			lat = max(-90, min(90, p.lat+rng.NormFloat64()*2))
			lon = math.Mod(p.lon+rng.NormFloat64()*2+540, 360) - 180
		}
		got, km, ok := NearestZIP(lat, lon)
		if !ok {
			t.Fatalf("NearestZIP(%v, %v) not ok", lat, lon)
		}
		// The linear scan, in latitude order outward from the query: a
		// point ever farther in latitude alone than the best so far
		// (great-circle distance ≥ R·|Δlatitude|) ends that direction, so
		// every point that could be nearer, or tie, is still measured.
		best, bestKm := "", math.Inf(1)
		measure := func(p nearPoint) bool {
			if EarthRadiusKm*math.Abs(p.lat-lat)*math.Pi/180 > bestKm+1e-9 {
				return false
			}
			d := DistanceKm(lat, lon, p.lat, p.lon)
			z := data().zips[p.idx].zip
			if d < bestKm-1e-9 || (math.Abs(d-bestKm) <= 1e-9 && z < best) {
				best, bestKm = z, d
			}
			return true
		}
		start, _ := slices.BinarySearchFunc(byLat, lat, func(p nearPoint, lat float64) int { return cmp.Compare(p.lat, lat) })
		for up, down := start, start-1; up < len(byLat) || down >= 0; {
			if up < len(byLat) && !measure(byLat[up]) {
				up = len(byLat)
			} else {
				up++
			}
			if down >= 0 && !measure(byLat[down]) {
				down = -1
			} else {
				down--
			}
		}
		if math.Abs(km-bestKm) > 1e-6 || (got.ZIP != best && math.Abs(DistanceKm(lat, lon, got.Latitude, got.Longitude)-bestKm) > 1e-6) {
			t.Errorf("NearestZIP(%v, %v) = %s %.6f km, linear scan %s %.6f km", lat, lon, got.ZIP, km, best, bestKm)
		}
	}
}

func TestDistanceKm(t *testing.T) {
	if d := DistanceKm(42.3601, -71.0589, 40.7128, -74.0060); math.Abs(d-306) > 2 {
		t.Errorf("Boston-New York = %.1f km, want about 306", d)
	}
	if d := DistanceKm(10, 20, 10, 20); d != 0 {
		t.Errorf("zero distance = %v", d)
	}
	if d, want := DistanceKm(0, 0, 0, 180), math.Pi*EarthRadiusKm; math.Abs(d-want) > 1e-6 {
		t.Errorf("antipodes = %v, want %v", d, want)
	}
	if d1, d2 := DistanceKm(1, 2, 3, 4), DistanceKm(3, 4, 1, 2); d1 != d2 {
		t.Errorf("asymmetric: %v vs %v", d1, d2)
	}
}

func TestValidators(t *testing.T) {
	for s, want := range map[string]bool{"02121": true, "00000": true, "2121": false, "021210": false, "0212a": false, " 2121": false, "": false, "０２１２１": false} {
		if ValidZIP(s) != want || ValidCountyFIPS(s) != want {
			t.Errorf("ValidZIP/ValidCountyFIPS(%q) = %v/%v, want %v", s, ValidZIP(s), ValidCountyFIPS(s), want)
		}
	}
	for s, want := range map[string]bool{"MA": true, "DC": true, "PR": true, "GU": true, "ma": false, "Ma": false, "XX": false, "M": false, "MAS": false, "": false} {
		if ValidStateCode(s) != want {
			t.Errorf("ValidStateCode(%q) = %v, want %v", s, !want, want)
		}
	}
}

// TestDataIntegrity checks properties every row should have.
func TestDataIntegrity(t *testing.T) {
	d := data()
	if len(d.zips) != 41669 || len(d.counties) != 3245 || len(d.states) != 57 {
		t.Errorf("%d ZIPs, %d counties, %d states; want 41669, 3245, 57", len(d.zips), len(d.counties), len(d.states))
	}
	noCentroid := 0
	for zip, p := range allZIPs() {
		if p.ZIP != zip || !ValidZIP(zip) {
			t.Fatalf("ZIP key %q holds %+v", zip, p)
		}
		if !p.HasCentroid {
			noCentroid++
		}
		seen := map[string]bool{}
		for _, c := range p.Counties {
			if seen[c.FIPS] {
				t.Errorf("%s lists county %s twice", zip, c.FIPS)
			}
			seen[c.FIPS] = true
		}
		if p.StateCode != "" && len(p.Counties) == 0 && p.StateCode != "MH" {
			t.Errorf("%s (%s) has no county", zip, p.StateCode)
		}
	}
	// 56998 and 88888 (DC, HUD only) and Rota's 96951 (no GeoNames place on
	// Rota to place it by).
	if noCentroid != 3 {
		t.Errorf("%d ZIPs without centroid, want 3", noCentroid)
	}
}

// TestReturnedSlicesAreCopies checks callers cannot corrupt the tables.
func TestReturnedSlicesAreCopies(t *testing.T) {
	p := mustZIP(t, "06604")
	p.Counties[0].Name = "changed"
	if mustZIP(t, "06604").Counties[0].Name != "Connecticut Metropolitan" {
		t.Error("LookupZIP result aliases the table")
	}
	e := EquivalentCounties("09001")
	e[1] = "x"
	if EquivalentCounties("09001")[1] != "09120" {
		t.Error("EquivalentCounties result aliases the table")
	}
}

func TestConcurrentLookup(t *testing.T) {
	zips := []string{"02121", "06604", "30534", "00926", "96860", "99686", "09001", "12345", "nope"}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 500 {
				z := zips[(g+i)%len(zips)]
				if p, ok := LookupZIP(z); ok {
					if p.ZIP != z {
						t.Errorf("LookupZIP(%s) = %s", z, p.ZIP)
					}
					for j := range p.Counties {
						p.Counties[j].Name = "scribble" // must not race
					}
				}
				NearestZIP(42+float64(i%10)/10, -71-float64(g)/10)
				EquivalentCounties("09001")
				ValidStateCode("MA")
			}
		})
	}
	wg.Wait()
	if p := mustZIP(t, "02121"); p.Counties[0].Name != "Suffolk" {
		t.Errorf("table modified: %+v", p)
	}
}

// allZIPs yields every ZIP of the tables with its Place.
func allZIPs() iter.Seq2[string, Place] {
	return func(yield func(string, Place) bool) {
		t := data()
		for i := range t.zips {
			if !yield(t.zips[i].zip, t.place(i)) {
				return
			}
		}
	}
}

// TestLoadFromScratch loads the embedded tables again (the cached copy is
// bypassed), so a corrupt data file fails here rather than at first use in
// production. Load speed is measured by BenchmarkLoad, not here.
func TestLoadFromScratch(t *testing.T) {
	if _, err := load(); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookupZIP(b *testing.B) {
	data()
	zips := []string{"02121", "06604", "30534", "00926", "94110", "60614"}
	i := 0
	for b.Loop() {
		LookupZIP(zips[i%len(zips)])
		i++
	}
}

func BenchmarkNearestZIP(b *testing.B) {
	data()
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([][2]float64, 1024)
	for i := range pts { // points across the contiguous US
		pts[i] = [2]float64{25 + rng.Float64()*24, -124 + rng.Float64()*57}
	}
	i := 0
	for b.Loop() {
		p := pts[i%len(pts)]
		NearestZIP(p[0], p[1])
		i++
	}
}

func TestCountyFullName(t *testing.T) {
	for fips, want := range map[string]string{
		"25025": "Suffolk County",
		"24005": "Baltimore County",
		"24510": "Baltimore City", // same name as 24005 in the table
		"29189": "St. Louis County",
		"29510": "St. Louis City",
		"32510": "Carson City",
		"51760": "Richmond City",
		"51087": "Henrico County",
		"51036": "Charles City County", // a county whose name ends in City
		"48501": "Yoakum County",       // Texas codes pass 500 and are counties
		"22071": "Orleans Parish",
		"72127": "San Juan Municipio",
		"11001": "District of Columbia",
		"02020": "Anchorage",
		"09110": "Capitol Region",
		"09001": "Fairfield County",
		"66010": "Guam",
	} {
		c, ok := LookupCounty(fips)
		if !ok {
			t.Errorf("%s: not in the table", fips)
			continue
		}
		if got := c.FullName(); got != want {
			t.Errorf("%s (%s): FullName %q, want %q", fips, c.Name, got, want)
		}
	}
}
