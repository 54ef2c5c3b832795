package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

const searchQuery = `query($text: String!, $near: PlaceInput, $types: [SearchType!], $needs: [String!], $first: Int, $after: Cursor) {
  search(text: $text, near: $near, types: $types, needs: $needs, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges {
      cursor score distanceKm
      highlights { field text matches { start end } }
      node {
        __typename
        ... on Service { id name organization { name } }
        ... on Program { id name }
        ... on Organization { id name }
        ... on Resource { id title }
      }
    }
  }
}`

type searchAnswer struct {
	Search struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage, HasPreviousPage bool
			EndCursor                    *string
		}
		Edges []struct {
			Cursor     string
			Score      float64
			DistanceKm *float64
			Highlights []struct {
				Field, Text string
				Matches     []struct{ Start, End int }
			}
			Node struct {
				Typename     string `json:"__typename"`
				ID           string
				Name, Title  string
				Organization *struct{ Name string }
			}
		}
	}
}

func (s searchAnswer) names() []string {
	var out []string
	for _, e := range s.Search.Edges {
		out = append(out, e.Node.Typename+" "+e.Node.Name+e.Node.Title)
	}
	return out
}

// TestSearchGraphQL: the search field over HTTP, on both backends: a
// mutation's record is found by the next request, results of every type
// come back with their fields, pages follow cursors, bad input has codes.
func TestSearchGraphQL(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db, server.Config{})
		admin := a.as(mustKey(t, db, "Administrator", auth.Admin))
		ctx := context.Background()
		org := db.Client.Organization.Create().SetName("Harbor Family Services").SetDescription("Nurse home visits across Boston.").SaveX(ctx)
		db.Client.Program.Create().SetName("Harbor Nurse Program").SetOrganization(org).SaveX(ctx)
		db.Client.Resource.Create().SetTitle("Nurse visit checklist").SetKind("TOOL").SetStatus("PUBLISHED").SetPublisher(org).SaveX(ctx)

		var before searchAnswer
		a.ok(searchQuery, map[string]any{"text": "lactation"}, &before)
		if before.Search.TotalCount != 0 {
			t.Fatalf("before the write: %v", before.names())
		}
		var created struct{ CreateService struct{ ID string } }
		admin.ok(`mutation($o: ID!) { createService(input: {name: "Lactation Circle", description: "Nurses help with breastfeeding.", organizationID: $o}) { id } }`,
			map[string]any{"o": relay.Encode(org.ID)}, &created)
		var after searchAnswer
		a.ok(searchQuery, map[string]any{"text": "lactaton"}, &after) // one typo
		if got := after.names(); !slices.Equal(got, []string{"Service Lactation Circle"}) {
			t.Fatalf("after createService: %q", got)
		}
		e := after.Search.Edges[0]
		if e.Node.ID != created.CreateService.ID || e.Node.Organization == nil || e.Node.Organization.Name != "Harbor Family Services" || e.Score != 1 {
			t.Errorf("edge: %+v", e)
		}
		if len(e.Highlights) != 1 || e.Highlights[0].Field != "name" || e.Highlights[0].Text != "Lactation Circle" ||
			len(e.Highlights[0].Matches) != 1 || e.Highlights[0].Matches[0].Start != 0 || e.Highlights[0].Matches[0].End != 9 {
			t.Errorf("highlights: %+v", e.Highlights)
		}

		var all searchAnswer
		a.ok(searchQuery, map[string]any{"text": "nurse harbor"}, &all)
		// Both words in the name; in the title and the publisher's name; in
		// the name and the description; in the organization's name and the
		// description.
		want := []string{"Program Harbor Nurse Program", "Resource Nurse visit checklist", "Organization Harbor Family Services", "Service Lactation Circle"}
		if got := all.names(); !slices.Equal(got, want) {
			t.Errorf("every type:\n got %q\nwant %q", got, want)
		}
		var paged []string
		var cursor any
		for {
			var page searchAnswer
			a.ok(searchQuery, map[string]any{"text": "nurse harbor", "first": 1, "after": cursor}, &page)
			paged = append(paged, page.names()...)
			if page.Search.TotalCount != 4 || page.Search.PageInfo.HasPreviousPage != (cursor != nil) {
				t.Errorf("page after %v: %+v", cursor, page.Search)
			}
			if !page.Search.PageInfo.HasNextPage {
				break
			}
			cursor = *page.Search.PageInfo.EndCursor
		}
		// Highlights are cut from the page's records, which the query loads
		// with the texts highlights need though it selects no description.
		for _, e := range all.Search.Edges {
			if e.Node.Name != "Lactation Circle" && e.Node.Name != "Harbor Family Services" {
				continue
			}
			var fields []string
			for _, h := range e.Highlights {
				fields = append(fields, h.Field+": "+h.Text)
			}
			wantFields := map[string][]string{
				"Lactation Circle":       {"description: Nurses help with breastfeeding.", "organization.name: Harbor Family Services"},
				"Harbor Family Services": {"name: Harbor Family Services", "description: Nurse home visits across Boston."},
			}[e.Node.Name]
			if !slices.Equal(fields, wantFields) {
				t.Errorf("%s's highlights: %q, want %q", e.Node.Name, fields, wantFields)
			}
		}
		if !slices.Equal(paged, want) {
			t.Errorf("paged: %q", paged)
		}
		var typed searchAnswer
		a.ok(searchQuery, map[string]any{"text": "nurse harbor", "types": []string{"RESOURCE", "ORGANIZATION"}}, &typed)
		if got := typed.names(); !slices.Equal(got, []string{"Resource Nurse visit checklist", "Organization Harbor Family Services"}) {
			t.Errorf("types: %q", got)
		}

		for _, c := range []struct {
			vars  map[string]any
			code  string
			field string
		}{
			{map[string]any{"text": ""}, "BAD_USER_INPUT", "text"},
			{map[string]any{"text": strings.Repeat("x", 1001)}, "BAD_USER_INPUT", "text"},
			{map[string]any{"text": manyWords(21)}, "BAD_USER_INPUT", "text"},
			{map[string]any{"text": "nurse", "first": 100000}, "BAD_USER_INPUT", "first"},
			{map[string]any{"text": "nurse", "first": -1}, "BAD_USER_INPUT", "first"},
			{map[string]any{"text": "nurse", "needs": []string{"no-such-need"}}, "BAD_USER_INPUT", "needs[0]"},
			{map[string]any{"text": "nurse", "near": map[string]any{"zip": "1"}}, "BAD_USER_INPUT", "near.zip"},
			{map[string]any{"text": "nurse", "near": map[string]any{"zip": "02121", "countyFips": "25025"}}, "BAD_USER_INPUT", "near.zip"},
			{map[string]any{"text": "nurse", "after": "bm90IGEgY3Vyc29y"}, "BAD_USER_INPUT", "after"},
			{map[string]any{"text": "nurse", "types": []string{"PHONE"}}, "GRAPHQL_VALIDATION_FAILED", ""},
		} {
			e := a.fail(searchQuery, c.vars, c.code)
			if c.field != "" && fmt.Sprint(e.Extensions["field"]) != c.field {
				t.Errorf("%v: field %v, want %s (%s)", c.vars, e.Extensions["field"], c.field, e.Message)
			}
		}
	})
}

