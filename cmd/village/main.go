// Command village is Village's one binary: it serves the directory's GraphQL
// API, HSDS read API and console, migrates the database, loads the seed
// directory, manages API keys, and imports and exports Open Referral HSDS.
//
//	village serve   [--db PATH|URL] [--addr :8080] [--cors-origins a,b] [--log-format text|json] [--metrics-addr :9090] …
//	village migrate [--db PATH|URL]
//	village orgs    [--db PATH|URL] [TEXT]
//	village seed    [--db PATH|URL] [--samples] [--synthetic [--services N ...]]
//	village keys create --role ROLE [--org ID ...] --name NAME [--db PATH|URL]
//	village keys list   [--db PATH|URL]
//	village keys revoke [--db PATH|URL] ID
//	village import  PATH [--db PATH|URL] [--dry-run] [--strict] [--report FILE] [--source NAME] [--max-file-bytes N] [--max-archive-bytes N]
//	village export  --format json|csv DIR [--db PATH|URL]
//	village --version
//
// Every command takes --help (exit status 0); an import refusing its input
// (no HSDS package, or one with structural faults) exits 1; any other
// error, a usage error among them, exits 2.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/calls"
	"github.com/village-directory/village/internal/hsds"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/records"
	"github.com/village-directory/village/internal/seed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/synthetic"
	"github.com/village-directory/village/internal/telemetry"
	"github.com/village-directory/village/server"
)

const defaultDB = "./data/village.db"

// version is the release and commit the commit it was built from, set at
// build time with -ldflags "-X main.version=v1.2.3 -X main.commit=…" (make
// build does). Without them, what Go recorded: the module's version, and
// the commit when it built in a git checkout with -buildvcs.
var version, commit = "", ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "village:", err)
		os.Exit(exitCode(err))
	}
}

