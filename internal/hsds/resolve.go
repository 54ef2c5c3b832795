package hsds

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"entgo.io/ent/dialect/sql"
	"github.com/google/uuid"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/route"
	"github.com/village-directory/village/internal/store"
)

// Resolver answers "which record has this HSDS id?" (and the reverse) from
// an in-memory table per record kind, instead of scanning the kind's rows
// on every lookup.
//
// A derived id cannot be inverted (it is a hash of "kind/ID") and an
// imported one is an external_id whose source is not known from the id
// alone, so the table maps every record's HSDS id, both sorts alike. It is
// built on first use and kept current from the change feed: every
// committed write appends a ChangeEvent, numbered in commit order, so the
// events after the table's position name exactly the records to re-read
// (created, deleted, or with a changed external id). Checking for news
// costs one indexed statement per lookup.
//
// The table is shared by every viewer, so it is read as trusted code; what
// a lookup returns is checked again with the caller's context, so a viewer
// never resolves a record it may not see, and a write that bypassed the
// feed (raw SQL) can make a lookup miss but never answer a wrong record.
type Resolver struct {
	client *ent.Client
	kinds  map[string]*idTable
	// dir is the directory's id, read once (dirLock held).
	dir     uuid.UUID
	dirLock sync.Mutex
}

// Directory returns the directory's id (see DerivedID), read from the
// database the first time.
func (r *Resolver) Directory(ctx context.Context) (uuid.UUID, error) {
	r.dirLock.Lock()
	defer r.dirLock.Unlock()
	if r.dir == uuid.Nil {
		dir, err := store.DirectoryID(ctx, r.client)
		if err != nil {
			return uuid.Nil, err
		}
		r.dir = dir
	}
	return r.dir, nil
}

// NewResolver returns a Resolver over client. Keep one per client: its
// tables are built on first use.
func NewResolver(client *ent.Client) *Resolver {
	r := &Resolver{client: client, kinds: map[string]*idTable{}}
	for kind := range resolvable {
		r.kinds[kind] = &idTable{lock: make(chan struct{}, 1)}
	}
	return r
}

// resolvable are the kinds a Resolver knows, with their ent type names
// (which name them in the change feed).
var resolvable = map[string]string{
	KindOrganization:      ent.TypeOrganization,
	KindProgram:           ent.TypeProgram,
	KindService:           ent.TypeService,
	KindLocation:          ent.TypeLocation,
	KindServiceAtLocation: ent.TypeServiceAtLocation,
	KindTaxonomyTerm:      ent.TypeTaxonomyTerm,
	KindContact:           ent.TypeContact,
}

// idTable is one kind's table.
type idTable struct {
	// lock is held to read or bring the table up to date; a request
	// waiting for it (while another brings the table up to date) gives up
	// when its own context ends.
	lock     chan struct{}
	built    bool
	position int // newest change event the table reflects
	byHSDS   map[uuid.UUID]int
	ofID     map[int]uuid.UUID
	// shared lists every holder of an HSDS id that more than one record
	// claims (one UUID imported from two sources); byHSDS answers the
	// lowest ID, as a scan in ID order would.
	shared map[uuid.UUID][]int
}

