package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
	entfield "entgo.io/ent/schema/field"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/callrecord"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// The tests in this file hold Help Me Grow's data collection (issue 17,
// parts 4 and 5) through the HTTP handler: logCall stores bands and never
// identifiers, only staff and admins log, only admins read (by every path,
// the change feed included), and the gap report's two sides.

// callDir is a small directory in Massachusetts: home visits for children
// up to 36 months across Suffolk County, and diapers in one Dorchester ZIP.
type callDir struct {
	org, visits, diapers int
	hv, dp               *ent.TaxonomyTerm
	worcester            string // the county of ZIP 01602 (Worcester), far from Suffolk
}

func newCallDir(t *testing.T, c *ent.Client) *callDir {
	t.Helper()
	ctx := context.Background()
	d := &callDir{}
	d.org = c.Organization.Create().SetName("Harbor Family Services").SaveX(ctx).ID
	d.hv = c.TaxonomyTerm.Create().SetCode("home-visiting").SetName("Home visiting").SaveX(ctx)
	d.dp = c.TaxonomyTerm.Create().SetCode("diapers").SetName("Baby supplies").SaveX(ctx)
	visits := c.Service.Create().SetName("Suffolk Home Visits").SetOrganizationID(d.org).AddNeeds(d.hv).
		SetEligibility(&directory.Eligibility{MinAgeMonths: ptrTo(0), MaxAgeMonths: ptrTo(36)}).SaveX(ctx)
	c.ServiceArea.Create().SetService(visits).SetKind(servicearea.KindCOUNTY).SetCode("25025").SaveX(ctx)
	d.visits = visits.ID
	diapers := c.Service.Create().SetName("Dorchester Diaper Bank").SetOrganizationID(d.org).AddNeeds(d.dp).SaveX(ctx)
	c.ServiceArea.Create().SetService(diapers).SetKind(servicearea.KindZIP).SetCode("02121").SaveX(ctx)
	d.diapers = diapers.ID
	z, ok := geo.LookupZIP("01602")
	if !ok || len(z.Counties) != 1 || z.Counties[0].FIPS == "25025" {
		t.Fatalf("ZIP 01602: %+v", z)
	}
	d.worcester = z.Counties[0].FIPS
	return d
}

const logCallMutation = `mutation($input: LogCallInput!) { logCall(input: $input) { callRecord {
  id createdAt countyFips stateCode needs ageBand firstTimeParent eligibleFound
  referredServiceCount referredServices { name } } } }`

type loggedCall struct {
	ID                   string
	CreatedAt            string
	CountyFips           *string
	StateCode            *string
	Needs                []string
	AgeBand              *string
	FirstTimeParent      *bool
	EligibleFound        bool
	ReferredServiceCount int
	ReferredServices     []struct{ Name string }
}

func logCall(t *testing.T, k keyed, family map[string]any, referred ...int) loggedCall {
	t.Helper()
	ids := []string{}
	for _, id := range referred {
		ids = append(ids, relay.Encode(id))
	}
	var data struct {
		LogCall struct{ CallRecord loggedCall }
	}
	k.ok(logCallMutation, map[string]any{"input": map[string]any{"family": family, "referredServiceIDs": ids}}, &data)
	return data.LogCall.CallRecord
}

