package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	for _, cmd := range []string{"serve", "migrate", "seed"} {
		errs.Reset()
		if err := run(ctx, []string{cmd, "--help"}, &out, &errs); err == nil || !strings.Contains(errs.String(), "-db") {
			t.Errorf("%s --help: %v %q", cmd, err, errs.String())
		}
	}
	if err := run(ctx, []string{"frobnicate"}, &out, &errs); err == nil {
		t.Fatal("unknown command accepted")
	}
	if err := run(ctx, []string{"migrate", "--db", filepath.Join(t.TempDir(), "x.db"), "--nope"}, &out, &errs); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

// TestServeSeedsAndShutsDown starts serve on an empty database, reads the
// seeded directory over HTTP, and stops it as SIGTERM would.
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
		done <- run(ctx, []string{"serve", "--db", filepath.Join(t.TempDir(), "v.db"), "--addr", addr}, &out, &errs)
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
