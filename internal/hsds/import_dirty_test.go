package hsds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/hsds/internal/dirtypkg"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// importCheckAccounting checks every source row of p is accounted for in
// rep (read = imported + repaired + dropped, each dropped row with a
// reason) and returns the share imported or repaired.
func importCheckAccounting(t *testing.T, rep *Report, p *dirtypkg.Package) float64 {
	t.Helper()
	read, kept := 0, 0
	perFile := map[string]int{}
	for _, a := range rep.Tables {
		if a.Read != a.Imported+a.Repaired+a.Dropped {
			t.Errorf("%s (%s): read %d ≠ imported %d + repaired %d + dropped %d", a.File, a.Table, a.Read, a.Imported, a.Repaired, a.Dropped)
		}
		why := 0
		for _, d := range a.DroppedFor {
			if d.Kind == "" || d.Count <= 0 {
				t.Errorf("%s: dropped for %+v", a.File, d)
			}
			why += d.Count
		}
		if why != a.Dropped {
			t.Errorf("%s: %d rows dropped, %d with a reason", a.File, a.Dropped, why)
		}
		read += a.Read
		kept += a.Imported + a.Repaired
		perFile[a.File] += a.Read
	}
	for file, n := range p.Rows {
		base := strings.TrimSuffix(file, ".csv")
		_, mapped := importKnownTables[importCanonicalTable(base)]
		_, legacy := importLegacyTables[base]
		if !mapped && !legacy && base != "taxonomy" {
			continue // a table the import does not read: listed as ignored
		}
		if perFile[file] != n {
			t.Errorf("%s: %d rows written, %d accounted for", file, n, perFile[file])
		}
	}
	if read == 0 {
		t.Fatalf("no rows accounted for:\n%s", rep)
	}
	return float64(kept) / float64(read)
}