func deref2[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestLogCallStoresBandsNotIdentifiers: a staff key logs a call from a ZIP
// with a birth date; the record holds the ZIP's first county, the state,
// the age band, the needs and the referral, and eligibleFound worked out
// by the server; no column of the stored row holds the ZIP or the date.
func TestLogCallStoresBandsNotIdentifiers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newCallDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		staff := a.as(mustKey(t, db, "Call center", auth.Staff))
		birth := time.Now().UTC().AddDate(0, -5, -3).Format(time.DateOnly)
		got := logCall(t, staff, map[string]any{"zip": "02121-1234", "childBirthDate": birth, "firstTimeParent": true,
			"needs": []string{"home-visiting"}, "language": "es"}, d.visits)
		want := loggedCall{CountyFips: ptrTo("25025"), StateCode: ptrTo("MA"), Needs: []string{"home-visiting"},
			AgeBand: ptrTo("MONTHS_0_11"), FirstTimeParent: ptrTo(true), EligibleFound: true, ReferredServiceCount: 1}
		if deref2(got.CountyFips) != deref2(want.CountyFips) || deref2(got.StateCode) != deref2(want.StateCode) ||
			!slices.Equal(got.Needs, want.Needs) || deref2(got.AgeBand) != deref2(want.AgeBand) ||
			deref2(got.FirstTimeParent) != true || !got.EligibleFound || got.ReferredServiceCount != 1 ||
			len(got.ReferredServices) != 1 || got.ReferredServices[0].Name != "Suffolk Home Visits" {
			t.Errorf("logged %+v, want %+v and the referral to Suffolk Home Visits", got, want)
		}
		if today := time.Now().UTC().Format(time.DateOnly); !strings.HasPrefix(got.CreatedAt, today+"T00:00:00") {
			t.Errorf("createdAt %s, want %s at midnight UTC (the day only)", got.CreatedAt, today)
		}

		// The row itself, every column as text: nothing the family said
		// beyond the bands.
		rows, err := db.SQL.QueryContext(context.Background(), "SELECT * FROM "+callrecord.Table)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		n := 0
		for rows.Next() {
			n++
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				for _, secret := range []string{"02121", "1234", birth, "es"} {
					if strings.Contains(v.String, secret) && !(secret == "es" && strings.Contains(v.String, "home-visiting")) {
						t.Errorf("column %s = %q holds %q", cols[i], v.String, secret)
					}
				}
			}
		}
		if n != 1 {
			t.Errorf("%d call records stored, want 1", n)
		}

		// A caller placed by state only has no county; an expecting family
		// with no child given is PRENATAL; nothing said is null. Found, as
		// match says: the diaper bank covers part of the state (a CONFIRM:
		// "ask for the ZIP").
		got = logCall(t, staff, map[string]any{"state": "MA", "pregnant": true, "needs": []string{"diapers"}})
		if got.CountyFips != nil || deref2(got.StateCode) != "MA" || deref2(got.AgeBand) != "PRENATAL" || got.FirstTimeParent != nil || !got.EligibleFound {
			t.Errorf("state-only call logged %+v; want no county, MA, PRENATAL, firstTimeParent null, an eligible service found", got)
		}
		got = logCall(t, staff, map[string]any{"zip": "01602", "childAgeMonths": 70, "needs": []string{"home-visiting"}})
		if deref2(got.CountyFips) != d.worcester || deref2(got.AgeBand) != "MONTHS_60_PLUS" || got.EligibleFound {
			t.Errorf("Worcester call logged %+v; want county %s, MONTHS_60_PLUS, nothing found", got, d.worcester)
		}
		got = logCall(t, staff, map[string]any{"countyFips": "25025", "needs": []string{}})
		if deref2(got.CountyFips) != "25025" || got.AgeBand != nil || !got.EligibleFound {
			t.Errorf("county call logged %+v; want county 25025, no band, an eligible service found (any need)", got)
		}

		// Bad input names the field, under input.
		for _, c := range []struct {
			input map[string]any
			field string
		}{
			{map[string]any{"family": map[string]any{"zip": "99999"}}, "input.family.zip"},
			{map[string]any{"family": map[string]any{"zip": "02121", "needs": []string{"no-such-need"}}}, "input.family.needs[0]"},
			{map[string]any{"family": map[string]any{"zip": "02121"}, "referredServiceIDs": []string{relay.Encode(d.visits), relay.Encode(d.org)}}, "input.referredServiceIDs[1]"},
			{map[string]any{"family": map[string]any{"zip": "02121"}, "referredServiceIDs": []string{relay.Encode(d.visits), relay.Encode(d.visits)}}, "input.referredServiceIDs[1]"},
		} {
			res := staff.query(logCallMutation, map[string]any{"input": c.input})
			if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || res.Errors[0].Extensions["field"] != c.field {
				t.Errorf("logCall(%v): %+v, want BAD_USER_INPUT at %s", c.input, res.Errors, c.field)
			}
		}
		if n := db.Client.CallRecord.Query().CountX(context.Background()); n != 4 {
			t.Errorf("%d call records after refused input, want 4", n)
		}
	})
}

