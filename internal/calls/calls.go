package calls

import (
	"context"
	"fmt"
	"slices"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/callrecord"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/match"
)

// Input is what a call center sends when it logs a call: the family as it
// matched it (place, child, needs; everything match takes) and the services
// it referred the family to.
type Input struct {
	Family             match.Family
	ReferredServiceIDs []int
}

// MaxReferred is the most services one call may record as referred.
const MaxReferred = 50

// AgeBand is the band of a child's age in completed months (or PRENATAL);
// "" when neither an age nor a pregnancy is known.
func AgeBand(ageMonths *int, pregnant bool) callrecord.AgeBand {
	switch {
	case ageMonths == nil && pregnant:
		return callrecord.AgeBandPRENATAL
	case ageMonths == nil:
		return ""
	case *ageMonths < 12:
		return callrecord.AgeBandMONTHS_0_11
	case *ageMonths < 36:
		return callrecord.AgeBandMONTHS_12_35
	case *ageMonths < 60:
		return callrecord.AgeBandMONTHS_36_59
	}
	return callrecord.AgeBandMONTHS_60_PLUS
}

// Log stores one call as a CallRecord: bands, never identifiers (see the
// package doc). The viewer must be staff or an admin; the family is
// resolved and matched with m, the referred services must exist, and
// errors name the field at fault in Input (family.zip,
// referredServiceIDs[1]; GraphQL puts them under the input argument).
func Log(ctx context.Context, client *ent.Client, m *match.Matcher, in Input) (*ent.CallRecord, error) {
	if err := auth.MayLogCall(ctx); err != nil {
		return nil, err
	}
	if tx := ent.TxFromContext(ctx); tx != nil {
		client = tx.Client()
	}
	if len(in.ReferredServiceIDs) > MaxReferred {
		return nil, &directory.FieldError{Field: "referredServiceIDs", Message: fmt.Sprintf("at most %d services per call (got %d)", MaxReferred, len(in.ReferredServiceIDs))}
	}
	for i, id := range in.ReferredServiceIDs {
		if slices.Index(in.ReferredServiceIDs, id) != i {
			return nil, &directory.FieldError{Field: fmt.Sprintf("referredServiceIDs[%d]", i), Message: "is listed twice"}
		}
	}
	outcome, err := m.Match(ctx, in.Family, match.Options{
		RevealConfidential: func(owner int) bool { return auth.SeesRestricted(ctx, owner) },
	})
	if err != nil {
		return nil, err
	}
	if len(in.ReferredServiceIDs) > 0 {
		// As the viewer: a service it may not read is not there.
		found, err := client.Service.Query().Where(service.IDIn(in.ReferredServiceIDs...)).IDs(ctx)
		if err != nil {
			return nil, err
		}
		for i, id := range in.ReferredServiceIDs {
			if !slices.Contains(found, id) {
				return nil, &directory.FieldError{Field: fmt.Sprintf("referredServiceIDs[%d]", i), Message: "no service has this ID"}
			}
		}
	}
	found := slices.ContainsFunc(outcome.Results, func(r *match.Result) bool { return r.Eligible && !r.Sample() })
	create := client.CallRecord.Create().
		SetNeeds(needsOf(in.Family)).
		SetReferredServiceIds(orEmpty(in.ReferredServiceIDs)).
		SetEligibleFound(found).
		SetNillableFirstTimeParent(in.Family.FirstTimeParent)
	place := outcome.Place
	if len(place.Counties) > 0 {
		create.SetCountyFips(place.Counties[0].FIPS)
		create.SetStateCode(place.Counties[0].StateCode)
	} else if place.State != "" {
		create.SetStateCode(place.State)
	}
	if band := AgeBand(outcome.AgeMonths, outcome.Pregnant); band != "" {
		create.SetAgeBand(band)
	}
	return create.Save(ctx)
}

// needsOf are the family's needs, as match accepted them (known codes,
// each once).
func needsOf(f match.Family) []string {
	if f.Needs == nil {
		return []string{}
	}
	return slices.Clone(f.Needs)
}

func orEmpty(ids []int) []int {
	if ids == nil {
		return []int{}
	}
	return ids
}
