package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// confidentialField marks the fields a confidential location withholds from
// the public: lists cannot filter on them, or a filter would reveal what the
// answer hides (see auth.Visible).
var confidentialField = entgql.Skip(entgql.SkipWhereInput)

// Location is an HSDS location: a physical place, a virtual one, or a postal
// address. A confidential location (a shelter, a home-visiting office) keeps
// its address and coordinates from anyone who is not staff.
type Location struct {
	ent.Schema
}

// Mixin of Location.
func (Location) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}, HSDSExtraMixin{}} }

// Fields of Location.
func (Location) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").Validate(notBlank).
			Comment("The location's name.").
			Annotations(entgql.OrderField("NAME")),
		field.String("alternate_name").Optional().
			Comment("Another name for the location."),
		field.Text("description").Optional().
			Comment("What a family finds at this location.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Enum("location_type").
			Values("PHYSICAL", "VIRTUAL", "POSTAL").
			Default("PHYSICAL").
			Comment("Whether the location is a place to visit, a virtual one, or only a postal address."),
		field.String("url").Optional().Validate(validURL).
			Comment("For a virtual location, where to reach it."),
		field.Int("organization_id").Optional().Nillable().
			Comment("The organization that runs this location.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("address_1").Optional().
			Comment("Street address, first line.").
			Annotations(confidentialField),
		field.String("address_2").Optional().
			Comment("Street address, second line.").
			Annotations(confidentialField),
		field.String("city").Optional().
			Comment("City or town."),
		field.String("region").Optional().
			Comment("State or region; for US addresses the two-letter postal code."),
		field.String("postal_code").Optional().
			Comment("Postal code as given (addresses may be foreign, so no format is imposed).").
			Annotations(confidentialField),
		field.String("country").Optional().Validate(validCountry).
			Comment("ISO 3166-1 alpha-2 country code (for example US)."),
		field.Float("latitude").Optional().Nillable().Validate(validLatitude).
			Comment("Latitude in decimal degrees (WGS 84).").
			Annotations(confidentialField),
		field.Float("longitude").Optional().Nillable().Validate(validLongitude).
			Comment("Longitude in decimal degrees (WGS 84).").
			Annotations(confidentialField),
		field.Bool("confidential").Default(false).
			Comment("True when the address and coordinates must be withheld from the public (only staff see them)."),
	}
}

// Edges of Location.
func (Location) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("organization", Organization.Type).Ref("locations").Unique().Field("organization_id").
			Comment("The organization that runs this location."),
		edge.To("service_at_locations", ServiceAtLocation.Type).
			Comment("The services delivered here.").
			Annotations(entgql.RelayConnection()),
		edge.To("phones", Phone.Type).
			Comment("Phone numbers for this location.").
			Annotations(noPhoneFilter),
		edge.To("schedules", Schedule.Type).
			Comment("When this location is open."),
	}
}

// Indexes of Location.
func (Location) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("name"),
		index.Fields("organization_id"),
		index.Fields("postal_code"),
	}
}

// Hooks of Location.
func (Location) Hooks() []ent.Hook {
	return []ent.Hook{coordinatesTogether}
}

// coordinatesTogether rejects half a coordinate: a latitude with no longitude
// places nothing.
func coordinatesTogether(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		lat := floatValue(mutationValue(ctx, m, "latitude"))
		lon := floatValue(mutationValue(ctx, m, "longitude"))
		if (lat == nil) != (lon == nil) {
			if lat == nil {
				return nil, fieldErrorf("latitude", "a longitude needs a latitude")
			}
			return nil, fieldErrorf("longitude", "a latitude needs a longitude")
		}
		return next.Mutate(ctx, m)
	})
}

// Annotations of Location.
func (Location) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A place where services are delivered (HSDS location); confidential ones hide their address from the public."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.QueryField().Description("Locations where services are delivered; confidential ones hide their address from the public."),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
}
