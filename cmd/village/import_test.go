package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/internal/testdb"
)

// TestImportCommandStrictAndReport imports a package with a repairable
// fault (a blank status): refused with --strict, imported without, and
// the --report file is JSON in both cases.
func TestImportCommandStrictAndReport(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.DSN(t, dialect.SQLite)
	pkg := t.TempDir()
	files := map[string]string{
		"organizations.csv": "id,name\norg-1,Organization One\n",
		"services.csv":      "id,organization_id,name,status,url\nsvc-1,org-1,Service One,,www.example.org\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(pkg, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type report struct {
		Refused  bool `json:"refused"`
		Warnings []struct {
			Kind  string `json:"kind"`
			Count int    `json:"count"`
		} `json:"warnings"`
		Tables []struct {
			File     string `json:"file"`
			Read     int    `json:"read"`
			Repaired int    `json:"repaired"`
		} `json:"tables"`
	}
	read := func(path string) report {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var r report
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("report %s: %v\n%s", path, err, b)
		}
		return r
	}
	var out, errs bytes.Buffer
	strictReport := filepath.Join(t.TempDir(), "strict.json")
	if err := run(ctx, []string{"import", "--db", dsn, "--strict", "--report", strictReport, pkg}, &out, &errs); err == nil {
		t.Fatalf("--strict imported a package with warnings:\n%s", out.String())
	}
	if r := read(strictReport); !r.Refused || len(r.Warnings) == 0 {
		t.Errorf("--strict report: %+v", r)
	}
	out.Reset()
	reportFile := filepath.Join(t.TempDir(), "report.json")
	if err := run(ctx, []string{"import", "--db", dsn, "--report", reportFile, pkg}, &out, &errs); err != nil {
		t.Fatalf("import: %v\n%s%s", err, out.String(), errs.String())
	}
	r := read(reportFile)
	kinds := map[string]int{}
	for _, w := range r.Warnings {
		kinds[w.Kind] = w.Count
	}
	if r.Refused || kinds["status-blank"] != 1 || kinds["url-scheme-added"] != 1 {
		t.Errorf("report: %+v", r)
	}
	for _, tb := range r.Tables {
		if tb.File == "services.csv" && (tb.Read != 1 || tb.Repaired != 1) {
			t.Errorf("services.csv accounted %+v", tb)
		}
	}
}
