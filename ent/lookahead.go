package ent

import (
	"database/sql"
	"database/sql/driver"
	"slices"
)

// A page of a connection reads one row more than it shows, to tell whether
// there is a next page (entgql's paginateLimit: first+1): the top-level
// query with LIMIT first+1, a nested one with entgql.LimitPerRow, first+1
// rows per parent. That lookahead row is never shown (the connection's
// build drops it), yet the generated eager loading loaded its edges too,
// and theirs below: to show 10 organizations, 69 of their services and 239
// of those services' areas, it read 11, 96 and 488 rows (issue 19).
//
// A lookahead on a query (set by Paginate and by the field collection of a
// nested connection; entc.go adds it to entgql's output) marks each row as
// it is scanned: the limit-th row in its partition (the parent's foreign
// key column, or the whole result for a single page) is the lookahead row.
// The templates in ent/template/lookahead.tmpl set those rows aside before
// the named edges (the edges entgql's field collection loads) are loaded
// and put them back after, at the end, where the connection's build
// expects its extra row: each level reads the rows it shows plus at most
// one per parent, and the same statements as before.
//
// Rows are counted in the order the database returns them, the order the
// connection's build relies on too. A query whose partition column is not
// among the scanned columns (a many-to-many edge's join column) marks
// nothing: it loads every row's edges, as before.
type lookahead struct {
	partition string // the column the pages are per; "" for one page
	limit     int    // rows read per page: the page size plus one

	// Of the current run: rows seen per partition, and for each row
	// scanned, in order, whether it is a lookahead row.
	seen  map[any]int
	rows  int
	marks []bool
	// For an integer column (every edge's key), the rows seen of the
	// current partition: the statements return each partition's rows
	// together (a window function's sort, a lateral join's nested loop),
	// so a count of the current run needs no map. Were a partition's rows
	// ever apart, its lookahead row would go unmarked and have its edges
	// loaded, as before lookaheads; the connections count their rows
	// themselves, so the answer would not change.
	lastInt int64
	run     int
}

// newLookahead is the lookahead of pages of limit rows (the page size plus
// one) per value of the partition column ("" for a single page). A page of
// one row (first: 0) has nothing to look ahead of: nil.
func newLookahead(partition string, limit int) *lookahead {
	if limit <= 1 {
		return nil
	}
	return &lookahead{partition: partition, limit: limit}
}

// marking wraps a query spec's Assign to mark each row it assigns.
func (l *lookahead) marking(assign func([]string, []any) error) func([]string, []any) error {
	if l == nil || assign == nil {
		return assign
	}
	l.seen, l.rows, l.marks, l.run = nil, 0, l.marks[:0], 0
	col := -2 // not looked up yet; -1: not scanned
	return func(columns []string, values []any) error {
		if err := assign(columns, values); err != nil {
			return err
		}
		l.rows++
		n := l.rows
		if l.partition != "" {
			if col == -2 {
				col = slices.Index(columns, l.partition)
			}
			if v, isInt := at(values, col).(*sql.NullInt64); isInt && v.Valid {
				if l.run == 0 || v.Int64 != l.lastInt {
					l.lastInt, l.run = v.Int64, 0
				}
				l.run++
				l.marks = append(l.marks, l.run == l.limit)
				return nil
			}
			key, ok := partitionKey(values, col)
			if !ok {
				l.marks = append(l.marks, false)
				return nil
			}
			if l.seen == nil {
				l.seen = map[any]int{}
			}
			l.seen[key]++
			n = l.seen[key]
		}
		l.marks = append(l.marks, n == l.limit)
		return nil
	}
}

// at is values[col], nil when col is out of range.
func at(values []any, col int) any {
	if col < 0 || col >= len(values) {
		return nil
	}
	return values[col]
}

// partitionKey is the value scanned into values[col].
func partitionKey(values []any, col int) (any, bool) {
	if col < 0 || col >= len(values) {
		return nil, false
	}
	v, ok := values[col].(driver.Valuer)
	if !ok {
		return nil, false
	}
	key, err := v.Value()
	return key, err == nil && key != nil
}

// splitLookahead sets the lookahead rows of nodes (as l marked them) aside:
// the rows to load edges for, and the lookahead rows.
func splitLookahead[T any](l *lookahead, nodes []*T) (shown, ahead []*T) {
	if l == nil || len(l.marks) != len(nodes) {
		return nodes, nil
	}
	n := 0
	for _, m := range l.marks {
		if m {
			n++
		}
	}
	if n == 0 {
		return nodes, nil
	}
	shown, ahead = make([]*T, 0, len(nodes)), make([]*T, 0, n)
	for i, node := range nodes {
		if l.marks[i] {
			ahead = append(ahead, node)
		} else {
			shown = append(shown, node)
		}
	}
	return shown, ahead
}
