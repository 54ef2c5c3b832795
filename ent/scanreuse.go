package ent

import "entgo.io/ent/dialect/sql"

// The generated scanValues makes, for every row a query reads, a slice of
// values and one holder per column (a sql.NullString, a sql.NullInt64, …)
// that assignValues copies into the row's node and never keeps: on the
// nested list of issue 19 (10/69/239 rows) that was an eighth of the
// request's allocations. reuseScanValues (ent/template/scanreuse.tmpl)
// makes them once per query and scans every row into the same ones, but
// for the columns scanned as sql.UnknownType (a value selected by name,
// such as a count): sqlgraph swaps in a holder of the column's type, which
// assignValues keeps in the node, so each row gets a fresh one.
func reuseScanValues(scan func([]string) ([]any, error)) func([]string) ([]any, error) {
	if scan == nil {
		return nil
	}
	var (
		values  []any
		unknown []int // the columns scanned as sql.UnknownType
	)
	return func(columns []string) ([]any, error) {
		if values == nil || len(columns) != len(values) {
			v, err := scan(columns)
			if err != nil {
				return nil, err
			}
			values, unknown = v, unknown[:0]
			for i, x := range v {
				if _, ok := x.(*sql.UnknownType); ok {
					unknown = append(unknown, i)
				}
			}
			return values, nil
		}
		for _, i := range unknown {
			values[i] = new(sql.UnknownType)
		}
		return values, nil
	}
}
