package write

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/records"
)

// Writer changes the directory through an ent client whose hooks authorize
// and log every write (see package store).
type Writer struct {
	client *ent.Client
	// submissions limits submissions without a key by address, in this
	// process (see SubmitResource).
	submissions *addressLimiter
	// dialect is the client's, once a submission asked: 0 not known yet,
	// 1 SQLite, 2 PostgreSQL.
	dialect atomic.Int32
}

// New returns a Writer over client.
func New(client *ent.Client) *Writer {
	return &Writer{client: client, submissions: newAddressLimiter(SubmissionsPerHour, time.Hour)}
}

// ConflictError is a write refused because the record changed since the
// caller read it (CurrentVersion is set), or because other records still
// depend on it (Dependents counts them by EntityType).
type ConflictError struct {
	Message        string
	CurrentVersion *int
	Dependents     map[EntityType]int
}

func (e *ConflictError) Error() string { return e.Message }

func staleVersion(typ string, expected, current int) error {
	return &ConflictError{
		Message:        fmt.Sprintf("the %s changed since you read it: expected version %d, it is now at version %d; read it again and retry", readable(typ), expected, current),
		CurrentVersion: &current,
	}
}

// FieldError is bad input tied to the argument field at fault, relative to
// the argument (for example "organizationID" or "[2].name").
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// ItemError is the failure of one record of a batch, by its index in the
// batch; it wraps the record's error.
type ItemError struct {
	Index int
	Err   error
}

func (e *ItemError) Error() string { return fmt.Sprintf("record %d: %v", e.Index, e.Err) }
func (e *ItemError) Unwrap() error { return e.Err }

// notFound is ent's not-found error for a type, so callers see one kind of
// missing record whichever path found it missing.
func notFound(typ string) error { return &ent.NotFoundError{} }

// readable turns an ent type name into words (ServiceAtLocation → service
// at location).
func readable(typ string) string {
	return strings.ToLower(strings.ReplaceAll(feed.EntityType(typ), "_", " "))
}

// gate refuses, before anything is read, callers no directory write can
// come from (the write guard's own first rule), so they get FORBIDDEN
// rather than, say, a validation error about a record they may not touch.
func gate(ctx context.Context) error { return auth.MayWriteDirectory(ctx) }

// inTx runs fn in the transaction ctx already carries, or in a new one that
// commits when fn succeeds. owned says whether fn's transaction is new, so
// entities it returns must be unwrapped from it.
func (w *Writer) inTx(ctx context.Context, fn func(ctx context.Context, c *ent.Client) error) (owned bool, err error) {
	if tx := ent.TxFromContext(ctx); tx != nil {
		return false, fn(ctx, tx.Client())
	}
	tx, err := w.client.Tx(ctx)
	if err != nil {
		return true, err
	}
	txCtx := ent.NewContext(ent.NewTxContext(ctx, tx), tx.Client())
	if err := fn(txCtx, tx.Client()); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return true, fmt.Errorf("%w (rollback: %v)", err, rerr)
		}
		return true, err
	}
	return true, tx.Commit()
}

// unwrap detaches an entity from the transaction that wrote it, so its
// edges can be loaded after the commit.
func unwrap[T any](v T, owned bool) T {
	if !owned {
		return v
	}
	if u, ok := any(v).(interface{ Unwrap() T }); ok {
		return u.Unwrap()
	}
	return v
}

// edgeMove is a change to the other side of a relation that an input asked
// for through the record being written (phoneIDs on a service, say): it is
// applied as a write of each related record.
type edgeMove struct {
	fk  *fkRel  // a child's foreign key, or
	m2m *m2mRel // an inverse many-to-many edge
	// input names the input field that asked for it, for errors.
	input string
	add   []int
	// remove lists IDs to unlink; clear unlinks every current one.
	remove []int
	clear  bool
}

// takeMoves removes from m the edge changes that belong to other records
// and returns them to apply after m is saved.
func takeMoves(m ent.Mutation, create bool) ([]edgeMove, error) {
	var moves []edgeMove
	name := func(prefix, gql string) string {
		if create {
			return gql + "IDs"
		}
		return prefix + upperFirst(gql) + "IDs"
	}
	collect := func(edge string, mv edgeMove, addPrefix, gql string) error {
		mv.add = records.IntIDs(m.AddedIDs(edge))
		mv.remove = records.IntIDs(m.RemovedIDs(edge))
		mv.clear = m.EdgeCleared(edge)
		if len(mv.add) == 0 && len(mv.remove) == 0 && !mv.clear {
			return nil
		}
		switch {
		case len(mv.add) > 0:
			mv.input = name("add", gql)
		case len(mv.remove) > 0:
			mv.input = name("remove", gql)
		default:
			mv.input = "clear" + upperFirst(lowerCamel(edge))
		}
		if err := m.ResetEdge(edge); err != nil {
			return err
		}
		moves = append(moves, mv)
		return nil
	}
	for i := range fkRels {
		r := &fkRels[i]
		if r.parent == m.Type() {
			if err := collect(r.parentEdge, edgeMove{fk: r}, "add", r.parentGQL); err != nil {
				return nil, err
			}
		}
	}
	for i := range m2mRels {
		r := &m2mRels[i]
		if r.target == m.Type() {
			if err := collect(r.targetEdge, edgeMove{m2m: r}, "add", r.targetGQL); err != nil {
				return nil, err
			}
		}
	}
	return moves, nil
}

