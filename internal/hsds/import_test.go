package hsds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

const importSamplesDir = "testdata"

func importSample(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(importSamplesDir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("sample data missing from testdata: %v", err)
	}
	return p
}

// importSnapshot counts every imported record type and the change feed.
type importSnapshot map[string]int

func importTakeSnapshot(t *testing.T, c *ent.Client) importSnapshot {
	t.Helper()
	ctx := context.Background()
	s := importSnapshot{}
	count := func(name string, n int, err error) {
		if err != nil {
			t.Fatalf("count %s: %v", name, err)
		}
		s[name] = n
	}
	n, err := c.Organization.Query().Count(ctx)
	count("Organization", n, err)
	n, err = c.Location.Query().Count(ctx)
	count("Location", n, err)
	n, err = c.Service.Query().Count(ctx)
	count("Service", n, err)
	n, err = c.ServiceArea.Query().Count(ctx)
	count("ServiceArea", n, err)
	n, err = c.ServiceAtLocation.Query().Count(ctx)
	count("ServiceAtLocation", n, err)
	n, err = c.Contact.Query().Count(ctx)
	count("Contact", n, err)
	n, err = c.Phone.Query().Count(ctx)
	count("Phone", n, err)
	n, err = c.Schedule.Query().Count(ctx)
	count("Schedule", n, err)
	n, err = c.ChangeEvent.Query().Count(ctx)
	count("ChangeEvent", n, err)
	return s
}

func importEqualSnap(a, b importSnapshot) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func importHasMessage(ms []ImportMessage, file, field, text string) bool {
	for _, m := range ms {
		if (file == "" || m.File == file) && (field == "" || m.Field == field) && strings.Contains(m.Text, text) {
			return true
		}
	}
	return false
}

func importMust(t *testing.T, db *store.DB, path string, opts ImportOptions) *Report {
	t.Helper()
	rep, err := Import(context.Background(), db.Client, path, opts)
	if err != nil {
		if rep != nil {
			t.Log(rep)
		}
		t.Fatalf("import %s: %v", path, err)
	}
	return rep
}

