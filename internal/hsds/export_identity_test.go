package hsds

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

var identityUUID = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// dirtyIDsPackage is the official CSV example with every id replaced by
// one that is no UUID, as real exporters write them ("1234", "svc-9", …):
// the same id for the same record throughout, so its links still hold.
func dirtyIDsPackage(t *testing.T) string {
	t.Helper()
	dir := importCopyDir(t, importSample(t, "openreferral-spec-3.0/examples/csv"))
	names := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out := identityUUID.ReplaceAllStringFunc(string(b), func(u string) string {
			u = strings.ToLower(u)
			if n, ok := names[u]; ok {
				return n
			}
			n := fmt.Sprintf("%d", 1234+len(names))
			if len(names)%2 == 1 {
				n = fmt.Sprintf("%s-%d", strings.TrimSuffix(e.Name(), "s.csv"), 9+len(names))
			}
			names[u] = n
			return n
		})
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if len(names) < 10 {
		t.Fatalf("only %d ids replaced", len(names))
	}
	return dir
}

// identityCheckCSV checks every table of a CSV export against the spec's
// table schema and every link against the ids of the export.
func identityCheckCSV(t *testing.T, dir string) {
	t.Helper()
	tables, err := DataPackageTables()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	var links [][3]string // file, column, id
	for _, res := range tables {
		f, err := os.Open(filepath.Join(dir, res.Path))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", res.Path, err)
		}
		for _, e := range ValidateTable(res, recs[0], recs[1:]) {
			t.Error(e)
		}
		for _, row := range recs[1:] {
			for i, col := range recs[0] {
				switch {
				case i >= len(row) || row[i] == "":
				case col == "id":
					ids[row[i]] = true
				case strings.HasSuffix(col, "_id") && col != "external_id" && col != "tax_id":
					links = append(links, [3]string{res.Path, col, row[i]})
				}
			}
		}
	}
	for _, l := range links {
		if !ids[l[2]] {
			t.Errorf("%s: %s %s names no record of the export", l[0], l[1], l[2])
		}
	}
}

// identityCheckJSON checks every document of d against the spec's JSON
// schemas and every link against the ids of the documents.
func identityCheckJSON(t *testing.T, d *Directory) {
	t.Helper()
	s, err := LoadSchemas(filepath.Join(importSamplesDir, "openreferral-spec-3.0", "schema"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	var links []string
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch x := v.(type) {
		case map[string]any:
			if id, ok := x["id"].(string); ok {
				ids[id] = true
			}
			for k, c := range x {
				walk(c, k)
			}
		case []any:
			for _, c := range x {
				walk(c, key)
			}
		case string:
			if strings.HasSuffix(key, "_id") && key != "external_id" && key != "tax_id" && x != "" {
				links = append(links, key+" "+x)
			}
		}
	}
	check := func(schema string, v any) {
		if errs := s.Validate(schema, v); len(errs) > 0 {
			t.Errorf("%s: %v", schema, errs[:min(5, len(errs))])
		}
		b, _ := json.Marshal(v)
		var g any
		_ = json.Unmarshal(b, &g)
		walk(g, "")
	}
	for _, x := range d.Services {
		check("service.json", x)
	}
	for _, x := range d.Organizations {
		check("organization.json", x)
	}
	for _, x := range d.Locations {
		check("location.json", x)
	}
	for _, x := range d.Programs {
		check("program.json", x)
	}
	for _, x := range d.Taxonomies {
		check("taxonomy.json", x)
	}
	for _, x := range d.TaxonomyTerms {
		check("taxonomy_term.json", x)
	}
	for _, x := range d.Metadata {
		check("metadata.json", x)
	}
	sort.Strings(links)
	for _, l := range links {
		if !ids[strings.Fields(l)[1]] {
			t.Errorf("%s names no record of the export", l)
		}
	}
}

// The export of a package whose ids are no UUIDs passes the HSDS 3.0 JSON
// schemas and table schemas, and links only to records it holds.
func TestExportOfNonUUIDSourceIsValidHSDS(t *testing.T) {
	pkg := dirtyIDsPackage(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		importMust(t, db, pkg, ImportOptions{})
		ctx := context.Background()
		for _, s := range db.Client.Service.Query().AllX(ctx) {
			if identityUUID.MatchString(s.ExternalID) {
				t.Fatalf("service %q has the external id %s, not the source's", s.Name, s.ExternalID)
			}
		}
		d, err := LoadDirectory(ctx, db.Client)
		if err != nil {
			t.Fatal(err)
		}
		identityCheckJSON(t, d)
		dir := reimportExport(t, db, "csv")
		identityCheckCSV(t, dir)
		// And it is still this directory's export: importing it back
		// changes nothing.
		reimportCheckNoOp(t, db, dir, ImportOptions{})
	})
}

