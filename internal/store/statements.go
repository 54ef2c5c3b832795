package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"strings"

	"github.com/lib/pq"
)

// statementsPerConn bounds the statements a PostgreSQL connection keeps
// prepared: each holds the server's parse tree and plans in the backend's
// memory (tens of kilobytes), so with the pool's 32 connections at most a
// few tens of megabytes.
const statementsPerConn = 64

// keepPrepared wraps lib/pq's connector so that each connection keeps the
// statements it runs a second time prepared on the server (see the
// package doc, Prepared statements).
func keepPrepared(c driver.Connector) driver.Connector { return preparedConnector{c} }

type preparedConnector struct{ driver.Connector }

func (c preparedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(pqConn)
	if !ok {
		return conn, nil
	}
	return &preparedConn{pqConn: pc, prepared: map[string]*list.Element{}, seen: map[string]struct{}{}}, nil
}

// pqConn is what lib/pq's connection implements; preparedConn passes all
// of it on, so database/sql sees the same connection but for running
// statements.
type pqConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

type preparedConn struct {
	pqConn
	prepared map[string]*list.Element // of *preparedStmt, in lru
	lru      list.List                // most recently used first
	seen     map[string]struct{}      // run once, not prepared
	// inTx: a transaction is open. Its statements run unprepared: a kept
	// statement the server refuses (a schema change) aborts the
	// transaction, which running it again unprepared cannot undo.
	inTx bool
}

func (c *preparedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.pqConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx = true
	return preparedTx{tx, c}, nil
}

// Begin is BeginTx with the default options (database/sql calls BeginTx).
func (c *preparedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

type preparedTx struct {
	driver.Tx
	c *preparedConn
}

func (t preparedTx) Commit() error {
	t.c.inTx = false
	return t.Tx.Commit()
}

func (t preparedTx) Rollback() error {
	t.c.inTx = false
	return t.Tx.Rollback()
}

type preparedStmt struct {
	query string
	stmt  driver.Stmt
}

// statement is query's prepared statement, prepared now if the connection
// ran it before; nil when it is run unprepared.
func (c *preparedConn) statement(ctx context.Context, query string) driver.Stmt {
	if c.inTx {
		return nil
	}
	if e, ok := c.prepared[query]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*preparedStmt).stmt
	}
	if _, ok := c.seen[query]; !ok {
		if len(c.seen) >= 4*statementsPerConn {
			clear(c.seen)
		}
		c.seen[query] = struct{}{}
		return nil
	}
	delete(c.seen, query)
	st, err := c.pqConn.PrepareContext(ctx, query)
	if err != nil {
		// Run it unprepared: lib/pq's own parse of it tells the same
		// error, or, on a connection lost, the bad connection
		// database/sql and the replica router retry elsewhere. (Outside
		// a transaction only, so nothing was aborted by the attempt.)
		return nil
	}
	c.prepared[query] = c.lru.PushFront(&preparedStmt{query, st})
	if c.lru.Len() > statementsPerConn {
		c.forget(c.lru.Back())
	}
	return st
}

func (c *preparedConn) forget(e *list.Element) {
	p := c.lru.Remove(e).(*preparedStmt)
	delete(c.prepared, p.query)
	_ = p.stmt.Close() // a broken connection is lib/pq's to report
}

// QueryContext keeps a query prepared even without arguments: it is one
// round trip either way, but the server parses and plans an unprepared
// one every time, about half its work on a short read (a page of
// organizations with its values written in the text, as ent writes LIMIT).
func (c *preparedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return runKept(c, ctx, query, args, true, c.pqConn.QueryContext, func(st driver.Stmt) (driver.Rows, error) {
		return st.(driver.StmtQueryContext).QueryContext(ctx, args)
	})
}

// ExecContext runs a statement without arguments unprepared: those are the
// migrations' and maintenance's statements, run once.
func (c *preparedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return runKept(c, ctx, query, args, false, c.pqConn.ExecContext, func(st driver.Stmt) (driver.Result, error) {
		return st.(driver.StmtExecContext).ExecContext(ctx, args)
	})
}

// runKept runs query with args on its kept statement (kept), or
// unprepared (plain): without arguments unless argless, when not kept
// (yet), and when the server refuses the kept one (stalePlan). A text
// without arguments holding a ";" may be several statements, which the
// simple protocol runs and no prepared statement can hold: trying would
// fail, and abort a transaction begun by a BEGIN statement, which the
// connection does not see as one.
func runKept[T any](c *preparedConn, ctx context.Context, query string, args []driver.NamedValue, argless bool,
	plain func(context.Context, string, []driver.NamedValue) (T, error), kept func(driver.Stmt) (T, error)) (T, error) {
	if len(args) == 0 && (!argless || strings.Contains(query, ";")) {
		return plain(ctx, query, args)
	}
	st := c.statement(ctx, query)
	if st == nil {
		return plain(ctx, query, args)
	}
	out, err := kept(st)
	if stalePlan(err) {
		c.forget(c.prepared[query])
		return plain(ctx, query, args)
	}
	return out, err
}

// stalePlan reports whether err is the server refusing a prepared
// statement whose result a schema change altered ("cached plan must not
// change result type", told by the routine that raises it rather than by
// its message, which the server's language changes).
func stalePlan(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "0A000" && pqErr.Routine == "RevalidateCachedQuery"
}
