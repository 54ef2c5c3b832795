package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/village-directory/village/ent/migrate"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// TestUniqueEdgesUnderTwoAliases walks the schema: every field of a node
// type that is one other node (a service's organization, a phone's
// location) is asked for on every record of the seeded directory twice in
// one document, once with all its scalar fields and once with its id
// alone, in both orders; the full one must answer what it answers when
// asked for alone. (entgql loaded such an edge with the last alias's
// columns only: ent/entc.go collectAliasedEdgesOnce.)
func TestUniqueEdgesUnderTwoAliases(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		// The seed lists no hours; one schedule gives its edges a record.
		ctx := context.Background()
		sal, err := db.Client.ServiceAtLocation.Query().Order(serviceatlocation.ByID()).First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Client.Schedule.Create().SetServiceID(sal.ServiceID).SetLocationID(sal.LocationID).
			SetServiceAtLocationID(sal.ID).SetOpensAt("09:00").SetClosesAt("17:00").SetByday("MO").Save(ctx); err != nil {
			t.Fatal(err)
		}
		a := newAPI(t, db, server.Config{})
		admin := a.as(mustKey(t, db, "aliases admin", auth.Admin))
		schema := graph.NewExecutableSchema(graph.Config{Resolvers: graph.NewResolver(db.Client)}).Schema()
		byType := nodeIDsByType(t, db, admin)

		edges := 0
		for _, name := range sortedTypeNames(schema) {
			def := schema.Types[name]
			ids := byType[name]
			if def.Kind != ast.Object || !implementsNode(schema, def) {
				continue
			}
			for _, f := range def.Fields {
				target := schema.Types[f.Type.Name()]
				if f.Type.Elem != nil || target == nil || target.Kind != ast.Object || !implementsNode(schema, target) || requiredArgs(f) {
					continue
				}
				if len(ids) == 0 {
					t.Errorf("%s.%s: no %s in the seeded directory to ask it of", name, f.Name, name)
					continue
				}
				edges++
				full := scalarSelection(schema, target)
				alone := admin.query(fmt.Sprintf(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on %s { full: %s { %s } } } }`, name, f.Name, full), map[string]any{"ids": ids})
				for _, doc := range []string{
					`query($ids: [ID!]!) { nodes(ids: $ids) { ... on %[1]s { full: %[2]s { %[3]s } other: %[2]s { id } } } }`,
					`query($ids: [ID!]!) { nodes(ids: $ids) { ... on %[1]s { other: %[2]s { id } full: %[2]s { %[3]s } } } }`,
				} {
					both := admin.query(fmt.Sprintf(doc, name, f.Name, full), map[string]any{"ids": ids})
					if len(alone.Errors) > 0 || len(both.Errors) > 0 {
						t.Errorf("%s.%s: errors alone %+v, with another alias %+v", name, f.Name, alone.Errors, both.Errors)
						continue
					}
					if got, want := fullOnly(t, both.Data), fullOnly(t, alone.Data); got != want {
						t.Errorf("%s.%s under two aliases answers\n%s\nalone\n%s", name, f.Name, got, want)
					}
				}
			}
		}
		// One level down: each alias's parent asks for different fields.
		svc, err := db.Client.Service.Query().Order(service.ByID()).First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		parent, err := db.Client.Organization.Query().Where(organization.IDNEQ(svc.OrganizationID)).First(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Client.Organization.UpdateOneID(svc.OrganizationID).SetParentID(parent.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		var nested struct {
			Nodes []struct {
				A, B *struct {
					Parent *struct{ Name, CreatedAt string }
				}
			}
		}
		admin.ok(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Service {
			a: organization { parent { name } } b: organization { parent { createdAt } } } } }`, map[string]any{"ids": []string{relay.Encode(svc.ID)}}, &nested)
		deep := 0
		for _, n := range nested.Nodes {
			if n.A != nil && n.A.Parent != nil {
				deep++
				if n.A.Parent.Name == "" || n.B.Parent.CreatedAt == "" {
					t.Errorf("a service's organization's parent under two aliases: name %q, createdAt %q", n.A.Parent.Name, n.B.Parent.CreatedAt)
				}
			}
		}
		if deep != 1 {
			t.Errorf("%d services with an organization's parent, want 1", deep)
		}
		if edges < 10 {
			t.Fatalf("walked %d unique edges; the schema has more", edges)
		}
	})
}

// nodeIDsByType lists the IDs of every table with an id column and asks
// the API which type each table's records are, up to 100 per type.
func nodeIDsByType(t *testing.T, db *store.DB, admin keyed) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for _, table := range migrate.Tables {
		if len(table.PrimaryKey) != 1 || table.PrimaryKey[0].Name != "id" {
			continue
		}
		rows, err := db.SQL.QueryContext(ctx, "SELECT id FROM "+table.Name+" ORDER BY id LIMIT 100")
		if err != nil {
			t.Fatalf("%s: %v", table.Name, err)
		}
		var ids []string
		for rows.Next() {
			var id int
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, relay.Encode(id))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 {
			continue
		}
		var data struct {
			Node *struct {
				Typename string `json:"__typename"`
			}
		}
		res := admin.query(`query($id: ID!) { node(id: $id) { __typename } }`, map[string]any{"id": ids[0]})
		if len(res.Errors) > 0 || json.Unmarshal(res.Data, &data) != nil || data.Node == nil {
			continue // not a node: an API key, a change-feed entry
		}
		out[data.Node.Typename] = ids
	}
	return out
}

func sortedTypeNames(s *ast.Schema) []string {
	names := make([]string, 0, len(s.Types))
	for name := range s.Types {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func implementsNode(s *ast.Schema, def *ast.Definition) bool {
	for _, i := range s.GetImplements(def) {
		if i.Name == "Node" {
			return true
		}
	}
	return false
}

func requiredArgs(f *ast.FieldDefinition) bool {
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			return true
		}
	}
	return false
}

// scalarSelection selects every scalar and enum field of def that needs no
// argument (the fuzz generator's leafFields).
func scalarSelection(s *ast.Schema, def *ast.Definition) string {
	var fields []string
	for _, f := range leafFields(s, def.Fields) {
		if !strings.HasPrefix(f.Name, "__") && !requiredArgs(f) {
			fields = append(fields, f.Name)
		}
	}
	return strings.Join(fields, " ")
}

// fullOnly is the "full" answers of a nodes response, in order.
func fullOnly(t *testing.T, data json.RawMessage) string {
	t.Helper()
	var res struct {
		Nodes []map[string]json.RawMessage
	}
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, n := range res.Nodes {
		b.Write(n["full"])
		b.WriteByte('\n')
	}
	return b.String()
}
