//go:build unix

package hsds

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

const (
	filesTestOrgCSV     = "id,name,description\n0b6b7bd5-4b8f-4d0c-9d3a-0e2c9f1d2a01,Inside Organization,Kept in the package\n"
	filesTestServiceCSV = "id,organization_id,name,description,status\n" +
		"6a1c3f0e-2b7d-4e59-8f41-3c2d1e0f9a02,0b6b7bd5-4b8f-4d0c-9d3a-0e2c9f1d2a01,Inside Service,Kept in the package,active\n"
)

// filesTestPackage writes a valid two-table CSV package into a new
// directory and returns it; edit may then break it.
func filesTestPackage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	filesTestWrite(t, filepath.Join(dir, "organizations.csv"), filesTestOrgCSV)
	filesTestWrite(t, filepath.Join(dir, "services.csv"), filesTestServiceCSV)
	return dir
}

func filesTestWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func filesTestSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Remove(link); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func filesTestFIFO(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
}

// importWithin runs Import, failing the test if it blocks (on a FIFO, or
// reading a device that never ends).
func importWithin(t *testing.T, db *store.DB, path string, opts ImportOptions) (*Report, error) {
	t.Helper()
	type result struct {
		rep *Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := Import(context.Background(), db.Client, path, opts)
		done <- result{rep, err}
	}()
	select {
	case r := <-done:
		return r.rep, r.err
	case <-time.After(30 * time.Second):
		t.Fatalf("import of %s still running after 30s: blocked on a file", path)
		return nil, nil
	}
}

