package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/internal/write"
	"github.com/village-directory/village/server"
)

// The tests in this file write through the GraphQL API as each kind of API
// key: the role × operation × organization matrix for every mutation, error
// codes and field paths, one transaction per operation, upserts.

// mutAPI is Village's HTTP handler with a key per request.
type mutAPI struct {
	t     *testing.T
	db    *store.DB
	url   string
	admin string // an admin key's secret
}

func newMutAPI(t *testing.T, db *store.DB) *mutAPI {
	t.Helper()
	srv := httptest.NewServer(server.New(db, server.Config{}, discardLog()))
	t.Cleanup(srv.Close)
	m := &mutAPI{t: t, db: db, url: srv.URL}
	m.admin = m.key(auth.Admin)
	return m
}

var mutSerial atomic.Int64

func mutName(prefix string) string { return fmt.Sprintf("%s %d", prefix, mutSerial.Add(1)) }

// key creates an API key and returns its secret.
func (m *mutAPI) key(role auth.Role, orgs ...int) string {
	m.t.Helper()
	secret, _, err := auth.CreateKey(context.Background(), m.db.Client, mutName(strings.ToLower(string(role))+" key"), role, orgs)
	if err != nil {
		m.t.Fatalf("create key: %v", err)
	}
	return secret
}

// do posts a GraphQL document with secret as the bearer key ("" for none).
func (m *mutAPI) do(secret, query string, vars map[string]any) gqlResponse {
	m.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, m.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatalf("POST /graphql: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		m.t.Fatalf("decode response (%d): %v\n%s", res.StatusCode, err, raw)
	}
	out.Status = res.StatusCode
	return out
}

// ok runs a document that must succeed and decodes its data into dst.
func (m *mutAPI) ok(secret, query string, vars map[string]any, dst any) {
	m.t.Helper()
	res := m.do(secret, query, vars)
	if len(res.Errors) > 0 {
		m.t.Fatalf("failed: %+v\n%s", res.Errors, query)
	}
	if dst != nil {
		if err := json.Unmarshal(res.Data, dst); err != nil {
			m.t.Fatalf("decode: %v\n%s", err, res.Data)
		}
	}
}

// fail runs a document that must fail with code and returns the error.
func (m *mutAPI) fail(secret, query string, vars map[string]any, code string) gqlError {
	m.t.Helper()
	res := m.do(secret, query, vars)
	if len(res.Errors) == 0 {
		m.t.Fatalf("want %s, got data %s\n%s", code, res.Data, query)
	}
	if res.Errors[0].Extensions["code"] != code {
		m.t.Fatalf("want %s, got %+v\n%s", code, res.Errors, query)
	}
	if len(res.Data) > 0 && string(res.Data) != "null" {
		m.t.Fatalf("a failed mutation returned data %s", res.Data)
	}
	return res.Errors[0]
}

