package server_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// The tests in this file ask match and resolveArea through the real HTTP
// handler. The rules themselves are tested at their boundaries in package
// match; these check the contract: names, nulls, cursors, counts, programs,
// errors and the statement count. Expected answers are written out.

// 02121 (Dorchester, Boston) has its centroid at 42.2973, -71.0745; a
// location 0.01° of latitude north of it is 1.112 km away, 0.1° 11.120 km.
const (
	mDorchesterLat = 42.2973
	mDorchesterLon = -71.0745
)

// mDir builds a small directory for GraphQL tests.
type mDir struct {
	t   *testing.T
	ctx context.Context
	c   *ent.Client
	org *ent.Organization
}

func newMDir(t *testing.T, db *store.DB) *mDir {
	ctx := context.Background()
	return &mDir{t: t, ctx: ctx, c: db.Client, org: db.Client.Organization.Create().SetName("Harbor Family Services").SaveX(ctx)}
}

type mService struct {
	zip, county, state string
	needs              []*ent.TaxonomyTerm
	program            *ent.Program
	elig               *directory.Eligibility
	status             service.Status
	langs              []string
	north              []float64 // public locations this many degrees north of 02121's centroid
	secretNorth        []float64 // confidential ones
	verified           *time.Time
}

func (d *mDir) add(name string, s mService) *ent.Service {
	d.t.Helper()
	q := d.c.Service.Create().SetName(name).SetOrganization(d.org).AddNeeds(s.needs...)
	if s.program != nil {
		q.SetProgram(s.program)
	}
	if s.elig != nil {
		q.SetEligibility(s.elig)
	}
	if s.status != "" {
		q.SetStatus(s.status)
	}
	if s.langs != nil {
		q.SetLanguages(s.langs)
	}
	if s.verified != nil {
		q.SetVerifiedAt(*s.verified)
	}
	sv := q.SaveX(d.ctx)
	for kind, code := range map[servicearea.Kind]string{servicearea.KindZIP: s.zip, servicearea.KindCOUNTY: s.county, servicearea.KindSTATE: s.state} {
		if code != "" {
			d.c.ServiceArea.Create().SetService(sv).SetKind(kind).SetCode(code).SaveX(d.ctx)
		}
	}
	for i, deg := range append(slices.Clone(s.north), s.secretNorth...) {
		loc := d.c.Location.Create().SetName(fmt.Sprintf("%s site %d", name, i)).
			SetLatitude(mDorchesterLat + deg).SetLongitude(mDorchesterLon).SetConfidential(i >= len(s.north)).SaveX(d.ctx)
		d.c.ServiceAtLocation.Create().SetService(sv).SetLocation(loc).SaveX(d.ctx)
	}
	return sv
}

// mConn is a MatchConnection as a client decodes it.
type mConn struct {
	TotalCount int
	PageInfo   connPageInfo
	Edges      []mEdge
	Programs   []struct {
		Program         struct{ Name string }
		MatchedServices int
		Nearest         *struct{ Name string }
	}
}

type mEdge struct {
	Cursor     string
	Score      float64
	DistanceKm *float64
	Eligible   bool
	Coverage   *struct{ Kind, Code string }
	Reasons    []mReason
	Unmet      []mReason
	Node       struct {
		ID      string
		Name    string
		Program *struct{ Name string }
	}
}

type mReason struct{ Criterion, Message string }

func (c mConn) names() []string {
	out := []string{}
	for _, e := range c.Edges {
		out = append(out, e.Node.Name)
	}
	return out
}

type mProgram struct {
	Name    string
	Matched int
	Nearest string
}

func (c mConn) programs() []mProgram {
	out := []mProgram{}
	for _, p := range c.Programs {
		n := ""
		if p.Nearest != nil {
			n = p.Nearest.Name
		}
		out = append(out, mProgram{p.Program.Name, p.MatchedServices, n})
	}
	return out
}

func mCriteria(rs []mReason) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Criterion)
	}
	return out
}

