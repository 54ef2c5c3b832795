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
	"github.com/village-directory/village/internal/geo"
)

// verdict is one candidate's decision and, when explaining, its reasons.
// Each reason's sentence is a function called only when explaining, so
// deciding the hundreds of candidates a match ranks formats (and boxes)
// nothing: the closures stay on the stack.
type verdict struct {
	explain bool
	failed  bool
	// unstated counts the rules the listing leaves open that the family's
	// answers depend on: ranking puts fewer first.
	unstated int
	reasons  []Reason
	unmet    []Reason
}

// met records a criterion met, or something to confirm.
func (v *verdict) met(c Criterion, message func() string) {
	if v.explain {
		v.reasons = append(v.reasons, Reason{Criterion: c, Message: message()})
	}
}

// confirm records something to ask the family about rule about.
func (v *verdict) confirm(about Criterion, message func() string) {
	if v.explain {
		v.reasons = append(v.reasons, Reason{Criterion: Confirm, Message: message(), About: about})
	}
}

// open records a rule the listing leaves open although the family's
// answer depends on it: never an exclusion, but ranked after a listing
// that states its rules.
func (v *verdict) open(about Criterion, message func() string) {
	v.unstated++
	if v.explain {
		v.reasons = append(v.reasons, Reason{Criterion: Unstated, Message: message(), About: about})
	}
}

// missed records a criterion the family fails: the service is not eligible.
func (v *verdict) missed(c Criterion, message func() string) {
	v.failed = true
	v.notMet(c, message)
}

// notMet lists a criterion not met without deciding anything (a
// preference, which ranks but never excludes).
func (v *verdict) notMet(c Criterion, message func() string) {
	if v.explain {
		v.unmet = append(v.unmet, Reason{Criterion: c, Message: message()})
	}
}

