package graph

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/village-directory/village/ent"
)

// checkCursor refuses, before anything runs (pageSizeCheck calls it on
// every connection, with the arguments it has read), a page cursor (after
// or before) that was cut from a list in another order than the one asked
// for: its values are not of the types the orderBy fields hold (a name
// where CREATED_AT orders), or it carries values where the list has no
// orderBy. PostgreSQL refuses to compare such values, and SQLite compares
// anything with anything, so without this one backend said BAD_USER_INPUT
// while the other answered a page from a meaningless position. A cursor of
// another ordering whose values have the same types (NAME where CODE
// orders) cannot be told apart; a cursor of the wrong length entgql
// refuses itself.
func checkCursor(f *ast.Field, args map[string]any) *gqlerror.Error {
	for _, name := range []string{"after", "before"} {
		raw, ok := args[name].(string)
		if !ok {
			continue
		}
		// A cursor that does not decode, or decodes to nothing, is
		// refused here for every connection: entgql's nested (eager)
		// loading would take an empty one as a position and fail below.
		var c entgql.Cursor[int]
		if raw == "" || c.UnmarshalGQL(raw) != nil {
			return badInput(f, name, name+" is not a cursor this API gave out: pass a pageInfo.endCursor or an edge's cursor as it came")
		}
	}
	orderArg := f.Definition.Arguments.ForName("orderBy")
	if orderArg == nil {
		return nil
	}
	valueTypes, known := orderValueTypes[strings.TrimSuffix(orderArg.Type.Name(), "Order")]
	if !known {
		return nil
	}
	for _, name := range []string{"after", "before"} {
		raw, ok := args[name].(string)
		if !ok {
			continue
		}
		var c entgql.Cursor[int]
		_ = c.UnmarshalGQL(raw) // decodes: checked above
		if !cursorFits(c.Value, args["orderBy"], orderArg.Type.Elem != nil, valueTypes) {
			return badInput(f, name, name+foreignCursorMessage)
		}
		if field, ok := optionalOrderField(args["orderBy"], valueTypes); ok {
			return badInput(f, name, fmt.Sprintf("%s cannot page a list ordered by %s: some records have no %s, and a page from a cursor would skip them; order by a field every record has (or by none) to page with cursors", name, field, field))
		}
	}
	return nil
}

// optionalOrderField names the first orderBy field that records may leave
// null (PUBLISHED_ON, VERIFIED_AT). entgql's cursor predicate compares the
// cursor's value with the column (published_on > $v), which no NULL
// satisfies: from a cursor with a null value the page came back empty, and
// from one with a value PostgreSQL, which sorts NULLs last, skipped every
// record without one. Such an ordering is answered one page at a time (first
// or last, up to the page size) but its cursors are refused rather than
// answered with a wrong page (issue 18, TestRelayPagination).
func optionalOrderField(orderBy any, valueTypes func(field string) (reflect.Type, bool)) (string, bool) {
	var orders []any
	switch o := orderBy.(type) {
	case []any:
		orders = o
	case map[string]any:
		orders = []any{o}
	}
	for _, order := range orders {
		entry, _ := order.(map[string]any)
		field, _ := entry["field"].(string)
		if t, known := valueTypes(field); known && t.Kind() == reflect.Pointer {
			return field, true
		}
	}
	return "", false
}

// foreignCursorMessage is what a caller is told of a cursor of another list
// or ordering, here and when the database refuses one (errors.go).
const foreignCursorMessage = " is a cursor of another list or ordering: pass the same orderBy as the page it came from"

// cursorFits reports whether a cursor's value can have been cut from a
// list ordered by orderBy (the argument as sent; a list when multi is set,
// where entgql's cursor holds one value per orderBy entry, else one value,
// or none for the default order by ID).
func cursorFits(value, orderBy any, multi bool, valueTypes func(field string) (reflect.Type, bool)) bool {
	var orders []any
	switch o := orderBy.(type) {
	case []any:
		orders = o
	case map[string]any:
		orders = []any{o}
	}
	if !multi {
		if len(orders) == 0 {
			return value == nil
		}
		return valueFits(value, orders[0], valueTypes)
	}
	values, ok := value.([]any)
	if value == nil {
		return len(orders) == 0
	}
	if !ok || len(values) != len(orders) {
		// entgql refuses these on a root list, but on a nested one its
		// eager loading failed with no code (found by the fuzzer).
		return false
	}
	for i, v := range values {
		if !valueFits(v, orders[i], valueTypes) {
			return false
		}
	}
	return true
}