const mQuery = `query($f: FamilyInput!, $first: Int, $after: Cursor, $all: Boolean) {
  match(family: $f, first: $first, after: $after, includeIneligible: $all) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor score distanceKm eligible
      coverage { kind code }
      reasons { criterion message }
      unmet { criterion message }
      node { id name program { name } }
    }
    programs { program { name } matchedServices nearest { name } }
  }
}`

func mMatch(a *api, vars map[string]any) mConn {
	a.t.Helper()
	var data struct{ Match mConn }
	a.ok(mQuery, vars, &data)
	for i, e := range data.Match.Edges {
		if i > 0 && e.Score >= data.Match.Edges[i-1].Score {
			a.t.Errorf("score not strictly decreasing: %v after %v", e.Score, data.Match.Edges[i-1].Score)
		}
	}
	return data.Match
}

func mEqual[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// TestMatchGraphQL reads every field of a match through the handler.
func TestMatchGraphQL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newMDir(t, db)
		hv := d.c.TaxonomyTerm.Create().SetCode("home-visiting").SetName("Home visiting").SaveX(d.ctx)
		visits := d.c.Program.Create().SetName("Family Visits").SetEligibility(&directory.Eligibility{MaxAgeMonths: ptrTo(36)}).SaveX(d.ctx)
		yesterday := time.Now().AddDate(0, 0, -1)
		d.add("Dorchester Home Visits", mService{zip: "02121", needs: []*ent.TaxonomyTerm{hv}, program: visits, langs: []string{"en", "es"}, north: []float64{0.01}, verified: &yesterday})
		d.add("Suffolk Home Visits", mService{county: "25025", needs: []*ent.TaxonomyTerm{hv}, program: visits, north: []float64{0.1}})
		d.add("Statewide Line", mService{state: "MA", needs: []*ent.TaxonomyTerm{hv}, elig: &directory.Eligibility{ReferralRequired: ptrTo(true)}})
		d.add("Shelter Visits", mService{zip: "02121", needs: []*ent.TaxonomyTerm{hv}, secretNorth: []float64{0.01}})
		d.add("Infant Visits", mService{zip: "02121", needs: []*ent.TaxonomyTerm{hv}, program: visits, elig: &directory.Eligibility{MaxAgeMonths: ptrTo(12)}, north: []float64{0.005}})
		d.add("Closed for Good", mService{zip: "02121", needs: []*ent.TaxonomyTerm{hv}, status: service.StatusDEFUNCT})
		d.add("Paused", mService{zip: "02121", needs: []*ent.TaxonomyTerm{hv}, status: service.StatusINACTIVE})
		a := newAPI(t, db, server.Config{})

		family := map[string]any{"zip": "02121", "childAgeMonths": 24, "needs": []string{"home-visiting"}, "language": "es"}
		// Spanish first; then nearer (the shelter's only location is
		// confidential: unknown distance, last in its tier); then the state.
		all := []string{"Dorchester Home Visits", "Suffolk Home Visits", "Shelter Visits", "Statewide Line"}

		page1 := mMatch(a, map[string]any{"f": family, "first": 2})
		mEqual(t, "page 1", page1.names(), all[:2])
		if page1.TotalCount != 4 || !page1.PageInfo.HasNextPage || page1.PageInfo.HasPreviousPage {
			t.Errorf("page 1: totalCount %d, pageInfo %+v", page1.TotalCount, page1.PageInfo)
		}
		// Programs over every result, not the page.
		mEqual(t, "programs", page1.programs(), []mProgram{{"Family Visits", 2, "Dorchester Home Visits"}})

		top := page1.Edges[0]
		if top.Score != 1 || !top.Eligible || top.Coverage == nil || *top.Coverage != (struct{ Kind, Code string }{"ZIP", "02121"}) ||
			top.DistanceKm == nil || math.Abs(*top.DistanceKm-1.112) > 0.001 || top.Node.Program == nil || top.Node.Program.Name != "Family Visits" {
			t.Errorf("first edge %+v", top)
		}
		// Coverage fields the match index does not hold are read again.
		var more struct {
			Match struct {
				Edges []struct {
					Coverage struct {
						Kind, Provenance string
						Version          int
						CreatedAt        time.Time
						Service          struct{ Name string }
					}
				}
			}
		}
		a.ok(`query($f: FamilyInput!) { match(family: $f, first: 1) { edges { coverage { kind version createdAt provenance service { name } } } } }`,
			map[string]any{"f": family}, &more)
		if len(more.Match.Edges) != 1 {
			t.Fatalf("coverage's other fields: %+v", more)
		}
		if c := more.Match.Edges[0].Coverage; c.Kind != "ZIP" || c.Version != 1 || time.Since(c.CreatedAt) > time.Hour || c.Service.Name != "Dorchester Home Visits" {
			t.Errorf("coverage's other fields: %+v", c)
		}
		mEqual(t, "first edge's reasons", top.Reasons, []mReason{
			{"IN_AREA", "Covers ZIP 02121."},
			{"NEED_MET", "Offers home visiting."},
			{"AGE", "Serves children up to 36 months; the child is 24 months old."},
			{"LANGUAGE", "Offered in Spanish."},
		})
		if len(top.Unmet) != 0 {
			t.Errorf("first edge unmet %v", top.Unmet)
		}
		// No languages listed: asked, not held against it.
		if e := page1.Edges[1]; e.Coverage == nil || e.Coverage.Kind != "COUNTY" || e.Coverage.Code != "25025" || !e.Eligible ||
			len(e.Unmet) != 0 || !slices.Equal(e.Reasons[3:], []mReason{{"CONFIRM", "Ask whether it is offered in Spanish: no languages are listed."}}) {
			t.Errorf("second edge %+v", e)
		}

		page2 := mMatch(a, map[string]any{"f": family, "first": 2, "after": *page1.PageInfo.EndCursor})
		mEqual(t, "page 2", page2.names(), all[2:])
		if page2.TotalCount != 4 || page2.PageInfo.HasNextPage || !page2.PageInfo.HasPreviousPage || page2.Edges[0].Cursor != *page2.PageInfo.StartCursor {
			t.Errorf("page 2: totalCount %d, pageInfo %+v", page2.TotalCount, page2.PageInfo)
		}
		if e := page2.Edges[0]; e.DistanceKm != nil {
			t.Errorf("distance to a confidential-only service: %v, want null", *e.DistanceKm)
		}
		if e := page2.Edges[1]; e.Coverage == nil || e.Coverage.Kind != "STATE" || !slices.Equal(mCriteria(e.Reasons), []string{"IN_AREA", "NEED_MET", "REFERRAL_REQUIRED", "CONFIRM"}) {
			t.Errorf("statewide edge %+v", e)
		}
		mEqual(t, "programs on page 2", page2.programs(), []mProgram{{"Family Visits", 2, "Dorchester Home Visits"}})

		// Scores over the whole list.
		whole := mMatch(a, map[string]any{"f": family})
		var scores []float64
		for _, e := range whole.Edges {
			scores = append(scores, e.Score)
		}
		mEqual(t, "scores", scores, []float64{1, 0.75, 0.5, 0.25})

		// With near misses: counted, listed last with what they fail;
		// inactive and defunct services still never appear.
		near := mMatch(a, map[string]any{"f": family, "all": true})
		mEqual(t, "with near misses", near.names(), append(slices.Clone(all), "Infant Visits"))
		if near.TotalCount != 5 {
			t.Errorf("totalCount with near misses %d, want 5", near.TotalCount)
		}
		last := near.Edges[4]
		if last.Eligible || !slices.Equal(last.Unmet, []mReason{{"AGE", "Serves children up to 12 months; the child is 24 months old."}}) {
			t.Errorf("near miss %+v", last)
		}
		// Its program counts it; the nearest stays the eligible one.
		mEqual(t, "programs with near misses", near.programs(), []mProgram{{"Family Visits", 3, "Dorchester Home Visits"}})

		// Nothing serves New Hampshire here: an empty page, not an error.
		none := mMatch(a, map[string]any{"f": map[string]any{"state": "NH"}, "all": true})
		if none.TotalCount != 0 || len(none.Edges) != 0 || len(none.Programs) != 0 || none.PageInfo.HasNextPage || none.PageInfo.EndCursor != nil {
			t.Errorf("New Hampshire: %+v", none)
		}

		// A county-only family: no distances; ZIPs in the county cover part
		// of it (CONFIRM), after the county and the state.
		county := mMatch(a, map[string]any{"f": map[string]any{"countyFips": "25025", "childAgeMonths": 24, "maxDistanceKm": 1}})
		mEqual(t, "county family", county.names(), []string{"Suffolk Home Visits", "Statewide Line", "Dorchester Home Visits", "Shelter Visits"})
		for _, e := range county.Edges {
			if e.DistanceKm != nil {
				t.Errorf("%s: distance %v for a county family", e.Node.Name, *e.DistanceKm)
			}
		}
	})
}