// importCopyDir copies a package directory into a temp dir, so a test may break
// it.
func importCopyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func importEditFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, old) {
		t.Fatalf("%s: %q not found", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(s, old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// importCheckOfficial checks what the official 3.0 example becomes, whichever
// form it came in.
func importCheckOfficial(t *testing.T, db *store.DB, rep *Report) {
	t.Helper()
	ctx := context.Background()
	if !importHasMessage(rep.Warnings, "", "latitude", "impossible coordinates (latitude 100, longitude 101) dropped") {
		t.Errorf("no warning about latitude 100/longitude 101:\n%s", rep)
	}
	if !importHasMessage(rep.Warnings, "", "parent_organization_id", "no organizations with id cd09a387") {
		t.Errorf("no warning about the dangling parent organization:\n%s", rep)
	}
	if !importHasMessage(rep.Warnings, "", "postal_code", `"ABC 1234" is not a US ZIP code; kept as given`) {
		t.Errorf("no warning about the foreign postal code:\n%s", rep)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "read as years and converted to months") {
		t.Errorf("the report does not say ages were read as years:\n%s", rep)
	}
	loc, err := db.Client.Location.Query().Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if loc.Latitude != nil || loc.Longitude != nil {
		t.Errorf("impossible coordinates kept: %v, %v", loc.Latitude, loc.Longitude)
	}
	if loc.PostalCode != "ABC 1234" || loc.ExternalID != "3a19ff88-4620-4d17-9830-ac1d859eb5d5" || loc.ExternalSource != "hsds" {
		t.Errorf("location = %+v", loc)
	}
	svc, err := db.Client.Service.Query().Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := svc.Eligibility
	if e == nil || e.MinAgeMonths == nil || *e.MinAgeMonths != 144 || e.MaxAgeMonths == nil || *e.MaxAgeMonths != 1211 {
		t.Errorf("eligibility = %+v, want 144..1211 months", e)
	}
	if svc.Status != "ACTIVE" || svc.Name != "Community Counselling" || svc.VerifiedAt == nil {
		t.Errorf("service = %+v", svc)
	}
	area, err := db.Client.ServiceArea.Query().Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if area.Kind != "TEXT" || !strings.HasPrefix(area.Name, "The service is available to all residents of the MyCity area") {
		t.Errorf("service area = %v %q", area.Kind, area.Name)
	}
	sch, err := db.Client.Schedule.Query().Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sch.OpensAt != "10:00" || sch.ClosesAt != "18:00" || sch.Freq != "WEEKLY" || sch.Byday != "TH,FR" || sch.Timezone != "" {
		t.Errorf("schedule = %+v", sch)
	}
	// HSDS's timezone is a UTC offset, not Village's IANA zone: kept
	// verbatim for export, and said so.
	if sch.HsdsExtra == nil || sch.HsdsExtra.Fields["timezone"] != "3" {
		t.Errorf("schedule extras %+v do not keep the timezone 3", sch.HsdsExtra)
	}
	if !strings.Contains(strings.Join(rep.Notes, "\n"), "timezone, a UTC offset in HSDS") {
		t.Errorf("the report does not say the timezone was kept:\n%s", rep)
	}
	ph, err := db.Client.Phone.Query().Only(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ph.Number != "+44 1234 234567" || ph.ContactID == nil || (rep.Form == "csv" && (ph.ServiceID == nil || ph.LocationID == nil)) {
		t.Errorf("phone = %+v", ph)
	}
}

// importCheckIdempotent imports path again and checks nothing changed and no
// change event was logged.
func importCheckIdempotent(t *testing.T, db *store.DB, path string) {
	t.Helper()
	before := importTakeSnapshot(t, db.Client)
	if before["ChangeEvent"] == 0 {
		t.Errorf("the first import logged no change event")
	}
	rep := importMust(t, db, path, ImportOptions{})
	if rep.Changed() {
		t.Errorf("second import changed something:\n%s", rep)
	}
	if after := importTakeSnapshot(t, db.Client); !importEqualSnap(before, after) {
		t.Errorf("second import: before %v, after %v", before, after)
	}
}

func TestImportOfficialCSV(t *testing.T) {
	path := importSample(t, "openreferral-spec-3.0/examples/csv")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, path, ImportOptions{})
		if rep.Form != "csv" || rep.Profile != "HSDS 3.0" {
			t.Errorf("form %q profile %q", rep.Form, rep.Profile)
		}
		importCheckOfficial(t, db, rep)
		if !importHasMessage(rep.Warnings, "locations.csv", "latitude", "impossible") {
			t.Errorf("the coordinate warning does not name locations.csv")
		}
		if !importHasMessage(rep.Warnings, "contacts.csv", "service_at_location_id", "no service_at_location with id 93eaf18d") {
			t.Errorf("no warning about the contact's dangling service_at_location:\n%s", rep)
		}
		for _, m := range rep.Warnings {
			if m.File == "" || m.Row == 0 {
				t.Errorf("warning without file and row: %v", m)
			}
		}
		evs := db.Client.ChangeEvent.Query().AllX(context.Background())
		if len(evs) != 11 {
			t.Errorf("%d change events, want 11 (one per record created)", len(evs))
		}
		for _, e := range evs {
			if e.Actor != "cli" || e.Operation != "CREATE" {
				t.Errorf("change event %s %s by %q", e.Operation, e.EntityType, e.Actor)
			}
		}
		importCheckIdempotent(t, db, path)
	})
}

func TestImportOfficialJSON(t *testing.T) {
	path := importSample(t, "openreferral-spec-3.0/examples/service_full.json")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, path, ImportOptions{})
		if rep.Form != "json" {
			t.Errorf("form %q", rep.Form)
		}
		importCheckOfficial(t, db, rep)
		if !importHasMessage(rep.Warnings, "service_full.json", "latitude", "impossible") {
			t.Errorf("the coordinate warning does not name service_full.json")
		}
		for _, m := range rep.Warnings {
			if m.File == "" || m.Path == "" {
				t.Errorf("warning without file and JSON path: %v", m)
			}
		}
		importCheckIdempotent(t, db, path)
	})
}

