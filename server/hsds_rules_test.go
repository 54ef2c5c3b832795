package server_test

// Rules of the HSDS export (village export) and the HSDS read API under
// /hsds/ that an audit against issue 5 and the README found broken, each
// stated in its test's comment: the HSDS documents say what Village's
// records say, and every id they publish is one the API serves.

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/hsds"
	"github.com/village-directory/village/internal/hsds/hsdsextra"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// hsdsWriteFiles writes a small HSDS CSV package.
func hsdsWriteFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// hsdsReadAge reads an HSDS maximum_age (years) as Village's importer does
// and as the README documents it: a whole N is "up to the day before the
// N+1th birthday" (N×12+11 months), a fraction is floor(years×12) months.
func hsdsReadAge(years float64) int {
	if years == math.Trunc(years) {
		return int(years)*12 + 11
	}
	return int(math.Floor(years * 12))
}

// TestHSDSMaximumAgeReadsAsWritten — rule (README, issue 5): HSDS ages are
// years, and a maximum reads back as the months it was (a whole N is "up to
// age N", N×12+11 months; any other maximum is the age it ends at), in the
// read API and in `village export` alike: Family Connects' first month of
// life (0 months) must not read as "under one year".
func TestHSDSMaximumAgeReadsAsWritten(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := db.Client.Organization.Create().SetName("Ages Org").SetDescription("Ages.").SaveX(ctx)
		ids := map[int]string{}
		for _, months := range []int{0, 12, 13, 23, 35, 36} {
			m := months
			s := db.Client.Service.Create().SetName(fmt.Sprintf("through %d months", m)).SetOrganizationID(org.ID).
				SetEligibility(&directory.Eligibility{MaxAgeMonths: &m}).SaveX(ctx)
			ids[m] = hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindService, s.ID)
		}
		dir := t.TempDir()
		if _, err := hsds.Export(ctx, db.Client, "json", dir); err != nil {
			t.Fatal(err)
		}
		a := newAPI(t, db, server.Config{})
		for months, id := range ids {
			var api, exported struct {
				MaximumAge *float64 `json:"maximum_age"`
			}
			_ = json.Unmarshal(a.hsdsGetOK("", "/hsds/services/"+id), &api)
			b, err := os.ReadFile(filepath.Join(dir, "services", id+".json"))
			if err != nil {
				t.Fatal(err)
			}
			_ = json.Unmarshal(b, &exported)
			for where, doc := range map[string]*float64{"GET /hsds/services/{id}": api.MaximumAge, "village export": exported.MaximumAge} {
				if doc == nil {
					t.Errorf("%s: maximum %d months: no maximum_age", where, months)
				} else if read := hsdsReadAge(*doc); read != months {
					t.Errorf("%s: maximum %d months written as maximum_age %v, which reads as %d months", where, months, *doc, read)
				}
			}
		}
	})
}

// TestHSDSLastModifiedFollowsRelatedChanges — rule (the spec):
// service.last_modified is "the datetime when the service, or any related
// information about the service, has changed", and modified_after returns
// "all results modified on or after this datetime": when a service's phone
// and its location change, its last_modified (and minimal modified_date)
// moves and modified_after lists the service and its service_at_location,
// so an incremental sync picks the change up.
func TestHSDSLastModifiedFollowsRelatedChanges(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})
		sal := db.Client.ServiceAtLocation.Query().FirstX(ctx)
		sid := hsdsIDOf(t, db, hsds.KindService, sal.ServiceID)
		salID := hsdsIDOf(t, db, hsds.KindServiceAtLocation, sal.ID)
		p := db.Client.Phone.Create().SetNumber("617-555-0100").SetServiceID(sal.ServiceID).SaveX(ctx)
		var before, after struct {
			LastModified string `json:"last_modified"`
		}
		_ = json.Unmarshal(a.hsdsGetOK("", "/hsds/services/"+sid), &before)
		time.Sleep(20 * time.Millisecond)
		since := time.Now().UTC()
		time.Sleep(20 * time.Millisecond)
		db.Client.Phone.UpdateOneID(p.ID).SetNumber("617-555-0199").ExecX(ctx)
		db.Client.Location.UpdateOneID(sal.LocationID).SetDescription("Moved upstairs").ExecX(ctx)

		body := a.hsdsGetOK("", "/hsds/services/"+sid)
		_ = json.Unmarshal(body, &after)
		if !strings.Contains(string(body), "617-555-0199") || !strings.Contains(string(body), "Moved upstairs") {
			t.Fatal("the service document does not show the changes")
		}
		if after.LastModified == before.LastModified {
			t.Errorf("service %s: its phone and its location changed, last_modified still %s", sid, after.LastModified)
		}
		q := url.QueryEscape(since.Format(time.RFC3339Nano))
		var env hsdsEnvelope
		_ = json.Unmarshal(a.hsdsGetOK("", "/hsds/services?per_page=200&modified_after="+q), &env)
		if !strings.Contains(strings.Join(ids(t, env), ","), sid) {
			t.Errorf("services?modified_after=%s: the service whose phone and location changed is not listed (%d listed)", since.Format(time.RFC3339Nano), env.TotalItems)
		}
		_ = json.Unmarshal(a.hsdsGetOK("", "/hsds/service_at_locations?per_page=200&modified_after="+q), &env)
		if !strings.Contains(strings.Join(ids(t, env), ","), salID) {
			t.Errorf("service_at_locations?modified_after=%s: the service at the changed location is not listed (%d listed)", since.Format(time.RFC3339Nano), env.TotalItems)
		}
	})
}