// lastEvent is the change feed's last sequence number.
func mutLastEvent(t *testing.T, db *store.DB) int {
	t.Helper()
	ev, err := db.Client.ChangeEvent.Query().Order(ent.Desc(changeevent.FieldID)).First(context.Background())
	if ent.IsNotFound(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return ev.ID
}

func mutEventsAfter(t *testing.T, db *store.DB, after int) []*ent.ChangeEvent {
	t.Helper()
	evs, err := db.Client.ChangeEvent.Query().Where(changeevent.IDGT(after)).Order(ent.Asc(changeevent.FieldID)).All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// create makes a record through the API as secret and returns its ID.
func (m *mutAPI) create(secret, typ string, input map[string]any) (string, gqlResponse) {
	m.t.Helper()
	q := fmt.Sprintf(`mutation($input: Create%sInput!) { r: create%s(input: $input) { id version } }`, typ, typ)
	res := m.do(secret, q, map[string]any{"input": input})
	var data struct{ R struct{ ID string } }
	if len(res.Errors) == 0 {
		_ = json.Unmarshal(res.Data, &data)
	}
	return data.R.ID, res
}

// org makes an organization as admin and returns its internal ID.
func (m *mutAPI) org() int {
	m.t.Helper()
	id, res := m.create(m.admin, "Organization", map[string]any{"name": mutName("Org")})
	if len(res.Errors) > 0 {
		m.t.Fatalf("create organization: %+v", res.Errors)
	}
	n, err := relay.Decode(id)
	if err != nil {
		m.t.Fatal(err)
	}
	return n
}

// createInput is a valid create input for typ belonging to organization
// org; the records it needs are made as admin first.
func (m *mutAPI) createInput(typ string, org int) map[string]any {
	m.t.Helper()
	o := relay.Encode(org)
	parent := func(typ string) string {
		id, res := m.create(m.admin, typ, map[string]any{"name": mutName(typ), "organizationID": o})
		if len(res.Errors) > 0 {
			m.t.Fatalf("create %s: %+v", typ, res.Errors)
		}
		return id
	}
	switch typ {
	case ent.TypeOrganization:
		return map[string]any{"name": mutName("Org")}
	case ent.TypeProgram, ent.TypeService, ent.TypeLocation:
		return map[string]any{"name": mutName(typ), "organizationID": o}
	case ent.TypeServiceAtLocation:
		return map[string]any{"serviceID": parent("Service"), "locationID": parent("Location")}
	case ent.TypeServiceArea:
		return map[string]any{"serviceID": parent("Service"), "kind": "NATIONWIDE"}
	case ent.TypeTaxonomyTerm:
		return map[string]any{"code": mutName("code"), "name": mutName("Term")}
	case ent.TypePhone:
		return map[string]any{"number": "617-555-0100", "organizationID": o}
	case ent.TypeContact:
		return map[string]any{"name": mutName("Contact"), "organizationID": o}
	case ent.TypeSchedule:
		return map[string]any{"serviceID": parent("Service"), "opensAt": "09:00"}
	case ent.TypeResource:
		return map[string]any{"title": mutName("Resource"), "kind": "GUIDE", "publisherID": o}
	case ent.TypeFunding:
		return map[string]any{"source": mutName("Funder"), "organizationID": o}
	}
	m.t.Fatalf("no input for %s", typ)
	return nil
}

// updateInput changes one optional field of typ.
func mutUpdateInput(typ string) map[string]any {
	switch typ {
	case ent.TypeContact:
		return map[string]any{"title": mutName("Title")}
	case ent.TypeServiceArea:
		return map[string]any{"name": mutName("Area")}
	case ent.TypeResource:
		return map[string]any{"summary": mutName("Summary")}
	}
	return map[string]any{"description": mutName("changed")}
}

// hasCascade lists the deletes that take a cascade argument.
var hasCascade = []string{ent.TypeOrganization, ent.TypeProgram, ent.TypeService, ent.TypeLocation,
	ent.TypeServiceAtLocation, ent.TypeContact, ent.TypeResource}

// mutAllowed is internal/auth/guard.go's table.
func mutAllowed(role, typ, op string) bool {
	switch role {
	case "admin":
		return true
	case "anonymous":
		return false
	}
	if role != "editor-own" {
		return false
	}
	if typ == ent.TypeOrganization {
		return op == "update"
	}
	return slices.Contains([]string{ent.TypeProgram, ent.TypeService, ent.TypeLocation, ent.TypeServiceArea,
		ent.TypeServiceAtLocation, ent.TypePhone, ent.TypeContact, ent.TypeSchedule}, typ)
}

// TestMutationMatrix sends every mutation as every kind of key, on a
// record of the editor's own organization and of a foreign one: allowed
// exactly where the guard's table says, FORBIDDEN (and nothing written)
// everywhere else.
func TestMutationMatrix(t *testing.T) {
	t.Parallel() // long, on databases of its own: see TestMain
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		shared := map[string]string{"anonymous": "", "reader": m.key(auth.Reader), "staff": m.key(auth.Staff), "admin": m.admin}
		roles := []string{"anonymous", "reader", "staff", "editor-own", "editor-foreign", "admin"}
		keyFor := func(role string, own, foreign int) string {
			switch role {
			case "editor-own":
				return m.key(auth.Editor, own)
			case "editor-foreign":
				return m.key(auth.Editor, foreign)
			}
			return shared[role]
		}
		for _, typ := range write.EntTypes {
			for _, op := range []string{"create", "update", "delete"} {
				for _, role := range roles {
					t.Run(fmt.Sprintf("%s/%s/%s", typ, op, role), func(t *testing.T) {
						m.t = t
						own, foreign := m.org(), m.org()
						secret := keyFor(role, own, foreign)
						var target string
						if op != "create" {
							if typ == ent.TypeOrganization {
								target = relay.Encode(own)
							} else {
								id, res := m.create(m.admin, typ, m.createInput(typ, own))
								if len(res.Errors) > 0 {
									t.Fatalf("setup: %+v", res.Errors)
								}
								target = id
							}
						}
						var input map[string]any
						if op == "create" {
							input = m.createInput(typ, own)
						}
						before := mutLastEvent(t, db)
						var res gqlResponse
						switch op {
						case "create":
							_, res = m.create(secret, typ, input)
						case "update":
							res = m.do(secret, fmt.Sprintf(`mutation($id: ID!, $input: Update%sInput!) { r: update%s(id: $id, input: $input) { id version } }`, typ, typ),
								map[string]any{"id": target, "input": mutUpdateInput(typ)})
						case "delete":
							res = m.do(secret, fmt.Sprintf(`mutation($id: ID!) { r: delete%s(id: $id) { deletedID } }`, typ), map[string]any{"id": target})
						}
						mutCheck(t, db, mutAllowed(role, typ, op), res, before)
					})
				}
			}
		}
		extras := []struct {
			name  string
			allow func(role string) bool
			doc   func(own int) (string, map[string]any)
		}{
			{"upsertOrganizations/create", func(r string) bool { return r == "admin" }, func(int) (string, map[string]any) {
				return `mutation($in: [UpsertOrganizationInput!]!) { upsertOrganizations(input: $in) { outcome } }`,
					map[string]any{"in": []any{map[string]any{"externalSource": "t", "externalID": mutName("o"), "name": "New"}}}
			}},
			{"upsertOrganizations/update", func(r string) bool { return r == "admin" || r == "editor-own" }, func(own int) (string, map[string]any) {
				ext := mutName("o")
				if err := db.Client.Organization.UpdateOneID(own).SetExternalSource("t").SetExternalID(ext).Exec(context.Background()); err != nil {
					t.Fatal(err)
				}
				return `mutation($in: [UpsertOrganizationInput!]!) { upsertOrganizations(input: $in) { outcome } }`,
					map[string]any{"in": []any{map[string]any{"externalSource": "t", "externalID": ext, "name": "Renamed"}}}
			}},
			{"upsertLocations", func(r string) bool { return r == "admin" || r == "editor-own" }, func(own int) (string, map[string]any) {
				return `mutation($in: [UpsertLocationInput!]!) { upsertLocations(input: $in) { outcome } }`,
					map[string]any{"in": []any{map[string]any{"externalSource": "t", "externalID": mutName("l"), "name": "Clinic", "organizationID": relay.Encode(own)}}}
			}},
			{"upsertServices", func(r string) bool { return r == "admin" || r == "editor-own" }, func(own int) (string, map[string]any) {
				return `mutation($in: [UpsertServiceInput!]!) { upsertServices(input: $in) { outcome } }`,
					map[string]any{"in": []any{map[string]any{"externalSource": "t", "externalID": mutName("s"), "name": "Visits", "organizationID": relay.Encode(own)}}}
			}},
			{"submitResource", func(r string) bool { return true }, func(int) (string, map[string]any) {
				return `mutation($in: CreateResourceInput!) { submitResource(input: $in) { submissionToken resource { id status } } }`,
					map[string]any{"in": map[string]any{"title": mutName("Tool"), "kind": "TOOL"}}
			}},
			{"reviewResource", func(r string) bool { return r == "admin" }, func(int) (string, map[string]any) {
				var d struct {
					SubmitResource struct{ Resource struct{ ID string } }
				}
				m.ok(m.admin, `mutation { submitResource(input: {title: "Guide", kind: GUIDE}) { resource { id } } }`, nil, &d)
				return `mutation($id: ID!) { reviewResource(id: $id, decision: PUBLISH) { status } }`, map[string]any{"id": d.SubmitResource.Resource.ID}
			}},
			{"setTermNeed", func(r string) bool { return r == "admin" }, func(int) (string, map[string]any) {
				ctx := context.Background()
				need := db.Client.TaxonomyTerm.Create().SetCode(mutName("need")).SetName("A need").SaveX(ctx)
				term := db.Client.TaxonomyTerm.Create().SetVocabulary("Local Codes").SetCode(mutName("LC")).SetName("A local term").SaveX(ctx)
				return `mutation($id: ID!, $need: String) { setTermNeed(termId: $id, need: $need) { id version need { code } } }`,
					map[string]any{"id": relay.Encode(term.ID), "need": need.Code}
			}},
		}
		for _, x := range extras {
			for _, role := range roles {
				t.Run(x.name+"/"+role, func(t *testing.T) {
					m.t = t
					own, foreign := m.org(), m.org()
					secret := keyFor(role, own, foreign)
					doc, vars := x.doc(own)
					before := mutLastEvent(t, db)
					mutCheck(t, db, x.allow(role), m.do(secret, doc, vars), before)
				})
			}
		}
	})
}

