package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
	"github.com/google/uuid"
	"github.com/lib/pq" // the "postgres" driver, and its error codes
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/migrate"
	_ "github.com/village-directory/village/ent/runtime" // schema hooks, defaults and validators
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/feed"
)

// DB is an open database: the ent client and what it runs on.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string
	// Driver is the ent driver under Client; tests wrap it to count statements.
	Driver dialect.Driver
	// Replicas are the read replicas reads are routed to (nil: none).
	Replicas *Replicas
	// path is the SQLite file, named in errors ("" for PostgreSQL and
	// in-memory databases).
	path string
}

// Close closes the client and its connections.
func (db *DB) Close() error { return db.Client.Close() }

// Options tune how a database is opened.
type Options struct {
	// WrapDriver, when set, wraps the ent driver (for example to count or
	// log statements).
	WrapDriver func(dialect.Driver) dialect.Driver
	// TracerProvider, when set, gives every SQL statement a span (see
	// tracingDriver), under WrapDriver's wrapper.
	TracerProvider trace.TracerProvider
	// ReadReplicas are the postgres:// URLs of streaming replicas of a
	// PostgreSQL primary: a request's reads go to one of them (see the
	// package documentation). SQLite has none: Open refuses them.
	ReadReplicas []string
	// ReplicaMaxLag takes a replica further behind the primary out of
	// rotation (0: DefaultReplicaMaxLag); ReplicaCheckInterval is how often
	// replicas are checked (0: DefaultReplicaCheckInterval).
	ReplicaMaxLag        time.Duration
	ReplicaCheckInterval time.Duration
	// Logger logs replicas going out of rotation and back (nil: nowhere).
	Logger *slog.Logger
	// Unprepared runs every PostgreSQL statement unprepared, as lib/pq
	// does, rather than keeping those a connection runs again prepared
	// (see keepPrepared): for a connection pooler in transaction mode.
	Unprepared bool
}

// Open connects to dsn: a postgres:// (or postgresql://) URL opens
// PostgreSQL; a file: URI or a path without a scheme is a SQLite file
// (created if missing). Any other scheme is refused by name, before anything
// is created. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	var (
		db   *sql.DB
		name string
		path string
		err  error
	)
	if len(opts.ReadReplicas) > 0 && !IsPostgres(dsn) {
		return nil, fmt.Errorf("read replicas need a PostgreSQL primary (a postgres:// database URL): SQLite is one file in one process and has no replicas")
	}
	if scheme := urlScheme(dsn); scheme != "" && !IsPostgres(dsn) && !strings.EqualFold(scheme, "file") {
		return nil, fmt.Errorf("unsupported database %q: Village runs on SQLite (a file path or a file: URL) or PostgreSQL (a postgres:// or postgresql:// URL), not %s", RedactURL(dsn), scheme)
	}
	switch {
	case IsPostgres(dsn):
		name = dialect.Postgres
		db, err = openPostgresPool(dsn, opts.Unprepared)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
	default:
		name = dialect.SQLite
		var src string
		src, path, err = sqliteDSN(dsn)
		if err != nil {
			return nil, err
		}
		db, err = sql.Open("sqlite", src)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// SQLite allows one writer at a time: writers queue on the busy
		// timeout and take the lock at BEGIN (immediate), so a transaction
		// never fails half-way on an upgrade from read to write lock.
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		if name == dialect.SQLite {
			return nil, sqliteError(path, err)
		}
		return nil, fmt.Errorf("connect to %s database: %w", name, err)
	}
	var drv dialect.Driver = entsql.OpenDB(name, db)
	if opts.TracerProvider != nil {
		drv = newTracingDriver(drv, opts.TracerProvider)
	}
	var replicas *Replicas
	if len(opts.ReadReplicas) > 0 {
		if replicas, err = openReplicas(ctx, db, drv, opts); err != nil {
			db.Close()
			return nil, err
		}
		drv = &router{r: replicas}
	}
	if opts.WrapDriver != nil {
		drv = opts.WrapDriver(drv)
	}
	client := ent.NewClient(ent.Driver(drv))
	// Every write, whatever path it comes by, stores "" in an optional
	// field as NULL (first, so the guard and the feed see what is stored),
	// is authorized and is logged in the change feed.
	client.Use(emptyStringsAreNull(), auth.WriteGuard(), feed.Hook(name))
	// Every read, whatever path it comes by, shows the viewer only what it
	// may see: hidden rows are filtered, restricted fields blanked.
	client.Intercept(auth.ReadRules()...)
	return &DB{Client: client, SQL: db, Dialect: name, Driver: drv, Replicas: replicas, path: path}, nil
}

