package match_test

import (
	"context"
	"math"
	"testing"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// Distances below, worked out by hand on the mean Earth radius from the
// embedded centroids: 02121 (42.2973, -71.0745) to 02126 Mattapan (42.2739,
// -71.0939) is 3.052 km; north(d) is d × 111.195 km from 02121.

// TestMatchByLocation: a service that records no service area is found by
// its nearest location, within the family's limit or 40 km, after every
// service whose stated area covers the family; an address without
// coordinates is placed at its ZIP's centre, and the distance says so.
func TestMatchByLocation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		// Created in the reverse of the expected order, so that the ID
		// tie-break alone would order them the other way round.
		f.add("33 km away", svc{locs: []loc{north(0.3)}})
		f.add("56 km away", svc{locs: []loc{north(0.5)}})
		f.add("Address only", svc{locs: []loc{{zip: "02126"}}})
		f.add("Text area", svc{areas: []area{textArea("Greater Boston")}, locs: []loc{north(0.02)}})
		f.add("Near, no area", svc{locs: []loc{north(0.01)}})
		f.add("Covers elsewhere", svc{areas: []area{zipArea("02108")}, locs: []loc{north(0.01)}})
		f.add("No location, no area", svc{})
		f.add("Nationwide", svc{areas: []area{nationwide}})
		f.add("State", svc{areas: []area{stateArea("MA")}})
		f.add("ZIP, address only", svc{areas: []area{zipArea("02121")}, locs: []loc{{zip: "02126"}}})

		out := f.match(zipFamily(), match.Options{})
		equal(t, "order", names(out.Results), []string{"ZIP, address only", "State", "Nationwide",
			"Near, no area", "Text area", "Address only", "33 km away"})
		expect(t, out, "Near, no area", true, C(match.InArea), nil)
		if got, want := reasonMsg(out, "Near, no area", match.InArea), "Has a location 1.1 km away; it records no service area."; got != want {
			t.Errorf("reason:\n got %q\nwant %q", got, want)
		}
		if got, want := reasonMsg(out, "Text area", match.InArea),
			"Has a location 2.2 km away; it gives its service area only in words (“Greater Boston”)."; got != want {
			t.Errorf("text area reason:\n got %q\nwant %q", got, want)
		}
		r := expect(t, out, "Address only", true, C(match.InArea), nil)
		if got, want := reasonMsg(out, "Address only", match.InArea),
			"Has a location about 3 km away (its address has no coordinates, so this is measured to the centre of its ZIP code); it records no service area."; got != want {
			t.Errorf("approximate reason:\n got %q\nwant %q", got, want)
		}
		if r != nil && (r.DistanceKm == nil || math.Abs(*r.DistanceKm-3.052) > 0.001 || !r.DistanceApproximate) {
			t.Errorf("address only: distance %v approximate %v, want about 3.052 km, approximate", r.DistanceKm, r.DistanceApproximate)
		}
		if r := find(out, "ZIP, address only"); r == nil || !r.DistanceApproximate || r.DistanceKm == nil {
			t.Errorf("a covering service with an address only: want an approximate distance, got %+v", r)
		}
		if r := find(out, "Near, no area"); r == nil || r.DistanceApproximate || r.Coverage != nil {
			t.Errorf("near, no area: want an exact distance and no coverage area, got %+v", r)
		}

		// The family's own limit replaces the default, both ways.
		fam := zipFamily()
		fam.MaxDistanceKm = ptr(2.0)
		out = f.match(fam, match.Options{})
		equal(t, "within 2 km", names(out.Results), []string{"State", "Nationwide", "Near, no area"})
		fam.MaxDistanceKm = ptr(60.0)
		out = f.match(fam, match.Options{})
		equal(t, "within 60 km", among(out, "33 km away", "56 km away"), []string{"33 km away", "56 km away"})

		// Near misses: just past the family's limit is a DISTANCE miss;
		// stated coverage elsewhere stays OUT_OF_AREA, whatever its
		// locations.
		fam.MaxDistanceKm = ptr(10.0)
		out = f.match(fam, match.Options{IncludeIneligible: true})
		expect(t, out, "33 km away", false, C(), C(match.Distance))
		if got, want := unmetMsg(out, "33 km away", match.Distance),
			"Its nearest location is 33.4 km away, beyond the family's limit of 10 km."; got != want {
			t.Errorf("distance miss:\n got %q\nwant %q", got, want)
		}
		expect(t, out, "Covers elsewhere", false, nil, C(match.OutOfArea))
		if find(out, "56 km away") != nil || find(out, "No location, no area") != nil {
			t.Errorf("services beyond reach or with nothing to place them: %v", names(out.Results))
		}

		// A family placed without a point (a county) has no distance to
		// measure: services placed by location are not found. (ZIP areas
		// inside the county cover part of it: CONFIRM, after the state.)
		out = f.match(match.Family{CountyFIPS: ptr("25025")}, match.Options{})
		equal(t, "by county", names(out.Results), []string{"State", "Covers elsewhere", "ZIP, address only", "Nationwide"})
	})
}