// Two directories never give one id to different records, though they
// number their records alike.
func TestExportIDsDifferAcrossDirectories(t *testing.T) {
	testdb.Each(t, func(t *testing.T, a *store.DB) {
		ctx := context.Background()
		b := testdb.Open(t, a.Dialect, store.Options{})
		for _, c := range []*ent.Client{a.Client, b.Client} {
			org := c.Organization.Create().SetName("Org").SaveX(ctx)
			c.Service.Create().SetName("Service").SetOrganizationID(org.ID).SaveX(ctx)
		}
		da, err := LoadDirectory(ctx, a.Client)
		if err != nil {
			t.Fatal(err)
		}
		db, err := LoadDirectory(ctx, b.Client)
		if err != nil {
			t.Fatal(err)
		}
		if da.Services[0].ID == db.Services[0].ID || da.Organizations[0].ID == db.Organizations[0].ID {
			t.Errorf("two directories exported the same ids: %s, %s", da.Services[0].ID, da.Organizations[0].ID)
		}
	})
}

// An export made before ids depended on the directory (LegacyDerivedID)
// is still recognised as this directory's own: importing it changes
// nothing.
func TestImportRecognisesLegacyDerivedIDs(t *testing.T) {
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				reimportSeeded(t, db)
				reimportForgetIdentities(t, db)
				// With Namespace as its directory id, DerivedID is the
				// legacy derivation: this is an export of an earlier release.
				setDirectoryID(t, db, Namespace.String())
				old := reimportExport(t, db, format)
				svc := db.Client.Service.Query().FirstX(ctx)
				if b, err := os.ReadFile(filepath.Join(old, map[string]string{"csv": "services.csv", "json": "services/" + LegacyDerivedID(KindService, svc.ID) + ".json"}[format])); err != nil ||
					!strings.Contains(string(b), LegacyDerivedID(KindService, svc.ID)) {
					t.Fatalf("the export carries no legacy id: %v", err)
				}
				if err := store.NewDirectoryID(ctx, db); err != nil {
					t.Fatal(err)
				}
				reimportCheckNoOp(t, db, old, ImportOptions{})
			})
		})
	}
}

func setDirectoryID(t *testing.T, db *store.DB, id string) {
	t.Helper()
	if _, err := db.SQL.ExecContext(context.Background(), "UPDATE village_directory SET uuid = '"+id+"'"); err != nil {
		t.Fatal(err)
	}
}

// TestExportPassesOpenReferralValidator runs Open Referral's validator
// logic (tools/hsds-validator: the Frictionless datapackage and
// tableschema libraries) on the CSV export of a package whose ids are no
// UUIDs. It needs node and the tool's node_modules (make test-validator
// installs them); without them it is skipped, unless
// VILLAGE_REQUIRE_HSDS_VALIDATOR is set (make test-validator under CI).
func TestExportPassesOpenReferralValidator(t *testing.T) {
	tool, _ := filepath.Abs(filepath.Join("..", "..", "tools", "hsds-validator"))
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(tool, "node_modules", "tableschema")); err != nil || statErr != nil {
		if os.Getenv("VILLAGE_REQUIRE_HSDS_VALIDATOR") != "" {
			t.Fatalf("the HSDS validator cannot run: node %v, %s/node_modules: %v", err, tool, statErr)
		}
		t.Skip("node or tools/hsds-validator/node_modules missing: run make test-validator")
	}
	pkg := dirtyIDsPackage(t)
	db := testdb.Open(t, testdb.Backends[0], store.Options{})
	importMust(t, db, pkg, ImportOptions{})
	dir := reimportExport(t, db, "csv")
	abs, _ := filepath.Abs(dir)
	out, err := exec.Command(node, filepath.Join(tool, "validate.js"), abs).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Errorf("the HSDS validator refused the export: %v", err)
	}
	// It does catch what the export once wrote: a time without seconds.
	sched := filepath.Join(abs, "schedules.csv")
	b, err := os.ReadFile(sched)
	if err != nil || !strings.Contains(string(b), "10:00:00") {
		t.Fatalf("schedules.csv: %v", err)
	}
	if err := os.WriteFile(sched, []byte(strings.Replace(string(b), "10:00:00", "10:00", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(node, filepath.Join(tool, "validate.js"), abs).CombinedOutput(); err == nil {
		t.Errorf("the HSDS validator accepted a time without seconds: %s", out)
	}
}

// A service area says its provenance and sample flag only where they
// differ from its service's; a round trip through either form restores
// every area's own.
func TestAreaAttributesInheritFromTheService(t *testing.T) {
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, src *store.DB) {
				ctx := context.Background()
				c := src.Client
				org := c.Organization.Create().SetName("Org").SaveX(ctx)
				svc := c.Service.Create().SetName("Visits").SetOrganizationID(org.ID).SetSample(true).SetProvenance("a flyer").SaveX(ctx)
				for _, a := range []struct {
					code, prov string
					sample     bool
				}{{"02121", "a flyer", true}, {"02122", "", false}, {"02124", "a call", true}, {"02125", "a flyer", false}} {
					c.ServiceArea.Create().SetServiceID(svc.ID).SetKind(servicearea.KindZIP).SetCode(a.code).
						SetProvenance(a.prov).SetSample(a.sample).ExecX(ctx)
				}
				d, err := LoadDirectory(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				for _, ar := range d.Services[0].ServiceAreas {
					if ar.Extent == "02121" && len(VillageAttributes(ar.Attributes)) != 0 {
						t.Errorf("the area like its service carries %v", VillageAttributes(ar.Attributes))
					}
				}
				areas := func(c *ent.Client) []string {
					var out []string
					for _, a := range c.ServiceArea.Query().AllX(ctx) {
						out = append(out, fmt.Sprintf("%s %q %v", a.Code, a.Provenance, a.Sample))
					}
					sort.Strings(out)
					return out
				}
				dst := testdb.Open(t, src.Dialect, store.Options{})
				importMust(t, dst, reimportExport(t, src, format), ImportOptions{})
				if got, want := areas(dst.Client), areas(c); !slices.Equal(got, want) {
					t.Errorf("areas after the round trip %v, want %v", got, want)
				}
			})
		})
	}
}

