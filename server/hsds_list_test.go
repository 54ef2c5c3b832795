package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/hsds"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// hsdsStream fetches an /hsds/ list as NDJSON and returns its lines; it
// fails the test unless the stream is a 200 application/x-ndjson response
// that ends cleanly.
func (a *api) hsdsStream(secret, path string) []json.RawMessage {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(res.Body)
		a.t.Fatalf("GET %s: %d %s", path, res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		a.t.Errorf("GET %s: content type %q", path, ct)
	}
	lines, err := readLines(res.Body)
	if err != nil {
		a.t.Fatalf("GET %s: %v after %d lines", path, err, len(lines))
	}
	return lines
}

func readLines(r io.Reader) ([]json.RawMessage, error) {
	var lines []json.RawMessage
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if !json.Valid(line) {
			return lines, fmt.Errorf("line %d is not JSON: %.200s", len(lines)+1, line)
		}
		lines = append(lines, json.RawMessage(slices.Clone(line)))
	}
	return lines, sc.Err()
}

// withParams adds query parameters (as "a=1&b=2") to path, which may have
// some already.
func withParams(path, params string) string {
	if strings.Contains(path, "?") {
		return path + "&" + params
	}
	return path + "?" + params
}

// hsdsAll collects every item of a JSON list, page by page.
func (a *api) hsdsAll(s *hsds.Schemas, secret, path, schema string) []json.RawMessage {
	a.t.Helper()
	var all []json.RawMessage
	for page := 1; ; page++ {
		env := a.hsdsPage(s, secret, withParams(path, fmt.Sprintf("per_page=200&page=%d", page)), schema)
		all = append(all, env.Contents...)
		if env.LastPage {
			if len(all) != env.TotalItems {
				a.t.Errorf("GET %s: %d items over %d pages, total_items %d", path, len(all), page, env.TotalItems)
			}
			return all
		}
	}
}

