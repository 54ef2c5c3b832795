package directory

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"entgo.io/ent"
)

// SameValue reports whether a stored field value and an incoming one mean
// the same, as the API would show them: null, an empty string and an empty
// list are one; times compare as instants at the databases' microsecond
// precision; everything else by its JSON encoding (so an enum and its
// string, or int and int64, agree). Idempotent loaders (the seed, upserts,
// imports) use it to skip writes that would change nothing, which keeps
// versions and the change feed still.
func SameValue(stored, incoming any) bool {
	a, b := NormalizeValue(stored), NormalizeValue(incoming)
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// NormalizeValue reduces a field value to what it means: pointers and
// interfaces are followed; nil, empty strings, lists and maps become nil;
// times become UTC at microsecond precision.
func NormalizeValue(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil
	}
	switch rv.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		if rv.Len() == 0 {
			return nil
		}
	}
	if t, ok := rv.Interface().(time.Time); ok {
		return t.UTC().Truncate(time.Microsecond)
	}
	return rv.Interface()
}

// Field is a field of a record to write, by its ent name; a nil (or empty)
// value means the field must be empty.
type Field struct {
	Name  string
	Value any
}

// SetNew sets fields on the mutation of a record being created, leaving
// empty values out so the schema's default or NULL stands.
func SetNew(m ent.Mutation, fields []Field) error {
	for _, f := range fields {
		if NormalizeValue(f.Value) == nil {
			continue
		}
		if err := m.SetField(f.Name, f.Value); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}

// SetChanged sets on an update mutation each field whose stored value
// differs from the one given (SameValue), clearing those given empty, and
// reports whether any did: idempotent loaders skip writes that would change
// nothing, which keeps versions and the change feed still.
func SetChanged(ctx context.Context, m ent.Mutation, fields []Field) (bool, error) {
	changed := false
	for _, f := range fields {
		old, err := m.OldField(ctx, f.Name)
		if err != nil {
			return false, err
		}
		if SameValue(old, f.Value) {
			continue
		}
		changed = true
		if NormalizeValue(f.Value) == nil {
			err = m.ClearField(f.Name)
		} else {
			err = m.SetField(f.Name, f.Value)
		}
		if err != nil {
			return false, fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return changed, nil
}
