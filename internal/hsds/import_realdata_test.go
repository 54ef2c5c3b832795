package hsds

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// Faults met in real HSDS exports (issue 14's trial of public packages:
// Open211 Miami's 1.1 data package, Open Referral's sample packages), each
// reproduced in a small package.

// writePackage writes files (name → content) into a new folder.
func writePackage(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// importAccount is the account of file in rep, failing the test when
// there is none.
func importAccount(t *testing.T, rep *Report, file string) TableAccount {
	t.Helper()
	for _, a := range rep.Tables {
		if a.File == file {
			return a
		}
	}
	t.Fatalf("no account of %s:\n%s", file, rep)
	return TableAccount{}
}

// TestImportLegacyRowsLinkingNothingAccounted: Open211 Miami's
// eligibility.csv has rows with neither id nor service_id; the 1.x rows
// that become no 3.0 row are dropped with their reason, not left out of
// the accounting.
func TestImportLegacyRowsLinkingNothingAccounted(t *testing.T) {
	dir := writePackage(t, map[string]string{
		"organizations.csv": "id,name\n1,Org One\n",
		"services.csv":      "id,organization_id,name,status\n10,1,Service One,active\n",
		"eligibility.csv":   "id,service_id,eligibility\n,,Crime victims\n,10,Children 0-5\n,99,Adults\n",
		"taxonomy.csv":      "id,name,parent_id,parent_name,vocabulary\nT1,Food,,,AIRS\n",
		"services_taxonomy.csv": "id,service_id,taxonomy_id,taxonomy_detail\n" +
			"1,10,T1,\n2,,T1,\n",
	})
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, dir, ImportOptions{})
		for file, want := range map[string][3]int{
			"eligibility.csv":       {3, 1, 2}, // read, kept, dropped
			"services_taxonomy.csv": {2, 1, 1},
		} {
			a := importAccount(t, rep, file)
			if a.Read != want[0] || a.Imported+a.Repaired != want[1] || a.Dropped != want[2] || len(a.DroppedFor) == 0 {
				t.Errorf("%s: %+v, want read %d, kept %d, dropped %d with a reason", file, a, want[0], want[1], want[2])
			}
		}
		if !importHasMessage(rep.Warnings, "eligibility.csv", "service_id", "names no service") {
			t.Errorf("no warning for the eligibility naming no service:\n%s", rep)
		}
		reimportCheckNoOp(t, db, dir, ImportOptions{})
	})
}

// TestImportTwelveHourTimes: Open211 Miami writes every opening time as
// "9:00am"; such times are read, with a warning, not dropped.
func TestImportTwelveHourTimes(t *testing.T) {
	for in, want := range map[string]string{
		"9:00am": "09:00", "5:00pm": "17:00", "12:00pm": "12:00", "12:15 AM": "00:15",
		"9 am": "09:00", "9:00a": "09:00", "5:30p": "17:30", "5:30 p.m.": "17:30", "11:59:00 PM": "23:59", "13:00pm": "", "9:75am": "", "noon": "",
	} {
		got, ok := importClock12(in)
		if got != want || ok != (want != "") {
			t.Errorf("importClock12(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	dir := writePackage(t, map[string]string{
		"organizations.csv": "id,name\n1,Org One\n",
		"services.csv":      "id,organization_id,name,status\n10,1,Service One,active\n",
		"regular_schedules.csv": "id,service_id,location_id,service_at_location_id,weekday,opens_at,closes_at,original_text\n" +
			",10,,,Monday,9:00am,5:00pm,\"9:00am-5:00pm, Mon-Fri\"\n",
	})
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, dir, ImportOptions{})
		s := db.Client.Schedule.Query().OnlyX(context.Background())
		if s.OpensAt != "09:00" || s.ClosesAt != "17:00" {
			t.Errorf("schedule %s-%s, want 09:00-17:00:\n%s", s.OpensAt, s.ClosesAt, rep)
		}
		if !importHasMessage(rep.Warnings, "regular_schedules.csv", "opens_at", "12-hour time") {
			t.Errorf("no warning for the 12-hour time:\n%s", rep)
		}
		reimportCheckNoOp(t, db, dir, ImportOptions{})
	})
}