// addBulkDirectory adds n services (with a service area each, half in
// Massachusetts and half in Anchorage's ZIP, and a service at one public
// location in Boston), so lists span several stream batches.
func addBulkDirectory(t *testing.T, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	// One transaction, as imports write: its change events are written
	// once, at the commit.
	tx, err := db.Client.Tx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := tx.Client()
	org := c.Organization.Create().SetName("Bulk Family Services").SetDescription("Many services, for paging tests.").SaveX(ctx)
	loc := c.Location.Create().SetName("Bulk Center").SetOrganizationID(org.ID).SetCity("Boston").SetRegion("MA").
		SetPostalCode("02121").SetLatitude(42.3).SetLongitude(-71.07).SaveX(ctx)
	svcs := make([]*ent.ServiceCreate, n)
	for i := range svcs {
		svcs[i] = c.Service.Create().SetName(fmt.Sprintf("Bulk service %04d", i)).SetOrganizationID(org.ID).
			SetDescription("A bulk service.")
	}
	created := c.Service.CreateBulk(svcs...).SaveX(ctx)
	areas := make([]*ent.ServiceAreaCreate, n)
	sals := make([]*ent.ServiceAtLocationCreate, n)
	for i, s := range created {
		if i%2 == 0 {
			areas[i] = c.ServiceArea.Create().SetServiceID(s.ID).SetKind(servicearea.KindSTATE).SetCode("MA")
		} else {
			areas[i] = c.ServiceArea.Create().SetServiceID(s.ID).SetKind(servicearea.KindZIP).SetCode("99501")
		}
		sals[i] = c.ServiceAtLocation.Create().SetServiceID(s.ID).SetLocationID(loc.ID)
	}
	c.ServiceArea.CreateBulk(areas...).ExecX(ctx)
	c.ServiceAtLocation.CreateBulk(sals...).ExecX(ctx)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestHSDSNDJSON streams every list endpoint, with and without filters and
// in every shape, over a directory larger than one stream batch: the lines
// are exactly the items of the JSON pages, in order, and each validates.
func TestHSDSNDJSON(t *testing.T) {
	s := loadHSDSSchemas(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		// Batches of 50 (the default is 500): the bulk directory spans
		// several, as a national one spans several of 500.
		addBulkDirectory(t, db, 130)
		a := newAPI(t, db, server.Config{StreamBatch: 50})
		terms := a.hsdsPage(s, "", "/hsds/taxonomy_terms?search=home-visiting", "taxonomy_term.json")
		term := ids(t, terms)[0]

		for _, c := range []struct{ path, schema string }{
			{"/hsds/services", "service.json"},
			{"/hsds/services?full=true", "service.json"},
			{"/hsds/services?minimal=true", ""},
			{"/hsds/services?search=bulk+service+00", "service.json"},
			{"/hsds/services?postcode=02121", "service.json"},
			{"/hsds/services?postcode=02121&proximity=5000&minimal=true", ""},
			{"/hsds/services?taxonomy_term_id=" + term, "service.json"},
			{"/hsds/organizations", "organization.json"},
			{"/hsds/organizations?full=true", "organization.json"},
			{"/hsds/organizations?full_service=true&search=sample", "organization.json"},
			{"/hsds/service_at_locations", "service_at_location.json"},
			{"/hsds/service_at_locations?full=true&search=sample", "service_at_location.json"},
			{"/hsds/service_at_locations?postcode=99501", "service_at_location.json"},
			{"/hsds/taxonomies", "taxonomy.json"},
			{"/hsds/taxonomy_terms", "taxonomy_term.json"},
			{"/hsds/taxonomy_terms?taxonomy_id=" + hsds.TaxonomyID(hsds.VillageTaxonomy), "taxonomy_term.json"},
		} {
			pageSchema := c.schema
			if pageSchema == "" {
				pageSchema = "service.json"
			}
			var pages []json.RawMessage
			if c.schema != "" {
				pages = a.hsdsAll(s, "", c.path, pageSchema)
			} else {
				pages = a.hsdsAllMinimal(c.path)
			}
			lines := a.hsdsStream("", withParams(c.path, "format=ndjson"))
			if len(lines) != len(pages) {
				t.Errorf("%s: %d lines, %d items in the JSON pages", c.path, len(lines), len(pages))
				continue
			}
			for i := range lines {
				if got, want := compact(t, lines[i]), compact(t, pages[i]); got != want {
					t.Errorf("%s: line %d differs from JSON item %d:\n%.300s\n%.300s", c.path, i+1, i+1, got, want)
					break
				}
				if c.schema != "" {
					if errs := s.Validate(c.schema, []byte(lines[i])); len(errs) > 0 {
						t.Errorf("%s: line %d does not validate: %v", c.path, i+1, errs[:min(3, len(errs))])
						break
					}
				} else {
					checkMinimal(t, lines[i])
				}
			}
		}
		// The bulk directory spans several batches: every service of it
		// streams once.
		lines := a.hsdsStream("", "/hsds/services?minimal=true&format=ndjson&search=bulk+service")
		seen := map[string]bool{}
		for _, l := range lines {
			var x struct{ ID string }
			_ = json.Unmarshal(l, &x)
			seen[x.ID] = true
		}
		if len(lines) != 130 || len(seen) != 130 {
			t.Errorf("bulk services streamed: %d lines, %d distinct, want 130", len(lines), len(seen))
		}
		// An empty result is an empty stream.
		if lines := a.hsdsStream("", "/hsds/services?format=ndjson&search=no+such+service+xyzzy"); len(lines) != 0 {
			t.Errorf("no match streamed %d lines", len(lines))
		}
		// Bad parameters name themselves.
		for path, param := range map[string]string{
			"/hsds/services?format=xml":                     "format",
			"/hsds/taxonomies?format=csv":                   "format",
			"/hsds/services?format=ndjson&page=2":           "page",
			"/hsds/organizations?format=ndjson&per_page=10": "per_page",
			"/hsds/services?minimal=true&full=true":         "minimal",
			"/hsds/services?minimal=yes":                    "minimal",
			"/hsds/service_at_locations?full=1x":            "full",
		} {
			status, body := a.hsdsGet("", path)
			if param == "" {
				if status != http.StatusOK {
					t.Errorf("GET %s: %d %s", path, status, body)
				}
				continue
			}
			var e hsdsErrorBody
			if status != 400 || json.Unmarshal(body, &e) != nil || e.Status != 400 || !strings.Contains(e.Message, param) {
				t.Errorf("GET %s: %d %s, want 400 naming %s", path, status, body, param)
			}
		}
	})
}

// hsdsAllMinimal collects a minimal=true JSON list, page by page, checking
// each item's shape.
func (a *api) hsdsAllMinimal(path string) []json.RawMessage {
	a.t.Helper()
	var all []json.RawMessage
	for page := 1; ; page++ {
		p := withParams(path, fmt.Sprintf("per_page=200&page=%d", page))
		body := a.hsdsGetOK("", p)
		var env hsdsEnvelope
		if err := json.Unmarshal(body, &env); err != nil {
			a.t.Fatal(err)
		}
		for _, c := range env.Contents {
			checkMinimal(a.t, c)
		}
		all = append(all, env.Contents...)
		if env.LastPage {
			return all
		}
	}
}

