package match_test

import (
	"math"
	"slices"
	"testing"

	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// TestMatchCoverageKinds puts one service in and one just out of a Dorchester
// family's area for each kind of coverage.
func TestMatchCoverageKinds(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("ZIP 02121", svc{areas: []area{zipArea("02121")}})
		f.add("ZIP 02130", svc{areas: []area{zipArea("02130")}})
		f.add("Suffolk County", svc{areas: []area{countyArea("25025")}})
		f.add("Middlesex County", svc{areas: []area{countyArea("25017")}})
		f.add("Massachusetts", svc{areas: []area{stateArea("MA")}})
		f.add("New Hampshire", svc{areas: []area{stateArea("NH")}})
		f.add("Nationwide", svc{areas: []area{nationwide}})
		f.add("Online", svc{areas: []area{online}})
		// The centre is 0.09° north of the family: 10.00756 km. The
		// circles miss or reach it by less than a metre.
		f.add("Radius just inside", svc{areas: []area{radiusArea(dorchesterLat+0.09, dorchesterLon, 10.008)}})
		f.add("Radius just outside", svc{areas: []area{radiusArea(dorchesterLat+0.09, dorchesterLon, 10.007)}})
		f.add("Text only", svc{areas: []area{textArea("Greater Boston")}})

		out := f.match(zipFamily(), match.Options{})
		// ZIP, COUNTY and RADIUS are one tier, then STATE, then NATIONWIDE
		// and ONLINE; ties by ID (creation order).
		equal(t, "02121 family", names(out.Results),
			[]string{"ZIP 02121", "Suffolk County", "Radius just inside", "Massachusetts", "Nationwide", "Online"})
		for name, kind := range map[string]servicearea.Kind{
			"ZIP 02121": servicearea.KindZIP, "Suffolk County": servicearea.KindCOUNTY, "Radius just inside": servicearea.KindRADIUS,
			"Massachusetts": servicearea.KindSTATE, "Nationwide": servicearea.KindNATIONWIDE, "Online": servicearea.KindONLINE,
		} {
			if r := find(out, name); r == nil || r.Coverage == nil || r.Coverage.Kind != kind {
				t.Errorf("%s: coverage %+v, want %s", name, r, kind)
			}
		}
		if got := reasonMsg(out, "Suffolk County", match.InArea); got != "Covers Suffolk County, where the family lives." {
			t.Errorf("county reason %q", got)
		}
		if got := reasonMsg(out, "Radius just inside", match.InArea); got != "Covers 10 km around its centre, which includes the family's home." {
			t.Errorf("radius reason %q", got)
		}

		// Near misses: the out-of-area services with an area in the
		// family's state, after the eligible ones. Another state's
		// service and a service known only in words never appear.
		out = f.match(zipFamily(), match.Options{IncludeIneligible: true})
		equal(t, "02121 family with near misses", names(out.Results),
			[]string{"ZIP 02121", "Suffolk County", "Radius just inside", "Massachusetts", "Nationwide", "Online",
				"ZIP 02130", "Middlesex County", "Radius just outside"})
		for _, n := range []string{"ZIP 02130", "Middlesex County", "Radius just outside"} {
			r := expect(t, out, n, false, C(), C(match.OutOfArea))
			if r != nil && r.Coverage != nil {
				t.Errorf("%s: near miss has coverage %+v", n, r.Coverage)
			}
		}
		if got := unmetMsg(out, "ZIP 02130", match.OutOfArea); got != "Does not cover ZIP 02121 (Dorchester, MA)." {
			t.Errorf("out-of-area reason %q", got)
		}

		// The same home given as coordinates (02121's centroid) resolves
		// to 02121, the lowest of the ZIPs sharing that centroid.
		out = f.match(match.Family{Latitude: ptr(dorchesterLat), Longitude: ptr(dorchesterLon)}, match.Options{})
		equal(t, "family at 02121's centroid", names(out.Results),
			[]string{"ZIP 02121", "Suffolk County", "Radius just inside", "Massachusetts", "Nationwide", "Online"})

		// A home at the circles' centre, in Charlestown (02129, Suffolk):
		// inside both circles, outside ZIP 02121.
		out = f.match(match.Family{Latitude: ptr(dorchesterLat + 0.09), Longitude: ptr(dorchesterLon)}, match.Options{})
		equal(t, "family at the circles' centre", names(out.Results),
			[]string{"Suffolk County", "Radius just inside", "Radius just outside", "Massachusetts", "Nationwide", "Online"})

		// Placed by county or state, a service covering part of the place is
		// a CONFIRM (ask for the ZIP), ranked after whole coverage by the
		// county or state, before nationwide services.
		out = f.match(match.Family{CountyFIPS: ptr("25025")}, match.Options{})
		equal(t, "family placed by county", names(out.Results),
			[]string{"Suffolk County", "Massachusetts", "ZIP 02121", "ZIP 02130", "Nationwide", "Online"})
		expect(t, out, "ZIP 02121", true, C(match.Confirm), C())
		if got := reasonMsg(out, "ZIP 02130", match.Confirm); got != "Covers part of Suffolk County, MA (ZIP 02130): ask for the family's ZIP." {
			t.Errorf("part of a county: %q", got)
		}
		out = f.match(match.Family{State: ptr("MA")}, match.Options{})
		equal(t, "family placed by state", names(out.Results),
			[]string{"Massachusetts", "ZIP 02121", "ZIP 02130", "Suffolk County", "Middlesex County", "Radius just inside", "Radius just outside", "Nationwide", "Online"})
		expect(t, out, "Middlesex County", true, C(match.Confirm), C())
		if got := reasonMsg(out, "Middlesex County", match.Confirm); got != "Covers part of Massachusetts (Middlesex County): ask for the family's ZIP." {
			t.Errorf("part of a state: %q", got)
		}
		if r := find(out, "Suffolk County"); r == nil || r.Coverage == nil || r.Coverage.Kind != servicearea.KindCOUNTY {
			t.Errorf("part of a state: coverage %+v, want the county", r)
		}
		out = f.match(match.Family{State: ptr("NH")}, match.Options{})
		equal(t, "New Hampshire family", names(out.Results), []string{"New Hampshire", "Nationwide", "Online"})
	})
}

