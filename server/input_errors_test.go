package server_test

// How the API answers a caller's mistakes that no other suite covers: each
// gets a coded error naming what is at fault, on both backends alike. (Each
// was once answered wrongly; the comments say how.)

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// wantSuccessOrBadInput fails unless res is either a success or a BAD_USER_INPUT
// error whose field starts with fieldPrefix.
func wantSuccessOrBadInput(t *testing.T, label string, res gqlResponse, fieldPrefix string) {
	t.Helper()
	if len(res.Errors) == 0 {
		return
	}
	e := res.Errors[0]
	field, _ := e.Extensions["field"].(string)
	if e.Extensions["code"] != "BAD_USER_INPUT" || !strings.HasPrefix(field, fieldPrefix) {
		t.Errorf("%s: want success or BAD_USER_INPUT on %s…, got %q %v", label, fieldPrefix, e.Message, e.Extensions)
	}
}

// An update's append inputs (appendLanguages, appendEvidence, …) append.
// entgql v0.7.0's generated Mutate appended i.X instead of i.AppendX: the
// version went up, a change was logged, and nothing was stored (mended by
// ent/entc.go until entgql's fix is released).
func TestUpdateAppendInputsAppend(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		o := relay.Encode(m.org())
		svc, _ := m.create(m.admin, "Service", map[string]any{"name": "S", "organizationID": o, "languages": []string{"en"}})
		var out struct {
			UpdateService struct {
				Version   int
				Languages []string
			}
		}
		m.ok(m.admin, `mutation($id: ID!) { updateService(id: $id, input: {appendLanguages: ["fr"]}) { version languages } }`,
			map[string]any{"id": svc}, &out)
		if !slices.Equal(out.UpdateService.Languages, []string{"en", "fr"}) {
			t.Errorf("appendLanguages [fr] to [en]: got %v at version %d (the write was reported and logged, the value lost)",
				out.UpdateService.Languages, out.UpdateService.Version)
		}
		prog, _ := m.create(m.admin, "Program", map[string]any{"name": "P", "organizationID": o})
		var p struct {
			UpdateProgram struct{ Evidence []struct{ Source string } }
		}
		m.ok(m.admin, `mutation($id: ID!) { updateProgram(id: $id, input: {appendEvidence: [{source: HOMVEE}]}) { evidence { source } } }`,
			map[string]any{"id": prog}, &p)
		if len(p.UpdateProgram.Evidence) != 1 {
			t.Errorf("appendEvidence: got %v, want the one appended review", p.UpdateProgram.Evidence)
		}
		// Appended values are checked as set ones are.
		for _, bad := range []string{"not a language", "e\x00n"} {
			e := m.fail(m.admin, `mutation($id: ID!, $l: [String!]) { updateService(id: $id, input: {appendLanguages: $l}) { languages } }`,
				map[string]any{"id": svc, "l": []string{bad}}, "BAD_USER_INPUT")
			if f, _ := e.Extensions["field"].(string); !strings.HasPrefix(f, "input.languages") {
				t.Errorf("appending %q: field %v", bad, e.Extensions["field"])
			}
		}
	})
}

// An upsert batch checks each referenced ID as the type it is given for: a
// program's ID given as an organizationID is BAD_USER_INPUT on that item's
// field. The batch's cache of known IDs once ignored the type, so the
// insert failed on the foreign key as a CONFLICT with no field.
func TestUpsertReferenceIsCheckedAsItsType(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		o := relay.Encode(m.org())
		prog, _ := m.create(m.admin, "Program", map[string]any{"name": "P", "organizationID": o})
		if f := failedUpsertField(m,
			map[string]any{"externalSource": "audit", "externalID": "1", "name": "A", "organizationID": o, "programID": prog},
			map[string]any{"externalSource": "audit", "externalID": "2", "name": "B", "organizationID": prog},
		); f != "input[1].organizationID" {
			t.Errorf("field %v, want input[1].organizationID", f)
		}
	})
}

// failedUpsertField upserts services that must fail as BAD_USER_INPUT and
// returns the field at fault.
func failedUpsertField(m *mutAPI, items ...map[string]any) any {
	e := m.fail(m.admin, `mutation($in: [UpsertServiceInput!]!) { upsertServices(input: $in) { outcome } }`,
		map[string]any{"in": items}, "BAD_USER_INPUT")
	return e.Extensions["field"]
}

