package testdb

import (
	"context"
	stdsql "database/sql"
	"sync"

	"entgo.io/ent/dialect"
)

// Counter wraps an ent driver and counts the SQL statements that go through
// it, so tests can assert how many a request costs.
type Counter struct {
	dialect.Driver
	mu    sync.Mutex
	count int
	log   []string
}

// CountingDriver returns a store.Options WrapDriver function and the Counter
// it installs.
func CountingDriver() (*Counter, func(dialect.Driver) dialect.Driver) {
	c := &Counter{}
	return c, func(d dialect.Driver) dialect.Driver { c.Driver = d; return c }
}

func (c *Counter) record(query string) {
	c.mu.Lock()
	c.count++
	c.log = append(c.log, query)
	c.mu.Unlock()
}

// Exec counts and runs a statement.
func (c *Counter) Exec(ctx context.Context, query string, args, v any) error {
	c.record(query)
	return c.Driver.Exec(ctx, query, args, v)
}

// Query counts and runs a query.
func (c *Counter) Query(ctx context.Context, query string, args, v any) error {
	c.record(query)
	return c.Driver.Query(ctx, query, args, v)
}

// Tx starts a transaction whose statements are counted too.
func (c *Counter) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := c.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: c}, nil
}

// Reset zeroes the count and returns the statements seen since the last reset.
func (c *Counter) Reset() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	log := c.log
	c.count, c.log = 0, nil
	return log
}

// Count returns the statements run since the last reset.
func (c *Counter) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

type countingTx struct {
	dialect.Tx
	c *Counter
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.c.record(query)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.record(query)
	return t.Tx.Query(ctx, query, args, v)
}

// ExecContext and QueryContext pass raw statements through (ent's
// ExecContext/QueryContext need them), counting them too.
func (c *Counter) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	c.record(query)
	return c.Driver.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	}).ExecContext(ctx, query, args...)
}

// QueryContext runs a raw query, counted.
func (c *Counter) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	c.record(query)
	return c.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	}).QueryContext(ctx, query, args...)
}

// ExecContext runs a raw statement in the transaction, counted.
func (t *countingTx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	t.c.record(query)
	return t.Tx.(interface {
		ExecContext(context.Context, string, ...any) (stdsql.Result, error)
	}).ExecContext(ctx, query, args...)
}

// QueryContext runs a raw query in the transaction, counted.
func (t *countingTx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	t.c.record(query)
	return t.Tx.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	}).QueryContext(ctx, query, args...)
}