// TestMatchMultiCountyZIP: a family in a ZIP spanning counties matches a
// service covering any of them.
func TestMatchMultiCountyZIP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("Dawson County", svc{areas: []area{countyArea("13085")}})
		f.add("Cherokee County", svc{areas: []area{countyArea("13057")}})
		f.add("Fulton County", svc{areas: []area{countyArea("13121")}})
		f.add("Norfolk County", svc{areas: []area{countyArea("25021")}})

		out := f.match(match.Family{ZIP: ptr("30534")}, match.Options{})
		equal(t, "30534 Dawsonville", names(out.Results), []string{"Dawson County", "Cherokee County"})
		if got := reasonMsg(out, "Cherokee County", match.InArea); got != "Covers Cherokee County, where the family lives." {
			t.Errorf("Cherokee reason %q", got)
		}
		// Jamaica Plain 02130: Suffolk and Norfolk.
		out = f.match(match.Family{ZIP: ptr("02130")}, match.Options{})
		equal(t, "02130 Jamaica Plain", names(out.Results), []string{"Norfolk County"})
	})
}

// TestMatchCountyVintages: county codes that differ between vintages match
// both ways, and a ZIP whose own data names both vintages matches exactly
// those.
func TestMatchCountyVintages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("Fairfield County (old)", svc{areas: []area{countyArea("09001")}})
		f.add("Connecticut Metropolitan (region)", svc{areas: []area{countyArea("09120")}})
		f.add("Western Connecticut (region)", svc{areas: []area{countyArea("09190")}})
		f.add("Chugach", svc{areas: []area{countyArea("02063")}})
		f.add("Copper River", svc{areas: []area{countyArea("02066")}})
		f.add("Valdez-Cordova (old)", svc{areas: []area{countyArea("02261")}})
		f.add("Oglala Lakota", svc{areas: []area{countyArea("46102")}})

		for _, c := range []struct {
			family match.Family
			want   []string
		}{
			// Bridgeport: HUD says old Fairfield 09001, GeoNames planning
			// region 09120. Western Connecticut shares territory with old
			// Fairfield, but not Bridgeport's.
			{match.Family{ZIP: ptr("06604")}, []string{"Fairfield County (old)", "Connecticut Metropolitan (region)"}},
			// Placed by old county: every region overlapping it.
			{match.Family{CountyFIPS: ptr("09001")}, []string{"Fairfield County (old)", "Connecticut Metropolitan (region)", "Western Connecticut (region)"}},
			// Placed by planning region: the old county overlapping it.
			{match.Family{CountyFIPS: ptr("09120")}, []string{"Fairfield County (old)", "Connecticut Metropolitan (region)"}},
			// Valdez 99686: Chugach (GeoNames) and Valdez-Cordova (HUD).
			{match.Family{ZIP: ptr("99686")}, []string{"Chugach", "Valdez-Cordova (old)"}},
			{match.Family{CountyFIPS: ptr("02261")}, []string{"Chugach", "Copper River", "Valdez-Cordova (old)"}},
			{match.Family{CountyFIPS: ptr("02066")}, []string{"Copper River", "Valdez-Cordova (old)"}},
			// Shannon County SD (46113) became Oglala Lakota (46102).
			{match.Family{CountyFIPS: ptr("46113")}, []string{"Oglala Lakota"}},
			{match.Family{ZIP: ptr("57770")}, []string{"Oglala Lakota"}},
		} {
			out := f.match(c.family, match.Options{})
			equal(t, placeOf(c.family), names(out.Results), c.want)
		}
	})
}

