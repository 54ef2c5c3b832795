package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/village-directory/village/internal/directory"
)

// Program is an HSDS program; in early childhood, an evidence-based model such
// as Nurse-Family Partnership, with the eligibility its services inherit.
type Program struct {
	ent.Schema
}

// Mixin of Program.
func (Program) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}, HSDSExtraMixin{}} }

// Fields of Program.
func (Program) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(notBlank).
			Comment("The model's name.").
			Annotations(entgql.OrderField("NAME")),
		field.String("alternate_name").Optional().
			Comment("Another name or abbreviation (for example NFP)."),
		field.Text("description").Optional().
			Comment("What the model does, in its sources' words.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("url").Optional().Validate(validURL).
			Comment("The model's web page."),
		field.String("site_finder_url").Optional().Nillable().Validate(validURL).
			Comment("The model's own way to find a local site (a locator page), only where a source gives one.").
			// The contract spells the field siteFinderUrl (as url);
			// the inputs keep ent's siteFinderURL, like organizationID.
			Annotations(entgql.MapsTo("siteFinderUrl")),
		field.Int("organization_id").Optional().Nillable().
			Comment("The organization behind the model, where a source names one.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("approach").Optional().
			Values("HOME_VISITING", "PEDIATRIC_PRIMARY_CARE", "CENTRALIZED_ACCESS_POINT", "COURT_TEAM",
				"PARENTING_EDUCATION_PEER_SUPPORT", "COMMUNITY_COALITION").
			Comment("How the model works with families."),
		field.JSON("settings", []directory.Setting{}).Optional().
			Comment("Where the model is delivered."),
		field.JSON("audiences", []directory.Audience{}).Optional().
			Comment("Who the model serves directly: parents, professionals, or both."),
		field.Int("serves_through_months").Optional().Nillable().NonNegative().
			Comment("The child's age in months at which service ends (for example 24: to the second birthday)."),
		field.JSON("eligibility", &directory.Eligibility{}).Optional().
			Comment("Who can enrol now; services of this program inherit it unless they carry their own."),
		field.JSON("evidence", []directory.Evidence{}).Optional().
			Comment("Reviews of the model's evidence, each from a named source."),
	}
}

// Edges of Program.
func (Program) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("programs").Unique().Field("organization_id").
			Comment("The organization behind the model, where a source names one."),
		edge.To("services", Service.Type).
			Comment("Services that implement this model.").
			Annotations(entgql.RelayConnection()),
		edge.To("fundings", Funding.Type).
			Comment("Funding for this model."),
		edge.From("resources", Resource.Type).Ref("programs").
			Comment("Library resources about this model.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of Program.
func (Program) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("name"),
		index.Fields("organization_id"),
		index.Fields("approach"),
	}
}

// Hooks of Program.
func (Program) Hooks() []ent.Hook {
	return []ent.Hook{
		validateJSONField("eligibility", validEligibility),
		validateJSONField("evidence", validEvidence),
		validateJSONField("settings", validSettings),
		validateJSONField("audiences", validAudiences),
	}
}

// Annotations of Program.
func (Program) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A program: in this field, an evidence-based model (HSDS program) with the eligibility its services inherit."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.QueryField().Description("Programs (evidence-based models) in the directory, with filters and ordering."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
}
