package calls

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/callrecord"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/match"
)

// CountyGap is one county and need in the calls side of a gap report.
type CountyGap struct {
	County geo.County
	Need   string
	// Calls are the calls from the county about the need; Unmet those of
	// them with no eligible service found.
	Calls, Unmet int
}

// UnmetShare is Unmet over Calls (never 0 calls: a row has at least one).
func (g CountyGap) UnmetShare() float64 { return float64(g.Unmet) / float64(g.Calls) }

// Filter selects the calls a report counts. Nil fields select every call.
type Filter struct {
	// Needs: only these needs' rows (a call about other needs too counts
	// in these rows).
	Needs []string
	// From and To are days, both included.
	From, To *time.Time
	// AgeBand and FirstTimeParent select the calls with that band or
	// answer (a call that did not say is left out when they are set).
	AgeBand         *callrecord.AgeBand
	FirstTimeParent *bool
}

// reportPage is how many records each statement of a report reads.
const reportPage = 5000

// ByCounty counts, per county and need, the calls f selects and those with
// no eligible service found, in county FIPS then need order. Admins only:
// anyone else gets auth.ErrForbidden.
func ByCounty(ctx context.Context, client *ent.Client, f Filter) ([]CountyGap, error) {
	if !auth.IsAdmin(ctx) {
		return nil, &auth.ForbiddenError{Reason: "the calls side of the gap report is for admin keys"}
	}
	q := func() *ent.CallRecordQuery {
		q := client.CallRecord.Query().Where(callrecord.CountyFipsNotNil())
		if f.From != nil {
			q.Where(callrecord.CreatedAtGTE(day(*f.From)))
		}
		if f.To != nil {
			q.Where(callrecord.CreatedAtLT(day(*f.To).AddDate(0, 0, 1)))
		}
		if f.AgeBand != nil {
			q.Where(callrecord.AgeBandEQ(*f.AgeBand))
		}
		if f.FirstTimeParent != nil {
			q.Where(callrecord.FirstTimeParent(*f.FirstTimeParent))
		}
		return q
	}
	type key struct{ county, need string }
	counts := map[key]*CountyGap{}
	after := 0
	for {
		page, err := q().Where(callrecord.IDGT(after)).Order(ent.Asc(callrecord.FieldID)).Limit(reportPage).
			Select(callrecord.FieldCountyFips, callrecord.FieldNeeds, callrecord.FieldEligibleFound).All(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			for _, n := range r.Needs {
				if len(f.Needs) > 0 && !slices.Contains(f.Needs, n) {
					continue
				}
				k := key{*r.CountyFips, n}
				g := counts[k]
				if g == nil {
					c, ok := geo.LookupCounty(k.county)
					if !ok {
						c = geo.County{FIPS: k.county}
					}
					g = &CountyGap{County: c, Need: n}
					counts[k] = g
				}
				g.Calls++
				if !r.EligibleFound {
					g.Unmet++
				}
			}
		}
		if len(page) < reportPage {
			break
		}
		after = page[len(page)-1].ID
	}
	out := make([]CountyGap, 0, len(counts))
	for _, g := range counts {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b CountyGap) int {
		return cmp.Or(cmp.Compare(a.County.FIPS, b.County.FIPS), cmp.Compare(a.Need, b.Need))
	})
	return out, nil
}

func day(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// GapQuery is what a gap report is asked for: needs (all, when none), a
// range of days, and a family profile.
type GapQuery struct {
	Needs    []string
	From, To *time.Time
	Profile  *match.Profile
}

// Filter is the calls q selects, at now: its needs and days, and of its
// profile what a call record keeps (the age band, first-time parent; the
// other facts are not recorded, so they select nothing).
func (q GapQuery) Filter(now time.Time) (Filter, error) {
	f := Filter{Needs: q.Needs, From: q.From, To: q.To}
	if q.From != nil && q.To != nil && q.To.Before(*q.From) {
		return f, &directory.FieldError{Field: "to", Message: fmt.Sprintf("%s is before from (%s)", q.To.Format(time.DateOnly), q.From.Format(time.DateOnly))}
	}
	if q.Profile != nil {
		age, pregnant, err := q.Profile.Facts(now)
		if err != nil {
			return f, err
		}
		if band := AgeBand(age, pregnant); band != "" {
			f.AgeBand = &band
		}
		f.FirstTimeParent = q.Profile.FirstTimeParent
	}
	return f, nil
}
