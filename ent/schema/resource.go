package schema

import (
	"context"
	"fmt"
	"time"

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
// Anyone may submit a resource, with a key or without one; it is published
// only after an admin's review.
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
		// The submit-and-review flow's own fields (internal/write's
		// SubmitResource and ReviewResource write them; no input sets them).
		field.Time("submitted_at").Optional().Nillable().
			Comment("When it was submitted for review with submitResource; null for a resource an admin or an import added.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Time("reviewed_at").Optional().Nillable().
			Comment("When an admin last published or rejected it; null until then.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Bool("submitted_anonymously").Optional().Nillable().
			Comment("Whether it was submitted without an API key; admins only (null for everyone else, and for a resource not submitted).").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Text("submitter_note").Optional().Nillable().
			Comment("What the submitter told the reviewers (submitResource's note), in plain text; admins only (null for everyone else).").
			Annotations(entgql.Skip(entgql.SkipWhereInput, entgql.SkipOrderField, entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		// Internal: a hash of the submission token submitResource showed
		// its submitter once; submissionStatus looks the submission up by
		// it. Never shown.
		field.String("submission_token_hash").Optional().Nillable().Unique().Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)),
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
	return []ent.Hook{validateJSONField("audiences", validAudiences), stampReview}
}

// stampReview records when a resource's review state last changed: a
// change of status on an update is a review, by reviewResource or by an
// admin's updateResource, and submissionStatus reports its time.
func stampReview(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if m.Op().Is(ent.OpUpdate) || m.Op().Is(ent.OpUpdateOne) {
			if st, set := m.Field("status"); set {
				if m.Op().Is(ent.OpUpdateOne) {
					if old, err := m.OldField(ctx, "status"); err == nil && fmt.Sprint(old) == fmt.Sprint(st) {
						return next.Mutate(ctx, m) // not a change of state
					}
				}
				if _, stamped := m.Field("reviewed_at"); !stamped {
					if err := m.SetField("reviewed_at", time.Now()); err != nil {
						return nil, err
					}
				}
			}
		}
		return next.Mutate(ctx, m)
	})
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
