package server_test

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// The ten callers of the matching issue (#15), tried as a Help Me Grow
// call-center worker on the seeded directory with its samples. Each must
// get something true to act on: an eligible service, a model that fits
// with no local site listed (unservedPrograms), or the questions to ask —
// never "eligible" where the source is silent on a fact the family gave.

type callerReason struct {
	Criterion string
	About     *string
	Message   string
}

type callerEligibility struct{ StatedRules []string }

type callerMatch struct {
	Match struct {
		Edges []struct {
			Eligible bool
			Node     struct {
				Name        string
				Sample      bool
				Eligibility *callerEligibility
				Program     *struct {
					Name        string
					Eligibility *callerEligibility
				}
			}
			Reasons []callerReason
			Unmet   []callerReason
		}
		Programs []struct {
			Program struct{ Name string }
			Reasons []callerReason
		}
		UnservedPrograms []struct {
			Program struct {
				Name        string
				Sample      bool
				Eligibility *callerEligibility
			}
			Reasons []callerReason
		}
	}
}

const callerQuery = `query($f: FamilyInput!) {
  match(family: $f, includeIneligible: true, first: 50) {
    edges {
      eligible
      node { name sample eligibility { statedRules } program { name eligibility { statedRules } } }
      reasons { criterion about message }
      unmet { criterion about message }
    }
    programs { program { name } reasons { criterion about message } }
    unservedPrograms { program { name sample eligibility { statedRules } } reasons { criterion about message } }
  }
}`

// callerWant is one reason a caller must hear, on a service (service set)
// or on an unserved program (program set).
type callerWant struct {
	service, program string
	criterion, about string // about "" for none
	message          string // the exact sentence
}

type caller struct {
	name   string
	family map[string]any
	// top is the first result; "" when no service is eligible.
	top string
	// real is an eligible non-sample service the caller must be offered,
	// where the directory has one.
	real string
	// unserved is every model named as fitting with no local site.
	unserved []string
	wants    []callerWant
}