// applyMoves writes the related records of parent (just saved) as moves
// ask: each change is an update of that record, authorized and logged.
func applyMoves(ctx context.Context, c *ent.Client, parent int, moves []edgeMove) error {
	for _, mv := range moves {
		if mv.fk != nil {
			if err := moveChildren(ctx, c, parent, mv); err != nil {
				return err
			}
			continue
		}
		if err := moveLinks(ctx, c, parent, mv); err != nil {
			return err
		}
	}
	return nil
}

func moveChildren(ctx context.Context, c *ent.Client, parent int, mv edgeMove) error {
	r := mv.fk
	k := records.ByName(r.child)
	var detach []int
	if mv.clear || len(mv.remove) > 0 {
		current, err := k.Query(c, fieldIs(r.fk, parent)).IDs(ctx)
		if err != nil {
			return err
		}
		for _, id := range current {
			if (mv.clear && !slices.Contains(mv.add, id)) || slices.Contains(mv.remove, id) {
				detach = append(detach, id)
			}
		}
	}
	if len(detach) > 0 && r.required {
		return &FieldError{Field: mv.input, Message: fmt.Sprintf("a %s always belongs to a %s: move it by updating the %s (its %sID)",
			readable(r.child), readable(r.parent), readable(r.child), lowerCamel(r.childEdge))}
	}
	for _, id := range detach {
		m, save := k.Update(c, id)
		if err := m.ClearField(r.fk); err != nil {
			return err
		}
		if err := save(ctx); err != nil {
			return err
		}
	}
	for _, id := range mv.add {
		m, save := k.Update(c, id)
		if err := m.SetField(r.fk, parent); err != nil {
			return err
		}
		if err := save(ctx); err != nil {
			if ent.IsNotFound(err) {
				return &FieldError{Field: mv.input, Message: fmt.Sprintf("no %s has the ID given", readable(r.child))}
			}
			// The child's error names its own foreign key (parentID, say,
			// for a child that would become its own ancestor); the caller
			// gave the input that re-points it.
			var fe *directory.FieldError
			if errors.As(err, &fe) && fe.Field == lowerCamel(r.childEdge)+"ID" {
				return &FieldError{Field: mv.input, Message: fe.Message}
			}
			return err
		}
	}
	return nil
}

func moveLinks(ctx context.Context, c *ent.Client, target int, mv edgeMove) error {
	r := mv.m2m
	k := records.ByName(r.owner)
	var unlink []int
	if mv.clear {
		linked, err := r.linked(ctx, c, []int{target})
		if err != nil {
			return err
		}
		for _, id := range linked {
			if !slices.Contains(mv.add, id) {
				unlink = append(unlink, id)
			}
		}
	}
	for _, id := range mv.remove {
		if !slices.Contains(unlink, id) {
			unlink = append(unlink, id)
		}
	}
	for _, id := range unlink {
		m, save := k.Update(c, id)
		r.remove(m, target)
		if err := save(ctx); err != nil {
			if ent.IsNotFound(err) {
				return &FieldError{Field: mv.input, Message: fmt.Sprintf("no %s has the ID given", readable(r.owner))}
			}
			return err
		}
	}
	for _, id := range mv.add {
		m, save := k.Update(c, id)
		r.add(m, target)
		if err := save(ctx); err != nil {
			if ent.IsNotFound(err) {
				return &FieldError{Field: mv.input, Message: fmt.Sprintf("no %s has the ID given", readable(r.owner))}
			}
			return err
		}
	}
	return nil
}

