package match

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
)

// evaluate decides one candidate for the family and, with explain, says
// why in sentences. Ranking needs only the decision, so Match decides every
// candidate quickly and explains the results a caller shows (see
// Outcome.Page and Outcome.ExplainAll).
func evaluate(e *entry, p *profile, needs []need, opts Options, explain bool) (r Result) {
	s := e.svc
	r = Result{Service: s, entry: e, profile: p, needs: needs, opts: opts, explained: explain}
	hard := func(c Criterion, format string, args ...any) {
		if explain {
			r.Unmet = append(r.Unmet, reason(c, format, args...))
		}
	}
	ok := func(c Criterion, format string, args ...any) {
		if explain {
			r.Reasons = append(r.Reasons, reason(c, format, args...))
		}
	}
	failed := false
	fail := func(c Criterion, format string, args ...any) { failed = true; hard(c, format, args...) }

	// Area.
	r.Coverage = covering(e.areas, p.place)
	if r.Coverage == nil {
		failed = true
		if explain {
			hard(OutOfArea, "Does not cover %s.", placeName(p.place))
		}
	} else {
		if explain {
			ok(InArea, "%s", coverageSentence(r.Coverage, p.place))
		}
	}
	r.DistanceKm = nearestDistance(e, p.from, opts.RevealConfidential)
	// A service that reaches families online or nationwide serves them
	// wherever its offices are: the travel limit does not apply to it.
	distanceApplies := !e.national
	if p.maxDistance != nil && distanceApplies && r.DistanceKm != nil {
		limit := strconv.FormatFloat(*p.maxDistance, 'f', -1, 64)
		if *r.DistanceKm > *p.maxDistance {
			fail(Distance, "Its nearest location is %.1f km away, beyond the family's limit of %s km.", *r.DistanceKm, limit)
		} else {
			ok(Distance, "Its nearest location is %.1f km away, within the family's limit of %s km.", *r.DistanceKm, limit)
		}
	}

	// Needs.
	needsMet := 0
	if len(needs) > 0 {
		var met []string
		for _, n := range needs {
			if n.metBy.has(e.pos) {
				needsMet++
				if explain {
					met = append(met, strings.ToLower(n.name))
				}
			}
		}
		switch {
		case needsMet == 0:
			failed = true
			if explain {
				var asked []string
				for _, n := range needs {
					asked = append(asked, strings.ToLower(n.name))
				}
				hard(NoNeedMet, "Does not offer %s.", listNames(asked))
			}
		case explain:
			ok(NeedMet, "Offers %s.", listNames(met))
		}
	}

	// Eligibility: the service's own, or its program's whole.
	elig := s.Eligibility
	if elig == nil && e.program != nil {
		elig = e.program.Eligibility
	}
	if elig != nil {
		checkEligibility(elig, p, ok, fail, explain)
	}

	// Status.
	open := s.Status != service.StatusTEMPORARILY_CLOSED
	if !open {
		ok(TemporarilyClosed, "Temporarily closed: check when it reopens before referring.")
	}

	// Preferences rank, never exclude.
	langMet := false
	if p.language != "" {
		switch {
		case slices.ContainsFunc(s.Languages, func(l string) bool { return sameLanguage(l, p.language) }):
			langMet = true
			if explain {
				ok(Language, "Offered in %s.", languageName(p.language))
			}
		case !explain:
		case len(s.Languages) == 0:
			ok(Confirm, "Ask whether it is offered in %s: no languages are listed.", languageName(p.language))
		default:
			hard(Language, "Not offered in %s (offered in %s).", languageName(p.language), languageNames(s.Languages))
		}
	}
	modeMet := false
	if len(p.modes) > 0 {
		var offered []string
		for _, m := range p.modes {
			if slices.Contains(s.DeliveryModes, m) {
				modeMet = true
				offered = append(offered, modeName(m))
			}
		}
		switch {
		case !explain:
		case modeMet:
			ok(DeliveryMode, "Offered %s, as the family prefers.", listNames(offered))
		case len(s.DeliveryModes) == 0:
			ok(Confirm, "Ask how it is delivered: no delivery modes are listed.")
		default:
			var has []string
			for _, m := range s.DeliveryModes {
				has = append(has, modeName(m))
			}
			hard(DeliveryMode, "Not offered the way the family prefers (offered %s).", listNames(has))
		}
	}

	r.Eligible = !failed
	spec := 3
	if r.Coverage != nil {
		spec = specificity(r.Coverage.Kind)
	}
	r.key = rankKey{
		eligible: r.Eligible, open: open, needs: needsMet, language: langMet, mode: modeMet,
		specificity: spec, distance: r.DistanceKm, verified: s.VerifiedAt, id: s.ID,
	}
	return r
}

