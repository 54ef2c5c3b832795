package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// The tests in this file fetch every Node type by its global ID through
// node and nodes, and check IDs are opaque, distinct and stable.

// nodeKind is one type implementing Node: a field with a known value, read
// under an alias of its own (the types disagree on nullability, so a shared
// response name would not validate).
type nodeKind struct {
	typename string
	field    string
	want     string
}

func (k nodeKind) alias() string { return "the" + k.typename }

// nodeKinds lists every type of graph/ent.graphqls that implements Node,
// with the value nodeFixture gives its one record.
var nodeKinds = []nodeKind{
	{"Organization", "name", "Harbor Health"},
	{"Program", "name", "Nurse-Family Partnership"},
	{"Service", "name", "Harbor Home Visits"},
	{"Location", "name", "Harbor Clinic"},
	{"ServiceAtLocation", "description", "Tuesday drop-in at the clinic"},
	{"ServiceArea", "code", "02121"},
	{"TaxonomyTerm", "code", "home-visiting"},
	{"Phone", "number", "617-555-0100"},
	{"Contact", "name", "Dana Reyes"},
	{"Schedule", "byday", "MO,WE"},
	{"Resource", "title", "Safe Sleep Guide"},
	{"Funding", "source", "Pritzker Children's Initiative"},
}

// nodeSelection reads __typename, id and each type's known field.
func nodeSelection() string {
	s := "__typename id"
	for _, k := range nodeKinds {
		s += fmt.Sprintf(" ... on %s { %s: %s }", k.typename, k.alias(), k.field)
	}
	return s
}

// nodeFixture creates one record of every Node type, linked the way the
// directory links them.
func nodeFixture(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	c := db.Client
	org := c.Organization.Create().SetName("Harbor Health").SaveX(ctx)
	prog := c.Program.Create().SetName("Nurse-Family Partnership").SetOrganization(org).SaveX(ctx)
	term := c.TaxonomyTerm.Create().SetCode("home-visiting").SetName("Home visiting").SaveX(ctx)
	svc := c.Service.Create().SetName("Harbor Home Visits").SetOrganization(org).SetProgram(prog).AddNeeds(term).SaveX(ctx)
	loc := c.Location.Create().SetName("Harbor Clinic").SetOrganization(org).SaveX(ctx)
	c.ServiceAtLocation.Create().SetService(svc).SetLocation(loc).SetDescription("Tuesday drop-in at the clinic").SaveX(ctx)
	c.ServiceArea.Create().SetService(svc).SetKind(servicearea.KindZIP).SetCode("02121").SaveX(ctx)
	c.Phone.Create().SetNumber("617-555-0100").SetOrganization(org).SaveX(ctx)
	c.Contact.Create().SetName("Dana Reyes").SetOrganization(org).SaveX(ctx)
	c.Schedule.Create().SetService(svc).SetByday("MO,WE").SetOpensAt("09:00").SetClosesAt("17:00").SaveX(ctx)
	c.Resource.Create().SetTitle("Safe Sleep Guide").SetKind(resource.KindGUIDE).SetStatus(resource.StatusPUBLISHED).SetPublisher(org).SaveX(ctx)
	c.Funding.Create().SetSource("Pritzker Children's Initiative").SetOrganization(org).SaveX(ctx)
}

type nodeRef struct {
	ID string `json:"id"`
}

type nodeRefs struct {
	Edges []struct {
		Node nodeRef `json:"node"`
	} `json:"edges"`
}

// nodeIDsQuery reaches every record of nodeFixture from the organizations
// list, through lists and nested connections.
const nodeIDsQuery = `{
  organizations(first: 5) { edges { node {
    id
    phones { id } contacts { id } fundings { id }
    programs(first: 5) { edges { node { id } } }
    locations(first: 5) { edges { node { id } } }
    resources(first: 5) { edges { node { id } } }
    services(first: 5) { edges { node {
      id
      schedules { id }
      needs(first: 5) { edges { node { id } } }
      serviceAtLocations(first: 5) { edges { node { id } } }
      serviceAreas(first: 5) { edges { node { id } } }
    } } }
  } } }
}`