func TestImportJSONDirectoryMergesCopies(t *testing.T) {
	path := importSample(t, "openreferral-spec-3.0/examples")
	db := testdb.Open(t, dialect.SQLite, store.Options{})
	rep := importMust(t, db, path, ImportOptions{})
	if n := rep.Types["Location"].Created; n != 1 {
		t.Errorf("the location given in several documents was created %d times", n)
	}
	if !importHasMessage(rep.Warnings, "", "external_identifier, external_identifier_type", "first copy kept") {
		t.Errorf("no warning about the copies' differing unstored fields:\n%s", rep)
	}
	importCheckIdempotent(t, db, path)
}

func TestImport31Draft(t *testing.T) {
	src := importSample(t, "openreferral-spec-3.1-dev/examples/csv")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, src, ImportOptions{})
		if rep.Profile != "HSDS 3.1 draft" {
			t.Errorf("profile %q", rep.Profile)
		}
		ignored := strings.Join(rep.Ignored, "\n")
		for _, want := range []string{"units.csv: unknown table units", "url.csv: unknown table url", "service_capacity.csv: fields not stored (Village has no field for them): description, unit_id"} {
			if !strings.Contains(ignored, want) {
				t.Errorf("report does not list %q:\n%s", want, rep)
			}
		}
		// The draft's capacity names a service absent from the example: a
		// dangling reference, dropped.
		if !importHasMessage(rep.Warnings, "service_capacity.csv", "service_id", "capacity dropped") {
			t.Errorf("no warning about the dangling capacity:\n%s", rep)
		}
		importCheckIdempotent(t, db, src)
	})
}

func TestImport31CapacityMapsToVillage(t *testing.T) {
	dir := importCopyDir(t, importSample(t, "openreferral-spec-3.1-dev/examples/csv"))
	importEditFile(t, filepath.Join(dir, "service_capacity.csv"), "f75b808e-7bdb-11ef-afaa-ab00a77dc5c4", "ac148810-d857-441c-9679-408f346de14b")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, dir, ImportOptions{})
		svc, err := db.Client.Service.Query().Only(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// The example's available (12) exceeds its maximum (10).
		if svc.CapacityMaximum == nil || *svc.CapacityMaximum != 10 || svc.CapacityAvailable != nil || svc.CapacityUpdatedAt == nil {
			t.Errorf("capacity = %v/%v at %v", svc.CapacityAvailable, svc.CapacityMaximum, svc.CapacityUpdatedAt)
		}
		if !importHasMessage(rep.Warnings, "service_capacity.csv", "available", "exceeds maximum") {
			t.Errorf("no warning about available > maximum:\n%s", rep)
		}
		importCheckIdempotent(t, db, dir)
	})
}

func TestImportUKProfile(t *testing.T) {
	path := importSample(t, "oruk-uk-profile-3.0/examples/csv")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, path, ImportOptions{})
		if rep.Profile != "HSDS 3.0 UK profile" {
			t.Errorf("profile %q", rep.Profile)
		}
		ignored := strings.Join(rep.Ignored, "\n")
		for _, want := range []string{"address.csv: not read: addresses.csv is the HSDS 3.0 table and wins", "schedule.csv: not read: schedules.csv", "taxonomy.csv: not read: taxonomies.csv"} {
			if !strings.Contains(ignored, want) {
				t.Errorf("report does not list %q:\n%s", want, rep)
			}
		}
		if c := rep.Types["Service"]; c.Created != 1 {
			t.Errorf("services: %+v", c)
		}
		importCheckIdempotent(t, db, path)
	})
}

