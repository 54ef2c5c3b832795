package graph

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// The per-field and per-object allocations of the executor, cut where the
// generated code calls into code of ours (see storedFieldsDirect and
// sequentialObjectsLean in gqlgen.go, and marshalListInOrder). gqlgen makes
// a field's context in three allocations: the graphql.FieldContext, a
// closure for its Child (a leaf's, which nothing calls) and the
// context.WithValue holding it; and an object's output in three: a
// graphql.FieldSet, its values and the fieldsInOrder writing them. On the
// nested list of issue 19 (10 organizations, 69 services, 239 areas) those
// were most of the request's allocations.

// fieldContextKey is the key under which gqlgen keeps a field's context
// (graphql.GetFieldContext reads it): learnt by asking for it, so no
// reflection or copy of gqlgen's unexported key is needed. A test checks
// that GetFieldContext finds a fieldCtx's context.
var fieldContextKey = func() any {
	p := &keyProbe{Context: context.Background()}
	graphql.GetFieldContext(p)
	return p.key
}()

// keyProbe records the key it is asked for.
type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Value(key any) any {
	p.key = key
	return nil
}

// fieldCtx is a context holding a field's context: what
// graphql.WithFieldContext makes, in one allocation instead of two (three
// with a list element's index), and none of its own when it comes from its
// root field's arena.
type fieldCtx struct {
	context.Context
	fc    graphql.FieldContext
	index int
	arena *arena
}

func (c *fieldCtx) Value(key any) any {
	switch key {
	case fieldContextKey:
		return &c.fc
	case arenaKey{}:
		if c.arena != nil {
			return c.arena
		}
	}
	return c.Context.Value(key)
}

// Done, Err and Deadline are the parent's. Whoever asks for them may
// watch the context after the response is written (a database driver's
// goroutine does, for every statement), so the context's arena is then
// never used again (see operationArenas).
func (c *fieldCtx) Done() <-chan struct{} {
	c.watched()
	return c.Context.Done()
}

func (c *fieldCtx) Err() error {
	c.watched()
	return c.Context.Err()
}

func (c *fieldCtx) Deadline() (time.Time, bool) {
	c.watched()
	return c.Context.Deadline()
}

func (c *fieldCtx) watched() {
	if c.arena != nil && !c.arena.watched.Load() {
		c.arena.watched.Store(true)
	}
}

// newFieldCtx is a field context below ctx, from ctx's arena if it has
// one, with its parent set as graphql.WithFieldContext sets it.
func newFieldCtx(ctx context.Context) *fieldCtx {
	a, _ := ctx.(*fieldCtx)
	var c *fieldCtx
	if ar := arenaOf(ctx, a); ar != nil {
		c = ar.fieldCtx()
		c.arena = ar
	} else {
		c = new(fieldCtx)
	}
	c.below(ctx, a)
	return c
}

// below makes c a field context below ctx (a, when ctx is a fieldCtx),
// its parent set as graphql.WithFieldContext sets it.
func (c *fieldCtx) below(ctx context.Context, a *fieldCtx) {
	c.Context = ctx
	c.fc.Parent = parentField(ctx, a)
}

// parentField is the field context graphql.WithFieldContext makes the
// parent of one below ctx (a, when ctx is a fieldCtx).
func parentField(ctx context.Context, a *fieldCtx) *graphql.FieldContext {
	if a != nil {
		return &a.fc
	}
	return graphql.GetFieldContext(ctx)
}

// leaf makes c the context of a leaf field of object.
func (c *fieldCtx) leaf(object string, field graphql.CollectedField, isMethod, isResolver bool) {
	c.fc.Object = object
	c.fc.Field = field
	c.fc.IsMethod = isMethod
	c.fc.IsResolver = isResolver
	c.fc.Child = leafChild
}

// leafField is the context of a leaf field (a scalar or enum, or a list of
// them) of object, as graphql.NewScalarFieldContext and
// graphql.WithFieldContext make it. Its Child fails, as gqlgen's does:
// validation refuses a selection below a leaf.
func leafField(ctx context.Context, object string, field graphql.CollectedField, isMethod, isResolver bool) context.Context {
	c := newFieldCtx(ctx)
	c.leaf(object, field, isMethod, isResolver)
	return c
}