// nodeIDs reads the ID of each fixture record, by type name.
func nodeIDs(t *testing.T, a *api) map[string]string {
	t.Helper()
	var data struct {
		Organizations struct {
			Edges []struct {
				Node struct {
					ID        string    `json:"id"`
					Phones    []nodeRef `json:"phones"`
					Contacts  []nodeRef `json:"contacts"`
					Fundings  []nodeRef `json:"fundings"`
					Programs  nodeRefs  `json:"programs"`
					Locations nodeRefs  `json:"locations"`
					Resources nodeRefs  `json:"resources"`
					Services  struct {
						Edges []struct {
							Node struct {
								ID                 string    `json:"id"`
								Schedules          []nodeRef `json:"schedules"`
								Needs              nodeRefs  `json:"needs"`
								ServiceAtLocations nodeRefs  `json:"serviceAtLocations"`
								ServiceAreas       nodeRefs  `json:"serviceAreas"`
							} `json:"node"`
						} `json:"edges"`
					} `json:"services"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"organizations"`
	}
	a.ok(nodeIDsQuery, nil, &data)
	if len(data.Organizations.Edges) != 1 {
		t.Fatalf("%d organizations, want 1", len(data.Organizations.Edges))
	}
	o := data.Organizations.Edges[0].Node
	if len(o.Services.Edges) != 1 {
		t.Fatalf("%d services, want 1", len(o.Services.Edges))
	}
	s := o.Services.Edges[0].Node
	one := func(what string, refs []nodeRef) string {
		t.Helper()
		if len(refs) != 1 {
			t.Fatalf("%d %s, want 1", len(refs), what)
		}
		return refs[0].ID
	}
	edge := func(what string, c nodeRefs) string {
		t.Helper()
		var refs []nodeRef
		for _, e := range c.Edges {
			refs = append(refs, e.Node)
		}
		return one(what, refs)
	}
	return map[string]string{
		"Organization":      o.ID,
		"Program":           edge("programs", o.Programs),
		"Service":           s.ID,
		"Location":          edge("locations", o.Locations),
		"ServiceAtLocation": edge("serviceAtLocations", s.ServiceAtLocations),
		"ServiceArea":       edge("serviceAreas", s.ServiceAreas),
		"TaxonomyTerm":      edge("needs", s.Needs),
		"Phone":             one("phones", o.Phones),
		"Contact":           one("contacts", o.Contacts),
		"Schedule":          one("schedules", s.Schedules),
		"Resource":          edge("resources", o.Resources),
		"Funding":           one("fundings", o.Fundings),
	}
}

func TestNodeRoundTripEveryType(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		nodeFixture(t, db)
		a := newAPI(t, db, server.Config{})
		ids := nodeIDs(t, a)
		query := `query($id: ID!) { node(id: $id) { ` + nodeSelection() + ` } }`
		for _, k := range nodeKinds {
			t.Run(k.typename, func(t *testing.T) {
				a := connAt(a, t)
				id := ids[k.typename]
				var data struct {
					Node map[string]any `json:"node"`
				}
				a.ok(query, map[string]any{"id": id}, &data)
				if data.Node == nil {
					t.Fatalf("node(id: %q) is null", id)
				}
				if got := data.Node["__typename"]; got != k.typename {
					t.Errorf("__typename %v, want %s", got, k.typename)
				}
				if got := data.Node["id"]; got != id {
					t.Errorf("id %v, want the ID asked for, %s", got, id)
				}
				if got := data.Node[k.alias()]; got != k.want {
					t.Errorf("%s %v, want %q", k.field, got, k.want)
				}
			})
		}
	})
}

func TestNodeIDsOpaqueDistinctStable(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		nodeFixture(t, db)
		a := newAPI(t, db, server.Config{})
		first, second := nodeIDs(t, a), nodeIDs(t, a)
		seen := map[string]string{}
		digits := regexp.MustCompile(`^[0-9]+$`)
		for _, k := range nodeKinds {
			id := first[k.typename]
			if id == "" {
				t.Errorf("%s has an empty ID", k.typename)
				continue
			}
			if _, err := strconv.Atoi(id); err == nil || digits.MatchString(id) {
				t.Errorf("%s ID %q is numeric, not opaque", k.typename, id)
			}
			if other, ok := seen[id]; ok {
				t.Errorf("%s and %s share the ID %q", other, k.typename, id)
			}
			seen[id] = k.typename
			if second[k.typename] != id {
				t.Errorf("%s ID changed between requests: %q then %q", k.typename, id, second[k.typename])
			}
		}
		if len(seen) != len(nodeKinds) {
			t.Errorf("%d distinct IDs for %d records", len(seen), len(nodeKinds))
		}
	})
}

