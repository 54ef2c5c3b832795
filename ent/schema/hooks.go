package schema

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"unicode"

	"entgo.io/ent"

	"github.com/village-directory/village/internal/directory"
)

// validateJSONField checks a structured (JSON) field on every create and
// update: ent runs validators only for scalar fields, and these values must
// be as trustworthy as the rest.
func validateJSONField[T any](name string, check func(T) error) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if v, ok := m.Field(name); ok {
				if t, ok := v.(T); ok {
					if err := check(t); err != nil {
						return nil, prefixField(name, err)
					}
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

// prefixField ties an error to the named field, keeping a nested path such as
// eligibility.maxAgeMonths when the check reports one.
func prefixField(name string, err error) error {
	var fe *directory.FieldError
	if errors.As(err, &fe) {
		sep := "."
		if len(fe.Field) > 0 && fe.Field[0] == '[' {
			sep = ""
		}
		return &directory.FieldError{Field: name + sep + fe.Field, Message: fe.Message}
	}
	return &directory.FieldError{Field: name, Message: err.Error()}
}

// mutationValues reads the value a mutation sets for a field, or the value it
// keeps from the stored record on an update-one, so cross-field rules see
// the record as it will be after the write.
func mutationValue(ctx context.Context, m ent.Mutation, name string) (ent.Value, bool) {
	if v, ok := m.Field(name); ok {
		return v, true
	}
	if cleared, ok := m.(interface{ FieldCleared(string) bool }); ok && cleared.FieldCleared(name) {
		return nil, false
	}
	if m.Op().Is(ent.OpUpdateOne) {
		if v, err := m.OldField(ctx, name); err == nil {
			return v, true
		}
	}
	return nil, false
}

func fieldErrorf(field, format string, args ...any) error {
	return &directory.FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// intValue and floatValue unwrap the value a mutation will leave in an
// optional numeric field (set directly, or kept as a pointer from the stored
// record); nil means no value.
func intValue(v ent.Value, ok bool) *int {
	if !ok {
		return nil
	}
	switch t := v.(type) {
	case int:
		return &t
	case *int:
		return t
	}
	return nil
}

func floatValue(v ent.Value, ok bool) *float64 {
	if !ok {
		return nil
	}
	switch t := v.(type) {
	case float64:
		return &t
	case *float64:
		return t
	}
	return nil
}

func stringValue(v ent.Value, ok bool) string {
	if !ok {
		return ""
	}
	switch t := v.(type) {
	case string:
		return t
	case *string:
		if t != nil {
			return *t
		}
	case fmt.Stringer: // generated enum types, without importing the generated package
		return t.String()
	}
	return ""
}

// appendsAsSets turns what an update-one appends to a list field (an
// update input's appendLanguages, appendEvidence, …) into the whole list
// it makes, so the field's validators, the JSON field checks and
// storableText judge the appended values as they judge set ones: ent
// validates only a set list, and keeps appends apart.
func appendsAsSets(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if m.Op().Is(ent.OpUpdateOne) {
			for _, a := range appendersOf(reflect.TypeOf(m)) {
				out := reflect.ValueOf(m).Method(a.method).Call(nil)
				if !out[1].Bool() {
					continue
				}
				base, set := m.Field(a.field)
				if !set {
					old, err := m.OldField(ctx, a.field)
					if err != nil {
						return nil, err
					}
					base = old
				}
				merged := reflect.AppendSlice(reflect.New(out[0].Type()).Elem(), reflect.ValueOf(base))
				merged = reflect.AppendSlice(merged, out[0])
				if err := m.ResetField(a.field); err != nil { // drops the append too
					return nil, err
				}
				if err := m.SetField(a.field, merged.Interface()); err != nil {
					return nil, err
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}

// appender is a mutation's Appended<Field> method and the field it reads.
type appender struct {
	method int
	field  string
}

var appenders sync.Map // reflect.Type → []appender

// appendersOf lists a mutation type's appendable list fields, once per type.
func appendersOf(t reflect.Type) []appender {
	if cached, ok := appenders.Load(t); ok {
		return cached.([]appender)
	}
	var out []appender
	for i := range t.NumMethod() {
		name, ok := strings.CutPrefix(t.Method(i).Name, "Appended")
		if ok && name != "" {
			out = append(out, appender{method: i, field: snakeCase(name)})
		}
	}
	appenders.Store(t, out)
	return out
}

// snakeCase turns a Go field name (DeliveryModes) into its ent name
// (delivery_modes).
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
