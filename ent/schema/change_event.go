package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ChangeEvent is one entry of the append-only change feed, written in the
// same transaction as the change it records. Its ID is the feed's sequence:
// events are numbered in commit order, so a consumer that polls with the
// last ID it saw never skips one.
type ChangeEvent struct {
	ent.Schema
}

// Fields of ChangeEvent.
func (ChangeEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("entity_type").NotEmpty().Immutable().
			Comment("The type of the record that changed, as an EntityType value (ORGANIZATION, SERVICE, ...)."),
		field.Int("entity_id").Immutable().
			Comment("The ID of the record that changed.").
			Annotations(entgql.Type("ID")),
		field.Enum("operation").Values("CREATE", "UPDATE", "DELETE").Immutable().
			Comment("What happened to the record; DELETE events are tombstones."),
		field.String("actor").NotEmpty().Immutable().
			Comment("Who made the change: an API key's name, or cli."),
		field.Time("occurred_at").Default(time.Now).Immutable().
			Comment("When the change was made."),
		field.Int("version").Optional().Nillable().Immutable().
			Comment("The record's version after the change (its last version, for a deletion)."),
		// Internal: the feed's read rule (auth.VisibleChangeEvents) hides an
		// event from keys that may not read restricted records only when the
		// record was restricted on both sides of the change, so the change
		// that hides a record and the tombstone of a readable one are shown.
		field.Bool("restricted").Default(false).Immutable().
			Comment("Whether the record was restricted (a staff-only phone, a resource not PUBLISHED, a funding of one) both before and after the change: after it for a CREATE, before it for a DELETE.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of ChangeEvent.
func (ChangeEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("entity_type", "entity_id"),
	}
}

// Annotations of ChangeEvent.
func (ChangeEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A change to a directory record, in the sync feed (tombstones for deletions)."),
		entgql.RelayConnection(),
	}
}
