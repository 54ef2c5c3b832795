package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Organization is an HSDS organization: a body that runs services or stands
// behind a model (ZERO TO THREE, Family Connects International, a local
// health department).
type Organization struct {
	ent.Schema
}

// Mixin of Organization.
func (Organization) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}, HSDSExtraMixin{}} }

// Fields of Organization.
func (Organization) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(notBlank).
			Comment("The organization's official or public name.").
			Annotations(entgql.OrderField("NAME")),
		field.String("alternate_name").Optional().
			Comment("Another name the organization is known by."),
		field.Text("description").Optional().
			Comment("What the organization does, in its own or its sources' words.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("email").Optional().Validate(validEmail).
			Comment("The organization's public email address."),
		field.String("website").Optional().Validate(validURL).
			Comment("The organization's website (absolute http or https URL)."),
		field.String("legal_status").Optional().
			Comment("Legal status as the organization states it (for example nonprofit)."),
		field.Int("parent_id").Optional().Nillable().
			Comment("The organization this one is part of.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("year_incorporated").Optional().Nillable().Validate(validYear).
			Comment("The year the organization was incorporated."),
	}
}

// Edges of Organization.
func (Organization) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("children", Organization.Type).
			Comment("Organizations that are part of this one (for example a program office of a larger body).").
			Annotations(entgql.RelayConnection()).
			From("parent").Unique().Field("parent_id").
			Comment("The organization this one is part of."),
		edge.To("programs", Program.Type).
			Comment("The programs (models) this organization stands behind.").
			Annotations(entgql.RelayConnection()),
		edge.To("services", Service.Type).
			Comment("The services this organization runs.").
			Annotations(entgql.RelayConnection()),
		edge.To("locations", Location.Type).
			Comment("The places where this organization works.").
			Annotations(entgql.RelayConnection()),
		edge.To("phones", Phone.Type).
			Comment("The organization's phone numbers.").
			Annotations(noPhoneFilter),
		edge.To("contacts", Contact.Type).
			Comment("People to contact at the organization."),
		edge.To("fundings", Funding.Type).
			Comment("Funding this organization receives."),
		edge.To("funded", Funding.Type).
			Comment("Funding this organization gives to others."),
		edge.To("resources", Resource.Type).
			Comment("Library resources this organization published.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput)),
		edge.From("api_keys", APIKey.Type).Ref("organizations").
			Comment("Editor keys scoped to this organization (never exposed).").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Indexes of Organization.
func (Organization) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("name"),
		index.Fields("parent_id"),
	}
}

// Annotations of Organization.
func (Organization) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An organization that runs services or stands behind a model (HSDS organization)."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.QueryField().Description("Organizations in the directory, with filters and ordering."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
}