func ptrTo[T any](v T) *T { return &v }

// TestMatchGraphQLPaginationTies pages identical services two at a time.
func TestMatchGraphQLPaginationTies(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newMDir(t, db)
		var want []string
		for i := range 5 {
			name := fmt.Sprintf("Twin %d", i+1)
			d.add(name, mService{zip: "02121"})
			want = append(want, name)
		}
		a := newAPI(t, db, server.Config{})
		family := map[string]any{"zip": "02121"}
		var got, ids []string
		vars := map[string]any{"f": family, "first": 2}
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			c := mMatch(a, vars)
			if c.TotalCount != 5 {
				t.Errorf("totalCount %d", c.TotalCount)
			}
			for i, e := range c.Edges {
				got = append(got, e.Node.Name)
				ids = append(ids, e.Node.ID)
				if i == len(c.Edges)-1 && e.Cursor != *c.PageInfo.EndCursor {
					t.Errorf("last edge's cursor is not endCursor")
				}
			}
			if !c.PageInfo.HasNextPage {
				break
			}
			vars["after"] = *c.PageInfo.EndCursor
		}
		mEqual(t, "every twin once, in ID order", got, want)
		if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 5 {
			t.Errorf("IDs %v not distinct", ids)
		}
	})
}

// TestMatchGraphQLDates: childBirthDate and dueDate count at the server's
// today.
func TestMatchGraphQLDates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newMDir(t, db)
		d.add("Up to 12 months", mService{zip: "02121", elig: &directory.Eligibility{MaxAgeMonths: ptrTo(12)}})
		d.add("Up to 13 months", mService{zip: "02121", elig: &directory.Eligibility{MaxAgeMonths: ptrTo(13)}})
		d.add("Enrols by week 28", mService{zip: "02121", elig: &directory.Eligibility{AcceptsPregnant: ptrTo(true), EnrollByPregnancyWeek: ptrTo(28), MaxAgeMonths: ptrTo(0)}})
		a := newAPI(t, db, server.Config{})
		now := time.Now()
		day := func(days int) string { return now.AddDate(0, 0, days).Format(time.DateOnly) }

		// 400 days old: 13 completed months whatever today is (13 months
		// are 393 to 397 days, 14 at least 424).
		c := mMatch(a, map[string]any{"f": map[string]any{"zip": "02121", "childBirthDate": day(-400)}, "all": true})
		mEqual(t, "a 400-day-old", c.names(), []string{"Up to 13 months", "Up to 12 months", "Enrols by week 28"})
		if u := c.Edges[1].Unmet; len(u) != 1 || u[0].Message != "Serves children up to 12 months; the child is 13 months old." {
			t.Errorf("unmet %v", u)
		}
		// Due in 84 days: week 28; in 77 days: week 29. (The services that
		// do not say whether they enrol during pregnancy stay eligible,
		// with a CONFIRM.)
		c = mMatch(a, map[string]any{"f": map[string]any{"zip": "02121", "dueDate": day(84)}})
		mEqual(t, "due in 84 days", c.names(), []string{"Up to 12 months", "Up to 13 months", "Enrols by week 28"})
		if e := c.Edges[2]; !e.Eligible || !slices.Equal(e.Reasons[1:], []mReason{
			{"PREGNANCY", "Enrols families during pregnancy."},
			{"PREGNANCY_WEEK", "Enrols up to week 28 of pregnancy; the family is at week 28."},
		}) {
			t.Errorf("due in 84 days: %+v", e)
		}
		if e := c.Edges[0]; !slices.Equal(e.Reasons[1:], []mReason{{"CONFIRM", "Ask whether it enrols during pregnancy: it serves children up to 12 months."}}) {
			t.Errorf("due in 84 days, a service silent on pregnancy: %+v", e)
		}
		c = mMatch(a, map[string]any{"f": map[string]any{"zip": "02121", "dueDate": day(77)}, "all": true})
		if e := c.Edges[len(c.Edges)-1]; e.Node.Name != "Enrols by week 28" || e.Eligible ||
			!slices.Equal(e.Unmet, []mReason{{"PREGNANCY_WEEK", "Enrols only up to week 28 of pregnancy; the family is at week 29."}}) {
			t.Errorf("due in 77 days: %+v", e)
		}
	})
}