func TestNodesInAskedOrder(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		nodeFixture(t, db)
		a := newAPI(t, db, server.Config{})
		ids := nodeIDs(t, a)
		// Every type, in reverse of nodeKinds' order, with the organization
		// asked for twice.
		var ask, wantTypes []string
		for i := len(nodeKinds) - 1; i >= 0; i-- {
			ask = append(ask, ids[nodeKinds[i].typename])
			wantTypes = append(wantTypes, nodeKinds[i].typename)
		}
		ask = append(ask, ids["Organization"])
		wantTypes = append(wantTypes, "Organization")

		var data struct {
			Nodes []map[string]any `json:"nodes"`
		}
		a.ok(`query($ids: [ID!]!) { nodes(ids: $ids) { `+nodeSelection()+` } }`, map[string]any{"ids": ask}, &data)
		if len(data.Nodes) != len(ask) {
			t.Fatalf("%d nodes for %d IDs", len(data.Nodes), len(ask))
		}
		want := map[string]nodeKind{}
		for _, k := range nodeKinds {
			want[k.typename] = k
		}
		for i, n := range data.Nodes {
			if n == nil {
				t.Errorf("nodes[%d] is null, want the %s", i, wantTypes[i])
				continue
			}
			if n["__typename"] != wantTypes[i] || n["id"] != ask[i] {
				t.Errorf("nodes[%d] is %v %v, want %s %s", i, n["__typename"], n["id"], wantTypes[i], ask[i])
			}
			k := want[wantTypes[i]]
			if n[k.alias()] != k.want {
				t.Errorf("nodes[%d] %s %v, want %q", i, k.field, n[k.alias()], k.want)
			}
		}
	})
}

