package hsds_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/hsds"
	"github.com/village-directory/village/internal/seed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

const specDir = "testdata/openreferral-spec-3.0"

func schemas(t *testing.T) *hsds.Schemas {
	t.Helper()
	s, err := hsds.LoadSchemas(filepath.Join(specDir, "schema"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestValidatorAcceptsSpecExamples checks the validator against the spec's
// own examples, and that it catches what it should.
func TestValidatorAcceptsSpecExamples(t *testing.T) {
	s := schemas(t)
	for file, schema := range map[string]string{
		"service_full.json": "service.json", "organization_full.json": "organization.json",
		"service_at_location_full.json": "service_at_location.json", "location.json": "location.json",
	} {
		b, err := os.ReadFile(filepath.Join(specDir, "examples", file))
		if err != nil {
			t.Fatal(err)
		}
		if errs := s.Validate(schema, b); len(errs) > 0 {
			t.Errorf("%s: %v", file, errs)
		}
	}
	bad := []byte(`{"id":"x","name":3,"phones":[{"id":"1554f2e2-a373-45db-a3fa-9fc48a61c15e"}],"status":"open"}`)
	errs := s.Validate("service.json", bad)
	want := []string{`$: missing required "status"`, "$.id", "$.name: want string", `$.phones[0]: missing required "number"`, "$.status"}
	joined := strings.Join(errs, "\n")
	for _, w := range want[1:] {
		if !strings.Contains(joined, w) {
			t.Errorf("validator missed %q in %v", w, errs)
		}
	}
}

func seeded(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := seed.Load(ctx, db.Client); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.LoadSamples(ctx, db.Client); err != nil {
		t.Fatal(err)
	}
}

func attrCodes(list []hsds.Attribute) map[string]string {
	out := map[string]string{}
	for _, a := range list {
		if a.TaxonomyTerm != nil && a.TaxonomyTerm.Taxonomy == hsds.VillageTaxonomy {
			out[a.TaxonomyTerm.Code] = a.Value
		}
	}
	return out
}

func TestExportSeeded(t *testing.T) {
	s := schemas(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		seeded(t, db)
		ctx := context.Background() // trusted, as the CLI
		d, err := hsds.LoadDirectory(ctx, db.Client)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Services) == 0 || len(d.Organizations) == 0 || len(d.TaxonomyTerms) == 0 {
			t.Fatalf("empty export: %d services, %d organizations, %d terms", len(d.Services), len(d.Organizations), len(d.TaxonomyTerms))
		}
		ids := map[string]bool{}
		seen := map[string]bool{}
		for _, svc := range d.Services {
			if errs := s.Validate("service.json", svc); len(errs) > 0 {
				t.Fatalf("service %s: %v", svc.Name, errs[:min(5, len(errs))])
			}
			if ids[svc.ID] {
				t.Errorf("duplicate service id %s", svc.ID)
			}
			ids[svc.ID] = true
			for code := range attrCodes(svc.Attributes) {
				seen[code] = true
			}
			if svc.Program != nil {
				for code := range attrCodes(svc.Program.Attributes) {
					seen[code] = true
				}
			}
			for _, ar := range svc.ServiceAreas {
				for code := range attrCodes(ar.Attributes) {
					seen[code] = true
				}
			}
			for _, sal := range svc.ServiceAtLocations {
				if sal.Location != nil {
					for code := range attrCodes(sal.Location.Attributes) {
						seen[code] = true
					}
				}
			}
		}
		for _, o := range d.Organizations {
			if errs := s.Validate("organization.json", o); len(errs) > 0 {
				t.Fatalf("organization %s: %v", o.Name, errs[:min(5, len(errs))])
			}
		}
		for _, tt := range d.TaxonomyTerms {
			if errs := s.Validate("taxonomy_term.json", tt); len(errs) > 0 {
				t.Fatalf("term %s: %v", tt.Code, errs)
			}
		}
		for _, tx := range d.Taxonomies {
			if errs := s.Validate("taxonomy.json", tx); len(errs) > 0 {
				t.Fatalf("taxonomy %s: %v", tx.Name, errs)
			}
		}
		// coverage: only where an area's extent does not say it all (see
		// TestAreaCoverageOnlyWhereTheExtentFallsShort).
		for _, code := range []string{"sample", "eligibility", "evidence", "approach", "confidential"} {
			if !seen[code] {
				t.Errorf("no Village attribute %q in the seeded export", code)
			}
		}

		// Stable ids: a second load gives the same documents.
		d2, err := hsds.LoadDirectory(ctx, db.Client)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(d)
		b, _ := json.Marshal(d2)
		if string(a) != string(b) {
			t.Error("two exports of the same database differ")
		}

		jsonDir := filepath.Join(t.TempDir(), "json")
		c, err := hsds.Export(ctx, db.Client, "json", jsonDir)
		if err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(jsonDir, "services", "*.json"))
		if len(files) != len(d.Services) || c.Services != len(d.Services) {
			t.Errorf("json: %d service files, %d counted, want %d", len(files), c.Services, len(d.Services))
		}
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if errs := s.Validate("service.json", raw); len(errs) > 0 {
				t.Fatalf("%s: %v", f, errs[:min(5, len(errs))])
			}
		}

		csvDir := filepath.Join(t.TempDir(), "csv")
		if _, err := hsds.Export(ctx, db.Client, "csv", csvDir); err != nil {
			t.Fatal(err)
		}
		checkCSV(t, csvDir, len(d.Services))
	})
}