// checkEligibility applies the structured rules; what the family did not
// say becomes CONFIRM, never a miss.
func checkEligibility(e *directory.Eligibility, p *profile, ok, fail func(Criterion, string, ...any), explain bool) {
	pregnant := p.pregnant != nil && *p.pregnant
	notPregnant := p.pregnant != nil && !*p.pregnant
	pregnantOnly := isTrue(e.PregnantOnly)
	// A pregnant-only service enrols through the pregnancy alone: it
	// accepts pregnant families whatever acceptsPregnant says (validation
	// forbids false), and a born child's age never qualifies a family for
	// it, so its age bounds (if any) are not applied.
	hasBounds := (e.MinAgeMonths != nil || e.MaxAgeMonths != nil) && !pregnantOnly
	accepts := isTrue(e.AcceptsPregnant) || pregnantOnly
	refuses := e.AcceptsPregnant != nil && !*e.AcceptsPregnant && !pregnantOnly
	childFits := p.ageMonths != nil && hasBounds && inRange(*p.ageMonths, e.MinAgeMonths, e.MaxAgeMonths)
	ages := "" // words for reasons, only when they are shown
	if explain {
		ages = ageRange(e.MinAgeMonths, e.MaxAgeMonths)
	}

	// Pregnancy-only enrolment: a family with a born child that does not
	// say it is expecting again is out, as is one that says it is not
	// expecting; one that says nothing at all is asked.
	if pregnantOnly {
		switch {
		case pregnant:
			ok(PregnantOnly, "Enrols during pregnancy, and the family is expecting.")
		case notPregnant || p.ageMonths != nil:
			fail(PregnantOnly, "Enrols only during pregnancy; the family is not expecting.")
		default:
			ok(Confirm, "Confirm the family is expecting: it enrols only during pregnancy.")
		}
	}

	// A pregnant family can enrol through the pregnancy where the service
	// takes pregnant families and the week is not past its cut-off.
	pregFits := false
	if pregnant && !childFits {
		switch {
		case accepts:
			if !pregnantOnly { // already said above
				ok(Pregnancy, "Enrols families during pregnancy.")
			}
			pregFits = true
			if w := e.EnrollByPregnancyWeek; w != nil {
				switch {
				case p.pregnancyWeek == nil:
					ok(Confirm, "Confirm the week of pregnancy: it enrols up to week %d.", *w)
				case *p.pregnancyWeek <= *w:
					ok(PregnancyWeek, "Enrols up to week %d of pregnancy; the family is at week %d.", *w, *p.pregnancyWeek)
				default:
					pregFits = false
					fail(PregnancyWeek, "Enrols only up to week %d of pregnancy; the family is at week %d.", *w, *p.pregnancyWeek)
				}
			}
		case refuses:
			if p.ageMonths == nil {
				fail(Pregnancy, "Does not enrol during pregnancy; families can enrol once the baby is born.")
			}
		case hasBounds && p.ageMonths == nil:
			ok(Confirm, "Ask whether it enrols during pregnancy: it serves children %s.", ages)
		}
	}

	// Age.
	if hasBounds {
		switch {
		case childFits:
			ok(Age, "Serves children %s; the child is %s.", ages, monthsPhrase(*p.ageMonths))
		case p.ageMonths != nil && !pregFits:
			fail(Age, "Serves children %s; the child is %s.", ages, monthsPhrase(*p.ageMonths))
		case p.ageMonths == nil && !pregnant:
			ok(Confirm, "Confirm the child's age: it serves children %s.", ages)
		}
	}

	// First-time parents.
	if isTrue(e.FirstTimeParentsOnly) {
		switch {
		case p.firstTime == nil:
			ok(Confirm, "Confirm this is the family's first child: it enrols first-time parents only.")
		case *p.firstTime:
			ok(FirstTimeParentOnly, "Enrols first-time parents, as this family is.")
		default:
			fail(FirstTimeParentOnly, "Enrols first-time parents only; this is not the family's first child.")
		}
	}

	// Court or child-welfare involvement.
	if isTrue(e.CourtInvolvementRequired) {
		switch {
		case p.court == nil:
			ok(Confirm, "Confirm the child is under court or child-welfare jurisdiction: it serves only those children.")
		case *p.court:
			ok(CourtInvolvement, "Serves children under court jurisdiction, as this child is.")
		default:
			fail(CourtInvolvement, "Serves only children under court or child-welfare jurisdiction.")
		}
	}

	// Income.
	if limit := e.MaxIncomePercentFPL; limit != nil {
		switch {
		case p.income == nil:
			ok(Confirm, "Confirm household income: the limit is %d%% of the %d federal poverty guideline for the household's size.", *limit, povertyGuidelineYear)
		default:
			within, most := withinIncomeLimit(p.place.State, *p.household, *p.income, *limit)
			if within {
				ok(Income, "Household income of %s a year is within the limit of %s for a household of %d (%d%% of the %d federal poverty guideline).",
					dollars(*p.income), dollars(most), *p.household, *limit, povertyGuidelineYear)
			} else {
				fail(Income, "Household income of %s a year is above the limit of %s for a household of %d (%d%% of the %d federal poverty guideline).",
					dollars(*p.income), dollars(most), *p.household, *limit, povertyGuidelineYear)
			}
		}
	}

	if isTrue(e.ReferralRequired) {
		ok(ReferralRequired, "Needs a referral: refer the family rather than sending them directly.")
	}
	for _, pop := range e.PriorityPopulations {
		ok(Priority, "Prioritises %s.", strings.TrimSuffix(lowerFirst(pop), "."))
	}
}