// TestMatchByLocationConfidential: a location the viewer may not see never
// places a service for that viewer, from any point, so repeated matches
// cannot triangulate it; viewers who may see it (staff, admins, editors of
// the organization that runs it) find the service. Each role is a real
// viewer whose read rules (auth.SeesRestricted) decide.
func TestMatchByLocationConfidential(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		other := db.Client.Organization.Create().SetName("Another agency").SaveX(f.ctx)
		shelter := loc{lat: dorchesterLat + 0.01, lon: dorchesterLon, confidential: true, owner: f.org}
		byZIP := loc{zip: "02126", confidential: true, owner: f.org}
		f.add("Shelter", svc{locs: []loc{shelter}})
		f.add("Shelter, address only", svc{locs: []loc{byZIP}})
		f.add("Shelter with a public office", svc{locs: []loc{shelter, north(0.3)}})

		families := []match.Family{
			zipFamily(),
			{ZIP: ptr("02126")},
			{Latitude: ptr(dorchesterLat + 0.01), Longitude: ptr(dorchesterLon)},
			{Latitude: ptr(dorchesterLat + 0.02), Longitude: ptr(dorchesterLon), MaxDistanceKm: ptr(5.0)},
		}
		roles := []struct {
			name   string
			viewer auth.Viewer
			sees   bool
		}{
			{"anonymous", auth.Viewer{Role: auth.Anonymous}, false},
			{"reader", auth.Viewer{Role: auth.Reader}, false},
			{"editor of another organization", auth.Viewer{Role: auth.Editor, Organizations: []int{other.ID}}, false},
			{"editor of the shelter's organization", auth.Viewer{Role: auth.Editor, Organizations: []int{f.org.ID}}, true},
			{"staff", auth.Viewer{Role: auth.Staff}, true},
			{"admin", auth.Viewer{Role: auth.Admin}, true},
		}
		for _, role := range roles {
			ctx := auth.WithViewer(context.Background(), role.viewer)
			opts := match.Options{IncludeIneligible: true, RevealConfidential: func(owner int) bool { return auth.SeesRestricted(ctx, owner) }}
			for i, fam := range families {
				out := f.match(fam, opts)
				for _, name := range []string{"Shelter", "Shelter, address only"} {
					if r := find(out, name); (r != nil) != role.sees && i < 3 {
						t.Errorf("%s, family %d: %s found = %v, want %v", role.name, i, name, r != nil, role.sees)
					} else if r != nil && !role.sees {
						t.Errorf("%s, family %d: %s found through a location it may not see", role.name, i, name)
					}
				}
				// Placed by its public office alone for those who may not
				// see the shelter: 33.4 km from 02121, never 1.1 km.
				if i == 0 {
					d := distanceOf(out, "Shelter with a public office")
					want := 33.359
					if role.sees {
						want = 1.112
					}
					if d == nil || math.Abs(*d-want) > 0.001 {
						t.Errorf("%s: distance to the shelter with a public office %v, want %.3f", role.name, d, want)
					}
				}
			}
		}
	})
}
