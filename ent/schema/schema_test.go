package schema_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// fieldOf names the field a write was refused for, from either a scalar
// validator (ent.ValidationError) or a record rule (directory.FieldError).
func fieldOf(err error) string {
	var ve *ent.ValidationError
	var fe *directory.FieldError
	switch {
	case errors.As(err, &ve):
		if errors.As(ve.Unwrap(), &fe) { // a list element's index
			return ve.Name + fe.Field
		}
		return ve.Name
	case errors.As(err, &fe):
		return fe.Field
	}
	return ""
}

func TestValidators(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		org := c.Organization.Create().SetName("Org").SaveX(ctx)
		svc := c.Service.Create().SetName("Service").SetOrganization(org).SaveX(ctx)
		ints := func(v int) *int { return &v }

		for _, tc := range []struct {
			name, field string
			write       func() error
		}{
			{"blank organization name", "name", func() error { return c.Organization.Create().SetName("  ").Exec(ctx) }},
			{"bad email", "email", func() error { return c.Organization.Create().SetName("x").SetEmail("not-an-email").Exec(ctx) }},
			{"relative website", "website", func() error { return c.Organization.Create().SetName("x").SetWebsite("www.example.org").Exec(ctx) }},
			{"unknown language", "languages[1]", func() error {
				return c.Service.Create().SetName("x").SetOrganization(org).SetLanguages([]string{"en", "qq"}).Exec(ctx)
			}},
			{"upper-case language", "languages[0]", func() error {
				return c.Service.Create().SetName("x").SetOrganization(org).SetLanguages([]string{"EN"}).Exec(ctx)
			}},
			{"negative capacity", "capacity_available", func() error {
				return c.Service.Create().SetName("x").SetOrganization(org).SetCapacityAvailable(-1).Exec(ctx)
			}},
			{"more places than the maximum", "capacityAvailable", func() error {
				return c.Service.Create().SetName("x").SetOrganization(org).SetCapacityAvailable(5).SetCapacityMaximum(4).Exec(ctx)
			}},
			{"min age above max", "eligibility.minAgeMonths", func() error {
				return c.Service.Create().SetName("x").SetOrganization(org).
					SetEligibility(&directory.Eligibility{MinAgeMonths: ints(24), MaxAgeMonths: ints(12)}).Exec(ctx)
			}},
			{"pregnancy week 43", "eligibility.enrollByPregnancyWeek", func() error {
				return c.Program.Create().SetName("x").SetEligibility(&directory.Eligibility{EnrollByPregnancyWeek: ints(43)}).Exec(ctx)
			}},
			{"unknown delivery mode", "delivery_modes[0]", func() error {
				return c.Service.Create().SetName("x").SetOrganization(org).SetDeliveryModes([]directory.DeliveryMode{"BY_PIGEON"}).Exec(ctx)
			}},
			{"unknown evidence source", "evidence[0].source", func() error {
				return c.Program.Create().SetName("x").SetEvidence([]directory.Evidence{{Source: "RUMOUR"}}).Exec(ctx)
			}},
			{"latitude out of range", "latitude", func() error {
				return c.Location.Create().SetName("x").SetLatitude(91).SetLongitude(0).Exec(ctx)
			}},
			{"half a coordinate", "longitude", func() error { return c.Location.Create().SetName("x").SetLatitude(42).Exec(ctx) }},
			{"lower-case country", "country", func() error { return c.Location.Create().SetName("x").SetCountry("us").Exec(ctx) }},
			{"ZIP area with 4 digits", "code", func() error {
				return c.ServiceArea.Create().SetService(svc).SetKind(servicearea.KindZIP).SetCode("2121").Exec(ctx)
			}},
			{"county area with a name", "code", func() error {
				return c.ServiceArea.Create().SetService(svc).SetKind(servicearea.KindCOUNTY).SetCode("Suffolk").Exec(ctx)
			}},
			{"unknown state", "code", func() error {
				return c.ServiceArea.Create().SetService(svc).SetKind(servicearea.KindSTATE).SetCode("XX").Exec(ctx)
			}},
			{"radius without a radius", "radiusKm", func() error {
				return c.ServiceArea.Create().SetService(svc).SetKind(servicearea.KindRADIUS).
					SetCenterLatitude(42.3).SetCenterLongitude(-71.1).Exec(ctx)
			}},
			{"nationwide with a code", "code", func() error {
				return c.ServiceArea.Create().SetService(svc).SetKind(servicearea.KindNATIONWIDE).SetCode("US").Exec(ctx)
			}},
			{"text area without words", "name", func() error {
				return c.ServiceArea.Create().SetService(svc).SetKind(servicearea.KindTEXT).Exec(ctx)
			}},
			{"opening time not HH:MM", "opens_at", func() error { return c.Schedule.Create().SetOpensAt("9am").Exec(ctx) }},
			{"unknown time zone", "timezone", func() error { return c.Schedule.Create().SetTimezone("Mars/Olympus").Exec(ctx) }},
			{"year of incorporation in the future", "year_incorporated", func() error {
				return c.Organization.Create().SetName("x").SetYearIncorporated(3000).Exec(ctx)
			}},
		} {
			err := tc.write()
			if err == nil {
				t.Errorf("%s: write accepted", tc.name)
				continue
			}
			if got := fieldOf(err); got != tc.field {
				t.Errorf("%s: refused for field %q (%v), want %q", tc.name, got, err, tc.field)
			}
		}

		// Valid shapes are accepted and a radius area learns its state.
		area := c.ServiceArea.Create().SetService(svc).SetKind(servicearea.KindRADIUS).
			SetCenterLatitude(42.3097).SetCenterLongitude(-71.0621).SetRadiusKm(5).SaveX(ctx)
		if area.StateCode != "MA" {
			t.Errorf("radius area state %q, want MA", area.StateCode)
		}
		county := c.ServiceArea.Create().SetService(svc).SetKind(servicearea.KindCOUNTY).SetCode("09120").SaveX(ctx)
		if county.StateCode != "CT" {
			t.Errorf("planning-region county state %q, want CT", county.StateCode)
		}
		// Changing the kind re-derives the state; an update that breaks the
		// shape is refused and leaves the record as it was.
		county = county.Update().SetKind(servicearea.KindZIP).SetCode("02121").SaveX(ctx)
		if county.StateCode != "MA" {
			t.Errorf("after update state %q, want MA", county.StateCode)
		}
		if err := county.Update().SetKind(servicearea.KindRADIUS).Exec(ctx); fieldOf(err) != "code" {
			t.Errorf("ZIP→RADIUS keeping the code: %v", err)
		}
		if got := c.ServiceArea.GetX(ctx, county.ID); got.Kind != servicearea.KindZIP || got.Code != "02121" {
			t.Errorf("refused update changed the record: %+v", got)
		}
	})
}

func TestVersionAndTimestamps(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := db.Client.Organization.Create().SetName("Before").SaveX(ctx)
		if org.Version != 1 || org.CreatedAt.IsZero() || org.UpdatedAt.Before(org.CreatedAt) {
			t.Fatalf("new record: version %d created %v updated %v", org.Version, org.CreatedAt, org.UpdatedAt)
		}
		updated := org.Update().SetName("After").SaveX(ctx)
		// PostgreSQL keeps microseconds, Go nanoseconds: compare at that grain.
		if updated.Version != 2 || updated.UpdatedAt.Before(org.UpdatedAt.Truncate(time.Millisecond)) ||
			updated.CreatedAt.Sub(org.CreatedAt).Abs() > time.Millisecond {
			t.Fatalf("after update: version %d updated %v (was %v)", updated.Version, updated.UpdatedAt, org.UpdatedAt)
		}
		db.Client.Organization.Update().SetLegalStatus("nonprofit").ExecX(ctx)
		if got := db.Client.Organization.GetX(ctx, org.ID); got.Version != 3 {
			t.Fatalf("bulk update: version %d, want 3", got.Version)
		}
	})
}