func TestImportLegacy11(t *testing.T) {
	path := importSample(t, "openreferral-sample-1.1/examples/all_resources")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, path, ImportOptions{})
		if rep.Profile != "HSDS 1.1 (legacy mapping)" {
			t.Errorf("profile %q", rep.Profile)
		}
		want := map[string]int{"Organization": 10, "Service": 13, "Location": 10}
		for k, n := range want {
			if rep.Types[k].Created != n {
				t.Errorf("%s created %d, want %d", k, rep.Types[k].Created, n)
			}
		}
		ctx := context.Background()
		svc, err := db.Client.Service.Query().Where(service.ExternalID("c89eb05c-62dd-4b64-b494-0cc347b6ea7f")).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(svc.Languages, ",") != "en,es" {
			t.Errorf("languages %v, want en,es (1.1 names coded)", svc.Languages)
		}
		org, err := db.Client.Organization.Query().Where(organization.ExternalID("1899600a-649c-11e6-8b77-86f30ca893d3")).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if org.Website != "http://example.com" {
			t.Errorf("1.1 organizations.url → website: %q", org.Website)
		}
		if n := db.Client.Location.Query().Where(location.Address1NEQ("")).CountX(ctx); n == 0 {
			t.Errorf("no 1.1 physical address reached a location")
		}
		importCheckIdempotent(t, db, path)
	})
}

func TestImportOhanaRefused(t *testing.T) {
	path := importSample(t, "ohana-api-smc/sample-csv")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		before := importTakeSnapshot(t, db.Client)
		rep, err := Import(context.Background(), db.Client, path, ImportOptions{})
		var ie *ImportError
		if !errors.As(err, &ie) {
			t.Fatalf("err = %v, want an ImportError", err)
		}
		if !importHasMessage(rep.Errors, "services.csv", "organization_id", "Ohana API CSV layout") {
			t.Errorf("unclear refusal:\n%s", rep)
		}
		if after := importTakeSnapshot(t, db.Client); !importEqualSnap(before, after) {
			t.Errorf("refused import wrote: %v → %v", before, after)
		}
	})
}