// run dispatches a command line; it is main without the process around it,
// so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return nil
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "version" {
		fmt.Fprintln(stdout, versionLine())
		return nil
	}
	if slices.ContainsFunc(args, isHelpFlag) {
		// Asked-for help is the answer, not an error: on stdout, exit 0.
		stderr = stdout
	}
	err := dispatch(ctx, args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

// exitCode is the exit status of a command that failed with err: 1 for an
// import that refused its input (imported nothing because it could not
// read it, or would not), 2 for anything else.
func exitCode(err error) int {
	var refused *hsds.ImportError
	if errors.As(err, &refused) {
		return 1
	}
	return 2
}

func isHelpFlag(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "--h"
}

// versionLine says which build this is: the version and the commit it was
// built from (with "modified" when the work tree had changes).
func versionLine() string {
	v, rev, modified := version, commit, false
	info, ok := debug.ReadBuildInfo()
	if ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && rev == "":
				rev = s.Value
			case s.Key == "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "dev"
	}
	if rev == "" {
		rev = "unknown"
	}
	if modified {
		rev += " (modified)"
	}
	goVersion := "go"
	if ok {
		goVersion = info.GoVersion
	}
	return fmt.Sprintf("village %s, commit %s, built with %s", v, rev, goVersion)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, rest, stdout, stderr)
	case "orgs":
		return orgsCmd(ctx, rest, stdout, stderr)
	case "seed":
		return seedCmd(ctx, rest, stdout, stderr)
	case "keys":
		return keysCmd(ctx, rest, stdout, stderr)
	case "export":
		return exportCmd(ctx, rest, stdout, stderr)
	case "import":
		return importCmd(ctx, rest, stdout, stderr)
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
  village orgs [TEXT]       list organizations (those whose name contains TEXT): their IDs for keys create --org
  village keys create --role ROLE [--org ID ...] --name NAME
                            create an API key (reader, staff, editor or admin); its secret is printed once
  village keys list         list API keys (never their secrets)
  village keys revoke ID    revoke an API key at once
  village import PATH [--dry-run] [--strict] [--report FILE] [--source NAME]
                            import an Open Referral HSDS package: a folder, a .zip, a datapackage.json
                            or a .json file (CSV tables, or JSON objects, arrays or NDJSON)
  village export --format json|csv DIR
                            write the directory as HSDS 3.0
  village --version         print the version and the commit it was built from

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
	db, err := store.Open(ctx, dsn, store.Options{Unprepared: !keepPreparedDefault()})
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
	return db.Analyze(ctx)
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
	streamTimeout := fs.Duration("stream-timeout", server.DefaultConfig.StreamTimeout, "longest a streamed listing (HSDS format=ndjson) may run")
	ratePerSecond := fs.Float64("rate-limit", 20, "requests a second each caller (an API key, or an address without one) may send on average; 0 sets no limit")
	rateBurst := fs.Int("rate-burst", 60, "requests a caller may send at once before --rate-limit applies")
	staleAfter := monthsFlag(match.DefaultStaleAfterMonths)
	callRetention := monthsFlag(calls.DefaultRetentionMonths)
	fs.Var(&callRetention, "call-retention", "how long logged calls (logCall) are kept before the server deletes them, swept on start and hourly: months, as 24, 18mo or 2y")
	fs.Var(&staleAfter, "stale-after", "how long after its last verification matching calls a listing stale (ranked after fresher ones, with a reason naming the month): months, as 12, 18mo or 2y")
	limits := graph.DefaultLimits
	fs.IntVar(&limits.MaxComplexity, "max-complexity", limits.MaxComplexity, "most a GraphQL operation may cost (COMPLEXITY_LIMIT_EXCEEDED past it)")
	fs.IntVar(&limits.MaxTokens, "max-tokens", limits.MaxTokens, "most tokens a GraphQL document may have (QUERY_TOO_LARGE past it)")
	fs.IntVar(&limits.MaxFields, "max-fields", limits.MaxFields, "most fields an operation may select, fragments expanded (QUERY_TOO_LARGE)")
	fs.IntVar(&limits.MaxAliases, "max-aliases", limits.MaxAliases, "most aliases an operation may use, fragments expanded (QUERY_TOO_LARGE)")
	fs.IntVar(&limits.MaxDepth, "max-depth", limits.MaxDepth, "deepest an operation may nest fields (QUERY_TOO_LARGE)")
	fs.IntVar(&limits.MaxTextLength, "max-text-length", limits.MaxTextLength, "longest text, in characters, a query may filter or search by (BAD_USER_INPUT)")
	fs.IntVar(&limits.MaxResponseBytes, "max-response-bytes", limits.MaxResponseBytes, "largest GraphQL answer sent (RESPONSE_TOO_LARGE past it)")
	logFormat := fs.String("log-format", "text", "log lines as text (key=value) or json")
	metricsAddr := fs.String("metrics-addr", "", "serve Prometheus metrics at /metrics on this address of their own (for example :9090) instead of on --addr")
	cacheMaxAge := fs.Duration("cache-max-age", server.DefaultConfig.CacheMaxAge, "how long shared caches may keep an anonymous GET's answer (Cache-Control: public, max-age); a minute at most for answers that depend on the clock")
	responseCache := fs.Int64("response-cache-bytes", server.DefaultConfig.ResponseCacheBytes, "bytes of anonymous GraphQL answers kept in memory and answered again until the next write or the next UTC day (a minute for openNow/openAt); 0 keeps none")
	var memLimit byteSize
	fs.Var(&memLimit, "memory-limit", "soft limit on the process's memory (Go's GOMEMLIMIT): the garbage collector works harder as it nears it, so the resident size stays near what the server holds; bytes, or with a unit: 200MiB, 1GiB; 0: none (unset: GOMEMLIMIT, else set once the indexes are built to what the server then holds, plus the response cache, plus 48 MiB on PostgreSQL, 32 MiB on SQLite, or a quarter of what it holds, whichever is more)")
	introspection := fs.Bool("introspection", true, "answer GraphQL introspection (__schema, __type); --introspection=false refuses it")
	trustedDocs := fs.String("trusted-documents", "", "run only the GraphQL documents listed in this file (Apollo's persisted-query manifest or Relay's {id: text} map); automatic persisted queries then register none")
	drainPeriod := fs.Duration("drain-period", 5*time.Second, "on SIGTERM, how long /readyz answers 503 while requests are still served, before the listener closes")
	shutdownTimeout := fs.Duration("shutdown-timeout", 20*time.Second, "after the drain period, how long requests in flight may take to finish")
	var replicas stringList
	fs.Var(&replicas, "read-replica", "postgres:// `URL` of a streaming replica of the --db primary to send reads to (repeatable); writes, the change feed and the indexes stay on the primary")
	maxLag := fs.Duration("replica-max-lag", store.DefaultReplicaMaxLag, "take a read replica further behind the primary than this out of rotation until it catches up")
	keepPrepared := fs.Bool("keep-prepared", keepPreparedDefault(), "keep the statements a PostgreSQL connection runs again prepared on the server (one round trip each instead of two); --keep-prepared=false behind a connection pooler in transaction mode, which cannot carry them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *maxLag <= 0 {
		return fmt.Errorf("--replica-max-lag must be positive")
	}
	if *ratePerSecond < 0 || (*ratePerSecond > 0 && *rateBurst < 1) {
		return fmt.Errorf("--rate-limit must be 0 (no limit) or positive, with --rate-burst at least 1")
	}
	memLimitSet := os.Getenv("GOMEMLIMIT") != ""
	fs.Visit(func(f *flag.Flag) { memLimitSet = memLimitSet || f.Name == "memory-limit" })
	if memLimit > 0 {
		debug.SetMemoryLimit(int64(memLimit))
	}
	if *responseCache < 0 {
		return fmt.Errorf("--response-cache-bytes must not be negative (0 keeps no answers)")
	}
	if *drainPeriod < 0 || *shutdownTimeout < 0 {
		return fmt.Errorf("--drain-period and --shutdown-timeout must not be negative")
	}
	log, err := newLogger(*logFormat, stderr)
	if err != nil {
		return err
	}
	var trusted *graph.TrustedDocuments
	if *trustedDocs != "" {
		if trusted, err = graph.LoadTrustedDocuments(*trustedDocs); err != nil {
			return fmt.Errorf("--trusted-documents: %w", err)
		}
	}
	tp, stopTracing, err := telemetry.Tracing(ctx, versionLine())
	if err != nil {
		return err
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := stopTracing(flushCtx); err != nil {
			log.Warn("tracing: flushing spans failed", "error", err)
		}
	}()

	if len(replicas) > 0 && !store.IsPostgres(*dsn) {
		return fmt.Errorf("--read-replica needs a PostgreSQL primary: --db (or DATABASE_URL) must be a postgres:// URL; SQLite has no replicas")
	}
	db, err := store.Open(ctx, *dsn, store.Options{TracerProvider: tp, ReadReplicas: replicas, ReplicaMaxLag: *maxLag, Logger: log, Unprepared: !*keepPrepared})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := store.Migrate(ctx, db); err != nil {
		return err
	}
	inUse, err := seed.TablesInUse(ctx, db.SQL)
	if err != nil {
		return fmt.Errorf("inspect database: %w", err)
	}
	if len(inUse) == 0 {
		log.Info("empty database: loading the seed directory", "samples", *samples)
		if err := loadSeed(ctx, db, *samples, stdout); err != nil {
			return err
		}
	} else {
		log.Info("the database holds records: not seeding it", "tables", strings.Join(inUse, ","))
	}

	// The call log's retention: swept now and hourly while serving.
	go calls.RunSweeps(ctx, db.Client, int(callRetention), log)

	cfg := server.DefaultConfig
	cfg.AllowedOrigins = splitList(*origins)
	cfg.RequestTimeout = *timeout
	cfg.StreamTimeout = *streamTimeout
	cfg.RateLimit = server.RateLimit{PerSecond: *ratePerSecond, Burst: *rateBurst}
	cfg.Limits = limits
	cfg.StaleAfterMonths = int(staleAfter)
	cfg.CacheMaxAge = *cacheMaxAge
	cfg.ResponseCacheBytes = *responseCache
	cfg.WarmIndexes = true
	if !memLimitSet {
		cfg.MemoryHeadroom = defaultMemoryHeadroom(db.Dialect == dialect.Postgres)
	}
	cfg.DisableIntrospection = !*introspection
	cfg.TrustedDocuments = trusted
	cfg.Metrics = telemetry.NewMetrics()
	cfg.ServeMetrics = *metricsAddr == ""
	cfg.TracerProvider = tp
	drain := make(chan struct{})
	cfg.Draining = drain
	servers := []*http.Server{server.NewHTTPServer(*addr, server.New(db, cfg, log), cfg)}
	if *metricsAddr != "" {
		servers = append(servers, server.NewHTTPServer(*metricsAddr, server.MetricsHandler(cfg.Metrics), cfg))
	}
	errc := make(chan error, len(servers))
	for _, srv := range servers {
		go func() { errc <- srv.ListenAndServe() }()
	}
	log.Info("village serving", "addr", *addr, "database", db.Dialect, "console", "http://localhost"+portOf(*addr)+"/",
		"metrics", cmp.Or(*metricsAddr, *addr), "trusted_documents", trusted.Len(), "introspection", *introspection,
		"read_replicas", len(replicas))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Draining: /readyz says 503 at once, so load balancers stop sending
	// traffic, while the listener keeps serving what still comes; without
	// keep-alives, clients open their next connection elsewhere.
	close(drain)
	servers[0].SetKeepAlivesEnabled(false)
	log.Info("draining: /readyz answers 503; still serving", "drain_period", drainPeriod.String())
	select {
	case err := <-errc:
		return err
	case <-time.After(*drainPeriod):
	}
	log.Info("shutting down: finishing requests in flight", "timeout", shutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return nil
}