// checkMinimal checks a minimal=true item: just a UUID id and a date-time
// modified_date.
func checkMinimal(t *testing.T, raw json.RawMessage) {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil || len(m) != 2 {
		t.Fatalf("minimal item %s: want exactly id and modified_date (%v)", raw, err)
	}
	if _, err := time.Parse(time.RFC3339Nano, m["modified_date"]); err != nil {
		t.Errorf("minimal item %s: modified_date: %v", raw, err)
	}
	if len(m["id"]) != 36 {
		t.Errorf("minimal item %s: id is no UUID", raw)
	}
}

// oneToMany are the keys of one-to-many collections, which list items
// leave to the full documents.
var oneToMany = []string{"phones", "schedules", "service_areas", "service_at_locations", "languages", "contacts",
	"funding", "cost_options", "required_documents", "locations", "programs", "organization_identifiers", "services",
	"addresses", "accessibility"}

// oneToManyIn lists the one-to-many keys found anywhere in raw.
func oneToManyIn(raw json.RawMessage) []string {
	var found []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if slices.Contains(oneToMany, k) && !slices.Contains(found, k) {
					found = append(found, k)
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	walk(v)
	return found
}

// checkListShapes checks every item of the services, organizations and
// service_at_locations lists: a list item holds no one-to-many collection
// and has its one-to-one objects; a full=true item is its {id} document;
// both stream the same over NDJSON. It returns, per list, the one-to-many
// keys the full items hold.
func checkListShapes(t *testing.T, a *api, s *hsds.Schemas) map[string]map[string]bool {
	t.Helper()
	fullHas := map[string]map[string]bool{}
	for _, c := range []struct{ list, schema, detail string }{
		{"/hsds/services", "service.json", "/hsds/services/%s"},
		{"/hsds/organizations", "organization.json", "/hsds/organizations/%s"},
		{"/hsds/service_at_locations", "service_at_location.json", "/hsds/service_at_locations/%s"},
	} {
		items := a.hsdsAll(s, "", c.list, c.schema)
		full := a.hsdsAll(s, "", c.list+"?full=true", c.schema)
		if len(items) == 0 || len(items) != len(full) {
			t.Fatalf("%s: %d items, %d full", c.list, len(items), len(full))
		}
		for query, want := range map[string][]json.RawMessage{"?format=ndjson": items, "?full=true&format=ndjson": full} {
			lines := a.hsdsStream("", c.list+query)
			if len(lines) != len(want) {
				t.Errorf("%s%s: %d lines, want %d", c.list, query, len(lines), len(want))
				continue
			}
			for i := range lines {
				if compact(t, lines[i]) != compact(t, want[i]) {
					t.Errorf("%s%s: line %d differs from the JSON item", c.list, query, i+1)
				}
			}
		}
		fullHas[c.list] = map[string]bool{}
		for i := range items {
			if found := oneToManyIn(items[i]); len(found) > 0 {
				t.Errorf("%s: item %d has one-to-many %v: %.300s", c.list, i, found, items[i])
			}
			var x struct {
				ID           string          `json:"id"`
				Organization json.RawMessage `json:"organization"`
				ProgramID    string          `json:"program_id"`
				Program      json.RawMessage `json:"program"`
				Location     json.RawMessage `json:"location"`
				Service      *struct {
					Organization json.RawMessage `json:"organization"`
				} `json:"service"`
			}
			_ = json.Unmarshal(items[i], &x)
			switch c.list {
			case "/hsds/services":
				if x.Organization == nil || (x.ProgramID != "" && x.Program == nil) {
					t.Errorf("service item %s lacks its organization or program", x.ID)
				}
			case "/hsds/service_at_locations":
				if x.Location == nil || x.Service == nil || x.Service.Organization == nil {
					t.Errorf("service_at_location item %s lacks its location, service or the service's organization", x.ID)
				}
			}
			// A full item is the {id} document.
			_, detail := a.hsdsGet("", fmt.Sprintf(c.detail, x.ID))
			if got, want := compact(t, full[i]), compact(t, detail); got != want {
				t.Errorf("%s?full=true item %s differs from its {id} document:\n%.300s\n%.300s", c.list, x.ID, got, want)
			}
			for _, k := range oneToManyIn(full[i]) {
				fullHas[c.list][k] = true
			}
		}
	}
	return fullHas
}

// TestHSDSImportedDirectory serves the official HSDS 3.0 example package,
// imported: records answer to the package's own ids, and list items keep
// their shape though the import kept fields Village does not model.
func TestHSDSImportedDirectory(t *testing.T) {
	s := loadHSDSSchemas(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := hsds.Import(ctx, db.Client, hsdsSchemaDir+"/../examples/csv", hsds.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		a := newAPI(t, db, server.Config{})
		checkListShapes(t, a, s)
		for path, schema := range map[string]string{
			"/hsds/services/ac148810-d857-441c-9679-408f346de14b":             "service.json",
			"/hsds/organizations/d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610":        "organization.json",
			"/hsds/service_at_locations/e94c9f38-1e8f-4564-91d4-d53501ab1765": "service_at_location.json",
		} {
			status, body := a.hsdsGet("", path)
			if status != 200 {
				t.Errorf("GET %s: %d %s", path, status, body)
				continue
			}
			if errs := s.Validate(schema, body); len(errs) > 0 {
				t.Errorf("GET %s: %v", path, errs[:min(3, len(errs))])
			}
			if id := path[strings.LastIndex(path, "/")+1:]; !strings.Contains(string(body), `"id":"`+id+`"`) {
				t.Errorf("GET %s: the document does not carry its id", path)
			}
		}
	})
}

// TestHSDSListShapes checks what list items hold: by default the record's
// one-to-one fields and objects (as the spec's *_list.json examples), with
// full=true the documents the {id} endpoints return, and with minimal=true
// only each service's id and modified date.
func TestHSDSListShapes(t *testing.T) {
	t.Parallel() // long, on databases of its own: see TestMain
	s := loadHSDSSchemas(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})
		fullHas := checkListShapes(t, a, s)
		for list, keys := range map[string][]string{
			"/hsds/services":             {"phones", "service_areas", "service_at_locations", "languages", "addresses"},
			"/hsds/organizations":        {"locations", "programs"},
			"/hsds/service_at_locations": {"addresses"},
		} {
			for _, k := range keys {
				if !fullHas[list][k] {
					t.Errorf("%s?full=true: no item has %s", list, k)
				}
			}
		}
		// A full service_at_location nests its full service, organization
		// included, as service_at_location_full.json does.
		sals := a.hsdsAll(s, "", "/hsds/service_at_locations?full=true", "service_at_location.json")
		var sal hsds.ServiceAtLocation
		_ = json.Unmarshal(sals[0], &sal)
		if sal.Service == nil || sal.Service.Organization == nil || sal.Service.ID != sal.ServiceID {
			t.Errorf("full service_at_location %s: service %+v", sal.ID, sal.Service)
		}
		// full_service nests each organization's full services.
		orgs := a.hsdsAll(s, "", "/hsds/organizations?full_service=true", "organization.json")
		nested := 0
		for _, raw := range orgs {
			var o hsds.Organization
			_ = json.Unmarshal(raw, &o)
			if len(o.Locations) == 0 && len(o.Programs) == 0 && len(o.Services) == 0 {
				continue
			}
			_, detail := a.hsdsGet("", "/hsds/organizations/"+o.ID+"?full_service=true")
			if compact(t, raw) != compact(t, detail) {
				t.Errorf("organization %s with full_service differs from its {id}?full_service=true document", o.ID)
			}
			nested += len(o.Services)
		}
		if all := a.hsdsAll(s, "", "/hsds/services", "service.json"); nested != len(all) {
			t.Errorf("full_service nested %d services, the directory has %d", nested, len(all))
		}
		// minimal: the services' ids and last modified dates, nothing else.
		items := a.hsdsAll(s, "", "/hsds/services", "service.json")
		minimal := a.hsdsAllMinimal("/hsds/services?minimal=true")
		if len(minimal) != len(items) {
			t.Fatalf("minimal: %d items, want %d", len(minimal), len(items))
		}
		for i := range items {
			var m struct{ ID, ModifiedDate string }
			var x struct{ ID, LastModified string }
			_ = json.Unmarshal(minimal[i], &struct {
				ID           *string `json:"id"`
				ModifiedDate *string `json:"modified_date"`
			}{&m.ID, &m.ModifiedDate})
			_ = json.Unmarshal(items[i], &struct {
				ID           *string `json:"id"`
				LastModified *string `json:"last_modified"`
			}{&x.ID, &x.LastModified})
			if m.ID != x.ID || m.ModifiedDate != x.LastModified {
				t.Errorf("minimal item %d: %+v, service %+v", i, m, x)
			}
		}
	})
}

