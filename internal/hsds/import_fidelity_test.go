package hsds

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// exportIntoEmpty exports src in format, imports the export into a new
// empty database and returns it with the export's directory.
func exportIntoEmpty(t *testing.T, src *store.DB, format string) (*store.DB, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := Export(context.Background(), src.Client, format, dir); err != nil {
		t.Fatalf("export: %v", err)
	}
	dst := testdb.Open(t, dialect.SQLite, store.Options{})
	importMust(t, dst, dir, ImportOptions{})
	return dst, dir
}

// officialCSVCopy copies the official 3.0 CSV example, for a test to edit.
func officialCSVCopy(t *testing.T) string {
	t.Helper()
	return importCopyDir(t, importSample(t, "openreferral-spec-3.0/examples/csv"))
}

// Village → HSDS → Village: a service that inherits its program's
// eligibility still does. The export gives it the program's ages and no
// eligibility attribute; with no Village attribute at all the service once
// took the ages as its own.
func TestRoundTripKeepsInheritedEligibility(t *testing.T) {
	ctx := context.Background()
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			src := testdb.Open(t, dialect.SQLite, store.Options{})
			org := src.Client.Organization.Create().SetName("Org").SaveX(ctx)
			min, max := 0, 35
			prog := src.Client.Program.Create().SetName("Prog").SetOrganizationID(org.ID).
				SetEligibility(&directory.Eligibility{MinAgeMonths: &min, MaxAgeMonths: &max, Description: "under 3"}).SaveX(ctx)
			src.Client.Service.Create().SetName("Svc").SetOrganizationID(org.ID).SetProgramID(prog.ID).SetStatus(service.StatusACTIVE).SaveX(ctx)
			dst, _ := exportIntoEmpty(t, src, format)
			s := dst.Client.Service.Query().OnlyX(ctx)
			if s.Eligibility != nil {
				t.Errorf("service eligibility %+v, want none (inherited from its program)", s.Eligibility)
			}
		})
	}
}

// A date written as a date-time with an offset keeps its day: valid_from
// 2005-01-01T00:00:00+02:00 is 1 January (it was stored as 31 December UTC
// and exported so), and so are valid_to and assured_date.
func TestImportKeepsTheDayOfADateWithAnOffset(t *testing.T) {
	dir := officialCSVCopy(t)
	importEditFile(t, filepath.Join(dir, "schedules.csv"), ",2005-01-01,2005-01-01,2005-01-01,", ",2005-01-01T00:00:00+02:00,2005-01-31T00:00:00+02:00,2005-01-01,")
	importEditFile(t, filepath.Join(dir, "services.csv"), ",2005-01-01,", ",2005-01-01T00:30:00+01:00,")
	db := testdb.Open(t, dialect.SQLite, store.Options{})
	importMust(t, db, dir, ImportOptions{})
	out := t.TempDir()
	if _, err := Export(context.Background(), db.Client, "csv", out); err != nil {
		t.Fatal(err)
	}
	tables := flatTables(t, out)
	s := tables["schedules"]["48102e86-bb50-41c4-8f1e-e269368c41d1"]
	if s["valid_from"] != "2005-01-01" || s["valid_to"] != "2005-01-31" {
		t.Errorf("valid_from %q valid_to %q, want 2005-01-01 and 2005-01-31", s["valid_from"], s["valid_to"])
	}
	if got := tables["services"][officialServiceID]["assured_date"]; got != "2005-01-01" {
		t.Errorf("assured_date %q, want 2005-01-01", got)
	}
}

// An opening time with a UTC offset (10:00:00+05:00) is read as a local
// time with a warning that the offset is not kept (it was dropped
// silently).
func TestImportWarnsOfADroppedTimeOffset(t *testing.T) {
	dir := officialCSVCopy(t)
	importEditFile(t, filepath.Join(dir, "schedules.csv"), ",10:00:00,18:00:00,", ",10:00:00+05:00,18:00:00+05:00,")
	db := testdb.Open(t, dialect.SQLite, store.Options{})
	rep := importMust(t, db, dir, ImportOptions{})
	sc := db.Client.Schedule.Query().OnlyX(context.Background())
	if sc.OpensAt != "10:00" {
		t.Errorf("opens_at stored as %q, want 10:00", sc.OpensAt)
	}
	for _, col := range []string{"opens_at", "closes_at"} {
		if !importHasMessage(rep.Warnings, "schedules.csv", col, "UTC offset") {
			t.Errorf("no warning on %s:\n%s", col, rep)
		}
	}
}

// Text that is not UTF-8 (a Windows-1252 "é") is an error naming the file,
// row and field, on both backends; SQLite stored it as it was and
// PostgreSQL refused it with a driver error naming nothing.
func TestImportNamesTextThatIsNotUTF8(t *testing.T) {
	dir := officialCSVCopy(t)
	importEditFile(t, filepath.Join(dir, "services.csv"), "Community Counselling,", "Caf\xe9 Counselling,")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep, err := Import(context.Background(), db.Client, dir, ImportOptions{})
		var ie *ImportError
		if !errors.As(err, &ie) || !importHasMessage(rep.Errors, "services.csv", "name", "UTF-8") {
			t.Errorf("err %v; want an error naming services.csv's name and the encoding:\n%s", err, rep)
		}
		if n := db.Client.Service.Query().CountX(context.Background()); n != 0 {
			t.Errorf("%d services written from a refused package", n)
		}
	})
}