// TestCallRecordFieldsHoldNoIdentifiers walks the ent schema of CallRecord:
// every field is a band, a code from a fixed list, a flag, a list of IDs
// or the day, never text a person wrote, a date of birth, a ZIP or a
// point. A new field fails here until it is added to this review.
func TestCallRecordFieldsHoldNoIdentifiers(t *testing.T) {
	g, err := entc.LoadGraph("../ent/schema", &gen.Config{})
	if err != nil {
		t.Fatal(err)
	}
	reviewed := map[string]entfield.Type{
		"created_at":           entfield.TypeTime,   // the day: truncated to UTC midnight by the schema's hook
		"county_fips":          entfield.TypeString, // validated as a 5-digit FIPS code
		"state_code":           entfield.TypeString, // validated as a state postal code
		"needs":                entfield.TypeJSON,   // need codes, validated by the matcher
		"age_band":             entfield.TypeEnum,
		"first_time_parent":    entfield.TypeBool,
		"referred_service_ids": entfield.TypeJSON, // []int
		"eligible_found":       entfield.TypeBool,
	}
	forbidden := []string{"zip", "postal", "birth", "name", "phone", "email", "address", "note", "text", "comment", "lat", "lon", "dob", "income", "language"}
	var node *gen.Type
	for _, n := range g.Nodes {
		if n.Name == "CallRecord" {
			node = n
		}
	}
	if node == nil {
		t.Fatal("no CallRecord in the ent schema")
	}
	if len(node.Edges) != 0 {
		t.Errorf("CallRecord has edges %v: a referral is a list of IDs, nothing that links a call to a person or a record's text", node.Edges)
	}
	seen := 0
	for _, f := range node.Fields {
		want, ok := reviewed[f.Name]
		if !ok {
			t.Errorf("CallRecord.%s (%s) is not reviewed: a call record holds bands, never identifiers or free text", f.Name, f.Type)
			continue
		}
		seen++
		if f.Type.Type != want {
			t.Errorf("CallRecord.%s is %s, reviewed as %s", f.Name, f.Type.Type, want)
		}
		if f.Type.Type == entfield.TypeString && f.Validators == 0 {
			t.Errorf("CallRecord.%s is a string without a validator: free text", f.Name)
		}
		for _, w := range forbidden {
			if strings.Contains(f.Name, w) {
				t.Errorf("CallRecord.%s: the name says it holds %s", f.Name, w)
			}
		}
		if f.Type.Type == entfield.TypeJSON && f.Type.RType != nil && f.Type.RType.String() != "[]string" && f.Type.RType.String() != "[]int" {
			t.Errorf("CallRecord.%s holds %s", f.Name, f.Type.RType)
		}
	}
	if seen != len(reviewed) {
		t.Errorf("%d of the %d reviewed fields found", seen, len(reviewed))
	}
}

// TestLogCallRoles: staff and admins log calls; editors, readers and
// anonymous callers get FORBIDDEN and store nothing.
func TestLogCallRoles(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newCallDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		family := map[string]any{"zip": "02121", "childAgeMonths": 4, "needs": []string{"home-visiting"}}
		vars := map[string]any{"input": map[string]any{"family": family}}
		for name, k := range map[string]keyed{
			"anonymous": a.as(""),
			"reader":    a.as(mustKey(t, db, "Partner app", auth.Reader)),
			"editor":    a.as(mustKey(t, db, "Harbor sync", auth.Editor, d.org)),
		} {
			res := k.query(logCallMutation, vars)
			if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "FORBIDDEN" {
				t.Errorf("%s logCall: %+v, want FORBIDDEN", name, res.Errors)
			}
		}
		if n := db.Client.CallRecord.Query().CountX(context.Background()); n != 0 {
			t.Fatalf("%d call records after refused calls", n)
		}
		logCall(t, a.as(mustKey(t, db, "Call center", auth.Staff)), family)
		logCall(t, a.as(mustKey(t, db, "Administrator", auth.Admin)), family)
		if n := db.Client.CallRecord.Query().CountX(context.Background()); n != 2 {
			t.Errorf("%d call records, want 2 (staff and admin)", n)
		}
	})
}

