package hsds

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

const (
	officialLocationID = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
	officialServiceID  = "ac148810-d857-441c-9679-408f346de14b"
)

func appendLine(t *testing.T, path, line string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Fatal(err)
	}
}

// TestExtrasOfConfidentialLocationWithheld: what an imported confidential
// location kept verbatim (a second address, directions, accessibility
// details, metadata with an old address) may say where it is, so the
// public's HSDS export and API answers carry none of it; staff see it all.
func TestExtrasOfConfidentialLocationWithheld(t *testing.T) {
	dir := importCopyDir(t, importSample(t, "openreferral-spec-3.0/examples/csv"))
	appendLine(t, filepath.Join(dir, "attributes.csv"),
		"0e4b7a3c-52a4-4c56-9d7a-1d2f3b4c5d6e,"+officialLocationID+","+exportTermID("confidential")+",location,location,true")
	appendLine(t, filepath.Join(dir, "addresses.csv"),
		"5f1d3c2b-1a2b-4c3d-8e9f-0a1b2c3d4e5f,"+officialLocationID+",,2 Hidden Lane,,MyCity,,MyState,ABC 9999,US,physical")
	appendLine(t, filepath.Join(dir, "metadata.csv"),
		"7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d,"+officialLocationID+",location,2020-01-01,update,address_1,9 Secret Road,1-30 Main Street,Ann Persona")
	secrets := []string{"2 Hidden Lane", "9 Secret Road", "A. Persona", "number 1 Bus", "induction loops", "10092008082"}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		importMust(t, db, dir, ImportOptions{})
		public := auth.WithViewer(context.Background(), auth.Viewer{Role: auth.Anonymous})
		staff := auth.WithViewer(context.Background(), auth.Viewer{Role: auth.Staff})
		for _, c := range []struct {
			name string
			ctx  context.Context
			sees bool
		}{{"public", public, false}, {"staff", staff, true}} {
			d, err := LoadDirectory(c.ctx, db.Client)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(d)
			sal, err := ServiceAtLocations(c.ctx, db.Client, db.Client.ServiceAtLocation.Query())
			if err != nil {
				t.Fatal(err)
			}
			sb, _ := json.Marshal(sal)
			var files strings.Builder
			for _, format := range []string{"csv", "json"} {
				out := t.TempDir()
				if _, err := Export(c.ctx, db.Client, format, out); err != nil {
					t.Fatal(err)
				}
				_ = filepath.WalkDir(out, func(p string, e os.DirEntry, err error) error {
					// datapackage.json is the spec's descriptor, whose
					// examples are the official example's values.
					if err == nil && !e.IsDir() && e.Name() != "datapackage.json" {
						b, _ := os.ReadFile(p)
						files.Write(b)
					}
					return nil
				})
			}
			for _, s := range secrets {
				for what, text := range map[string]string{"directory": string(b), "service_at_locations": string(sb), "export files": files.String()} {
					if got := strings.Contains(text, s); got != c.sees {
						t.Errorf("%s: %s contains %q: %v, want %v", c.name, what, s, got, c.sees)
					}
				}
			}
		}
	})
}

// TestExtrasNotInGraphQL: the kept HSDS extras are not part of the GraphQL
// schema (they are served only as HSDS, where the read rules above apply).
func TestExtrasNotInGraphQL(t *testing.T) {
	b, err := os.ReadFile("../../graph/ent.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "hsdsExtra") || strings.Contains(string(b), "hsds_extra") {
		t.Error("graph/ent.graphqls exposes hsds_extra")
	}
}

