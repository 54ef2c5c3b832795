package hsds

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// layoutEntry is one file of a zip built by a test: a name, its content,
// and, for hostile archives, a mode other than a plain file's.
type layoutEntry struct {
	name, content string
	mode          fs.FileMode
}

// layoutZip writes a .zip holding entries and returns its path.
func layoutZip(t *testing.T, entries ...layoutEntry) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "package.zip")
	filesTestWrite(t, path, buf.String())
	return path
}

// layoutNoExtractLeft fails the test if an extracted archive is left in
// the temporary folder tmp.
func layoutNoExtractLeft(t *testing.T, tmp string) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(tmp, "village-import-*")); len(left) != 0 {
		t.Errorf("extracted files left behind: %v", left)
	}
}

// layoutService is an HSDS 3.0 service document nesting its organization;
// n makes its ids and name its own.
func layoutService(n int) string {
	return fmt.Sprintf(`{"id": "6a1c3f0e-2b7d-4e59-8f41-3c2d1e0f9a%02d", "name": "Service %d", "status": "active",
  "organization": {"id": "0b6b7bd5-4b8f-4d0c-9d3a-0e2c9f1d2a01", "name": "Layout Organization", "description": "One for all"}}`, n, n)
}

// Every layout of one package is read whole: a folder, a .zip of it (with
// or without one top folder), a datapackage.json naming tables in data/,
// and a .json file holding an array, NDJSON or values one after another.
func TestImportLayouts(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	folder := filesTestPackage(t)
	dataDir := t.TempDir()
	filesTestWrite(t, filepath.Join(dataDir, "data", "organizations.csv"), filesTestOrgCSV)
	filesTestWrite(t, filepath.Join(dataDir, "data", "services.csv"), filesTestServiceCSV)
	dataPackage := `{"name": "hsds", "resources": [{"name": "organizations", "path": "data/organizations.csv"}, {"name": "services", "path": "data/services.csv"}]}`
	filesTestWrite(t, filepath.Join(dataDir, "datapackage.json"), dataPackage)
	jsonFile := func(content string) string {
		path := filepath.Join(t.TempDir(), "services.json")
		filesTestWrite(t, path, content)
		return path
	}
	cases := []struct {
		name     string
		path     string
		services int
	}{
		{"folder", folder, 1},
		{"zip", layoutZip(t, layoutEntry{name: "organizations.csv", content: filesTestOrgCSV}, layoutEntry{name: "services.csv", content: filesTestServiceCSV}), 1},
		{"zip with one top folder", layoutZip(t, layoutEntry{name: "export/", mode: fs.ModeDir | 0o755},
			layoutEntry{name: "export/organizations.csv", content: filesTestOrgCSV}, layoutEntry{name: "export/services.csv", content: filesTestServiceCSV},
			layoutEntry{name: "__MACOSX/export/._services.csv", content: "resource fork"}), 1},
		{"datapackage with data/ paths", dataDir, 1},
		{"datapackage.json given", filepath.Join(dataDir, "datapackage.json"), 1},
		{"zip of a datapackage", layoutZip(t, layoutEntry{name: "pkg/datapackage.json", content: dataPackage},
			layoutEntry{name: "pkg/data/organizations.csv", content: filesTestOrgCSV}, layoutEntry{name: "pkg/data/services.csv", content: filesTestServiceCSV}), 1},
		{"JSON array", jsonFile("[" + layoutService(1) + ", " + layoutService(2) + "]"), 2},
		{"NDJSON", jsonFile(strings.ReplaceAll(layoutService(1), "\n", "") + "\n" + strings.ReplaceAll(layoutService(2), "\n", "") + "\n" + strings.ReplaceAll(layoutService(3), "\n", "") + "\n"), 3},
		{"concatenated values", jsonFile(layoutService(1) + layoutService(2) + "\n[" + layoutService(3) + ", " + layoutService(4) + "]"), 4},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				// Each layout under a source of its own: its records are new.
				rep, err := Import(context.Background(), db.Client, c.path, ImportOptions{Source: fmt.Sprintf("layout%d", i)})
				if err != nil {
					t.Fatalf("import: %v\n%s", err, rep)
				}
				if got := rep.Types["Service"].Created; got != c.services {
					t.Errorf("%d services created, want %d:\n%s", got, c.services, rep)
				}
				if got := rep.Types["Organization"].Created; got != 1 {
					t.Errorf("%d organizations created, want 1:\n%s", got, rep)
				}
				layoutNoExtractLeft(t, tmp)
			})
		}
	})
}

