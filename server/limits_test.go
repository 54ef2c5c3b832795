package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

func TestPageSizeLimits(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := db.Client.Organization.Create().SetName("Org").SaveX(ctx)
		for i := range 30 {
			db.Client.Service.Create().SetName(fmt.Sprintf("Service %02d", i)).SetOrganization(org).SaveX(ctx)
		}
		a := newAPI(t, db, server.Config{Limits: graph.Limits{DefaultPageSize: 7, MaxPageSize: 25, MaxComplexity: 100000}})

		var page struct {
			Services struct {
				TotalCount int
				Edges      []struct{ Node struct{ Name string } }
			}
		}
		a.ok(`{ services { totalCount edges { node { name } } } }`, nil, &page)
		if len(page.Services.Edges) != 7 || page.Services.TotalCount != 30 {
			t.Fatalf("no first/last: got %d edges of %d, want the default page of 7 of 30", len(page.Services.Edges), page.Services.TotalCount)
		}
		a.ok(`query($f: Int, $l: Int) { services(first: $f, last: $l) { edges { node { name } } } }`, map[string]any{"f": nil}, &page)
		if len(page.Services.Edges) != 7 {
			t.Fatalf("null variables: got %d edges, want the default page of 7", len(page.Services.Edges))
		}
		a.ok(`{ services(last: 3) { edges { node { name } } } }`, nil, &page)
		if got := names(page.Services.Edges); got != "Service 27,Service 28,Service 29" {
			t.Fatalf("last: 3 gave %s", got)
		}
		a.ok(`{ services(first: 25) { edges { node { name } } } }`, nil, &page)
		if len(page.Services.Edges) != 25 {
			t.Fatalf("first at the maximum: got %d edges", len(page.Services.Edges))
		}

		for _, tc := range []struct{ query, field string }{
			{`{ services(first: 26) { totalCount } }`, "first"},
			{`{ services(last: 1000) { totalCount } }`, "last"},
			{`{ services(first: -1) { totalCount } }`, "first"},
			{`query($n: Int) { services(first: $n) { totalCount } }`, "first"},
			{`{ organizations { edges { node { services(first: 26) { totalCount } } } } }`, "first"},
			{`{ services(first: null) { totalCount } }`, "first"},
		} {
			vars := map[string]any{}
			if strings.Contains(tc.query, "$n") {
				vars["n"] = 500
			}
			e := a.fail(tc.query, vars, "BAD_USER_INPUT")
			if e.Extensions["field"] != tc.field {
				t.Errorf("%s: field %v, want %s", tc.query, e.Extensions["field"], tc.field)
			}
		}
	})
}

func names(edges []struct{ Node struct{ Name string } }) string {
	var out []string
	for _, e := range edges {
		out = append(out, e.Node.Name)
	}
	return strings.Join(out, ",")
}

func TestComplexityLimit(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{})

	// gqlgen's default model would price this nest at a dozen; it can
	// return a million services, so it must be refused before it runs.
	e := a.fail(`{ organizations(first: 100) { edges { node {
		programs(first: 100) { edges { node { services(first: 100) { edges { node { name } } } } } } } } } }`,
		nil, "COMPLEXITY_LIMIT_EXCEEDED")
	if !strings.Contains(e.Message, "complexity") {
		t.Fatalf("message %q", e.Message)
	}
	// A variable page size is priced by its value.
	a.fail(`query($n: Int) { organizations(first: $n) { edges { node {
		programs(first: $n) { edges { node { services(first: $n) { edges { node { name } } } } } } } } } }`,
		map[string]any{"n": 100}, "COMPLEXITY_LIMIT_EXCEEDED")
	// Default page sizes are priced too: three default pages nest to 20^3 * cost.
	var ok struct{ Organizations struct{ TotalCount int } }
	a.ok(`{ organizations(first: 20) { totalCount edges { node { programs { edges { node { services { edges { node { name } } } } } } } } } }`, nil, &ok)
	// nodes(ids:) is priced by the number of IDs.
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", "djE6MQ")
	}
	a.fail(`{ nodes(ids: [`+strings.Join(ids, ",")+`]) { id ... on Organization { services(first: 100) { edges { node { programs: organization { programs(first: 100) { totalCount } } } } } } } }`,
		nil, "COMPLEXITY_LIMIT_EXCEEDED")
}