// TestImportProgramsFundingTermsNeeds: the official example's program,
// funding and taxonomy term become Village records, and an attribute
// linking the service to the term becomes a need that exports back as the
// same attribute.
func TestImportProgramsFundingTermsNeeds(t *testing.T) {
	dir := importCopyDir(t, importSample(t, "openreferral-spec-3.0/examples/csv"))
	importEditFile(t, filepath.Join(dir, "attributes.csv"), "f28dd44b-0c4d-479f-8e90-4c52219a8b3c", officialServiceID)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rep := importMust(t, db, dir, ImportOptions{})
		svc := db.Client.Service.Query().WithProgram().WithNeeds().WithFundings().OnlyX(ctx)
		if p := svc.Edges.Program; p == nil || p.Name != "Community Mental Health Support" || p.AlternateName != "MyCity Mental Health Group" ||
			p.ExternalID != "e7ec2e57-4540-43fa-b2c7-6be5a0ef7f42" || p.OrganizationID == nil {
			t.Errorf("program = %+v", p)
		}
		if len(svc.Edges.Needs) != 1 || svc.Edges.Needs[0].Code != "code" || svc.Edges.Needs[0].Vocabulary != "taxonomy" {
			t.Errorf("needs = %+v", svc.Edges.Needs)
		}
		if len(svc.Edges.Fundings) != 1 || !strings.HasPrefix(svc.Edges.Fundings[0].Source, "This service is funded partially") ||
			svc.Edges.Fundings[0].OrganizationID == nil {
			t.Errorf("fundings = %+v", svc.Edges.Fundings)
		}
		term := db.Client.TaxonomyTerm.Query().OnlyX(ctx)
		if term.HsdsExtra == nil || term.HsdsExtra.Fields["term_uri"] != "http://example.com" || term.HsdsExtra.Fields["language"] != "eng" {
			t.Errorf("term extras = %+v", term.HsdsExtra)
		}
		if strings.Contains(strings.Join(rep.Ignored, "\n"), "attributes row(s) not imported") {
			t.Errorf("the need attribute is reported as not imported:\n%s", rep)
		}
		list, err := Services(ctx, db.Client, db.Client.Service.Query())
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range list[0].Attributes {
			if a.ID == "ae58cc39-8b70-4ab1-8aea-786882e5ac8e" {
				found = true
				if a.Value != "value" || a.LinkType != "link_type" || a.LinkEntity != "link_entity" || a.TaxonomyTermID != "3f7b145d-84af-42d7-8fae-eaca714b02b2" || a.LinkID != officialServiceID {
					t.Errorf("need attribute exported as %+v", a)
				}
			}
		}
		if !found {
			t.Errorf("the need attribute's id is not exported: %+v", list[0].Attributes)
		}
		importCheckIdempotent(t, db, dir)
	})
}

// TestImportRadiusExtent: a circle as Village exports it (extent
// "LAT,LON,KM", extent_type radius_km) is RADIUS coverage without Village's
// coverage attribute.
func TestImportRadiusExtent(t *testing.T) {
	dir := importCopyDir(t, importSample(t, "openreferral-spec-3.0/examples/csv"))
	importEditFile(t, filepath.Join(dir, "service_areas.csv"), ",extent,geojson,", `,"42.35,-71.06,25",radius_km,`)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		importMust(t, db, dir, ImportOptions{})
		a := db.Client.ServiceArea.Query().OnlyX(context.Background())
		if a.Kind != servicearea.KindRADIUS || a.CenterLatitude == nil || *a.CenterLatitude != 42.35 ||
			a.CenterLongitude == nil || *a.CenterLongitude != -71.06 || a.RadiusKm == nil || *a.RadiusKm != 25 {
			t.Errorf("area = %v %v %v %v", a.Kind, a.CenterLatitude, a.CenterLongitude, a.RadiusKm)
		}
		importCheckIdempotent(t, db, dir)
	})
}

// TestChangeHistoryAsMetadata: the export carries Village's change feed as
// HSDS metadata for trusted callers and staff only, and an import of that
// export does not keep the exporting directory's history.
func TestChangeHistoryAsMetadata(t *testing.T) {
	path := importSample(t, "openreferral-spec-3.0/examples/csv")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importMust(t, db, path, ImportOptions{})
		db.Client.Service.Update().SetWaitTime("two weeks").ExecX(ctx)
		d, err := LoadDirectory(ctx, db.Client)
		if err != nil {
			t.Fatal(err)
		}
		updates := 0
		for _, md := range d.Metadata {
			if md.FieldName != MetadataVersionField || md.UpdatedBy != "cli" || md.ResourceType == "" {
				t.Errorf("metadata %+v", md)
			}
			if md.ResourceID == officialServiceID && md.LastActionType == "update" {
				updates++
				if md.PreviousValue != "1" || md.ReplacementValue != "2" {
					t.Errorf("service update: %+v", md)
				}
			}
		}
		if len(d.Metadata) != 12 || updates != 1 {
			t.Errorf("%d metadata entries (%d service updates), want 12 (11 creations, 1 update)", len(d.Metadata), updates)
		}
		pub, err := LoadDirectory(auth.WithViewer(ctx, auth.Viewer{Role: auth.Anonymous}), db.Client)
		if err != nil {
			t.Fatal(err)
		}
		if len(pub.Metadata) != 0 {
			t.Errorf("the public gets the change history: %d entries", len(pub.Metadata))
		}
		dir := t.TempDir()
		if _, err := Export(ctx, db.Client, "csv", dir); err != nil {
			t.Fatal(err)
		}
		other := testdb.Open(t, db.Dialect, store.Options{})
		importMust(t, other, dir, ImportOptions{})
		for _, s := range other.Client.Service.Query().AllX(ctx) {
			if s.HsdsExtra != nil && len(s.HsdsExtra.Rows["metadata"]) > 0 {
				t.Errorf("the exporting directory's history was kept: %+v", s.HsdsExtra.Rows["metadata"])
			}
		}
	})
}

