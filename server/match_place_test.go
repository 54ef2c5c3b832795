package server_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// TestMatchPlacesGraphQL: the places people say (a city, a ZIP+4, a
// territory) through the real handler.
func TestMatchPlacesGraphQL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newMDir(t, db)
		d.add("Dorchester ZIP", mService{zip: "02121"})
		d.add("Suffolk County", mService{county: "25025"})
		d.add("Worcester County", mService{county: "25027"})
		d.add("Guam", mService{state: "GU"})
		a := newAPI(t, db, server.Config{})

		// "Boston": the county holding it is in area, a ZIP in it a CONFIRM.
		c := mMatch(a, map[string]any{"f": map[string]any{"city": "Boston", "state": "MA"}, "all": true})
		mEqual(t, "Boston", c.names(), []string{"Suffolk County", "Dorchester ZIP", "Worcester County"})
		if e := c.Edges[1]; !e.Eligible || len(e.Reasons) != 1 || e.Reasons[0] != (mReason{"CONFIRM", "Covers part of Boston, MA (ZIP 02121): ask for the family's ZIP."}) {
			t.Errorf("Dorchester ZIP for Boston: %+v", e)
		}
		if e := c.Edges[2]; e.Eligible || len(e.Unmet) != 1 || e.Unmet[0] != (mReason{"OUT_OF_AREA", "Does not cover Boston, MA."}) {
			t.Errorf("Worcester County for Boston: %+v", e)
		}

		// Placed by state alone: part of the state is a CONFIRM, not a miss.
		c = mMatch(a, map[string]any{"f": map[string]any{"state": "MA"}})
		mEqual(t, "MA", c.names(), []string{"Dorchester ZIP", "Suffolk County", "Worcester County"})
		for _, e := range c.Edges {
			if !e.Eligible || len(e.Reasons) != 1 || e.Reasons[0].Criterion != "CONFIRM" || !strings.HasPrefix(e.Reasons[0].Message, "Covers part of Massachusetts (") {
				t.Errorf("%s for MA: %+v", e.Node.Name, e)
			}
		}

		// ZIP+4 in both spellings.
		for _, zip := range []string{"02121-1234", "021211234"} {
			c = mMatch(a, map[string]any{"f": map[string]any{"zip": zip}})
			mEqual(t, zip, c.names(), []string{"Dorchester ZIP", "Suffolk County"})
		}

		// Guam's ZIPs are Guam's.
		c = mMatch(a, map[string]any{"f": map[string]any{"zip": "96913"}})
		mEqual(t, "96913", c.names(), []string{"Guam"})

		// A city without a state in several states: which ones.
		e := a.fail(mQuery, map[string]any{"f": map[string]any{"city": "Springfield"}}, "BAD_USER_INPUT")
		if e.Extensions["field"] != "family.state" || !strings.Contains(e.Message, "MA") || !strings.Contains(e.Message, "IL") {
			t.Errorf("Springfield alone: %+v", e)
		}
	})
}

// TestResolveAreaCityGraphQL: resolveArea by city and state, and Area.zips.
func TestResolveAreaCityGraphQL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db, server.Config{})
		type areaT struct {
			Zip, City, State    *string
			Zips                []string
			Latitude, Longitude *float64
		}
		const q = `query($zip: String, $city: String, $state: String) {
		  resolveArea(zip: $zip, city: $city, state: $state) { zip city state zips latitude longitude }
		}`
		var data struct{ ResolveArea areaT }
		a.ok(q, map[string]any{"city": "boston", "state": "MA"}, &data)
		r := data.ResolveArea
		if r.Zip != nil || r.City == nil || *r.City != "Boston" || *r.State != "MA" || r.Latitude == nil ||
			!slices.Contains(r.Zips, "02121") || !slices.Contains(r.Zips, "02108") || !slices.IsSorted(r.Zips) {
			t.Errorf("Boston: %+v", r)
		}
		a.ok(q, map[string]any{"zip": "02121-1234"}, &data)
		if r := data.ResolveArea; r.Zip == nil || *r.Zip != "02121" || !slices.Equal(r.Zips, []string{"02121"}) || r.City != nil {
			t.Errorf("02121-1234: %+v", r)
		}
		a.ok(q, map[string]any{"zip": "00901"}, &data)
		if r := data.ResolveArea; r.State == nil || *r.State != "PR" || r.Latitude == nil {
			t.Errorf("00901: %+v", r)
		}
		for vars, field := range map[string]map[string]any{
			"state":  {"state": "MA"},
			"city":   {"city": "Nowhere Such", "state": "MA"},
			"state2": {"city": "Springfield"},
		} {
			e := a.fail(q, field, "BAD_USER_INPUT")
			want := strings.TrimSuffix(vars, "2")
			if e.Extensions["field"] != want {
				t.Errorf("%v: %+v, want field %s", field, e, want)
			}
		}
	})
}