// TestCallRecordsAdminsOnly: a call record is read by admins alone, by
// every path: callRecords, node, nodes, and the change feed (with and
// without its types filter).
func TestCallRecordsAdminsOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newCallDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		admin := a.as(mustKey(t, db, "Administrator", auth.Admin))
		staff := a.as(mustKey(t, db, "Call center", auth.Staff))
		rec := logCall(t, staff, map[string]any{"zip": "02121", "needs": []string{"home-visiting"}}, d.visits)

		var list struct {
			CallRecords struct {
				TotalCount int
				Edges      []struct {
					Node struct{ ID, CountyFips string }
				}
			}
		}
		admin.ok(`{ callRecords(first: 10) { totalCount edges { node { id countyFips } } } }`, nil, &list)
		if list.CallRecords.TotalCount != 1 || len(list.CallRecords.Edges) != 1 || list.CallRecords.Edges[0].Node.ID != rec.ID {
			t.Errorf("admin callRecords %+v, want the one logged (%s)", list.CallRecords, rec.ID)
		}
		var node struct{ Node *struct{ ID string } }
		admin.ok(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": rec.ID}, &node)
		if node.Node == nil || node.Node.ID != rec.ID {
			t.Errorf("admin node(%s) = %+v", rec.ID, node.Node)
		}
		var feed struct {
			Changes struct {
				TotalCount int
				Edges      []struct {
					Node struct{ EntityType, EntityID, Operation string }
				}
			}
		}
		admin.ok(`{ changes(types: [CALL_RECORD]) { totalCount edges { node { entityType entityID operation } } } }`, nil, &feed)
		if feed.Changes.TotalCount != 1 || feed.Changes.Edges[0].Node.EntityID != rec.ID || feed.Changes.Edges[0].Node.Operation != "CREATE" {
			t.Errorf("admin's feed of call records: %+v, want the CREATE of %s", feed.Changes, rec.ID)
		}

		for name, k := range map[string]keyed{
			"anonymous": a.as(""),
			"reader":    a.as(mustKey(t, db, "Partner app", auth.Reader)),
			"staff":     staff,
			"editor":    a.as(mustKey(t, db, "Harbor sync", auth.Editor, d.org)),
		} {
			res := k.query(`{ callRecords(first: 10) { totalCount edges { node { id } } } }`, nil)
			if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "FORBIDDEN" || string(res.Data) != "null" {
				t.Errorf("%s callRecords: data %s errors %+v, want FORBIDDEN and no data", name, res.Data, res.Errors)
			}
			res = k.query(`query($id: ID!) { node(id: $id) { id ... on CallRecord { countyFips } } }`, map[string]any{"id": rec.ID})
			if strings.Contains(string(res.Data), rec.ID) || strings.Contains(string(res.Data), "25025") {
				t.Errorf("%s node(call record): %s", name, res.Data)
			}
			res = k.query(`query($ids: [ID!]!) { nodes(ids: $ids) { id ... on CallRecord { countyFips } } }`, map[string]any{"ids": []string{rec.ID}})
			if strings.Contains(string(res.Data), rec.ID) || strings.Contains(string(res.Data), "25025") {
				t.Errorf("%s nodes(call record): %s", name, res.Data)
			}
			if name == "anonymous" {
				continue // the feed needs a key
			}
			for _, q := range []string{
				`{ changes(types: [CALL_RECORD]) { totalCount edges { node { entityType entityID } } } }`,
				`{ changes(first: 100) { totalCount edges { node { entityType entityID } } } }`,
			} {
				res = k.query(q, nil)
				if len(res.Errors) > 0 {
					t.Errorf("%s %s: %+v", name, q, res.Errors)
				}
				if strings.Contains(string(res.Data), "CALL_RECORD") || strings.Contains(string(res.Data), rec.ID) {
					t.Errorf("%s sees the call record's event: %s", name, res.Data)
				}
			}
		}
	})
}

const gapsQuery = `query($needs: [String!], $from: Date, $to: Date, $profile: FamilyProfileInput) {
  gaps(needs: $needs, from: $from, to: $to, profile: $profile) {
    byCounty { county { fips state } need calls unmet unmetShare } } }`

const uncoveredQuery = `query($needs: [String!], $profile: FamilyProfileInput) {
  gaps(needs: $needs, profile: $profile) { uncovered { need counties { fips name fullName state } } } }`

type countyGapRow struct {
	County struct{ Fips, State string }
	Need   string
	Calls  int
	Unmet  int
	Share  float64 `json:"unmetShare"`
}

func (r countyGapRow) String() string {
	return fmt.Sprintf("%s/%s %d calls %d unmet (%.2f)", r.County.Fips, r.Need, r.Calls, r.Unmet, r.Share)
}