// checkTermTaxonomies checks that every term's taxonomy_id names a
// taxonomy /hsds/taxonomies serves, and that taxonomy_terms?taxonomy_id=X
// lists exactly the terms whose taxonomy_id is X.
func checkTermTaxonomies(t *testing.T, a *api) {
	t.Helper()
	s := loadHSDSSchemas(t)
	taxIDs := map[string]bool{}
	for _, raw := range a.hsdsAll(s, "", "/hsds/taxonomies", "taxonomy.json") {
		var x struct{ ID string }
		_ = json.Unmarshal(raw, &x)
		taxIDs[x.ID] = true
	}
	byTax := map[string][]string{}
	for _, raw := range a.hsdsAll(s, "", "/hsds/taxonomy_terms", "taxonomy_term.json") {
		var x struct {
			ID         string `json:"id"`
			TaxonomyID string `json:"taxonomy_id"`
		}
		_ = json.Unmarshal(raw, &x)
		byTax[x.TaxonomyID] = append(byTax[x.TaxonomyID], x.ID)
		if status, _ := a.hsdsGet("", "/hsds/taxonomies/"+x.TaxonomyID); x.TaxonomyID != "" && (!taxIDs[x.TaxonomyID] || status != 200) {
			t.Errorf("term %s: taxonomy_id %s is not served (listed %v, GET /hsds/taxonomies/%s: %d)", x.ID, x.TaxonomyID, taxIDs[x.TaxonomyID], x.TaxonomyID, status)
		}
	}
	for id := range taxIDs {
		got := ids(t, a.hsdsPage(s, "", "/hsds/taxonomy_terms?per_page=200&taxonomy_id="+id, "taxonomy_term.json"))
		if strings.Join(got, ",") != strings.Join(byTax[id], ",") {
			t.Errorf("taxonomy_terms?taxonomy_id=%s lists %v; the terms whose taxonomy_id it is: %v", id, got, byTax[id])
		}
	}
}