// A fault after the first JSON value of a file is named, never a silent
// end of the file.
func TestImportJSONValuesNamesAFaultAfterTheFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "services.json")
	filesTestWrite(t, path, layoutService(1)+"\n"+layoutService(2)+"\n{\"id\": \"x\", \"name\": ")
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		rep, err := Import(context.Background(), db.Client, path, ImportOptions{})
		var ie *ImportError
		if !errors.As(err, &ie) || !importHasMessage(rep.Errors, "services.json", "", "malformed JSON") ||
			!strings.Contains(rep.Errors[0].Path, "value 3 (after 2 complete values") {
			t.Fatalf("err %v, report:\n%s", err, rep)
		}
		if n := db.Client.Service.Query().CountX(context.Background()); n != 0 {
			t.Errorf("a refused package wrote %d services", n)
		}
	})
}

// Hostile archives are refused before anything is read or written, and
// nothing is extracted outside the temporary folder nor left there.
func TestImportRefusesHostileZips(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	escaped := "village-escaped-" + filepath.Base(t.TempDir()) + ".csv"
	zeros := strings.Repeat("0", 2<<20) // 2 MiB, a few KiB compressed
	good := []layoutEntry{{name: "organizations.csv", content: filesTestOrgCSV}, {name: "services.csv", content: filesTestServiceCSV}}
	many := append([]layoutEntry{}, good...)
	for i := range 10 {
		many = append(many, layoutEntry{name: fmt.Sprintf("extra/%d.txt", i), content: "x"})
	}
	cases := []struct {
		name string
		zip  string
		opts ImportOptions
		file string
		text string
	}{
		{"../ entry", layoutZip(t, append(good, layoutEntry{name: "../../" + escaped, content: filesTestServiceCSV})...), ImportOptions{}, "", "an archive entry leading out of the package"},
		{"absolute entry", layoutZip(t, append(good, layoutEntry{name: "/tmp/" + escaped, content: filesTestServiceCSV})...), ImportOptions{}, "", "an archive entry leading out of the package"},
		{"symlink entry", layoutZip(t, append(good, layoutEntry{name: "units.csv", content: "/etc/passwd", mode: fs.ModeSymlink | 0o777})...), ImportOptions{}, "package.zip: units.csv", "a symbolic link in the archive"},
		{"zip bomb over the file limit", layoutZip(t, append(good, layoutEntry{name: "units.csv", content: zeros})...), ImportOptions{MaxFileBytes: 1 << 20}, "package.zip: units.csv", "over the limit of 1048576 bytes per package file uncompressed"},
		{"zip bomb over the archive limit", layoutZip(t, append(good, layoutEntry{name: "a.txt", content: zeros[:600_000]}, layoutEntry{name: "b.txt", content: zeros[:600_000]})...), ImportOptions{MaxArchiveBytes: 1 << 20}, "package.zip: b.txt", "more than the limit of 1048576 bytes uncompressed"},
		{"too many entries", layoutZip(t, many...), ImportOptions{MaxArchiveEntries: 10}, "package.zip", "12 entries, over the limit of 10 entries per archive"},
		{"entry given twice", layoutZip(t, append(good, good[1])...), ImportOptions{}, "package.zip: services.csv", "given twice"},
		{"not a zip", func() string {
			p := filepath.Join(t.TempDir(), "package.zip")
			filesTestWrite(t, p, "PK\x03\x04 and then nothing")
			return p
		}(), ImportOptions{}, "package.zip", "not a readable .zip archive"},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				rep, err := Import(context.Background(), db.Client, c.zip, c.opts)
				var ie *ImportError
				if !errors.As(err, &ie) || !importHasMessage(rep.Errors, c.file, "", c.text) {
					t.Fatalf("err %v, want %s: %s; report:\n%s", err, c.file, c.text, rep)
				}
				if n := db.Client.Organization.Query().CountX(context.Background()); n != 0 {
					t.Errorf("a refused archive wrote %d organizations", n)
				}
				layoutNoExtractLeft(t, tmp)
				for _, dir := range []string{os.TempDir(), "/tmp", filepath.Dir(tmp), filepath.Dir(filepath.Dir(tmp))} {
					if _, err := os.Stat(filepath.Join(dir, escaped)); err == nil {
						t.Errorf("an entry escaped to %s", dir)
					}
				}
			})
		}
	})
}

