package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/hsds"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

const hsdsSchemaDir = "../internal/hsds/testdata/openreferral-spec-3.0/schema"

// loadHSDSSchemas loads the HSDS 3.0 JSON schemas items are validated
// against.
func loadHSDSSchemas(t *testing.T) *hsds.Schemas {
	t.Helper()
	s, err := hsds.LoadSchemas(hsdsSchemaDir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// hsdsGet fetches an /hsds/ path (with an optional bearer key) and returns
// the status and raw body.
func (a *api) hsdsGet(secret, path string) (int, []byte) {
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
	body, _ := io.ReadAll(res.Body)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		a.t.Errorf("GET %s: content type %q", path, ct)
	}
	return res.StatusCode, body
}

// hsdsErrorBody is the body of an /hsds/ error response.
type hsdsErrorBody struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// hsdsDocument fetches an {id} document, which must be found and validate
// against schema.
func (a *api) hsdsDocument(s *hsds.Schemas, path, schema string) {
	a.t.Helper()
	body := a.hsdsGetOK("", path)
	if errs := s.Validate(schema, body); len(errs) > 0 {
		a.t.Fatalf("GET %s: does not validate against %s: %v", path, schema, errs)
	}
}

// hsdsGetOK fetches an /hsds/ path as hsdsGet does and returns the body of
// its answer, which must be 200 OK.
func (a *api) hsdsGetOK(secret, path string) []byte {
	a.t.Helper()
	status, body := a.hsdsGet(secret, path)
	if status != http.StatusOK {
		a.t.Fatalf("GET %s: %d %s", path, status, body)
	}
	return body
}

type hsdsEnvelope struct {
	TotalItems int               `json:"total_items"`
	TotalPages int               `json:"total_pages"`
	PageNumber int               `json:"page_number"`
	Size       int               `json:"size"`
	FirstPage  bool              `json:"first_page"`
	LastPage   bool              `json:"last_page"`
	Empty      bool              `json:"empty"`
	Contents   []json.RawMessage `json:"contents"`
}

// hsdsPage fetches a list, checks the envelope's shape and validates every
// item against schema.
func (a *api) hsdsPage(s *hsds.Schemas, secret, path, schema string) hsdsEnvelope {
	a.t.Helper()
	body := a.hsdsGetOK(secret, path)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		a.t.Fatalf("GET %s: %v", path, err)
	}
	for _, k := range []string{"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"} {
		if _, ok := raw[k]; !ok {
			a.t.Errorf("GET %s: envelope lacks %s", path, k)
		}
	}
	var env hsdsEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		a.t.Fatal(err)
	}
	if env.Size != len(env.Contents) || env.Empty != (len(env.Contents) == 0) {
		a.t.Errorf("GET %s: size %d, empty %v, %d items", path, env.Size, env.Empty, len(env.Contents))
	}
	for i, c := range env.Contents {
		if errs := s.Validate(schema, []byte(c)); len(errs) > 0 {
			a.t.Fatalf("GET %s: item %d does not validate against %s: %v", path, i, schema, errs[:min(5, len(errs))])
		}
	}
	return env
}

func ids(t *testing.T, env hsdsEnvelope) []string {
	t.Helper()
	var out []string
	for _, c := range env.Contents {
		var x struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(c, &x); err != nil {
			t.Fatal(err)
		}
		out = append(out, x.ID)
	}
	return out
}