// Text with a NUL character, which PostgreSQL cannot hold, is refused alike
// on both backends: in a write (BAD_USER_INPUT on the field), a where
// filter (BAD_USER_INPUT on where, where the database refuses it) and an
// HSDS parameter (400). It was INTERNAL, or a 500, on PostgreSQL.
func TestTextWithNULIsBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeed(t, db)
		m := newMutAPI(t, db)
		e := m.fail(m.admin, `mutation($n: String!) { createOrganization(input: {name: $n}) { id } }`, map[string]any{"n": "a\x00b"}, "BAD_USER_INPUT")
		if e.Extensions["field"] != "input.name" {
			t.Errorf("NUL in a name: field %v", e.Extensions["field"])
		}
		e = m.fail(m.admin, `mutation($o: ID!, $d: String) { createService(input: {name: "n", organizationID: $o, eligibility: {description: $d}}) { id } }`,
			map[string]any{"o": relay.Encode(m.org()), "d": "a\x00b"}, "BAD_USER_INPUT")
		if e.Extensions["field"] != "input.eligibility" {
			t.Errorf("NUL in structured text: field %v", e.Extensions["field"])
		}
		// An upsert looks its records up by their keys before saving
		// anything: the keys are checked first.
		upsert := `mutation($in: [UpsertLocationInput!]!) { upsertLocations(input: $in) { outcome } }`
		for field, in := range map[string]map[string]any{
			"input[0].externalID":             {"externalSource": "s", "externalID": "a\x00b", "name": "n"},
			"input[0].externalSource":         {"externalSource": "a\x00b", "externalID": "x", "name": "n"},
			"input[0].organizationExternalID": {"externalSource": "s", "externalID": "x", "name": "n", "organizationExternalID": "a\x00b"},
		} {
			e := m.fail(m.admin, upsert, map[string]any{"in": []any{in}}, "BAD_USER_INPUT")
			if e.Extensions["field"] != field {
				t.Errorf("NUL in %s: field %v", field, e.Extensions["field"])
			}
		}
		wantSuccessOrBadInput(t, "where nameContains", m.do("", `{ organizations(where: {nameContains: "a\u0000b"}) { totalCount } }`, nil), "where")
		res := mustGet(t, m.url+"/hsds/services?search=%00")
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("/hsds/services?search=%%00: status %d, want 400", res.StatusCode)
		}
	})
}

// Indexed text longer than an index entry can hold is BAD_USER_INPUT on both
// backends; PostgreSQL's btree refused it as INTERNAL.
func TestTooLongIndexedTextIsBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		var b strings.Builder
		for i := range 4000 {
			b.WriteRune(rune(0x4e00 + (i*7919)%20000)) // incompressible
		}
		e := m.fail(m.admin, `mutation($n: String!) { createOrganization(input: {name: $n}) { id } }`, map[string]any{"n": b.String()}, "BAD_USER_INPUT")
		if e.Extensions["field"] != "input.name" {
			t.Errorf("long name: field %v", e.Extensions["field"])
		}
	})
}

// Setting a field and clearing it in one update is contradictory input:
// BAD_USER_INPUT. PostgreSQL failed ("multiple assignments to same column")
// as INTERNAL, and SQLite silently kept the value.
func TestSetAndClearSameFieldIsBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		o := relay.Encode(m.org())
		svc, _ := m.create(m.admin, "Service", map[string]any{"name": "S", "organizationID": o})
		e := m.fail(m.admin, `mutation($id: ID!) { updateService(id: $id, input: {url: "https://a.example", clearURL: true}) { url } }`,
			map[string]any{"id": svc}, "BAD_USER_INPUT")
		if f := e.Extensions["field"]; f != "input.url" && f != "input.clearURL" {
			t.Errorf("field %v", f)
		}
	})
}

