package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Funding is HSDS funding: who pays for what. The recipient may be an
// organization, a program, a service or a library resource.
type Funding struct {
	ent.Schema
}

// Mixin of Funding.
func (Funding) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}, HSDSExtraMixin{}} }

// Fields of Funding.
func (Funding) Fields() []ent.Field {
	return []ent.Field{
		field.String("source").Validate(notBlank).
			Comment("The funder as the source names it (for example the Pritzker Children's Initiative)."),
		field.Text("description").Optional().
			Comment("What the funding is for, in the source's words.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Int64("amount_usd").Optional().Nillable().NonNegative().
			Comment("Amount in US dollars, when the source states one."),
		field.Int("funder_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("organization_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("program_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("service_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("resource_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of Funding.
func (Funding) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("funder", Organization.Type).Ref("funded").Unique().Field("funder_id").
			Comment("The funder, when it is in the directory as an organization."),
		edge.From("organization", Organization.Type).Ref("fundings").Unique().Field("organization_id").
			Comment("The organization funded."),
		edge.From("program", Program.Type).Ref("fundings").Unique().Field("program_id").
			Comment("The program (model) funded."),
		edge.From("service", Service.Type).Ref("fundings").Unique().Field("service_id").
			Comment("The service funded."),
		edge.From("resource", Resource.Type).Ref("fundings").Unique().Field("resource_id").
			Comment("The library resource funded.").
			// As every edge to resources: a filter must not test the
			// unpublished ones.
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of Funding.
func (Funding) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("funder_id"), index.Fields("organization_id"), index.Fields("program_id"),
		index.Fields("service_id"), index.Fields("resource_id"),
	}
}

// Annotations of Funding.
func (Funding) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Who funds what (HSDS funding)."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}
