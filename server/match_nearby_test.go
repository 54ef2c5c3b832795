package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// TestMatchGraphQLNearbyAndToday reads the fields and arguments added for
// services placed by location and for what is true today, through the
// handler: distanceApproximate, openingsOnly, verifiedWithinMonths,
// Service.waitDays and the server's stale period; and a match still costs
// the same statements with services placed by location in the index.
func TestMatchGraphQLNearbyAndToday(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, counter := openCountingDB(t, backend)
			d := newMDir(t, db)
			now := time.Now().UTC()
			stale := now.AddDate(0, -18, 0)
			// An address without coordinates in 02126: 3.052 km from
			// 02121's centroid, by hand from the two centroids.
			byZIP := d.add("Address only", mService{})
			loc := d.c.Location.Create().SetName("Mattapan office").SetPostalCode("02126").SetCountry("US").SaveX(d.ctx)
			d.c.ServiceAtLocation.Create().SetService(byZIP).SetLocation(loc).SaveX(d.ctx)
			d.add("Near, no area", mService{north: []float64{0.01}})
			full := d.add("Full, stale", mService{zip: "02121", verified: &stale})
			full.Update().SetCapacityAvailable(0).SetWaitDays(42).SetWaitTime("6 weeks").ExecX(d.ctx)

			const q = `query($f: FamilyInput!, $open: Boolean, $within: Int) {
			  match(family: $f, includeIneligible: true, openingsOnly: $open, verifiedWithinMonths: $within) {
			    edges { eligible distanceKm distanceApproximate reasons { criterion message } unmet { criterion }
			            node { name waitDays } }
			  }
			}`
			type edge struct {
				Eligible            bool
				DistanceKm          *float64
				DistanceApproximate bool
				Reasons, Unmet      []mReason
				Node                struct {
					Name     string
					WaitDays *int
				}
			}
			run := func(a *api, vars map[string]any) []edge {
				var data struct{ Match struct{ Edges []edge } }
				a.ok(q, vars, &data)
				return data.Match.Edges
			}
			family := map[string]any{"zip": "02121"}
			a := newAPI(t, db, server.Config{})
			edges := run(a, map[string]any{"f": family}) // reads the index
			counter.Reset()
			edges = run(a, map[string]any{"f": family})
			// The index keeps no service rows: the page's are read by ID.
			if n := counter.Count(); n != 2 {
				t.Errorf("a match with services placed by location: %d statements, want 2 (the feed position, the page's rows)", n)
			}
			got := []string{}
			for _, e := range edges {
				got = append(got, fmt.Sprintf("%s %v %v", e.Node.Name, e.Eligible, mCriteria(e.Reasons)))
			}
			// No openings ranks before coverage: after the services placed
			// by location, whose capacity is unknown.
			mEqual(t, "results", got, []string{
				"Near, no area true [IN_AREA]",
				"Address only true [IN_AREA]",
				"Full, stale true [IN_AREA OPENINGS WAIT VERIFIED]",
			})
			if e := edges[1]; e.DistanceKm == nil || *e.DistanceKm < 3.051 || *e.DistanceKm > 3.053 || !e.DistanceApproximate {
				t.Errorf("address only: %v km, approximate %v; want 3.052, approximate", e.DistanceKm, e.DistanceApproximate)
			}
			if e := edges[0]; e.DistanceApproximate {
				t.Errorf("a location with coordinates: distance marked approximate")
			}
			if w := edges[2].Node.WaitDays; w == nil || *w != 42 {
				t.Errorf("waitDays %v, want 42", w)
			}
			wantVerified := fmt.Sprintf("Last verified in %s, more than 12 months ago: check its details are still current before referring.", stale.Format("January 2006"))
			if m := edges[2].Reasons[3].Message; m != wantVerified {
				t.Errorf("stale reason:\n got %q\nwant %q", m, wantVerified)
			}

			edges = run(a, map[string]any{"f": family, "open": true, "within": 6})
			if e := edges[len(edges)-1]; e.Node.Name != "Full, stale" || e.Eligible || !slicesEqual(mCriteria(e.Unmet), []string{"OPENINGS", "VERIFIED"}) {
				t.Errorf("openingsOnly and verifiedWithinMonths: last %s eligible %v unmet %v", e.Node.Name, e.Eligible, e.Unmet)
			}

			// --stale-after 24: the listing is fresh again.
			edges = run(newAPI(t, db, server.Config{StaleAfterMonths: 24}), map[string]any{"f": family})
			if c := mCriteria(edges[2].Reasons); !slicesEqual(c, []string{"IN_AREA", "OPENINGS", "WAIT"}) {
				t.Errorf("stale after 24 months: reasons %v", c)
			}
			if e := newAPI(t, db, server.Config{}).fail(q, map[string]any{"f": family, "within": 0}, "BAD_USER_INPUT"); e.Message == "" {
				t.Errorf("verifiedWithinMonths 0: no message")
			}
		})
	}
}

func slicesEqual(a, b []string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }
