package main

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

const (
	sideOrgCSV     = "id,name,description\n0b6b7bd5-4b8f-4d0c-9d3a-0e2c9f1d2a01,Only Organization,The one record\n"
	sideServiceCSV = "id,organization_id,name,description,status\n6a1c3f0e-2b7d-4e59-8f41-3c2d1e0f9a02,0b6b7bd5-4b8f-4d0c-9d3a-0e2c9f1d2a01,A Service,Kept,active\n"
)

func sideWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Input that is no HSDS package, the Ohana API's CSV and JSON layouts
// among it, fails the import with exit status 1 and says what it looks
// like; nothing is written.
func TestImportCommandRefusesOhanaAndNonHSDS(t *testing.T) {
	ohanaCSV := filepath.Join("..", "..", "internal", "hsds", "testdata", "ohana-api-smc", "sample-csv")
	ohanaJSON := filepath.Join(t.TempDir(), "locations.json")
	sideWrite(t, ohanaJSON, `[{"id": 1, "name": "Fair Oaks Adult Activity Center", "slug": "fair-oaks",
  "organization": {"id": 1, "name": "Peninsula Family Service"},
  "services": [{"id": 1, "name": "Fair Oaks Adult Activity Center", "status": "active"}]}]`)
	csvs := t.TempDir()
	sideWrite(t, filepath.Join(csvs, "x.csv"), "a\n1\n")
	sideWrite(t, filepath.Join(csvs, "y.csv"), "a\n1\n")
	var zipped bytes.Buffer
	zw := zip.NewWriter(&zipped)
	for name, content := range map[string]string{"organizations.csv": sideOrgCSV, "../services.csv": sideServiceCSV} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	hostile := filepath.Join(t.TempDir(), "package.zip")
	sideWrite(t, hostile, zipped.String())
	missing := filepath.Join(t.TempDir(), "no-such-package")
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, backend)
			for _, c := range []struct{ path, want string }{
				{hostile, "package.zip: ../services.csv: an archive entry leading out of the package"},
				{missing, "no-such-package: cannot be read: no such file or directory"},
				{ohanaCSV, "services.csv field organization_id: looks like Ohana API CSV layout"},
				{ohanaJSON, "locations.json $: looks like Ohana API JSON (a location nesting its organization and its services), not HSDS"},
				{csvs, "a CSV folder with no organizations or services table, not an HSDS package; found: x.csv, y.csv"},
			} {
				var out, errs bytes.Buffer
				err := run(ctx, []string{"import", "--db", dsn, c.path}, &out, &errs)
				if err == nil || exitCode(err) != 1 || !strings.Contains(out.String(), c.want) {
					t.Errorf("import %s: err %v (exit %d), printed:\n%s", c.path, err, exitCode(err), out.String())
				}
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if n := db.Client.Organization.Query().CountX(ctx); n != 0 {
				t.Errorf("refused imports wrote %d organizations", n)
			}
		})
	}
}

// import --dry-run creates, migrates and writes nothing: no SQLite file
// (nor its folder), no schema in an empty PostgreSQL database, no
// PostgreSQL database; on a migrated database, no record.
func TestImportDryRunCreatesNothing(t *testing.T) {
	pkg := t.TempDir()
	sideWrite(t, filepath.Join(pkg, "organizations.csv"), sideOrgCSV)
	sideWrite(t, filepath.Join(pkg, "services.csv"), sideServiceCSV)
	dryRun := func(t *testing.T, dsn, wantNote string) {
		t.Helper()
		var out, errs bytes.Buffer
		if err := run(context.Background(), []string{"import", "--dry-run", "--db", dsn, pkg}, &out, &errs); err != nil {
			t.Fatalf("import --dry-run: %v\n%s%s", err, out.String(), errs.String())
		}
		for _, want := range []string{wantNote, "dry run: nothing written", "Service:           1 created"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("dry run printed no %q:\n%s", want, out.String())
			}
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "not-yet", "village.db")
		dryRun(t, path, "dry run against an empty directory: the database does not exist yet")
		if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
			t.Errorf("the dry run created %s (stat: %v)", filepath.Dir(path), err)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := testdb.DSN(t, "postgres")
		dryRun(t, dsn, "dry run against an empty directory: the database has no schema")
		db, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var tables int
		if err := db.SQL.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Errorf("the dry run migrated the database: %d tables", tables)
		}
		// A database that does not exist is not created.
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		u.Path = "/village_test_absent_" + strings.ReplaceAll(strings.ToLower(filepath.Base(t.TempDir())), "-", "_")
		dryRun(t, u.String(), "dry run against an empty directory: the database does not exist yet")
		var exists bool
		if err := db.SQL.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, strings.TrimPrefix(u.Path, "/")).Scan(&exists); err != nil {
			t.Fatal(err)
		}
		if exists {
			t.Errorf("the dry run created database %s", u.Path)
		}
	})
	for _, backend := range testdb.Backends {
		t.Run(backend+" migrated", func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, backend)
			var out, errs bytes.Buffer
			if err := run(ctx, []string{"migrate", "--db", dsn}, &out, &errs); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			if err := run(ctx, []string{"import", "--dry-run", "--db", dsn, pkg}, &out, &errs); err != nil {
				t.Fatalf("import --dry-run: %v\n%s", err, out.String())
			}
			if strings.Contains(out.String(), "empty directory") || !strings.Contains(out.String(), "Service:           1 created") {
				t.Errorf("dry run on a migrated database printed:\n%s", out.String())
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if n := db.Client.Organization.Query().CountX(ctx); n != 0 {
				t.Errorf("the dry run wrote %d organizations", n)
			}
		})
	}
}

// serve seeds only a database holding no records at all: one holding a
// single imported organization (no programs) is served as it is.
func TestServeDoesNotSeedADatabaseHoldingRecords(t *testing.T) {
	pkg := t.TempDir()
	sideWrite(t, filepath.Join(pkg, "organizations.csv"), sideOrgCSV)
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			dsn := testdb.DSN(t, backend)
			var out, errs bytes.Buffer
			if err := run(context.Background(), []string{"import", "--db", dsn, pkg}, &out, &errs); err != nil {
				t.Fatalf("import: %v\n%s", err, out.String())
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			out.Reset()
			errs.Reset()
			go func() {
				done <- run(ctx, []string{"serve", "--samples", "--db", dsn, "--addr", addr, "--rate-limit", "0"}, &out, &errs)
			}()
			var body []byte
			for range 100 {
				res, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"{ programs { totalCount } organizations { totalCount } }"}`))
				if err == nil {
					body, _ = io.ReadAll(res.Body)
					res.Body.Close()
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("serve: %v", err)
			}
			if !strings.Contains(string(body), `"programs":{"totalCount":0}`) || !strings.Contains(string(body), `"organizations":{"totalCount":1}`) {
				t.Errorf("serve on a database holding one organization answered %s", body)
			}
			if !strings.Contains(errs.String(), "the database holds records: not seeding it") || strings.Contains(out.String(), "seed facts") {
				t.Errorf("serve logged %q, printed %q", errs.String(), out.String())
			}
		})
	}
}