// TestHSDSVisibilityEverywhere reads the new list forms (NDJSON, full,
// minimal) as the public and as staff: the public never sees a staff-only
// phone, internal notes, or a confidential location's address or
// coordinates; staff see them; minimal lists the same services to both
// (their modified dates may differ: a staff-only phone's change moves only
// what staff read).
func TestHSDSVisibilityEverywhere(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newRestrictedDirectory(t, db)
		a, staff := d.a, d.staff
		streams := []string{"/hsds/services?format=ndjson&full=true", "/hsds/organizations?format=ndjson&full_service=true",
			"/hsds/service_at_locations?format=ndjson", "/hsds/service_at_locations?format=ndjson&full=true"}
		pages := []string{"/hsds/services?per_page=200&full=true", "/hsds/service_at_locations?per_page=200&full=true",
			"/hsds/organizations?per_page=200&full=true"}
		minimal := map[string]string{}
		for _, who := range []string{"", staff} {
			var all strings.Builder
			for _, p := range streams {
				for _, l := range a.hsdsStream(who, p) {
					all.Write(l)
				}
			}
			for _, p := range pages {
				all.Write(a.hsdsGetOK(who, p))
			}
			var m strings.Builder
			for _, l := range a.hsdsStream(who, "/hsds/services?format=ndjson&minimal=true") {
				all.Write(l)
				var x struct{ ID string }
				_ = json.Unmarshal(l, &x)
				m.WriteString(x.ID + ",")
			}
			_, body := a.hsdsGet(who, "/hsds/services?minimal=true&per_page=200")
			all.Write(body)
			var env hsdsEnvelope
			_ = json.Unmarshal(body, &env)
			m.WriteString(strings.Join(ids(t, env), ","))
			minimal[who] = m.String()
			d.checkRestricted(t, who, all.String())
			// Streamed list items of confidential locations: coordinates
			// for staff only.
			confidential := 0
			for _, l := range a.hsdsStream(who, "/hsds/service_at_locations?format=ndjson") {
				var sal hsds.ServiceAtLocation
				_ = json.Unmarshal(l, &sal)
				if sal.Location == nil || hsds.VillageAttributes(sal.Location.Attributes)["confidential"] != "true" {
					continue
				}
				confidential++
				if located := sal.Location.Latitude != nil; located != (who == staff) {
					t.Errorf("viewer %q: confidential location %s has coordinates: %v", who, sal.Location.Name, located)
				}
			}
			if confidential == 0 {
				t.Errorf("viewer %q: no confidential location streamed", who)
			}
		}
		if minimal[""] != minimal[staff] {
			t.Error("minimal lists differ between the public and staff")
		}
	})
}

