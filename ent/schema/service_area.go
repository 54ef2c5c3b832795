package schema

import (
	"context"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/village-directory/village/internal/geo"
)

// ServiceArea is HSDS service_area made queryable: a structured kind with a
// code, or a centre and radius, so a family's place can be matched to it.
// Areas known only in words are kept as TEXT and never match by area.
type ServiceArea struct {
	ent.Schema
}

// Mixin of ServiceArea.
func (ServiceArea) Mixin() []ent.Mixin { return []ent.Mixin{RecordMixin{}, HSDSExtraMixin{}} }

// Fields of ServiceArea.
func (ServiceArea) Fields() []ent.Field {
	return []ent.Field{
		field.Int("service_id").
			Comment("The service that covers the area.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Enum("kind").
			Values("NATIONWIDE", "STATE", "COUNTY", "ZIP", "RADIUS", "ONLINE", "TEXT").
			Comment("What sort of area this is: the whole US, a state, a county, a ZIP code, a radius around a point, anywhere online, or a place described only in words."),
		field.String("code").Optional().
			Comment("For STATE the postal code (MA), for COUNTY the 5-digit FIPS code (25025), for ZIP the 5-digit ZIP code."),
		field.Float("center_latitude").Optional().Nillable().Validate(validLatitude).
			Comment("For RADIUS, the centre's latitude."),
		field.Float("center_longitude").Optional().Nillable().Validate(validLongitude).
			Comment("For RADIUS, the centre's longitude."),
		field.Float("radius_km").Optional().Nillable().Positive().
			Comment("For RADIUS, the radius in kilometres."),
		field.String("state_code").Optional().
			Comment("The state the area lies in, derived from its code or centre on every write (empty for NATIONWIDE, ONLINE and TEXT); lets matching find nearby areas.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.String("name").Optional().
			Comment("The area in words (for TEXT areas, the only description; otherwise a label such as Roxbury)."),
	}
}

// Edges of ServiceArea.
func (ServiceArea) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("service", Service.Type).Ref("service_areas").Unique().Required().Field("service_id").
			Comment("The service that covers the area."),
	}
}

// Indexes of ServiceArea: matching looks areas up by kind and code.
func (ServiceArea) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("service_id"),
		index.Fields("kind", "code"),
		index.Fields("state_code"),
	}
}

// Hooks of ServiceArea.
func (ServiceArea) Hooks() []ent.Hook {
	return []ent.Hook{checkAreaShape}
}

// checkAreaShape enforces that each kind carries exactly what it needs:
// a well-formed code for STATE, COUNTY and ZIP; centre and radius for
// RADIUS; words for TEXT.
func checkAreaShape(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if m.Op().Is(ent.OpDelete) || m.Op().Is(ent.OpDeleteOne) {
			return next.Mutate(ctx, m)
		}
		kind := stringValue(mutationValue(ctx, m, "kind"))
		if kind == "" && m.Op().Is(ent.OpUpdate) {
			// A bulk update that does not name the kind cannot be checked
			// row by row; it may touch only fields valid for every kind.
			return next.Mutate(ctx, m)
		}
		code := stringValue(mutationValue(ctx, m, "code"))
		lat := floatValue(mutationValue(ctx, m, "center_latitude"))
		lon := floatValue(mutationValue(ctx, m, "center_longitude"))
		radius := floatValue(mutationValue(ctx, m, "radius_km"))
		name := stringValue(mutationValue(ctx, m, "name"))
		if err := areaShape(kind, code, lat, lon, radius, name); err != nil {
			return nil, err
		}
		if sm, ok := m.(interface {
			SetStateCode(string)
			ClearStateCode()
		}); ok {
			if st := areaState(kind, code, lat, lon); st != "" {
				sm.SetStateCode(st)
			} else {
				sm.ClearStateCode()
			}
		}
		return next.Mutate(ctx, m)
	})
}

// areaState is the state an area lies in: its own code for STATE, the
// county's state for COUNTY, the ZIP's for ZIP, the nearest ZIP's to the
// centre for RADIUS.
func areaState(kind, code string, lat, lon *float64) string {
	switch kind {
	case "STATE":
		return code
	case "COUNTY":
		if c, ok := geo.LookupCounty(code); ok {
			return c.StateCode
		}
		if s, ok := geo.StateByFIPS(code[:2]); ok {
			return s.Code
		}
	case "ZIP":
		if p, ok := geo.LookupZIP(code); ok {
			return p.StateCode
		}
	case "RADIUS":
		if p, _, ok := geo.NearestZIP(*lat, *lon); ok {
			return p.StateCode
		}
	}
	return ""
}

func areaShape(kind, code string, lat, lon, radius *float64, name string) error {
	noCircle := func() error {
		if lat != nil || lon != nil || radius != nil {
			return fieldErrorf("radiusKm", "only a RADIUS area has a centre and radius")
		}
		return nil
	}
	switch kind {
	case "STATE":
		if !geo.ValidStateCode(code) {
			return fieldErrorf("code", "a STATE area needs a US state or territory postal code (two upper-case letters, e.g. MA), got %q", code)
		}
		return noCircle()
	case "COUNTY":
		if !geo.ValidCountyFIPS(code) {
			return fieldErrorf("code", "a COUNTY area needs a 5-digit county FIPS code (e.g. 25025), got %q", code)
		}
		return noCircle()
	case "ZIP":
		if !geo.ValidZIP(code) {
			return fieldErrorf("code", "a ZIP area needs a 5-digit ZIP code (e.g. 02121), got %q", code)
		}
		return noCircle()
	case "RADIUS":
		if code != "" {
			return fieldErrorf("code", "a RADIUS area has no code")
		}
		switch {
		case lat == nil:
			return fieldErrorf("centerLatitude", "a RADIUS area needs a centre latitude")
		case lon == nil:
			return fieldErrorf("centerLongitude", "a RADIUS area needs a centre longitude")
		case radius == nil:
			return fieldErrorf("radiusKm", "a RADIUS area needs a radius in kilometres")
		}
		return nil
	case "TEXT":
		if code != "" {
			return fieldErrorf("code", "a TEXT area has no code")
		}
		if name == "" {
			return fieldErrorf("name", "a TEXT area needs the area described in words")
		}
		return noCircle()
	default: // NATIONWIDE, ONLINE
		if code != "" {
			return fieldErrorf("code", "a %s area has no code", kind)
		}
		return noCircle()
	}
}

// Annotations of ServiceArea.
func (ServiceArea) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("An area a service covers (HSDS service_area), structured so families can be matched to it."),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
		entgql.RelayConnection(),
	}
}
