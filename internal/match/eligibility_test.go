package match_test

import (
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// everywhere is the coverage of the eligibility tests: the family's ZIP
// and the two states with their own poverty guidelines.
var everywhere = []area{zipArea("02121"), stateArea("AK"), stateArea("HI")}

// TestMatchAgeBoundaries: both bounds inclusive, in completed months.
func TestMatchAgeBoundaries(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("6 to 36 months", svc{areas: everywhere, elig: &directory.Eligibility{MinAgeMonths: ptr(6), MaxAgeMonths: ptr(36)}})
		f.add("Exactly 2 months", svc{areas: everywhere, elig: &directory.Eligibility{MinAgeMonths: ptr(2), MaxAgeMonths: ptr(2)}})

		for _, c := range []struct {
			months   int
			eligible bool
		}{{36, true}, {37, false}, {6, true}, {5, false}, {0, false}} {
			fam := zipFamily()
			fam.ChildAgeMonths = ptr(c.months)
			out := f.match(fam, match.Options{IncludeIneligible: true})
			if c.eligible {
				expect(t, out, "6 to 36 months", true, C(match.InArea, match.Age), nil)
			} else {
				expect(t, out, "6 to 36 months", false, C(match.InArea), C(match.Age))
			}
		}
		fam := zipFamily()
		fam.ChildAgeMonths = ptr(36)
		out := f.match(fam, match.Options{IncludeIneligible: true})
		if got := reasonMsg(out, "6 to 36 months", match.Age); got != "Serves children aged 6 to 36 months; the child is 36 months old." {
			t.Errorf("age reason %q", got)
		}
		fam.ChildAgeMonths = ptr(37)
		out = f.match(fam, match.Options{IncludeIneligible: true})
		if got := unmetMsg(out, "6 to 36 months", match.Age); got != "Serves children aged 6 to 36 months; the child is 37 months old." {
			t.Errorf("age unmet %q", got)
		}

		// Birth dates, counted in completed months at today (2025-06-15).
		for _, c := range []struct {
			birth    string
			eligible bool
		}{
			{"2022-06-15", true},  // 36 months today
			{"2022-05-16", true},  // 36 months and 30 days
			{"2022-05-15", false}, // 37 months today
			{"2024-12-15", true},  // 6 months today
			{"2024-12-16", false}, // 5 months and 30 days
		} {
			fam := zipFamily()
			fam.ChildBirthDate = ptr(date(c.birth))
			out := f.match(fam, match.Options{})
			if got := find(out, "6 to 36 months") != nil; got != c.eligible {
				t.Errorf("born %s: eligible %v, want %v", c.birth, got, c.eligible)
			}
		}

		// Month ends: a month is completed on the birth day of the month,
		// or on the last day of a shorter month.
		for _, c := range []struct {
			today, birth string
			eligible     bool // exactly 2 completed months
		}{
			{"2025-02-27", "2024-12-31", false}, // 1 month
			{"2025-02-28", "2024-12-31", true},  // 2: February has no 31st
			{"2025-02-28", "2024-11-30", false}, // 3
			{"2025-03-30", "2025-01-31", false}, // 1
			{"2025-03-31", "2025-01-31", true},  // 2
			{"2024-04-28", "2024-02-29", false}, // 1
			{"2024-04-29", "2024-02-29", true},  // 2
			{"2025-04-30", "2025-02-28", true},  // 2
			{"2025-04-27", "2025-02-28", false}, // 1
		} {
			fam := zipFamily()
			fam.ChildBirthDate = ptr(date(c.birth))
			// Late in the day: only the date counts.
			out := f.matchWith(f.at(date(c.today).Add(23*time.Hour)), fam, match.Options{})
			if got := find(out, "Exactly 2 months") != nil; got != c.eligible {
				t.Errorf("born %s, today %s: eligible %v, want %v", c.birth, c.today, got, c.eligible)
			}
		}
	})
}