// TestMatchGraphQLBadInput: every bad input is BAD_USER_INPUT naming the
// field, never a 500 or an empty list.
func TestMatchGraphQLBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newMDir(t, db)
		d.c.TaxonomyTerm.Create().SetCode("home-visiting").SetName("Home visiting").SaveX(d.ctx)
		d.add("Anything", mService{zip: "02121"})
		a := newAPI(t, db, server.Config{})
		var list struct {
			Services struct{ Edges []struct{ Cursor string } }
		}
		a.ok(`{ services(first: 1) { edges { cursor } } }`, nil, &list)
		otherCursor := list.Services.Edges[0].Cursor

		zip := func(m map[string]any) map[string]any { m["zip"] = "02121"; return m }
		for _, c := range []struct {
			name   string
			family map[string]any
			after  any
			field  string
		}{
			{"no place at all", map[string]any{"childAgeMonths": 3}, nil, "family.zip"},
			{"unknown ZIP", map[string]any{"zip": "99999"}, nil, "family.zip"},
			{"malformed ZIP", map[string]any{"zip": "2121"}, nil, "family.zip"},
			{"malformed county", map[string]any{"countyFips": "2502"}, nil, "family.countyFips"},
			{"unknown county", map[string]any{"countyFips": "25999"}, nil, "family.countyFips"},
			{"malformed state", map[string]any{"state": "Mass"}, nil, "family.state"},
			{"latitude alone", map[string]any{"latitude": 42.3}, nil, "family.longitude"},
			{"coordinates swapped", map[string]any{"latitude": -71.0745, "longitude": 42.2973}, nil, "family.latitude"},
			{"negative age", zip(map[string]any{"childAgeMonths": -1}), nil, "family.childAgeMonths"},
			{"both age fields", zip(map[string]any{"childAgeMonths": 3, "childBirthDate": "2025-01-01"}), nil, "family.childBirthDate"},
			{"not a date", zip(map[string]any{"childBirthDate": "2025-02-30"}), nil, "family.childBirthDate"},
			{"pregnancy week 0", zip(map[string]any{"pregnancyWeek": 0}), nil, "family.pregnancyWeek"},
			{"pregnancy week 43", zip(map[string]any{"pregnancyWeek": 43}), nil, "family.pregnancyWeek"},
			{"income without household size", zip(map[string]any{"annualIncome": 30000}), nil, "family.householdSize"},
			{"household size without income", zip(map[string]any{"householdSize": 3}), nil, "family.annualIncome"},
			{"unknown need", zip(map[string]any{"needs": []string{"flying-lessons"}}), nil, "family.needs[0]"},
			{"county outside the ZIP", zip(map[string]any{"countyFips": "25017"}), nil, "family.countyFips"},
			{"zero travel limit", zip(map[string]any{"maxDistanceKm": 0}), nil, "family.maxDistanceKm"},
			{"malformed cursor", zip(map[string]any{}), "not-a-cursor", "after"},
			{"another connection's cursor", zip(map[string]any{}), otherCursor, "after"},
		} {
			t.Run(c.name, func(t *testing.T) {
				res := a.query(`query($f: FamilyInput!, $after: Cursor) { match(family: $f, after: $after) { totalCount edges { node { name } } } }`,
					map[string]any{"f": c.family, "after": c.after})
				if res.Status >= 500 || len(res.Errors) == 0 {
					t.Fatalf("status %d, errors %v, data %s", res.Status, res.Errors, res.Data)
				}
				e := res.Errors[0]
				if e.Extensions["code"] != "BAD_USER_INPUT" || e.Extensions["field"] != c.field {
					t.Errorf("error %+v, want BAD_USER_INPUT at %s", e, c.field)
				}
				if string(res.Data) != "null" && string(res.Data) != "" {
					t.Errorf("data alongside the error: %s", res.Data)
				}
			})
		}
	})
}

