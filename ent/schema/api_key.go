package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// APIKey is a credential for the API. Only a hash of its secret is stored;
// the secret is shown once, when the key is created.
type APIKey struct {
	ent.Schema
}

// Fields of APIKey.
func (APIKey) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(notBlank).
			Comment("Who the key belongs to (a partner app, a call center, an integrator); the change feed's actor."),
		field.Enum("role").Values("READER", "STAFF", "EDITOR", "ADMIN").
			Comment("What the key may do."),
		field.String("prefix").NotEmpty().Immutable().
			Comment("The secret's first characters, to recognise a key in lists and logs without revealing it."),
		field.String("secret_hash").NotEmpty().Unique().Immutable().Sensitive().
			Comment("SHA-256 of the secret (secrets are long random strings, so a fast hash is enough)."),
		field.Time("created_at").Default(time.Now).Immutable().
			Comment("When the key was created."),
		field.Time("revoked_at").Optional().Nillable().
			Comment("When the key was revoked; a revoked key is refused at once."),
	}
}

// Edges of APIKey.
func (APIKey) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("organizations", Organization.Type).
			Comment("For an editor, the organizations whose records it may write."),
	}
}

// Indexes of APIKey.
func (APIKey) Indexes() []ent.Index {
	return []ent.Index{index.Fields("name")}
}

// Annotations of APIKey: keys are managed by the CLI, never over GraphQL.
func (APIKey) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An API key."),
		entgql.Skip(entgql.SkipAll),
	}
}
