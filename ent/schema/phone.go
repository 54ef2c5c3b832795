package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// noPhoneFilter keeps phones out of other types' where inputs: phones can be
// staff-only, and a filter on them would reveal what the answer hides.
var noPhoneFilter = entgql.Skip(entgql.SkipWhereInput)

// Phone is an HSDS phone. A staff-only number (a direct line for referrers)
// is never shown to the public.
type Phone struct {
	ent.Schema
}

// Mixin of Phone.
func (Phone) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}, HSDSExtraMixin{}} }

// Fields of Phone.
func (Phone) Fields() []ent.Field {
	return []ent.Field{
		field.String("number").Validate(notBlank).
			Comment("The phone number as dialled in its country."),
		field.String("extension").Optional().
			Comment("Extension, if any."),
		field.Enum("type").
			Values("VOICE", "FAX", "TEXT", "CELL", "VIDEO", "PAGER", "TEXTPHONE").
			Default("VOICE").
			Comment("What kind of line this is."),
		field.String("description").Optional().
			Comment("When or why to call this number."),
		field.Strings("languages").Optional().Validate(validLanguages).
			Comment("Languages spoken on this line (ISO 639-1 or 639-3 codes)."),
		field.Bool("staff_only").Default(false).
			Comment("True for numbers meant for referrers and call-center staff, never shown to the public."),
		field.Int("organization_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("service_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("location_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("service_at_location_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("contact_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of Phone.
func (Phone) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("phones").Unique().Field("organization_id").
			Comment("The organization this number belongs to."),
		edge.From("service", Service.Type).Ref("phones").Unique().Field("service_id").
			Comment("The service this number belongs to."),
		edge.From("location", Location.Type).Ref("phones").Unique().Field("location_id").
			Comment("The location this number belongs to."),
		edge.From("service_at_location", ServiceAtLocation.Type).Ref("phones").Unique().Field("service_at_location_id").
			Comment("The service at a location this number belongs to."),
		edge.From("contact", Contact.Type).Ref("phones").Unique().Field("contact_id").
			Comment("The person this number reaches."),
	}
}

// Indexes of Phone.
func (Phone) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id"), index.Fields("service_id"), index.Fields("location_id"),
		index.Fields("service_at_location_id"), index.Fields("contact_id"),
	}
}

// Annotations of Phone.
func (Phone) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A phone number (HSDS phone); staff-only numbers are hidden from the public."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