// TestHSDSLookupFollowsWrites fetches records by HSDS id through the API
// as they are created, given an imported id, changed and deleted: every
// answer is current, though the handler's id tables were built before the
// writes.
func TestHSDSLookupFollowsWrites(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loadSeed(t, db)
		c := db.Client
		a := newAPI(t, db, server.Config{})
		status := func(path string) int {
			t.Helper()
			code, _ := a.hsdsGet("", path)
			return code
		}
		some := c.Service.Query().FirstX(ctx)
		if code := status("/hsds/services/" + hsdsIDOf(t, db, hsds.KindService, some.ID)); code != 200 {
			t.Fatalf("seeded service: %d", code)
		}

		org := c.Organization.Create().SetName("New org").SetDescription("Created after the tables were built.").SaveX(ctx)
		svc := c.Service.Create().SetName("New service").SetOrganizationID(org.ID).SaveX(ctx)
		loc := c.Location.Create().SetName("New place").SetOrganizationID(org.ID).SaveX(ctx)
		sal := c.ServiceAtLocation.Create().SetServiceID(svc.ID).SetLocationID(loc.ID).SaveX(ctx)
		term := c.TaxonomyTerm.Create().SetCode("new-need").SetName("New need").SaveX(ctx)
		orgID := hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindOrganization, org.ID)
		svcID := hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindService, svc.ID)
		for path, want := range map[string]int{
			"/hsds/organizations/" + orgID: 200,
			"/hsds/services/" + svcID:      200,
			"/hsds/service_at_locations/" + hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindServiceAtLocation, sal.ID): 200,
			"/hsds/taxonomy_terms/" + hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindTaxonomyTerm, term.ID):           200,
		} {
			if code := status(path); code != want {
				t.Errorf("GET %s after create: %d, want %d", path, code, want)
			}
		}
		// An id given as a filter resolves too.
		if lines := a.hsdsStream("", "/hsds/services?format=ndjson&minimal=true&organization_id="+orgID); len(lines) != 1 ||
			!strings.Contains(string(lines[0]), svcID) {
			t.Errorf("organization_id of a new organization: %s", lines)
		}

		// Imported: the external id is the HSDS id; the derived one is gone.
		const imported = "5f0c1e1a-7d3b-4c2e-9a51-2b7f0f6d9c11"
		c.Service.UpdateOne(svc).SetExternalSource("hsds").SetExternalID(imported).ExecX(ctx)
		if code := status("/hsds/services/" + imported); code != 200 {
			t.Errorf("imported id: %d", code)
		}
		if code := status("/hsds/services/" + svcID); code != 404 {
			t.Errorf("derived id of an imported service: %d, want 404", code)
		}
		const moved = "0b6f3c8e-2a4d-4f1b-8c7e-9d5a3e2f1b40"
		c.Service.UpdateOne(svc).SetExternalID(moved).ExecX(ctx)
		if a, b := status("/hsds/services/"+moved), status("/hsds/services/"+imported); a != 200 || b != 404 {
			t.Errorf("after the external id changed: new %d, old %d", a, b)
		}

		// Deletes.
		c.ServiceAtLocation.DeleteOne(sal).ExecX(ctx)
		c.Service.DeleteOne(svc).ExecX(ctx)
		if code := status("/hsds/services/" + moved); code != 404 {
			t.Errorf("deleted service: %d, want 404", code)
		}
		if code := status("/hsds/service_at_locations/" + hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindServiceAtLocation, sal.ID)); code != 404 {
			t.Errorf("deleted service_at_location: %d, want 404", code)
		}
	})
}