// checkRefs finds the references m makes (foreign keys it sets, records it
// links) to records that do not exist. Its answer is reported only if the
// save then fails on a foreign key, so that the write guard, which runs
// first, decides whether the caller may learn anything at all.
func checkRefs(ctx context.Context, c *ent.Client, m ent.Mutation, create bool) error {
	for _, r := range fkRels {
		if r.child != m.Type() {
			continue
		}
		v, ok := m.Field(r.fk)
		if !ok {
			continue
		}
		id, _ := v.(int)
		found, err := records.ByName(r.parent).Query(c, idIs(id)).Exist(ctx)
		if err != nil {
			return nil
		}
		if !found {
			return &FieldError{Field: lowerCamel(r.childEdge) + "ID", Message: fmt.Sprintf("no %s has this ID", readable(r.parent))}
		}
	}
	for _, r := range m2mRels {
		if r.owner != m.Type() {
			continue
		}
		ids := records.IntIDs(m.AddedIDs(r.ownerEdge))
		if len(ids) == 0 {
			continue
		}
		found, err := records.ByName(r.target).Query(c, idIn(ids)).IDs(ctx)
		if err != nil {
			return nil
		}
		if len(found) < len(dedupe(ids)) {
			field := r.ownerGQL + "IDs"
			if !create {
				field = "add" + upperFirst(field)
			}
			return &FieldError{Field: field, Message: fmt.Sprintf("no %s has one of these IDs", readable(r.target))}
		}
	}
	return nil
}

// create saves a new record built by build, then the related records its
// input re-points.
func create[T any](ctx context.Context, w *Writer, typ string, build func(c *ent.Client) (ent.Mutation, func(context.Context) (T, error))) (T, error) {
	var out T
	// Any key may create a resource, as a submission for review: the
	// write guard holds it to that.
	if typ != ent.TypeResource {
		if err := gate(ctx); err != nil {
			return out, err
		}
	}
	owned, err := w.inTx(ctx, func(ctx context.Context, c *ent.Client) error {
		v, err := createIn(ctx, c, build)
		out = v
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return unwrap(out, owned), nil
}

func createIn[T any](ctx context.Context, c *ent.Client, build func(c *ent.Client) (ent.Mutation, func(context.Context) (T, error))) (T, error) {
	m, save := build(c)
	moves, err := takeMoves(m, true)
	if err != nil {
		return *new(T), err
	}
	refErr := checkRefs(ctx, c, m, true)
	v, err := save(ctx)
	if err != nil {
		if refErr != nil && ent.IsConstraintError(err) {
			return v, refErr
		}
		return v, err
	}
	id, _ := m.(interface{ ID() (int, bool) }).ID()
	return v, applyMoves(ctx, c, id, moves)
}

// update applies a partial update built by build to record id of type typ,
// if it is still at version expected (when given).
func update[T any](ctx context.Context, w *Writer, typ string, id int, expected *int, build func(c *ent.Client) (ent.Mutation, func(context.Context) (T, error))) (T, error) {
	var out T
	if err := gate(ctx); err != nil {
		return out, err
	}
	owned, err := w.inTx(ctx, func(ctx context.Context, c *ent.Client) error {
		v, err := updateIn(ctx, c, typ, id, expected, build)
		out = v
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return unwrap(out, owned), nil
}

func updateIn[T any](ctx context.Context, c *ent.Client, typ string, id int, expected *int, build func(c *ent.Client) (ent.Mutation, func(context.Context) (T, error))) (T, error) {
	m, save := build(c)
	for _, f := range m.ClearedFields() {
		if _, set := m.Field(f); set {
			return *new(T), &FieldError{Field: f, Message: "is both set and cleared: give a value or clear it, not both"}
		}
	}
	if expected != nil {
		// The version check is part of the UPDATE statement: of two
		// writers holding the same version, the second finds no row.
		m.(interface{ WhereP(...func(*sql.Selector)) }).WhereP(versionIs(*expected))
	}
	moves, err := takeMoves(m, false)
	if err != nil {
		return *new(T), err
	}
	refErr := checkRefs(ctx, c, m, false)
	v, err := save(ctx)
	switch {
	case err == nil:
	case ent.IsNotFound(err):
		return v, missingOrStale(ctx, c, typ, id, expected)
	case refErr != nil && ent.IsConstraintError(err):
		return v, refErr
	default:
		return v, err
	}
	return v, applyMoves(ctx, c, id, moves)
}

// missingOrStale explains why a write of record id found no row: it does
// not exist, or it is no longer at the expected version.
func missingOrStale(ctx context.Context, c *ent.Client, typ string, id int, expected *int) error {
	versions, err := records.ByName(typ).Versions(ctx, c, idIs(id))
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		return notFound(typ)
	}
	if expected != nil && versions[0] != *expected {
		return staleVersion(typ, *expected, versions[0])
	}
	return notFound(typ)
}

func fieldIs(field string, v int) func(*sql.Selector) { return sql.FieldEQ(field, v) }

func dedupe(ids []int) []int {
	seen := map[int]bool{}
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// lowerCamel turns an ent edge name into the API's camelCase.
func lowerCamel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// sortedTypes returns the keys of a count map in a stable order.
func sortedTypes(m map[EntityType]int) []EntityType {
	out := make([]EntityType, 0, len(m))
	for t := range m {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
