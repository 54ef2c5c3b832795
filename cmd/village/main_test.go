package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

func TestCommands(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, backend)
			var out, errs bytes.Buffer
			if err := run(ctx, []string{"migrate", "--db", dsn}, &out, &errs); err != nil {
				t.Fatalf("migrate: %v\n%s", err, errs.String())
			}
			if !strings.Contains(out.String(), "migrated") {
				t.Fatalf("migrate printed %q", out.String())
			}
			out.Reset()
			if err := run(ctx, []string{"seed", "--db", dsn, "--samples"}, &out, &errs); err != nil {
				t.Fatalf("seed: %v\n%s", err, errs.String())
			}
			if !strings.Contains(out.String(), "Program: 7 created") {
				t.Fatalf("first seed printed %q", out.String())
			}
			out.Reset()
			if err := run(ctx, []string{"seed", "--db", dsn, "--samples"}, &out, &errs); err != nil {
				t.Fatalf("second seed: %v", err)
			}
			if strings.Contains(out.String(), " 1 created") || strings.Contains(out.String(), "updated, 0 unchanged;") {
				t.Fatalf("second seed changed records: %q", out.String())
			}
			out.Reset()
			if err := run(ctx, []string{"seed", "--db", dsn, "--synthetic", "--organizations", "5", "--services", "20", "--areas", "60"}, &out, &errs); err != nil {
				t.Fatalf("seed --synthetic: %v", err)
			}
			if !strings.Contains(out.String(), "synthetic: 5 organizations, 20 services") {
				t.Fatalf("synthetic printed %q", out.String())
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if n := db.Client.Service.Query().CountX(ctx); n != 4+9+20 {
				t.Fatalf("%d services after seed, samples and synthetic; want 33", n)
			}
		})
	}
}