// urlScheme returns the scheme dsn starts with ("postgres", "file",
// "mysql"…), or "" for a plain path. A one-letter scheme is a Windows drive.
func urlScheme(dsn string) string {
	i := strings.IndexByte(dsn, ':')
	if i < 2 {
		return ""
	}
	for j, r := range dsn[:i] {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (j == 0 || !('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return ""
		}
	}
	return dsn[:i]
}

// RedactURL hides the password of a database URL shown to a person (in an
// error, a log line).
func RedactURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(a URL that does not parse, not shown: it may hold a password)"
	}
	if u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return u.String()
}

// sqliteError explains why the SQLite database at path could not be opened
// or written, naming the file and the cause; SQLite's own messages ("unable
// to open database file (14)") name neither.
func sqliteError(path string, err error) error {
	if path == "" {
		return fmt.Errorf("sqlite database: %w", err)
	}
	msg := err.Error()
	info, statErr := os.Stat(path)
	switch {
	case statErr == nil && info.IsDir():
		return fmt.Errorf("sqlite database %s is a directory, not a database file", path)
	case strings.Contains(msg, "not a database"):
		return fmt.Errorf("sqlite database %s: the file is not a SQLite database (%w)", path, err)
	case strings.Contains(msg, "readonly") || strings.Contains(msg, "read-only"):
		return fmt.Errorf("sqlite database %s is read-only: check the permissions of the file and of its directory, which must be writable too (%w)", path, err)
	case statErr == nil:
		if f, openErr := os.OpenFile(path, os.O_RDWR, 0); openErr != nil {
			return fmt.Errorf("sqlite database %s cannot be opened for reading and writing: %w", path, openErr)
		} else {
			f.Close()
		}
	case errors.Is(statErr, fs.ErrNotExist):
		dir := filepath.Dir(path)
		probe, createErr := os.CreateTemp(dir, ".village-probe-*")
		if createErr != nil {
			return fmt.Errorf("sqlite database %s cannot be created: no permission to write in %s (%w)", path, dir, createErr)
		}
		probe.Close()
		os.Remove(probe.Name())
	}
	return fmt.Errorf("sqlite database %s: %w", path, err)
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqliteDSN turns a file path (or file: URI) into a modernc DSN with the
// settings Village relies on: foreign keys (ent's migration and cascades
// need them), a busy timeout, WAL for concurrent readers, immediate write
// transactions, and times stored in UTC. It also returns the file's path
// ("" in memory).
func sqliteDSN(dsn string) (string, string, error) {
	if dsn == "" {
		return "", "", fmt.Errorf("empty database path")
	}
	path, query := dsn, ""
	if i := strings.IndexByte(dsn, '?'); i >= 0 {
		path, query = dsn[:i], dsn[i+1:]
	}
	memory := strings.Contains(path, ":memory:") || strings.Contains(query, "mode=memory")
	file := ""
	if !memory {
		file = strings.TrimPrefix(path, "file:")
		if info, err := os.Stat(file); err == nil && info.IsDir() {
			return "", "", fmt.Errorf("sqlite database %s is a directory, not a database file", file)
		}
		if dir := filepath.Dir(file); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return "", "", fmt.Errorf("sqlite database %s: cannot create its directory: %w", file, err)
			}
		}
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return "", "", fmt.Errorf("database path %q: %w", dsn, err)
	}
	for _, p := range []string{"foreign_keys(1)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	if !memory {
		q.Add("_pragma", "journal_mode(WAL)")
	}
	q.Set("_txlock", "immediate")
	// SQLite compares times as text: write every time in UTC in one
	// format whose text order is time order, so filters, orderings and
	// cursors on times agree with PostgreSQL whatever zone a value had.
	q.Set("_time_format", "sqlite")
	q.Set("_timezone", "UTC")
	return path + "?" + q.Encode(), file, nil
}

// Migrate creates or updates the schema. It is safe to run on every start.
func Migrate(ctx context.Context, db *DB) error {
	addReverseJoinIndexes(migrate.Tables)
	if err := db.Client.Schema.Create(ctx); err != nil {
		if db.path != "" {
			return fmt.Errorf("migrate schema: %w", sqliteError(db.path, err))
		}
		return fmt.Errorf("migrate schema: %w", err)
	}
	if err := nullEmptyStrings(ctx, db.SQL); err != nil {
		return err
	}
	return ensureDirectoryID(ctx, db.SQL)
}

// The directory's own id, a random UUID made by the first Migrate and never
// changed: what HSDS exports derive the ids of records without an external
// identity from, so that two directories never give one id to different
// records (their records' IDs are numbered alike). It lives in a one-row
// table beside ent's, which ent's migration leaves alone.
const directoryTable = "village_directory"

