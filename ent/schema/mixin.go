package schema

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"

	"github.com/village-directory/village/internal/directory"
)

// RecordMixin gives every directory record the bookkeeping the API promises:
// creation and update times, a version for optimistic concurrency, the sample
// flag that keeps illustrative records from misleading families, the external
// identifier integrators sync by, and where the record's facts come from.
type RecordMixin struct {
	mixin.Schema
}

// Fields of every record.
func (RecordMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(time.Now).
			Immutable().
			Comment("When the record was created.").
			Annotations(entgql.OrderField("CREATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("updated_at").
			Default(time.Now).
			UpdateDefault(time.Now).
			Comment("When the record last changed; integrators filter on it to sync.").
			Annotations(entgql.OrderField("UPDATED_AT"), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("version").
			Default(1).
			NonNegative().
			Comment("Incremented by every update; send it back as expectedVersion to detect concurrent edits.").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Bool("sample").
			Default(false).
			Comment("True for illustrative records that are not a real listing: never present one to a family as real."),
		field.String("external_source").
			Optional().
			Validate(notBlank).
			Comment("The system an integrator synced this record from (for example hsds); with externalId it identifies the record there."),
		field.String("external_id").
			Optional().
			Validate(notBlank).
			Comment("The record's identifier in externalSource."),
		field.Text("provenance").
			Optional().
			Comment("Where this record's facts come from (a document, a data set, a person who checked it).").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of every record: integrators look records up by external
// identifier, and lists filter and order on updatedAt.
func (RecordMixin) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("external_source", "external_id").Unique(),
		index.Fields("updated_at"),
		index.Fields("sample"),
	}
}

// Hooks of every record.
func (RecordMixin) Hooks() []ent.Hook {
	return []ent.Hook{appendsAsSets, bumpVersion, storableText}
}

// maxIndexedText is the most bytes a text field with an index may hold:
// PostgreSQL refuses an index entry of more than about 2.7 kB, and no name,
// title, code or external ID needs a tenth of this.
const maxIndexedText = 1000

// indexedText are the text fields of records that carry an index.
var indexedText = map[string]bool{
	"name": true, "title": true, "code": true, "postal_code": true, "external_source": true, "external_id": true,
}

// storableText refuses, field by field, text that a backend cannot store
// (so both backends answer alike, with the field at fault): a NUL
// character anywhere, in plain or structured (JSON) fields, which
// PostgreSQL's text and jsonb cannot hold, and indexed text too long for an
// index entry.
func storableText(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		for _, name := range m.Fields() {
			v, _ := m.Field(name)
			if text, ok := v.(string); ok {
				switch {
				case strings.ContainsRune(text, 0):
					return nil, &directory.FieldError{Field: name, Message: "must not contain a NUL character"}
				case indexedText[name] && len(text) > maxIndexedText:
					return nil, &directory.FieldError{Field: name, Message: fmt.Sprintf("is %d bytes long; at most %d", len(text), maxIndexedText)}
				}
				continue
			}
			// Structured (JSON) values only: numbers, times, flags and
			// enum values hold no text a caller wrote.
			switch reflect.ValueOf(v).Kind() {
			case reflect.Slice, reflect.Map, reflect.Struct, reflect.Pointer:
				if _, isTime := v.(time.Time); isTime {
					continue
				}
				if b, err := json.Marshal(v); err == nil && bytes.Contains(b, []byte(`\u0000`)) {
					return nil, &directory.FieldError{Field: name, Message: "must not contain a NUL character"}
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}

// bumpVersion increments version on every update, whichever path wrote it.
func bumpVersion(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if m.Op().Is(ent.OpUpdate) || m.Op().Is(ent.OpUpdateOne) {
			if vm, ok := m.(interface{ AddVersion(int) }); ok {
				if _, set := m.Field("version"); !set {
					vm.AddVersion(1)
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}
