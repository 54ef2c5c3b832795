package feed

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/contact"
	"github.com/village-directory/village/ent/funding"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/route"
)

// lockKey is the advisory lock that serialises event numbering on
// PostgreSQL ("VILLAGE" in ASCII, as an int64).
const lockKey = 0x56494C4C414745

// EntityType is the feed's name for an ent type: upper snake case
// (ServiceAtLocation → SERVICE_AT_LOCATION).
func EntityType(entType string) string {
	var b strings.Builder
	for i, r := range entType {
		if i > 0 && unicode.IsUpper(r) && !unicode.IsUpper(rune(entType[i-1])) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// untracked types are not directory records.
var untracked = map[string]bool{ent.TypeChangeEvent: true, ent.TypeAPIKey: true}

// adminOnly types are read by admins only (auth's read rules): their events
// are restricted, and the feed's read rule shows them to admins alone.
// They have no version column: their events carry none.
var adminOnly = map[string]bool{ent.TypeCallRecord: true}

type event struct {
	typ     string
	id      int
	op      changeevent.Operation
	actor   string
	at      time.Time
	version *int
	// restricted: the record was restricted before and after the change
	// (see restrictedExpr), so keys that may not read restricted records
	// are not shown the event.
	restricted bool
}

// Hook returns the ent hook that records changes; dialectName is the
// client's dialect.
func Hook(dialectName string) ent.Hook {
	f := &feed{postgres: dialectName == dialect.Postgres, pending: map[uintptr]*[]*[]event{}}
	return f.hook
}

type feed struct {
	postgres bool
	mu       sync.Mutex
	// pending holds, per open transaction, a slot for the events of each
	// mutation in the order the mutations began (ent's bulk creates finish
	// their records innermost first: last record first).
	pending map[uintptr]*[]*[]event
}

func (f *feed) hook(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if untracked[m.Type()] {
			return next.Mutate(ctx, m)
		}
		var (
			before []int
			prior  map[int]rowState // the records' state before an update or delete
		)
		deletes := m.Op().Is(ent.OpDelete) || m.Op().Is(ent.OpDeleteOne)
		if !m.Op().Is(ent.OpCreate) {
			// Log every record the write touches, hidden ones included.
			ids, err := auth.MutationIDs(auth.WithoutReadRules(ctx), m)
			if err != nil {
				return nil, err
			}
			before = ids
		}
		_, restrictable := restrictedExpr[m.Type()]
		if deletes || (restrictable && !m.Op().Is(ent.OpCreate)) {
			// A tombstone carries the version it removes, read (and on
			// PostgreSQL locked, so no update slips in between) before the
			// rows are gone: a consumer can then ignore a tombstone older
			// than its copy, as it ignores an older update. Whether a
			// record was restricted before an update is read (and locked)
			// the same way, in the same statement for a delete.
			var err error
			if prior, err = f.currentState(auth.WithoutReadRules(ctx), m, before, true); err != nil {
				return nil, err
			}
		}
		slot, began := f.reserve(m), time.Now()
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return v, err
		}
		if n, isCount := v.(int); isCount && n == 0 && deletes {
			return v, nil // a delete that removed nothing leaves no tombstone
		}
		events, err := f.events(ctx, m, v, before, prior, began)
		if err != nil {
			return nil, err
		}
		if adminOnly[m.Type()] {
			for i := range events {
				events[i].restricted = true
			}
		}
		if slot != nil {
			f.mu.Lock()
			*slot = events
			f.mu.Unlock()
			return v, nil
		}
		return v, f.writeNow(ctx, m, events)
	})
}