// valueFits reports whether v can be a value of the field an orderBy entry
// names. What cannot be judged passes.
func valueFits(v, order any, valueTypes func(field string) (reflect.Type, bool)) bool {
	entry, _ := order.(map[string]any)
	field, _ := entry["field"].(string)
	want, known := valueTypes(field)
	if !known {
		return true
	}
	if v == nil {
		return want.Kind() == reflect.Pointer // a null value of an optional field
	}
	if want.Kind() == reflect.Pointer {
		want = want.Elem()
	}
	got := reflect.TypeOf(v)
	if want == reflect.TypeFor[time.Time]() {
		return got == want
	}
	return kindClass(got.Kind()) == kindClass(want.Kind())
}

// kindClass groups kinds as a cursor's encoding keeps them apart: it may
// give an integer back in another size, but never a string for a number.
func kindClass(k reflect.Kind) reflect.Kind {
	switch {
	case k >= reflect.Int && k <= reflect.Uintptr:
		return reflect.Int
	case k == reflect.Float32 || k == reflect.Float64:
		return reflect.Float64
	}
	return k
}

// orderValueTypes gives, for each type with ordered connections, the Go
// type of the value an order field puts in a cursor (a pointer for an
// optional field), read from ent's own order fields.
var orderValueTypes = map[string]func(field string) (reflect.Type, bool){
	"CallRecord":   orderValueType((*ent.CallRecordOrderField).UnmarshalGQL, func(f ent.CallRecordOrderField) func(*ent.CallRecord) (ent.Value, error) { return f.Value }),
	"Contact":      orderValueType((*ent.ContactOrderField).UnmarshalGQL, func(f ent.ContactOrderField) func(*ent.Contact) (ent.Value, error) { return f.Value }),
	"Funding":      orderValueType((*ent.FundingOrderField).UnmarshalGQL, func(f ent.FundingOrderField) func(*ent.Funding) (ent.Value, error) { return f.Value }),
	"Location":     orderValueType((*ent.LocationOrderField).UnmarshalGQL, func(f ent.LocationOrderField) func(*ent.Location) (ent.Value, error) { return f.Value }),
	"Organization": orderValueType((*ent.OrganizationOrderField).UnmarshalGQL, func(f ent.OrganizationOrderField) func(*ent.Organization) (ent.Value, error) { return f.Value }),
	"Phone":        orderValueType((*ent.PhoneOrderField).UnmarshalGQL, func(f ent.PhoneOrderField) func(*ent.Phone) (ent.Value, error) { return f.Value }),
	"Program":      orderValueType((*ent.ProgramOrderField).UnmarshalGQL, func(f ent.ProgramOrderField) func(*ent.Program) (ent.Value, error) { return f.Value }),
	"Resource":     orderValueType((*ent.ResourceOrderField).UnmarshalGQL, func(f ent.ResourceOrderField) func(*ent.Resource) (ent.Value, error) { return f.Value }),
	"Schedule":     orderValueType((*ent.ScheduleOrderField).UnmarshalGQL, func(f ent.ScheduleOrderField) func(*ent.Schedule) (ent.Value, error) { return f.Value }),
	"Service":      orderValueType((*ent.ServiceOrderField).UnmarshalGQL, func(f ent.ServiceOrderField) func(*ent.Service) (ent.Value, error) { return f.Value }),
	"ServiceArea":  orderValueType((*ent.ServiceAreaOrderField).UnmarshalGQL, func(f ent.ServiceAreaOrderField) func(*ent.ServiceArea) (ent.Value, error) { return f.Value }),
	"ServiceAtLocation": orderValueType((*ent.ServiceAtLocationOrderField).UnmarshalGQL, func(f ent.ServiceAtLocationOrderField) func(*ent.ServiceAtLocation) (ent.Value, error) {
		return f.Value
	}),
	"TaxonomyTerm": orderValueType((*ent.TaxonomyTermOrderField).UnmarshalGQL, func(f ent.TaxonomyTermOrderField) func(*ent.TaxonomyTerm) (ent.Value, error) { return f.Value }),
}

// orderValueType reads the type of an order field's value by asking the
// field for the value of an empty record.
func orderValueType[Node, Field any](unmarshal func(*Field, any) error, valueOf func(Field) func(*Node) (ent.Value, error)) func(string) (reflect.Type, bool) {
	return func(name string) (reflect.Type, bool) {
		var f Field
		if unmarshal(&f, name) != nil {
			return nil, false
		}
		v, err := valueOf(f)(new(Node))
		if err != nil {
			return nil, false
		}
		t := reflect.TypeOf(v)
		if t == nil {
			panic(fmt.Sprintf("graph: order field %s gives an untyped value", name))
		}
		return t, true
	}
}