func TestImportDirtyPackage(t *testing.T) {
	for _, legacy := range []bool{false, true} {
		name := "hsds3"
		if legacy {
			name = "hsds1"
		}
		t.Run(name, func(t *testing.T) {
			p, err := dirtypkg.Write(t.TempDir(), dirtypkg.Options{Legacy: legacy, LegacyOnlyTables: legacy, UnknownLanguageNames: true})
			if err != nil {
				t.Fatal(err)
			}
			testdb.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				// --strict refuses it, writing nothing.
				before := importTakeSnapshot(t, db.Client)
				rep, err := Import(ctx, db.Client, p.Dir, ImportOptions{Strict: true})
				var ie *ImportError
				if !errors.As(err, &ie) || len(rep.Errors) == 0 || len(rep.Warnings) == 0 {
					t.Fatalf("--strict: err %v, want a refusal naming the warnings:\n%s", err, rep)
				}
				if after := importTakeSnapshot(t, db.Client); !importEqualSnap(before, after) {
					t.Errorf("--strict refusal wrote: %v → %v", before, after)
				}

				rep = importMust(t, db, p.Dir, ImportOptions{})
				share := importCheckAccounting(t, rep, p)
				if share < 0.95 {
					t.Errorf("%.1f%% of rows imported or repaired, want ≥ 95%%:\n%s", 100*share, rep)
				}
				importCheckDirtyRepairs(t, db, rep, p, legacy)

				// The report's JSON form parses, with the groups and the
				// accounting.
				var buf bytes.Buffer
				if err := rep.WriteJSON(&buf); err != nil {
					t.Fatal(err)
				}
				var parsed struct {
					Refused  bool `json:"refused"`
					Warnings []struct {
						Kind     string `json:"kind"`
						Count    int    `json:"count"`
						Examples []struct {
							File  string `json:"file"`
							Row   int    `json:"row"`
							Field string `json:"field"`
						} `json:"examples"`
					} `json:"warnings"`
					Tables []struct {
						File                              string `json:"file"`
						Read, Imported, Repaired, Dropped int
					} `json:"tables"`
					Records map[string]struct {
						Created int `json:"created"`
					} `json:"records"`
				}
				if err := json.Unmarshal(buf.Bytes(), &parsed); err != nil {
					t.Fatalf("report JSON: %v\n%s", err, buf.String())
				}
				if parsed.Refused || len(parsed.Warnings) == 0 || len(parsed.Tables) == 0 || parsed.Records["Service"].Created == 0 {
					t.Errorf("report JSON lacks what the import did:\n%s", buf.String())
				}
				for _, g := range parsed.Warnings {
					if g.Count < len(g.Examples) || len(g.Examples) == 0 || len(g.Examples) > 3 {
						t.Errorf("group %s: %d warnings, %d examples", g.Kind, g.Count, len(g.Examples))
					}
					for _, e := range g.Examples {
						if e.File == "" || e.Row == 0 {
							t.Errorf("group %s: example names no file and row: %+v", g.Kind, e)
						}
					}
				}

				// A second import changes nothing and logs nothing.
				reimportCheckNoOp(t, db, p.Dir, ImportOptions{})

				// A later package bringing the missing organizations
				// adopts the stand-ins: the same records, now named.
				standIns := db.Client.Organization.Query().Where(organization.NameHasPrefix("Unknown organization (")).CountX(ctx)
				orgs := db.Client.Organization.Query().CountX(ctx)
				later := t.TempDir()
				if err := dirtypkg.WriteOrganizations(later, p.MissingOrganizations); err != nil {
					t.Fatal(err)
				}
				rep = importMust(t, db, later, ImportOptions{})
				if c := rep.Types["Organization"]; c.Updated != len(p.MissingOrganizations) || c.Created != 0 {
					t.Errorf("the organizations came: %+v, want %d stand-ins updated, none created", c, len(p.MissingOrganizations))
				}
				if n := db.Client.Organization.Query().CountX(ctx); n != orgs {
					t.Errorf("organizations %d → %d", orgs, n)
				}
				if n := db.Client.Organization.Query().Where(organization.NameHasPrefix("Unknown organization (")).CountX(ctx); n != standIns-len(p.MissingOrganizations) {
					t.Errorf("stand-ins left: %d", n)
				}
				for _, id := range p.MissingOrganizations {
					o := db.Client.Organization.Query().Where(organization.ExternalSource(DefaultImportSource), organization.ExternalID(id)).OnlyX(ctx)
					if o.Name != dirtypkg.OrganizationName(id) {
						t.Errorf("organization %s named %q", id, o.Name)
					}
					if n := o.QueryServices().CountX(ctx); n == 0 {
						t.Errorf("organization %s has lost its services", id)
					}
				}
				// The dirty package again: its stand-ins leave the real
				// organizations as they are.
				reimportCheckNoOp(t, db, p.Dir, ImportOptions{})
			})
		})
	}
}