// evaluate decides one candidate for the family and, with explain, says
// why in sentences. Ranking needs only the decision, so Match decides every
// candidate quickly and explains the results a caller shows (see
// Outcome.Page and Outcome.ExplainAll).
func evaluate(e *entry, p *profile, needs []need, opts Options, explain bool) (r Result) {
	s := e
	r = Result{entry: e, profile: p, needs: needs, opts: opts, explained: explain}
	v := verdict{explain: explain}

	// DistanceKm is pointed at the rank key's distance once the result is
	// kept (Match): a pointer into this frame would move every decision to
	// the heap.
	distance, located, approx := nearestDistance(e, p.from, opts.RevealConfidential)
	r.approx = approx

	// Area: a stated area, else (for a service that states none) a
	// location near enough.
	spec := specOutOfArea
	if a := covering(e, p.place); a != nil {
		r.coverage, spec = a, a.rank.specificity()
		v.met(InArea, func() string { return coverageSentence(e.row(a), p.place) })
	} else if a := partly(e, p.place); a != nil {
		r.coverage, spec = a, specPartial
		v.met(Confirm, func() string { return partSentence(e.row(a), p.place) })
	} else if e.byLocation && located {
		spec = specByLocation
		switch {
		case distance <= p.locationReach():
			v.met(InArea, func() string { return locationSentence(e, distance, approx) })
		case p.maxDistance == nil:
			v.missed(OutOfArea, func() string { return tooFarSentence(e, distance, approx) })
		}
		// Beyond the family's own limit: DISTANCE below says so.
	} else {
		v.missed(OutOfArea, func() string { return "Does not cover " + placeName(p.place) + "." })
	}
	// A service that reaches families online or nationwide serves them
	// wherever its offices are: the travel limit does not apply to it.
	if limit := p.maxDistance; limit != nil && !e.national && located {
		limitText := func() string { return strconv.FormatFloat(*limit, 'f', -1, 64) }
		note := func() string {
			if approx {
				return approxNote
			}
			return ""
		}
		if distance > *limit {
			v.missed(Distance, func() string {
				return fmt.Sprintf("Its nearest location is %s away, beyond the family's limit of %s km%s.", distancePhrase(distance, approx), limitText(), note())
			})
		} else {
			v.met(Distance, func() string {
				return fmt.Sprintf("Its nearest location is %s away, within the family's limit of %s km%s.", distancePhrase(distance, approx), limitText(), note())
			})
		}
	}

	// Needs.
	needsMet := 0
	for _, n := range needs {
		if n.metBy.has(e.pos) {
			needsMet++
		}
	}
	if len(needs) > 0 {
		if needsMet == 0 {
			v.missed(NoNeedMet, func() string { return "Does not offer " + needNames(needs, -1) + "." })
		} else {
			v.met(NeedMet, func() string { return "Offers " + needNames(needs, e.pos) + "." })
		}
	}

	// Eligibility: the service's own, or its program's whole, with the
	// program's rules where the service's own leaves them open (worked
	// out once, when the index is read).
	if e.elig != nil {
		checkEligibility(e.elig, p, &v)
	}

	// Status.
	open := s.Status() != service.StatusTEMPORARILY_CLOSED
	if !open {
		v.met(TemporarilyClosed, func() string { return "Temporarily closed: check when it reopens before referring." })
	}

	// What is true today (today.go).
	noOpenings := checkOpenings(s, opts, &v)
	checkWait(s, e.elig, p, &v)
	stale := checkVerified(s, p, opts, &v)

	// Preferences rank, never exclude.
	langMet := false
	if p.language != "" {
		langMet = slices.ContainsFunc(s.Languages(), func(l string) bool { return sameLanguage(l, p.language) })
		switch {
		case langMet:
			v.met(Language, func() string { return "Offered in " + languageName(p.language) + "." })
		case len(s.Languages()) == 0:
			v.confirm(Language, func() string {
				return "Ask whether it is offered in " + languageName(p.language) + ": no languages are listed."
			})
		default:
			v.notMet(Language, func() string {
				return fmt.Sprintf("Not offered in %s (offered in %s).", languageName(p.language), languageNames(s.Languages()))
			})
		}
	}
	modeMet := false
	if len(p.modes) > 0 {
		modeMet = slices.ContainsFunc(p.modes, func(m directory.DeliveryMode) bool { return slices.Contains(s.DeliveryModes(), m) })
		switch {
		case modeMet:
			v.met(DeliveryMode, func() string {
				var offered []string
				for _, m := range p.modes {
					if slices.Contains(s.DeliveryModes(), m) {
						offered = append(offered, modeName(m))
					}
				}
				return "Offered " + listNames(offered) + ", as the family prefers."
			})
		case len(s.DeliveryModes()) == 0:
			v.confirm(DeliveryMode, func() string { return "Ask how it is delivered: no delivery modes are listed." })
		default:
			v.notMet(DeliveryMode, func() string {
				has := make([]string, len(s.DeliveryModes()))
				for i, m := range s.DeliveryModes() {
					has[i] = modeName(m)
				}
				return "Not offered the way the family prefers (offered " + listNames(has) + ")."
			})
		}
	}

	r.Eligible, r.Reasons, r.Unmet = !v.failed, v.reasons, v.unmet
	r.key = rankKey{
		eligible: r.Eligible, open: open, needs: needsMet, unstated: v.unstated, noOpenings: noOpenings,
		language: langMet, mode: modeMet, specificity: spec, stale: stale,
		distance: distance, located: located, verified: s.VerifiedAt(), id: s.svc.ID,
	}
	return r
}

// needNames lists the needs asked for in lower case: those the service at
// pos meets, or all of them when pos is -1.
func needNames(needs []need, pos int) string {
	var names []string
	for _, n := range needs {
		if pos < 0 || n.metBy.has(pos) {
			names = append(names, strings.ToLower(n.name))
		}
	}
	return listNames(names)
}