var callers = []caller{
	{
		name:   "first-time mother at 20 weeks in rural Alabama",
		family: map[string]any{"zip": "36726", "pregnant": true, "pregnancyWeek": 20, "firstTimeParent": true},
		top:    "Hand in Hand Parenting online classes", real: "Hand in Hand Parenting online classes",
		unserved: []string{"Nurse-Family Partnership", "Family Connects", "HealthySteps", "Help Me Grow", "Safe Babies"},
		wants: []callerWant{
			{program: "Nurse-Family Partnership", criterion: "UNSTATED", about: "PREGNANCY_WEEK",
				message: "The listing does not say until which week of pregnancy it enrols; its eligibility reads “Nurse home visits to " +
					"first-time moms and children living in poverty or with other risk factors” — ask whether it still enrols a family at week 20."},
			{program: "Nurse-Family Partnership", criterion: "FIRST_TIME_PARENT_ONLY", message: "Enrols first-time parents, as this family is."},
			{program: "Family Connects", criterion: "UNSTATED", about: "PREGNANCY",
				message: "The listing does not say whether it enrols during pregnancy; its eligibility reads “Nurse home visits to all " +
					"parents of newborns during the first month of life” — ask about a family at week 20 of pregnancy."},
		},
	},
	{
		name:   "court-involved father in Miami-Dade",
		family: map[string]any{"countyFips": "12086", "courtInvolved": true, "childAgeMonths": 18},
		top:    "Hand in Hand Parenting online classes", real: "Hand in Hand Parenting online classes",
		unserved: []string{"Safe Babies", "HealthySteps", "Help Me Grow"},
		wants: []callerWant{
			{program: "Safe Babies", criterion: "COURT_INVOLVEMENT", message: "Serves children under court jurisdiction, as this child is."},
			{program: "Safe Babies", criterion: "UNSTATED", about: "AGE",
				message: "The listing does not say which ages it serves; its eligibility reads “Babies and toddlers under court " +
					"jurisdiction, and their families” — ask about an 18-month-old."},
		},
	},
	{
		name:   "newborn in Durham",
		family: map[string]any{"zip": "27701", "childAgeMonths": 0},
		top:    "Hand in Hand Parenting online classes", real: "Hand in Hand Parenting online classes",
		unserved: []string{"Family Connects", "HealthySteps", "Help Me Grow", "Safe Babies"},
		wants: []callerWant{
			{program: "Family Connects", criterion: "AGE", message: "Serves children in their first month; the child is under a month old."},
		},
	},
	{
		// Said as a city: the worker need not know the ZIP.
		name:     "toddler with a developmental concern in Hartford",
		family:   map[string]any{"city": "Hartford", "state": "CT", "childAgeMonths": 24, "needs": []string{"developmental-screening"}},
		unserved: []string{"HealthySteps", "Help Me Grow"},
		wants: []callerWant{
			{program: "Help Me Grow", criterion: "NEED_MET", message: "Its services offer developmental screening."},
			{program: "HealthySteps", criterion: "UNSTATED", about: "AGE",
				message: "The listing does not say which ages it serves; its eligibility reads “Babies and toddlers and their " +
					"families, in pediatric primary care” — ask about a 2-year-old."},
		},
	},
	{
		name:   "Spanish-speaking family in Dorchester",
		family: map[string]any{"zip": "02124", "childAgeMonths": 6, "language": "es"},
		top:    "Visitas en Casa, Dorchester (sample)", real: "Hand in Hand Parenting online classes",
		unserved: []string{"HealthySteps", "Help Me Grow", "Safe Babies"},
		wants: []callerWant{
			{service: "Visitas en Casa, Dorchester (sample)", criterion: "LANGUAGE", message: "Offered in Spanish."},
			{service: "Massachusetts Family Access Line (sample)", criterion: "IN_AREA", message: "Covers Massachusetts."},
			{service: "Hand in Hand Parenting online classes", criterion: "CONFIRM", about: "LANGUAGE",
				message: "Ask whether it is offered in Spanish: no languages are listed."},
			{service: "Safe Babies Court Team, Suffolk County (sample)", criterion: "IN_AREA",
				message: "Covers Suffolk County, where the family lives."},
			{service: "Hand in Hand parenting class, Dorchester (sample)", criterion: "IN_AREA",
				message: "Covers the area within 5 km of Dorchester Center, which includes the family's home."},
		},
	},
	{
		// Only "Boston": services covering part of it are a question, not a miss.
		name:   `caller who only says "Boston"`,
		family: map[string]any{"city": "Boston", "state": "MA"},
		top:    "Nurse-Family Partnership, Suffolk County (sample)", real: "Hand in Hand Parenting online classes",
		unserved: []string{"Family Connects", "HealthySteps", "Help Me Grow", "Nurse-Family Partnership", "Safe Babies"},
		wants: []callerWant{
			{service: "HealthySteps at Mattapan Pediatrics (sample)", criterion: "CONFIRM",
				message: "Covers part of Boston, MA (ZIP 02126, Mattapan): ask for the family's ZIP."},
			{service: "Hand in Hand parenting class, Dorchester (sample)", criterion: "CONFIRM",
				message: "Covers part of Boston, MA (within 5 km of Dorchester Center): ask for the family's ZIP."},
			{service: "Nurse-Family Partnership, Suffolk County (sample)", criterion: "CONFIRM", about: "PREGNANT_ONLY",
				message: "Confirm the family is expecting: it enrols only during pregnancy."},
		},
	},
	{
		name:   "family in Guam",
		family: map[string]any{"zip": "96910", "childAgeMonths": 12},
		top:    "Hand in Hand Parenting online classes", real: "Hand in Hand Parenting online classes",
		unserved: []string{"HealthySteps", "Help Me Grow", "Safe Babies"},
		wants: []callerWant{
			{program: "Help Me Grow", criterion: "UNSTATED", about: "AGE",
				message: "The listing does not say which ages it serves — ask about a 12-month-old."},
		},
	},
	{
		name:   "four-year-old in Mattapan",
		family: map[string]any{"zip": "02126", "childAgeMonths": 50},
		top:    "HealthySteps at Mattapan Pediatrics (sample)", real: "Hand in Hand Parenting online classes",
		unserved: []string{"HealthySteps", "Help Me Grow", "Safe Babies"},
		wants: []callerWant{
			{service: "HealthySteps at Mattapan Pediatrics (sample)", criterion: "UNSTATED", about: "AGE",
				message: "The listing does not say which ages it serves; its eligibility reads “Babies and toddlers and their " +
					"families, in pediatric primary care” — ask about a 4-year-old."},
			{service: "Visitas en Casa, Dorchester (sample)", criterion: "OUT_OF_AREA",
				message: "Does not cover ZIP 02126 (Mattapan, MA)."},
		},
	},
	{
		name:   "foster parent in Roxbury",
		family: map[string]any{"zip": "02119", "childAgeMonths": 10, "courtInvolved": true},
		top:    "Safe Babies Court Team, Suffolk County (sample)", real: "Hand in Hand Parenting online classes",
		// Safe Babies is served here only by a sample: still named.
		unserved: []string{"HealthySteps", "Help Me Grow", "Safe Babies"},
		wants: []callerWant{
			{service: "Safe Babies Court Team, Suffolk County (sample)", criterion: "COURT_INVOLVEMENT",
				message: "Serves children under court jurisdiction, as this child is."},
			{service: "Roxbury Postpartum Support Group (sample)", criterion: "TEMPORARILY_CLOSED",
				message: "Temporarily closed: check when it reopens before referring."},
		},
	},
	{
		name:   "mother at 34 weeks",
		family: map[string]any{"zip": "02121", "pregnant": true, "pregnancyWeek": 34, "firstTimeParent": true},
		top:    "Nurse-Family Partnership, Suffolk County (sample)", real: "Hand in Hand Parenting online classes",
		unserved: []string{"Nurse-Family Partnership", "Family Connects", "HealthySteps", "Help Me Grow", "Safe Babies"},
		wants: []callerWant{
			{service: "Nurse-Family Partnership, Suffolk County (sample)", criterion: "UNSTATED", about: "PREGNANCY_WEEK",
				message: "The listing does not say until which week of pregnancy it enrols; its eligibility reads “Nurse home visits to " +
					"first-time moms and children living in poverty or with other risk factors” — ask whether it still enrols a family at week 34."},
			{program: "Nurse-Family Partnership", criterion: "UNSTATED", about: "PREGNANCY_WEEK",
				message: "The listing does not say until which week of pregnancy it enrols; its eligibility reads “Nurse home visits to " +
					"first-time moms and children living in poverty or with other risk factors” — ask whether it still enrols a family at week 34."},
		},
	},
}