func TestImportStructuralFaultWritesNothing(t *testing.T) {
	base := importSample(t, "openreferral-spec-3.0/examples/csv")
	cases := []struct {
		name, file, old, new string
		wantFile, wantField  string
		wantText             string
		// repaired: a warning without --strict (the value dropped or
		// read as documented), a refusal with it.
		repaired bool
	}{
		{"bad number", "services.csv", ",12,100,", ",twelve,100,", "services.csv", "minimum_age", `not a number: "twelve"`, true},
		{"bad date", "services.csv", ",2005-01-01,", ",1st January,", "services.csv", "assured_date", "not a date", true},
		{"bad status", "services.csv", ",active,", ",open,", "services.csv", "status", `unknown status "open"`, true},
		{"column count", "locations.csv", ",100,101,", ",100,101,extra,", "locations.csv", "", "13 columns, the header has 12", false},
		{"bad location type", "locations.csv", "-ac1d859eb5d5,physical,", "-ac1d859eb5d5,house,", "locations.csv", "location_type", "unknown location type", true},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		// Something already in the database, which must stay as it is.
		importMust(t, db, importSample(t, "openreferral-sample-1.1/examples/all_resources"), ImportOptions{})
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				dir := importCopyDir(t, base)
				importEditFile(t, filepath.Join(dir, c.file), c.old, c.new)
				before := importTakeSnapshot(t, db.Client)
				if c.repaired {
					rep, err := Import(context.Background(), db.Client, dir, ImportOptions{DryRun: true})
					if err != nil || !importHasMessage(rep.Warnings, c.wantFile, c.wantField, c.wantText) {
						t.Errorf("without --strict: err %v, warnings do not name %s %s %q:\n%s", err, c.wantFile, c.wantField, c.wantText, rep)
					}
				}
				rep, err := Import(context.Background(), db.Client, dir, ImportOptions{Strict: true})
				var ie *ImportError
				if !errors.As(err, &ie) {
					t.Fatalf("err = %v, want an ImportError", err)
				}
				msgs := rep.Errors
				if c.repaired {
					msgs = rep.Warnings
				}
				if !importHasMessage(msgs, c.wantFile, c.wantField, c.wantText) {
					t.Errorf("report does not name %s %s %q:\n%s", c.wantFile, c.wantField, c.wantText, rep)
				}
				for _, m := range msgs {
					if m.Row != 1 && m.Text == c.wantText {
						t.Errorf("message names no row: %v", m)
					}
				}
				if after := importTakeSnapshot(t, db.Client); !importEqualSnap(before, after) {
					t.Errorf("refused import wrote: %v → %v", before, after)
				}
			})
		}
		t.Run("duplicate column", func(t *testing.T) {
			dir := importCopyDir(t, base)
			importEditFile(t, filepath.Join(dir, "service_at_location.csv"), "location_id,description", "location_id,location_id")
			before := importTakeSnapshot(t, db.Client)
			rep, err := Import(context.Background(), db.Client, dir, ImportOptions{})
			if err == nil || !importHasMessage(rep.Errors, "service_at_location.csv", "location_id", "column appears twice") {
				t.Errorf("err %v, report:\n%s", err, rep)
			}
			if after := importTakeSnapshot(t, db.Client); !importEqualSnap(before, after) {
				t.Errorf("refused import wrote: %v → %v", before, after)
			}
		})
		t.Run("duplicate id", func(t *testing.T) {
			// Two services sharing an id but differing: a link to it
			// could mean either.
			dir := importCopyDir(t, base)
			b, _ := os.ReadFile(filepath.Join(dir, "services.csv"))
			lines := strings.SplitAfter(strings.TrimRight(string(b), "\n")+"\n", "\n")
			other := strings.Replace(lines[1], ",active,", ",inactive,", 1)
			_ = os.WriteFile(filepath.Join(dir, "services.csv"), []byte(strings.Join(lines, "")+other), 0o644)
			before := importTakeSnapshot(t, db.Client)
			rep, err := Import(context.Background(), db.Client, dir, ImportOptions{})
			if err == nil || !importHasMessage(rep.Errors, "services.csv", "id", "duplicate id ") {
				t.Errorf("err %v, report:\n%s", err, rep)
			}
			if after := importTakeSnapshot(t, db.Client); !importEqualSnap(before, after) {
				t.Errorf("refused import wrote: %v → %v", before, after)
			}
		})
	})
}

func TestImportDryRunWritesNothing(t *testing.T) {
	path := importSample(t, "openreferral-spec-3.0/examples/csv")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		before := importTakeSnapshot(t, db.Client)
		rep := importMust(t, db, path, ImportOptions{DryRun: true})
		if rep.Types["Service"].Created != 1 || !rep.DryRun || !strings.Contains(rep.String(), "dry run") {
			t.Errorf("dry-run report:\n%s", rep)
		}
		if len(rep.Warnings) == 0 {
			t.Errorf("dry run reported no warnings")
		}
		if after := importTakeSnapshot(t, db.Client); !importEqualSnap(before, after) {
			t.Errorf("dry run wrote: %v → %v", before, after)
		}
	})
}

