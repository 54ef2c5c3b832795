package graph

import (
	"io"

	"github.com/99designs/gqlgen/graphql"
)

// fieldsInOrder writes an object resolved field by field: its fields' values
// in the order collected, as graphql.FieldSet.MarshalGQL does, where the
// generated executor writes objects through it (see sequentialObjectsLean in
// gqlgen.go for why). Like FieldSet, it writes a response name once, with
// the first value collected for it.
type fieldsInOrder struct {
	fields []graphql.CollectedField
	values []graphql.Marshaler
}

func (o fieldsInOrder) MarshalGQL(w io.Writer) {
	writeObject(w, o.fields, func(i int) { o.values[i].MarshalGQL(w) })
}

// writeObject writes an object of the collected fields as gqlgen does: in
// order, a response name written once (the first field of that name), each
// value written by value(i) for the i-th field.
func writeObject(w io.Writer, fields []graphql.CollectedField, value func(i int)) {
	o := fieldsInOrder{fields: fields}
	_, _ = io.WriteString(w, "{")
	first := true
	for i := range fields {
		alias := fields[i].Alias
		if o.writtenBefore(i, alias) {
			continue
		}
		if !first {
			_, _ = io.WriteString(w, ",")
		}
		first = false
		// A response name is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*), so it
		// needs no escaping.
		_, _ = io.WriteString(w, `"`)
		_, _ = io.WriteString(w, alias)
		_, _ = io.WriteString(w, `":`)
		value(i)
	}
	_, _ = io.WriteString(w, "}")
}

// writtenBefore reports whether a field before i has the response name
// alias. Objects have a few dozen fields at most, so a scan is cheaper than
// the map FieldSet keeps.
func (o fieldsInOrder) writtenBefore(i int, alias string) bool {
	for j := range i {
		if o.fields[j].Alias == alias {
			return true
		}
	}
	return false
}