// defaultMemoryHeadroom is the headroom of serve's memory limit when none
// is given (see server.Config.MemoryHeadroom and server/doc.go, Memory):
// 48 MiB on PostgreSQL, 32 MiB on SQLite, whose driver's own allocations
// (modernc's C heap and page caches, outside the Go runtime and its limit)
// take the rest of the same resident size. At national size the limit is
// then about 96 and 80 MB, and the process stays under 145 MB resident
// with 16 nested lists at a time on either backend.
func defaultMemoryHeadroom(postgres bool) int64 {
	if postgres {
		return 48 << 20
	}
	return 32 << 20
}

// byteSize is a number of bytes: "1048576", "200MiB", "1GiB", "150MB".
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(s string) error {
	s = strings.TrimSpace(s)
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.TrimSpace(s[len(num):])
	scale := map[string]int64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || scale == 0 || n < 0 || n > math.MaxInt64/scale {
		return fmt.Errorf("give bytes, or a number with B, KB, MB, GB, KiB, MiB or GiB (got %q)", s)
	}
	*b = byteSize(n * scale)
	return nil
}

// monthsFlag is a number of months: "12", "18mo", "18 months", "2y".
type monthsFlag int

func (m *monthsFlag) String() string { return strconv.Itoa(int(*m)) }

