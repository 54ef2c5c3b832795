// Package hsdsextra holds what an imported HSDS record carried that Village
// does not model, so that an export gives it back. It is its own package
// because the ent schema stores it and package hsds imports ent.
package hsdsextra

import "sort"

// Row is one HSDS row (or JSON object, flattened) as text, by column name,
// as in the tabular form; empty columns are left out.
type Row map[string]string

// Extra is what an HSDS record carried that Village has no field for,
// verbatim. Every map marshals with sorted keys and every list is sorted by
// id (see Normalize), so the same package always stores the same JSON and
// a re-import compares equal.
type Extra struct {
	// Fields are the record's own HSDS columns Village has no field for.
	Fields Row `json:"fields,omitempty"`
	// Rows are whole rows of other HSDS tables that hang off the record, by
	// HSDS table (plural name): tables Village does not model (a location's
	// accessibility, a service's cost_options and required_documents, an
	// organization's organization_identifiers, attributes and metadata
	// linked to the record, a location's or phone's languages, the taxonomy
	// of a term), and a location's addresses beyond the one Village keeps.
	Rows map[string][]Row `json:"rows,omitempty"`
	// Folded are, per HSDS table whose rows Village folds into the record
	// (a location's address, a service's languages, the attributes that
	// became a service's needs), what each folded row carried beyond what
	// Village stores, its id included.
	Folded map[string][]Row `json:"folded,omitempty"`
}

// Empty reports whether e keeps nothing.
func (e *Extra) Empty() bool {
	return e == nil || (len(e.Fields) == 0 && len(e.Rows) == 0 && len(e.Folded) == 0)
}

// SetField keeps a column of the record's own row; an empty value is no
// value.
func (e *Extra) SetField(col, value string) {
	if value == "" {
		return
	}
	if e.Fields == nil {
		e.Fields = Row{}
	}
	e.Fields[col] = value
}

// AddRow keeps a whole row of another table.
func (e *Extra) AddRow(table string, r Row) {
	if len(r) == 0 {
		return
	}
	if e.Rows == nil {
		e.Rows = map[string][]Row{}
	}
	e.Rows[table] = append(e.Rows[table], r)
}

// AddFolded keeps what a folded row carried beyond Village's fields.
func (e *Extra) AddFolded(table string, r Row) {
	if len(r) == 0 {
		return
	}
	if e.Folded == nil {
		e.Folded = map[string][]Row{}
	}
	e.Folded[table] = append(e.Folded[table], r)
}

// Normalize sorts every list by id (then by content), so equal extras
// encode equally whatever order the package gave its rows in, and returns
// nil when nothing is kept.
func (e *Extra) Normalize() *Extra {
	if e.Empty() {
		return nil
	}
	for _, m := range []map[string][]Row{e.Rows, e.Folded} {
		for _, rows := range m {
			sort.SliceStable(rows, func(i, j int) bool { return rowKey(rows[i]) < rowKey(rows[j]) })
		}
	}
	return e
}

func rowKey(r Row) string {
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := r["id"]
	for _, k := range keys {
		s += "\x00" + k + "\x00" + r[k]
	}
	return s
}