func TestHSDSAPI(t *testing.T) {
	t.Parallel() // long, on databases of its own: see TestMain
	s := loadHSDSSchemas(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})

		status, body := a.hsdsGet("", "/hsds/")
		var info hsds.APIInfo
		if status != 200 || json.Unmarshal(body, &info) != nil || info.Version != "3.0" || info.Profile == "" {
			t.Fatalf("GET /hsds/: %d %s", status, body)
		}

		// Services: paging, detail, validation.
		all := a.hsdsPage(s, "", "/hsds/services?per_page=200", "service.json")
		if all.TotalItems == 0 || all.TotalItems != len(all.Contents) || !all.FirstPage || !all.LastPage || all.TotalPages != 1 {
			t.Fatalf("services: %+v", all)
		}
		p2 := a.hsdsPage(s, "", "/hsds/services?per_page=2&page=2", "service.json")
		if p2.PageNumber != 2 || p2.FirstPage || p2.TotalItems != all.TotalItems || p2.TotalPages != (all.TotalItems+1)/2 || len(p2.Contents) != 2 {
			t.Errorf("page 2: %+v", p2)
		}
		if got, want := ids(t, p2), ids(t, all)[2:4]; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("page 2 ids %v, want %v", got, want)
		}
		beyond := a.hsdsPage(s, "", "/hsds/services?per_page=200&page=9", "service.json")
		if !beyond.Empty || beyond.TotalItems != all.TotalItems {
			t.Errorf("page beyond the end: %+v", beyond)
		}
		for _, id := range ids(t, all) {
			a.hsdsDocument(s, "/hsds/services/"+id, "service.json")
		}

		// Search and filters.
		home := a.hsdsPage(s, "", "/hsds/services?per_page=200&search=home+visit", "service.json")
		if home.TotalItems == 0 || home.TotalItems >= all.TotalItems {
			t.Errorf("search=home visit: %d of %d", home.TotalItems, all.TotalItems)
		}
		terms := a.hsdsPage(s, "", "/hsds/taxonomy_terms?per_page=200&search=home-visiting", "taxonomy_term.json")
		if terms.TotalItems == 0 {
			t.Fatal("no taxonomy term home-visiting")
		}
		term := ids(t, terms)[0]
		byTerm := a.hsdsPage(s, "", "/hsds/services?per_page=200&full=true&taxonomy_term_id="+term, "service.json")
		if byTerm.TotalItems == 0 || byTerm.TotalItems >= all.TotalItems {
			t.Errorf("taxonomy_term_id: %d of %d", byTerm.TotalItems, all.TotalItems)
		}
		for _, c := range byTerm.Contents {
			if !strings.Contains(string(c), term) {
				t.Errorf("service filtered by term %s does not carry it", term)
			}
		}
		needs := hsds.TaxonomyID("village-needs")
		byTax := a.hsdsPage(s, "", "/hsds/services?per_page=200&taxonomy_id="+needs, "service.json")
		if byTax.TotalItems < byTerm.TotalItems {
			t.Errorf("taxonomy_id: %d services, fewer than one of its terms has", byTax.TotalItems)
		}
		none := a.hsdsPage(s, "", "/hsds/services?taxonomy_term_id=00000000-0000-4000-8000-000000000000", "service.json")
		if !none.Empty || none.TotalItems != 0 {
			t.Errorf("unknown term: %+v", none)
		}
		if e := a.hsdsPage(s, "", "/hsds/services?taxonomy_id=00000000-0000-4000-8000-000000000000", "service.json"); !e.Empty {
			t.Errorf("unknown taxonomy returned %d", e.TotalItems)
		}
		if e := a.hsdsPage(s, "", "/hsds/services?modified_after=2999-01-01", "service.json"); !e.Empty {
			t.Errorf("modified_after in the future returned %d", e.TotalItems)
		}
		if e := a.hsdsPage(s, "", "/hsds/services?per_page=200&modified_after=2000-01-01T00:00:00Z", "service.json"); e.TotalItems != all.TotalItems {
			t.Errorf("modified_after in the past returned %d of %d", e.TotalItems, all.TotalItems)
		}
		roxbury := a.hsdsPage(s, "", "/hsds/services?per_page=200&postcode=02121", "service.json")
		far := a.hsdsPage(s, "", "/hsds/services?per_page=200&postcode=99501", "service.json")
		if roxbury.TotalItems == 0 || far.TotalItems >= roxbury.TotalItems {
			t.Errorf("postcode: Dorchester %d, Anchorage %d", roxbury.TotalItems, far.TotalItems)
		}
		var zip string
		for _, l := range db.Client.Location.Query().AllX(ctx) {
			if !l.Confidential && l.Latitude != nil && len(l.PostalCode) == 5 {
				zip = l.PostalCode
			}
		}
		if zip == "" {
			t.Fatal("no public located location in the seed")
		}
		close := a.hsdsPage(s, "", "/hsds/service_at_locations?per_page=200&postcode="+zip+"&proximity=5000", "service_at_location.json")
		if close.TotalItems == 0 {
			t.Error("no service at a location within 5 km of " + zip)
		}
		farSAL := a.hsdsPage(s, "", "/hsds/service_at_locations?per_page=200&postcode=99501&proximity=5000", "service_at_location.json")
		if farSAL.TotalItems != 0 {
			t.Errorf("%d services at locations within 5 km of Anchorage", farSAL.TotalItems)
		}

		// Organizations, services at locations, taxonomies, terms.
		orgs := a.hsdsPage(s, "", "/hsds/organizations?per_page=200", "organization.json")
		if orgs.TotalItems == 0 {
			t.Fatal("no organizations")
		}
		for _, id := range ids(t, orgs) {
			a.hsdsDocument(s, "/hsds/organizations/"+id+"?full_service=true", "organization.json")
		}
		// organization_id filters services; full_service nests them.
		var svcOrg struct {
			OrganizationID string `json:"organization_id"`
		}
		_ = json.Unmarshal(all.Contents[0], &svcOrg)
		byOrg := a.hsdsPage(s, "", "/hsds/services?per_page=200&organization_id="+svcOrg.OrganizationID, "service.json")
		if byOrg.TotalItems == 0 || byOrg.TotalItems >= all.TotalItems {
			t.Errorf("organization_id: %d of %d", byOrg.TotalItems, all.TotalItems)
		}
		_, body = a.hsdsGet("", "/hsds/organizations/"+svcOrg.OrganizationID+"?full_service=true")
		var full hsds.Organization
		if err := json.Unmarshal(body, &full); err != nil || len(full.Services) != byOrg.TotalItems {
			t.Errorf("full_service: %d services, want %d (%v)", len(full.Services), byOrg.TotalItems, err)
		}
		sals := a.hsdsPage(s, "", "/hsds/service_at_locations?per_page=200", "service_at_location.json")
		if sals.TotalItems == 0 {
			t.Fatal("no services at locations")
		}
		for _, id := range ids(t, sals) {
			a.hsdsDocument(s, "/hsds/service_at_locations/"+id, "service_at_location.json")
		}
		taxes := a.hsdsPage(s, "", "/hsds/taxonomies", "taxonomy.json")
		if taxes.TotalItems < 2 {
			t.Errorf("taxonomies: %d", taxes.TotalItems)
		}
		for _, id := range ids(t, taxes) {
			a.hsdsDocument(s, "/hsds/taxonomies/"+id, "taxonomy.json")
		}
		allTerms := a.hsdsPage(s, "", "/hsds/taxonomy_terms?per_page=200", "taxonomy_term.json")
		half := a.hsdsPage(s, "", "/hsds/taxonomy_terms?per_page=7&page=2", "taxonomy_term.json")
		if got, want := ids(t, half), ids(t, allTerms)[7:14]; strings.Join(got, ",") != strings.Join(want, ",") || half.TotalItems != allTerms.TotalItems {
			t.Errorf("terms page 2: %v, want %v", got, want)
		}
		for _, id := range ids(t, allTerms) {
			a.hsdsDocument(s, "/hsds/taxonomy_terms/"+id, "taxonomy_term.json")
		}
		top := a.hsdsPage(s, "", "/hsds/taxonomy_terms?per_page=200&top_only=true&taxonomy_id="+needs, "taxonomy_term.json")
		if top.TotalItems == 0 || top.TotalItems > allTerms.TotalItems {
			t.Errorf("top_only: %d", top.TotalItems)
		}
		for _, c := range top.Contents {
			if strings.Contains(string(c), `"parent_id"`) {
				t.Errorf("top_only returned a narrower term: %s", c)
			}
		}
		village := a.hsdsPage(s, "", "/hsds/taxonomy_terms?per_page=200&taxonomy_id="+hsds.TaxonomyID(hsds.VillageTaxonomy), "taxonomy_term.json")
		if village.TotalItems != len(hsds.VillageTerms) {
			t.Errorf("village vocabulary: %d terms, want %d", village.TotalItems, len(hsds.VillageTerms))
		}

		// Errors.
		for path, want := range map[string]int{
			"/hsds/services/00000000-0000-4000-8000-000000000000":             404,
			"/hsds/organizations/00000000-0000-4000-8000-000000000000":        404,
			"/hsds/service_at_locations/00000000-0000-4000-8000-000000000000": 404,
			"/hsds/taxonomies/00000000-0000-4000-8000-000000000000":           404,
			"/hsds/taxonomy_terms/00000000-0000-4000-8000-000000000000":       404,
			"/hsds/services/42":                                                    400,
			"/hsds/services?page=0":                                                400,
			"/hsds/services?page=two":                                              400,
			"/hsds/services?per_page=100000":                                       400,
			"/hsds/services?modified_after=yesterday":                              400,
			"/hsds/services?postcode=ABC":                                          400,
			"/hsds/services?postcode=00000":                                        400,
			"/hsds/services?proximity=1000":                                        400,
			"/hsds/services?postcode=02121&proximity=-1":                           400,
			"/hsds/services?taxonomy_id=nope":                                      400,
			"/hsds/services?format=xml":                                            400,
			"/hsds/services?full=maybe":                                            400,
			"/hsds/services?page=999999999999999999":                               400,
			"/hsds/services?postcode=02121&page=999999999999999999":                400,
			"/hsds/services?postcode=02121&proximity=NaN":                          400,
			"/hsds/services?postcode=02121&proximity=Inf":                          400,
			"/hsds/organizations?taxonomy_id=00000000-0000-4000-8000-000000000000": 400,
			"/hsds/taxonomies?postcode=02121":                                      400,
			"/hsds/services?top_only=true":                                         400,
			"/hsds/nothing":                                                        404,
		} {
			status, body := a.hsdsGet("", path)
			var e hsdsErrorBody
			if status != want || json.Unmarshal(body, &e) != nil || e.Status != want || e.Message == "" {
				t.Errorf("GET %s: %d %s, want %d with a JSON error", path, status, body, want)
			}
		}
	})
}