func mutCheck(t *testing.T, db *store.DB, allow bool, res gqlResponse, before int) {
	t.Helper()
	switch {
	case allow && len(res.Errors) > 0:
		t.Fatalf("allowed by the table, refused: %+v", res.Errors)
	case allow:
		if len(mutEventsAfter(t, db, before)) == 0 {
			t.Fatalf("allowed write logged no change event")
		}
	case len(res.Errors) == 0:
		t.Fatalf("forbidden by the table, but allowed: %s", res.Data)
	case res.Errors[0].Extensions["code"] != "FORBIDDEN":
		t.Fatalf("want FORBIDDEN, got %+v", res.Errors)
	default:
		for _, e := range mutEventsAfter(t, db, before) {
			if e.Actor != "cli" {
				t.Fatalf("a refused write logged %s %s %d", e.Operation, e.EntityType, e.EntityID)
			}
		}
	}
}

// TestMutationErrors: the codes and field paths clients rely on.
func TestMutationErrors(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		org := relay.Encode(m.org())

		// Validation: the input path of the field at fault.
		e := m.fail(m.admin, `mutation { createOrganization(input: {name: "  "}) { id } }`, nil, "BAD_USER_INPUT")
		if e.Extensions["field"] != "input.name" {
			t.Errorf("blank name: field %v", e.Extensions["field"])
		}
		e = m.fail(m.admin, `mutation($o: ID!) { createService(input: {name: "S", organizationID: $o, capacityAvailable: 5, capacityMaximum: 2}) { id } }`,
			map[string]any{"o": org}, "BAD_USER_INPUT")
		if e.Extensions["field"] != "input.capacityAvailable" {
			t.Errorf("capacity: field %v", e.Extensions["field"])
		}
		e = m.fail(m.admin, `mutation($o: ID!) { createService(input: {name: "S", organizationID: $o, eligibility: {minAgeMonths: 10, maxAgeMonths: 2}}) { id } }`,
			map[string]any{"o": org}, "BAD_USER_INPUT")
		if e.Extensions["field"] != "input.eligibility.minAgeMonths" {
			t.Errorf("eligibility: field %v", e.Extensions["field"])
		}
		e = m.fail(m.admin, `mutation { createService(input: {name: "S", organizationID: "djE6OTk5OTk5OQ"}) { id } }`, nil, "BAD_USER_INPUT")
		if e.Extensions["field"] != "input.organizationID" {
			t.Errorf("unknown organization: field %v (%s)", e.Extensions["field"], e.Message)
		}
		e = m.fail(m.admin, `mutation($in: [UpsertOrganizationInput!]!) { upsertOrganizations(input: $in) { outcome } }`,
			map[string]any{"in": []any{
				map[string]any{"externalSource": "s", "externalID": "1", "name": "One"},
				map[string]any{"externalSource": "s", "externalID": "2", "name": "Two", "email": "nope"},
			}}, "BAD_USER_INPUT")
		if e.Extensions["field"] != "input[1].email" {
			t.Errorf("upsert: field %v", e.Extensions["field"])
		}
		e = m.fail(m.admin, `mutation($in: [UpsertServiceInput!]!) { upsertServices(input: $in) { outcome } }`,
			map[string]any{"in": []any{map[string]any{"externalSource": "s", "externalID": "1", "name": "One", "organizationExternalID": "nobody"}}}, "BAD_USER_INPUT")
		if e.Extensions["field"] != "input[0].organizationExternalID" {
			t.Errorf("upsert reference: field %v", e.Extensions["field"])
		}
		e = m.fail(m.admin, `mutation { reviewResource(id: "djE6OTk5OTk5OQ", decision: REJECT) { id } }`, nil, "BAD_USER_INPUT")
		if e.Extensions["field"] != "reason" {
			t.Errorf("reject without reason: field %v", e.Extensions["field"])
		}
		e = m.fail(m.admin, `mutation { setTermNeed(termId: "djE6OTk5OTk5OQ", need: "no-such-need") { id } }`, nil, "BAD_USER_INPUT")
		if e.Extensions["field"] != "need" {
			t.Errorf("setTermNeed with an unknown need: field %v", e.Extensions["field"])
		}
		if n := len(mutEventsAfter(t, db, 0)); n != 1 { // the organization made above
			t.Errorf("failed mutations logged events: %d", n-1)
		}

		// Stale version: CONFLICT with the current version.
		var up struct{ UpdateOrganization struct{ Version int } }
		m.ok(m.admin, `mutation($id: ID!) { updateOrganization(id: $id, input: {description: "a"}, expectedVersion: 1) { version } }`, map[string]any{"id": org}, &up)
		if up.UpdateOrganization.Version != 2 {
			t.Fatalf("version %d after an update", up.UpdateOrganization.Version)
		}
		e = m.fail(m.admin, `mutation($id: ID!) { updateOrganization(id: $id, input: {description: "b"}, expectedVersion: 1) { version } }`, map[string]any{"id": org}, "CONFLICT")
		if v, _ := e.Extensions["currentVersion"].(float64); v != 2 {
			t.Errorf("currentVersion %v", e.Extensions["currentVersion"])
		}
		e = m.fail(m.admin, `mutation($id: ID!) { deleteOrganization(id: $id, expectedVersion: 1) { deletedID } }`, map[string]any{"id": org}, "CONFLICT")
		if v, _ := e.Extensions["currentVersion"].(float64); v != 2 {
			t.Errorf("delete: currentVersion %v", e.Extensions["currentVersion"])
		}

		// Missing records.
		m.fail(m.admin, `mutation { updateProgram(id: "djE6OTk5OTk5OQ", input: {name: "x"}) { id } }`, nil, "NOT_FOUND")
		m.fail(m.admin, `mutation { deleteProgram(id: "djE6OTk5OTk5OQ") { deletedID } }`, nil, "NOT_FOUND")
		// An ID of another type is not a record of this one.
		m.fail(m.admin, `mutation($id: ID!) { deletePhone(id: $id) { deletedID } }`, map[string]any{"id": org}, "NOT_FOUND")
		// Anonymous callers are refused before anything is looked up.
		m.fail("", `mutation { updateProgram(id: "djE6OTk5OTk5OQ", input: {name: "x"}) { id } }`, nil, "FORBIDDEN")
		m.fail("", `mutation { createOrganization(input: {name: ""}) { id } }`, nil, "FORBIDDEN")

		// An organization with services: CONFLICT naming them, until cascade.
		svc, res := m.create(m.admin, "Service", map[string]any{"name": "Visits", "organizationID": org})
		if len(res.Errors) > 0 {
			t.Fatal(res.Errors)
		}
		e = m.fail(m.admin, `mutation($id: ID!) { deleteOrganization(id: $id) { deletedID } }`, map[string]any{"id": org}, "CONFLICT")
		if deps, _ := e.Extensions["dependents"].(map[string]any); deps["SERVICE"] != float64(1) {
			t.Errorf("dependents %v", e.Extensions["dependents"])
		}
		var del struct {
			DeleteOrganization struct {
				DeletedID string
				Cascaded  []struct{ EntityType, ID string }
			}
		}
		m.ok(m.admin, `mutation($id: ID!) { deleteOrganization(id: $id, cascade: true) { deletedID cascaded { entityType id } } }`, map[string]any{"id": org}, &del)
		if del.DeleteOrganization.DeletedID != org || len(del.DeleteOrganization.Cascaded) != 1 ||
			del.DeleteOrganization.Cascaded[0].ID != svc || del.DeleteOrganization.Cascaded[0].EntityType != "SERVICE" {
			t.Errorf("cascade: %+v", del)
		}
	})
}

