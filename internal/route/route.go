// Package route says, in a context, which PostgreSQL server a statement may
// run on: the primary, or the read replica the request was bound to (see
// package store, which does the routing, and its documentation for why).
// It knows nothing of drivers, so that the packages which must mark their
// reads (the change feed, the indexes' freshness checks and rebuilds) can
// do so without importing the store.
package route

import (
	"context"
	"sync"
)

type primaryKey struct{}

type bindingKey struct{}

// Primary returns ctx whose statements all run on the primary, whatever
// the request was bound to: writes and the reads that must see every
// committed write (a mutation's, the change feed's, an index's freshness
// check and rebuild, an API key's look-up).
func Primary(ctx context.Context) context.Context {
	if OnPrimary(ctx) {
		return ctx
	}
	return context.WithValue(ctx, primaryKey{}, true)
}

// OnPrimary reports whether ctx was marked with Primary.
func OnPrimary(ctx context.Context) bool {
	on, _ := ctx.Value(primaryKey{}).(bool)
	return on
}

// Binding is one request's routing: the replica its reads go to (nil: the
// primary), and whether it wrote. A context without one (the CLI, imports,
// background work) runs everything on the primary.
type Binding struct {
	mu      sync.Mutex
	replica any
	wrote   bool
	token   string
	tokened bool
}

// NewBinding binds a request to replica (nil: the primary).
func NewBinding(replica any) *Binding { return &Binding{replica: replica} }

// WithBinding returns ctx carrying b.
func WithBinding(ctx context.Context, b *Binding) context.Context {
	return context.WithValue(ctx, bindingKey{}, b)
}

// BindingFrom returns ctx's binding, nil when it has none.
func BindingFrom(ctx context.Context) *Binding {
	b, _ := ctx.Value(bindingKey{}).(*Binding)
	return b
}

// Replica returns the replica the request's reads go to, nil for the
// primary.
func (b *Binding) Replica() any {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.replica
}

// Unbind sends the rest of the request's reads to the primary (its replica
// failed).
func (b *Binding) Unbind() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.replica = nil
	b.mu.Unlock()
}

// MarkWrote records that the request committed a write.
func (b *Binding) MarkWrote() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.wrote, b.tokened = true, false
	b.mu.Unlock()
}

// Token returns the request's read-after token, computing it with read the
// first time it is asked for after a write ("" before any write, or when
// read fails): the GraphQL extension and the response header then name the
// same position.
func (b *Binding) Token(read func() string) string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.wrote {
		return ""
	}
	if !b.tokened {
		b.token, b.tokened = read(), true
	}
	return b.token
}

// Replicated reports whether statements under ctx may run on a replica:
// the request is bound to one and ctx is not marked Primary.
func Replicated(ctx context.Context) bool {
	return !OnPrimary(ctx) && BindingFrom(ctx).Replica() != nil
}