// events builds the events of a successful mutation; prior holds the state
// of an update's or delete's records as it was before it.
func (f *feed) events(ctx context.Context, m ent.Mutation, v ent.Value, before []int, prior map[int]rowState, at time.Time) ([]event, error) {
	base := event{typ: EntityType(m.Type()), actor: auth.Actor(ctx), at: at}
	_, restrictable := restrictedExpr[m.Type()]
	// wasRestricted reads a state; a record of a restrictable type whose
	// state was not found counts as restricted, so an unknown is hidden
	// rather than shown.
	wasRestricted := func(states map[int]rowState, id int) bool {
		st, ok := states[id]
		return restrictable && (!ok || st.restricted)
	}
	switch {
	case m.Op().Is(ent.OpCreate), m.Op().Is(ent.OpUpdateOne):
		e := base
		e.version = versionOf(v)
		if m.Op().Is(ent.OpCreate) {
			e.id, _ = m.(interface{ ID() (int, bool) }).ID()
			e.op = changeevent.OperationCREATE
		} else {
			e.id, e.op = before[0], changeevent.OperationUPDATE
		}
		if restrictable {
			after, err := f.restrictedAfter(ctx, m, v, e.id)
			if err != nil {
				return nil, err
			}
			e.restricted = after && (e.op == changeevent.OperationCREATE || wasRestricted(prior, e.id))
		}
		return []event{e}, nil
	case m.Op().Is(ent.OpUpdate):
		// One statement reads the versions and restricted states after.
		after, err := f.currentState(auth.WithoutReadRules(ctx), m, before, false)
		if err != nil {
			return nil, err
		}
		out := make([]event, 0, len(before))
		for _, id := range before {
			e := base
			e.id, e.op = id, changeevent.OperationUPDATE
			if st, ok := after[id]; ok {
				e.version = &st.version
			}
			e.restricted = wasRestricted(prior, id) && wasRestricted(after, id)
			out = append(out, e)
		}
		return out, nil
	default: // deletes: tombstones, with the last version of each record
		out := make([]event, 0, len(before))
		for _, id := range before {
			e := base
			e.id, e.op = id, changeevent.OperationDELETE
			if st, ok := prior[id]; ok {
				e.version = &st.version
			}
			e.restricted = wasRestricted(prior, id)
			out = append(out, e)
		}
		return out, nil
	}
}

// restrictedAfter reports whether the record a create or single update
// wrote is restricted: for the saved phone or resource itself, by auth's
// rule of what a reader may see; for a funding, with one statement (its
// resource's status is in another row).
func (f *feed) restrictedAfter(ctx context.Context, m ent.Mutation, v ent.Value, id int) (bool, error) {
	switch v.(type) {
	case *ent.Phone, *ent.Resource:
		return !auth.Visible(auth.WithViewer(ctx, auth.Viewer{Role: auth.Reader}), v, ""), nil
	}
	state, err := f.currentState(auth.WithoutReadRules(ctx), m, []int{id}, false)
	if err != nil {
		return false, err
	}
	st, ok := state[id]
	return !ok || st.restricted, nil
}

// writeNow writes the events of a mutation made outside a transaction, in
// a transaction of their own.
func (f *feed) writeNow(ctx context.Context, m ent.Mutation, events []event) error {
	if len(events) == 0 {
		return nil
	}
	client := m.(interface{ Client() *ent.Client }).Client()
	tx, err := client.Tx(ctx)
	if err != nil {
		return err
	}
	if err := f.write(ctx, tx.Client(), [][]event{events}); err != nil {
		return rollback(tx, err)
	}
	return tx.Commit()
}