// TestHSDSStreamStops cuts streams short: out of time before the first
// line, the answer is a JSON 503; a client that leaves after the first line
// stops the server's work; out of time halfway through, the connection is
// cut, so a partial stream never ends like a complete one.
func TestHSDSStreamStops(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loadSeed(t, db)
		const batch = 50
		addBulkDirectory(t, db, 4*batch) // four batches
		const path = "/hsds/services?format=ndjson&full=true"
		total := db.Client.Service.Query().CountX(ctx)

		// Out of time before the first line.
		tiny := newAPI(t, db, server.Config{StreamTimeout: time.Nanosecond, StreamBatch: batch})
		res := mustGet(t, tiny.srv.URL+path)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.Header.Get("Content-Type"), "json") {
			t.Errorf("deadline before the first line: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
		}

		// The client leaves after the first line: the server stops (it
		// says how far it got) instead of reading the rest.
		var logs syncBuffer
		srv := httptest.NewServer(server.New(db, server.Config{StreamBatch: batch}, slog.New(slog.NewTextHandler(&logs, nil))))
		res = mustGet(t, srv.URL+path)
		if _, err := bufio.NewReader(res.Body).ReadBytes('\n'); err != nil {
			t.Fatal(err)
		}
		res.Body.Close() // leaves: the connection closes
		srv.Close()      // waits for the handler
		stopped := ""
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "hsds stream stopped before its end") {
				stopped = line
			}
		}
		if stopped == "" || strings.Contains(stopped, fmt.Sprintf("records=%d ", total)) {
			t.Errorf("the server did not stop early when the client left (of %d records): %q", total, stopped)
		}
		if !regexp.MustCompile(`msg="http request" .*method=GET path=/hsds/services .*status=200 .*aborted=true`).MatchString(logs.String()) {
			t.Errorf("the cut stream left no access-log line saying it was aborted:\n%s", logs.String())
		}

		// Out of time halfway: a lock taken after the first line holds the
		// next batch until the deadline (PostgreSQL: SQLite readers are
		// never blocked).
		if db.Dialect != dialect.Postgres {
			return
		}
		half := newAPI(t, db, server.Config{StreamTimeout: 2 * time.Second, StreamBatch: batch})
		// Uncompressed, so that the stream cannot fit in the socket's
		// buffers before the lock is taken.
		req, _ := http.NewRequest(http.MethodGet, half.srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", "identity")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		br := bufio.NewReader(res.Body)
		if _, err := br.ReadBytes('\n'); err != nil {
			t.Fatal(err)
		}
		tx, err := db.SQL.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, "LOCK TABLE services IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Fatal(err)
		}
		lines, err := readLines(br)
		if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("a stream cut at its deadline ended with %v after %d more lines; want an unexpected EOF", err, len(lines))
		}
		if len(lines)+1 >= total {
			t.Errorf("the cut stream sent all %d lines", total)
		}
	})
}