// A service given the same language twice (ur, UR) keeps it once, with a
// warning on languages.csv; the whole package was refused, with an error
// on services.csv.
func TestImportDropsARepeatedLanguageWithAWarning(t *testing.T) {
	dir := officialCSVCopy(t)
	appendLine(t, filepath.Join(dir, "languages.csv"), "3989d3ed-c547-48f8-8f9d-432d81c7892e,"+officialServiceID+",,,Urdu,UR,")
	db := testdb.Open(t, dialect.SQLite, store.Options{})
	rep, err := Import(context.Background(), db.Client, dir, ImportOptions{})
	all := append(append([]ImportMessage(nil), rep.Errors...), rep.Warnings...)
	if err != nil || !importHasMessage(all, "languages.csv", "code", "already has language") {
		t.Errorf("err %v; want the repeat named on languages.csv, and the package imported:\n%s", err, rep)
	}
	if langs := db.Client.Service.Query().OnlyX(context.Background()).Languages; len(langs) != len(slices.Compact(slices.Sorted(slices.Values(langs)))) {
		t.Errorf("languages %v repeat one", langs)
	}
}

// Two terms of one taxonomy with the same code are one term in Village: the
// second is merged into the first with a warning naming both (it was
// merged silently).
func TestImportWarnsOfTermsSharingACode(t *testing.T) {
	dir := officialCSVCopy(t)
	appendLine(t, filepath.Join(dir, "taxonomy_terms.csv"), "4f7b145d-84af-42d7-8fae-eaca714b02b2,code,Another term,,,taxonomy,,07ff6aee-a219-438c-b694-d2fcb6c5373b,")
	db := testdb.Open(t, dialect.SQLite, store.Options{})
	rep := importMust(t, db, dir, ImportOptions{})
	if !importHasMessage(rep.Warnings, "taxonomy_terms.csv", "code", "is merged into it") {
		t.Errorf("the term \"Another term\" was merged without a warning:\n%s", rep)
	}
}

// Village → HSDS → Village: an ONLINE area with no name comes back with no
// name (the export's extent "online" became its name).
func TestRoundTripKeepsAnUnnamedOnlineArea(t *testing.T) {
	ctx := context.Background()
	src := testdb.Open(t, dialect.SQLite, store.Options{})
	org := src.Client.Organization.Create().SetName("Org").SaveX(ctx)
	svc := src.Client.Service.Create().SetName("Svc").SetOrganizationID(org.ID).SetStatus(service.StatusACTIVE).SaveX(ctx)
	src.Client.ServiceArea.Create().SetServiceID(svc.ID).SetKind(servicearea.KindONLINE).SaveX(ctx)
	dst, _ := exportIntoEmpty(t, src, "csv")
	if a := dst.Client.ServiceArea.Query().OnlyX(ctx); a.Kind != servicearea.KindONLINE || a.Name != "" {
		t.Errorf("area %s named %q, want ONLINE with no name", a.Kind, a.Name)
	}
}

// Village → HSDS → Village: a phone's languages come back; the language
// rows naming the phone were kept only verbatim, and the phone had none.
func TestRoundTripKeepsPhoneLanguages(t *testing.T) {
	ctx := context.Background()
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			src := testdb.Open(t, dialect.SQLite, store.Options{})
			org := src.Client.Organization.Create().SetName("Org").SaveX(ctx)
			src.Client.Phone.Create().SetNumber("617-555-0100").SetType(phone.TypeVOICE).SetLanguages([]string{"es", "vi"}).
				SetOrganizationID(org.ID).SaveX(ctx)
			dst, _ := exportIntoEmpty(t, src, format)
			if p := dst.Client.Phone.Query().OnlyX(ctx); !slices.Equal(p.Languages, []string{"es", "vi"}) {
				t.Errorf("phone languages %v, want [es vi]", p.Languages)
			}
		})
	}
}

// An HSDS id written as an upper-case UUID is read in lower case, the form
// Village exports: re-importing the export updates the same service (it
// duplicated it and moved its children to the copy).
func TestImportReadsUpperCaseUUIDsInLowerCase(t *testing.T) {
	dir := officialCSVCopy(t)
	upper := strings.ToUpper(officialServiceID)
	for _, name := range []string{"services.csv", "service_at_locations.csv", "phones.csv", "schedules.csv", "languages.csv"} {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(b), officialServiceID, upper)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importMust(t, db, dir, ImportOptions{})
		if got := db.Client.Service.Query().OnlyX(ctx).ExternalID; got != officialServiceID {
			t.Errorf("external id %q, want %q", got, officialServiceID)
		}
		out := t.TempDir()
		if _, err := Export(ctx, db.Client, "csv", out); err != nil {
			t.Fatal(err)
		}
		rep := importMust(t, db, out, ImportOptions{})
		if n := db.Client.Service.Query().CountX(ctx); n != 1 {
			t.Errorf("%d services after importing the export of a 1-service package:\n%s", n, rep)
		}
	})
}