func TestImportSourceAndChanges(t *testing.T) {
	dir := importCopyDir(t, importSample(t, "openreferral-spec-3.0/examples/csv"))
	db := testdb.Open(t, dialect.SQLite, store.Options{})
	ctx := context.Background()
	importMust(t, db, dir, ImportOptions{Source: "my211"})
	if n, _ := db.Client.Service.Query().Where().Count(ctx); n != 1 {
		t.Fatalf("services %d", n)
	}
	svc := db.Client.Service.Query().OnlyX(ctx)
	if svc.ExternalSource != "my211" {
		t.Errorf("source %q", svc.ExternalSource)
	}
	// A changed field updates the record, and only it.
	importEditFile(t, filepath.Join(dir, "services.csv"), "Community Counselling,", "Community Counselling Service,")
	rep := importMust(t, db, dir, ImportOptions{Source: "my211"})
	if c := rep.Types["Service"]; c.Updated != 1 || c.Created != 0 {
		t.Errorf("service counts %+v", c)
	}
	if c := rep.Types["Location"]; c.Unchanged != 1 {
		t.Errorf("location counts %+v", c)
	}
	if got := db.Client.Service.Query().OnlyX(ctx).Name; got != "Community Counselling Service" {
		t.Errorf("name %q", got)
	}
	// Another source is another set of records.
	rep = importMust(t, db, dir, ImportOptions{})
	if rep.Types["Service"].Created != 1 {
		t.Errorf("source hsds: %+v", rep.Types["Service"])
	}
}

func TestImportServiceAreaPlaces(t *testing.T) {
	dir := importCopyDir(t, importSample(t, "openreferral-spec-3.0/examples/csv"))
	path := filepath.Join(dir, "service_areas.csv")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	svc := "ac148810-d857-441c-9679-408f346de14b"
	rows := []string{
		lines[0],
		"a1," + svc + ",,,02121,text,",
		"a2," + svc + ",Suffolk County,,\"Suffolk County, MA\",text,",
		"a3," + svc + ",,,Massachusetts,,",
		"a4," + svc + ",Our catchment,,,text,",
	}
	if err := os.WriteFile(path, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		importMust(t, db, dir, ImportOptions{})
		want := map[string]string{"a1": "ZIP 02121 MA", "a2": "COUNTY 25025 MA", "a3": "STATE MA MA", "a4": "TEXT  "}
		for _, a := range db.Client.ServiceArea.Query().AllX(context.Background()) {
			if got := string(a.Kind) + " " + a.Code + " " + a.StateCode; got != want[a.ExternalID] {
				t.Errorf("%s: %q, want %q", a.ExternalID, got, want[a.ExternalID])
			}
		}
		importCheckIdempotent(t, db, dir)
	})
}

func TestPlaceOf(t *testing.T) {
	for _, c := range []struct{ in, et, kind, code string }{
		{"02121", "", "ZIP", "02121"},
		{"MA", "", "STATE", "MA"},
		{"Massachusetts", "text", "STATE", "MA"},
		{"Suffolk County, MA", "", "COUNTY", "25025"},
		{"25025", "fips", "COUNTY", "25025"},
		{"nationwide", "", "NATIONWIDE", ""},
		{"MyCity", "", "", ""},
		{"ABC 1234", "", "", ""},
	} {
		k, code, _ := importPlaceOf(c.in, c.et)
		if string(k) != c.kind || code != c.code {
			t.Errorf("placeOf(%q, %q) = %v %q, want %v %q", c.in, c.et, k, code, c.kind, c.code)
		}
	}
}