// TestImportDataPackageResourcesInSubfolder: Open211 Miami's package has
// datapackage.json at the top naming "organizations.csv"…, while the
// tables are in data/ (and it names tables the package does not have).
func TestImportDataPackageResourcesInSubfolder(t *testing.T) {
	dir := writePackage(t, map[string]string{
		"datapackage.json": `{"name":"open211","resources":[{"name":"organization","path":"organizations.csv"},` +
			`{"name":"service","path":"services.csv"},{"name":"program","path":"programs.csv"}]}`,
		"data/organizations.csv": "id,name\n1,Org One\n",
		"data/services.csv":      "id,organization_id,name,status\n10,1,Service One,active\n",
	})
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, dir, ImportOptions{})
		if n := db.Client.Service.Query().CountX(context.Background()); n != 1 {
			t.Errorf("%d services, want 1:\n%s", n, rep)
		}
		if importAccount(t, rep, "data/services.csv").Read != 1 {
			t.Errorf("services not read from data/:\n%s", rep)
		}
		if !slices.ContainsFunc(rep.Notes, func(n string) bool { return strings.Contains(n, "in data/") }) {
			t.Errorf("no note that the tables were found in data/:\n%s", rep)
		}
		if !slices.ContainsFunc(rep.Ignored, func(n string) bool { return strings.Contains(n, `"data/programs.csv" is not in the package`) }) {
			t.Errorf("the missing programs table is not reported:\n%s", rep)
		}
	})
	// hsds-transformer's output names its resources by the path it wrote
	// them to ("tmp/datapackage/data/services.csv"): found by file name.
	dir = writePackage(t, map[string]string{
		"datapackage.json":       `{"resources":[{"path":"tmp/datapackage/data/organizations.csv"},{"path":"tmp/datapackage/data/services.csv"}]}`,
		"data/organizations.csv": "id,name\n1,Org One\n",
		"data/services.csv":      "id,organization_id,name,status\n10,1,Service One,active\n",
	})
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, dir, ImportOptions{})
		if n := db.Client.Service.Query().CountX(context.Background()); n != 1 || importAccount(t, rep, "data/services.csv").Read != 1 {
			t.Errorf("%d services, want 1 read from data/:\n%s", n, rep)
		}
	})
}

// TestImportDataPackagePhysicalAndPostalAddresses: HSDS 1.1's sample
// data package lists physical_addresses.csv and postal_addresses.csv;
// both are read, not the second dropped as "table addresses too".
func TestImportDataPackagePhysicalAndPostalAddresses(t *testing.T) {
	dir := writePackage(t, map[string]string{
		"datapackage.json": `{"resources":[{"path":"organizations.csv"},{"path":"services.csv"},{"path":"locations.csv"},` +
			`{"path":"physical_addresses.csv"},{"path":"postal_addresses.csv"}]}`,
		"organizations.csv":      "id,name\n1,Org One\n",
		"services.csv":           "id,organization_id,name,status\n10,1,Service One,active\n",
		"locations.csv":          "id,organization_id,name\n20,1,Main office\n21,1,Mail room\n",
		"physical_addresses.csv": "id,location_id,address_1,city,state_province,postal_code,country\n30,20,1 Main St,Miami,FL,33125,US\n",
		"postal_addresses.csv":   "id,location_id,address_1,city,state_province,postal_code,country\n31,21,PO Box 5,Miami,FL,33126,US\n",
	})
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, dir, ImportOptions{})
		for _, f := range []string{"physical_addresses.csv", "postal_addresses.csv"} {
			if a := importAccount(t, rep, f); a.Read != 1 || a.Dropped != 0 {
				t.Errorf("%s: %+v", f, a)
			}
		}
		if len(rep.Ignored) > 0 {
			t.Errorf("ignored: %v", rep.Ignored)
		}
		reimportCheckNoOp(t, db, dir, ImportOptions{})
	})
}

// TestImportDroppedForTheDroppingWarning: Illinois Legal Aid Online's
// phones (through hsds-transformer) have no ids, and some no number; a
// row given a derived id and then dropped is dropped for the drop, not
// for the id.
func TestImportDroppedForTheDroppingWarning(t *testing.T) {
	dir := writePackage(t, map[string]string{
		"organizations.csv": "id,name\n1,Org One\n",
		"services.csv":      "id,organization_id,name,status\n10,1,Service One,active\n",
		"phones.csv":        "id,service_id,number\n,10,555-0100\n,10,\n",
	})
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep := importMust(t, db, dir, ImportOptions{})
		a := importAccount(t, rep, "phones.csv")
		if a.Dropped != 1 || len(a.DroppedFor) != 1 || a.DroppedFor[0].Kind != WarnPhoneWithoutNumber {
			t.Errorf("phones: %+v, want 1 dropped for %s", a, WarnPhoneWithoutNumber)
		}
	})
}