// TestMutationOperationIsOneTransaction: when any field of a mutation
// operation fails, nothing the operation wrote is kept or logged.
func TestMutationOperationIsOneTransaction(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		before := mutLastEvent(t, db)
		m.fail(m.admin, `mutation {
			a: createOrganization(input: {name: "Kept?"}) { id }
			b: createOrganization(input: {name: "Also kept?"}) { id }
			c: createOrganization(input: {name: "Bad", email: "not an email"}) { id }
		}`, nil, "BAD_USER_INPUT")
		if n, _ := db.Client.Organization.Query().Where(organization.NameHasPrefix("Kept")).Count(context.Background()); n != 0 {
			t.Errorf("an earlier field's write survived a later failure")
		}
		if evs := mutEventsAfter(t, db, before); len(evs) > 0 {
			t.Errorf("a failed operation logged %d events", len(evs))
		}
		// Organizations and their services in one operation, in order.
		var out struct {
			O []struct{ Outcome string }
			S []struct {
				Outcome string
				Service struct{ Organization struct{ Name string } }
			}
		}
		m.ok(m.admin, `mutation {
			o: upsertOrganizations(input: [{externalSource: "ma211", externalID: "o1", name: "Family Services"}]) { outcome }
			s: upsertServices(input: [{externalSource: "ma211", externalID: "s1", name: "Visits", organizationExternalID: "o1"}]) { outcome service { organization { name } } }
		}`, nil, &out)
		if out.O[0].Outcome != "CREATED" || out.S[0].Outcome != "CREATED" || out.S[0].Service.Organization.Name != "Family Services" {
			t.Errorf("one-operation load: %+v", out)
		}
	})
}