// importCheckDirtyRepairs checks the repairs the dirty package needs were
// made, each with its warning.
func importCheckDirtyRepairs(t *testing.T, db *store.DB, rep *Report, p *dirtypkg.Package, legacy bool) {
	t.Helper()
	ctx := context.Background()
	kinds := map[string]int{}
	for _, g := range rep.WarningGroups() {
		kinds[g.Kind] = g.Count
	}
	want := []string{WarnStatusBlank, WarnStatusSynonym, WarnStatusUnknown, WarnPhoneWithoutNumber, WarnIDMissing,
		WarnIDDuplicate, WarnDuplicateMerged, WarnURLSchemeAdded, WarnOrganizationMissing, WarnNumberUnreadable}
	if !legacy {
		want = append(want, WarnDateUnreadable, WarnTimeUnreadable, WarnTime12Hour)
	}
	for _, k := range want {
		if kinds[k] == 0 {
			t.Errorf("no %s warning:\n%s", k, rep)
		}
	}
	if kinds[WarnPhoneWithoutNumber] != p.PhonesWithoutNumber || kinds[WarnOrganizationMissing] != p.ServicesOfMissing {
		t.Errorf("warnings %v; want %d phones without number, %d services of missing organizations", kinds, p.PhonesWithoutNumber, p.ServicesOfMissing)
	}
	svcs := db.Client.Service.Query().WithOrganization().AllX(ctx)
	if len(svcs) != p.Rows["services.csv"] {
		t.Fatalf("%d services imported of %d", len(svcs), p.Rows["services.csv"])
	}
	for _, s := range svcs {
		var i int
		fmt.Sscanf(s.ExternalID, "svc-%d", &i)
		want := map[string]service.Status{"": service.StatusACTIVE, "Active": service.StatusACTIVE, "closed": service.StatusINACTIVE,
			"suspended": service.StatusTEMPORARILY_CLOSED, "temporarily_closed": service.StatusTEMPORARILY_CLOSED, "Open now?": service.StatusINACTIVE}
		if got, w := s.Status, want[dirtypkgStatus(i)]; got != w {
			t.Errorf("%s: status %q read as %s, want %s", s.ExternalID, dirtypkgStatus(i), got, w)
		}
		if !strings.HasPrefix(s.URL, "http://www.example.org/") {
			t.Errorf("%s: url %v", s.ExternalID, s.URL)
		}
		if len(s.Languages) != p.LanguagesPerService {
			t.Errorf("%s: languages %v, want %d", s.ExternalID, s.Languages, p.LanguagesPerService)
		}
		if i%10 == 9 && s.Edges.Organization.Name != importStandInName(s.Edges.Organization.ExternalID) {
			t.Errorf("%s: under %q, want a stand-in", s.ExternalID, s.Edges.Organization.Name)
		}
	}
	standIns := db.Client.Organization.Query().Where(organization.NameHasPrefix("Unknown organization (")).CountX(ctx)
	if standIns != len(p.MissingOrganizations) {
		t.Errorf("%d stand-in organizations, want one per missing id (%d)", standIns, len(p.MissingOrganizations))
	}
	if n, want := db.Client.Phone.Query().CountX(ctx), p.Rows["phones.csv"]-p.PhonesWithoutNumber; n != want {
		t.Errorf("%d phones, want %d", n, want)
	}
	if n := db.Client.Contact.Query().CountX(ctx); n != p.Rows["contacts.csv"] {
		t.Errorf("%d contacts of %d (none has an id)", n, p.Rows["contacts.csv"])
	}
}

// dirtypkgStatus is the status dirtypkg writes for service i.
func dirtypkgStatus(i int) string {
	return []string{"", "", "Active", "closed", "", "suspended", "temporarily_closed", "", "Open now?", ""}[i%10]
}

func TestImportDerivedIDsIgnoreRowOrder(t *testing.T) {
	// The same rows in another order give every row the same derived id.
	dir := t.TempDir()
	p, err := dirtypkg.Write(dir, dirtypkg.Options{Services: 6})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(path string) map[string]bool {
		pkg, err := importReadPackage(path, DefaultMaxImportFileBytes)
		if err != nil {
			t.Fatal(err)
		}
		m := newImportMapper(pkg, &Report{Types: map[string]ImportCounts{}})
		m.run()
		out := map[string]bool{}
		for _, tb := range []string{"languages", "contacts", "schedules", "addresses"} {
			for _, r := range m.rows(tb) {
				out[tb+" "+r.get("id")+" "+importRowContent(r)] = true
			}
		}
		return out
	}
	first := ids(p.Dir)
	for _, f := range []string{"languages.csv", "contacts.csv", "schedules.csv"} {
		importReverseRows(t, filepath.Join(dir, f))
	}
	second := ids(p.Dir)
	if len(first) == 0 || len(first) != len(second) {
		t.Fatalf("%d rows, then %d", len(first), len(second))
	}
	for k := range first {
		if !second[k] {
			t.Errorf("row id changed with the order: %s", k)
		}
	}
}

// importReverseRows reverses the order of a CSV file's data rows (rows
// of one line each).
func importReverseRows(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	slices.Reverse(lines[1:])
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestImportKeptURIGetsScheme(t *testing.T) {
	p, err := dirtypkg.Write(t.TempDir(), dirtypkg.Options{Services: 5})
	if err != nil {
		t.Fatal(err)
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, p.Dir, ImportOptions{})
		if !importHasMessage(rep.Warnings, "organizations.csv", "uri", `kept as "http://org0.example.org/about"`) {
			t.Errorf("no repair of the uri:\n%s", rep)
		}
		dir := reimportExport(t, db, "csv")
		b, err := os.ReadFile(filepath.Join(dir, "organizations.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "http://org0.example.org/about") {
			t.Errorf("export lost the repaired uri:\n%s", b)
		}
	})
}

