package schema

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
)

// CallRecord is one call to a Help Me Grow call center, logged anonymously
// for the data collection the model asks of a centralized access point:
// which needs families call about, and where nothing could be found.
//
// It holds bands, never identifiers: the county (the ZIP's first county;
// the ZIP itself is discarded), the state, the needs asked, the child's age
// band and whether this is a first child, the services referred to, and
// whether an eligible service was found. No name, contact, birth date, ZIP,
// coordinates or free text: every field is an enum, a code from a fixed
// list, a flag, a number or the day. The day is the UTC date with no time
// of day, so a record cannot be lined up with a phone system's call log.
//
// Call records are not directory records (no version, no sample flag, no
// external identifier): staff and admins create them, admins read them, the
// change feed shows their events to admins only, they are never exported as
// HSDS, and village serve deletes them after --call-retention.
type CallRecord struct {
	ent.Schema
}

// AgeBands are the age bands of CallRecord.age_band, youngest first.
var AgeBands = []string{"PRENATAL", "MONTHS_0_11", "MONTHS_12_35", "MONTHS_36_59", "MONTHS_60_PLUS"}

// Fields of CallRecord.
func (CallRecord) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(CallDay).
			Immutable().
			Comment("The day of the call (UTC midnight): no time of day is kept.").
			Annotations(entgql.OrderField("CREATED_AT")),
		field.String("county_fips").
			Optional().Nillable().Immutable().
			Validate(func(s string) error {
				if !geo.ValidCountyFIPS(s) {
					return &directory.FieldError{Field: "county_fips", Message: "is not a 5-digit county FIPS code"}
				}
				return nil
			}).
			Comment("The caller's county (5-digit FIPS): the first county of the caller's ZIP; null for a caller placed by state only."),
		field.String("state_code").
			Optional().Nillable().Immutable().
			Validate(func(s string) error {
				if !geo.ValidStateCode(s) {
					return &directory.FieldError{Field: "state_code", Message: "is not a US state postal code"}
				}
				return nil
			}).
			Comment("The caller's state (two-letter postal code)."),
		field.Strings("needs").
			Default([]string{}).Immutable().
			Comment("The needs the family asked about: codes of the village-needs vocabulary.").
			Annotations(entgql.Skip(entgql.SkipWhereInput)),
		field.Enum("age_band").
			Values(AgeBands...).
			Optional().Nillable().Immutable().
			Comment("The child's age band: PRENATAL (expecting, no child given), MONTHS_0_11, MONTHS_12_35, MONTHS_36_59, MONTHS_60_PLUS; null when not said."),
		field.Bool("first_time_parent").
			Optional().Nillable().Immutable().
			Comment("Whether this is the family's first child; null when not said."),
		field.Ints("referred_service_ids").
			Default([]int{}).Immutable().
			Comment("The IDs of the services the family was referred to, as they were when the call was logged; a service deleted since keeps its ID here.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("eligible_found").
			Immutable().
			Comment("Whether the directory held an eligible, non-sample service meeting one of the needs (all needs, when none was asked) for this family when the call was logged: worked out by the server with the matcher, never taken from the client."),
	}
}

// CallDay is the day a call is logged: today's UTC date at midnight.
func CallDay() time.Time { return time.Now().UTC().Truncate(24 * time.Hour) }

// Indexes of CallRecord: reports and the retention sweep select by day.
func (CallRecord) Indexes() []ent.Index {
	return []ent.Index{index.Fields("created_at"), index.Fields("county_fips")}
}

// Hooks of CallRecord: whatever path writes one, its day has no time.
func (CallRecord) Hooks() []ent.Hook {
	return []ent.Hook{
		func(next ent.Mutator) ent.Mutator {
			return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
				if v, ok := m.Field("created_at"); ok {
					if t, ok := v.(time.Time); ok {
						if err := m.SetField("created_at", t.UTC().Truncate(24*time.Hour)); err != nil {
							return nil, err
						}
					}
				}
				return next.Mutate(ctx, m)
			})
		},
	}
}

// Annotations of CallRecord.
func (CallRecord) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A call to a Help Me Grow call center, logged anonymously (bands, never identifiers). Admins only."),
		entgql.QueryField().Description("The calls logged with logCall, in the order they were logged (orderBy CREATED_AT DESC for the newest first). Admin keys only: FORBIDDEN for any other."),
		entgql.RelayConnection(),
	}
}
