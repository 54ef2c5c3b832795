package store

import (
	"context"
	stdsql "database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"

	"github.com/village-directory/village/internal/route"
)

// DefaultReplicaMaxLag is how far behind the primary a read replica may
// fall before it is taken out of rotation.
const DefaultReplicaMaxLag = 10 * time.Second

// DefaultReplicaCheckInterval is how often each replica's replay position
// is checked.
const DefaultReplicaCheckInterval = time.Second

// ReadAfterHeader carries a read-after token: out on the answer to a
// request that wrote, back in on a later request that must see the write.
const ReadAfterHeader = "Village-Read-After"

// LSN is a PostgreSQL write-ahead log position: the read-after token.
type LSN uint64

// ParseLSN reads an LSN as PostgreSQL writes one, two hexadecimal numbers
// separated by a slash ("16/B374D848").
func ParseLSN(s string) (LSN, error) {
	hi, lo, ok := strings.Cut(strings.TrimSpace(s), "/")
	if ok && hi != "" && lo != "" && len(hi) <= 8 && len(lo) <= 8 {
		h, err1 := strconv.ParseUint(hi, 16, 32)
		l, err2 := strconv.ParseUint(lo, 16, 32)
		if err1 == nil && err2 == nil {
			return LSN(h<<32 | l), nil
		}
	}
	return 0, fmt.Errorf("%q is not a read-after token: send back the %s value a write's answer carried (as 16/B374D848)", s, ReadAfterHeader)
}

func (l LSN) String() string { return fmt.Sprintf("%X/%X", uint64(l)>>32, uint64(l)&0xFFFFFFFF) }

// Replicas are the read replicas of a PostgreSQL primary, and the routing
// of statements between them (see the package documentation).
type Replicas struct {
	primary   dialect.Driver
	primaryDB *stdsql.DB
	list      []*Replica
	maxLag    time.Duration
	interval  time.Duration
	log       *slog.Logger

	next         atomic.Uint64 // round robin over the replicas
	primaryReads atomic.Uint64 // reads routed to (or retried on) the primary

	mu      sync.Mutex
	samples []walSample // the primary's WAL position, once a check

	stop context.CancelFunc
	done chan struct{}
}

// walSample is the primary's WAL position at a time.
type walSample struct {
	at  time.Time
	lsn LSN
}

// Replica is one read replica.
type Replica struct {
	// Name is host:port/database, without credentials: its metrics label.
	Name string
	drv  dialect.Driver
	db   *stdsql.DB

	up       atomic.Bool
	replayed atomic.Uint64 // LSN
	lag      atomic.Int64  // nanoseconds
	reads    atomic.Uint64
	retried  atomic.Uint64 // reads it failed that the primary answered
	mu       sync.Mutex
	reason   string // why it is out of rotation ("" when in)
}

// ReplicaState is what a replica's health check found.
type ReplicaState struct {
	Name string
	// Up: in rotation (reachable, a standby, and within the lag bound).
	Up bool
	// Reason says why it is out of rotation ("" when it is in).
	Reason string
	// Lag is how long ago the oldest write it has not replayed was made
	// on the primary (to the check interval).
	Lag      time.Duration
	Replayed LSN
	// Reads it answered, and reads it failed that the primary answered.
	Reads, Retried uint64
}

// States returns every replica's state, in the order they were given.
func (r *Replicas) States() []ReplicaState {
	out := make([]ReplicaState, len(r.list))
	for i, rep := range r.list {
		rep.mu.Lock()
		reason := rep.reason
		rep.mu.Unlock()
		out[i] = ReplicaState{Name: rep.Name, Up: rep.up.Load(), Reason: reason, Lag: time.Duration(rep.lag.Load()),
			Replayed: LSN(rep.replayed.Load()), Reads: rep.reads.Load(), Retried: rep.retried.Load()}
	}
	return out
}

// PrimaryReads counts the reads the primary answered while replicas were
// configured.
func (r *Replicas) PrimaryReads() uint64 { return r.primaryReads.Load() }

// Pools returns each replica's connection pool by name, for metrics.
func (r *Replicas) Pools() map[string]*stdsql.DB {
	out := map[string]*stdsql.DB{}
	for _, rep := range r.list {
		out[rep.Name] = rep.db
	}
	return out
}