// TestHSDSTermTaxonomyIDIsServed — rule: a term's taxonomy_id is its
// taxonomy's id, one /hsds/taxonomies serves (list and {id}), and
// taxonomy_terms?taxonomy_id=X lists exactly the terms whose taxonomy_id
// is X: for the official 3.0 CSV example (whose term names a taxonomy
// absent from the package: it belongs to the taxonomy its vocabulary gets)
// and for a term added to an imported taxonomy (which takes that
// taxonomy's own id).
func TestHSDSTermTaxonomyIDIsServed(t *testing.T) {
	t.Run("official example", func(t *testing.T) {
		testdb.Each(t, func(t *testing.T, db *store.DB) {
			if _, err := hsds.Import(context.Background(), db.Client, hsdsSchemaDir+"/../examples/csv", hsds.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			checkTermTaxonomies(t, newAPI(t, db, server.Config{}))
		})
	})
	t.Run("term added to an imported taxonomy", func(t *testing.T) {
		const taxID, termID = "5c4d79d7-cc55-470e-9f1f-8cad074e4892", "3f7b145d-84af-42d7-8fae-eaca714b02b2"
		dir := hsdsWriteFiles(t, map[string]string{
			"organizations.csv":  "id,name,description\nd9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610,Food Org,Feeds families\n",
			"taxonomies.csv":     "id,name,description,uri,version\n" + taxID + ",Open Eligibility,Needs vocabulary,http://example.com/oe,2\n",
			"taxonomy_terms.csv": "id,code,name,description,parent_id,taxonomy,language,taxonomy_id,term_uri\n" + termID + ",food,Food,Food needs,,,eng," + taxID + ",\n",
		})
		testdb.Each(t, func(t *testing.T, db *store.DB) {
			ctx := context.Background()
			if _, err := hsds.Import(ctx, db.Client, dir, hsds.ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			food := db.Client.TaxonomyTerm.Query().OnlyX(ctx)
			db.Client.TaxonomyTerm.Create().SetVocabulary(food.Vocabulary).SetCode("housing").SetName("Housing").SetDescription("Housing needs").ExecX(ctx)
			checkTermTaxonomies(t, newAPI(t, db, server.Config{}))
		})
	})
}

// TestHSDSVillageVocabularyFilters — rule (the spec's parameters):
// taxonomy_term_id "Search for services with particular taxonomy_term",
// taxonomy_id "Search for services which contain any term with this
// taxonomy", for every term and taxonomy the API publishes: the Village
// term "sample" lists the services that carry it, the village taxonomy
// every service with a Village attribute (here all of them).
func TestHSDSVillageVocabularyFilters(t *testing.T) {
	s := loadHSDSSchemas(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})
		all := a.hsdsAll(s, "", "/hsds/services", "service.json")
		sample := hsds.VillageTerm("sample").ID
		carry := 0
		for _, raw := range all {
			// A service carries a term as one of its own attributes.
			var x hsds.Service
			_ = json.Unmarshal(raw, &x)
			if slices.ContainsFunc(x.Attributes, func(at hsds.Attribute) bool { return at.TaxonomyTermID == sample }) {
				carry++
			}
		}
		if carry == 0 {
			t.Fatal("no service carries the sample attribute")
		}
		if env := a.hsdsPage(s, "", "/hsds/services?per_page=200&taxonomy_term_id="+sample, "service.json"); env.TotalItems != carry {
			t.Errorf("services?taxonomy_term_id=%s (the Village term sample): %d services, %d carry the term", sample, env.TotalItems, carry)
		}
		village := hsds.TaxonomyID(hsds.VillageTaxonomy)
		if env := a.hsdsPage(s, "", "/hsds/services?per_page=200&taxonomy_id="+village, "service.json"); env.TotalItems != len(all) {
			t.Errorf("services?taxonomy_id=%s (the village taxonomy): %d services of %d, all of which carry its terms", village, env.TotalItems, len(all))
		}
	})
}

// TestHSDSExportReplacesEarlierExport — rule (README): `village export DIR`
// writes the directory as HSDS: exporting again into the same DIR (a
// nightly export) replaces the earlier export, so no document of a
// service deleted since is left for an import to bring back.
func TestHSDSExportReplacesEarlierExport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		loadSeed(t, db)
		org := db.Client.Organization.Query().FirstX(ctx)
		s := db.Client.Service.Create().SetName("Short-lived").SetOrganizationID(org.ID).SaveX(ctx)
		dir := t.TempDir()
		if _, err := hsds.Export(ctx, db.Client, "json", dir); err != nil {
			t.Fatal(err)
		}
		db.Client.Service.DeleteOneID(s.ID).ExecX(ctx)
		c, err := hsds.Export(ctx, db.Client, "json", dir)
		if err != nil {
			t.Fatal(err)
		}
		files, _ := os.ReadDir(filepath.Join(dir, "services"))
		if len(files) != c.Services {
			t.Errorf("the export reports %d services; services/ holds %d documents", c.Services, len(files))
		}
		if _, err := os.Stat(filepath.Join(dir, "services", hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindService, s.ID)+".json")); err == nil {
			t.Errorf("the deleted service %s is still exported", hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindService, s.ID))
		}
	})
}

// TestHSDSKeptTextKeepsSchemaFormats — rule (issue 5, README): "Responses
// validate against the spec's JSON schemas". Text kept verbatim for
// columns Village does not model that breaks the spec's format (an
// organization's uri "see website", a taxonomy's uri "n/a", a term's
// term_uri "food") is dropped at import with a warning naming it, and text
// an earlier import kept is left out of the documents.
func TestHSDSKeptTextKeepsSchemaFormats(t *testing.T) {
	s := loadHSDSSchemas(t)
	const taxID, termID, orgID = "5c4d79d7-cc55-470e-9f1f-8cad074e4892", "3f7b145d-84af-42d7-8fae-eaca714b02b2", "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
	dir := hsdsWriteFiles(t, map[string]string{
		"organizations.csv":  "id,name,description,uri\n" + orgID + ",Food Org,Feeds families,see website\n",
		"taxonomies.csv":     "id,name,description,uri,version\n" + taxID + ",Open Eligibility,Needs vocabulary,n/a,2\n",
		"taxonomy_terms.csv": "id,code,name,description,parent_id,taxonomy,language,taxonomy_id,term_uri\n" + termID + ",food,Food,Food needs,,,eng," + taxID + ",food\n",
	})
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rep, err := hsds.Import(ctx, db.Client, dir, hsds.ImportOptions{})
		if err != nil {
			t.Fatalf("the import refuses the package: %v\n%s", err, rep)
		}
		for file, field := range map[string]string{"organizations.csv": "uri", "taxonomies.csv": "uri", "taxonomy_terms.csv": "term_uri"} {
			if !slices.ContainsFunc(rep.Warnings, func(w hsds.ImportMessage) bool {
				return w.File == file && w.Field == field && strings.Contains(w.Text, "format uri")
			}) {
				t.Errorf("no warning names %s %s, dropped for its format: %v", file, field, rep.Warnings)
			}
		}
		// Text an earlier import kept is left out too.
		org := db.Client.Organization.Query().OnlyX(ctx)
		db.Client.Organization.UpdateOne(org).SetHsdsExtra(&hsdsextra.Extra{Fields: hsdsextra.Row{"uri": "see website", "logo": "a logo"}}).ExecX(ctx)
		a := newAPI(t, db, server.Config{})
		for path, schema := range map[string]string{"/hsds/organizations/" + orgID: "organization.json",
			"/hsds/taxonomies/" + taxID: "taxonomy.json", "/hsds/taxonomy_terms/" + termID: "taxonomy_term.json"} {
			body := a.hsdsGetOK("", path)
			if errs := s.Validate(schema, body); len(errs) > 0 {
				t.Errorf("GET %s does not validate against %s: %v", path, schema, errs)
			}
			if strings.Contains(string(body), "see website") {
				t.Errorf("GET %s serves the kept text that is no uri", path)
			}
		}
		if body := a.hsdsGetOK("", "/hsds/organizations/"+orgID); !strings.Contains(string(body), `"logo":"a logo"`) {
			t.Errorf("the organization's valid kept text is lost: %s", body)
		}
		exported := t.TempDir()
		if _, err := hsds.Export(ctx, db.Client, "json", exported); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(exported, "organizations", orgID+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if errs := s.Validate("organization.json", b); len(errs) > 0 {
			t.Errorf("the exported organization does not validate: %v", errs)
		}
	})
}

// TestHSDSLastModifiedCoversTheDocument changes, one at a time, every kind
// of row a service's document shows, and checks that each moves the
// service's last_modified (and minimal modified_date) and lists it under
// modified_after, and lists under modified_after the service_at_locations
// whose documents show the row: all of the service's for a row of the
// service, only its own for a row of a service_at_location or its
// location. Another service, changed by none of it, is never listed.
func TestHSDSLastModifiedCoversTheDocument(t *testing.T) {
	t.Parallel() // long, on databases of its own: see TestMain
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		org := c.Organization.Create().SetName("Org").SetDescription("Org.").SaveX(ctx)
		prog := c.Program.Create().SetName("Program").SetOrganizationID(org.ID).SaveX(ctx)
		term := c.TaxonomyTerm.Create().SetCode("diapers").SetName("Diapers").SaveX(ctx)
		svc := c.Service.Create().SetName("Service").SetOrganizationID(org.ID).SetProgramID(prog.ID).AddNeedIDs(term.ID).SaveX(ctx)
		loc := c.Location.Create().SetName("Here").SetOrganizationID(org.ID).SaveX(ctx)
		loc2 := c.Location.Create().SetName("There").SetOrganizationID(org.ID).SaveX(ctx)
		sal := c.ServiceAtLocation.Create().SetServiceID(svc.ID).SetLocationID(loc.ID).SaveX(ctx)
		sibling := c.ServiceAtLocation.Create().SetServiceID(svc.ID).SetLocationID(loc2.ID).SaveX(ctx)
		otherOrg := c.Organization.Create().SetName("Other").SetDescription("Other.").SaveX(ctx)
		other := c.Service.Create().SetName("Other service").SetOrganizationID(otherOrg.ID).SaveX(ctx)
		otherLoc := c.Location.Create().SetName("Elsewhere").SaveX(ctx)
		otherSAL := c.ServiceAtLocation.Create().SetServiceID(other.ID).SetLocationID(otherLoc.ID).SaveX(ctx)

		svcContact := c.Contact.Create().SetName("Svc contact").SetServiceID(svc.ID).SaveX(ctx)
		orgContact := c.Contact.Create().SetName("Org contact").SetOrganizationID(org.ID).SaveX(ctx)
		salContact := c.Contact.Create().SetName("SAL contact").SetServiceAtLocationID(sal.ID).SaveX(ctx)
		phone := func(set func(*ent.PhoneCreate)) *ent.Phone {
			p := c.Phone.Create().SetNumber("617-555-0100")
			set(p)
			return p.SaveX(ctx)
		}
		svcPhone := phone(func(p *ent.PhoneCreate) { p.SetServiceID(svc.ID) })
		svcContactPhone := phone(func(p *ent.PhoneCreate) { p.SetContactID(svcContact.ID) })
		orgPhone := phone(func(p *ent.PhoneCreate) { p.SetOrganizationID(org.ID) })
		orgContactPhone := phone(func(p *ent.PhoneCreate) { p.SetContactID(orgContact.ID) })
		salPhone := phone(func(p *ent.PhoneCreate) { p.SetServiceAtLocationID(sal.ID) })
		salContactPhone := phone(func(p *ent.PhoneCreate) { p.SetContactID(salContact.ID) })
		locPhone := phone(func(p *ent.PhoneCreate) { p.SetLocationID(loc.ID) })
		svcSchedule := c.Schedule.Create().SetServiceID(svc.ID).SetDescription("Mondays").SaveX(ctx)
		salSchedule := c.Schedule.Create().SetServiceAtLocationID(sal.ID).SetDescription("Tuesdays").SaveX(ctx)
		locSchedule := c.Schedule.Create().SetLocationID(loc.ID).SetDescription("Weekdays").SaveX(ctx)
		area := c.ServiceArea.Create().SetServiceID(svc.ID).SetKind(servicearea.KindSTATE).SetCode("MA").SaveX(ctx)
		svcFunding := c.Funding.Create().SetServiceID(svc.ID).SetSource("A grant").SaveX(ctx)
		orgFunding := c.Funding.Create().SetOrganizationID(org.ID).SetSource("A gift").SaveX(ctx)

		a := newAPI(t, db, server.Config{})
		svcID, otherID := hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindService, svc.ID), hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindService, other.ID)
		salID, siblingID := hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindServiceAtLocation, sal.ID), hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindServiceAtLocation, sibling.ID)
		otherSALID := hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindServiceAtLocation, otherSAL.ID)
		lastModified := func() string {
			var doc struct {
				LastModified string `json:"last_modified"`
			}
			_ = json.Unmarshal(a.hsdsGetOK("", "/hsds/services/"+svcID), &doc)
			return doc.LastModified
		}
		listed := func(path string, since time.Time) []string {
			var env hsdsEnvelope
			_ = json.Unmarshal(a.hsdsGetOK("", path+"?per_page=200&modified_after="+url.QueryEscape(since.Format(time.RFC3339Nano))), &env)
			return ids(t, env)
		}
		both := []string{salID, siblingID}
		for _, ch := range []struct {
			what string
			do   func()
			sals []string // the service_at_locations whose documents show the row
		}{
			{"the service's phone", func() { c.Phone.UpdateOneID(svcPhone.ID).SetNumber("617-555-0101").ExecX(ctx) }, both},
			{"the service's contact", func() { c.Contact.UpdateOneID(svcContact.ID).SetTitle("Lead").ExecX(ctx) }, both},
			{"the service's contact's phone", func() { c.Phone.UpdateOneID(svcContactPhone.ID).SetNumber("617-555-0102").ExecX(ctx) }, both},
			{"the service's schedule", func() { c.Schedule.UpdateOneID(svcSchedule.ID).SetDescription("Mondays, 9-5").ExecX(ctx) }, both},
			{"the service's area", func() { c.ServiceArea.UpdateOneID(area.ID).SetName("Massachusetts").ExecX(ctx) }, both},
			{"the service's funding", func() { c.Funding.UpdateOneID(svcFunding.ID).SetSource("A bigger grant").ExecX(ctx) }, both},
			{"the service's need", func() { c.TaxonomyTerm.UpdateOneID(term.ID).SetDescription("Diapers and wipes").ExecX(ctx) }, both},
			{"the service's program", func() { c.Program.UpdateOneID(prog.ID).SetDescription("A program.").ExecX(ctx) }, both},
			{"the service's organization", func() { c.Organization.UpdateOneID(org.ID).SetDescription("Org, renamed.").ExecX(ctx) }, both},
			{"the organization's phone", func() { c.Phone.UpdateOneID(orgPhone.ID).SetNumber("617-555-0103").ExecX(ctx) }, both},
			{"the organization's contact", func() { c.Contact.UpdateOneID(orgContact.ID).SetTitle("Director").ExecX(ctx) }, both},
			{"the organization's contact's phone", func() { c.Phone.UpdateOneID(orgContactPhone.ID).SetNumber("617-555-0104").ExecX(ctx) }, both},
			{"the organization's funding", func() { c.Funding.UpdateOneID(orgFunding.ID).SetSource("A bigger gift").ExecX(ctx) }, both},
			{"the service_at_location", func() { c.ServiceAtLocation.UpdateOneID(sal.ID).SetDescription("Upstairs").ExecX(ctx) }, []string{salID}},
			{"the service_at_location's phone", func() { c.Phone.UpdateOneID(salPhone.ID).SetNumber("617-555-0105").ExecX(ctx) }, []string{salID}},
			{"the service_at_location's schedule", func() { c.Schedule.UpdateOneID(salSchedule.ID).SetDescription("Tuesdays, 9-5").ExecX(ctx) }, []string{salID}},
			{"the service_at_location's contact", func() { c.Contact.UpdateOneID(salContact.ID).SetTitle("Host").ExecX(ctx) }, []string{salID}},
			{"the service_at_location's contact's phone", func() { c.Phone.UpdateOneID(salContactPhone.ID).SetNumber("617-555-0106").ExecX(ctx) }, []string{salID}},
			{"the location", func() { c.Location.UpdateOneID(loc.ID).SetDescription("Moved upstairs").ExecX(ctx) }, []string{salID}},
			{"the location's phone", func() { c.Phone.UpdateOneID(locPhone.ID).SetNumber("617-555-0107").ExecX(ctx) }, []string{salID}},
			{"the location's schedule", func() { c.Schedule.UpdateOneID(locSchedule.ID).SetDescription("Weekdays, 8-6").ExecX(ctx) }, []string{salID}},
			{"the other service_at_location's location", func() { c.Location.UpdateOneID(loc2.ID).SetDescription("Closed Fridays").ExecX(ctx) }, []string{siblingID}},
		} {
			before := lastModified()
			time.Sleep(5 * time.Millisecond)
			since := time.Now()
			time.Sleep(5 * time.Millisecond)
			ch.do()
			after := lastModified()
			if at, err := time.Parse(time.RFC3339Nano, after); err != nil || at.Before(since) {
				t.Errorf("%s changed after %s: last_modified %s (was %s)", ch.what, since.UTC().Format(time.RFC3339Nano), after, before)
			}
			var minimal hsdsEnvelope
			_ = json.Unmarshal(a.hsdsGetOK("", "/hsds/services?minimal=true&per_page=200"), &minimal)
			for _, raw := range minimal.Contents {
				var m struct{ ID, ModifiedDate string }
				_ = json.Unmarshal(raw, &struct {
					ID           *string `json:"id"`
					ModifiedDate *string `json:"modified_date"`
				}{&m.ID, &m.ModifiedDate})
				if m.ID == svcID && m.ModifiedDate != after {
					t.Errorf("%s changed: minimal modified_date %s, last_modified %s", ch.what, m.ModifiedDate, after)
				}
			}
			if got := listed("/hsds/services", since); !slices.Equal(got, []string{svcID}) {
				t.Errorf("%s changed: services?modified_after lists %v, want only %s (not %s)", ch.what, got, svcID, otherID)
			}
			want := slices.Clone(ch.sals)
			slices.Sort(want)
			got := listed("/hsds/service_at_locations", since)
			slices.Sort(got)
			if !slices.Equal(got, want) || slices.Contains(got, otherSALID) {
				t.Errorf("%s changed: service_at_locations?modified_after lists %v, want %v", ch.what, got, want)
			}
		}
	})
}

// TestHSDSLastModifiedAsTheViewerSees checks that a change the viewer may
// not see (a staff-only phone's) moves last_modified and modified_after
// only for who sees the phone (staff, an editor of its organization): the
// public's dates say nothing about hidden rows.
func TestHSDSLastModifiedAsTheViewerSees(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		org := c.Organization.Create().SetName("Org").SetDescription("Org.").SaveX(ctx)
		svc := c.Service.Create().SetName("Service").SetOrganizationID(org.ID).SaveX(ctx)
		hidden := c.Phone.Create().SetNumber("617-555-0100").SetStaffOnly(true).SetServiceID(svc.ID).SaveX(ctx)
		staff := mustKey(t, db, "call center", auth.Staff)
		editor := mustKey(t, db, "org editor", auth.Editor, org.ID)
		a := newAPI(t, db, server.Config{})
		id := hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindService, svc.ID)
		read := func(who string) string {
			var doc struct {
				LastModified string `json:"last_modified"`
			}
			_ = json.Unmarshal(a.hsdsGetOK(who, "/hsds/services/"+id), &doc)
			return doc.LastModified
		}
		public := read("")
		time.Sleep(5 * time.Millisecond)
		since := time.Now()
		time.Sleep(5 * time.Millisecond)
		c.Phone.UpdateOneID(hidden.ID).SetNumber("617-555-0199").ExecX(ctx)
		if got := read(""); got != public {
			t.Errorf("a staff-only phone changed: the public's last_modified moved from %s to %s", public, got)
		}
		for _, who := range []string{staff, editor} {
			if got := read(who); got <= public {
				t.Errorf("a staff-only phone changed: last_modified %s did not move (was %s) for who sees the phone", got, public)
			}
		}
		path := "/hsds/services?modified_after=" + url.QueryEscape(since.Format(time.RFC3339Nano))
		for who, want := range map[string]int{"": 0, staff: 1, editor: 1} {
			var env hsdsEnvelope
			_ = json.Unmarshal(a.hsdsGetOK(who, path), &env)
			if env.TotalItems != want {
				t.Errorf("viewer %q: a staff-only phone changed: modified_after lists %d services, want %d", who, env.TotalItems, want)
			}
		}
	})
}

// TestHSDSLastModifiedStatements checks that a page's last_modified dates
// cost a fixed number of statements, whatever the page's size: no query
// per service.
func TestHSDSLastModifiedStatements(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			db, counter := openCountingDB(t, backend)
			ctx := context.Background()
			org := db.Client.Organization.Create().SetName("Org").SetDescription("Org.").SaveX(ctx)
			for i := range 8 {
				s := db.Client.Service.Create().SetName(fmt.Sprintf("Service %d", i)).SetOrganizationID(org.ID).SaveX(ctx)
				db.Client.Phone.Create().SetNumber("617-555-0100").SetServiceID(s.ID).ExecX(ctx)
			}
			a := newAPI(t, db, server.Config{})
			since := url.QueryEscape(time.Now().Add(-time.Hour).Format(time.RFC3339Nano))
			for _, shape := range []string{"", "&minimal=true", "&full=true", "&modified_after=" + since} {
				counts := map[int]int{}
				for _, n := range []int{1, 4, 8} {
					path := fmt.Sprintf("/hsds/services?per_page=%d%s", n, shape)
					a.hsdsGetOK("", path) // the id tables are built once
					counter.Reset()
					a.hsdsGetOK("", path)
					counts[n] = counter.Count()
				}
				if counts[1] != counts[4] || counts[4] != counts[8] {
					t.Errorf("services?per_page=N%s: statements by N: %v", shape, counts)
				}
			}
		})
	}
}