// TestHSDSStreamOutlivesRequestDeadline: a streamed listing grows with the
// directory, so it runs under the stream deadline, not a request's: with a
// request deadline no request can meet, the JSON page times out while the
// stream still delivers every record.
func TestHSDSStreamOutlivesRequestDeadline(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loadSeed(t, db)
		total := db.Client.Service.Query().CountX(ctx)
		// checkTimesOut checks that GET url answers 503.
		checkTimesOut := func(url, what string) {
			t.Helper()
			res := mustGet(t, url)
			res.Body.Close()
			if res.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("%s: %d, want 503", what, res.StatusCode)
			}
		}
		// checkStreamsEveryService checks that GET url streams every
		// service, to a clean end.
		checkStreamsEveryService := func(url, what string) {
			t.Helper()
			res := mustGet(t, url)
			defer res.Body.Close()
			lines, err := readLines(res.Body)
			if res.StatusCode != http.StatusOK || err != nil || len(lines) != total {
				t.Errorf("%s: %d, %d of %d lines, %v", what, res.StatusCode, len(lines), total, err)
			}
		}
		late := newAPI(t, db, server.Config{RequestTimeout: time.Nanosecond}).srv.URL

		checkTimesOut(late+"/hsds/services", "JSON page past the request deadline")
		// A record by id is no stream, whatever its format parameter says.
		checkTimesOut(late+"/hsds/services/00000000-0000-4000-8000-000000000000?format=ndjson",
			"a record by id with format=ndjson past the request deadline")
		checkStreamsEveryService(late+"/hsds/services?format=ndjson", "stream under a past request deadline")

		// The stream moves its connection's write deadline too: behind a
		// server whose writes time out after a millisecond, it still
		// delivers every record.
		slow := httptest.NewUnstartedServer(server.New(db, server.Config{}, discardLog()))
		slow.Config.WriteTimeout = time.Millisecond
		slow.Start()
		defer slow.Close()
		checkStreamsEveryService(slow.URL+"/hsds/services?format=ndjson", "stream behind a 1 ms write timeout")
	})
}

// TestHSDSTermKeepsImportedTaxonomy: a term of an imported taxonomy shows
// that taxonomy as the package gave it (its id, URI, version), in the term's
// taxonomy_detail as in /taxonomies.
func TestHSDSTermKeepsImportedTaxonomy(t *testing.T) {
	dir := t.TempDir()
	const taxID, termID = "5c4d79d7-cc55-470e-9f1f-8cad074e4892", "3f7b145d-84af-42d7-8fae-eaca714b02b2"
	files := map[string]string{
		"organizations.csv":  "id,name,description\nd9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610,Food Org,Feeds families\n",
		"taxonomies.csv":     "id,name,description,uri,version\n" + taxID + ",Open Eligibility,Needs vocabulary,http://example.com/oe,2\n",
		"taxonomy_terms.csv": "id,code,name,description,parent_id,taxonomy,language,taxonomy_id,term_uri\n" + termID + ",food,Food,Food needs,,,eng," + taxID + ",\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := hsds.Import(ctx, db.Client, dir, hsds.ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		a := newAPI(t, db, server.Config{})
		status, body := a.hsdsGet("", "/hsds/taxonomy_terms/"+termID)
		var term struct {
			TaxonomyDetail struct{ ID, Name, URI, Version string } `json:"taxonomy_detail"`
		}
		if status != 200 || json.Unmarshal(body, &term) != nil {
			t.Fatalf("GET term: %d %s", status, body)
		}
		if d := term.TaxonomyDetail; d.ID != taxID || d.Name != "Open Eligibility" || d.URI != "http://example.com/oe" || d.Version != "2" {
			t.Errorf("taxonomy_detail = %+v, want the imported taxonomy %s", d, taxID)
		}
	})
}