// openReplicas connects to the replicas and checks them once; a replica
// that cannot be reached is out of rotation until a check finds it well,
// so that a replica being down never keeps the primary from serving.
func openReplicas(ctx context.Context, primaryDB *stdsql.DB, primary dialect.Driver, opts Options) (*Replicas, error) {
	r := &Replicas{
		primary: primary, primaryDB: primaryDB,
		maxLag:   cmpOr(opts.ReplicaMaxLag, DefaultReplicaMaxLag),
		interval: cmpOr(opts.ReplicaCheckInterval, DefaultReplicaCheckInterval),
		log:      opts.Logger,
		done:     make(chan struct{}),
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	names := map[string]int{}
	for _, dsn := range opts.ReadReplicas {
		if !IsPostgres(dsn) {
			r.closeAll()
			return nil, fmt.Errorf("read replica %s: not a postgres:// URL", RedactURL(dsn))
		}
		db, err := openPostgresPool(dsn, opts.Unprepared)
		if err != nil {
			r.closeAll()
			return nil, fmt.Errorf("read replica %s: %w", RedactURL(dsn), err)
		}
		var drv dialect.Driver = entsql.OpenDB(dialect.Postgres, db)
		if opts.TracerProvider != nil {
			drv = newTracingDriver(drv, opts.TracerProvider)
		}
		name := replicaName(dsn)
		if names[name]++; names[name] > 1 {
			name += "#" + strconv.Itoa(names[name])
		}
		rep := &Replica{Name: name, drv: drv, db: db, reason: "not checked yet"}
		r.list = append(r.list, rep)
	}
	r.check(ctx)
	loopCtx, stop := context.WithCancel(context.Background())
	r.stop = stop
	go r.run(loopCtx)
	return r, nil
}

func cmpOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// replicaName is dsn's host, port and database, without credentials.
func replicaName(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "replica"
	}
	name := u.Host
	if h := u.Query().Get("host"); name == "" && h != "" {
		name = h
	}
	if p := u.Query().Get("port"); p != "" && !strings.Contains(name, ":") {
		name += ":" + p
	}
	return name + u.Path
}

func (r *Replicas) closeAll() error {
	var errs []error
	for _, rep := range r.list {
		errs = append(errs, rep.drv.Close())
	}
	return errors.Join(errs...)
}

// close stops the checks and closes the replicas' connections.
func (r *Replicas) close() error {
	if r.stop != nil {
		r.stop()
		<-r.done
	}
	return r.closeAll()
}

func (r *Replicas) run(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(r.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.check(ctx)
		}
	}
}

// check samples the primary's WAL position, then reads each replica's
// replay position: a replica is in rotation when it answers, is a
// standby, and has replayed every write the primary made more than maxLag
// ago.
func (r *Replicas) check(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, max(r.interval, time.Second))
	defer cancel()
	now := time.Now()
	if lsn, err := r.primaryLSN(ctx); err == nil {
		r.mu.Lock()
		r.samples = append(r.samples, walSample{now, lsn})
		// Enough history to measure a lag past the bound; a replica
		// behind all of it is past the bound anyway.
		keep := now.Add(-2*r.maxLag - 2*r.interval)
		i := 0
		for i < len(r.samples)-1 && r.samples[i].at.Before(keep) {
			i++
		}
		r.samples = r.samples[i:]
		r.mu.Unlock()
	}
	var wg sync.WaitGroup
	for _, rep := range r.list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.checkReplica(ctx, rep)
		}()
	}
	wg.Wait()
}

func (r *Replicas) checkReplica(ctx context.Context, rep *Replica) {
	var (
		standby bool
		replay  stdsql.NullString
		reason  string
		lag     time.Duration
	)
	err := rep.db.QueryRowContext(ctx, "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text").Scan(&standby, &replay)
	switch {
	case err != nil:
		reason = "unreachable: " + err.Error()
	case !standby:
		reason = "not a standby (promoted?): its writes would diverge from the primary's"
	case !replay.Valid:
		reason = "replays no WAL"
	default:
		lsn, perr := ParseLSN(replay.String)
		if perr != nil {
			reason = perr.Error()
			break
		}
		rep.replayed.Store(uint64(lsn))
		lag = r.lagOf(lsn, time.Now())
		rep.lag.Store(int64(lag))
		if lag > r.maxLag {
			reason = fmt.Sprintf("lagging %s behind the primary (more than %s)", lag.Round(time.Millisecond), r.maxLag)
		}
	}
	r.setState(rep, reason)
}