// TestUpsertTwiceOverHTTP: the same sync twice; the second changes and
// logs nothing; the events name the key as actor.
func TestUpsertTwiceOverHTTP(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		secret, key, err := auth.CreateKey(context.Background(), db.Client, "State sync", auth.Admin, nil)
		if err != nil {
			t.Fatal(err)
		}
		_ = key
		doc := `mutation($o: [UpsertOrganizationInput!]!, $l: [UpsertLocationInput!]!, $s: [UpsertServiceInput!]!) {
			upsertOrganizations(input: $o) { outcome organization { id version } }
			upsertLocations(input: $l) { outcome location { id version } }
			upsertServices(input: $s) { outcome service { id version } }
		}`
		vars := map[string]any{
			"o": []any{
				map[string]any{"externalSource": "ma", "externalID": "1", "name": "Harbor Health", "website": "https://harbor.example"},
				map[string]any{"externalSource": "ma", "externalID": "2", "name": "Beacon"},
			},
			"l": []any{map[string]any{"externalSource": "ma", "externalID": "L1", "name": "Clinic", "organizationExternalID": "1",
				"latitude": 42.31, "longitude": -71.05, "confidential": true, "country": "US"}},
			"s": []any{
				map[string]any{"externalSource": "ma", "externalID": "S1", "name": "Visits", "organizationExternalID": "1",
					"languages": []any{"en", "es"}, "deliveryModes": []any{"IN_HOME"}, "eligibility": map[string]any{"maxAgeMonths": 36}},
				map[string]any{"externalSource": "ma", "externalID": "S2", "name": "Groups", "organizationExternalID": "2", "status": "INACTIVE"},
			},
		}
		type result struct {
			UpsertOrganizations []struct{ Outcome string }
			UpsertLocations     []struct{ Outcome string }
			UpsertServices      []struct{ Outcome string }
		}
		outcomes := func(r result) []string {
			var out []string
			for _, x := range r.UpsertOrganizations {
				out = append(out, x.Outcome)
			}
			for _, x := range r.UpsertLocations {
				out = append(out, x.Outcome)
			}
			for _, x := range r.UpsertServices {
				out = append(out, x.Outcome)
			}
			return out
		}
		start := mutLastEvent(t, db)
		var first, second result
		m.ok(secret, doc, vars, &first)
		if got := outcomes(first); !slices.Equal(got, []string{"CREATED", "CREATED", "CREATED", "CREATED", "CREATED"}) {
			t.Fatalf("first run: %v", got)
		}
		evs := mutEventsAfter(t, db, start)
		if len(evs) != 5 {
			t.Fatalf("first run logged %d events", len(evs))
		}
		for _, e := range evs {
			if e.Actor != "State sync" || e.Operation != changeevent.OperationCREATE {
				t.Errorf("event %s by %q", e.Operation, e.Actor)
			}
		}
		mid := mutLastEvent(t, db)
		m.ok(secret, doc, vars, &second)
		if got := outcomes(second); !slices.Equal(got, []string{"UNCHANGED", "UNCHANGED", "UNCHANGED", "UNCHANGED", "UNCHANGED"}) {
			t.Fatalf("second run: %v", got)
		}
		if evs := mutEventsAfter(t, db, mid); len(evs) > 0 {
			t.Fatalf("second run logged %d events", len(evs))
		}
	})
}