func (m *monthsFlag) Set(s string) error {
	t := strings.ToLower(strings.TrimSpace(s))
	unit := 1
	for _, suffix := range []struct {
		text  string
		times int
	}{{"months", 1}, {"month", 1}, {"mo", 1}, {"m", 1}, {"years", 12}, {"year", 12}, {"y", 12}} {
		if strings.HasSuffix(t, suffix.text) {
			t, unit = strings.TrimSpace(strings.TrimSuffix(t, suffix.text)), suffix.times
			break
		}
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 1 || n*unit > 1200 {
		return fmt.Errorf("%q is not a number of months from 1 to 1200 (for example 12, 18mo or 2y)", s)
	}
	*m = monthsFlag(n * unit)
	return nil
}

// newLogger returns the logger --log-format asks for.
func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
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

const keysUsage = `Usage:
  village keys create --role ROLE [--org ID ...] --name NAME [--db PATH|URL]
  village keys list   [--db PATH|URL]
  village keys revoke [--db PATH|URL] ID

An editor key's --org is an organization's ID as 'village orgs' lists it.

API keys identify the clients of the GraphQL API, which send them as
"Authorization: Bearer <key>". Roles: reader (public data, identified),
staff (also confidential addresses, staff-only phones, internal notes),
editor (writes its organizations' records; needs --org), admin (everything).
Only a hash of a key is stored: create prints the secret once.

Run 'village keys COMMAND --help' for a command's flags.
`

// keysCmd manages API keys. It runs as trusted internal code (no viewer):
// whoever can run it can open the database anyway.
func keysCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return fmt.Errorf("keys needs a command: create, list or revoke")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, keysUsage)
		return flag.ErrHelp
	case "create":
		return keysCreate(ctx, args[1:], stdout, stderr)
	case "list":
		return keysList(ctx, args[1:], stdout, stderr)
	case "revoke":
		return keysRevoke(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprint(stderr, keysUsage)
	return fmt.Errorf("unknown keys command %q", args[0])
}

