package schema

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"entgo.io/ent/schema/mixin"
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
	return []ent.Hook{bumpVersion}
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