// restrictedDirectory is the seed and its samples, plus a service with
// internal notes, served over HTTP: it holds data only staff may see.
type restrictedDirectory struct {
	a     *api
	staff string // a staff key's secret
	// secrets are what of the confidential locations only staff may see,
	// as a response shows it: their address parts and latitudes.
	secrets []string
}

// staffOnlyPhone and internalNotes are restricted data of
// newRestrictedDirectory.
const (
	staffOnlyPhone = "617-555-0142"
	internalNotes  = "ask-for-dana-1234"
)

func newRestrictedDirectory(t *testing.T, db *store.DB) restrictedDirectory {
	t.Helper()
	ctx := context.Background()
	loadSeedAndSamples(t, db)
	org := db.Client.Organization.Query().FirstX(ctx)
	db.Client.Service.Create().SetName("Noted service").SetOrganizationID(org.ID).SetInternalNotes(internalNotes).SaveX(ctx)
	d := restrictedDirectory{staff: mustKey(t, db, "call center", auth.Staff), a: newAPI(t, db, server.Config{})}
	// The confidential sample location carries only coordinates; any
	// address part it has must be hidden too.
	for _, l := range db.Client.Location.Query().AllX(ctx) {
		if l.Confidential {
			for _, v := range []string{l.Address1, l.Address2} {
				if v != "" {
					d.secrets = append(d.secrets, v)
				}
			}
			if l.Latitude != nil {
				b, _ := json.Marshal(*l.Latitude)
				d.secrets = append(d.secrets, `"latitude":`+string(b)+",")
			}
		}
	}
	if len(d.secrets) == 0 {
		t.Fatal("the seed has no confidential location with an address or coordinates")
	}
	return d
}

