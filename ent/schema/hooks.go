package schema

import (
	"context"
	"errors"
	"fmt"

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