// TestMatchPregnancy: acceptsPregnant, enrollByPregnancyWeek (inclusive),
// weeks from a due date, and pregnantOnly.
func TestMatchPregnancy(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("By week 28", svc{areas: everywhere, elig: &directory.Eligibility{AcceptsPregnant: ptr(true), EnrollByPregnancyWeek: ptr(28), MinAgeMonths: ptr(0), MaxAgeMonths: ptr(2)}})
		f.add("Not in pregnancy", svc{areas: everywhere, elig: &directory.Eligibility{AcceptsPregnant: ptr(false), MinAgeMonths: ptr(0), MaxAgeMonths: ptr(36)}})
		f.add("Pregnant only", svc{areas: everywhere, elig: &directory.Eligibility{PregnantOnly: ptr(true), AcceptsPregnant: ptr(true), EnrollByPregnancyWeek: ptr(28)}})
		// pregnantOnly alone implies taking pregnant families.
		f.add("Pregnant only, flag alone", svc{areas: everywhere, elig: &directory.Eligibility{PregnantOnly: ptr(true), EnrollByPregnancyWeek: ptr(28)}})
		// A born child's age never qualifies for a pregnant-only service.
		f.add("Pregnant only, with ages", svc{areas: everywhere, elig: &directory.Eligibility{PregnantOnly: ptr(true), AcceptsPregnant: ptr(true), EnrollByPregnancyWeek: ptr(28), MaxAgeMonths: ptr(24)}})
		// A last week to enrol by says the service enrols during pregnancy,
		// though acceptsPregnant was left unset.
		f.add("By week 28, flag unset", svc{areas: everywhere, elig: &directory.Eligibility{EnrollByPregnancyWeek: ptr(28), MinAgeMonths: ptr(0), MaxAgeMonths: ptr(2)}})
		// No age bounds: a born child of any age qualifies.
		f.add("Any child, or pregnant by week 28", svc{areas: everywhere, elig: &directory.Eligibility{AcceptsPregnant: ptr(true), EnrollByPregnancyWeek: ptr(28)}})
		// Silent on pregnancy: a pregnant family is asked, whatever its child's age.
		f.add("Ages 0-36, silent on pregnancy", svc{areas: everywhere, elig: &directory.Eligibility{MinAgeMonths: ptr(0), MaxAgeMonths: ptr(36)}})

		type want struct {
			eligible       bool
			reasons, unmet []match.Criterion
		}
		ok := func(rs ...match.Criterion) want { return want{true, append(C(match.InArea), rs...), nil} }
		miss := func(reasons []match.Criterion, unmet ...match.Criterion) want {
			return want{false, append(C(match.InArea), reasons...), unmet}
		}
		for _, c := range []struct {
			name   string
			family match.Family
			want   map[string]want
		}{
			{"week 28 (pregnant implied)", match.Family{PregnancyWeek: ptr(28)}, map[string]want{
				"By week 28":                ok(match.Pregnancy, match.PregnancyWeek),
				"Not in pregnancy":          miss(C(), match.Pregnancy),
				"Pregnant only":             ok(match.PregnantOnly, match.PregnancyWeek),
				"Pregnant only, flag alone": ok(match.PregnantOnly, match.PregnancyWeek),
				"Pregnant only, with ages":  ok(match.PregnantOnly, match.PregnancyWeek),
			}},
			{"week 29", match.Family{Pregnant: ptr(true), PregnancyWeek: ptr(29)}, map[string]want{
				"By week 28":                        miss(C(match.Pregnancy), match.PregnancyWeek),
				"By week 28, flag unset":            miss(C(match.Pregnancy), match.PregnancyWeek),
				"Any child, or pregnant by week 28": miss(C(match.Pregnancy), match.PregnancyWeek),
				"Ages 0-36, silent on pregnancy":    ok(match.Confirm),
				"Not in pregnancy":                  miss(C(), match.Pregnancy),
				"Pregnant only":                     miss(C(match.PregnantOnly), match.PregnancyWeek),
				"Pregnant only, flag alone":         miss(C(match.PregnantOnly), match.PregnancyWeek),
				"Pregnant only, with ages":          miss(C(match.PregnantOnly), match.PregnancyWeek),
			}},
			// 2025-09-07 is 84 days after 2025-06-15: 196 days (28 weeks) into a 280-day term.
			{"due 2025-09-07 (week 28)", match.Family{DueDate: ptr(date("2025-09-07"))}, map[string]want{
				"By week 28":    ok(match.Pregnancy, match.PregnancyWeek),
				"Pregnant only": ok(match.PregnantOnly, match.PregnancyWeek),
			}},
			// 2025-08-31 is 77 days away: 203 days in, week 29.
			{"due 2025-08-31 (week 29)", match.Family{Pregnant: ptr(true), DueDate: ptr(date("2025-08-31"))}, map[string]want{
				"By week 28":    miss(C(match.Pregnancy), match.PregnancyWeek),
				"Pregnant only": miss(C(match.PregnantOnly), match.PregnancyWeek),
			}},
			{"pregnant, week not said", match.Family{Pregnant: ptr(true)}, map[string]want{
				"By week 28":       ok(match.Pregnancy, match.Confirm),
				"Not in pregnancy": miss(C(), match.Pregnancy),
				"Pregnant only":    ok(match.PregnantOnly, match.Confirm),
			}},
			{"a 2-month-old, pregnancy not said", match.Family{ChildAgeMonths: ptr(2)}, map[string]want{
				"By week 28":                ok(match.Age),
				"Not in pregnancy":          ok(match.Age),
				"Pregnant only":             miss(C(), match.PregnantOnly),
				"Pregnant only, flag alone": miss(C(), match.PregnantOnly),
				"Pregnant only, with ages":  miss(C(), match.PregnantOnly),
			}},
			{"not pregnant, no child given", match.Family{Pregnant: ptr(false)}, map[string]want{
				"By week 28":       ok(match.Confirm),
				"Not in pregnancy": ok(match.Confirm),
				"Pregnant only":    miss(C(), match.PregnantOnly),
			}},
			{"nothing said", match.Family{}, map[string]want{
				"By week 28":    ok(match.Confirm),
				"Pregnant only": ok(match.Confirm),
			}},
			{"week 35 with a 1-month-old", match.Family{PregnancyWeek: ptr(35), ChildAgeMonths: ptr(1)}, map[string]want{
				"By week 28":                ok(match.Age),
				"Not in pregnancy":          ok(match.Age),
				"Pregnant only":             miss(C(match.PregnantOnly), match.PregnancyWeek),
				"Pregnant only, flag alone": miss(C(match.PregnantOnly), match.PregnancyWeek),
				"Pregnant only, with ages":  miss(C(match.PregnantOnly), match.PregnancyWeek),
			}},
			{"week 20 with a 30-month-old", match.Family{PregnancyWeek: ptr(20), ChildAgeMonths: ptr(30)}, map[string]want{
				"By week 28":       ok(match.Pregnancy, match.PregnancyWeek),
				"Not in pregnancy": ok(match.Age),
			}},
			{"week 30 with a 30-month-old", match.Family{PregnancyWeek: ptr(30), ChildAgeMonths: ptr(30)}, map[string]want{
				"By week 28": miss(C(match.Pregnancy), match.PregnancyWeek, match.Age),
				// The child qualifies where there are no age bounds, as it
				// would had the pregnancy not been mentioned.
				"Any child, or pregnant by week 28": ok(),
				"Ages 0-36, silent on pregnancy":    ok(match.Age),
			}},
			// Every route that fails is listed: the refusal and the age.
			{"week 20 with a 60-month-old", match.Family{PregnancyWeek: ptr(20), ChildAgeMonths: ptr(60)}, map[string]want{
				"Not in pregnancy":                  miss(C(), match.Pregnancy, match.Age),
				"By week 28":                        ok(match.Pregnancy, match.PregnancyWeek),
				"Any child, or pregnant by week 28": ok(),
				// Asked, not refused: the service does not say.
				"Ages 0-36, silent on pregnancy": ok(match.Confirm),
			}},
		} {
			fam := c.family
			fam.ZIP = ptr("02121")
			out := f.match(fam, match.Options{IncludeIneligible: true})
			for name, w := range c.want {
				t.Run(c.name+"/"+name, func(t *testing.T) { expect(t, out, name, w.eligible, w.reasons, w.unmet) })
			}
		}

		out := f.match(match.Family{ZIP: ptr("02121"), PregnancyWeek: ptr(29)}, match.Options{IncludeIneligible: true})
		if got := unmetMsg(out, "By week 28", match.PregnancyWeek); got != "Enrols only up to week 28 of pregnancy; the family is at week 29." {
			t.Errorf("week unmet %q", got)
		}
		out = f.match(match.Family{ZIP: ptr("02121"), ChildAgeMonths: ptr(2)}, match.Options{IncludeIneligible: true})
		if got := unmetMsg(out, "Pregnant only", match.PregnantOnly); got != "Enrols only during pregnancy; the family is not expecting." {
			t.Errorf("pregnant-only unmet %q", got)
		}
		out = f.match(match.Family{ZIP: ptr("02121"), Pregnant: ptr(true)}, match.Options{IncludeIneligible: true})
		if got := reasonMsg(out, "By week 28", match.Confirm); got != "Confirm the week of pregnancy: it enrols up to week 28." {
			t.Errorf("week to confirm %q", got)
		}
		if got := reasonMsg(out, "By week 28", match.Pregnancy); got != "Enrols families during pregnancy." {
			t.Errorf("pregnancy reason %q", got)
		}
		if got := reasonMsg(out, "Ages 0-36, silent on pregnancy", match.Confirm); got != "Ask whether it enrols during pregnancy: it serves children aged 0 to 36 months." {
			t.Errorf("pregnancy to ask about %q", got)
		}
		out = f.match(match.Family{ZIP: ptr("02121"), PregnancyWeek: ptr(20), ChildAgeMonths: ptr(60)}, match.Options{IncludeIneligible: true})
		if got := reasonMsg(out, "Ages 0-36, silent on pregnancy", match.Confirm); got != "Ask whether it enrols during pregnancy: it serves children aged 0 to 36 months, and the child is 60 months old." {
			t.Errorf("pregnancy to ask about, with an older child %q", got)
		}
		if got := unmetMsg(out, "Not in pregnancy", match.Pregnancy); got != "Does not enrol during pregnancy; families can enrol once the baby is born." {
			t.Errorf("refusal with an older child %q", got)
		}
	})
}