func placeOf(f match.Family) string {
	switch {
	case f.ZIP != nil:
		return "ZIP " + *f.ZIP
	case f.CountyFIPS != nil:
		return "county " + *f.CountyFIPS
	case f.State != nil:
		return "state " + *f.State
	}
	return "coordinates"
}

// TestMatchMaxDistance: the travel limit excludes services whose nearest
// location is farther, except online and nationwide ones, and is ignored
// for a family placed by county or state (no distance).
func TestMatchMaxDistance(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("Near ZIP", svc{areas: []area{zipArea("02121")}, locs: []loc{north(0.01)}})     // 1.11 km
		f.add("Far county", svc{areas: []area{countyArea("25025")}, locs: []loc{north(0.1)}}) // 11.12 km
		f.add("Far online", svc{areas: []area{online}, locs: []loc{north(0.1)}})              // 11.12 km
		f.add("Far nationwide", svc{areas: []area{nationwide}, locs: []loc{north(0.1)}})      // 11.12 km
		f.add("Far county, also online", svc{areas: []area{countyArea("25025"), online}, locs: []loc{north(0.1)}})
		f.add("No location", svc{areas: []area{countyArea("25025")}})
		f.add("Far and near", svc{areas: []area{countyArea("25025")}, locs: []loc{north(0.1), north(0.02)}}) // 2.22 km

		fam := zipFamily()
		fam.MaxDistanceKm = ptr(5.0)
		out := f.match(fam, match.Options{IncludeIneligible: true})
		// Tier 0 by distance (unknown last), then tier 2 by distance.
		equal(t, "eligible within 5 km", eligibleNames(out),
			[]string{"Near ZIP", "Far and near", "Far county, also online", "No location", "Far online", "Far nationwide"})
		expect(t, out, "Near ZIP", true, C(match.InArea, match.Distance), nil)
		r := expect(t, out, "Far county", false, C(match.InArea), C(match.Distance))
		if got := messageOf(unmetOf(r), match.Distance); got != "Its nearest location is 11.1 km away, beyond the family's limit of 5 km." {
			t.Errorf("distance reason %q", got)
		}
		expect(t, out, "Far online", true, C(match.InArea), nil)
		expect(t, out, "Far nationwide", true, C(match.InArea), nil)
		expect(t, out, "Far county, also online", true, C(match.InArea), nil)
		expect(t, out, "No location", true, C(match.InArea), nil)
		expect(t, out, "Far and near", true, C(match.InArea, match.Distance), nil)
		for name, km := range map[string]float64{"Near ZIP": 1.112, "Far county": 11.120, "Far and near": 2.224, "Far online": 11.120} {
			if d := distanceOf(out, name); d == nil || math.Abs(*d-km) > 0.001 {
				t.Errorf("%s: distance %v, want %.3f km", name, d, km)
			}
		}
		if d := distanceOf(out, "No location"); d != nil {
			t.Errorf("No location: distance %v, want null", *d)
		}

		// A fractional limit reads as given.
		fam.MaxDistanceKm = ptr(2.5)
		out = f.match(fam, match.Options{})
		if got := reasonMsg(out, "Far and near", match.Distance); got != "Its nearest location is 2.2 km away, within the family's limit of 2.5 km." {
			t.Errorf("distance reason %q", got)
		}

		// Placed by county or state: no distance, the limit is ignored.
		for _, fam := range []match.Family{
			{CountyFIPS: ptr("25025"), MaxDistanceKm: ptr(5.0)},
			{State: ptr("MA"), MaxDistanceKm: ptr(5.0)},
		} {
			out := f.match(fam, match.Options{})
			// Services covering part of the county or state are in (CONFIRM);
			// one that is also online covers the family wholly that way.
			want := []string{"Far county", "Far county, also online", "No location", "Far and near", "Near ZIP", "Far online", "Far nationwide"}
			if fam.State != nil {
				want = []string{"Near ZIP", "Far county", "No location", "Far and near", "Far online", "Far nationwide", "Far county, also online"}
			}
			equal(t, placeOf(fam)+" with a limit", names(out.Results), want)
			for _, r := range out.Results {
				if r.DistanceKm != nil || slices.Contains(criteria(r.Reasons), match.Distance) {
					t.Errorf("%s, %s: distance %v, reasons %v; want none", placeOf(fam), r.Service.Name, r.DistanceKm, r.Reasons)
				}
			}
		}
	})
}

