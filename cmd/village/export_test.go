package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/internal/testdb"
)

func TestExportCommand(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.DSN(t, dialect.SQLite)
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"seed", "--db", dsn, "--samples"}, &out, &errs); err != nil {
		t.Fatalf("seed: %v\n%s", err, errs.String())
	}
	jsonDir := filepath.Join(t.TempDir(), "json")
	out.Reset()
	if err := run(ctx, []string{"export", "--format", "json", "--db", dsn, jsonDir}, &out, &errs); err != nil {
		t.Fatalf("export json: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "Exported") {
		t.Errorf("export json said %q", out.String())
	}
	services, _ := filepath.Glob(filepath.Join(jsonDir, "services", "*.json"))
	if len(services) == 0 {
		t.Error("json export wrote no services")
	}
	for _, f := range []string{"taxonomies.json", "taxonomy_terms.json"} {
		if _, err := os.Stat(filepath.Join(jsonDir, f)); err != nil {
			t.Error(err)
		}
	}
	csvDir := filepath.Join(t.TempDir(), "csv")
	// Flags after DIR work too.
	if err := run(ctx, []string{"export", csvDir, "--format", "csv", "--db", dsn}, &out, &errs); err != nil {
		t.Fatalf("export csv: %v\n%s", err, errs.String())
	}
	for _, f := range []string{"datapackage.json", "services.csv", "organizations.csv", "attributes.csv", "taxonomy_terms.csv"} {
		if st, err := os.Stat(filepath.Join(csvDir, f)); err != nil || st.Size() == 0 {
			t.Errorf("csv export: %s missing or empty (%v)", f, err)
		}
	}
	for _, bad := range [][]string{
		{"export", "--db", dsn},
		{"export", "--format", "xml", "--db", dsn, t.TempDir()},
		{"export", "--db", dsn, "a", "b"},
	} {
		if err := run(ctx, bad, &out, &errs); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}