// TestSearchVisibility: each kind of viewer finds only what it may read,
// and is measured to only the locations it may see; counts and highlights
// show nothing more.
func TestSearchVisibility(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newVDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		near := map[string]any{"latitude": 42.3073, "longitude": -71.0745}
		for _, v := range d.viewers(t, db, a) {
			var got searchAnswer
			for text, title := range map[string]string{"safe sleep": "Safe Sleep Guide", "draft toolkit": "Draft Toolkit", "spam": "Spam"} {
				v.k.ok(searchQuery, map[string]any{"text": text}, &got)
				var want []string
				if title == "Safe Sleep Guide" || v.unpublished {
					want = []string{"Resource " + title}
				}
				if names := got.names(); !slices.Equal(names, want) || got.Search.TotalCount != len(want) {
					t.Errorf("%s: %q finds %q (total %d), want %q", v.name, text, names, got.Search.TotalCount, want)
				}
			}
			// Internal notes are never searched, whoever asks.
			v.k.ok(searchQuery, map[string]any{"text": "Dana fax"}, &got)
			if got.Search.TotalCount != 0 {
				t.Errorf("%s: internal notes found: %q", v.name, got.names())
			}
			v.k.ok(searchQuery, map[string]any{"text": "visits", "near": near, "types": []string{"SERVICE"}}, &got)
			for _, e := range got.Search.Edges {
				// Harbor visits is delivered only at Harbor's shelter;
				// Beacon visits also at Beacon's public hub (all three at
				// the point searched from).
				switch {
				case e.Node.Name == "Harbor visits" && v.harborSecrets != (e.DistanceKm != nil):
					t.Errorf("%s: Harbor visits measured to its shelter: %v", v.name, e.DistanceKm)
				case e.Node.Name == "Beacon visits" && (e.DistanceKm == nil || *e.DistanceKm > 0.001):
					t.Errorf("%s: Beacon visits distance %v, want 0 (its public hub)", v.name, e.DistanceKm)
				}
				for _, h := range e.Highlights {
					if strings.Contains(h.Text, "Dana") || strings.Contains(h.Text, "fax") {
						t.Errorf("%s: highlight shows internal notes: %q", v.name, h.Text)
					}
				}
			}
			if len(got.Search.Edges) != 2 {
				t.Errorf("%s: visits: %q", v.name, got.names())
			}
		}
	})
}