// stringList is a repeatable flag; each value may also list several,
// comma-separated.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, splitList(v)...)
	return nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func keysCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("keys create", "Create an API key and print its secret, once: only a hash is stored.\n\n"+
		"An editor's organizations are given with --org, by ID: 'village orgs [TEXT]' lists every organization\n"+
		"(or those whose name contains TEXT) with its ID, as does the GraphQL query\n"+
		"{ organizations(first: 100) { edges { node { id name } } } }. The seed's organizations may also be given\n"+
		"as village-seed:SLUG, an imported one as SOURCE:EXTERNAL_ID.", stderr)
	dsn := dbFlag(fs)
	role := fs.String("role", "", "reader, staff, editor or admin (required)")
	name := fs.String("name", "", "who the key is for, shown in logs and as the change feed's actor (required)")
	var orgs stringList
	fs.Var(&orgs, "org", "for an editor: an organization it may write, as its ID ('village orgs' lists them) or SOURCE:EXTERNAL_ID (repeatable)")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(rest) > 0:
		return fmt.Errorf("keys create takes no arguments (got %q); use --name, --role and --org", rest)
	case strings.TrimSpace(*name) == "":
		return fmt.Errorf("keys create needs --name")
	case *role == "":
		return fmt.Errorf("keys create needs --role (reader, staff, editor or admin)")
	}
	db, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	orgIDs := make([]int, 0, len(orgs))
	for _, o := range orgs {
		id, err := resolveOrganization(ctx, db.Client, o)
		if err != nil {
			return err
		}
		orgIDs = append(orgIDs, id)
	}
	secret, key, err := auth.CreateKey(ctx, db.Client, strings.TrimSpace(*name), auth.Role(strings.ToUpper(*role)), orgIDs)
	if err != nil {
		return fmt.Errorf("create key: %w", err)
	}
	fmt.Fprintf(stdout, "Created %s key %q, ID %s.\n", strings.ToLower(string(key.Role)), key.Name, relay.Encode(key.ID))
	fmt.Fprintf(stdout, "Its secret is shown only this once and cannot be recovered (revoke the key and create another if it is lost):\n\n%s\n\n", secret)
	fmt.Fprintln(stdout, `Clients send it as "Authorization: Bearer <secret>".`)
	return nil
}

// orgsCmd lists organizations with the IDs keys create --org takes. Like
// keys, it runs as trusted internal code: it lists every organization.
func orgsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("orgs", "List organizations by name, with their IDs (as keys create --org and the GraphQL API take them)\n"+
		"and external IDs. With TEXT, only those whose name contains it (any case).\n\n  village orgs [TEXT] [flags]", stderr)
	dsn := dbFlag(fs)
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return fmt.Errorf("orgs takes at most one TEXT to look for (got %q); quote a name with spaces", rest)
	}
	db, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	q := db.Client.Organization.Query().Order(ent.Asc(organization.FieldName), ent.Asc(organization.FieldID))
	if len(rest) == 1 {
		q = q.Where(organization.NameContainsFold(rest[0]))
	}
	orgs, err := q.All(ctx)
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		fmt.Fprintln(stdout, "No organizations found. 'village seed' loads the directory's own.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tEXTERNAL ID")
	for _, o := range orgs {
		external := "-"
		if o.ExternalSource != "" && o.ExternalID != "" {
			external = o.ExternalSource + ":" + o.ExternalID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", relay.Encode(o.ID), o.Name, external)
	}
	return tw.Flush()
}

// resolveOrganization reads an organization given as its GraphQL ID or as
// SOURCE:EXTERNAL_ID (an integrator's identifier; the seed's are
// village-seed:SLUG).
func resolveOrganization(ctx context.Context, client *ent.Client, ref string) (int, error) {
	if source, external, ok := strings.Cut(ref, ":"); ok {
		id, err := client.Organization.Query().
			Where(organization.ExternalSource(source), organization.ExternalID(external)).
			OnlyID(ctx)
		if ent.IsNotFound(err) {
			return 0, fmt.Errorf("no organization has external ID %q in source %q", external, source)
		}
		return id, err
	}
	id, err := relay.Decode(ref)
	if err != nil {
		return 0, fmt.Errorf("--org %s: give an organization's GraphQL ID or SOURCE:EXTERNAL_ID", ref)
	}
	ok, err := client.Organization.Query().Where(organization.ID(id)).Exist(ctx)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("no organization has ID %s", ref)
	}
	return id, nil
}