// A list element's error names its field (input.languages[1]); it read
// input[1], like a batch index.
func TestListElementErrorNamesItsField(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		o := relay.Encode(m.org())
		e := m.fail(m.admin, `mutation($o: ID!) { createService(input: {name: "x", organizationID: $o, languages: ["en", "english"]}) { id } }`,
			map[string]any{"o": o}, "BAD_USER_INPUT")
		if e.Extensions["field"] != "input.languages[1]" {
			t.Errorf("createService: field %v, want input.languages[1]", e.Extensions["field"])
		}
		if f := failedUpsertField(m,
			map[string]any{"externalSource": "audit", "externalID": "1", "name": "A", "organizationID": o},
			map[string]any{"externalSource": "audit", "externalID": "2", "name": "B", "organizationID": o, "languages": []string{"en", "english"}},
		); f != "input[1].languages[1]" {
			t.Errorf("upsertServices: field %v, want input[1].languages[1]", f)
		}
	})
}

// An empty nested filter (not: {}, or: [{}], and: [{}, …], has…With: [{}])
// is BAD_USER_INPUT on where, on root and nested connections; it was
// INTERNAL.
func TestEmptyNestedFilterIsBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeed(t, db)
		a := newAPI(t, db, server.Config{})
		for _, q := range []string{
			`{ organizations(where: {not: {}}) { totalCount } }`,
			`{ organizations(where: {or: [{}]}) { totalCount } }`,
			`{ organizations(where: {and: [{}, {nameContains: "a"}]}) { totalCount } }`,
			`{ organizations(where: {hasServicesWith: [{}]}) { totalCount } }`,
		} {
			wantSuccessOrBadInput(t, q, a.query(q, nil), "where")
		}
		q := `{ organizations(first: 2) { edges { node { services(where: {not: {}}) { totalCount } } } } }`
		if res := a.query(q, nil); len(res.Errors) > 0 && res.Errors[0].Extensions["code"] == "INTERNAL" {
			t.Errorf("%s: INTERNAL", q)
		}
	})
}

// first and last together is BAD_USER_INPUT (entgql's refusal has no code,
// and was INTERNAL).
func TestFirstAndLastTogetherIsBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db, server.Config{})
		e := a.fail(`{ organizations(first: 1, last: 1) { totalCount } }`, nil, "BAD_USER_INPUT")
		if f := e.Extensions["field"]; f != "first" && f != "last" {
			t.Errorf("field %v", f)
		}
	})
}

// An @include or @skip whose variable is sent as null (allowed by
// validation when the variable has a default) is BAD_USER_INPUT naming the
// variable, and nothing runs. gqlgen panicked while collecting the fields
// under it: each object above became null with an INTERNAL error, and in a
// match the whole response was lost. A boolean, or the default, still works.
func TestNullConditionVariableIsBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeed(t, db)
		a := newAPI(t, db, server.Config{})
		for _, q := range []string{
			`query($v: Boolean = true) { programs(first: 3) { edges { node { name eligibility { minAgeMonths @include(if: $v) } } } } }`,
			`query($v: Boolean = true) { match(family: {zip: "02121"}) { totalCount edges { coverage { kind @skip(if: $v) } } } }`,
			`query($v: Boolean = false) { programs(first: 1) { ... on ProgramConnection @skip(if: $v) { totalCount } } }`,
			`query($v: Boolean = true) { programs(first: 1) { ...count @include(if: $v) } } fragment count on ProgramConnection { totalCount }`,
			`query($v: Boolean = true) { __type(name: "Program") { fields { type { name @include(if: $v) } } } }`,
		} {
			res := a.query(q, map[string]any{"v": nil})
			if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || res.Errors[0].Extensions["field"] != "v" {
				t.Errorf("%s with v null: %+v, want one BAD_USER_INPUT on v", q, res.Errors)
			}
			if string(res.Data) != "" && string(res.Data) != "null" {
				t.Errorf("%s with v null: data %s, want none", q, res.Data)
			}
			for _, vars := range []map[string]any{nil, {"v": true}, {"v": false}} {
				if res := a.query(q, vars); len(res.Errors) > 0 {
					t.Errorf("%s with %v: %+v", q, vars, res.Errors)
				}
			}
		}
	})
}

// An object literal for @include's or @skip's if passes gqlparser's
// validation, and gqlgen panicked on it (found by the fuzzer): it is
// BAD_USER_INPUT on if.
func TestNonBooleanConditionLiteralIsBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db, server.Config{})
		for _, q := range []string{
			`{ locations { totalCount @include(if: {}) } }`,
			`{ __schema { types { name @skip(if: {}) } } }`,
			`{ programs(first: 1) { ... on ProgramConnection @skip(if: {}) { totalCount } } }`,
		} {
			res := a.query(q, nil)
			if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || res.Errors[0].Extensions["field"] != "if" {
				t.Errorf("%s: %+v, want one BAD_USER_INPUT on if", q, res.Errors)
			}
		}
	})
}