func TestHelpAndBadUsage(t *testing.T) {
	ctx := context.Background()
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"--help"}, &out, &errs); err != nil || !strings.Contains(out.String(), "village serve") {
		t.Fatalf("--help: %v %q", err, out.String())
	}
	if !strings.Contains(out.String(), "village keys create") || !strings.Contains(out.String(), "village keys revoke") {
		t.Errorf("--help does not list the keys commands: %q", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"keys", "--help"}, &out, &errs); err != nil || !strings.Contains(out.String(), "village keys create --role ROLE") {
		t.Errorf("keys --help: %v %q", err, out.String())
	}
	errs.Reset()
	if err := run(ctx, []string{"keys"}, &out, &errs); err == nil || !strings.Contains(errs.String(), "village keys create --role ROLE") {
		t.Errorf("keys without a command: %v %q", err, errs.String())
	}
	// Asked-for help is an answer: on stdout, no error (exit status 0).
	for _, cmd := range []string{"serve", "migrate", "seed", "orgs", "keys create", "keys list", "keys revoke", "import", "export"} {
		for _, help := range []string{"--help", "-h"} {
			out.Reset()
			errs.Reset()
			if err := run(ctx, append(strings.Fields(cmd), help), &out, &errs); err != nil || !strings.Contains(out.String(), "-db") || errs.Len() > 0 {
				t.Errorf("%s %s: %v, stdout %q, stderr %q", cmd, help, err, out.String(), errs.String())
			}
		}
	}
	out.Reset()
	if err := run(ctx, []string{"keys", "create", "--help"}, &out, &errs); err != nil || !strings.Contains(out.String(), "village orgs") {
		t.Errorf("keys create --help does not say where to find an organization's ID: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"--version"}, &out, &errs); err != nil || !strings.HasPrefix(out.String(), "village ") || !strings.Contains(out.String(), ", commit ") {
		t.Errorf("--version: %v %q", err, out.String())
	}
	if err := run(ctx, []string{"frobnicate"}, &out, &errs); err == nil {
		t.Fatal("unknown command accepted")
	}
	if err := run(ctx, []string{"migrate", "--db", filepath.Join(t.TempDir(), "x.db"), "--nope"}, &out, &errs); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

// TestServeSeedsAndShutsDown starts serve on an empty database, reads the
// seeded directory over HTTP, is held to its rate limit, and stops as
// SIGTERM would.
func TestServeSeedsAndShutsDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out, errs bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", "--db", filepath.Join(t.TempDir(), "v.db"), "--addr", addr,
			"--rate-limit", "0.01", "--rate-burst", "2"}, &out, &errs)
	}()
	var body []byte
	for range 100 {
		res, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"{ programs { totalCount } }"}`))
		if err == nil {
			body, _ = io.ReadAll(res.Body)
			res.Body.Close()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(string(body), `"totalCount":7`) {
		t.Fatalf("serve on an empty database answered %q", body)
	}
	var statuses []int
	for range 2 {
		res, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		statuses = append(statuses, res.StatusCode)
	}
	if statuses[0] != http.StatusOK || statuses[1] != http.StatusTooManyRequests {
		t.Errorf("requests 2 and 3 with --rate-burst 2: %v, want [200 429]", statuses)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

// TestServeRefusesABurstlessRateLimit: a rate with no burst would refuse
// every request; serve says so instead of starting.
func TestServeRefusesABurstlessRateLimit(t *testing.T) {
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"serve", "--db", filepath.Join(t.TempDir(), "v.db"), "--rate-limit", "5", "--rate-burst", "0"}, &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "--rate-burst") {
		t.Errorf("serve --rate-limit 5 --rate-burst 0: %v, want an error naming --rate-burst", err)
	}
}

// TestKeysCommands creates keys (by each form of organization ID), lists
// them without their secrets, revokes one, and checks what the API would
// accept at each step.
func TestKeysCommands(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, backend)
			keys := func(args ...string) (string, error) {
				var out, errs bytes.Buffer
				err := run(ctx, append(append([]string{"keys"}, args...), "--db", dsn), &out, &errs)
				return out.String() + errs.String(), err
			}
			if out, err := keys("list"); err != nil || !strings.Contains(out, "No API keys") {
				t.Fatalf("list on an empty database: %v %q", err, out)
			}
			var seedOut, errs bytes.Buffer
			if err := run(ctx, []string{"seed", "--db", dsn, "--samples"}, &seedOut, &errs); err != nil {
				t.Fatalf("seed: %v %s", err, errs.String())
			}
			db, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			org := db.Client.Organization.Query().Where(organization.ExternalID("organization:sample-suffolk-family-nursing")).OnlyX(ctx)
			other := db.Client.Organization.Query().Where(organization.ExternalID("organization:sample-mattapan-pediatrics")).OnlyX(ctx)
			events := db.Client.ChangeEvent.Query().CountX(ctx)

			// orgs lists the ID keys create --org takes, with the name.
			var orgsOut bytes.Buffer
			if err := run(ctx, []string{"orgs", "--db", dsn, "SUFFOLK family"}, &orgsOut, &errs); err != nil {
				t.Fatalf("orgs: %v %s", err, errs.String())
			}
			if lines := strings.Split(strings.TrimSpace(orgsOut.String()), "\n"); len(lines) != 2 ||
				!strings.HasPrefix(lines[1], relay.Encode(org.ID)+" ") || !strings.Contains(lines[1], org.Name) {
				t.Errorf("orgs SUFFOLK family: want a header and %s %s, got %q", relay.Encode(org.ID), org.Name, orgsOut.String())
			}
			orgsOut.Reset()
			if err := run(ctx, []string{"orgs", "--db", dsn}, &orgsOut, &errs); err != nil {
				t.Fatalf("orgs: %v", err)
			}
			if n, want := strings.Count(orgsOut.String(), "\n")-1, db.Client.Organization.Query().CountX(ctx); n != want {
				t.Errorf("orgs listed %d organizations, want %d", n, want)
			}

			secretOf := func(out string) string {
				t.Helper()
				for _, line := range strings.Split(out, "\n") {
					if strings.HasPrefix(line, "vlg_") {
						return line
					}
				}
				t.Fatalf("no secret in %q", out)
				return ""
			}
			out, err := keys("create", "--role", "staff", "--name", "Call center")
			if err != nil || !strings.Contains(out, "shown only this once") {
				t.Fatalf("create staff: %v %q", err, out)
			}
			staff := secretOf(out)
			out, err = keys("create", "--role", "EDITOR", "--name", "Suffolk sync",
				"--org", relay.Encode(org.ID), "--org", "village-seed:organization:sample-mattapan-pediatrics")
			if err != nil {
				t.Fatalf("create editor: %v %q", err, out)
			}
			editor := secretOf(out)
			v, err := auth.Authenticate(ctx, db.Client, editor)
			if err != nil || v.Role != auth.Editor || v.Name != "Suffolk sync" || len(v.Organizations) != 2 ||
				!slices.Contains(v.Organizations, org.ID) || !slices.Contains(v.Organizations, other.ID) {
				t.Fatalf("editor key authenticates as %+v, %v", v, err)
			}
			if v, err := auth.Authenticate(ctx, db.Client, staff); err != nil || v.Role != auth.Staff {
				t.Fatalf("staff key authenticates as %+v, %v", v, err)
			}

			for what, args := range map[string][]string{
				"unknown role":            {"create", "--role", "owner", "--name", "x"},
				"no role":                 {"create", "--name", "x"},
				"no name":                 {"create", "--role", "reader"},
				"editor without orgs":     {"create", "--role", "editor", "--name", "x"},
				"reader with orgs":        {"create", "--role", "reader", "--name", "x", "--org", relay.Encode(org.ID)},
				"bad org ID":              {"create", "--role", "editor", "--name", "x", "--org", "12"},
				"unknown external ID":     {"create", "--role", "editor", "--name", "x", "--org", "village-seed:organization:nope"},
				"org ID of another type":  {"create", "--role", "editor", "--name", "x", "--org", relay.Encode(org.ID + 1<<40)},
				"stray argument":          {"create", "--role", "reader", "--name", "x", "extra"},
				"revoke without ID":       {"revoke"},
				"revoke a bad ID":         {"revoke", "not-an-id"},
				"revoke an unknown key":   {"revoke", relay.Encode(999)},
				"list with an argument":   {"list", "all"},
				"unknown keys subcommand": {"rotate"},
			} {
				if out, err := keys(args...); err == nil {
					t.Errorf("%s: accepted: %q", what, out)
				}
			}

			out, err = keys("list")
			if err != nil {
				t.Fatal(err)
			}
			all, err := auth.ListKeys(ctx, db.Client)
			if err != nil || len(all) != 2 {
				t.Fatalf("%d keys stored (%v), want 2", len(all), err)
			}
			for _, k := range all {
				if !strings.Contains(out, relay.Encode(k.ID)) || !strings.Contains(out, k.Name) || !strings.Contains(out, k.Prefix) ||
					strings.Contains(out, k.SecretHash) {
					t.Errorf("list %q does not show key %s as it should", out, k.Name)
				}
			}
			for _, want := range []string{"NAME", "ROLE", "PREFIX", "ORGANIZATIONS", "CREATED", "REVOKED", "staff", "editor",
				"Suffolk Family Nursing (sample)", "Mattapan Pediatrics (sample)", relay.Encode(org.ID)} {
				if !strings.Contains(out, want) {
					t.Errorf("list lacks %q: %q", want, out)
				}
			}
			if strings.Contains(out, staff) || strings.Contains(out, editor) {
				t.Fatalf("list shows a secret: %q", out)
			}

			// Revoke the staff key: refused at once; the editor's still works.
			var staffID int
			for _, k := range all {
				if k.Name == "Call center" {
					staffID = k.ID
				}
			}
			if out, err := keys("revoke", relay.Encode(staffID)); err != nil || !strings.Contains(out, "Revoked") {
				t.Fatalf("revoke: %v %q", err, out)
			}
			if _, err := auth.Authenticate(ctx, db.Client, staff); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("revoked key authenticates: %v", err)
			}
			if _, err := auth.Authenticate(ctx, db.Client, editor); err != nil {
				t.Fatalf("the other key stopped working: %v", err)
			}
			if out, err := keys("revoke", relay.Encode(staffID)); err != nil || !strings.Contains(out, "already revoked") {
				t.Fatalf("revoking twice: %v %q", err, out)
			}
			out, _ = keys("list")
			for _, line := range strings.Split(out, "\n") {
				revokedShown := !strings.HasSuffix(strings.TrimSpace(line), "-")
				switch {
				case strings.Contains(line, "Call center") && !revokedShown:
					t.Errorf("revoked key listed as live: %q", line)
				case strings.Contains(line, "Suffolk sync") && revokedShown:
					t.Errorf("live key listed as revoked: %q", line)
				}
			}
			// Creating a key is not a directory change: no event.
			if n := db.Client.ChangeEvent.Query().CountX(ctx); n != events {
				t.Errorf("keys logged %d change events", n-events)
			}
		})
	}
}

func TestImportCommand(t *testing.T) {
	pkg := filepath.Join("..", "..", "internal", "hsds", "testdata", "openreferral-spec-3.0", "examples", "csv")
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, backend)
			var out, errs bytes.Buffer
			if err := run(ctx, []string{"import", pkg, "--db", dsn, "--dry-run"}, &out, &errs); err != nil {
				t.Fatalf("import --dry-run: %v\n%s", err, errs.String())
			}
			if !strings.Contains(out.String(), "dry run: nothing written") || !strings.Contains(out.String(), "Service:           1 created") {
				t.Fatalf("dry run printed %q", out.String())
			}
			if errs.Len() != 0 {
				t.Errorf("progress written off a terminal: %q", errs.String())
			}
			out.Reset()
			if err := run(ctx, []string{"import", "--db", dsn, "--source", "demo", pkg}, &out, &errs); err != nil {
				t.Fatalf("import: %v\n%s", err, errs.String())
			}
			for _, want := range []string{`source "demo"`, "Service:           1 created", "locations.csv row 1 field latitude: impossible coordinates"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("import printed no %q:\n%s", want, out.String())
				}
			}
			if backend == dialect.Postgres {
				// The import refreshed the planner's statistics itself.
				db, err := store.Open(ctx, dsn, store.Options{})
				if err != nil {
					t.Fatal(err)
				}
				var analyzed bool
				err = db.SQL.QueryRowContext(ctx, "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'services'").Scan(&analyzed)
				db.Close()
				if err != nil || !analyzed {
					t.Errorf("services not analyzed after the import (%v)", err)
				}
			}
			out.Reset()
			if err := run(ctx, []string{"import", "--db", dsn, "--source", "demo", pkg}, &out, &errs); err != nil {
				t.Fatalf("second import: %v", err)
			}
			if !strings.Contains(out.String(), "Service:           0 created, 0 updated, 1 unchanged") {
				t.Errorf("second import printed:\n%s", out.String())
			}
			out.Reset()
			err := run(ctx, []string{"import", "--db", dsn, filepath.Join("..", "..", "internal", "hsds", "testdata", "ohana-api-smc", "sample-csv")}, &out, &errs)
			if err == nil || !strings.Contains(out.String(), "errors (nothing written)") {
				t.Errorf("Ohana import: err %v, printed:\n%s", err, out.String())
			}
			if err := run(ctx, []string{"import", "--db", dsn}, &out, &errs); err == nil {
				t.Errorf("import without PATH succeeded")
			}
		})
	}
}

// A package file leading out of the package, or over --max-file-bytes,
// refuses the import: a failing command, a message naming the file and
// why, nothing written.
func TestImportCommandRefusesFilesOutsideThePackage(t *testing.T) {
	const orgs = "id,name,description\n0b6b7bd5-4b8f-4d0c-9d3a-0e2c9f1d2a01,Inside Organization,Kept in the package\n"
	const services = "id,organization_id,name,description,status\n6a1c3f0e-2b7d-4e59-8f41-3c2d1e0f9a02,0b6b7bd5-4b8f-4d0c-9d3a-0e2c9f1d2a01,Inside Service,Kept,active\n"
	outside := filepath.Join(t.TempDir(), "services.csv")
	pkg := t.TempDir()
	for name, content := range map[string]string{"organizations.csv": orgs, outside: services} {
		if !filepath.IsAbs(name) {
			name = filepath.Join(pkg, name)
		}
		if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(pkg, "services.csv")); err != nil {
		t.Fatal(err)
	}
	small := t.TempDir()
	for name, content := range map[string]string{"organizations.csv": orgs, "services.csv": services} {
		if err := os.WriteFile(filepath.Join(small, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, backend)
			for _, c := range []struct {
				args []string
				want string
			}{
				{[]string{"import", "--db", dsn, pkg}, "services.csv: a symbolic link leading out of the package"},
				{[]string{"import", "--db", dsn, "--max-file-bytes", "100", small}, "services.csv: 144 bytes, over the limit of 100 bytes per package file"},
			} {
				var out, errs bytes.Buffer
				err := run(ctx, c.args, &out, &errs)
				if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "nothing written") {
					t.Errorf("%v: err %v, want %q", c.args[3:], err, c.want)
				}
				if !strings.Contains(out.String(), "errors (nothing written) (1):\n  "+c.want) {
					t.Errorf("%v printed:\n%s", c.args[3:], out.String())
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
			// The same package within the limit is imported.
			var out, errs bytes.Buffer
			if err := run(ctx, []string{"import", "--db", dsn, "--max-file-bytes", "144", small}, &out, &errs); err != nil {
				t.Fatalf("import within the limit: %v\n%s", err, out.String())
			}
			if n := db.Client.Organization.Query().CountX(ctx); n != 1 {
				t.Errorf("import within the limit wrote %d organizations", n)
			}
		})
	}
}

// import --needs-map maps the imported vocabulary's terms to needs after
// the import; a crosswalk naming an unknown need refuses before anything
// is written.
func TestImportCommandNeedsMap(t *testing.T) {
	pkg := t.TempDir()
	for name, body := range map[string]string{
		"organizations.csv":  "id,name,description\n1234,Harbor Org,An organization\n",
		"services.csv":       "id,organization_id,name,status\nsvc-9,1234,Harbor Home Visits,active\n",
		"taxonomy_terms.csv": "id,code,name,description,taxonomy\nt-7,HV-1,Home visits,Visits at home,Local Codes\n",
		"attributes.csv":     "id,link_id,taxonomy_term_id,link_type,link_entity,value\na-1,svc-9,t-7,service,service,\n",
	} {
		if err := os.WriteFile(filepath.Join(pkg, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	crosswalk := func(body string) string {
		p := filepath.Join(t.TempDir(), "needs.csv")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, backend)
			var out, errs bytes.Buffer
			if err := run(ctx, []string{"seed", "--db", dsn}, &out, &errs); err != nil {
				t.Fatalf("seed: %v\n%s", err, errs.String())
			}
			out.Reset()
			err := run(ctx, []string{"import", "--db", dsn, "--needs-map", crosswalk("vocabulary,term,need\nLocal Codes,HV-1,no-such-need\n"), pkg}, &out, &errs)
			if err == nil || !strings.Contains(err.Error(), "row 1 field need") || strings.Contains(out.String(), "created") {
				t.Fatalf("an unknown need: %v\n%s", err, out.String())
			}
			out.Reset()
			if err := run(ctx, []string{"import", "--db", dsn, "--needs-map", crosswalk("vocabulary,term,need\nLocal Codes,HV-1,home-visiting\n"), pkg}, &out, &errs); err != nil {
				t.Fatalf("import: %v\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), "1 term(s) mapped, 0 already so") {
				t.Errorf("import printed:\n%s", out.String())
			}
		})
	}
}

// TestByteSizeFlag: --memory-limit takes bytes, or a number with a unit.
func TestByteSizeFlag(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "200MiB": 200 << 20, "1GiB": 1 << 30, "150MB": 150e6, "64 KiB": 64 << 10, "0": 0} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%q: %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "12 parsecs", "-5MiB", "1.5GiB", "99999999999GiB"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("%q: accepted as %d", in, b)
		}
	}
}
