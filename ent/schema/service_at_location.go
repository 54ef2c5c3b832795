package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ServiceAtLocation is HSDS's link between a service and a location, which
// can carry its own phones, contacts and hours.
type ServiceAtLocation struct {
	ent.Schema
}

// Mixin of ServiceAtLocation.
func (ServiceAtLocation) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}, HSDSExtraMixin{}} }

// Fields of ServiceAtLocation.
func (ServiceAtLocation) Fields() []ent.Field {
	return []ent.Field{
		field.Int("service_id").
			Comment("The service delivered at the location.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("location_id").
			Comment("The location where the service is delivered.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Text("description").Optional().
			Comment("What is particular about the service at this location.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
	}
}

// Edges of ServiceAtLocation.
func (ServiceAtLocation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("service", Service.Type).Ref("service_at_locations").Unique().Required().Field("service_id").
			Comment("The service delivered at the location."),
		edge.From("location", Location.Type).Ref("service_at_locations").Unique().Required().Field("location_id").
			Comment("The location where the service is delivered."),
		edge.To("phones", Phone.Type).
			Comment("Phone numbers for the service at this location.").
			Annotations(noPhoneFilter),
		edge.To("contacts", Contact.Type).
			Comment("People to contact about the service at this location."),
		edge.To("schedules", Schedule.Type).
			Comment("When the service is offered at this location."),
	}
}

// Indexes of ServiceAtLocation.
func (ServiceAtLocation) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("service_id", "location_id").Unique(),
		index.Fields("location_id"),
	}
}

// Annotations of ServiceAtLocation.
func (ServiceAtLocation) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A service delivered at a location (HSDS service_at_location)."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.RelayConnection(),
	}
}