// TestImportEverySample imports every sample (one database each); only
// the Ohana layout is refused. Run with -v to read the reports.
func TestImportEverySample(t *testing.T) {
	for _, p := range []string{
		"openreferral-spec-3.0/examples/csv",
		"openreferral-spec-3.0/examples/service_full.json",
		"openreferral-spec-3.0/examples",
		"openreferral-spec-3.0/examples/service_list.json",
		"openreferral-spec-3.0/examples/organization_list.json",
		"openreferral-spec-3.0/examples/service_at_location_list.json",
		"openreferral-spec-3.1-dev/examples",
		"oruk-uk-profile-3.0/examples",
		"openreferral-spec-3.1-dev/examples/csv",
		"oruk-uk-profile-3.0/examples/csv",
		"openreferral-sample-1.1/examples/all_resources",
		"ohana-api-smc/sample-csv",
	} {
		t.Run(p, func(t *testing.T) {
			db := testdb.Open(t, dialect.SQLite, store.Options{})
			rep, err := Import(context.Background(), db.Client, importSample(t, p), ImportOptions{})
			if testing.Verbose() {
				t.Logf("err=%v\n%s", err, rep)
			}
			var ie *ImportError
			if refused := errors.As(err, &ie); refused != strings.HasPrefix(p, "ohana") || (err != nil && !refused) {
				t.Errorf("import: %v\n%s", err, rep)
			}
			if err != nil {
				return
			}
			// Every row read is accounted for, each dropped one with a reason.
			if len(rep.Tables) == 0 {
				t.Errorf("no accounting of the source rows:\n%s", rep)
			}
			for _, a := range rep.Tables {
				why := 0
				for _, d := range a.DroppedFor {
					why += d.Count
				}
				if a.Read != a.Imported+a.Repaired+a.Dropped || why != a.Dropped {
					t.Errorf("%s (%s): %+v does not add up", a.File, a.Table, a)
				}
			}
		})
	}
}

// locationsWithABadSecond are three mapped locations (locations.csv rows
// 1–3), the second with a URL Village refuses.
func locationsWithABadSecond() []*importRec {
	var recs []*importRec
	for i := 1; i <= 3; i++ {
		r := &importRec{kind: importLocKind, extID: fmt.Sprintf("loc-%d", i), row: &importRow{file: "locations.csv", line: int32(i)}}
		r.set("name", fmt.Sprintf("Location %d", i))
		r.set("location_type", location.LocationTypePHYSICAL)
		recs = append(recs, r)
	}
	recs[1].set("url", "not a url")
	return recs
}

// TestImportRefusalInBatchNamesTheRecord: records of a kind created in
// batches (locations here) are refused as a batch; the import then names
// the one at fault, and writes nothing.
func TestImportRefusalInBatchNamesTheRecord(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		before := importTakeSnapshot(t, db.Client)
		recs := locationsWithABadSecond()
		rep := &Report{Types: map[string]ImportCounts{}}
		err := importWriteAll(context.Background(), db.Client, "hsds", recs, rep, ImportOptions{}, nil)
		var ie *ImportError
		if !errors.As(err, &ie) || len(rep.Errors) != 1 || !importHasMessage(rep.Errors, "locations.csv", "", "Location loc-2 refused by Village") || rep.Errors[0].Row != 2 {
			t.Fatalf("err %v, errors %v", err, rep.Errors)
		}
		if after := importTakeSnapshot(t, db.Client); !importEqualSnap(before, after) {
			t.Errorf("refused batch left records: %v → %v", before, after)
		}
		if c := rep.Types["Location"]; c.Created > 2 {
			t.Errorf("counts not reset between attempts: %+v", c)
		}
	})
}

// TestImportRefusalInBatchMapsAgain: with a way to map the package again,
// what a record writes goes once it is written or batched; a refused
// batch then maps the records again and writes them one at a time to name
// the one at fault, and writes nothing.
func TestImportRefusalInBatchMapsAgain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		before := importTakeSnapshot(t, db.Client)
		first := locationsWithABadSecond()
		mapped := 0
		remap := func() ([]*importRec, error) {
			mapped++
			for _, r := range first {
				if r.body != nil {
					t.Errorf("%s still holds its fields once batched", r.extID)
				}
			}
			return locationsWithABadSecond(), nil
		}
		rep := &Report{Types: map[string]ImportCounts{}}
		err := importWriteAll(context.Background(), db.Client, "hsds", first, rep, ImportOptions{}, remap)
		var ie *ImportError
		if !errors.As(err, &ie) || len(rep.Errors) != 1 || !importHasMessage(rep.Errors, "locations.csv", "", "Location loc-2 refused by Village") || rep.Errors[0].Row != 2 {
			t.Fatalf("err %v, errors %v", err, rep.Errors)
		}
		if mapped != 1 {
			t.Errorf("mapped again %d times, want 1", mapped)
		}
		if after := importTakeSnapshot(t, db.Client); !importEqualSnap(before, after) {
			t.Errorf("refused batch left records: %v → %v", before, after)
		}
	})
}

