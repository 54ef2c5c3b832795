package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// The tests in this file hold "null is null" (issue 18): a value nobody
// recorded is null in GraphQL and absent from HSDS, never "" (Service.url
// came back "" for 28 of 69 services in one list).

// newBareDir writes one record of each type with nothing but what the type
// requires, and returns their ids by GraphQL type name.
func newBareDir(t *testing.T, c *ent.Client) map[string]int {
	t.Helper()
	ctx := context.Background()
	ids := map[string]int{}
	org := c.Organization.Create().SetName("Bare organization").SaveX(ctx)
	ids["Organization"] = org.ID
	ids["Program"] = c.Program.Create().SetName("Bare program").SetOrganizationID(org.ID).SaveX(ctx).ID
	svc := c.Service.Create().SetName("Bare service").SetOrganizationID(org.ID).SaveX(ctx)
	ids["Service"] = svc.ID
	loc := c.Location.Create().SetName("Bare location").SetLocationType(location.LocationTypePHYSICAL).SaveX(ctx)
	ids["Location"] = loc.ID
	ids["ServiceAtLocation"] = c.ServiceAtLocation.Create().SetServiceID(svc.ID).SetLocationID(loc.ID).SaveX(ctx).ID
	ids["ServiceArea"] = c.ServiceArea.Create().SetServiceID(svc.ID).SetKind("NATIONWIDE").SaveX(ctx).ID
	contact := c.Contact.Create().SetServiceID(svc.ID).SaveX(ctx)
	ids["Contact"] = contact.ID
	ids["Phone"] = c.Phone.Create().SetNumber("617-555-0100").SetType(phone.TypeVOICE).SetServiceID(svc.ID).SaveX(ctx).ID
	ids["Schedule"] = c.Schedule.Create().SetServiceID(svc.ID).SaveX(ctx).ID
	ids["Funding"] = c.Funding.Create().SetSource("Bare grant").SetServiceID(svc.ID).SaveX(ctx).ID
	ids["Resource"] = c.Resource.Create().SetTitle("Bare resource").SetKind(resource.KindGUIDE).SetStatus(resource.StatusPUBLISHED).SaveX(ctx).ID
	ids["TaxonomyTerm"] = c.TaxonomyTerm.Create().SetCode("bare").SetName("Bare term").SaveX(ctx).ID
	ids["CallRecord"] = c.CallRecord.Create().SetEligibleFound(false).SaveX(ctx).ID
	return ids
}

// computedNullable are nullable fields whose value Village derives for
// every record, recorded or not: they are not "unrecorded values".
var computedNullable = map[string]string{}

// TestUnrecordedIsNull asks, for every type implementing Node (found by
// introspection), every nullable scalar or enum field that takes no
// required argument of a record that records nothing optional, and wants
// null for each.
func TestUnrecordedIsNull(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ids := newBareDir(t, db.Client)
		a := newAPI(t, db, server.Config{})
		admin := a.as(mustKey(t, db, "Administrator", auth.Admin))
		s := introspect(t, a)
		var nodes struct {
			Type struct{ PossibleTypes []struct{ Name string } } `json:"__type"`
		}
		admin.ok(`{ __type(name: "Node") { possibleTypes { name } } }`, nil, &nodes)
		walked := 0
		for _, pt := range nodes.Type.PossibleTypes {
			id, ok := ids[pt.Name]
			if !ok {
				if pt.Name != "ChangeEvent" && pt.Name != "APIKey" && pt.Name != "ApiKey" {
					t.Errorf("%s: no bare record of it in newBareDir", pt.Name)
				}
				continue
			}
			var fields []string
			for _, f := range s.types[pt.Name].Fields {
				kind := s.types[f.Type.named()].Kind
				if f.Type.Kind == "NON_NULL" || (kind != "SCALAR" && kind != "ENUM") || f.Type.list() {
					continue
				}
				required := false
				for _, arg := range f.Args {
					required = required || arg.Type.Kind == "NON_NULL"
				}
				if !required && computedNullable[pt.Name+"."+f.Name] == "" {
					fields = append(fields, f.Name)
				}
			}
			if len(fields) == 0 {
				continue
			}
			var got struct{ Node map[string]any }
			admin.ok(fmt.Sprintf(`query($id: ID!) { node(id: $id) { ... on %s { %s } } }`, pt.Name, strings.Join(fields, " ")),
				map[string]any{"id": relay.Encode(id)}, &got)
			for _, f := range fields {
				walked++
				if v := got.Node[f]; v != nil {
					t.Errorf("%s.%s of a record that records none is %#v, want null", pt.Name, f, v)
				}
			}
		}
		if walked < 50 {
			t.Errorf("only %d nullable fields walked", walked)
		}
		t.Logf("%d nullable fields of %d types walked", walked, len(nodes.Type.PossibleTypes))

		// HSDS: its JSON schemas type these fields as strings, so an
		// unrecorded value is absent, never "" — but for the strings
		// HSDS requires (an organization's description), where "" is
		// the answer the schema allows for none.
		required := hsdsRequiredStrings(t)
		for _, path := range []string{"/hsds/organizations", "/hsds/services", "/hsds/service_at_locations"} {
			res := mustGet(t, a.srv.URL+path)
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("GET %s: %d %s", path, res.StatusCode, raw)
				continue
			}
			var doc any
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
			for _, where := range emptyStrings(doc, "") {
				if !required[where[strings.LastIndexByte(where, '.')+1:]] {
					t.Errorf("GET %s: %s is \"\", want it absent", path, where)
				}
			}
		}
	})
}

// emptyStrings lists the paths of the "" values in a JSON document.
func emptyStrings(v any, path string) []string {
	var out []string
	switch v := v.(type) {
	case string:
		if v == "" {
			out = append(out, path)
		}
	case []any:
		for i, e := range v {
			out = append(out, emptyStrings(e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case map[string]any:
		for k, e := range v {
			out = append(out, emptyStrings(e, path+"."+k)...)
		}
	}
	return out
}

// hsdsRequiredStrings names the string fields the HSDS 3.0 data package
// requires in any table.
func hsdsRequiredStrings(t *testing.T) map[string]bool {
	raw, err := os.ReadFile("../internal/hsds/datapackage-3.0.json")
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct {
		Resources []struct {
			Schema struct {
				Fields []struct {
					Name, Type  string
					Constraints struct{ Required bool }
				}
			}
		}
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, r := range pkg.Resources {
		for _, f := range r.Schema.Fields {
			if f.Type == "string" && f.Constraints.Required {
				out[f.Name] = true
			}
		}
	}
	return out
}