// TestMatchIncome: a percentage of the 2025 HHS poverty guideline, exactly
// at the limit eligible, one dollar above not. The limits are worked out by
// hand from the 2025 table: 48 states and DC $15,650 + $5,500 a person
// after the first (a household of 3: $26,650, so 200% is $53,300); Alaska
// $19,550 + $6,880; Hawaii $17,990 + $6,330.
func TestMatchIncome(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("Up to 200%", svc{areas: []area{nationwide}, elig: &directory.Eligibility{MaxIncomePercentFPL: ptr(200)}})
		f.add("Up to 138%", svc{areas: []area{nationwide}, elig: &directory.Eligibility{MaxIncomePercentFPL: ptr(138)}})
		f.add("Up to 100%", svc{areas: []area{nationwide}, elig: &directory.Eligibility{MaxIncomePercentFPL: ptr(100)}})

		for _, c := range []struct {
			place   match.Family
			service string
			size    int
			limit   int // the most the household may earn, in dollars
		}{
			{match.Family{ZIP: ptr("02121")}, "Up to 200%", 3, 53300}, // 2 × (15,650 + 2 × 5,500 = 26,650)
			{match.Family{ZIP: ptr("02121")}, "Up to 138%", 4, 44367}, // 1.38 × 32,150 = 44,367
			{match.Family{ZIP: ptr("02121")}, "Up to 100%", 1, 15650}, // 15,650
			{match.Family{ZIP: ptr("02121")}, "Up to 100%", 8, 54150}, // 15,650 + 7 × 5,500
			{match.Family{ZIP: ptr("99501")}, "Up to 200%", 3, 66620}, // Anchorage: 2 × (19,550 + 2 × 6,880 = 33,310)
			{match.Family{ZIP: ptr("99501")}, "Up to 100%", 1, 19550}, // Alaska, one person
			{match.Family{ZIP: ptr("96813")}, "Up to 200%", 3, 61300}, // Honolulu: 2 × (17,990 + 2 × 6,330 = 30,650)
			{match.Family{ZIP: ptr("96813")}, "Up to 138%", 4, 51032}, // 1.38 × (17,990 + 3 × 6,330 = 36,980) = 51,032.4
			{match.Family{CountyFIPS: ptr("02020")}, "Up to 100%", 1, 19550},
			{match.Family{State: ptr("HI")}, "Up to 100%", 2, 24320}, // 17,990 + 6,330
		} {
			for _, income := range []int{c.limit, c.limit + 1} {
				fam := c.place
				fam.HouseholdSize, fam.AnnualIncome = ptr(c.size), ptr(income)
				out := f.match(fam, match.Options{IncludeIneligible: true})
				t.Run(placeOf(fam)+"/"+c.service, func(t *testing.T) {
					if income == c.limit {
						expect(t, out, c.service, true, C(match.InArea, match.Income), nil)
					} else {
						expect(t, out, c.service, false, C(match.InArea), C(match.Income))
					}
				})
			}
		}

		fam := zipFamily()
		fam.HouseholdSize, fam.AnnualIncome = ptr(3), ptr(53300)
		out := f.match(fam, match.Options{IncludeIneligible: true})
		if got := reasonMsg(out, "Up to 200%", match.Income); got != "Household income of $53,300 a year is within the limit of $53,300 for a household of 3 (200% of the 2025 federal poverty guideline)." {
			t.Errorf("income reason %q", got)
		}
		fam.AnnualIncome = ptr(53301)
		out = f.match(fam, match.Options{IncludeIneligible: true})
		if got := unmetMsg(out, "Up to 200%", match.Income); got != "Household income of $53,301 a year is above the limit of $53,300 for a household of 3 (200% of the 2025 federal poverty guideline)." {
			t.Errorf("income unmet %q", got)
		}
		out = f.match(zipFamily(), match.Options{})
		expect(t, out, "Up to 200%", true, C(match.InArea, match.Confirm), nil)
		if got := reasonMsg(out, "Up to 200%", match.Confirm); got != "Confirm household income: the limit is 200% of the 2025 federal poverty guideline for the household's size." {
			t.Errorf("income confirm %q", got)
		}
	})
}

