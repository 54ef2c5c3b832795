package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/village-directory/village/internal/directory"
)

// Service is an HSDS service: what a family can actually get, run by an
// organization, optionally as an implementation of a program (model).
type Service struct {
	ent.Schema
}

// Mixin of Service.
func (Service) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}, HSDSExtraMixin{}} }

// Fields of Service.
func (Service) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(notBlank).
			Comment("The service's name as families know it.").
			Annotations(entgql.OrderField("NAME")),
		field.String("alternate_name").Optional().
			Comment("Another name the service is known by."),
		field.Text("description").Optional().
			Comment("What the service offers a family.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Int("organization_id").
			Comment("The organization that runs the service.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("program_id").Optional().Nillable().
			Comment("The program (model) the service implements, if any.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("status").
			Values("ACTIVE", "INACTIVE", "DEFUNCT", "TEMPORARILY_CLOSED").
			Default("ACTIVE").
			Comment("Whether the service is taking families: inactive and defunct services never match a family.").
			Annotations(entgql.OrderField("STATUS")),
		field.String("url").Optional().Validate(validURL).
			Comment("The service's web page."),
		field.String("email").Optional().Validate(validEmail).
			Comment("The service's public email address."),
		field.Text("application_process").Optional().
			Comment("How a family applies or is referred.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Bool("free").Optional().Nillable().
			Comment("True when the service costs families nothing; null when no source says."),
		field.Text("fees_description").Optional().
			Comment("Fees, in words.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Text("interpretation_services").Optional().
			Comment("Interpretation the service offers (for example sign language, phone interpreters).").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.String("wait_time").Optional().
			Comment("Typical wait before a family is served, in words.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Int("wait_days").Optional().Nillable().NonNegative().
			Comment("Typical wait before a family is first served, in days: matching compares it with how long the family can still enrol.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Int("capacity_available").Optional().Nillable().NonNegative().
			Comment("Places open for new families now."),
		field.Int("capacity_maximum").Optional().Nillable().NonNegative().
			Comment("Most families the service can serve at once."),
		field.Time("capacity_updated_at").Optional().Nillable().
			Comment("When the capacity figures were last checked."),
		field.JSON("delivery_modes", []directory.DeliveryMode{}).Optional().
			Comment("How the service reaches families."),
		field.Strings("languages").Optional().Validate(validLanguages).
			Comment("Languages the service is delivered in (ISO 639-1 or 639-3 codes)."),
		field.Time("verified_at").Optional().Nillable().
			Comment("When a person last checked this listing against its source (not when the record last changed).").
			Annotations(entgql.OrderField("VERIFIED_AT")),
		field.String("verified_by").Optional().
			Comment("Who checked the listing."),
		field.Text("internal_notes").Optional().
			Comment("Notes for call-center staff (referral tips, contacts); never shown to the public.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.JSON("eligibility", &directory.Eligibility{}).Optional().
			Comment("The service's own eligibility; when null the service inherits its program's whole."),
	}
}

// Edges of Service.
func (Service) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("services").Unique().Required().Field("organization_id").
			Comment("The organization that runs the service."),
		edge.From("program", Program.Type).Ref("services").Unique().Field("program_id").
			Comment("The program (model) the service implements, if any."),
		edge.To("needs", TaxonomyTerm.Type).
			Comment("The family needs (taxonomy terms) the service meets.").
			Annotations(entgql.RelayConnection()),
		edge.To("service_at_locations", ServiceAtLocation.Type).
			Comment("Where the service is delivered.").
			Annotations(entgql.RelayConnection()),
		edge.To("service_areas", ServiceArea.Type).
			Comment("The geographic areas the service covers.").
			Annotations(entgql.RelayConnection()),
		edge.To("phones", Phone.Type).
			Comment("Phone numbers for the service.").
			Annotations(noPhoneFilter),
		edge.To("contacts", Contact.Type).
			Comment("People to contact about the service."),
		edge.To("schedules", Schedule.Type).
			Comment("When the service is open."),
		edge.To("fundings", Funding.Type).
			Comment("Funding for this service."),
	}
}

// Indexes of Service.
func (Service) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("name"),
		index.Fields("organization_id"),
		index.Fields("program_id"),
		index.Fields("status"),
		index.Fields("verified_at"),
	}
}

// Hooks of Service.
func (Service) Hooks() []ent.Hook {
	return []ent.Hook{
		validateJSONField("eligibility", validEligibility),
		validateJSONField("delivery_modes", validDeliveryModes),
		checkCapacity,
	}
}

// checkCapacity keeps available places within the maximum.
func checkCapacity(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		avail, okA := mutationValue(ctx, m, "capacity_available")
		max, okM := mutationValue(ctx, m, "capacity_maximum")
		if a, b := intValue(avail, okA), intValue(max, okM); a != nil && b != nil && *a > *b {
			return nil, fieldErrorf("capacityAvailable", "available places (%d) exceed the maximum (%d)", *a, *b)
		}
		return next.Mutate(ctx, m)
	})
}

// Annotations of Service.
func (Service) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A service a family can get (HSDS service), run by an organization, optionally implementing a program."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.QueryField().Description("Services families can get, with filters and ordering. Sample listings say so in their sample field."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
}