// TestMatchConfidentialLocations: the public never gets a distance to a
// confidential location.
func TestMatchConfidentialLocations(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		secret := north(0.01)
		secret.confidential = true
		f.add("Confidential only", svc{areas: []area{zipArea("02121")}, locs: []loc{secret}})
		f.add("Public and confidential", svc{areas: []area{zipArea("02121")}, locs: []loc{secret, north(0.1)}})

		out := f.match(zipFamily(), match.Options{})
		if d := distanceOf(out, "Confidential only"); d != nil {
			t.Errorf("distance to a confidential-only service: %v, want null", *d)
		}
		if d := distanceOf(out, "Public and confidential"); d == nil || math.Abs(*d-11.120) > 0.001 {
			t.Errorf("distance with a confidential location: %v, want the public 11.120 km", d)
		}
		// Ranked as unknown: after the service with a public location.
		equal(t, "order", names(out.Results), []string{"Public and confidential", "Confidential only"})
		// A travel limit cannot be applied through a hidden location.
		fam := zipFamily()
		fam.MaxDistanceKm = ptr(5.0)
		out = f.match(fam, match.Options{})
		equal(t, "within 5 km", names(out.Results), []string{"Confidential only"})

		out = f.match(zipFamily(), match.Options{RevealConfidential: match.RevealAll})
		if d := distanceOf(out, "Confidential only"); d == nil || math.Abs(*d-1.112) > 0.001 {
			t.Errorf("staff distance to the confidential location: %v, want 1.112 km", d)
		}
	})
}