// TestHSDSVillageTermFiltersEveryAttribute filters services and
// service_at_locations by each Village term and by the Village taxonomy:
// each lists exactly the services whose documents carry the term as their
// own attribute, judged as the viewer reads them (internal notes carry
// nothing for the public), and a term of another record kind (a program's
// approach) lists none.
func TestHSDSVillageTermFiltersEveryAttribute(t *testing.T) {
	t.Parallel() // long, on databases of its own: see TestMain
	s := loadHSDSSchemas(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		org := c.Organization.Create().SetName("Org").SetDescription("Org.").SaveX(ctx)
		now := time.Now()
		months, free, n := 36, true, 4
		bare := c.Service.Create().SetName("Bare").SetOrganizationID(org.ID).SaveX(ctx)
		full := c.Service.Create().SetName("Full").SetOrganizationID(org.ID).SetSample(true).SetProvenance("a flyer").
			SetExternalSource("crm").SetExternalID("S-1").SetEligibility(&directory.Eligibility{MaxAgeMonths: &months}).
			SetFree(free).SetCapacityAvailable(n).SetCapacityMaximum(n).SetCapacityUpdatedAt(now).
			SetDeliveryModes([]directory.DeliveryMode{directory.InHome}).SetVerifiedAt(now).
			SetVerifiedBy("a volunteer").SetInternalNotes("call first").SaveX(ctx)
		hsdsOwn := c.Service.Create().SetName("Imported").SetOrganizationID(org.ID).
			SetExternalSource("hsds").SetExternalID("8d2f1c3e-4b5a-4c6d-9e7f-0a1b2c3d4e5f").SaveX(ctx)
		loc := c.Location.Create().SetName("Here").SaveX(ctx)
		fullSAL := c.ServiceAtLocation.Create().SetServiceID(full.ID).SetLocationID(loc.ID).SaveX(ctx)
		c.ServiceAtLocation.Create().SetServiceID(bare.ID).SetLocationID(loc.ID).ExecX(ctx)
		staff := mustKey(t, db, "call center", auth.Staff)
		a := newAPI(t, db, server.Config{})
		fullID := hsds.RecordID(testdb.DirectoryID(t, db), hsds.KindService, full.ID, "crm", "S-1")
		list := func(who, path, schema string) []string {
			return ids(t, a.hsdsPage(s, who, path, schema))
		}
		for _, code := range hsds.VillageTerms {
			term := hsds.VillageTerm(code).ID
			for _, who := range []string{"", staff} {
				// What the documents say, as who reads them.
				var want []string
				for _, raw := range a.hsdsAll(s, who, "/hsds/services", "service.json") {
					var x hsds.Service
					_ = json.Unmarshal(raw, &x)
					if slices.ContainsFunc(x.Attributes, func(at hsds.Attribute) bool { return at.TaxonomyTermID == term }) {
						want = append(want, x.ID)
					}
				}
				switch {
				case code == "internal_notes" && who == "":
					if len(want) != 0 {
						t.Fatalf("the public reads internal notes: %v", want)
					}
				case slices.Contains([]string{"sample", "provenance", "external_id", "eligibility", "free", "capacity_available",
					"capacity_maximum", "capacity_updated_at", "delivery_modes", "verified_at", "verified_by", "internal_notes"}, code):
					if !slices.Equal(want, []string{fullID}) {
						t.Fatalf("%s: the documents carrying it: %v, want the full service only", code, want)
					}
				default:
					if len(want) != 0 {
						t.Fatalf("%s (no service's attribute): carried by %v", code, want)
					}
				}
				if got := list(who, "/hsds/services?per_page=200&taxonomy_term_id="+term, "service.json"); !slices.Equal(got, want) {
					t.Errorf("viewer %q: services?taxonomy_term_id=<%s> lists %v, want %v", who, code, got, want)
				}
				wantSAL := []string{}
				if len(want) > 0 {
					wantSAL = []string{hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindServiceAtLocation, fullSAL.ID)}
				}
				if got := list(who, "/hsds/service_at_locations?per_page=200&taxonomy_term_id="+term, "service_at_location.json"); !slices.Equal(got, wantSAL) {
					t.Errorf("viewer %q: service_at_locations?taxonomy_term_id=<%s> lists %v, want %v", who, code, got, wantSAL)
				}
			}
		}
		// The Village taxonomy: every service with a Village attribute of
		// its own (the imported one's external id is its HSDS id: none).
		village := hsds.TaxonomyID(hsds.VillageTaxonomy)
		if got := list("", "/hsds/services?per_page=200&taxonomy_id="+village, "service.json"); !slices.Equal(got, []string{fullID}) {
			t.Errorf("services?taxonomy_id=<village> lists %v, want %s only (not %s, %s)", got, fullID,
				hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindService, bare.ID), hsds.RecordID(testdb.DirectoryID(t, db), hsds.KindService, hsdsOwn.ID, "hsds", hsdsOwn.ExternalID))
		}
		if got := list("", "/hsds/service_at_locations?per_page=200&taxonomy_id="+village, "service_at_location.json"); len(got) != 1 {
			t.Errorf("service_at_locations?taxonomy_id=<village> lists %v, want the full service's only", got)
		}
		// Streams judge the same way.
		if got := a.hsdsStream("", "/hsds/services?format=ndjson&taxonomy_term_id="+hsds.VillageTerm("sample").ID); len(got) != 1 {
			t.Errorf("services?format=ndjson&taxonomy_term_id=<sample> streams %d services, want 1", len(got))
		}
	})
}

// hsdsIDOf is the HSDS id of the record of kind with ID id, as the API
// resolves it (seeded records have an external identity of their own).
func hsdsIDOf(t testing.TB, db *store.DB, kind string, id int) string {
	t.Helper()
	got, ok, err := hsds.NewResolver(db.Client).HSDSID(context.Background(), kind, id)
	if err != nil || !ok {
		t.Fatalf("no HSDS id for %s %d: %v", kind, id, err)
	}
	return got
}