// checkCSV checks the package against the spec's descriptor: every table
// present with its columns in order, rows of the right width, references
// resolving.
func checkCSV(t *testing.T, dir string, services int) {
	t.Helper()
	tables, err := hsds.DataPackageTables()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "datapackage.json")); err != nil {
		t.Fatal(err)
	}
	ids := map[string]map[string]bool{}
	rows := map[string][]map[string]string{}
	for _, tb := range tables {
		f, err := os.Open(filepath.Join(dir, tb.Path))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", tb.Path, err)
		}
		if len(recs[0]) != len(tb.Schema.Fields) {
			t.Fatalf("%s: %d columns, want %d", tb.Path, len(recs[0]), len(tb.Schema.Fields))
		}
		for i, fd := range tb.Schema.Fields {
			if recs[0][i] != fd.Name {
				t.Errorf("%s: column %d is %q, want %q", tb.Path, i, recs[0][i], fd.Name)
			}
		}
		ids[tb.Name] = map[string]bool{}
		for _, r := range recs[1:] {
			m := map[string]string{}
			for i, v := range r {
				m[recs[0][i]] = v
			}
			if ids[tb.Name][m["id"]] {
				t.Errorf("%s: duplicate id %s", tb.Path, m["id"])
			}
			ids[tb.Name][m["id"]] = true
			rows[tb.Name] = append(rows[tb.Name], m)
		}
	}
	if len(rows["service"]) != services {
		t.Errorf("services.csv has %d rows, want %d", len(rows["service"]), services)
	}
	refs := map[string]string{"organization_id": "organization", "service_id": "service", "location_id": "location",
		"taxonomy_term_id": "taxonomy_term", "taxonomy_id": "taxonomy", "program_id": "program", "contact_id": "contact",
		"service_at_location_id": "service_at_location", "phone_id": "phone"}
	for table, list := range rows {
		for _, r := range list {
			for col, target := range refs {
				if v := r[col]; v != "" && !ids[target][v] {
					t.Errorf("%s %s: %s %s refers to no %s", table, r["id"], col, v, target)
				}
			}
		}
	}
	village := 0
	for _, a := range rows["attribute"] {
		if a["value"] != "" {
			village++
		}
	}
	if village == 0 {
		t.Error("attributes.csv carries no Village attribute values")
	}
}