// transientLeafField is leafField for a leaf whose marshaler reads its
// context only to report, there and then, a null it must not return, and
// keeps nothing of it (ctxForErrors in gqlgen.go: a non-null String's, ID's
// or Boolean's): the context is the arena's one such, set anew for each of
// those leaves, since none outlives its marshaler. On the nested list of
// issue 19 that is 480 field contexts (of some 2,300) a request. A leaf
// whose marshaler never reads its context (an enum's, an optional
// string's) is given its parent's. Upstream, gqlgen issue #4294 is about
// these contexts' cost.
func transientLeafField(ctx context.Context, object string, field graphql.CollectedField, isMethod, isResolver bool) context.Context {
	a, _ := ctx.(*fieldCtx)
	ar := arenaOf(ctx, a)
	if ar == nil {
		return leafField(ctx, object, field, isMethod, isResolver)
	}
	c := &ar.transient
	*c = fieldCtx{arena: ar}
	c.below(ctx, a)
	c.leaf(object, field, isMethod, isResolver)
	return c
}

func leafChild(context.Context, graphql.CollectedField) (*graphql.FieldContext, error) {
	return nil, errors.New("a field of a scalar or enum type has no child fields")
}

// elementField is the context of the i-th element of a list, as the
// executor makes it (a field context holding the index).
func elementField(ctx context.Context, i int) context.Context {
	c := newFieldCtx(ctx)
	c.index = i
	c.fc.Index = &c.index
	return c
}

// withFieldContext is graphql.WithFieldContext(ctx, fc) for the generated
// executor's stored object fields (storedFieldsDirect in gqlgen.go): the
// same field context, copied into one from the arena.
func withFieldContext(ctx context.Context, fc *graphql.FieldContext) context.Context {
	c := newFieldCtx(ctx)
	parent := c.fc.Parent
	c.fc = *fc
	c.fc.Parent = parent
	return c
}

// An arena hands out the field contexts and object outputs of one root
// field's response (see withArena), a block at a time: a nested list of
// a few hundred rows makes thousands of each, and one allocation a block
// replaces one each. The executor resolves everything below a root field
// on that field's goroutine (gqlgen.go), so an arena is never shared
// between goroutines; what it hands out lives as long as the response.
type arena struct {
	ctxs      blocks[fieldCtx]
	objs      blocks[objectFields]
	values    blocks[graphql.Marshaler] // the objects' values
	collected map[collectKey][]graphql.CollectedField
	args      map[argsKey]map[string]any // see sharedArgs
	transient fieldCtx                   // see transientLeafField
	// Something asked one of its contexts for Done, Err or Deadline.
	watched atomic.Bool
}

// blocks hand out an arena's elements of one kind: every block allocated,
// in order, is kept, so that a response after the one it was made for can
// use them again (see operationArenas).
type blocks[T any] struct {
	all  [][]T
	used int // blocks in use: the last one's unused rest is free
	free []T
	n    int // elements allocated in all
}

// take hands out n elements in a row, from the next block when what is
// free is too few: one kept, or a new one of size(b.n) elements.
func (b *blocks[T]) take(n int, size func(allocated int) int) []T {
	if len(b.free) < n {
		if b.used == len(b.all) {
			block := make([]T, size(b.n))
			b.n += len(block)
			b.all = append(b.all, block)
		}
		b.free = b.all[b.used]
		b.used++
	}
	taken := b.free[:n:n]
	b.free = b.free[n:]
	return taken
}

// reset zeroes what was handed out and marks nothing in use.
func (b *blocks[T]) reset() {
	for i := range b.used {
		block := b.all[i]
		if i == b.used-1 {
			block = block[:len(block)-len(b.free)]
		}
		clear(block)
	}
	b.used, b.free = 0, nil
}

// collectKey is a selection set and the types an object satisfies, by
// their backing arrays, as gqlgen's collect-fields cache keys them.
type collectKey struct {
	sel       *ast.Selection
	n         int
	satisfies *string
}