func postRaw(t *testing.T, a *api, contentType, body string) (int, gqlResponse, string) {
	t.Helper()
	res, err := http.Post(a.srv.URL+"/graphql", contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out gqlResponse
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out, string(raw)
}

// A body that is not a JSON request object is 400 BAD_REQUEST. It was
// dispatched without an operation, entgql's transactioner panicked, and the
// caller got INTERNAL.
func TestMalformedRequestBodyIsBadRequest(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{})
	for _, body := range []string{`{"query": `, `[1]`, `{"query": 5}`, `{"query":"{ programs { totalCount } }","variables":"x"}`} {
		status, out, raw := postRaw(t, a, "application/json", body)
		if status != http.StatusBadRequest || len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "BAD_REQUEST" {
			t.Errorf("%s: %d %s", body, status, raw)
		}
	}
}

// Automatic persisted query errors (a hash that does not match, an unknown
// version, a malformed extension) are BAD_REQUEST; gqlgen gives them no
// code, and they were INTERNAL.
func TestPersistedQueryErrorsHaveACode(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{})
	for _, body := range []string{
		`{"query":"{ programs { totalCount } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`,
		`{"query":"{ programs { totalCount } }","extensions":{"persistedQuery":{"version":2,"sha256Hash":"abc"}}}`,
		`{"query":"{ programs { totalCount } }","extensions":{"persistedQuery":"x"}}`,
	} {
		_, out, raw := postRaw(t, a, "application/json", body)
		if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "BAD_REQUEST" {
			t.Errorf("%s: %s", body, raw)
		}
	}
}

// Requests no transport takes have a code: another media type (415), a
// mutation over GET (405, Allow: POST), GET variables that are not JSON
// (400), all BAD_REQUEST. gqlgen's own transports wrote no code.
func TestTransportErrorsHaveACode(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{})
	check := func(label string, res *http.Response, status int) {
		t.Helper()
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var out gqlResponse
		_ = json.Unmarshal(raw, &out)
		if res.StatusCode != status || len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != "BAD_REQUEST" {
			t.Errorf("%s: %d %s %s, want %d BAD_REQUEST", label, res.StatusCode, res.Header.Get("Content-Type"), raw, status)
		}
	}
	res, err := http.Post(a.srv.URL+"/graphql", "text/plain", strings.NewReader(`{"query":"{ programs { totalCount } }"}`))
	if err != nil {
		t.Fatal(err)
	}
	check("POST text/plain", res, http.StatusUnsupportedMediaType)
	get := mustGet(t, a.srv.URL+"/graphql?query="+url.QueryEscape(`mutation { createOrganization(input: {name: "x"}) { id } }`))
	if allow := get.Header.Get("Allow"); allow != "POST" {
		t.Errorf("GET mutation: Allow %q", allow)
	}
	check("GET mutation", get, http.StatusMethodNotAllowed)
	check("GET bad variables", mustGet(t, a.srv.URL+"/graphql?query="+url.QueryEscape(`{ programs { totalCount } }`)+"&variables=nope"), http.StatusBadRequest)
}

// A FORBIDDEN message is the reason alone; it began with the query's
// position ("input:1:3: …").
func TestForbiddenMessageIsTheReason(t *testing.T) {
	db := testdb.Open(t, "sqlite3", store.Options{})
	a := newAPI(t, db, server.Config{})
	e := a.fail(`{ changes { totalCount } }`, nil, "FORBIDDEN")
	if strings.HasPrefix(e.Message, "input:") {
		t.Errorf("message %q", e.Message)
	}
}