func TestImportWithScheme(t *testing.T) {
	for in, want := range map[string]string{
		"www.example.org":            "http://www.example.org",
		"example.org/help?x=1":       "http://example.org/help?x=1",
		"//cdn.example.org/a.png":    "http://cdn.example.org/a.png",
		"example.org:8080/x":         "http://example.org:8080/x",
		"https://example.org":        "",
		"logo.png":                   "",
		"images/logo.png":            "",
		"mailto:someone@example.org": "",
		"call us":                    "",
		"urn:isbn:0451450523":        "",
	} {
		got, ok := importWithScheme(in)
		if got != want || ok != (want != "") {
			t.Errorf("importWithScheme(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// TestImportDirtyPackageExportRoundTrip: the export of an imported dirty
// package (repaired values, derived ids, stand-ins) imports back into the
// same directory changing nothing, in both forms.
func TestImportDirtyPackageExportRoundTrip(t *testing.T) {
	p, err := dirtypkg.Write(t.TempDir(), dirtypkg.Options{Services: 20})
	if err != nil {
		t.Fatal(err)
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		importMust(t, db, p.Dir, ImportOptions{})
		for _, format := range []string{"csv", "json"} {
			reimportCheckNoOp(t, db, reimportExport(t, db, format), ImportOptions{})
		}
	})
}

func TestImportServiceStatus(t *testing.T) {
	for in, want := range map[string]struct {
		st   service.Status
		kind string
	}{
		"":                   {service.StatusACTIVE, WarnStatusBlank},
		"active":             {service.StatusACTIVE, ""},
		" Active ":           {service.StatusACTIVE, ""},
		"INACTIVE":           {service.StatusINACTIVE, ""},
		"temporarily_closed": {service.StatusTEMPORARILY_CLOSED, ""},
		"Temporarily-Closed": {service.StatusTEMPORARILY_CLOSED, ""},
		"defunct":            {service.StatusDEFUNCT, ""},
		"closed":             {service.StatusINACTIVE, WarnStatusSynonym},
		"Suspended":          {service.StatusTEMPORARILY_CLOSED, WarnStatusSynonym},
		"open":               {service.StatusINACTIVE, WarnStatusUnknown},
		"yes":                {service.StatusINACTIVE, WarnStatusUnknown},
	} {
		st, kind := importServiceStatus(in)
		if st != want.st || kind != want.kind {
			t.Errorf("importServiceStatus(%q) = %s, %q; want %s, %q", in, st, kind, want.st, want.kind)
		}
	}
}

// TestImportChildTableWithoutIDColumn: a child table with no id column at
// all is every row without an id: each gets a derived one.
func TestImportChildTableWithoutIDColumn(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"organizations.csv": "id,name\norg-1,Organization One\n",
		"services.csv":      "id,organization_id,name,status\nsvc-1,org-1,Service One,active\n",
		"contacts.csv":      "service_id,name\nsvc-1,Ana\nsvc-1,Ben\n",
		"phones.csv":        "service_id,number\nsvc-1,555-0100\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rep := importMust(t, db, dir, ImportOptions{})
		if n := db.Client.Contact.Query().CountX(ctx); n != 2 {
			t.Errorf("%d contacts, want 2:\n%s", n, rep)
		}
		if n := db.Client.Phone.Query().CountX(ctx); n != 1 {
			t.Errorf("%d phones, want 1:\n%s", n, rep)
		}
		if !importHasMessage(rep.Warnings, "contacts.csv", "id", "no id; given the derived id") {
			t.Errorf("no warning for the derived ids:\n%s", rep)
		}
		reimportCheckNoOp(t, db, dir, ImportOptions{})
	})
}
