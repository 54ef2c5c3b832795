package schema

import (
	"fmt"
	"time"
	_ "time/tzdata" // time zones are validated the same on every machine

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Schedule is an HSDS schedule: opening hours as an iCal-style recurrence.
type Schedule struct {
	ent.Schema
}

// Mixin of Schedule.
func (Schedule) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}, HSDSExtraMixin{}} }

// Fields of Schedule.
func (Schedule) Fields() []ent.Field {
	return []ent.Field{
		field.Time("valid_from").Optional().Nillable().
			Comment("First day this schedule applies."),
		field.Time("valid_to").Optional().Nillable().
			Comment("Last day this schedule applies."),
		field.Enum("freq").Optional().
			Values("WEEKLY", "MONTHLY").
			Comment("How often the schedule repeats (iCal FREQ)."),
		field.Int("interval").Optional().Nillable().Positive().
			Comment("Repeat every this many periods (iCal INTERVAL)."),
		field.String("byday").Optional().
			Comment("Days of the week (iCal BYDAY, e.g. MO,TU,WE)."),
		field.String("bymonthday").Optional().
			Comment("Days of the month (iCal BYMONTHDAY)."),
		field.String("opens_at").Optional().Validate(validClock).
			Comment("Opening time, HH:MM in the schedule's time zone."),
		field.String("closes_at").Optional().Validate(validClock).
			Comment("Closing time, HH:MM in the schedule's time zone."),
		field.String("timezone").Optional().Validate(validTimezone).
			Comment("IANA time zone (for example America/New_York)."),
		field.Bool("closed").Optional().Nillable().
			Comment("True when the service is closed on the days this schedule covers (a holiday closure); false when it is open then at the hours given; null when not said."),
		field.Text("description").Optional().
			Comment("The hours in words.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Int("service_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("location_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("service_at_location_id").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)),
	}
}

// Edges of Schedule.
func (Schedule) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("service", Service.Type).Ref("schedules").Unique().Field("service_id").
			Comment("The service these hours are for."),
		edge.From("location", Location.Type).Ref("schedules").Unique().Field("location_id").
			Comment("The location these hours are for."),
		edge.From("service_at_location", ServiceAtLocation.Type).Ref("schedules").Unique().Field("service_at_location_id").
			Comment("The service at a location these hours are for."),
	}
}

// Indexes of Schedule.
func (Schedule) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("service_id"), index.Fields("location_id"), index.Fields("service_at_location_id"),
	}
}

// Annotations of Schedule.
func (Schedule) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("Opening hours (HSDS schedule)."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

func validClock(s string) error {
	if _, err := time.Parse("15:04", s); err != nil || len(s) != 5 {
		return fmt.Errorf("%q is not a time of day as HH:MM", s)
	}
	return nil
}

func validTimezone(s string) error {
	if _, err := time.LoadLocation(s); err != nil || s == "" || s == "Local" {
		return fmt.Errorf("%q is not an IANA time zone", s)
	}
	return nil
}