func ensureDirectoryID(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS "+directoryTable+
		" (id integer PRIMARY KEY CHECK (id = 1), uuid varchar(36) NOT NULL)"); err != nil {
		return fmt.Errorf("migrate schema: create %s: %w", directoryTable, err)
	}
	// The value is a UUID we made (hex and dashes), so it is written inline:
	// the two drivers spell placeholders differently.
	if _, err := db.ExecContext(ctx, "INSERT INTO "+directoryTable+" (id, uuid) VALUES (1, '"+uuid.NewString()+
		"') ON CONFLICT (id) DO NOTHING"); err != nil {
		return fmt.Errorf("migrate schema: set the directory id: %w", err)
	}
	return nil
}

// NewDirectoryID gives db a new directory id: a copy of a database (a test
// template's) is another directory.
func NewDirectoryID(ctx context.Context, db *DB) error {
	if _, err := db.SQL.ExecContext(ctx, "UPDATE "+directoryTable+" SET uuid = '"+uuid.NewString()+"' WHERE id = 1"); err != nil {
		return fmt.Errorf("set a new directory id: %w", err)
	}
	return nil
}

// ErrNoDirectoryID is returned by DirectoryID on a database Migrate has not
// run on since directory ids were introduced.
var ErrNoDirectoryID = errors.New("the database has no directory id: run `village migrate`")

// DirectoryID reads the directory's id (see ensureDirectoryID) through
// client, which may be a transaction's.
func DirectoryID(ctx context.Context, client *ent.Client) (uuid.UUID, error) {
	rows, err := client.QueryContext(ctx, "SELECT uuid FROM "+directoryTable+" WHERE id = 1")
	if err != nil {
		if strings.Contains(err.Error(), directoryTable) {
			return uuid.Nil, ErrNoDirectoryID
		}
		return uuid.Nil, fmt.Errorf("read the directory id: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return uuid.Nil, fmt.Errorf("read the directory id: %w", err)
		}
		return uuid.Nil, ErrNoDirectoryID
	}
	var s string
	if err := rows.Scan(&s); err != nil {
		return uuid.Nil, fmt.Errorf("read the directory id: %w", err)
	}
	u, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, fmt.Errorf("the directory id %q is not a UUID: %w", s, err)
	}
	return u, rows.Close()
}

// addReverseJoinIndexes indexes the second column of every many-to-many
// join table. Its primary key (a, b) serves look-ups by a; without this,
// look-ups by b (services meeting a need) scan the table, and PostgreSQL
// indexes no foreign key by itself.
func addReverseJoinIndexes(tables []*schema.Table) {
	for _, t := range tables {
		if len(t.PrimaryKey) != 2 || len(t.Columns) != 2 {
			continue
		}
		second := t.PrimaryKey[1]
		name := t.Name + "_" + second.Name
		exists := false
		for _, idx := range t.Indexes {
			if idx.Name == name {
				exists = true
			}
		}
		if !exists {
			t.Indexes = append(t.Indexes, &schema.Index{Name: name, Columns: []*schema.Column{second}})
		}
	}
}

// RefusedText reports whether err is PostgreSQL refusing text it cannot
// hold: a NUL character, in text (22021) or in jsonb (22P05). Writes are
// checked before they reach the database (ent/schema's storableText); this
// is for text that only filters by, such as a where input's nameContains.
func RefusedText(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (pqErr.Code == "22021" || pqErr.Code == "22P05")
}

// RefusedComparison reports whether err is PostgreSQL refusing to compare
// a column with a value of another type (22P02, 22007, 22008): for
// example, a page cursor made under one ordering sent with another.
func RefusedComparison(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (pqErr.Code == "22P02" || pqErr.Code == "22007" || pqErr.Code == "22008")
}

// Analyze refreshes the planner's statistics after a bulk load (an import,
// a synthetic directory): PostgreSQL's autovacuum would analyze the new
// rows only later, so the first queries on a freshly loaded database were
// planned as if its tables were empty. SQLite gets PRAGMA optimize, which
// analyzes only the tables that need it.
func (db *DB) Analyze(ctx context.Context) error {
	stmt := "PRAGMA optimize"
	if db.Dialect == dialect.Postgres {
		stmt = "ANALYZE"
	}
	if _, err := db.SQL.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("refresh statistics: %w", err)
	}
	return nil
}

// openPostgresPool opens a connection pool to a PostgreSQL server (the
// primary or a read replica). Go's default of 2 idle connections churns
// connections under load; the pool is kept warm, sized for a small server.
func openPostgresPool(dsn string, unprepared bool) (*sql.DB, error) {
	var connector driver.Connector
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	if !unprepared {
		connector = keepPrepared(connector)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(time.Hour)
	return db, nil
}