// collectFields is graphql.CollectFields(oc, sel, satisfies), where the
// generated executor calls it for every object it writes (collectOnce in
// gqlgen.go): the same fields, from the arena's cache. gqlgen caches them
// per operation too, but its cache key boxes the selection set, one
// allocation an object (upstream: gqlgen PR #3874 added that cache; no
// issue asks for an allocation-free key yet).
func collectFields(ctx context.Context, oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	c, _ := ctx.(*fieldCtx)
	a := arenaOf(ctx, c)
	if a == nil || len(sel) == 0 {
		return graphql.CollectFields(oc, sel, satisfies)
	}
	key := collectKey{unsafe.SliceData(sel), len(sel), unsafe.SliceData(satisfies)}
	if fields, ok := a.collected[key]; ok {
		return fields
	}
	fields := graphql.CollectFields(oc, sel, satisfies)
	if a.collected == nil {
		a.collected = map[collectKey][]graphql.CollectedField{}
	}
	a.collected[key] = fields
	return fields
}

// argsKey is a field of the operation as a field of object: one selection
// (in a fragment on an interface) may be a field of several types, whose
// own definitions of the field decode its arguments.
type argsKey struct {
	field  *ast.Field
	object string
}

// sharedArgs gives fc the arguments an earlier parent's field context
// decoded for fc's field below this root field, if any, and the parent
// graphql.WithFieldContext would have given it on the way, and reports
// whether it did. The generated executor decodes a field's arguments once
// per root field rather than once per parent object (sharedFieldArgs in
// gqlgen.go): for the 69 services of issue 19's nested list, their
// serviceAreas' arguments (the raw map, the decoded map and the where
// input through @readable) were decoded 69 times. They come out the same
// for every parent: they are read from the operation's document and
// variables only, @readable depends on the request's viewer (package
// auth), which all fields of a root field share, and nothing changes a
// decoded argument once made: the resolvers (ent's edges and pagination)
// only read them, and no field middleware can write a field context's
// Args (useExtension refuses any). Only arguments that decoded without
// error are shared: a parent whose field fails decodes again and reports
// the error on its own path, as gqlgen does.
func sharedArgs(ctx context.Context, fc *graphql.FieldContext) bool {
	c, _ := ctx.(*fieldCtx)
	a := arenaOf(ctx, c)
	if a == nil {
		return false
	}
	args, ok := a.args[argsKey{fc.Field.Field, fc.Object}]
	if !ok {
		return false
	}
	fc.Parent = parentField(ctx, c)
	fc.Args = args
	return true
}

// shareArgs keeps fc's decoded arguments for the other parents of its
// field below this root field (see sharedArgs).
func shareArgs(ctx context.Context, fc *graphql.FieldContext) {
	c, _ := ctx.(*fieldCtx)
	a := arenaOf(ctx, c)
	if a == nil {
		return
	}
	if a.args == nil {
		a.args = map[argsKey]map[string]any{}
	}
	a.args[argsKey{fc.Field.Field, fc.Object}] = fc.Args
}

// arenaBlock is how many an arena that has allocated n allocates next:
// as many again, from 8 to 128, so a small response wastes little.
func arenaBlock(n int) int {
	return min(max(n, 8), 128)
}

type arenaKey struct{}

// withArena gives a root field its arena: the executor's root field
// middleware (graph/handler.go). Under an operation that hands its arenas
// back (operationArenas), the arena may be one an earlier response used.
func withArena(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	ops, _ := ctx.Value(operationArenasKey{}).(*operationArenas)
	if ops == nil {
		return next(context.WithValue(ctx, arenaKey{}, &arena{}))
	}
	a, _ := arenaPool.Get().(*arena)
	if a == nil {
		a = &arena{}
	}
	ops.mu.Lock()
	ops.arenas = append(ops.arenas, a)
	ops.mu.Unlock()
	return next(context.WithValue(ctx, arenaKey{}, a))
}