func (t *idTable) acquire(ctx context.Context) error {
	select {
	case t.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *idTable) release() { <-t.lock }

func (t *idTable) reset() {
	t.byHSDS, t.ofID, t.shared, t.built = map[uuid.UUID]int{}, map[int]uuid.UUID{}, map[uuid.UUID][]int{}, false
}

func (t *idTable) set(dir uuid.UUID, kind string, row idRow) {
	u := uuid.MustParse(row.hsdsID(dir, kind))
	if old, ok := t.ofID[row.ID]; ok {
		if old == u {
			return
		}
		t.forget(row.ID)
	}
	t.ofID[row.ID] = u
	other, taken := t.byHSDS[u]
	if !taken {
		t.byHSDS[u] = row.ID
		return
	}
	if len(t.shared[u]) == 0 {
		t.shared[u] = []int{other}
	}
	t.shared[u] = append(t.shared[u], row.ID)
	t.byHSDS[u] = slices.Min(t.shared[u])
}

func (t *idTable) forget(id int) {
	u, ok := t.ofID[id]
	if !ok {
		return
	}
	delete(t.ofID, id)
	holders := slices.DeleteFunc(t.shared[u], func(h int) bool { return h == id })
	switch len(holders) {
	case 0:
		delete(t.byHSDS, u)
	case 1:
		t.byHSDS[u] = holders[0]
		delete(t.shared, u)
	default:
		t.byHSDS[u] = slices.Min(holders)
		t.shared[u] = holders
	}
}

// The table is read in batches of tableBatch rows; a feed backlog longer
// than maxReplay events of a kind (a big import) rebuilds it instead.
const (
	tableBatch = 5000
	maxReplay  = 5000
)

// syncTimeout bounds a table's build or catch-up. They run detached from
// the request that triggered them, so one client's cancellation cannot
// abort work other requests wait for.
const syncTimeout = 2 * time.Minute

// Resolve returns the Village ID of the record of kind whose HSDS id is
// hsdsID, among the records ctx may see; ok is false when there is none
// (or hsdsID is no UUID).
func (r *Resolver) Resolve(ctx context.Context, kind, hsdsID string) (int, bool, error) {
	u, err := uuid.Parse(hsdsID)
	if err != nil {
		return 0, false, nil
	}
	var id int
	var found bool
	if err := r.read(ctx, kind, func(t *idTable) { id, found = t.byHSDS[u] }); err != nil || !found {
		return 0, false, err
	}
	// Confirm with the caller's context: the record exists for this viewer
	// and still carries that HSDS id.
	rows, err := readIDRows(ctx, r.client, kind, []int{id})
	if err != nil {
		return 0, false, err
	}
	dir, err := r.Directory(ctx)
	if err != nil {
		return 0, false, err
	}
	if len(rows) == 0 || rows[0].hsdsID(dir, kind) != u.String() {
		return 0, false, nil
	}
	return id, true, nil
}

// HSDSID returns the HSDS id of the record of kind with Village ID id; ok
// is false when there is no such record.
func (r *Resolver) HSDSID(ctx context.Context, kind string, id int) (string, bool, error) {
	var u uuid.UUID
	var found bool
	if err := r.read(ctx, kind, func(t *idTable) { u, found = t.ofID[id] }); err != nil || !found {
		return "", false, err
	}
	return u.String(), true, nil
}

// Mapper returns a Mapper for the viewer in ctx whose references to
// records it has not mapped are answered from r's tables (each kind's
// brought up to date once, when first needed). Call the returned function after mapping: it reports the
// first lookup that failed (the reference was then written as a derived
// id, which may be wrong for an imported record).
func (r *Resolver) Mapper(ctx context.Context) (*Mapper, func() error, error) {
	dir, err := r.Directory(ctx)
	if err != nil {
		return nil, nil, err
	}
	m := NewMapper(dir)
	m.SeesAddress = func(l *ent.Location) bool { return auth.Visible(ctx, l, location.FieldAddress1) }
	m.Taxonomy = lazyTaxonomies(ctx, r.client)
	var firstErr error
	current := map[string]bool{}
	m.Lookup = func(kind string, id int) (string, bool) {
		if _, ok := resolvable[kind]; !ok || firstErr != nil {
			return "", false
		}
		var u uuid.UUID
		var found bool
		look := func(t *idTable) { u, found = t.ofID[id] }
		var err error
		if current[kind] {
			t := r.kinds[kind]
			if err = t.acquire(ctx); err == nil {
				look(t)
				t.release()
			}
		} else {
			err = r.read(ctx, kind, look)
			current[kind] = err == nil
		}
		if err != nil {
			firstErr = err
			return "", false
		}
		if !found {
			return "", false
		}
		return u.String(), true
	}
	return m, func() error { return firstErr }, nil
}

// read brings kind's table up to date with the change feed and runs look
// on it.
func (r *Resolver) read(ctx context.Context, kind string, look func(*idTable)) error {
	t, ok := r.kinds[kind]
	if !ok {
		return fmt.Errorf("hsds: cannot resolve ids of %s", kind)
	}
	// On the primary with read replicas, as the table is shared by every
	// request: never behind what a request read on its replica.
	position, err := feed.Position(route.Primary(ctx), r.client)
	if err != nil {
		return err
	}
	dir, err := r.Directory(ctx)
	if err != nil {
		return err
	}
	if err := t.acquire(ctx); err != nil {
		return err
	}
	defer t.release()
	if !t.built || t.position < position {
		// Trusted (no viewer: the table serves everyone) and detached.
		sctx, cancel := context.WithTimeout(route.Primary(context.Background()), syncTimeout)
		defer cancel()
		if err := r.catchUp(sctx, dir, kind, t, position); err != nil {
			return fmt.Errorf("hsds ids of %s: %w", kind, err)
		}
	}
	look(t)
	return nil
}

// catchUp brings t to position or beyond: it replays the kind's events
// since t's position, or rebuilds t when it was never built or the backlog
// is long.
func (r *Resolver) catchUp(ctx context.Context, dir uuid.UUID, kind string, t *idTable, position int) error {
	if t.built {
		ids, err := r.client.ChangeEvent.Query().
			Where(changeevent.IDGT(t.position), changeevent.IDLTE(position),
				changeevent.EntityType(feed.EntityType(resolvable[kind]))).
			Order(ent.Asc(changeevent.FieldID)).Limit(maxReplay + 1).
			Select(changeevent.FieldEntityID).Ints(ctx)
		if err != nil {
			return err
		}
		if len(ids) <= maxReplay {
			rows, err := readIDRows(ctx, r.client, kind, ids)
			if err != nil {
				return err
			}
			present := map[int]bool{}
			for _, row := range rows {
				present[row.ID] = true
				t.set(dir, kind, row)
			}
			for _, id := range ids {
				if !present[id] {
					t.forget(id)
				}
			}
			t.position = position
			return nil
		}
	}
	// Rows are read after position was, so every change up to position is
	// in them; a later one is replayed next time (re-reading is idempotent).
	t.reset()
	after := 0
	for {
		rows, err := scanIDRows(ctx, r.client, kind, after)
		if err != nil {
			return err
		}
		for _, row := range rows {
			t.set(dir, kind, row)
		}
		if len(rows) < tableBatch {
			break
		}
		after = rows[len(rows)-1].ID
	}
	t.built, t.position = true, position
	return nil
}

// idRow is what a Resolver reads of a record.
type idRow struct {
	ID             int     `json:"id"`
	ExternalSource *string `json:"external_source"`
	ExternalID     *string `json:"external_id"`
}

func (r idRow) hsdsID(dir uuid.UUID, kind string) string {
	var src, ext string
	if r.ExternalSource != nil {
		src = *r.ExternalSource
	}
	if r.ExternalID != nil {
		ext = *r.ExternalID
	}
	return RecordID(dir, kind, r.ID, src, ext)
}

// ownUUID is the record's external id when that is a UUID (its HSDS id),
// in lower case, else "".
func (r idRow) ownUUID() string {
	if r.ExternalSource == nil || *r.ExternalSource == "" || r.ExternalID == nil {
		return ""
	}
	if u, err := uuid.Parse(*r.ExternalID); err == nil {
		return u.String()
	}
	return ""
}

var idFields = []string{"id", "external_source", "external_id"}

// readIDRows reads the identifiers of the records of kind whose IDs are
// ids.
func readIDRows(ctx context.Context, client *ent.Client, kind string, ids []int) ([]idRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryIDRows(ctx, client, kind, func(s *sql.Selector) { s.Where(sql.InInts(s.C("id"), ids...)) }, 0)
}

// scanIDRows reads the identifiers of the next tableBatch records of kind
// after ID after, in ID order.
func scanIDRows(ctx context.Context, client *ent.Client, kind string, after int) ([]idRow, error) {
	return queryIDRows(ctx, client, kind, func(s *sql.Selector) { s.Where(sql.GT(s.C("id"), after)) }, tableBatch)
}

// queryIDRows reads the identifiers of the records of kind that ctx may see
// and where selects (every one when where is nil), in ID order, at most
// limit of them (0: no limit). It is the one place the HSDS package reads
// records' identifiers: the Resolver, the exports' look-ups of records they
// have not mapped, and the change history.
func queryIDRows(ctx context.Context, client *ent.Client, kind string, where func(*sql.Selector), limit int) ([]idRow, error) {
	var rows []idRow
	var err error
	// Order and limit are set on the selector, with the filter, so one
	// predicate shapes every kind's query alike (it is used only here: a
	// count or an existence test built on it would carry the limit).
	shape := func(s *sql.Selector) {
		if where != nil {
			where(s)
		}
		s.OrderBy(s.C("id"))
		if limit > 0 {
			s.Limit(limit)
		}
	}
	switch kind {
	case KindOrganization:
		err = client.Organization.Query().Where(shape).Select(idFields...).Scan(ctx, &rows)
	case KindProgram:
		err = client.Program.Query().Where(shape).Select(idFields...).Scan(ctx, &rows)
	case KindService:
		err = client.Service.Query().Where(shape).Select(idFields...).Scan(ctx, &rows)
	case KindLocation:
		err = client.Location.Query().Where(shape).Select(idFields...).Scan(ctx, &rows)
	case KindServiceAtLocation:
		err = client.ServiceAtLocation.Query().Where(shape).Select(idFields...).Scan(ctx, &rows)
	case KindServiceArea:
		err = client.ServiceArea.Query().Where(shape).Select(idFields...).Scan(ctx, &rows)
	case KindTaxonomyTerm:
		err = client.TaxonomyTerm.Query().Where(shape).Select(idFields...).Scan(ctx, &rows)
	case KindPhone:
		err = client.Phone.Query().Where(shape).Select(idFields...).Scan(ctx, &rows)
	case KindContact:
		err = client.Contact.Query().Where(shape).Select(idFields...).Scan(ctx, &rows)
	case KindSchedule:
		err = client.Schedule.Query().Where(shape).Select(idFields...).Scan(ctx, &rows)
	case KindFunding:
		err = client.Funding.Query().Where(shape).Select(idFields...).Scan(ctx, &rows)
	default:
		return nil, fmt.Errorf("hsds: cannot resolve ids of %s", kind)
	}
	return rows, err
}