// TestExtrasFollowTheirTable: HSDS ids need only be unique within a table,
// so rows kept verbatim go with the record of the table their link names.
// Here an organization, a service and a confidential location all have id
// "1": the location's second address, accessibility and metadata stay with
// the location (withheld from the public, exported back in their tables),
// and an attribute linking the organization to a term is no need of the
// service.
func TestExtrasFollowTheirTable(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"organizations.csv":  "id,name,description\n1,Org One,An organization\n",
		"services.csv":       "id,organization_id,name,status\n1,1,Service One,active\n",
		"locations.csv":      "id,organization_id,name,location_type\n1,1,Shelter,physical\n",
		"addresses.csv":      "id,location_id,address_1,city,state_province,postal_code,country,address_type\na1,1,1 Main St,Boston,MA,02121,US,physical\na2,1,12 Secret Street,Boston,MA,02121,US,postal\n",
		"accessibility.csv":  "id,location_id,description,details,url\nx1,1,Ramp at the back door,Back door,\n",
		"metadata.csv":       "id,resource_id,resource_type,last_action_date,last_action_type,field_name,previous_value,replacement_value,updated_by\nm1,1,location,2020-01-01,update,address_1,99 Old Hideout Road,1 Main St,Ann\n",
		"taxonomy_terms.csv": "id,code,name,description,taxonomy\nt1,food,Food,Food needs,Open Eligibility\n",
		"attributes.csv":     "id,link_id,taxonomy_term_id,link_type,link_entity,value\nat1,1,t1,organization,organization,\nat2,1," + exportTermID("confidential") + ",location,location,true\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	secrets := []string{"12 Secret Street", "99 Old Hideout Road", "Ramp at the back door"}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		importMust(t, db, dir, ImportOptions{})
		ctx := context.Background()
		svc := db.Client.Service.Query().OnlyX(ctx)
		if n := svc.QueryNeeds().CountX(ctx); n != 0 {
			t.Errorf("the organization's attribute became %d need(s) of the service with the same id", n)
		}
		org := db.Client.Organization.Query().OnlyX(ctx)
		ob, _ := json.Marshal(org.HsdsExtra)
		for _, s := range secrets {
			if strings.Contains(string(ob), s) {
				t.Errorf("the organization keeps the location's %q: %s", s, ob)
			}
		}
		// Its id, no UUID, is kept as the id the export gives it.
		if !strings.Contains(string(ob), ExternalRecordID("attributes", DefaultImportSource, "at1")) {
			t.Errorf("the organization's attribute is not kept with it: %s", ob)
		}
		loc := db.Client.Location.Query().OnlyX(ctx)
		if !loc.Confidential {
			t.Error("the location's Village attribute was not applied to it")
		}
		lb, _ := json.Marshal(loc.HsdsExtra)
		for _, s := range secrets {
			if !strings.Contains(string(lb), s) {
				t.Errorf("the location does not keep %q: %s", s, lb)
			}
		}

		public := auth.WithViewer(ctx, auth.Viewer{Role: auth.Anonymous})
		for _, c := range []struct {
			name string
			ctx  context.Context
			sees bool
		}{{"public", public, false}, {"trusted", ctx, true}} {
			out := t.TempDir()
			if _, err := Export(c.ctx, db.Client, "csv", out); err != nil {
				t.Fatal(err)
			}
			for file, s := range map[string]string{"addresses.csv": "12 Secret Street", "accessibility.csv": "Ramp at the back door", "metadata.csv": "99 Old Hideout Road"} {
				b, _ := os.ReadFile(filepath.Join(out, file))
				if got := strings.Contains(string(b), s); got != c.sees {
					t.Errorf("%s export: %s contains %q: %v, want %v", c.name, file, s, got, c.sees)
				}
			}
		}
	})
}
