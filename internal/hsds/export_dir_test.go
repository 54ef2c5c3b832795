package hsds_test

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/hsds"
)

// exportDirFiles lists the files under dir (slash paths), directories as
// "name/".
func exportDirFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func smallDirectory(serviceIDs ...string) *hsds.Directory {
	d := &hsds.Directory{Taxonomies: []hsds.Taxonomy{hsds.VillageTaxonomyObject()}}
	for _, id := range serviceIDs {
		d.Services = append(d.Services, hsds.Service{ID: id, Name: "Service " + id})
	}
	d.Organizations = []hsds.Organization{{ID: "00000000-0000-0000-0000-0000000000aa", Name: "Org"}}
	return d
}

// TestExportReplacesItsOwnExport: an export into the directory of an
// earlier one (a nightly export) replaces it, whichever the two forms are,
// so no document of a record deleted since is left for an import to bring
// back.
func TestExportReplacesItsOwnExport(t *testing.T) {
	const a, b = "00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"
	dir := t.TempDir()
	if _, err := hsds.ExportJSON(smallDirectory(a, b), dir); err != nil {
		t.Fatal(err)
	}
	if _, err := hsds.ExportJSON(smallDirectory(b), dir); err != nil {
		t.Fatal(err)
	}
	want := []string{hsds.ExportManifest, "organizations/", "organizations/00000000-0000-0000-0000-0000000000aa.json",
		"services/", "services/" + b + ".json", "taxonomies.json", "taxonomy_terms.json"}
	if got := exportDirFiles(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("JSON over JSON: %v, want %v", got, want)
	}
	// CSV over JSON: no document of the JSON form is left.
	if _, err := hsds.ExportCSV(smallDirectory(b), dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range exportDirFiles(t, dir) {
		if f != hsds.ExportManifest && f != "datapackage.json" && !strings.HasSuffix(f, ".csv") {
			t.Errorf("CSV over JSON: %s left", f)
		}
	}
	// And back.
	if _, err := hsds.ExportJSON(smallDirectory(a), dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range exportDirFiles(t, dir) {
		if strings.HasSuffix(f, ".csv") || f == "datapackage.json" || f == "services/"+b+".json" {
			t.Errorf("JSON over CSV: %s left", f)
		}
	}
}

// TestExportRefusesForeignContent: an export never deletes, nor writes
// beside, files it did not write: a directory holding any (alone, or next
// to an earlier export) is refused before anything in it changes, and a
// manifest naming a file outside the directory does not get it deleted.
func TestExportRefusesForeignContent(t *testing.T) {
	const a = "00000000-0000-0000-0000-000000000001"
	for name, setup := range map[string]func(t *testing.T, dir string){
		"a file of the user's": func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "notes.txt"), "mine")
		},
		"another HSDS package": func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "services.csv"), "id,name\n")
		},
		"a file added to an earlier export": func(t *testing.T, dir string) {
			if _, err := hsds.ExportJSON(smallDirectory(a), dir); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, "services", "extra.json"), "{}")
		},
		"a directory added to an earlier export": func(t *testing.T, dir string) {
			if _, err := hsds.ExportCSV(smallDirectory(a), dir); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(dir, "backup"), 0o755); err != nil {
				t.Fatal(err)
			}
		},
		"a manifest that is not Village's": func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, hsds.ExportManifest), "not json")
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			setup(t, dir)
			before := exportDirFiles(t, dir)
			for format, export := range map[string]func(*hsds.Directory, string) (hsds.ExportCounts, error){
				"json": hsds.ExportJSON, "csv": hsds.ExportCSV} {
				_, err := export(smallDirectory(a), dir)
				var foreign *hsds.ForeignContentError
				if !errors.As(err, &foreign) {
					t.Errorf("%s: export into it: %v, want a refusal", format, err)
				}
				if after := exportDirFiles(t, dir); strings.Join(after, " ") != strings.Join(before, " ") {
					t.Errorf("%s: a refused export changed the directory: %v, was %v", format, after, before)
				}
			}
		})
	}
	t.Run("a manifest naming a file outside", func(t *testing.T) {
		parent := t.TempDir()
		victim := filepath.Join(parent, "victim.txt")
		writeFile(t, victim, "keep me")
		dir := filepath.Join(parent, "export")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, hsds.ExportManifest), `{"generator":"village","format":"csv","files":["../victim.txt"]}`)
		if _, err := hsds.ExportCSV(smallDirectory(a), dir); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(victim); err != nil {
			t.Errorf("a file outside the export's directory was deleted: %v", err)
		}
	})
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