// Arenas are used again, by later responses: a nested list's field
// contexts, objects and values are most of the bytes it allocates (some
// 700 contexts of 160 bytes), and the collector's work grows with them.
// An arena is handed back only once nothing can use what it handed out:
// when the operation has returned (not when it ran past its deadline and
// was answered TIMEOUT without it) and its response has been written, and
// only if no one asked any of its contexts for Done, Err or Deadline. A
// context is the context of whatever a resolver below it does, and a
// database driver watches a statement's context from a goroutine of its
// own that may run after the response is written (lib/pq's watchCancel,
// database/sql's awaitDone, modernc's interruptOnDone): clearing a context
// under such a goroutine crashed the process (TestMatchAnswersEveryField
// AsNodes found it, when arenas were handed back whatever they had done).
// Every such watcher asks for Done first, on the statement's goroutine
// (database/sql does before it runs a statement), so an arena whose
// contexts ran a statement is left to the collector; one whose fields
// were all read from loaded records (the nested list's edges, nodes and
// scalars, its connections read from eager-loaded edges) comes back. A
// holder that never asks for Done, Err or Deadline is not seen:
// context.WithoutCancel of a field's context, or a goroutine left running
// that only reads its values, would read a cleared context or a later
// response's. TestNothingDetachesAFieldContext refuses both in the
// module's code.
var arenaPool sync.Pool

// maxPooledArena bounds what an arena kept for reuse holds, in field
// contexts, objects and values: a rare large answer's is left to the
// collector rather than held.
const maxPooledArena = 8192

// operationArenas are the arenas of one operation's root fields.
type operationArenas struct {
	mu     sync.Mutex
	arenas []*arena
}

type operationArenasKey struct{}

// withOperationArenas lets the operation run under ctx hand its arenas
// back; release does.
func withOperationArenas(ctx context.Context) (context.Context, *operationArenas) {
	ops := &operationArenas{}
	return context.WithValue(ctx, operationArenasKey{}, ops), ops
}

// release hands the operation's arenas back for later responses, cleared,
// except those whose contexts something watched or that grew large, and
// says how many it handed back. Call it only once the operation has
// returned and its response has been written.
func (ops *operationArenas) release() int {
	ops.mu.Lock()
	defer ops.mu.Unlock()
	n := 0
	for _, a := range ops.arenas {
		if a.watched.Load() {
			continue
		}
		a.ctxs.reset()
		a.objs.reset()
		a.values.reset()
		clear(a.collected)
		clear(a.args)
		a.transient = fieldCtx{}
		if a.ctxs.n+a.objs.n+a.values.n <= maxPooledArena {
			arenaPool.Put(a)
			n++
		}
	}
	ops.arenas = nil
	return n
}

// arenaOf is ctx's arena, nil outside a root field that has one; c is ctx
// when it is a fieldCtx.
func arenaOf(ctx context.Context, c *fieldCtx) *arena {
	if c != nil {
		return c.arena
	}
	a, _ := ctx.Value(arenaKey{}).(*arena)
	return a
}

func (a *arena) fieldCtx() *fieldCtx {
	return &a.ctxs.take(1, arenaBlock)[0]
}

// objectFields is an object's output where the generated executor made a
// graphql.FieldSet (see sequentialObjectsLean in gqlgen.go): the same
// Values and Invalids, written as fieldsInOrder writes them. Below a root
// field, the Values are cut from the arena's blocks of values, as many as
// the object has fields: an object of the nested list has two or three,
// where room for eight in each object, as it had, was most of its bytes.
type objectFields struct {
	fields   []graphql.CollectedField
	Values   []graphql.Marshaler
	Invalids uint32
}

// valuesBlock is how many values an arena allocates at a time.
const valuesBlock = 256

func newObjectFields(ctx context.Context, fields []graphql.CollectedField) *objectFields {
	c, _ := ctx.(*fieldCtx)
	a := arenaOf(ctx, c)
	if a == nil {
		return &objectFields{fields: fields, Values: make([]graphql.Marshaler, len(fields))}
	}
	o := &a.objs.take(1, arenaBlock)[0]
	o.fields = fields
	n := len(fields)
	switch {
	case n > valuesBlock/4: // a large object has its own
		o.Values = make([]graphql.Marshaler, n)
	default:
		o.Values = a.values.take(n, func(int) int { return valuesBlock })
	}
	return o
}

// Dispatch is FieldSet's: it runs the fields resolved concurrently, and an
// object written through objectFields has none.
func (o *objectFields) Dispatch(context.Context) {}

func (o *objectFields) MarshalGQL(w io.Writer) {
	fieldsInOrder{fields: o.fields, values: o.Values}.MarshalGQL(w)
}