// An area's coverage attribute is written only where its extent does not
// say it all; every kind of area comes back from a round trip the same.
func TestAreaCoverageOnlyWhereTheExtentFallsShort(t *testing.T) {
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			testdb.Each(t, func(t *testing.T, src *store.DB) {
				ctx := context.Background()
				c := src.Client
				org := c.Organization.Create().SetName("Org").SaveX(ctx)
				svc := c.Service.Create().SetName("Visits").SetOrganizationID(org.ID).SaveX(ctx)
				lat, lon, km := 42.35, -71.06, 7.5
				area := func() *ent.ServiceAreaCreate { return c.ServiceArea.Create().SetServiceID(svc.ID) }
				area().SetKind(servicearea.KindZIP).SetCode("02121").SetName("Dorchester").ExecX(ctx)
				area().SetKind(servicearea.KindCOUNTY).SetCode("25025").ExecX(ctx)
				area().SetKind(servicearea.KindSTATE).SetCode("MA").ExecX(ctx)
				area().SetKind(servicearea.KindNATIONWIDE).ExecX(ctx)
				area().SetKind(servicearea.KindONLINE).ExecX(ctx)
				area().SetKind(servicearea.KindRADIUS).SetCenterLatitude(lat).SetCenterLongitude(lon).SetRadiusKm(km).ExecX(ctx)
				area().SetKind(servicearea.KindTEXT).SetName("The South Shore").ExecX(ctx)
				d, err := LoadDirectory(ctx, c)
				if err != nil {
					t.Fatal(err)
				}
				withCoverage := 0
				for _, ar := range d.Services[0].ServiceAreas {
					if VillageAttributes(ar.Attributes)["coverage"] != "" {
						withCoverage++
					}
				}
				if withCoverage != 1 { // the text
					t.Errorf("%d areas carry coverage, want 1", withCoverage)
				}
				areas := func(c *ent.Client) []string {
					var out []string
					for _, a := range c.ServiceArea.Query().AllX(ctx) {
						f := func(p *float64) string {
							if p == nil {
								return "-"
							}
							return fmt.Sprint(*p)
						}
						out = append(out, fmt.Sprintf("%s %q %q %s %s %s", a.Kind, a.Code, a.Name, f(a.CenterLatitude), f(a.CenterLongitude), f(a.RadiusKm)))
					}
					sort.Strings(out)
					return out
				}
				dst := testdb.Open(t, src.Dialect, store.Options{})
				importMust(t, dst, reimportExport(t, src, format), ImportOptions{})
				if got, want := areas(dst.Client), areas(c); !slices.Equal(got, want) {
					t.Errorf("areas after the round trip:\n%v\nwant\n%v", got, want)
				}
				reimportCheckNoOp(t, src, reimportExport(t, src, format), ImportOptions{})
			})
		})
	}
}