// checkRestricted checks all that who (a key's secret, "" for the public)
// read: the public sees none of the restricted data, staff see all of it.
func (d restrictedDirectory) checkRestricted(t *testing.T, who, text string) {
	t.Helper()
	hasPhone := strings.Contains(text, staffOnlyPhone)
	inText := func(sec string) bool { return strings.Contains(text, sec) }
	anyAddr, allAddr := slices.ContainsFunc(d.secrets, inText), !slices.ContainsFunc(d.secrets, func(sec string) bool { return !inText(sec) })
	hasNotes := strings.Contains(text, internalNotes)
	if who == "" && (hasPhone || anyAddr || hasNotes) {
		t.Errorf("the public sees restricted data: staff-only phone %v, confidential address %v, internal notes %v", hasPhone, anyAddr, hasNotes)
	}
	if who == d.staff && (!hasPhone || !allAddr || !hasNotes) {
		t.Errorf("staff miss restricted data: staff-only phone %v, every confidential address part %v, internal notes %v", hasPhone, allAddr, hasNotes)
	}
}

// TestHSDSVisibility reads the seeded directory over /hsds/ as the public
// and as staff: the public never sees a staff-only phone or a confidential
// location's address or coordinates, by any endpoint.
func TestHSDSVisibility(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		d := newRestrictedDirectory(t, db)
		a, staff := d.a, d.staff
		paths := []string{"/hsds/services?per_page=200", "/hsds/organizations?per_page=200&full_service=true",
			"/hsds/service_at_locations?per_page=200"}
		sals := map[string][]string{}
		for _, who := range []string{"", staff} {
			var all strings.Builder
			for _, p := range paths {
				body := a.hsdsGetOK(who, p)
				all.Write(body)
				if strings.HasPrefix(p, "/hsds/service_at_locations") {
					var env hsdsEnvelope
					_ = json.Unmarshal(body, &env)
					sals[who] = ids(t, env)
				}
			}
			for _, id := range sals[who] {
				_, body := a.hsdsGet(who, "/hsds/service_at_locations/"+url.PathEscape(id))
				all.Write(body)
			}
			d.checkRestricted(t, who, all.String())
		}
		// A confidential location seen by the public has no coordinates.
		_, body := a.hsdsGet("", "/hsds/service_at_locations?per_page=200")
		var env hsds.Page[hsds.ServiceAtLocation]
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, sal := range env.Contents {
			l := sal.Location
			for _, at := range l.Attributes {
				if at.TaxonomyTerm != nil && at.TaxonomyTerm.Code == "confidential" {
					seen++
					if l.Latitude != nil || l.Longitude != nil {
						t.Errorf("public sees coordinates of %s", l.Name)
					}
					for _, ad := range l.Addresses {
						if ad.Address1 != "" || ad.PostalCode != "" {
							t.Errorf("public sees the address of %s", l.Name)
						}
					}
				}
			}
		}
		if seen == 0 {
			t.Error("no confidential location listed to the public")
		}
	})
}