// TestExportPublicHidesConfidential exports as the public: a confidential
// location's address and coordinates and staff-only phones must be absent.
func TestExportPublicHidesConfidential(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		seeded(t, db)
		public := auth.WithViewer(context.Background(), auth.Viewer{Role: auth.Anonymous})
		staff := auth.WithViewer(context.Background(), auth.Viewer{Role: auth.Staff})
		pub, err := hsds.LoadDirectory(public, db.Client)
		if err != nil {
			t.Fatal(err)
		}
		st, err := hsds.LoadDirectory(staff, db.Client)
		if err != nil {
			t.Fatal(err)
		}
		pubJSON, _ := json.Marshal(pub)
		stJSON, _ := json.Marshal(st)
		if !strings.Contains(string(stJSON), "617-555-0142") {
			t.Fatal("staff export lacks the staff-only phone")
		}
		if strings.Contains(string(pubJSON), "617-555-0142") {
			t.Error("public export shows a staff-only phone")
		}
		confidential := 0
		for _, svc := range pub.Services {
			for _, p := range svc.Phones {
				if attrCodes(p.Attributes)["staff_only"] != "" {
					t.Errorf("public sees staff-only phone %s", p.Number)
				}
			}
			for _, sal := range svc.ServiceAtLocations {
				l := sal.Location
				if l == nil || attrCodes(l.Attributes)["confidential"] != "true" {
					continue
				}
				confidential++
				if l.Latitude != nil || l.Longitude != nil {
					t.Errorf("public sees coordinates of confidential location %s", l.Name)
				}
				for _, a := range l.Addresses {
					if a.Address1 != "" || a.Address2 != "" || a.PostalCode != "" {
						t.Errorf("public sees the address of confidential location %s: %+v", l.Name, a)
					}
				}
			}
		}
		if confidential == 0 {
			t.Error("no confidential location in the public export")
		}
	})
}

// TestImportedIDsKept: a record imported from HSDS keeps its id, and every
// reference to it (from records mapped before or without it) uses that id.
func TestImportedIDsKept(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		const orgID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
		const parentID = "cd09a387-91f4-4555-94ec-e799c35344cd"
		parent := c.Organization.Create().SetName("Parent").SetExternalSource("hsds").SetExternalID(parentID).SaveX(ctx)
		org := c.Organization.Create().SetName("Imported").SetExternalSource("hsds").SetExternalID(orgID).SetParentID(parent.ID).SaveX(ctx)
		other := c.Organization.Create().SetName("Runner").SaveX(ctx)
		loc := c.Location.Create().SetName("Hall").SetOrganizationID(org.ID).SaveX(ctx)
		svc := c.Service.Create().SetName("Run by another").SetOrganizationID(other.ID).SaveX(ctx)
		c.ServiceAtLocation.Create().SetServiceID(svc.ID).SetLocationID(loc.ID).SaveX(ctx)
		list, err := hsds.Services(ctx, c, c.Service.Query())
		if err != nil {
			t.Fatal(err)
		}
		l := list[0].ServiceAtLocations[0].Location
		if l.OrganizationID != orgID {
			t.Errorf("location's organization_id %s, want the imported id %s", l.OrganizationID, orgID)
		}
		if list[0].OrganizationID != hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindOrganization, other.ID) {
			t.Errorf("service's organization_id %s is not derived", list[0].OrganizationID)
		}
		orgs, err := hsds.Organizations(ctx, c, c.Organization.Query().Where())
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, o := range orgs {
			if o.ID == orgID {
				found = true
				if o.ParentOrganizationID != parentID {
					t.Errorf("parent_organization_id %s, want %s", o.ParentOrganizationID, parentID)
				}
			}
		}
		if !found {
			t.Error("imported organization lost its id")
		}
		if id, ok, err := hsds.ResolveID(ctx, c, hsds.KindOrganization, orgID); err != nil || !ok || id != org.ID {
			t.Errorf("ResolveID: %d %v %v", id, ok, err)
		}
		if id, ok, err := hsds.ResolveID(ctx, c, hsds.KindService, hsds.DerivedID(testdb.DirectoryID(t, db), hsds.KindService, svc.ID)); err != nil || !ok || id != svc.ID {
			t.Errorf("ResolveID derived: %d %v %v", id, ok, err)
		}
	})
}