// TestGapsByCounty: per county and need, the calls logged and those with
// no eligible service found, with their share; a call about two needs
// counts in both; a state-only call in none; the profile's age band and the
// days select calls; admins only.
func TestGapsByCounty(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newCallDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		admin := a.as(mustKey(t, db, "Administrator", auth.Admin))
		staff := a.as(mustKey(t, db, "Call center", auth.Staff))
		hv := []string{"home-visiting"}
		if c := logCall(t, staff, map[string]any{"zip": "02121", "childAgeMonths": 6, "needs": hv}); !c.EligibleFound {
			t.Fatalf("a 6-month-old in Dorchester finds Suffolk Home Visits: %+v", c)
		}
		if c := logCall(t, staff, map[string]any{"zip": "02121", "childAgeMonths": 48, "needs": hv}); c.EligibleFound {
			t.Fatalf("a 4-year-old is past Suffolk Home Visits' ages: %+v", c)
		}
		logCall(t, staff, map[string]any{"zip": "01602", "needs": []string{"home-visiting", "diapers"}})
		logCall(t, staff, map[string]any{"state": "MA", "needs": hv})

		rows := func(vars map[string]any) []string {
			t.Helper()
			var data struct {
				Gaps struct{ ByCounty []countyGapRow }
			}
			admin.ok(gapsQuery, vars, &data)
			var out []string
			for _, r := range data.Gaps.ByCounty {
				if r.County.State != "MA" {
					t.Errorf("row %v: state %q", r, r.County.State)
				}
				out = append(out, r.String())
			}
			return out
		}
		want := []string{ // in county FIPS, then need order
			"25025/home-visiting 2 calls 1 unmet (0.50)",
			d.worcester + "/diapers 1 calls 1 unmet (1.00)",
			d.worcester + "/home-visiting 1 calls 1 unmet (1.00)",
		}
		if got := rows(nil); !slices.Equal(got, want) {
			t.Errorf("byCounty %q, want %q", got, want)
		}
		if got, w := rows(map[string]any{"needs": hv}), []string{want[0], want[2]}; !slices.Equal(got, w) {
			t.Errorf("byCounty for home visiting %q, want %q", got, w)
		}
		// The profile's band: a baby's calls only (the Worcester call gave no age).
		if got, w := rows(map[string]any{"profile": map[string]any{"childAgeMonths": 5}}), []string{"25025/home-visiting 1 calls 0 unmet (0.00)"}; !slices.Equal(got, w) {
			t.Errorf("byCounty for babies %q, want %q", got, w)
		}
		today := time.Now().UTC()
		if got := rows(map[string]any{"from": today.Format(time.DateOnly), "to": today.Format(time.DateOnly)}); !slices.Equal(got, want) {
			t.Errorf("byCounty today %q, want %q", got, want)
		}
		if got := rows(map[string]any{"from": today.AddDate(0, 0, 1).Format(time.DateOnly)}); len(got) != 0 {
			t.Errorf("byCounty from tomorrow %q, want none", got)
		}
		if e := admin.query(gapsQuery, map[string]any{"from": "2026-02-01", "to": "2026-01-01"}); len(e.Errors) == 0 || e.Errors[0].Extensions["field"] != "to" {
			t.Errorf("to before from: %+v, want BAD_USER_INPUT at to", e.Errors)
		}
		if e := admin.query(gapsQuery, map[string]any{"needs": []string{"nope"}}); len(e.Errors) == 0 || e.Errors[0].Extensions["field"] != "needs[0]" {
			t.Errorf("unknown need: %+v, want BAD_USER_INPUT at needs[0]", e.Errors)
		}

		for name, k := range map[string]keyed{
			"anonymous": a.as(""),
			"reader":    a.as(mustKey(t, db, "Partner app", auth.Reader)),
			"staff":     staff,
			"editor":    a.as(mustKey(t, db, "Harbor sync", auth.Editor, d.org)),
		} {
			res := k.query(gapsQuery, nil)
			if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "FORBIDDEN" || strings.Contains(string(res.Data), "home-visiting") {
				t.Errorf("%s byCounty: data %s errors %+v, want FORBIDDEN", name, res.Data, res.Errors)
			}
		}
	})
}