// TestCallers is the acceptance test: the ten callers through the
// real HTTP handler, on the seed and its samples, on both backends.
func TestCallers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})
		for _, c := range callers {
			t.Run(c.name, func(t *testing.T) {
				var out callerMatch
				a.ok(callerQuery, map[string]any{"f": c.family}, &out)
				checkCaller(t, c, &out)
			})
		}

		// Guam resolves to Guam, with coordinates (the crosswalk once said
		// American Samoa).
		var area struct {
			ResolveArea struct {
				State               string
				Latitude, Longitude *float64
			}
		}
		a.ok(`query { resolveArea(zip: "96910") { state latitude longitude } }`, nil, &area)
		if r := area.ResolveArea; r.State != "GU" || r.Latitude == nil || r.Longitude == nil ||
			math.Abs(*r.Latitude-13.44) > 0.5 || math.Abs(*r.Longitude-144.79) > 0.5 {
			t.Errorf("ZIP 96910 resolves to %+v, want Guam", r)
		}
	})
}

func checkCaller(t *testing.T, c caller, out *callerMatch) {
	t.Helper()
	m := out.Match
	_, pregnant := c.family["pregnancyWeek"]
	_, aged := c.family["childAgeMonths"]

	var eligible []string
	closedSeen := false
	for _, e := range m.Edges {
		for _, r := range append(slices.Clone(e.Reasons), e.Unmet...) {
			checkSentence(t, e.Node.Name, r)
			if r.Criterion == "OUT_OF_AREA" && c.family["city"] != nil {
				t.Errorf("%s: %s for a city caller: %q", e.Node.Name, r.Criterion, r.Message)
			}
		}
		if !e.Eligible {
			continue
		}
		eligible = append(eligible, e.Node.Name)
		// Open services come before temporarily closed ones.
		closed := hasReason(e.Reasons, "TEMPORARILY_CLOSED", "")
		if closedSeen && !closed {
			t.Errorf("%s ranks after a temporarily closed service", e.Node.Name)
		}
		closedSeen = closedSeen || closed
		// Never "eligible" where the source is silent on what the family said.
		rules := effectiveRules(e.Node.Eligibility, e.Node.Program)
		checkSilence(t, e.Node.Name, rules, e.Reasons, aged, pregnant)
	}

	// Something true to act on.
	if len(eligible) == 0 && len(m.UnservedPrograms) == 0 {
		t.Fatalf("nothing to offer: no eligible service and no model that fits")
	}
	top := ""
	if len(eligible) > 0 {
		top = m.Edges[0].Node.Name
	}
	if top != c.top {
		t.Errorf("top result %q, want %q (eligible: %q)", top, c.top, eligible)
	}
	if c.real != "" {
		found := false
		for _, e := range m.Edges {
			found = found || (e.Eligible && !e.Node.Sample && e.Node.Name == c.real)
		}
		if !found {
			t.Errorf("the real service %q is not offered (eligible: %q)", c.real, eligible)
		}
	}

	var unserved []string
	for _, u := range m.UnservedPrograms {
		unserved = append(unserved, u.Program.Name)
		if u.Program.Sample {
			t.Errorf("unserved program %s is a sample", u.Program.Name)
		}
		for _, r := range u.Reasons {
			checkSentence(t, u.Program.Name, r)
		}
		var rules []string
		if u.Program.Eligibility != nil {
			rules = u.Program.Eligibility.StatedRules
		}
		checkSilence(t, u.Program.Name+" (unserved)", rules, u.Reasons, aged, pregnant)
	}
	for _, p := range m.Programs {
		for _, r := range p.Reasons {
			checkSentence(t, p.Program.Name+" (programs)", r)
		}
	}
	if got, want := sortedCopy(unserved), sortedCopy(c.unserved); !slices.Equal(got, want) {
		t.Errorf("unservedPrograms %q, want %q", got, want)
	}

	for _, w := range c.wants {
		var rs []callerReason
		found := false
		if w.service != "" {
			for _, e := range m.Edges {
				if e.Node.Name == w.service {
					found, rs = true, append(slices.Clone(e.Reasons), e.Unmet...)
				}
			}
		} else {
			for _, u := range m.UnservedPrograms {
				if u.Program.Name == w.program {
					found, rs = true, u.Reasons
				}
			}
		}
		if !found {
			t.Errorf("%s%s: not in the answer", w.service, w.program)
			continue
		}
		if !slices.ContainsFunc(rs, func(r callerReason) bool {
			return r.Criterion == w.criterion && aboutOf(r) == w.about && r.Message == w.message
		}) {
			t.Errorf("%s%s: no %s/%s %q among %+v", w.service, w.program, w.criterion, w.about, w.message, rs)
		}
	}
}