func keysList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("keys list", "List API keys, newest first: never their secrets, only the first characters to recognise them by.", stderr)
	dsn := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("keys list takes no arguments (got %q)", fs.Args())
	}
	db, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	keys, err := auth.ListKeys(ctx, db.Client)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		fmt.Fprintln(stdout, "No API keys. Create one with 'village keys create'.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tPREFIX\tORGANIZATIONS\tCREATED\tREVOKED")
	for _, k := range keys {
		var orgs []string
		for _, o := range k.Edges.Organizations {
			orgs = append(orgs, fmt.Sprintf("%s (%s)", o.Name, relay.Encode(o.ID)))
		}
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s…\t%s\t%s\t%s\n", relay.Encode(k.ID), k.Name, strings.ToLower(string(k.Role)), k.Prefix,
			orDash(strings.Join(orgs, ", ")), k.CreatedAt.UTC().Format(time.RFC3339), revoked)
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func keysRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("keys revoke", "Revoke an API key, given as the ID 'village keys list' shows. It stops working at once.", stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: village keys revoke [flags] ID\n\nRevoke an API key, given as the ID 'village keys list' shows. It stops working at once.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	dsn := dbFlag(fs)
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return fmt.Errorf("keys revoke needs one key ID")
	}
	id, err := relay.Decode(rest[0])
	if err != nil {
		if n, convErr := strconv.Atoi(rest[0]); convErr == nil && n > 0 {
			id, err = n, nil
		} else {
			return fmt.Errorf("%q is not a key ID: give the ID 'village keys list' shows", rest[0])
		}
	}
	db, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	key, err := db.Client.APIKey.Get(ctx, id)
	if ent.IsNotFound(err) {
		return fmt.Errorf("no API key has ID %s", rest[0])
	} else if err != nil {
		return err
	}
	if key.RevokedAt != nil {
		fmt.Fprintf(stdout, "Key %q (%s) was already revoked at %s.\n", key.Name, relay.Encode(key.ID), key.RevokedAt.UTC().Format(time.RFC3339))
		return nil
	}
	if err := auth.RevokeKey(ctx, db.Client, id); err != nil {
		return fmt.Errorf("revoke key: %w", err)
	}
	fmt.Fprintf(stdout, "Revoked key %q (%s): it is refused from now on.\n", key.Name, relay.Encode(key.ID))
	return nil
}

// parseOneArg parses the flags of cmd, given before or after its one
// positional argument (named what), and returns that argument.
func parseOneArg(fs *flag.FlagSet, args []string, cmd, what string) (string, error) {
	var arg string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		args = fs.Args()
		if len(args) > 0 {
			if arg != "" {
				return "", fmt.Errorf("%s: one %s only (got %q and %q)", cmd, what, arg, args[0])
			}
			arg, args = args[0], args[1:]
		}
	}
	if arg == "" {
		fs.Usage()
		return "", fmt.Errorf("%s: %s is required", cmd, what)
	}
	return arg, nil
}

// keepPreparedDefault is whether PostgreSQL connections keep the statements
// they rerun prepared (store.Options.Unprepared): yes unless
// VILLAGE_KEEP_PREPARED is false, which every command honours (serve's
// --keep-prepared too), for a connection pooler in transaction mode.
func keepPreparedDefault() bool {
	v, err := strconv.ParseBool(os.Getenv("VILLAGE_KEEP_PREPARED"))
	return err != nil || v
}