// TestMatchFamilyRules: first-time parents, court involvement (excluding),
// referral and priority populations (never excluding).
func TestMatchFamilyRules(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("First-time parents", svc{areas: everywhere, elig: &directory.Eligibility{FirstTimeParentsOnly: ptr(true)}})
		f.add("Court team", svc{areas: everywhere, elig: &directory.Eligibility{CourtInvolvementRequired: ptr(true)}})
		f.add("By referral", svc{areas: everywhere, elig: &directory.Eligibility{ReferralRequired: ptr(true)}})
		f.add("Priority", svc{areas: everywhere, elig: &directory.Eligibility{PriorityPopulations: []string{"Families living in poverty", "Military families"}}})

		fam := match.Family{ZIP: ptr("02121"), FirstTimeParent: ptr(true), CourtInvolved: ptr(true)}
		out := f.match(fam, match.Options{IncludeIneligible: true})
		expect(t, out, "First-time parents", true, C(match.InArea, match.FirstTimeParentOnly), nil)
		expect(t, out, "Court team", true, C(match.InArea, match.CourtInvolvement), nil)
		expect(t, out, "By referral", true, C(match.InArea, match.ReferralRequired), nil)
		r := expect(t, out, "Priority", true, C(match.InArea, match.Priority, match.Priority), nil)
		if r != nil && len(r.Reasons) == 3 && (r.Reasons[1].Message != "Prioritises families living in poverty." || r.Reasons[2].Message != "Prioritises military families.") {
			t.Errorf("priority reasons %v", r.Reasons)
		}
		if got := reasonMsg(out, "By referral", match.ReferralRequired); got != "Needs a referral: refer the family rather than sending them directly." {
			t.Errorf("referral reason %q", got)
		}

		fam = match.Family{ZIP: ptr("02121"), FirstTimeParent: ptr(false), CourtInvolved: ptr(false)}
		out = f.match(fam, match.Options{IncludeIneligible: true})
		equal(t, "second child, no court", eligibleNames(out), []string{"By referral", "Priority"})
		expect(t, out, "First-time parents", false, C(match.InArea), C(match.FirstTimeParentOnly))
		expect(t, out, "Court team", false, C(match.InArea), C(match.CourtInvolvement))
		expect(t, out, "By referral", true, C(match.InArea, match.ReferralRequired), nil)
		expect(t, out, "Priority", true, C(match.InArea, match.Priority, match.Priority), nil)
	})
}

