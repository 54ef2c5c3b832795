package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// NeedsVocabulary is the built-in family-needs vocabulary.
const NeedsVocabulary = "village-needs"

// TaxonomyTerm is an HSDS taxonomy_term: a code in a vocabulary, arranged in
// a hierarchy. Village's own vocabulary is the family-needs list; others (such
// as AIRS/211 codes) can be imported beside it.
type TaxonomyTerm struct {
	ent.Schema
}

// Mixin of TaxonomyTerm.
func (TaxonomyTerm) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}, HSDSExtraMixin{}} }

// Fields of TaxonomyTerm.
func (TaxonomyTerm) Fields() []ent.Field {
	return []ent.Field{
		field.String("code").Validate(notBlank).
			Comment("The term's code, unique within its vocabulary (for example home-visiting).").
			Annotations(entgql.OrderField("CODE")),
		field.String("name").Validate(notBlank).
			Comment("The term's name for people.").
			Annotations(entgql.OrderField("NAME")),
		field.Text("description").Optional().
			Comment("What the term covers.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("vocabulary").Default(NeedsVocabulary).Validate(notBlank).
			Comment("The vocabulary (taxonomy) the term belongs to; village-needs is the built-in family-needs list."),
		field.Int("parent_id").Optional().Nillable().
			Comment("The broader term.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("need_id").Optional().Nillable().
			Comment("The family need (a term of village-needs) this term of another vocabulary meets, as a crosswalk says.").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of TaxonomyTerm.
func (TaxonomyTerm) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("children", TaxonomyTerm.Type).
			Comment("Narrower terms.").
			From("parent").Unique().Field("parent_id").
			Comment("The broader term."),
		edge.To("mapped_terms", TaxonomyTerm.Type).
			Comment("Terms of other vocabularies mapped to this need.").
			Annotations(entgql.Skip(entgql.SkipAll)).
			From("need").Unique().Field("need_id").
			Comment("The family need this term meets, when a crosswalk maps it to one (set by admins with setTermNeed; village import --needs-map); match(needs:) finds services tagged with it.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput, entgql.SkipWhereInput)),
		edge.From("services", Service.Type).Ref("needs").
			Comment("Services that meet this need.").
			Annotations(entgql.RelayConnection()),
		edge.From("resources", Resource.Type).Ref("topics").
			Comment("Library resources on this topic.").
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Indexes of TaxonomyTerm.
func (TaxonomyTerm) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("vocabulary", "code").Unique(),
		index.Fields("parent_id"),
		index.Fields("need_id"),
		index.Fields("name"),
	}
}

// Annotations of TaxonomyTerm.
func (TaxonomyTerm) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A term of a vocabulary (HSDS taxonomy_term), such as a family need."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.QueryField().Description("Taxonomy terms, including the family-needs vocabulary (village-needs)."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
}