func manyWords(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "word%d ", i)
	}
	return b.String()
}

// TestSearchStatementCount: a search page costs a fixed number of
// statements whatever its size: the feed position, one statement per type
// on the page and per edge it selects, one per type for highlights.
func TestSearchStatementCount(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, counter := openCountingDB(t, backend)
			ctx := context.Background()
			for o := range 4 {
				org := db.Client.Organization.Create().SetName(fmt.Sprintf("Harbor %d", o)).SaveX(ctx)
				prog := db.Client.Program.Create().SetName(fmt.Sprintf("Harbor program %d", o)).SetOrganization(org).SaveX(ctx)
				db.Client.Resource.Create().SetTitle(fmt.Sprintf("Harbor guide %d", o)).SetKind("GUIDE").SetStatus("PUBLISHED").SaveX(ctx)
				for s := range 8 {
					db.Client.Service.Create().SetName(fmt.Sprintf("Harbor service %d.%d", o, s)).SetDescription("Harbor visits.").
						SetOrganization(org).SetProgram(prog).SaveX(ctx)
				}
			}
			a := newAPI(t, db, server.Config{})
			var warm searchAnswer
			a.ok(searchQuery, map[string]any{"text": "harbor"}, &warm) // builds the index
			counts := map[string]int{}
			for _, c := range []struct {
				name  string
				types []string
				first int
			}{
				{"services 2", []string{"SERVICE"}, 2}, {"services 10", []string{"SERVICE"}, 10}, {"services 30", []string{"SERVICE"}, 30},
				{"all 5", nil, 5}, {"all 44", nil, 44},
			} {
				counter.Reset()
				var got searchAnswer
				a.ok(searchQuery, map[string]any{"text": "harbor", "types": c.types, "first": c.first}, &got)
				counts[c.name] = counter.Count()
				if len(got.Search.Edges) != min(c.first, map[bool]int{true: 32, false: 44}[c.types != nil]) {
					t.Errorf("%s: %d edges", c.name, len(got.Search.Edges))
				}
			}
			t.Logf("statements: %v", counts)
			// Services: the position, the services, their organizations,
			// their highlights' texts.
			if counts["services 2"] > 4 || counts["services 2"] != counts["services 10"] || counts["services 10"] != counts["services 30"] {
				t.Errorf("services: statements by page size %v, want the same, at most 4", counts)
			}
			// Every type: the position; services and their organizations,
			// programs, organizations, resources; highlights for each type.
			if counts["all 44"] > 10 {
				t.Errorf("every type: %d statements, want at most 10 (%v)", counts["all 44"], counts)
			}
		})
	}
}