// TestResolveArea answers what the reference knows about one place.
func TestResolveArea(t *testing.T) {
	p, err := match.ResolveArea(ptr("30534"), nil, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var counties []string
	for _, c := range p.Counties {
		counties = append(counties, c.FIPS+" "+c.Name)
	}
	equal(t, "30534 counties", counties, []string{"13085 Dawson", "13057 Cherokee", "13117 Forsyth", "13123 Gilmer", "13187 Lumpkin", "13227 Pickens"})
	if p.ZIP != "30534" || p.PlaceName != "Dawsonville" || p.State != "GA" || p.Point == nil || p.Point.Lat != 34.4537 || p.Point.Lon != -84.155 {
		t.Errorf("30534: %+v", p)
	}

	p, err = match.ResolveArea(nil, ptr("25025"), nil, nil, nil, nil)
	if err != nil || p.ZIP != "" || p.State != "MA" || len(p.Counties) != 1 || p.Counties[0].Name != "Suffolk" || p.Point != nil {
		t.Errorf("county 25025: %+v, %v", p, err)
	}

	// Coordinates: the nearest ZIP centroid, with the point itself.
	p, err = match.ResolveArea(nil, nil, nil, nil, ptr(42.2918), ptr(-71.0717))
	if err != nil || p.ZIP != "02124" || p.PlaceName != "Dorchester Center" || p.State != "MA" || p.Point == nil ||
		p.Point.Lat != 42.2918 || len(p.Counties) != 2 {
		t.Errorf("02124's centroid: %+v, %v", p, err)
	}
	p, err = match.ResolveArea(nil, nil, nil, nil, ptr(42.39), ptr(-71.07))
	if err != nil || p.ZIP != "02129" || p.Point.Lat != 42.39 || p.Point.Lon != -71.07 {
		t.Errorf("a point in Charlestown: %+v, %v", p, err)
	}

	for _, c := range []struct {
		zip, county *string
		lat, lon    *float64
		field       string
	}{
		{nil, nil, nil, nil, "zip"},
		{ptr("02121"), ptr("25025"), nil, nil, "zip"},
		{ptr("02121"), nil, ptr(42.0), ptr(-71.0), "zip"},
		{ptr("99999"), nil, nil, nil, "zip"},
		{ptr("2121"), nil, nil, nil, "zip"},
		{nil, ptr("2502"), nil, nil, "countyFips"},
		{nil, ptr("99999"), nil, nil, "countyFips"},
		{nil, nil, ptr(42.0), nil, "longitude"},
		{nil, nil, nil, ptr(-71.0), "latitude"},
		{nil, nil, ptr(91.0), ptr(-71.0), "latitude"},
		{nil, nil, ptr(42.0), ptr(-181.0), "longitude"},
		{nil, nil, ptr(0.0), ptr(0.0), "latitude"},          // the Gulf of Guinea
		{nil, nil, ptr(-71.0745), ptr(42.2973), "latitude"}, // swapped
	} {
		_, err := match.ResolveArea(c.zip, c.county, nil, nil, c.lat, c.lon)
		if got := fieldOf(err); got != c.field {
			t.Errorf("ResolveArea(%v, %v, %v, %v): error %v at %q, want bad input at %q", c.zip, c.county, c.lat, c.lon, err, got, c.field)
		}
	}
}

// TestMatchPlacesTogether: places given together must agree; coordinates
// with a ZIP measure distances from the home and match the ZIP's area.
func TestMatchPlacesTogether(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("ZIP 02121", svc{areas: []area{zipArea("02121")}, locs: []loc{north(0.1)}})
		f.add("ZIP 02129", svc{areas: []area{zipArea("02129")}})

		// A home 0.09° north of 02121's centroid is nearest 02129; with
		// its ZIP given as 02121, the ZIP decides the area and the home
		// the distance (0.01° to the location: 1.11 km).
		out := f.match(match.Family{ZIP: ptr("02121"), Latitude: ptr(dorchesterLat + 0.09), Longitude: ptr(dorchesterLon)}, match.Options{})
		equal(t, "ZIP with coordinates", names(out.Results), []string{"ZIP 02121"})
		if d := distanceOf(out, "ZIP 02121"); d == nil || math.Abs(*d-1.112) > 0.001 {
			t.Errorf("distance from the home: %v, want 1.112 km", d)
		}
		if out.Place.ZIP != "02121" {
			t.Errorf("place %+v", out.Place)
		}
		// Agreeing county and state are fine.
		out = f.match(match.Family{ZIP: ptr("02121"), CountyFIPS: ptr("25025"), State: ptr("MA")}, match.Options{})
		equal(t, "ZIP, county and state", names(out.Results), []string{"ZIP 02121"})
		out = f.match(match.Family{ZIP: ptr("06604"), CountyFIPS: ptr("09001")}, match.Options{})
		if out.Place.ZIP != "06604" {
			t.Errorf("06604 with its old county: %+v", out.Place)
		}
		// A county with coordinates outside it: the county is the area.
		out = f.match(match.Family{CountyFIPS: ptr("25017"), Latitude: ptr(dorchesterLat), Longitude: ptr(dorchesterLon)}, match.Options{})
		if out.Place.ZIP != "" || out.Place.State != "MA" || out.Place.Counties[0].FIPS != "25017" || out.Place.Point == nil {
			t.Errorf("Middlesex with a Dorchester point: %+v", out.Place)
		}
		// A state with coordinates in it: the nearest ZIP is the area.
		out = f.match(match.Family{State: ptr("MA"), Latitude: ptr(dorchesterLat), Longitude: ptr(dorchesterLon)}, match.Options{})
		equal(t, "state with coordinates", names(out.Results), []string{"ZIP 02121"})
	})
}

