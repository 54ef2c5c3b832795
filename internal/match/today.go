package match

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/village-directory/village/internal/directory"
)

// What is true today: openings, waits and how fresh the listing is. Each
// says what the record says, with its date, so a worker can weigh it; only
// a wait that outlasts the family's chance to enrol, and the caller's own
// filters (OpeningsOnly, VerifiedWithinMonths), decide eligibility.

// checkOpenings reports the service's recorded openings and whether it has
// none (capacity available 0), which ranks it after the others.
func checkOpenings(s *entry, opts Options, v *verdict) (none bool) {
	if s.CapacityAvailable() == nil {
		return false
	}
	n := *s.CapacityAvailable()
	asOf := func() string {
		if s.CapacityUpdatedAt() == nil {
			return " (the listing does not say as of when)"
		}
		return " as of " + dayName(*s.CapacityUpdatedAt())
	}
	if n > 0 {
		v.met(Openings, func() string {
			if n == 1 {
				return "Had 1 opening" + asOf() + "."
			}
			return "Had " + strconv.Itoa(n) + " openings" + asOf() + "."
		})
		return false
	}
	if opts.OpeningsOnly {
		v.missed(Openings, func() string { return "Had no openings" + asOf() + ", and only services with openings were asked for." })
	} else {
		v.met(Openings, func() string {
			return "Had no openings" + asOf() + ": ask whether a place has come up, or about its waiting list."
		})
	}
	return true
}

// checkWait quotes a recorded wait and, where the record gives it in days
// (waitDays) and the family can enrol only for a while longer (a child
// nearing the oldest age served, a pregnancy nearing the last week to
// enrol), makes a wait at least that long an unmet rule.
func checkWait(s *entry, elig *directory.Eligibility, p *profile, v *verdict) {
	if s.WaitTime() == "" && s.WaitDays() == nil {
		return
	}
	said := func() string {
		switch {
		case s.WaitTime() != "" && s.WaitDays() != nil:
			return fmt.Sprintf("a wait of %s (“%s”)", daysPhrase(*s.WaitDays()), strings.TrimSpace(s.WaitTime()))
		case s.WaitDays() != nil:
			return "a wait of " + daysPhrase(*s.WaitDays())
		}
		return "this wait: “" + strings.TrimSpace(s.WaitTime()) + "”"
	}
	if s.WaitDays() != nil && *s.WaitDays() > 0 && elig != nil {
		if days, past, ok := enrolWindow(elig, p); ok {
			if *s.WaitDays() >= days {
				v.missed(Wait, func() string {
					return "Reports " + said() + "; " + past + " by then (in about " + daysPhrase(days) + ")."
				})
			} else {
				v.met(Wait, func() string {
					return "Reports " + said() + "; the family can still enrol for about " + daysPhrase(days) + ": refer soon."
				})
			}
			return
		}
	}
	if s.WaitDays() != nil && *s.WaitDays() == 0 && s.WaitTime() == "" {
		v.met(Wait, func() string { return "Reports no wait." })
		return
	}
	v.met(Wait, func() string { return "Reports " + said() + "." })
}

// enrolWindow is how many days the family has left to enrol, where the
// service's rules close a route the family qualifies through: a child of
// known age in a service with an oldest age (it is past that age once it
// completes the next month: exact from a birth date, at most whole months
// from an age in months), or a pregnancy of known week in a service with a
// last week to enrol (past it a week after that week, at most). The bounds
// are the longest the window can be, so a wait is held against a family
// only when it is surely too long. past says, for a sentence, what the
// family will be once the window closes.
func enrolWindow(e *directory.Eligibility, p *profile) (days int, past string, ok bool) {
	pregnantOnly := isTrue(e.PregnantOnly)
	hasBounds := (e.MinAgeMonths != nil || e.MaxAgeMonths != nil) && !pregnantOnly
	childFits := p.ageMonths != nil && !pregnantOnly && inRange(*p.ageMonths, e.MinAgeMonths, e.MaxAgeMonths)
	if childFits && e.MaxAgeMonths != nil {
		limit := *e.MaxAgeMonths
		var end time.Time
		if p.birth != nil {
			end = monthsAfter(*p.birth, limit+1)
		} else {
			end = p.today.AddDate(0, limit+1-*p.ageMonths, 0)
		}
		return int(end.Sub(p.today).Hours() / 24), "the child will have outgrown the ages it serves (" + ageRange(e.MinAgeMonths, e.MaxAgeMonths) + ")", true
	}
	pregnant := p.pregnant != nil && *p.pregnant
	accepts := e.AcceptsPregnancy() || pregnantOnly || (hasBounds && e.AcceptsPregnant == nil)
	if pregnant && !childFits && accepts && e.EnrollByPregnancyWeek != nil && p.pregnancyWeek != nil &&
		*p.pregnancyWeek <= *e.EnrollByPregnancyWeek {
		w := *e.EnrollByPregnancyWeek
		return (w + 1 - *p.pregnancyWeek) * 7, fmt.Sprintf("the family will be past week %d of pregnancy, the last it enrols at,", w), true
	}
	return 0, "", false
}

// monthsAfter is the day a child born on birth completes n months (the
// birth day of the month, or the last day of a shorter month).
func monthsAfter(birth time.Time, n int) time.Time {
	first := time.Date(birth.Year(), birth.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	return first.AddDate(0, 0, min(birth.Day(), daysIn(first.Year(), first.Month()))-1)
}

// checkVerified reports a listing last verified more than staleAfterMonths
// ago (stale: ranked after fresher ones) and applies the caller's
// VerifiedWithinMonths. A listing never verified is not called stale:
// nothing says when it was checked, and it ranks last by the verification
// date anyway.
func checkVerified(s *entry, p *profile, opts Options, v *verdict) (stale bool) {
	at := s.VerifiedAt()
	if w := opts.VerifiedWithinMonths; w != nil {
		switch {
		case at == nil:
			v.missed(Verified, func() string {
				return fmt.Sprintf("No record of when it was last verified, and only listings verified within %s were asked for.", monthsCount(*w))
			})
		case civilDate(*at).Before(p.today.AddDate(0, -*w, 0)):
			v.missed(Verified, func() string {
				return fmt.Sprintf("Last verified in %s, not within the %s asked for.", at.Format("January 2006"), monthsCount(*w))
			})
		}
	}
	if at == nil || !civilDate(*at).Before(p.today.AddDate(0, -opts.staleAfterMonths, 0)) {
		return false
	}
	if opts.VerifiedWithinMonths == nil || !civilDate(*at).Before(p.today.AddDate(0, -*opts.VerifiedWithinMonths, 0)) {
		v.met(Verified, func() string {
			return fmt.Sprintf("Last verified in %s, more than %s ago: check its details are still current before referring.",
				at.Format("January 2006"), monthsCount(opts.staleAfterMonths))
		})
	}
	return true
}

func monthsCount(n int) string {
	if n == 1 {
		return "1 month"
	}
	if n%12 == 0 {
		if n == 12 {
			return "12 months"
		}
		return strconv.Itoa(n/12) + " years"
	}
	return strconv.Itoa(n) + " months"
}

// daysPhrase says a number of days as people do: "6 weeks" when it is whole
// weeks, else "45 days".
func daysPhrase(d int) string {
	switch {
	case d == 1:
		return "1 day"
	case d == 7:
		return "1 week"
	case d > 0 && d%7 == 0:
		return strconv.Itoa(d/7) + " weeks"
	}
	return strconv.Itoa(d) + " days"
}

// dayName writes a date as "3 March 2025".
func dayName(t time.Time) string { return t.UTC().Format("2 January 2006") }
