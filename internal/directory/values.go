package directory

import (
	"bytes"
	"encoding/json"
	"reflect"
	"time"
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