// reserve takes a slot for a mutation's events in its transaction's log,
// written at the commit in slot order; nil outside a transaction.
func (f *feed) reserve(m ent.Mutation) *[]event {
	tx, err := m.(interface{ Tx() (*ent.Tx, error) }).Tx()
	if err != nil { // not in a transaction
		return nil
	}
	key := txKey(tx)
	slot := new([]event)
	f.mu.Lock()
	defer f.mu.Unlock()
	if slots, ok := f.pending[key]; ok {
		*slots = append(*slots, slot)
		return slot
	}
	slots := &[]*[]event{slot}
	f.pending[key] = slots
	tx.OnCommit(func(next ent.Committer) ent.Committer {
		return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
			f.mu.Lock()
			// Written slot by slot, not gathered into one list: an
			// import's transaction holds hundreds of thousands of
			// events, and a copy of them all would double them.
			lists := make([][]event, len(*slots))
			for i, s := range *slots {
				lists[i] = *s
			}
			delete(f.pending, key)
			f.mu.Unlock()
			if err := f.write(ctx, tx.Client(), lists); err != nil {
				return err
			}
			return next.Commit(ctx, tx)
		})
	})
	tx.OnRollback(func(next ent.Rollbacker) ent.Rollbacker {
		return ent.RollbackFunc(func(ctx context.Context, tx *ent.Tx) error {
			f.mu.Lock()
			delete(f.pending, key)
			f.mu.Unlock()
			return next.Rollback(ctx, tx)
		})
	})
	return slot
}

// txKey identifies the transaction a Tx value belongs to. Each mutation's
// Tx() returns a fresh *ent.Tx over the same transaction driver, so the
// driver (an unexported field ent shares between them) is the identity.
func txKey(tx *ent.Tx) uintptr {
	return reflect.ValueOf(tx).Elem().FieldByName("config").FieldByName("driver").Elem().Pointer()
}

