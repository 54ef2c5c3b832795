package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Contact is an HSDS contact: a named person or role to reach.
type Contact struct {
	ent.Schema
}

// Mixin of Contact.
func (Contact) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}, HSDSExtraMixin{}} }

// Fields of Contact.
func (Contact) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Optional().
			Comment("The person's name."),
		field.String("title").Optional().
			Comment("The person's job title."),
		field.String("department").Optional().
			Comment("The department the person works in."),
		field.String("email").Optional().Validate(validEmail).
			Comment("The person's email address."),
		field.Int("organization_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("service_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("service_at_location_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of Contact.
func (Contact) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("contacts").Unique().Field("organization_id").
			Comment("The organization the contact works for."),
		edge.From("service", Service.Type).Ref("contacts").Unique().Field("service_id").
			Comment("The service the contact is for."),
		edge.From("service_at_location", ServiceAtLocation.Type).Ref("contacts").Unique().Field("service_at_location_id").
			Comment("The service at a location the contact is for."),
		edge.To("phones", Phone.Type).
			Comment("Numbers that reach this contact.").
			Annotations(noPhoneFilter),
	}
}

// Indexes of Contact.
func (Contact) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id"), index.Fields("service_id"), index.Fields("service_at_location_id"),
	}
}

// Annotations of Contact.
func (Contact) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A person or role to contact (HSDS contact)."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