// checkEligibility applies the structured rules; what the family did not
// say becomes CONFIRM, never a miss.
func checkEligibility(e *directory.Eligibility, p *profile, v *verdict) {
	pregnant := p.pregnant != nil && *p.pregnant
	notPregnant := p.pregnant != nil && !*p.pregnant
	pregnantOnly := isTrue(e.PregnantOnly)
	// A pregnant-only service enrols through the pregnancy alone: it
	// accepts pregnant families whatever acceptsPregnant says (validation
	// forbids false), and a born child's age never qualifies a family for
	// it, so its age bounds (if any) are not applied.
	hasBounds := (e.MinAgeMonths != nil || e.MaxAgeMonths != nil) && !pregnantOnly
	accepts := e.AcceptsPregnancy() || pregnantOnly
	refuses := e.AcceptsPregnant != nil && !*e.AcceptsPregnant && !pregnantOnly
	// A born child qualifies the family where the service serves its age:
	// any age, when it sets no bounds.
	childFits := p.ageMonths != nil && !pregnantOnly && inRange(*p.ageMonths, e.MinAgeMonths, e.MaxAgeMonths)
	ages := func() string { return ageRange(e.MinAgeMonths, e.MaxAgeMonths) }

	// Pregnancy-only enrolment: a family with a born child that does not
	// say it is expecting again is out, as is one that says it is not
	// expecting; one that says nothing at all is asked.
	if pregnantOnly {
		switch {
		case pregnant:
			v.met(PregnantOnly, func() string { return "Enrols during pregnancy, and the family is expecting." })
		case notPregnant || p.ageMonths != nil:
			v.missed(PregnantOnly, func() string { return "Enrols only during pregnancy; the family is not expecting." })
		default:
			v.confirm(PregnantOnly, func() string { return "Confirm the family is expecting: it enrols only during pregnancy." })
		}
	}

	// A pregnant family can enrol through the pregnancy where the service
	// takes pregnant families and the week is not past its cut-off.
	pregFits := false
	if pregnant && !childFits {
		switch {
		case accepts:
			if !pregnantOnly { // already said above
				v.met(Pregnancy, func() string { return "Enrols families during pregnancy." })
			}
			pregFits = true
			if w := e.EnrollByPregnancyWeek; w != nil {
				switch {
				case p.pregnancyWeek == nil:
					v.confirm(PregnancyWeek, func() string {
						return fmt.Sprintf("Confirm the week of pregnancy: it enrols up to week %d.", *w)
					})
				case *p.pregnancyWeek <= *w:
					v.met(PregnancyWeek, func() string {
						return fmt.Sprintf("Enrols up to week %d of pregnancy; the family is at week %d.", *w, *p.pregnancyWeek)
					})
				default:
					pregFits = false
					v.missed(PregnancyWeek, func() string {
						return fmt.Sprintf("Enrols only up to week %d of pregnancy; the family is at week %d.", *w, *p.pregnancyWeek)
					})
				}
			} else if p.pregnancyWeek != nil && !e.States(directory.RulePregnancyWeek) {
				v.open(PregnancyWeek, func() string {
					return unstatedSentence("until which week of pregnancy it enrols", e,
						fmt.Sprintf("ask whether it still enrols a family at week %d", *p.pregnancyWeek))
				})
			}
		case !e.States(directory.RulePregnancy):
			// The listing does not say whether it enrols during pregnancy:
			// the family is asked about, and not held to the child's age
			// meanwhile.
			pregFits = true
			v.open(Pregnancy, func() string {
				return unstatedSentence("whether it enrols during pregnancy", e, "ask about "+expecting(p))
			})
		case refuses:
			v.missed(Pregnancy, func() string {
				return "Does not enrol during pregnancy; families can enrol once the baby is born."
			})
		case hasBounds:
			// The service does not say whether it enrols during pregnancy:
			// the family is asked, and a child outside its ages is not held
			// against it meanwhile.
			pregFits = true
			v.confirm(Pregnancy, func() string {
				if p.ageMonths != nil {
					return "Ask whether it enrols during pregnancy: it serves children " + ages() +
						", and the child is " + monthsPhrase(*p.ageMonths) + "."
				}
				return "Ask whether it enrols during pregnancy: it serves children " + ages() + "."
			})
		}
	}

	// Age.
	if hasBounds {
		switch {
		case childFits:
			v.met(Age, func() string {
				return "Serves children " + ages() + "; the child is " + monthsPhrase(*p.ageMonths) + "."
			})
		case p.ageMonths != nil && !pregFits:
			v.missed(Age, func() string {
				return "Serves children " + ages() + "; the child is " + monthsPhrase(*p.ageMonths) + "."
			})
		case p.ageMonths == nil && !pregnant:
			v.confirm(Age, func() string { return "Confirm the child's age: it serves children " + ages() + "." })
		}
	} else if p.ageMonths != nil && !pregnantOnly && !e.States(directory.RuleAge) {
		v.open(Age, func() string {
			return unstatedSentence("which ages it serves", e, "ask about "+childPhrase(*p.ageMonths))
		})
	}

	// First-time parents.
	if isTrue(e.FirstTimeParentsOnly) {
		switch {
		case p.firstTime == nil:
			v.confirm(FirstTimeParentOnly, func() string {
				return "Confirm this is the family's first child: it enrols first-time parents only."
			})
		case *p.firstTime:
			v.met(FirstTimeParentOnly, func() string { return "Enrols first-time parents, as this family is." })
		default:
			v.missed(FirstTimeParentOnly, func() string {
				return "Enrols first-time parents only; this is not the family's first child."
			})
		}
	} else if p.firstTime != nil && !*p.firstTime && !e.States(directory.RuleFirstTimeParentOnly) {
		v.open(FirstTimeParentOnly, func() string {
			return unstatedSentence("whether it enrols only first-time parents", e, "ask about a family that already has a child")
		})
	}

	// Court or child-welfare involvement.
	if isTrue(e.CourtInvolvementRequired) {
		switch {
		case p.court == nil:
			v.confirm(CourtInvolvement, func() string {
				return "Confirm the child is under court or child-welfare jurisdiction: it serves only those children."
			})
		case *p.court:
			v.met(CourtInvolvement, func() string { return "Serves children under court jurisdiction, as this child is." })
		default:
			v.missed(CourtInvolvement, func() string {
				return "Serves only children under court or child-welfare jurisdiction."
			})
		}
	} else if p.court != nil && !*p.court && !e.States(directory.RuleCourtInvolvement) {
		v.open(CourtInvolvement, func() string {
			return unstatedSentence("whether it serves only children under court or child-welfare jurisdiction", e,
				"ask about a child who is not")
		})
	}

	// Income.
	if limit := e.MaxIncomePercentFPL; limit != nil {
		switch {
		case p.income == nil:
			v.confirm(Income, func() string {
				return fmt.Sprintf("Confirm household income: the limit is %d%% of the %d federal poverty guideline for the household's size.",
					*limit, povertyGuidelineYear)
			})
		default:
			within, most := withinIncomeLimit(p.place.State, *p.household, *p.income, *limit)
			if within {
				v.met(Income, func() string {
					return fmt.Sprintf("Household income of %s a year is within the limit of %s for a household of %d (%d%% of the %d federal poverty guideline).",
						dollars(*p.income), dollars(most), *p.household, *limit, povertyGuidelineYear)
				})
			} else {
				v.missed(Income, func() string {
					return fmt.Sprintf("Household income of %s a year is above the limit of %s for a household of %d (%d%% of the %d federal poverty guideline).",
						dollars(*p.income), dollars(most), *p.household, *limit, povertyGuidelineYear)
				})
			}
		}
	} else if p.income != nil && !e.States(directory.RuleIncome) {
		v.open(Income, func() string {
			return unstatedSentence("whether it has an income limit", e,
				fmt.Sprintf("ask about a household of %d with %s a year", *p.household, dollars(*p.income)))
		})
	}

	if isTrue(e.ReferralRequired) {
		v.met(ReferralRequired, func() string {
			return "Needs a referral: refer the family rather than sending them directly."
		})
	}
	if v.explain {
		for _, pop := range e.PriorityPopulations {
			v.met(Priority, func() string { return "Prioritises " + strings.TrimSuffix(lowerFirst(pop), ".") + "." })
		}
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
	case p.City != "":
		return p.City + ", " + p.State
	case p.ZIP != "" && p.PlaceName != "":
		return fmt.Sprintf("ZIP %s (%s, %s)", p.ZIP, p.PlaceName, p.State)
	case p.ZIP != "":
		// A territory's ZIPs may have no place name: say whose they are.
		if st, ok := geo.LookupState(p.State); ok {
			return fmt.Sprintf("ZIP %s (%s)", p.ZIP, st.Name)
		}
		return "ZIP " + p.ZIP
	case len(p.Counties) > 0:
		return p.Counties[0].FullName() + ", " + p.State
	}
	return p.State
}

