package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// TestMatchAnswersEveryFieldAsNodes walks the schema: every field of a
// matched service, of its organization and program, and of its coverage
// (each alone, objects with their leaf fields) answers in match what it
// answers read by ID with nodes. match serves some of them from its index
// (graph/match.go: servedFromIndex, coverageHeld) and reads the others
// again; a field the index claims to hold but does not would answer
// differently here.
func TestMatchAnswersEveryFieldAsNodes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})
		admin := a.as(mustKey(t, db, "match fields admin", auth.Admin))
		schema := graph.NewExecutableSchema(graph.Config{Resolvers: graph.NewResolver(db.Client)}).Schema()
		family := map[string]any{"zip": "02119", "childAgeMonths": 10}

		var ids struct {
			Match struct {
				Edges []struct {
					Node     struct{ ID string }
					Coverage *struct{ ID string }
				}
			}
		}
		admin.ok(`query($f: FamilyInput!) { match(family: $f, first: 10, includeIneligible: true) { edges { node { id } coverage { id } } } }`,
			map[string]any{"f": family}, &ids)
		var services, areas []string
		for _, e := range ids.Match.Edges {
			services = append(services, e.Node.ID)
			if e.Coverage != nil {
				areas = append(areas, e.Coverage.ID)
			}
		}
		if len(services) < 3 || len(areas) < 2 {
			t.Fatalf("the seeded directory matched %d services, %d with coverage, for %v: too few to compare", len(services), len(areas), family)
		}

		compare := func(where, matchSel, nodeType, nodeSel string, path func(edge map[string]json.RawMessage) json.RawMessage, want []string) {
			t.Helper()
			m := admin.query(fmt.Sprintf(`query($f: FamilyInput!) { match(family: $f, first: 10, includeIneligible: true) { edges { %s } } }`, matchSel),
				map[string]any{"f": family})
			n := admin.query(fmt.Sprintf(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on %s { %s } } }`, nodeType, nodeSel),
				map[string]any{"ids": want})
			if len(m.Errors) > 0 || len(n.Errors) > 0 {
				t.Errorf("%s: errors in match %+v, in nodes %+v", where, m.Errors, n.Errors)
				return
			}
			var md struct {
				Match struct{ Edges []map[string]json.RawMessage }
			}
			var nd struct{ Nodes []json.RawMessage }
			if err := json.Unmarshal(m.Data, &md); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(n.Data, &nd); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range md.Match.Edges {
				if v := path(e); v != nil && string(v) != "null" {
					got = append(got, string(v))
				}
			}
			var wanted []string
			for _, v := range nd.Nodes {
				wanted = append(wanted, string(v))
			}
			if strings.Join(got, "\n") != strings.Join(wanted, "\n") {
				t.Errorf("%s: match answers\n%s\nnodes\n%s", where, strings.Join(got, "\n"), strings.Join(wanted, "\n"))
			}
		}
		node := func(e map[string]json.RawMessage) json.RawMessage { return e["node"] }
		coverage := func(e map[string]json.RawMessage) json.RawMessage { return e["coverage"] }

		for _, f := range fieldSelections(schema, "Service") {
			compare("Service."+f, "node { id "+f+" }", "Service", "id "+f, node, services)
		}
		for _, edge := range []struct{ field, typ string }{{"organization", "Organization"}, {"program", "Program"}} {
			for _, f := range fieldSelections(schema, edge.typ) {
				sel := "id " + edge.field + " { " + f + " }"
				compare("Service."+edge.field+"."+f, "node { "+sel+" }", "Service", sel, node, services)
			}
		}
		for _, f := range fieldSelections(schema, "ServiceArea") {
			compare("coverage."+f, "coverage { id "+f+" }", "ServiceArea", "id "+f, coverage, areas)
		}
	})
}

// fieldSelections is a selection of each field of typ that needs no
// argument: a leaf alone, an object or connection with its own leaf
// fields.
func fieldSelections(s *ast.Schema, typ string) []string {
	var out []string
	for _, f := range s.Types[typ].Fields {
		if strings.HasPrefix(f.Name, "__") || requiredArgs(f) {
			continue
		}
		target := s.Types[f.Type.Name()]
		switch target.Kind {
		case ast.Scalar, ast.Enum:
			out = append(out, f.Name)
		case ast.Object:
			if leaves := scalarSelection(s, target); leaves != "" {
				out = append(out, f.Name+" { "+leaves+" }")
			}
		}
	}
	return out
}