// TestMatchConfirmUnknowns: what the family did not say never excludes; it
// comes back as CONFIRM, one per rule.
func TestMatchConfirmUnknowns(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("Ages", svc{areas: everywhere, elig: &directory.Eligibility{MinAgeMonths: ptr(0), MaxAgeMonths: ptr(36)}})
		f.add("Pregnant only", svc{areas: everywhere, elig: &directory.Eligibility{PregnantOnly: ptr(true), AcceptsPregnant: ptr(true)}})
		f.add("First-time parents", svc{areas: everywhere, elig: &directory.Eligibility{FirstTimeParentsOnly: ptr(true)}})
		f.add("Court team", svc{areas: everywhere, elig: &directory.Eligibility{CourtInvolvementRequired: ptr(true)}})
		f.add("Income limit", svc{areas: everywhere, elig: &directory.Eligibility{MaxIncomePercentFPL: ptr(185)}})
		f.add("Every rule", svc{areas: everywhere, elig: &directory.Eligibility{
			MaxAgeMonths: ptr(36), FirstTimeParentsOnly: ptr(true), CourtInvolvementRequired: ptr(true), MaxIncomePercentFPL: ptr(185)}})
		f.add("No languages or modes listed", svc{areas: everywhere})

		out := f.match(zipFamily(), match.Options{})
		equal(t, "every service eligible", names(out.Results),
			[]string{"Ages", "Pregnant only", "First-time parents", "Court team", "Income limit", "Every rule", "No languages or modes listed"})
		for name, msg := range map[string]string{
			"Ages":               "Confirm the child's age: it serves children aged 0 to 36 months.",
			"Pregnant only":      "Confirm the family is expecting: it enrols only during pregnancy.",
			"First-time parents": "Confirm this is the family's first child: it enrols first-time parents only.",
			"Court team":         "Confirm the child is under court or child-welfare jurisdiction: it serves only those children.",
			"Income limit":       "Confirm household income: the limit is 185% of the 2025 federal poverty guideline for the household's size.",
		} {
			r := expect(t, out, name, true, C(match.InArea, match.Confirm), nil)
			if r != nil && len(r.Reasons) == 2 && r.Reasons[1].Message != msg {
				t.Errorf("%s: confirm %q, want %q", name, r.Reasons[1].Message, msg)
			}
		}
		expect(t, out, "Every rule", true, C(match.InArea, match.Confirm, match.Confirm, match.Confirm, match.Confirm), nil)

		// Preferences on a service that lists nothing: asked, not held against it.
		fam := zipFamily()
		fam.Language, fam.DeliveryModes = ptr("es"), []directory.DeliveryMode{directory.InHome}
		out = f.match(fam, match.Options{})
		expect(t, out, "No languages or modes listed", true, C(match.InArea, match.Confirm, match.Confirm), nil)
	})
}