// A cursor made under one ordering, sent with another, is BAD_USER_INPUT on
// after, on both backends: it was INTERNAL on PostgreSQL, which refuses the
// comparison, and SQLite, which compares anything with anything, answered a
// page from a meaningless position. Root and nested lists, lists ordered by
// one field (serviceAreas) and by several, after and before. A cursor used
// with its own ordering still pages, null values of an optional field
// (VERIFIED_AT) included. (One of another ordering whose values have the
// same types, [STATUS, NAME] sent for [NAME, STATUS], cannot be told.)
func TestCursorOfAnotherOrdering(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})
		type edges struct{ Edges []struct{ Cursor string } }
		cursor := func(q string) string {
			t.Helper()
			var out map[string]edges
			a.ok(q, nil, &out)
			for _, conn := range out {
				if len(conn.Edges) < 2 {
					t.Fatalf("%s: %d edges, want 2", q, len(conn.Edges))
				}
				return conn.Edges[0].Cursor
			}
			t.Fatalf("%s: no connection", q)
			return ""
		}
		byName := cursor(`{ organizations(first: 2, orderBy: {field: NAME}) { edges { cursor } } }`)
		byDefault := cursor(`{ services(first: 2) { edges { cursor } } }`)
		byVerified := cursor(`{ services(first: 2, orderBy: {field: VERIFIED_AT}) { edges { cursor } } }`)
		byStatusName := cursor(`{ services(first: 2, orderBy: [{field: STATUS}, {field: NAME, direction: DESC}]) { edges { cursor } } }`)
		var areas struct {
			Services struct {
				Edges []struct {
					Node struct {
						ServiceAreas struct{ Edges []struct{ Cursor string } }
					}
				}
			}
		}
		a.ok(`{ services(first: 50) { edges { node { serviceAreas(first: 1, orderBy: {field: CREATED_AT}) { edges { cursor } } } } } }`, nil, &areas)
		areaByCreated := ""
		for _, e := range areas.Services.Edges {
			if len(e.Node.ServiceAreas.Edges) > 0 {
				areaByCreated = e.Node.ServiceAreas.Edges[0].Cursor
				break
			}
		}
		if areaByCreated == "" {
			t.Fatal("no service area in the seed and samples")
		}

		for _, c := range []struct{ query, cursor, arg string }{
			{`query($c: Cursor) { organizations(after: $c, orderBy: {field: CREATED_AT}) { edges { node { name } } } }`, byName, "after"},
			{`query($c: Cursor) { organizations(before: $c, last: 2, orderBy: {field: CREATED_AT}) { edges { node { name } } } }`, byName, "before"},
			{`query($c: Cursor) { services(after: $c, orderBy: [{field: VERIFIED_AT}, {field: STATUS}]) { totalCount } }`, byStatusName, "after"},
			{`query($c: Cursor) { services(after: $c, orderBy: {field: NAME}) { totalCount } }`, byVerified, "after"},
			{`query($c: Cursor) { organizations(first: 1) { edges { node { services(after: $c, orderBy: {field: VERIFIED_AT}) { totalCount } } } } }`, byName, "after"},
			{`query($c: Cursor) { services(first: 5) { edges { node { serviceAreas(after: $c) { totalCount } } } } }`, areaByCreated, "after"},
			// Its own cursor, but of an ordering by a field records may
			// leave null: refused too (TestRelayPagination).
			{`query($c: Cursor) { services(after: $c, orderBy: {field: VERIFIED_AT}) { totalCount } }`, byVerified, "after"},
		} {
			res := a.query(c.query, map[string]any{"c": c.cursor})
			if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || res.Errors[0].Extensions["field"] != c.arg {
				t.Errorf("%s: %s %+v, want BAD_USER_INPUT on %s", c.query, res.Data, res.Errors, c.arg)
			}
		}
		for _, c := range []struct{ query, cursor string }{
			{`query($c: Cursor) { organizations(after: $c, orderBy: {field: NAME}) { totalCount } }`, byName},
			{`query($c: Cursor) { services(after: $c) { totalCount } }`, byDefault},
			{`query($c: Cursor) { services(after: $c, orderBy: [{field: STATUS}, {field: NAME, direction: DESC}]) { totalCount } }`, byStatusName},
			{`query($c: Cursor) { services(first: 5) { edges { node { serviceAreas(after: $c, orderBy: {field: CREATED_AT}) { totalCount } } } } }`, areaByCreated},
		} {
			if res := a.query(c.query, map[string]any{"c": c.cursor}); len(res.Errors) > 0 {
				t.Errorf("%s with its own cursor: %+v", c.query, res.Errors)
			}
		}
	})
}