// setState puts rep in rotation (reason "") or out of it, and logs a
// change.
func (r *Replicas) setState(rep *Replica, reason string) {
	rep.mu.Lock()
	was := rep.reason
	rep.reason = reason
	rep.up.Store(reason == "")
	rep.mu.Unlock()
	switch {
	case reason == "" && was != "":
		r.log.Info("read replica in rotation", "replica", rep.Name)
	case reason != "" && (was == "" || was == "not checked yet"):
		r.log.Warn("read replica out of rotation: its reads go to the primary", "replica", rep.Name, "reason", reason)
	}
}

// lagOf is how long ago the primary made the oldest write not replayed at
// replayed: the age of the oldest sample past it, 0 when there is none.
func (r *Replicas) lagOf(replayed LSN, now time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.samples {
		if s.lsn > replayed {
			return now.Sub(s.at)
		}
	}
	return 0
}

// primaryLSN is the primary's current WAL position: every transaction
// committed before it was read ends at or before it.
func (r *Replicas) primaryLSN(ctx context.Context) (LSN, error) {
	var s string
	if err := r.primaryDB.QueryRowContext(ctx, "SELECT pg_current_wal_lsn()::text").Scan(&s); err != nil {
		return 0, err
	}
	return ParseLSN(s)
}

// choose picks the replica for a request: the next one in rotation that has
// replayed past after (when the request sent a token), nil for the primary.
func (r *Replicas) choose(after LSN, tokened bool) *Replica {
	n := uint64(len(r.list))
	start := r.next.Add(1)
	for i := range n {
		rep := r.list[(start+i)%n]
		if rep.up.Load() && (!tokened || LSN(rep.replayed.Load()) >= after) {
			return rep
		}
	}
	return nil
}

// Bind gives a request its routing: its reads go to a replica in rotation
// that has replayed past after when tokened (one that has sent a read-after
// token), else to any in rotation, else to the primary. Without replicas,
// it returns ctx unchanged.
func (db *DB) Bind(ctx context.Context, after LSN, tokened bool) context.Context {
	if db.Replicas == nil {
		return ctx
	}
	var target any
	if rep := db.Replicas.choose(after, tokened); rep != nil {
		target = rep
	}
	return route.WithBinding(ctx, route.NewBinding(target))
}

// ReadAfter returns the read-after token of a request that committed a
// write (the primary's WAL position after it), "" for one that did not, or
// without replicas.
func (db *DB) ReadAfter(ctx context.Context) string {
	if db.Replicas == nil {
		return ""
	}
	return route.BindingFrom(ctx).Token(func() string {
		// Read even when the request has run out of time: its write
		// is committed, and its answer says so.
		readCtx, cancel := context.WithTimeout(route.Primary(context.WithoutCancel(ctx)), 2*time.Second)
		defer cancel()
		lsn, err := db.Replicas.primaryLSN(readCtx)
		if err != nil {
			db.Replicas.log.WarnContext(ctx, "reading the primary's WAL position for a read-after token failed", "error", err)
			return ""
		}
		return lsn.String()
	})
}

// router is the ent driver when there are read replicas: writes and
// transactions on the primary, each read where its context says (see the
// package documentation).
type router struct {
	r *Replicas
}

func (d *router) Dialect() string { return dialect.Postgres }

func (d *router) Close() error {
	return errors.Join(d.r.close(), d.r.primary.Close())
}

// target is the replica a read under ctx goes to, nil for the primary.
func (d *router) target(ctx context.Context, query string) *Replica {
	if route.OnPrimary(ctx) || !isSelect(query) {
		return nil
	}
	rep, _ := route.BindingFrom(ctx).Replica().(*Replica)
	if rep == nil || !rep.up.Load() {
		return nil
	}
	return rep
}