// A package is its directory: a symbolic link or a path leading out of
// it, anything but a regular file, and a file over the size limit refuse
// the whole package before anything is written.
func TestImportRefusesFilesOutsideThePackage(t *testing.T) {
	outside := t.TempDir()
	filesTestWrite(t, filepath.Join(outside, "services.csv"), filesTestServiceCSV)
	filesTestWrite(t, filepath.Join(outside, "docs", "service.json"), `{"id": "6a1c3f0e-2b7d-4e59-8f41-3c2d1e0f9a02", "name": "Outside", "status": "active"}`)
	dataPackage := func(paths ...string) string {
		var rs []string
		for _, p := range paths {
			rs = append(rs, `{"name": "t", "path": "`+p+`"}`)
		}
		return `{"name": "hsds", "resources": [` + strings.Join(rs, ", ") + `]}`
	}
	cases := []struct {
		name string
		// edit breaks the package dir; it returns the path to import
		// (dir unless the package is a single document).
		edit       func(t *testing.T, dir string) string
		limit      int64
		file, path string // what the error names
		text       string
	}{
		{
			name: "symlink to a file outside",
			edit: func(t *testing.T, dir string) string {
				filesTestSymlink(t, filepath.Join(outside, "services.csv"), filepath.Join(dir, "services.csv"))
				return dir
			},
			file: "services.csv", text: "a symbolic link leading out of the package",
		},
		{
			name: "relative symlink climbing out",
			edit: func(t *testing.T, dir string) string {
				rel, err := filepath.Rel(dir, filepath.Join(outside, "services.csv"))
				if err != nil {
					t.Fatal(err)
				}
				filesTestSymlink(t, rel, filepath.Join(dir, "services.csv"))
				return dir
			},
			file: "services.csv", text: "a symbolic link leading out of the package",
		},
		{
			name: "symlink to a directory outside",
			edit: func(t *testing.T, dir string) string {
				os.Remove(filepath.Join(dir, "organizations.csv"))
				os.Remove(filepath.Join(dir, "services.csv"))
				filesTestWrite(t, filepath.Join(dir, "organization.json"), `{"id": "0b6b7bd5-4b8f-4d0c-9d3a-0e2c9f1d2a01", "name": "Inside"}`)
				filesTestSymlink(t, filepath.Join(outside, "docs"), filepath.Join(dir, "services"))
				return dir
			},
			file: "services", text: "a symbolic link leading out of the package",
		},
		{
			name: "datapackage resource with ..",
			edit: func(t *testing.T, dir string) string {
				filesTestWrite(t, filepath.Join(dir, "datapackage.json"), dataPackage("organizations.csv", "../"+filepath.Base(outside)+"/services.csv"))
				return dir
			},
			file: "datapackage.json", path: "$.resources[1].path", text: "leads out of the package",
		},
		{
			name: "datapackage resource with an absolute path",
			edit: func(t *testing.T, dir string) string {
				filesTestWrite(t, filepath.Join(dir, "datapackage.json"), dataPackage(filepath.ToSlash(filepath.Join(outside, "services.csv"))))
				return dir
			},
			file: "datapackage.json", path: "$.resources[0].path", text: "leads out of the package",
		},
		{
			name: "datapackage resource naming a device",
			edit: func(t *testing.T, dir string) string {
				filesTestWrite(t, filepath.Join(dir, "datapackage.json"), dataPackage("organizations.csv", "/dev/zero"))
				return dir
			},
			file: "datapackage.json", path: "$.resources[1].path", text: `resource "/dev/zero": leads out of the package`,
		},
		{
			name: "datapackage resource at a URL",
			edit: func(t *testing.T, dir string) string {
				filesTestWrite(t, filepath.Join(dir, "datapackage.json"), dataPackage("file:///etc/passwd"))
				return dir
			},
			file: "datapackage.json", path: "$.resources[0].path", text: "not a file of the package",
		},
		{
			name: "datapackage resource that is a FIFO",
			edit: func(t *testing.T, dir string) string {
				filesTestFIFO(t, filepath.Join(dir, "units.csv"))
				filesTestWrite(t, filepath.Join(dir, "datapackage.json"), dataPackage("organizations.csv", "units.csv"))
				return dir
			},
			file: "datapackage.json", path: "$.resources[1].path", text: `resource "units.csv": not a regular file (a FIFO)`,
		},
		{
			name: "FIFO table",
			edit: func(t *testing.T, dir string) string {
				filesTestFIFO(t, filepath.Join(dir, "services.csv"))
				return dir
			},
			file: "services.csv", text: "not a regular file (a FIFO)",
		},
		{
			name: "FIFO document given as the package",
			edit: func(t *testing.T, dir string) string {
				filesTestFIFO(t, filepath.Join(dir, "service.json"))
				return filepath.Join(dir, "service.json")
			},
			file: "service.json", text: "not a regular file (a FIFO)",
		},
		{
			name: "FIFO datapackage.json",
			edit: func(t *testing.T, dir string) string {
				filesTestFIFO(t, filepath.Join(dir, "datapackage.json"))
				return dir
			},
			file: "datapackage.json", text: "not a regular file (a FIFO)",
		},
		{
			name: "symlink to /dev/zero in the package",
			edit: func(t *testing.T, dir string) string {
				filesTestSymlink(t, "/dev/zero", filepath.Join(dir, "services.csv"))
				return dir
			},
			file: "services.csv", text: "a symbolic link leading out of the package",
		},
		{
			name: "symlink to /dev/zero given as the package",
			edit: func(t *testing.T, dir string) string {
				filesTestSymlink(t, "/dev/zero", filepath.Join(dir, "service.json"))
				return filepath.Join(dir, "service.json")
			},
			file: "service.json", text: "not a regular file (a character device)",
		},
		{
			name: "device node in the package",
			edit: func(t *testing.T, dir string) string {
				// /dev/zero's numbers (1, 5) on Linux; needs the right to mknod.
				if err := syscall.Mknod(filepath.Join(dir, "phones.csv"), syscall.S_IFCHR|0o644, 1<<8|5); err != nil {
					t.Skipf("cannot make a device node here: %v", err)
				}
				return dir
			},
			file: "phones.csv", text: "not a regular file (a character device)",
		},
		{
			name: "table over the size limit",
			edit: func(t *testing.T, dir string) string {
				filesTestWrite(t, filepath.Join(dir, "services.csv"), filesTestServiceCSV+strings.Repeat("\n", 300))
				return dir
			},
			limit: 300,
			file:  "services.csv", text: "bytes, over the limit of 300 bytes per package file",
		},
		{
			name: "document over the size limit",
			edit: func(t *testing.T, dir string) string {
				filesTestWrite(t, filepath.Join(dir, "service.json"), `{"id": "x", "name": "`+strings.Repeat("a", 400)+`"}`)
				return filepath.Join(dir, "service.json")
			},
			limit: 300,
			file:  "service.json", text: "over the limit of 300 bytes per package file",
		},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		before := importTakeSnapshot(t, db.Client)
		for k, n := range before {
			if n != 0 {
				t.Fatalf("fresh database holds %d %s", n, k)
			}
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				path := c.edit(t, filesTestPackage(t))
				limit := c.limit
				if limit == 0 {
					limit = 1 << 20 // a device read past the checks still ends
				}
				rep, err := importWithin(t, db, path, ImportOptions{MaxFileBytes: limit})
				var ie *ImportError
				if !errors.As(err, &ie) {
					t.Fatalf("err = %v, want an ImportError", err)
				}
				if len(rep.Errors) != 1 || rep.Errors[0].File != c.file || rep.Errors[0].Path != c.path || !strings.Contains(rep.Errors[0].Text, c.text) {
					t.Errorf("errors = %v, want one naming %s %s: %q", rep.Errors, c.file, c.path, c.text)
				}
				if !strings.Contains(err.Error(), "nothing written") || !strings.Contains(err.Error(), c.file+" ") && !strings.Contains(err.Error(), c.file+":") {
					t.Errorf("error %q does not name %s or say nothing was written", err, c.file)
				}
				if after := importTakeSnapshot(t, db.Client); !importEqualSnap(before, after) {
					t.Errorf("refused import wrote: %v → %v", before, after)
				}
			})
		}
		// What stays inside the package is read: a link to a file of
		// the package, a data package naming its own tables.
		t.Run("links inside the package", func(t *testing.T) {
			dir := filesTestPackage(t)
			filesTestWrite(t, filepath.Join(dir, "tables", "services.csv"), filesTestServiceCSV)
			filesTestSymlink(t, filepath.Join("tables", "services.csv"), filepath.Join(dir, "services.csv"))
			filesTestWrite(t, filepath.Join(dir, "datapackage.json"), dataPackage("organizations.csv", "services.csv", "tables/services.csv", "programs.csv"))
			rep, err := importWithin(t, db, dir, ImportOptions{MaxFileBytes: 1 << 20})
			if err != nil {
				t.Fatalf("import: %v\n%s", err, rep)
			}
			if rep.Types["Service"].Created != 1 || rep.Types["Organization"].Created != 1 {
				t.Errorf("report:\n%s", rep)
			}
		})
	})
}