// TestMatchNamesCountyEquivalents: the sentences read to a family name the
// right jurisdiction: 24510 is Baltimore City, not Baltimore County (24005,
// which shares the name Baltimore); 22071 is Orleans Parish; 29510 is St.
// Louis City.
func TestMatchNamesCountyEquivalents(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("Baltimore City", svc{areas: []area{countyArea("24510")}})
		f.add("Orleans Parish", svc{areas: []area{countyArea("22071")}})
		f.add("St. Louis City", svc{areas: []area{countyArea("29510")}})
		f.add("Downtown Baltimore ZIP", svc{areas: []area{zipArea("21201")}})
		f.add("Annapolis ZIP", svc{areas: []area{zipArea("21401")}})
		for zip, c := range map[string]struct{ service, want string }{
			"21202": {"Baltimore City", "Covers Baltimore City, where the family lives."},
			"70112": {"Orleans Parish", "Covers Orleans Parish, where the family lives."},
			"63101": {"St. Louis City", "Covers St. Louis City, where the family lives."},
		} {
			out := f.match(match.Family{ZIP: ptr(zip)}, match.Options{})
			if got := reasonMsg(out, c.service, match.InArea); got != c.want {
				t.Errorf("ZIP %s: %q, want %q", zip, got, c.want)
			}
		}
		// A family placed by county is told what a service does not cover,
		// and what it covers part of.
		out := f.match(match.Family{CountyFIPS: ptr("24510")}, match.Options{IncludeIneligible: true})
		if got, want := unmetMsg(out, "Annapolis ZIP", match.OutOfArea), "Does not cover Baltimore City, MD."; got != want {
			t.Errorf("out of area: %q, want %q", got, want)
		}
		if got, want := reasonMsg(out, "Downtown Baltimore ZIP", match.Confirm), "Covers part of Baltimore City, MD (ZIP 21201): ask for the family's ZIP."; got != want {
			t.Errorf("part of the county: %q, want %q", got, want)
		}
	})
}