// TestMatchInheritance: a service without eligibility inherits its
// program's whole; one with its own record is judged by that alone.
func TestMatchInheritance(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		model := f.program("Home Visits Model", &directory.Eligibility{MaxAgeMonths: ptr(12), FirstTimeParentsOnly: ptr(true)})
		f.add("Inherits", svc{areas: everywhere, program: model})
		f.add("Overrides", svc{areas: everywhere, program: model, elig: &directory.Eligibility{MinAgeMonths: ptr(24)}})
		f.add("Own record, no rules", svc{areas: everywhere, program: model, elig: &directory.Eligibility{Description: "Open to every family."}})
		f.add("No program, no rules", svc{areas: everywhere})

		for _, c := range []struct {
			months    int
			firstTime bool
			want      map[string][]match.Criterion // unmet; nil: eligible
		}{
			{13, false, map[string][]match.Criterion{"Inherits": C(match.Age, match.FirstTimeParentOnly), "Overrides": C(match.Age)}},
			{30, false, map[string][]match.Criterion{"Inherits": C(match.Age, match.FirstTimeParentOnly)}},
			{6, true, map[string][]match.Criterion{"Overrides": C(match.Age)}},
		} {
			fam := match.Family{ZIP: ptr("02121"), ChildAgeMonths: ptr(c.months), FirstTimeParent: ptr(c.firstTime)}
			out := f.match(fam, match.Options{IncludeIneligible: true})
			for _, name := range []string{"Inherits", "Overrides", "Own record, no rules", "No program, no rules"} {
				unmet, miss := c.want[name]
				r := expect(t, out, name, !miss, nil, unmet)
				if r == nil || miss {
					continue
				}
				var wantReasons []match.Criterion
				switch name {
				case "Inherits":
					wantReasons = C(match.InArea, match.Age, match.FirstTimeParentOnly)
				case "Overrides":
					wantReasons = C(match.InArea, match.Age) // no first-time rule: not merged from the program
				default:
					wantReasons = C(match.InArea)
				}
				equal(t, name+" reasons", criteria(r.Reasons), wantReasons)
			}
		}
	})
}