// TestHSDSPostcodeCoverage pins the postcode filter to each kind of area
// (the candidates are narrowed in SQL, then judged in Go): a service
// covers ZIP 02121 (Dorchester, Suffolk County, MA) by that ZIP, its
// county, its state, nationwide, online, or a circle around it, or by
// stating no area at all; not by a circle elsewhere (also one at the same
// latitude far to the west), an area known only in words, or another ZIP.
func TestHSDSPostcodeCoverage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		org := c.Organization.Create().SetName("Coverage Org").SaveX(ctx)
		want := map[string]bool{}
		add := func(name string, covers bool, areas ...func(*ent.ServiceAreaCreate)) {
			s := c.Service.Create().SetName(name).SetOrganizationID(org.ID).SaveX(ctx)
			for _, set := range areas {
				a := c.ServiceArea.Create().SetServiceID(s.ID)
				set(a)
				a.SaveX(ctx)
			}
			want[name] = covers
		}
		kind := func(k servicearea.Kind, code string) func(*ent.ServiceAreaCreate) {
			return func(a *ent.ServiceAreaCreate) { a.SetKind(k).SetCode(code) }
		}
		circle := func(lat, lon, km float64) func(*ent.ServiceAreaCreate) {
			return func(a *ent.ServiceAreaCreate) {
				a.SetKind(servicearea.KindRADIUS).SetCenterLatitude(lat).SetCenterLongitude(lon).SetRadiusKm(km)
			}
		}
		add("by zip", true, kind(servicearea.KindZIP, "02121"))
		add("by county", true, kind(servicearea.KindCOUNTY, "25025"))
		add("by state", true, kind(servicearea.KindSTATE, "MA"))
		add("nationwide", true, kind(servicearea.KindNATIONWIDE, ""))
		add("online", true, kind(servicearea.KindONLINE, ""))
		add("circle around", true, circle(42.30, -71.06, 8))
		add("no area", true)
		add("circle elsewhere", false, circle(61.2, -149.9, 30))
		add("circle same latitude, west", false, circle(42.30, -100.0, 30))
		add("words only", false, func(a *ent.ServiceAreaCreate) { a.SetKind(servicearea.KindTEXT).SetName("Greater Boston") })
		add("other zip", false, kind(servicearea.KindZIP, "99501"), kind(servicearea.KindCOUNTY, "02020"))

		a := newAPI(t, db, server.Config{})
		status, body := a.hsdsGet("", "/hsds/services?per_page=100&postcode=02121")
		var page struct {
			Contents []struct{ Name string } `json:"contents"`
		}
		if status != 200 || json.Unmarshal(body, &page) != nil {
			t.Fatalf("postcode filter: %d %s", status, body)
		}
		got := map[string]bool{}
		for _, s := range page.Contents {
			got[s.Name] = true
		}
		for name, covers := range want {
			if got[name] != covers {
				t.Errorf("%s: listed %v, want %v", name, got[name], covers)
			}
		}

		// Services at locations follow their service's coverage.
		loc := c.Location.Create().SetName("Office").SetOrganizationID(org.ID).SaveX(ctx)
		for _, s := range c.Service.Query().AllX(ctx) {
			c.ServiceAtLocation.Create().SetServiceID(s.ID).SetLocationID(loc.ID).ExecX(ctx)
		}
		status, body = a.hsdsGet("", "/hsds/service_at_locations?per_page=100&postcode=02121")
		var sals struct {
			Contents []struct {
				Service struct{ Name string } `json:"service"`
			} `json:"contents"`
		}
		if status != 200 || json.Unmarshal(body, &sals) != nil {
			t.Fatalf("postcode filter on services at locations: %d %s", status, body)
		}
		gotSAL := map[string]bool{}
		for _, s := range sals.Contents {
			gotSAL[s.Service.Name] = true
		}
		for name, covers := range want {
			if gotSAL[name] != covers {
				t.Errorf("%s at a location: listed %v, want %v", name, gotSAL[name], covers)
			}
		}
	})
}

// TestHSDSOrganizationListsItsServices: an organization's document lists
// its services with their "simple information" (id, name, status), and in
// full with full_service=true; the full=true list items are the same
// documents.
func TestHSDSOrganizationListsItsServices(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loadSeed(t, db)
		a := newAPI(t, db, server.Config{})
		for _, org := range db.Client.Organization.Query().WithServices().AllX(ctx) {
			id := hsds.RecordID(testdb.DirectoryID(t, db), hsds.KindOrganization, org.ID, org.ExternalSource, org.ExternalID)
			for query, full := range map[string]bool{"": false, "?full_service=true": true} {
				status, body := a.hsdsGet("", "/hsds/organizations/"+id+query)
				var doc struct {
					Services []map[string]json.RawMessage `json:"services"`
				}
				if status != 200 || json.Unmarshal(body, &doc) != nil {
					t.Fatalf("GET organization %s%s: %d %s", id, query, status, body)
				}
				if len(doc.Services) != len(org.Edges.Services) {
					t.Errorf("%s%s: %d services, want %d", org.Name, query, len(doc.Services), len(org.Edges.Services))
				}
				for _, s := range doc.Services {
					if _, hasStatus := s["status"]; s["id"] == nil || s["name"] == nil || !hasStatus {
						t.Errorf("%s%s: service without id, name or status: %v", org.Name, query, s)
					}
					if !full && len(s) != 3 {
						t.Errorf("%s: simple service has %d members", org.Name, len(s))
					}
				}
			}
		}
	})
}
