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

// Resource is an item of the shared library: a guide, brief, toolkit, story,
// webinar or policy report for parents, professionals and communities.
// Partners submit resources; they are published after review.
type Resource struct {
	ent.Schema
}

// Mixin of Resource.
func (Resource) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}} }

// Fields of Resource.
func (Resource) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").Validate(notBlank).
			Comment("The resource's title.").
			Annotations(entgql.OrderField("TITLE")),
		field.Enum("kind").
			Values("GUIDE", "FRAMEWORK", "BRIEF", "TOOLKIT", "TOOL", "STORY", "STORY_BANK", "WEBINAR",
				"POLICY_REPORT", "REPORT", "LIBRARY", "DIRECTORY", "ARTICLE").
			Comment("What sort of resource it is."),
		field.String("url").Optional().Validate(validURL).
			Comment("Where to read or get it; null when no source gives one."),
		field.Text("summary").Optional().
			Comment("What it offers, in its sources' words.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.JSON("audiences", []directory.Audience{}).Optional().
			Comment("Who it is written for."),
		field.String("language").Default("en").Validate(validLanguage).
			Comment("The language it is written in (ISO 639-1 or 639-3)."),
		field.Int("publisher_id").Optional().Nillable().
			Comment("The organization that published it.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Time("published_on").Optional().Nillable().
			Comment("Publication date, when a source gives one.").
			Annotations(entgql.OrderField("PUBLISHED_ON")),
		field.Strings("places").Optional().
			Comment("The states or places it speaks of, as named by its source."),
		field.Enum("status").
			Values("SUBMITTED", "PUBLISHED", "REJECTED").
			Default("SUBMITTED").
			Comment("Review state: only PUBLISHED resources are public."),
		field.Text("review_note").Optional().
			Comment("The reviewer's reason, for a rejected resource.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Edges of Resource.
func (Resource) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("publisher", Organization.Type).Ref("resources").Unique().Field("publisher_id").
			Comment("The organization that published it."),
		edge.To("topics", TaxonomyTerm.Type).
			Comment("Needs and topics it addresses (taxonomy terms)."),
		edge.To("programs", Program.Type).
			Comment("Programs (models) it is about."),
		edge.To("fundings", Funding.Type).
			Comment("Funding that paid for it."),
	}
}

// Indexes of Resource.
func (Resource) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("title"),
		index.Fields("publisher_id"),
		index.Fields("status"),
		index.Fields("kind"),
	}
}

// Hooks of Resource.
func (Resource) Hooks() []ent.Hook {
	return []ent.Hook{validateJSONField("audiences", validAudiences)}
}

// Annotations of Resource.
func (Resource) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An item of the shared library: a guide, brief, toolkit, story, webinar or policy report."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.QueryField().Description("The shared library of guides, briefs, toolkits, stories, webinars and policy reports."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
}