// partSentence says a service covers part of a city, county or state, and
// what to ask.
func partSentence(a *ent.ServiceArea, p Place) string {
	where := placeName(p)
	if p.City == "" && len(p.Counties) == 0 {
		if st, ok := geo.LookupState(p.State); ok {
			where = st.Name
		}
	}
	what := ""
	switch a.Kind {
	case servicearea.KindZIP:
		what = "ZIP " + a.Code
		if a.Name != "" {
			what += ", " + a.Name
		}
	case servicearea.KindCOUNTY:
		what = a.Code
		if c, ok := geo.LookupCounty(a.Code); ok {
			what = c.FullName()
		}
		if a.Name != "" && !strings.EqualFold(a.Name, what) {
			what += ", " + a.Name
		}
	case servicearea.KindRADIUS:
		what = radiusPhrase(a)
	}
	return fmt.Sprintf("Covers part of %s (%s): ask for the family's ZIP.", where, what)
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
		if st, ok := geo.LookupState(a.Code); ok {
			return "Covers " + st.Name + "."
		}
		return fmt.Sprintf("Covers the state of %s.", a.Code)
	case servicearea.KindCOUNTY:
		for _, c := range p.Counties {
			if c.FIPS == a.Code {
				if strings.EqualFold(a.Name, c.FullName()) || strings.EqualFold(a.Name, c.Name) {
					label = "" // "Suffolk County (Suffolk County)" says it twice
				}
				return fmt.Sprintf("Covers %s%s, where the family lives.", c.FullName(), label)
			}
		}
		return fmt.Sprintf("Covers county %s%s, where the family lives.", a.Code, label)
	case servicearea.KindZIP:
		return fmt.Sprintf("Covers ZIP %s%s.", a.Code, label)
	case servicearea.KindRADIUS:
		what := radiusPhrase(a)
		if strings.HasPrefix(what, "within ") {
			what = "the area " + what
		}
		return "Covers " + what + ", which includes the family's home."
	}
	return "Covers the family's area."
}