// checkSilence: a family that gave the child's age, or the week of
// pregnancy, hears what a listing that states no such rule leaves open.
func checkSilence(t *testing.T, name string, rules []string, reasons []callerReason, aged, pregnant bool) {
	t.Helper()
	if aged && !slices.Contains(rules, "AGE") && !hasReason(reasons, "UNSTATED", "AGE") {
		t.Errorf("%s: eligible for a child of a given age, its listing states no ages, and no UNSTATED AGE: %+v", name, reasons)
	}
	if pregnant && !slices.Contains(rules, "PREGNANCY_WEEK") && !hasReason(reasons, "UNSTATED", "PREGNANCY_WEEK") &&
		!hasReason(reasons, "UNSTATED", "PREGNANCY") {
		t.Errorf("%s: eligible at a given week of pregnancy, its listing states no enrolment week, and no UNSTATED: %+v", name, reasons)
	}
}

// effectiveRules are the rules a service's listing states, as
// directory.Effective merges them: its own eligibility's, and its
// program's for the rules its own leaves open (so every rule either
// states).
func effectiveRules(own *callerEligibility, prog *struct {
	Name        string
	Eligibility *callerEligibility
}) []string {
	var rules []string
	if own != nil {
		rules = append(rules, own.StatedRules...)
	}
	if prog != nil && prog.Eligibility != nil {
		rules = append(rules, prog.Eligibility.StatedRules...)
	}
	return rules
}

func aboutOf(r callerReason) string {
	if r.About == nil {
		return ""
	}
	return *r.About
}

func hasReason(rs []callerReason, criterion, about string) bool {
	return slices.ContainsFunc(rs, func(r callerReason) bool { return r.Criterion == criterion && aboutOf(r) == about })
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// rawEnum finds a schema name in prose: CONFIRM, PREGNANCY_WEEK,
// HOME_VISITING.
var rawEnum = regexp.MustCompile(`\b(?:[A-Z]+_[A-Z_]+|IN_AREA|AGE|PREGNANCY|INCOME|LANGUAGE|DISTANCE|CONFIRM|PRIORITY|OPENINGS|WAIT|VERIFIED|UNSTATED)\b`)

// checkSentence: a reason is a sentence a worker can read out.
func checkSentence(t *testing.T, where string, r callerReason) {
	t.Helper()
	msg := r.Message
	bad := func(why string) { t.Errorf("%s: %s reason %q: %s", where, r.Criterion, msg, why) }
	if msg == "" {
		bad("empty")
		return
	}
	if first, _ := utf8.DecodeRuneInString(msg); !unicode.IsUpper(first) {
		bad("does not start with a capital letter")
	}
	if last, _ := utf8.DecodeLastRuneInString(msg); !strings.ContainsRune(".:?", last) {
		bad("does not end with '.', ':' or '?'")
	}
	for _, goism := range []string{"<nil>", "%!", "map[", "&{", "0x", "  ", " .", " ,", "..", "()"} {
		if strings.Contains(msg, goism) {
			bad("contains " + goism)
		}
	}
	if e := rawEnum.FindString(msg); e != "" {
		bad("names the enum " + e)
	}
	// Parentheses: balanced, never nested, never repeating what they follow
	// ("Suffolk County (Suffolk County)").
	depth := 0
	for i, ch := range msg {
		switch ch {
		case '(':
			depth++
			if depth > 1 {
				bad("nested parentheses")
			}
			end := strings.IndexByte(msg[i:], ')')
			if end > 0 && strings.HasSuffix(strings.TrimSpace(msg[:i]), msg[i+1:i+end]) {
				bad("repeats itself in parentheses")
			}
		case ')':
			depth--
		}
	}
	if depth != 0 {
		bad("unbalanced parentheses")
	}
}