// TestResolveAreaGraphQL asks the reference about one place.
func TestResolveAreaGraphQL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db, server.Config{})
		type county struct{ Fips, Name, FullName string }
		type areaT struct {
			Zip, PlaceName, State *string
			Counties              []county
			Latitude, Longitude   *float64
		}
		const q = `query($zip: String, $county: String, $lat: Float, $lon: Float) {
		  resolveArea(zip: $zip, countyFips: $county, latitude: $lat, longitude: $lon) {
		    zip placeName state counties { fips name fullName } latitude longitude
		  }
		}`
		get := func(vars map[string]any) areaT {
			var data struct{ ResolveArea areaT }
			a.ok(q, vars, &data)
			return data.ResolveArea
		}
		s := func(p *string) string {
			if p == nil {
				return "<null>"
			}
			return *p
		}

		// A ZIP in two counties of two vintages.
		r := get(map[string]any{"zip": "06604"})
		if s(r.Zip) != "06604" || s(r.PlaceName) != "Bridgeport" || s(r.State) != "CT" || r.Latitude == nil || *r.Latitude != 41.1796 || *r.Longitude != -73.2019 {
			t.Errorf("06604: %+v", r)
		}
		mEqual(t, "06604 counties", r.Counties, []county{
			{"09120", "Connecticut Metropolitan", "Connecticut Metropolitan"}, {"09001", "Fairfield", "Fairfield County"}})

		r = get(map[string]any{"county": "25025"})
		if r.Zip != nil || r.PlaceName != nil || s(r.State) != "MA" || r.Latitude != nil || r.Longitude != nil {
			t.Errorf("county 25025: %+v", r)
		}
		mEqual(t, "25025", r.Counties, []county{{"25025", "Suffolk", "Suffolk County"}})
		// Baltimore County and Baltimore City share a name, not a full name.
		mEqual(t, "24510", get(map[string]any{"county": "24510"}).Counties, []county{{"24510", "Baltimore", "Baltimore City"}})

		// Coordinates: the nearest ZIP, and the point itself.
		r = get(map[string]any{"lat": 42.39, "lon": -71.07})
		if s(r.Zip) != "02129" || s(r.PlaceName) != "Charlestown" || *r.Latitude != 42.39 || *r.Longitude != -71.07 {
			t.Errorf("a point in Charlestown: %+v", r)
		}
		mEqual(t, "02129", r.Counties, []county{{"25025", "Suffolk", "Suffolk County"}})

		for _, c := range []struct {
			name  string
			vars  map[string]any
			field string
		}{
			{"no place", map[string]any{}, "zip"},
			{"two places", map[string]any{"zip": "02121", "county": "25025"}, "zip"},
			{"unknown ZIP", map[string]any{"zip": "99999"}, "zip"},
			{"malformed ZIP", map[string]any{"zip": "2121"}, "zip"},
			{"malformed county", map[string]any{"county": "MA025"}, "countyFips"},
			{"latitude alone", map[string]any{"lat": 42.0}, "longitude"},
			{"out of range", map[string]any{"lat": 42.0, "lon": 200.0}, "longitude"},
		} {
			e := a.fail(q, c.vars, "BAD_USER_INPUT")
			if e.Extensions["field"] != c.field {
				t.Errorf("%s: %+v, want field %s", c.name, e, c.field)
			}
		}
	})
}