// radiusPhrase names a radius area as a worker says it: "10 km around its
// centre", "5 km around Dorchester Center", or the area's own name where
// it already gives the distance ("within 5 km of Dorchester Center").
func radiusPhrase(a *ent.ServiceArea) string {
	switch {
	case a.Name == "":
		return fmt.Sprintf("%.0f km around its centre", *a.RadiusKm)
	case strings.HasPrefix(strings.ToLower(a.Name), "within "):
		return "w" + a.Name[1:]
	case strings.Contains(a.Name, " km"):
		return "the area “" + a.Name + "”"
	}
	return fmt.Sprintf("%.0f km around %s", *a.RadiusKm, a.Name)
}

// rankKey orders results; see the package documentation (doc.go), which
// lists the keys in this order.
type rankKey struct {
	eligible, open bool
	needs          int
	// unstated counts the rules the record leaves open for facts the family
	// gave (UNSTATED reasons): fewer first.
	unstated    int
	noOpenings  bool // capacity available is 0
	language    bool
	mode        bool
	specificity int  // specificity tiers, then specByLocation, then specOutOfArea
	stale       bool // last verified longer ago than --stale-after
	distance    float64
	located     bool // distance is known
	verified    *time.Time
	id          int
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
	if c := cmp.Compare(k.unstated, o.unstated); c != 0 {
		return c
	}
	if c := boolFirst(o.noOpenings, k.noOpenings); c != 0 {
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
	if c := boolFirst(o.stale, k.stale); c != 0 {
		return c
	}
	if c := boolFirst(k.located, o.located); c != 0 {
		return c
	}
	if c := cmp.Compare(k.distance, o.distance); c != 0 {
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