// Input that is no HSDS package is refused saying what it looks like; so
// are the Ohana API's JSON layouts (its CSV layout: TestImportOhanaRefused).
func TestImportRefusesWhatIsNotHSDS(t *testing.T) {
	csvs := t.TempDir()
	filesTestWrite(t, filepath.Join(csvs, "x.csv"), "a,b\n1,2\n")
	filesTestWrite(t, filepath.Join(csvs, "y.csv"), "a,b\n1,2\n")
	write := func(name, content string) string {
		p := filepath.Join(t.TempDir(), name)
		filesTestWrite(t, p, content)
		return p
	}
	ohanaLocation := `{"id": 1, "name": "Fair Oaks Adult Activity Center", "slug": "fair-oaks", "address": {"address_1": "2600 Middlefield Road", "city": "Redwood City"},
  "organization": {"id": 1, "name": "Peninsula Family Service", "slug": "peninsula-family-service"},
  "services": [{"id": 1, "name": "Fair Oaks Adult Activity Center", "status": "active", "keywords": ["Senior Centers"]}]}`
	ohanaImport := `{"name": "Peninsula Family Service", "locations": [{"name": "Fair Oaks", "address_attributes": {"street_1": "2600 Middlefield Road"},
  "services_attributes": [{"name": "Meals", "status": "active"}]}]}` + "\n" + `{"name": "Peninsula Volunteers", "locations": []}` + "\n"
	cases := []struct {
		name, path, file, text string
	}{
		{"CSV folder without HSDS tables", csvs, filepath.Base(csvs), "a CSV folder with no organizations or services table, not an HSDS package; found: x.csv, y.csv"},
		{"empty folder", t.TempDir(), "", "no CSV tables or JSON documents, not an HSDS package; an empty folder"},
		{"zip of a CSV folder without HSDS tables", layoutZip(t, layoutEntry{name: "x.csv", content: "a\n1\n"}, layoutEntry{name: "y.csv", content: "a\n1\n"}), "package.zip", "a CSV folder with no organizations or services table, not an HSDS package; found: x.csv, y.csv"},
		{"a lone CSV file", write("services.csv", filesTestServiceCSV), "services.csv", "a single CSV file, not an HSDS package"},
		{"a text file", write("notes.txt", "hello"), "notes.txt", "not an HSDS package"},
		{"JSON of no HSDS record", write("things.json", `{"things": [1, 2]}`+"\n"+`{"more": true}`), "things.json", "no HSDS record found"},
		{"Ohana API locations", write("locations.json", "["+ohanaLocation+"]"), "locations.json", "looks like Ohana API JSON (a location nesting its organization and its services), not HSDS"},
		{"Ohana API location", write("location.json", ohanaLocation), "location.json", "looks like Ohana API JSON"},
		{"Ohana import NDJSON", write("sample_data.json", ohanaImport), "sample_data.json", "looks like Ohana API JSON"},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				rep, err := Import(context.Background(), db.Client, c.path, ImportOptions{})
				var ie *ImportError
				if !errors.As(err, &ie) || !importHasMessage(rep.Errors, c.file, "", c.text) {
					t.Fatalf("err %v, want %s: %s; report:\n%s", err, c.file, c.text, rep)
				}
				if n := db.Client.Organization.Query().CountX(context.Background()); n != 0 {
					t.Errorf("refused input wrote %d organizations", n)
				}
			})
		}
	})
}