// TestMatchStatementCount: a match costs the same number of SQL statements
// for a directory of 10 services as for 400, and so does bringing the index
// up to date after writes (the first match after the directory grew from 10
// to 200 services, and from 200 to 400).
func TestMatchStatementCount(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, counter := openCountingDB(t, backend)
			d := newMDir(t, db)
			hv := d.c.TaxonomyTerm.Create().SetCode("home-visiting").SetName("Home visiting").SaveX(d.ctx)
			var programs []*ent.Program
			for i := range 5 {
				programs = append(programs, d.c.Program.Create().SetName(fmt.Sprintf("Model %d", i)).
					SetEligibility(&directory.Eligibility{MaxAgeMonths: ptrTo(36 + i)}).SaveX(d.ctx))
			}
			n := 0
			grow := func(to int) {
				for ; n < to; n++ {
					s := mService{needs: []*ent.TaxonomyTerm{hv}, program: programs[n%5], north: []float64{float64(n%7) / 100}}
					switch n % 3 {
					case 0:
						s.zip = "02121"
					case 1:
						s.county = "25025"
					default:
						s.state = "MA"
					}
					d.add(fmt.Sprintf("Service %03d", n), s)
				}
			}
			a := newAPI(t, db, server.Config{})
			const q = `query($f: FamilyInput!) {
			  match(family: $f, first: 20, includeIneligible: true) {
			    totalCount
			    edges { score distanceKm coverage { kind code } reasons { criterion } node { name organization { name } program { name } } }
			    programs { program { name } matchedServices nearest { name } }
			  }
			}`
			family := map[string]any{"zip": "02121", "childAgeMonths": 6, "needs": []string{"home-visiting"}}
			counts, afterWrites := map[int]int{}, map[int]int{}
			for _, size := range []int{10, 200, 400} {
				grow(size)
				for _, into := range []map[int]int{afterWrites, counts} {
					counter.Reset()
					var data struct {
						Match struct {
							TotalCount int
							Edges      []any
						}
					}
					a.ok(q, map[string]any{"f": family}, &data)
					into[size] = counter.Count()
					if data.Match.TotalCount != size || len(data.Match.Edges) != min(size, 20) {
						t.Fatalf("%d services: totalCount %d, %d edges", size, data.Match.TotalCount, len(data.Match.Edges))
					}
				}
			}
			t.Logf("%s: statements for the first match after writes, by directory size: %v", backend, afterWrites)
			if afterWrites[200] != afterWrites[400] {
				t.Fatalf("bringing the index up to date costs statements that grow with the directory: %v", afterWrites)
			}
			t.Logf("%s: statements per match by directory size: %v", backend, counts)
			if counts[10] != counts[200] || counts[200] != counts[400] {
				t.Fatalf("statement count grows with the directory: %v", counts)
			}
			// The feed position, and the rows of the page and of the
			// programs' nearest in one (the index keeps no service rows).
			if counts[400] != 2 {
				t.Errorf("a match costs %d statements, want 2", counts[400])
			}
		})
	}
}