// isSelect reports whether query only reads: ent's INSERT … RETURNING
// runs as a query too.
func isSelect(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

// retryOnPrimary reports whether the primary should answer a read rep
// failed: any read, unless the request is over (its context done). A read
// is safe to run twice, and the primary is the reference a replica copies:
// what fails there too (a refused comparison, say) fails the same way.
// When rep failed as a server that cannot be reached, or not as a server
// at all (the connection broke), it leaves rotation until a check finds it
// well; a standby cancelling a read to replay (a recovery conflict) stays.
// The rest of the request reads the primary.
func (d *router) retryOnPrimary(ctx context.Context, rep *Replica, err error) bool {
	if err == nil || ctx.Err() != nil {
		return false
	}
	var pqErr *pq.Error
	if Unavailable(err) || !errors.As(err, &pqErr) {
		d.r.setState(rep, "unreachable: "+err.Error())
	}
	rep.retried.Add(1)
	route.BindingFrom(ctx).Unbind()
	return true
}

func (d *router) wrote(ctx context.Context, query string, err error) {
	if err == nil && !isSelect(query) {
		route.BindingFrom(ctx).MarkWrote()
	}
}

func (d *router) Exec(ctx context.Context, query string, args, v any) error {
	err := d.r.primary.Exec(ctx, query, args, v)
	d.wrote(ctx, query, err)
	return err
}

func (d *router) Query(ctx context.Context, query string, args, v any) error {
	rep := d.target(ctx, query)
	if rep != nil {
		err := rep.drv.Query(ctx, query, args, v)
		if err == nil {
			rep.reads.Add(1)
			if vr, ok := v.(*entsql.Rows); ok {
				vr.ColumnScanner = &failoverRows{ColumnScanner: vr.ColumnScanner, retry: func(failed error) (entsql.ColumnScanner, error) {
					if !d.retryOnPrimary(ctx, rep, failed) {
						return nil, nil
					}
					var rows entsql.Rows
					d.r.primaryReads.Add(1)
					err := d.r.primary.Query(route.Primary(ctx), query, args, &rows)
					return rows.ColumnScanner, err
				}}
			}
			return nil
		}
		if !d.retryOnPrimary(ctx, rep, err) {
			return err
		}
	}
	d.r.primaryReads.Add(1)
	err := d.r.primary.Query(ctx, query, args, v)
	d.wrote(ctx, query, err)
	return err
}

func (d *router) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.r.primary.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &routedTx{Tx: tx, binding: route.BindingFrom(ctx)}, nil
}

// BeginTx keeps ent's transactions with options on the primary too.
func (d *router) BeginTx(ctx context.Context, opts *stdsql.TxOptions) (dialect.Tx, error) {
	b, ok := d.r.primary.(interface {
		BeginTx(context.Context, *stdsql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &routedTx{Tx: tx, binding: route.BindingFrom(ctx)}, nil
}

type execQuerier interface {
	ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
}

// ExecContext and QueryContext are ent's raw statements (client.ExecContext
// and QueryContext), routed the same way; a raw read is retried on the
// primary only when the replica fails it at once.
func (d *router) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	res, err := d.r.primary.(execQuerier).ExecContext(ctx, query, args...)
	d.wrote(ctx, query, err)
	return res, err
}

func (d *router) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	if rep := d.target(ctx, query); rep != nil {
		rows, err := rep.drv.(execQuerier).QueryContext(ctx, query, args...)
		if err == nil {
			rep.reads.Add(1)
			return rows, nil
		}
		if !d.retryOnPrimary(ctx, rep, err) {
			return nil, err
		}
	}
	d.r.primaryReads.Add(1)
	rows, err := d.r.primary.(execQuerier).QueryContext(ctx, query, args...)
	d.wrote(ctx, query, err)
	return rows, err
}

// routedTx records a committed transaction as the request's write.
type routedTx struct {
	dialect.Tx
	binding *route.Binding
}

func (t *routedTx) Commit() error {
	err := t.Tx.Commit()
	if err == nil {
		t.binding.MarkWrote()
	}
	return err
}

func (t *routedTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	return t.Tx.(execQuerier).ExecContext(ctx, query, args...)
}

func (t *routedTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	return t.Tx.(execQuerier).QueryContext(ctx, query, args...)
}

// failoverRows are a replica's rows whose first Next, when the replica
// failed the read before handing over any row, reads them from the primary
// instead: the caller has seen nothing yet, so nothing is read twice.
type failoverRows struct {
	entsql.ColumnScanner
	started bool
	retry   func(failed error) (entsql.ColumnScanner, error)
}

func (r *failoverRows) Next() bool {
	if r.started {
		return r.ColumnScanner.Next()
	}
	r.started = true
	if r.ColumnScanner.Next() {
		return true
	}
	failed := r.ColumnScanner.Err()
	if failed == nil {
		return false
	}
	rows, err := r.retry(failed)
	if rows == nil && err == nil { // not a failure the primary should answer
		return false
	}
	_ = r.ColumnScanner.Close()
	if err != nil {
		r.ColumnScanner = failedRows{r.ColumnScanner, err}
		return false
	}
	r.ColumnScanner = rows
	return rows.Next()
}

// failedRows are closed rows whose error is err.
type failedRows struct {
	entsql.ColumnScanner
	err error
}

func (f failedRows) Next() bool { return false }
func (f failedRows) Err() error { return f.err }
