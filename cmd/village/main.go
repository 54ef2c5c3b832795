// Command village is Village's one binary: it serves the directory's GraphQL
// API and console, migrates the database, and loads the seed directory.
//
//	village serve   [--db PATH|URL] [--addr :8080] [--cors-origins a,b]
//	village migrate [--db PATH|URL]
//	village seed    [--db PATH|URL] [--samples] [--synthetic [--services N ...]]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/village-directory/village/internal/seed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/synthetic"
	"github.com/village-directory/village/server"
)

const defaultDB = "./data/village.db"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "village:", err)
		}
		os.Exit(2)
	}
}

// run dispatches a command line; it is main without the process around it,
// so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, rest, stdout, stderr)
	case "seed":
		return seedCmd(ctx, rest, stdout, stderr)
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", cmd)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Village: an open directory API for early childhood services.

Usage:
  village serve   [flags]   serve the GraphQL API (/graphql) and console (/)
  village migrate [flags]   create or update the database schema
  village seed    [flags]   load the directory's true seed facts (--samples adds illustrative local services,
                            --synthetic a synthetic national directory for scale tests)

Run 'village COMMAND --help' for a command's flags.
`)
}

// dbFlag registers --db, defaulting to $DATABASE_URL, then ./data/village.db.
func dbFlag(fs *flag.FlagSet) *string {
	def := defaultDB
	if env := os.Getenv("DATABASE_URL"); env != "" {
		def = env
	}
	return fs.String("db", def, "SQLite file path or postgres:// URL (env DATABASE_URL)")
}

func newFlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: village %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

// openMigrated opens the database and brings its schema up to date.
func openMigrated(ctx context.Context, dsn string) (*store.DB, error) {
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "Create or update the database schema. Safe to run repeatedly.", stderr)
	dsn := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "migrated %s database\n", db.Dialect)
	return nil
}

func seedCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", "Load the directory's true seed facts (programs, organizations, resources, needs taxonomy, funders).\nIdempotent: running it again changes nothing.", stderr)
	dsn := dbFlag(fs)
	samples := fs.Bool("samples", false, "also load illustrative local services, each marked sample")
	synth := fs.Bool("synthetic", false, "also generate a synthetic national directory for scale tests (every record marked sample)")
	size := synthetic.DefaultSize
	fs.IntVar(&size.Organizations, "organizations", size.Organizations, "with --synthetic: organizations to generate")
	fs.IntVar(&size.Services, "services", size.Services, "with --synthetic: services to generate")
	fs.IntVar(&size.Areas, "areas", size.Areas, "with --synthetic: coverage areas to generate")
	fs.Int64Var(&size.Seed, "random-seed", size.Seed, "with --synthetic: seed of the generator (same seed, same directory)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := loadSeed(ctx, db, *samples, stdout); err != nil {
		return err
	}
	if !*synth {
		return nil
	}
	progress := func(int, int) {}
	if isTerminal(stderr) {
		progress = func(done, total int) { fmt.Fprintf(stderr, "\rsynthetic: %d/%d records", done, total) }
	}
	report, err := synthetic.Generate(ctx, db.Client, size, progress)
	if isTerminal(stderr) {
		fmt.Fprintln(stderr)
	}
	if err != nil {
		return fmt.Errorf("synthetic: %w", err)
	}
	fmt.Fprintf(stdout, "synthetic: %v\n", report)
	return nil
}

// isTerminal reports whether w is a character device (a terminal), so
// progress is shown to people and kept out of logs and pipes.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

func loadSeed(ctx context.Context, db *store.DB, samples bool, stdout io.Writer) error {
	report, err := seed.Load(ctx, db.Client)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(stdout, "seed facts: %v\n", report)
	if samples {
		report, err := seed.LoadSamples(ctx, db.Client)
		if err != nil {
			return fmt.Errorf("seed samples: %w", err)
		}
		fmt.Fprintf(stdout, "seed samples: %v\n", report)
	}
	return nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "Serve the GraphQL API at /graphql and the GraphiQL console at /.\nAn empty database is migrated and seeded with the true facts on start.", stderr)
	dsn := dbFlag(fs)
	defAddr := ":8080"
	if p := os.Getenv("PORT"); p != "" {
		defAddr = p
		if !strings.Contains(p, ":") {
			defAddr = ":" + p
		}
	}
	addr := fs.String("addr", defAddr, "address to listen on (env PORT)")
	defOrigins := "*"
	if o := os.Getenv("VILLAGE_CORS_ORIGINS"); o != "" {
		defOrigins = o
	}
	origins := fs.String("cors-origins", defOrigins, "comma-separated origins browsers may call from; * allows any (env VILLAGE_CORS_ORIGINS)")
	samples := fs.Bool("samples", false, "when seeding an empty database, also load the illustrative sample services")
	timeout := fs.Duration("request-timeout", server.DefaultConfig.RequestTimeout, "longest a request may run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	db, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	seeded, err := db.Client.Program.Query().Exist(ctx)
	if err != nil {
		return fmt.Errorf("inspect database: %w", err)
	}
	if !seeded {
		log.Info("empty database: loading the seed directory", "samples", *samples)
		if err := loadSeed(ctx, db, *samples, stdout); err != nil {
			return err
		}
	}

	cfg := server.DefaultConfig
	cfg.AllowedOrigins = splitList(*origins)
	cfg.RequestTimeout = *timeout
	srv := server.NewHTTPServer(*addr, server.New(db, cfg, log), cfg)
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("village serving", "addr", *addr, "database", db.Dialect, "console", "http://localhost"+portOf(*addr)+"/")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func portOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return addr[i:]
	}
	return ""
}