// TestMatchNeeds: a service must meet one requested need; a narrower term
// meets its broader ones, not the other way round.
func TestMatchNeeds(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		parenting := f.term("parenting", "Parenting support", nil)
		visiting := f.term("home-visiting", "Home visiting", parenting)
		nurse := f.term("nurse-visits", "Nurse home visits", visiting)
		diapers := f.term("diapers", "Diapers and baby supplies", nil)
		f.c.TaxonomyTerm.Create().SetCode("airs-hv").SetName("Home visiting (AIRS)").SetVocabulary("airs").SaveX(f.ctx)

		f.add("Tagged home visiting", svc{areas: everywhere, needs: []*ent.TaxonomyTerm{visiting}})
		f.add("Tagged parenting", svc{areas: everywhere, needs: []*ent.TaxonomyTerm{parenting}})
		f.add("Tagged nurse visits", svc{areas: everywhere, needs: []*ent.TaxonomyTerm{nurse}})
		f.add("Tagged diapers", svc{areas: everywhere, needs: []*ent.TaxonomyTerm{diapers}})
		f.add("Tagged home visiting and diapers", svc{areas: everywhere, needs: []*ent.TaxonomyTerm{visiting, diapers}})

		needs := func(codes ...string) match.Family { return match.Family{ZIP: ptr("02121"), Needs: codes} }
		out := f.match(needs("parenting"), match.Options{})
		equal(t, "parenting", names(out.Results),
			[]string{"Tagged home visiting", "Tagged parenting", "Tagged nurse visits", "Tagged home visiting and diapers"})
		if got := reasonMsg(out, "Tagged nurse visits", match.NeedMet); got != "Offers parenting support." {
			t.Errorf("need reason %q", got)
		}

		// Tagged with the broader term only: it may not offer the narrower.
		out = f.match(needs("home-visiting"), match.Options{IncludeIneligible: true})
		equal(t, "home-visiting", eligibleNames(out), []string{"Tagged home visiting", "Tagged nurse visits", "Tagged home visiting and diapers"})
		r := expect(t, out, "Tagged parenting", false, C(match.InArea), C(match.NoNeedMet))
		if got := messageOf(unmetOf(r), match.NoNeedMet); got != "Does not offer home visiting." {
			t.Errorf("no-need reason %q", got)
		}

		// More needs met rank first.
		out = f.match(needs("home-visiting", "diapers"), match.Options{})
		equal(t, "home-visiting and diapers", names(out.Results),
			[]string{"Tagged home visiting and diapers", "Tagged home visiting", "Tagged nurse visits", "Tagged diapers"})
		if got := reasonMsg(out, "Tagged home visiting and diapers", match.NeedMet); got != "Offers home visiting and diapers and baby supplies." {
			t.Errorf("two-need reason %q", got)
		}

		// No needs given: every need counts.
		out = f.match(needs(), match.Options{})
		equal(t, "no needs", names(out.Results),
			[]string{"Tagged home visiting", "Tagged parenting", "Tagged nurse visits", "Tagged diapers", "Tagged home visiting and diapers"})
		for _, r := range out.Results {
			equal(t, r.Service.Name+" reasons", criteria(r.Reasons), C(match.InArea))
		}

		// Codes of other vocabularies are not family needs.
		_, err := f.m.Match(f.ctx, needs("diapers", "airs-hv"), match.Options{})
		if got := fieldOf(err); got != "family.needs[1]" {
			t.Errorf("a code of another vocabulary: %v at %q, want family.needs[1]", err, got)
		}
	})
}