// write inserts the events of lists in order, after taking the numbering
// lock.
func (f *feed) write(ctx context.Context, c *ent.Client, lists [][]event) error {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	if n == 0 {
		return nil
	}
	if f.postgres {
		if _, err := c.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey); err != nil {
			return fmt.Errorf("change feed lock: %w", err)
		}
	}
	const chunk = 1000
	builders := make([]*ent.ChangeEventCreate, 0, min(n, chunk))
	flush := func() error {
		if len(builders) == 0 {
			return nil
		}
		err := c.ChangeEvent.CreateBulk(builders...).Exec(ctx)
		clear(builders)
		builders = builders[:0]
		if err != nil {
			return fmt.Errorf("change feed: %w", err)
		}
		return nil
	}
	for _, l := range lists {
		for _, e := range l {
			builders = append(builders, c.ChangeEvent.Create().SetEntityType(e.typ).SetEntityID(e.id).SetOperation(e.op).
				SetActor(e.actor).SetOccurredAt(e.at).SetNillableVersion(e.version).SetRestricted(e.restricted))
			if len(builders) == chunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

func rollback(tx *ent.Tx, err error) error {
	if rerr := tx.Rollback(); rerr != nil {
		return fmt.Errorf("%w (rollback: %v)", err, rerr)
	}
	return err
}

// versionOf reads the Version field of a saved entity.
func versionOf(v ent.Value) *int {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		if f := rv.Elem().FieldByName("Version"); f.IsValid() && f.Kind() == reflect.Int {
			ver := int(f.Int())
			return &ver
		}
	}
	return nil
}

// rowState is what the feed reads of a record around a change.
type rowState struct {
	version    int
	restricted bool
}

// restrictedExpr says, per type whose records can be hidden from the
// public as a whole, when a row of its table is restricted (auth's rule,
// in SQL over the row): a staff-only phone, a resource not PUBLISHED, a
// funding of such a resource.
var restrictedExpr = map[string]string{
	ent.TypePhone:    phone.FieldStaffOnly,
	ent.TypeResource: resource.FieldStatus + " <> '" + resource.StatusPUBLISHED.String() + "'",
	ent.TypeFunding: "EXISTS (SELECT 1 FROM " + resource.Table + " WHERE " + resource.Table + "." + resource.FieldID +
		" = " + funding.Table + "." + funding.FieldResourceID + " AND " + resource.Table + "." + resource.FieldStatus +
		" <> '" + resource.StatusPUBLISHED.String() + "')",
}

// currentState reads the versions (and, for the restrictable types, the
// restricted state) of records: those an update is about to change or has
// changed, or those a delete is about to remove (lock: on PostgreSQL, lock
// them until the transaction ends, as the write will).
func (f *feed) currentState(ctx context.Context, m ent.Mutation, ids []int, lock bool) (map[int]rowState, error) {
	out := map[int]rowState{}
	if len(ids) == 0 {
		return out, nil
	}
	table, ok := tables[m.Type()]
	if !ok {
		return out, nil
	}
	client := m.(interface{ Client() *ent.Client }).Client()
	d := dialect.SQLite
	if f.postgres {
		d = dialect.Postgres
	}
	const chunk = 1000 // both backends bound the parameters of a statement
	for start := 0; start < len(ids); start += chunk {
		sel := sql.Dialect(d).Select("id", "version").From(sql.Table(table)).
			Where(sql.InInts("id", ids[start:min(start+chunk, len(ids))]...))
		expr, restrictable := restrictedExpr[m.Type()]
		if !restrictable {
			expr = "1 = 0"
		}
		sel.AppendSelectExprAs(sql.Raw(expr), "restricted")
		if lock && f.postgres {
			sel.ForUpdate()
		}
		query, args := sel.Query()
		if err := scanState(ctx, client, query, args, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanState(ctx context.Context, client *ent.Client, query string, args []any, out map[int]rowState) error {
	rows, err := client.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, ver    int
			restricted bool
		)
		if err := rows.Scan(&id, &ver, &restricted); err != nil {
			return err
		}
		out[id] = rowState{version: ver, restricted: restricted}
	}
	return rows.Err()
}

// tables maps each tracked type to its table.
var tables = map[string]string{
	ent.TypeOrganization: organization.Table, ent.TypeProgram: program.Table, ent.TypeService: service.Table,
	ent.TypeLocation: location.Table, ent.TypeServiceAtLocation: serviceatlocation.Table, ent.TypeServiceArea: servicearea.Table,
	ent.TypeTaxonomyTerm: taxonomyterm.Table, ent.TypePhone: phone.Table, ent.TypeContact: contact.Table,
	ent.TypeSchedule: schedule.Table, ent.TypeResource: resource.Table, ent.TypeFunding: funding.Table,
}

// Position is the change feed's position: the newest event's ID, 0 when there
// is none. Every committed write, from this process or any other, appends an
// event, so a copy of the directory read at position P is current while
// Position is still P. It is one plain statement on the primary key, without
// the query builder and read rules a record query goes through (the feed's
// IDs are no secret of any record), because readers call it on every request.
//
// A request that has read it already (the HTTP cache, for its ETag) puts it
// in its context with WithPosition: the readers after it take that one, so
// the request reads the position once and answers for the state its ETag
// names.
//
// With read replicas, a position read on the request's replica answers only
// for what is read there: a reader on the primary (route.Primary: an
// index's freshness check) reads the primary's.
func Position(ctx context.Context, client *ent.Client) (int, error) {
	if p, ok := ctx.Value(positionKey{}).(cachedPosition); ok && (!p.replicated || route.Replicated(ctx)) {
		return p.position, nil
	}
	rows, err := client.QueryContext(ctx, "SELECT MAX(id) FROM "+changeevent.Table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var position sql.NullInt64
	for rows.Next() {
		if err := rows.Scan(&position); err != nil {
			return 0, err
		}
	}
	return int(position.Int64), rows.Err()
}

type positionKey struct{}

// cachedPosition is a position WithPosition put in a context, and whether
// it was read on a replica.
type cachedPosition struct {
	position   int
	replicated bool
}

// WithPosition returns ctx carrying position, the feed position read under
// ctx at the start of a read-only request, for Position to return.
func WithPosition(ctx context.Context, position int) context.Context {
	return context.WithValue(ctx, positionKey{}, cachedPosition{position, route.Replicated(ctx)})
}