// TestGapsUncovered: the directory's side, for any key: for each need, the
// counties where no service covers a family of the profile. A county served
// in part (a ZIP) is not listed; the profile's age excludes a service past
// it; a service created afterwards covers its county at once.
func TestGapsUncovered(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newCallDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		reader := a.as(mustKey(t, db, "Partner app", auth.Reader))
		uncovered := func(vars map[string]any) map[string][]string {
			t.Helper()
			var data struct {
				Gaps struct {
					Uncovered []struct {
						Need     string
						Counties []struct{ Fips, Name, FullName, State string }
					}
				}
			}
			reader.ok(uncoveredQuery, vars, &data)
			out := map[string][]string{}
			for _, n := range data.Gaps.Uncovered {
				out[n.Need] = []string{}
				for _, c := range n.Counties {
					out[n.Need] = append(out[n.Need], c.Fips)
				}
				if !slices.IsSorted(out[n.Need]) {
					t.Errorf("%s: counties not in FIPS order", n.Need)
				}
			}
			return out
		}
		all := len(geo.Counties())
		got := uncovered(map[string]any{"needs": []string{"home-visiting", "diapers"}, "profile": map[string]any{"childAgeMonths": 6}})
		if hv := got["home-visiting"]; slices.Contains(hv, "25025") || !slices.Contains(hv, d.worcester) || len(hv) != all-1 {
			t.Errorf("home visiting for a baby: %d counties uncovered (Suffolk %v, Worcester %v), want all %d but Suffolk",
				len(hv), slices.Contains(hv, "25025"), slices.Contains(hv, d.worcester), all)
		}
		if dp := got["diapers"]; slices.Contains(dp, "25025") || len(dp) != all-1 {
			t.Errorf("diapers: %d counties uncovered (Suffolk %v), want all but Suffolk, served in part (ZIP 02121)", len(dp), slices.Contains(dp, "25025"))
		}
		// A four-year-old is past the home visits' ages: Suffolk is a gap.
		got = uncovered(map[string]any{"needs": []string{"home-visiting"}, "profile": map[string]any{"childAgeMonths": 48}})
		if !slices.Contains(got["home-visiting"], "25025") {
			t.Errorf("home visiting for a 4-year-old: Suffolk not listed")
		}
		// Every need of the vocabulary when none is asked.
		if got = uncovered(nil); len(got) != 2 {
			t.Errorf("uncovered with no needs: %d needs, want the vocabulary's 2", len(got))
		}

		// Freshness: a service created for Worcester covers it at once.
		ctx := context.Background()
		svc := db.Client.Service.Create().SetName("Worcester Home Visits").SetOrganizationID(d.org).AddNeeds(d.hv).SaveX(ctx)
		db.Client.ServiceArea.Create().SetService(svc).SetKind(servicearea.KindCOUNTY).SetCode(d.worcester).SaveX(ctx)
		got = uncovered(map[string]any{"needs": []string{"home-visiting"}, "profile": map[string]any{"childAgeMonths": 6}})
		if slices.Contains(got["home-visiting"], d.worcester) || len(got["home-visiting"]) != all-2 {
			t.Errorf("after Worcester Home Visits was created, %d counties uncovered (Worcester %v), want all but Suffolk and Worcester",
				len(got["home-visiting"]), slices.Contains(got["home-visiting"], d.worcester))
		}
		// A sample listing is not a real service: it covers nothing.
		sample := db.Client.Service.Create().SetName("Sample Visits").SetOrganizationID(d.org).AddNeeds(d.hv).SetSample(true).SaveX(ctx)
		db.Client.ServiceArea.Create().SetService(sample).SetKind(servicearea.KindSTATE).SetCode("MA").SaveX(ctx)
		got = uncovered(map[string]any{"needs": []string{"home-visiting"}, "profile": map[string]any{"childAgeMonths": 6}})
		if len(got["home-visiting"]) != all-2 {
			t.Errorf("a sample statewide listing changed the gaps: %d counties uncovered, want %d", len(got["home-visiting"]), all-2)
		}

		res := a.as("").query(uncoveredQuery, nil)
		if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "FORBIDDEN" {
			t.Errorf("anonymous gaps: %+v, want FORBIDDEN", res.Errors)
		}
		res = reader.query(uncoveredQuery, map[string]any{"profile": map[string]any{"childAgeMonths": -1}})
		if len(res.Errors) == 0 || res.Errors[0].Extensions["field"] != "profile.childAgeMonths" {
			t.Errorf("a negative age: %+v, want BAD_USER_INPUT at profile.childAgeMonths", res.Errors)
		}
	})
}