// TestImportRefusalMidWriteRollsBack checks that a record Village refuses
// part-way through the transaction undoes the records written before it.
func TestImportRefusalMidWriteRollsBack(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		before := importTakeSnapshot(t, db.Client)
		row := &importRow{file: "organizations.csv", line: 2}
		good := &importRec{kind: importOrgKind, extID: "good", row: &importRow{file: "organizations.csv", line: 1}}
		good.set("name", "A good organization")
		bad := &importRec{kind: importOrgKind, extID: "bad", row: row}
		bad.set("website", "not a url")
		rep := &Report{Types: map[string]ImportCounts{}}
		err := importWriteAll(context.Background(), db.Client, "hsds", []*importRec{good, bad}, rep, ImportOptions{}, nil)
		var ie *ImportError
		if !errors.As(err, &ie) || !importHasMessage(rep.Errors, "organizations.csv", "", "Organization bad refused by Village") {
			t.Fatalf("err %v, errors %v", err, rep.Errors)
		}
		if rep.Errors[0].Row != 2 {
			t.Errorf("error names row %d", rep.Errors[0].Row)
		}
		if after := importTakeSnapshot(t, db.Client); !importEqualSnap(before, after) {
			t.Errorf("refused write left records: %v → %v", before, after)
		}
	})
}

// TestImportRestoresEditedFields checks a re-import sees records edited in
// Village since (its quick unchanged check must not hide them).
func TestImportRestoresEditedFields(t *testing.T) {
	path := importSample(t, "openreferral-spec-3.0/examples/csv")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importMust(t, db, path, ImportOptions{})
		db.Client.Location.Update().SetCity("Elsewhere").ClearLatitude().ClearLongitude().ExecX(ctx)
		db.Client.Service.Update().ClearEligibility().SetStatus("INACTIVE").ExecX(ctx)
		rep := importMust(t, db, path, ImportOptions{})
		if rep.Types["Location"].Updated != 1 || rep.Types["Service"].Updated != 1 || rep.Types["Phone"].Unchanged != 1 {
			t.Errorf("counts %+v", rep.Types)
		}
		if l := db.Client.Location.Query().OnlyX(ctx); l.City != "MyCity" {
			t.Errorf("city %q", l.City)
		}
		if s := db.Client.Service.Query().OnlyX(ctx); s.Eligibility == nil || s.Status != "ACTIVE" {
			t.Errorf("service not restored: %v %v", s.Eligibility, s.Status)
		}
	})
}

// TestImportJSONCopiesDisagreeingOnAServiceRefused: two documents giving one
// service with different names (a field Village stores) refuse the package.
func TestImportJSONCopiesDisagreeingOnAServiceRefused(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(importSample(t, "openreferral-spec-3.0/examples"), "service_full.json"))
	if err != nil {
		t.Fatal(err)
	}
	var svc map[string]any
	if err := json.Unmarshal(doc, &svc); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.json"), doc, 0o600); err != nil {
		t.Fatal(err)
	}
	svc["name"] = "Another name"
	other, _ := json.Marshal(svc)
	if err := os.WriteFile(filepath.Join(dir, "b.json"), other, 0o600); err != nil {
		t.Fatal(err)
	}
	db := testdb.Open(t, dialect.SQLite, store.Options{})
	rep, err := Import(context.Background(), db.Client, dir, ImportOptions{})
	var ie *ImportError
	if !errors.As(err, &ie) || !importHasMessage(rep.Errors, "b.json", "name", "with different values") {
		t.Fatalf("err %v\n%s", err, rep)
	}
}