func TestNodeErrors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		nodeFixture(t, db)
		ctx := context.Background()
		a := newAPI(t, db, server.Config{})
		ids := nodeIDs(t, a)

		// A record that existed: read its ID from the list, then delete it.
		gone := db.Client.Organization.Create().SetName("Closed Clinic").SaveX(ctx)
		var list struct {
			Organizations struct {
				Edges []struct {
					Node nodeRef `json:"node"`
				} `json:"edges"`
			} `json:"organizations"`
		}
		a.ok(`{ organizations(where: {name: "Closed Clinic"}) { edges { node { id } } } }`, nil, &list)
		if len(list.Organizations.Edges) != 1 {
			t.Fatalf("%d organizations named Closed Clinic, want 1", len(list.Organizations.Edges))
		}
		goneID := list.Organizations.Edges[0].Node.ID
		db.Client.Organization.DeleteOne(gone).ExecX(ctx)

		nodeQuery := `query($id: ID!) { node(id: $id) { __typename id } }`
		notFound := func(t *testing.T, id string) {
			t.Helper()
			a := connAt(a, t)
			res := a.query(nodeQuery, map[string]any{"id": id})
			if len(res.Errors) != 1 {
				t.Fatalf("node(id: %q): %d errors, want 1: %+v", id, len(res.Errors), res.Errors)
			}
			e := res.Errors[0]
			if e.Extensions["code"] != "NOT_FOUND" {
				t.Errorf("node(id: %q): code %v, want NOT_FOUND (%+v)", id, e.Extensions["code"], e)
			}
			if regexp.MustCompile(`[0-9]{5,}`).MatchString(e.Message) {
				t.Errorf("node(id: %q): the message %q shows an internal ID", id, e.Message)
			}
			if string(res.Data) != `{"node":null}` {
				t.Errorf("node(id: %q): data %s, want {\"node\":null}", id, res.Data)
			}
		}

		t.Run("deleted record", func(t *testing.T) {
			notFound(t, goneID)
		})

		t.Run("well-formed ID of no type", func(t *testing.T) {
			// Beyond every type's block of internal IDs.
			notFound(t, relay.Encode(1<<40+7))
		})

		t.Run("nodes with one missing", func(t *testing.T) {
			a := connAt(a, t)
			res := a.query(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`,
				map[string]any{"ids": []string{ids["Organization"], goneID, ids["Service"]}})
			var data struct {
				Nodes []*struct {
					Typename string `json:"__typename"`
					ID       string `json:"id"`
				} `json:"nodes"`
			}
			if err := json.Unmarshal(res.Data, &data); err != nil {
				t.Fatalf("decode %s: %v", res.Data, err)
			}
			if len(data.Nodes) != 3 || data.Nodes[0] == nil || data.Nodes[0].ID != ids["Organization"] ||
				data.Nodes[1] != nil || data.Nodes[2] == nil || data.Nodes[2].ID != ids["Service"] {
				t.Errorf("nodes %s, want the organization, null, the service", res.Data)
			}
			if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "NOT_FOUND" {
				t.Fatalf("errors %+v, want one NOT_FOUND", res.Errors)
			}
			if p := fmt.Sprint(res.Errors[0].Path); p != "[nodes 1]" {
				t.Errorf("error path %s, want [nodes 1]", p)
			}
		})

		t.Run("malformed ID", func(t *testing.T) {
			a := connAt(a, t)
			for _, bad := range []string{"not-an-id", "", "12884901889", "djE6YWJj" /* "v1:abc" */} {
				e := a.fail(nodeQuery, map[string]any{"id": bad}, "BAD_USER_INPUT")
				if e.Extensions["field"] != "id" {
					t.Errorf("node(id: %q): extensions.field %v, want id", bad, e.Extensions["field"])
				}
			}
			// Written into the document rather than passed as a variable.
			e := a.fail(`{ node(id: "not-an-id") { id } }`, nil, "BAD_USER_INPUT")
			if e.Extensions["field"] != "id" {
				t.Errorf("literal node(id: \"not-an-id\"): extensions.field %v, want id", e.Extensions["field"])
			}
			// In a list, the error points at the item.
			e = a.fail(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{"not-an-id"}}, "BAD_USER_INPUT")
			if e.Extensions["field"] != "ids[0]" {
				t.Errorf("nodes(ids: [\"not-an-id\"]): extensions.field %v, want ids[0]", e.Extensions["field"])
			}
			// The internal integer is not an ID.
			e = a.fail(`{ node(id: 12884901889) { id } }`, nil, "BAD_USER_INPUT")
			if e.Extensions["field"] != "id" {
				t.Errorf("node(id: 12884901889): extensions.field %v, want id", e.Extensions["field"])
			}
		})

		t.Run("too many IDs", func(t *testing.T) {
			a := connAt(a, t)
			hundred := make([]string, 100)
			for i := range hundred {
				hundred[i] = ids["Organization"]
			}
			var data struct {
				Nodes []map[string]any `json:"nodes"`
			}
			a.ok(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": hundred}, &data)
			if len(data.Nodes) != 100 {
				t.Errorf("100 IDs gave %d nodes", len(data.Nodes))
			}

			e := a.fail(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
				map[string]any{"ids": append(hundred, ids["Service"])}, "BAD_USER_INPUT")
			if e.Extensions["field"] != "ids" {
				t.Errorf("101 IDs: extensions.field %v, want ids", e.Extensions["field"])
			}

			literal := "["
			for range 101 {
				literal += strconv.Quote(ids["Organization"]) + " "
			}
			literal += "]"
			e = a.fail(`{ nodes(ids: `+literal+`) { id } }`, nil, "BAD_USER_INPUT")
			if e.Extensions["field"] != "ids" {
				t.Errorf("101 literal IDs: extensions.field %v, want ids", e.Extensions["field"])
			}
		})
	})
}