func isTrue(b *bool) bool { return b != nil && *b }

func inRange(v int, lo, hi *int) bool {
	return (lo == nil || v >= *lo) && (hi == nil || v <= *hi)
}

func ageRange(lo, hi *int) string {
	switch {
	case lo != nil && hi != nil && *lo == 0 && *hi == 0:
		return "in their first month"
	case lo != nil && hi != nil && *lo == *hi:
		return "aged " + monthsPhrase(*lo)
	case lo != nil && hi != nil:
		return fmt.Sprintf("aged %d to %d months", *lo, *hi)
	case lo != nil:
		return fmt.Sprintf("from %d months", *lo)
	case hi != nil:
		return fmt.Sprintf("up to %d months", *hi)
	}
	return "of any age"
}

func monthsPhrase(m int) string {
	switch m {
	case 0:
		return "under a month old"
	case 1:
		return "1 month old"
	}
	return strconv.Itoa(m) + " months old"
}

func lowerFirst(s string) string {
	if s == "" || (len(s) > 1 && strings.ToUpper(s[:2]) == s[:2]) {
		return s // keep acronyms
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// sameLanguage reports whether two ISO 639 codes name one language, so a
// family asking for "es" finds a service listed in "spa".
func sameLanguage(a, b string) bool {
	if a == b {
		return true
	}
	ba, errA := language.ParseBase(a)
	bb, errB := language.ParseBase(b)
	return errA == nil && errB == nil && ba == bb
}

// dollars writes a whole number of dollars as $53,300.
func dollars(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return "$" + s
}

func languageName(code string) string {
	if tag, err := language.Parse(code); err == nil {
		if name := display.English.Languages().Name(tag); name != "" {
			return name
		}
	}
	return code
}

func languageNames(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = languageName(c)
	}
	return listNames(names)
}

func modeName(m directory.DeliveryMode) string {
	switch m {
	case directory.InHome:
		return "in the home"
	case directory.InClinic:
		return "in a clinic"
	case directory.InGroup:
		return "in a group"
	case directory.ByPhone:
		return "by phone"
	case directory.Online:
		return "online"
	}
	return string(m)
}

func placeName(p Place) string {
	switch {
	case p.ZIP != "" && p.PlaceName != "":
		return fmt.Sprintf("ZIP %s (%s, %s)", p.ZIP, p.PlaceName, p.State)
	case p.ZIP != "":
		return "ZIP " + p.ZIP
	case len(p.Counties) > 0:
		return fmt.Sprintf("%s County, %s", p.Counties[0].Name, p.State)
	}
	return p.State
}

func coverageSentence(a *ent.ServiceArea, p Place) string {
	label := ""
	if a.Name != "" {
		label = " (" + a.Name + ")"
	}
	switch a.Kind {
	case servicearea.KindNATIONWIDE:
		return "Serves families nationwide."
	case servicearea.KindONLINE:
		return "Available online, wherever the family lives."
	case servicearea.KindSTATE:
		return fmt.Sprintf("Covers the state of %s.", a.Code)
	case servicearea.KindCOUNTY:
		for _, c := range p.Counties {
			if c.FIPS == a.Code {
				return fmt.Sprintf("Covers %s County%s, where the family lives.", c.Name, label)
			}
		}
		return fmt.Sprintf("Covers county %s%s, where the family lives.", a.Code, label)
	case servicearea.KindZIP:
		return fmt.Sprintf("Covers ZIP %s%s.", a.Code, label)
	case servicearea.KindRADIUS:
		return fmt.Sprintf("Covers %.0f km around its centre%s, which includes the family's home.", *a.RadiusKm, label)
	}
	return "Covers the family's area."
}

// rankKey orders results; see the package documentation.
type rankKey struct {
	eligible, open bool
	needs          int
	language, mode bool
	specificity    int
	distance       *float64
	verified       *time.Time
	id             int
}

func (k rankKey) compare(o rankKey) int {
	// Key by key, stopping at the first that differs (sorting compares
	// often; cmp.Or would evaluate every key every time).
	if c := boolFirst(k.eligible, o.eligible); c != 0 {
		return c
	}
	if c := boolFirst(k.open, o.open); c != 0 {
		return c
	}
	if c := cmp.Compare(o.needs, k.needs); c != 0 {
		return c
	}
	if c := boolFirst(k.language, o.language); c != 0 {
		return c
	}
	if c := boolFirst(k.mode, o.mode); c != 0 {
		return c
	}
	if c := cmp.Compare(k.specificity, o.specificity); c != 0 {
		return c
	}
	if c := nilLast(k.distance, o.distance, cmp.Compare[float64]); c != 0 {
		return c
	}
	if c := nilLast(k.verified, o.verified, func(a, b time.Time) int { return b.Compare(a) }); c != 0 {
		return c
	}
	return cmp.Compare(k.id, o.id)
}

func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

func nilLast[T any](a, b *T, f func(T, T) int) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return f(*a, *b)
}