func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "Import an Open Referral HSDS package: a folder of CSV tables (HSDS 3.0, the 3.1 draft,\nthe UK profile, HSDS 1.1 through a legacy mapping) or of JSON documents, a .zip of such a folder,\na datapackage.json (its resources name the tables, in any sub-folder), or a .json file (an object,\nan array, NDJSON or values one after another: every value is read).\nOne transaction: a package whose rows cannot be read refuses the whole package; row faults are\nrepaired or their rows dropped, each with a warning (--strict refuses on any). Re-importing changes nothing.\nInput that is not HSDS (the Ohana API's CSV or JSON among it) is refused, exit status 1.\n\n  village import PATH [flags]", stderr)
	dsn := dbFlag(fs)
	dryRun := fs.Bool("dry-run", false, "check the package and print the report, creating, migrating and writing nothing (a database not there yet, or not migrated, is compared as an empty directory)")
	source := fs.String("source", hsds.DefaultImportSource, "externalSource of the imported records, whose HSDS ids are their external ids (a record a Village export says came from another system, or one of this directory, keeps its own)")
	strict := fs.Bool("strict", false, "refuse the package on any warning (a repaired value, a dropped row), writing nothing")
	reportFile := fs.String("report", "", "also write the report as JSON to `FILE` (warnings grouped by kind, rows accounted per source table), even when the package is refused")
	maxFileBytes := fs.Int64("max-file-bytes", hsds.DefaultMaxImportFileBytes, "largest package file read, in bytes; a larger one refuses the package")
	maxArchiveBytes := fs.Int64("max-archive-bytes", hsds.DefaultMaxImportArchiveBytes, "most a .zip package may hold uncompressed, all files together, in bytes; more refuses the package")
	needsMap := fs.String("needs-map", "", "a CSV crosswalk (columns vocabulary, term, need) mapping the imported vocabularies' terms to Village's needs, applied after the import, so match(needs:) finds their services")
	metricsFile := fs.String("metrics-file", "", "write the import's metrics (records, warnings, result) to this file in Prometheus' text format, for node_exporter's textfile collector")
	path, err := parseOneArg(fs, args, "import", "PATH")
	if err != nil {
		return err
	}
	if *maxFileBytes <= 0 || *maxArchiveBytes <= 0 {
		return fmt.Errorf("import: --max-file-bytes and --max-archive-bytes must be positive, got %d and %d", *maxFileBytes, *maxArchiveBytes)
	}
	if os.Getenv("GOGC") == "" {
		// The import holds a whole package while it maps it: collecting
		// garbage when the heap has grown by half, not doubled, keeps the
		// process nearer what it holds (see hsds.ImportGCPercent). GOGC
		// set wins.
		debug.SetGCPercent(hsds.ImportGCPercent)
	}
	var db *store.DB
	if *dryRun {
		var note string
		db, note, err = openForDryRun(ctx, *dsn)
		if note != "" {
			fmt.Fprintln(stdout, note)
		}
	} else {
		db, err = openMigrated(ctx, *dsn)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	var crosswalk []hsds.NeedsMapRow
	if *needsMap != "" {
		// Read and checked before the import, which it must not follow
		// into a half-done state.
		if crosswalk, err = hsds.ReadNeedsMap(ctx, db.Client, *needsMap); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	// A soft memory limit from the live heap keeps a CSV package's import
	// under 300 MB resident (hsds.LimitImportMemory); GOMEMLIMIT set (even
	// "off") wins.
	opts := hsds.ImportOptions{Source: *source, DryRun: *dryRun, MaxFileBytes: *maxFileBytes, MaxArchiveBytes: *maxArchiveBytes, Strict: *strict,
		LimitMemory: os.Getenv("GOMEMLIMIT") == ""}
	tty := isTerminal(stderr)
	if tty {
		opts.Progress = importProgress(stderr, time.Now())
	}
	started := time.Now()
	report, err := hsds.Import(ctx, db.Client, path, opts)
	if tty && opts.Progress != nil {
		fmt.Fprintln(stderr)
	}
	if report != nil {
		fmt.Fprint(stdout, report)
		if *reportFile != "" {
			if werr := writeImportReport(*reportFile, report); werr != nil {
				return errors.Join(fmt.Errorf("import: write report: %w", werr), err)
			}
		}
	}
	if *metricsFile != "" && report != nil {
		if werr := telemetry.WriteImportMetrics(*metricsFile, importResult(report, err != nil, started)); werr != nil {
			return fmt.Errorf("import: --metrics-file: %w", werr)
		}
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if *needsMap != "" && !*dryRun {
		res, err := hsds.ApplyNeedsMap(ctx, db.Client, *needsMap, crosswalk)
		for _, w := range res.Warnings {
			fmt.Fprintln(stdout, "warning:", w)
		}
		if err != nil {
			// The crosswalk runs in a transaction of its own, after the
			// import's: say that the package is in, so a second run is
			// known to be safe (it changes nothing but the mapping).
			return fmt.Errorf("import: the package was imported, but the needs map was not applied (run the import again to apply it): %w", err)
		}
		fmt.Fprintf(stdout, "needs map %s: %d term(s) mapped, %d already so\n", *needsMap, res.Mapped, res.Unchanged)
	} else if *needsMap != "" {
		fmt.Fprintf(stdout, "needs map %s: %d row(s) checked, not applied (dry run)\n", *needsMap, len(crosswalk))
	}
	if !*dryRun && report.Changed() {
		return db.Analyze(ctx)
	}
	return nil
}

// importResult is what an import's metrics say of report.
func importResult(report *hsds.Report, failed bool, started time.Time) telemetry.ImportResult {
	r := telemetry.ImportResult{Refused: failed, Warnings: report.WarningCount(), Faults: len(report.Errors),
		Duration: time.Since(started), At: time.Now()}
	total := records.Total(report.Types)
	r.Created, r.Updated, r.Unchanged = total.Created, total.Updated, total.Unchanged
	return r
}

// importProgress draws the import's progress on a terminal: a bar, the
// records written and the rate since start.
func importProgress(w io.Writer, start time.Time) func(done, total int) {
	return func(done, total int) {
		if done != total && done%50 != 0 {
			return
		}
		const width = 30
		filled := width * done / max(total, 1)
		rate := float64(done) / max(time.Since(start).Seconds(), 1e-3)
		fmt.Fprintf(w, "\rimport [%s%s] %d/%d records, %.0f records/s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, rate)
	}
}

// openForDryRun opens what an import --dry-run compares the package with,
// creating, migrating and writing nothing: the database, when it exists
// with the current schema (the import rolls its transaction back); else a
// scratch in-memory database, an empty directory, with a line saying why.
func openForDryRun(ctx context.Context, dsn string) (*store.DB, string, error) {
	db, err := store.OpenExisting(ctx, dsn, store.Options{Unprepared: !keepPreparedDefault()})
	var why string
	switch {
	case errors.Is(err, store.ErrNoDatabase):
		why = "the database does not exist yet (nothing was created)"
	case err != nil:
		return nil, "", err
	default:
		current, err := store.SchemaCurrent(ctx, db)
		if err != nil {
			db.Close()
			return nil, "", err
		}
		if current {
			return db, "", nil
		}
		db.Close()
		why = "the database has no schema or an older one (not migrated: 'village migrate' does that)"
	}
	scratch, err := openMigrated(ctx, store.ScratchDSN(fmt.Sprintf("village-dry-run-%d", time.Now().UnixNano())))
	if err != nil {
		return nil, "", err
	}
	return scratch, "dry run against an empty directory: " + why, nil
}

// writeImportReport writes an import's report as JSON to path.
func writeImportReport(path string, report *hsds.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := report.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// exportCmd writes the directory as HSDS 3.0 (village export --format
// json|csv DIR): the JSON form (one document per service, as the spec's
// examples/service_full.json) or the tabular data package (CSV tables and
// datapackage.json). It runs as trusted internal code: confidential
// addresses, staff-only phones and internal notes are exported too. DIR is
// new, empty or an earlier export, which is replaced (see hsds.ExportJSON).
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "Write the directory as Open Referral HSDS 3.0 to DIR: --format json (services/ID.json, one full\ndocument per service, with organizations/, taxonomies.json, taxonomy_terms.json) or --format csv\n(the tabular data package: one CSV per HSDS table and datapackage.json). Village's own fields\ntravel as HSDS attributes of the \"village\" taxonomy. Everything is exported, confidential data included.\n\nDIR must be new or empty, or hold only an earlier Village export, which is replaced (none of its\nfiles is left behind). The export lists the files it wrote in DIR/.village-export; a directory holding\nanything else is refused, and nothing in it is deleted.\n\n  village export --format json|csv DIR [flags]", stderr)
	dsn := dbFlag(fs)
	format := fs.String("format", "json", "json or csv")
	dir, err := parseOneArg(fs, args, "export", "DIR")
	if err != nil {
		return err
	}
	if *format != "json" && *format != "csv" {
		return fmt.Errorf("export: --format must be json or csv, got %q", *format)
	}
	db, err := openMigrated(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	counts, err := hsds.Export(ctx, db.Client, *format, dir)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdout, "Exported %d services and %d organizations as HSDS 3.0 %s to %s\n", counts.Services, counts.Organizations, *format, dir)
	return nil
}
