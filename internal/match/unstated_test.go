package match_test

import (
	"fmt"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// statesNothing is an eligibility whose source states no rule.
func statesNothing(description string) *directory.Eligibility {
	return &directory.Eligibility{StatedRules: []directory.Rule{}, Description: description}
}

// reasonAbout is the result's reason with criterion c about rule about.
func reasonAbout(r *match.Result, c, about match.Criterion) *match.Reason {
	if r == nil {
		return nil
	}
	for i := range r.Reasons {
		if r.Reasons[i].Criterion == c && r.Reasons[i].About == about {
			return &r.Reasons[i]
		}
	}
	return nil
}

func expectReason(t *testing.T, r *match.Result, c, about match.Criterion, msg string) {
	t.Helper()
	got := reasonAbout(r, c, about)
	switch {
	case r == nil:
		t.Errorf("no result to find %s about %s in", c, about)
	case got == nil:
		t.Errorf("%s: no %s reason about %s in %v", r.Service.Name, c, about, r.Reasons)
	case got.Message != msg:
		t.Errorf("%s: %s about %s:\n got %q\nwant %q", r.Service.Name, c, about, got.Message, msg)
	}
}

// TestMatchUnstatedAge: a 50-month-old and a listing that does not say
// which ages it serves: eligible, with an UNSTATED reason about AGE that
// quotes the listing, ranked below one that states ages covering 50
// months. A record from before statedRules keeps today's meaning.
func TestMatchUnstatedAge(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		steps := f.program("Pediatric Steps", statesNothing("Babies and toddlers and their families, in pediatric primary care; "+
			"particularly in areas where there have been persistent inequities."))
		f.add("Steps clinic", svc{areas: everywhere, program: steps})
		f.add("Preschool 3 to 5", svc{areas: everywhere, elig: &directory.Eligibility{
			StatedRules: []directory.Rule{}, MinAgeMonths: ptr(36), MaxAgeMonths: ptr(71)}})
		f.add("Any age, stated", svc{areas: everywhere, elig: &directory.Eligibility{StatedRules: []directory.Rule{directory.RuleAge}}})
		f.add("Old record, no bounds", svc{areas: everywhere, elig: &directory.Eligibility{Description: "Open to all."}})
		f.add("Silent, no text", svc{areas: everywhere, elig: statesNothing("")})

		fam := match.Family{ZIP: ptr("02121"), ChildAgeMonths: ptr(50)}
		out := f.match(fam, match.Options{})
		equal(t, "stated rules met first", names(out.Results),
			[]string{"Preschool 3 to 5", "Any age, stated", "Old record, no bounds", "Steps clinic", "Silent, no text"})
		expect(t, out, "Preschool 3 to 5", true, C(match.InArea, match.Age), nil)
		expect(t, out, "Any age, stated", true, C(match.InArea), nil)
		expect(t, out, "Old record, no bounds", true, C(match.InArea), nil)
		steps1 := expect(t, out, "Steps clinic", true, C(match.InArea, match.Unstated), nil)
		expectReason(t, steps1, match.Unstated, match.Age, "The listing does not say which ages it serves; its eligibility reads "+
			"“Babies and toddlers and their families, in pediatric primary care” — ask about a 4-year-old.")
		expectReason(t, find(out, "Silent, no text"), match.Unstated, match.Age,
			"The listing does not say which ages it serves — ask about a 4-year-old.")

		// No age given: nothing to ask about ages.
		out = f.match(zipFamily(), match.Options{})
		expect(t, out, "Steps clinic", true, C(match.InArea), nil)
		expectReason(t, find(out, "Preschool 3 to 5"), match.Confirm, match.Age,
			"Confirm the child's age: it serves children aged 36 to 71 months.")
	})
}

// TestMatchUnstatedPregnancyWeek: a mother at 34 weeks and a pregnant-only
// model that states no week to enrol by: eligible, asked about, ranked
// below one whose stated week she is within.
func TestMatchUnstatedPregnancyWeek(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		nfp := f.program("Nurse Visits Model", &directory.Eligibility{
			StatedRules:     []directory.Rule{directory.RulePregnancy, directory.RulePregnantOnly, directory.RuleFirstTimeParentOnly},
			AcceptsPregnant: ptr(true), PregnantOnly: ptr(true), FirstTimeParentsOnly: ptr(true),
			Description: "Nurse home visits to first-time moms. Services are provided prenatally to the child's second birthday.",
		})
		f.add("Nurse visits", svc{areas: everywhere, program: nfp})
		f.add("Prenatal to week 36", svc{areas: everywhere, elig: &directory.Eligibility{
			StatedRules: directory.Rules, EnrollByPregnancyWeek: ptr(36)}}) // states every rule
		f.add("Silent on pregnancy", svc{areas: everywhere, elig: statesNothing("")})
		f.add("Old record, week not set", svc{areas: everywhere, elig: &directory.Eligibility{AcceptsPregnant: ptr(true)}})

		fam := match.Family{ZIP: ptr("02121"), Pregnant: ptr(true), PregnancyWeek: ptr(34), FirstTimeParent: ptr(true)}
		out := f.match(fam, match.Options{})
		equal(t, "order", names(out.Results),
			[]string{"Prenatal to week 36", "Old record, week not set", "Nurse visits", "Silent on pregnancy"})
		expect(t, out, "Prenatal to week 36", true, C(match.InArea, match.Pregnancy, match.PregnancyWeek), nil)
		expect(t, out, "Old record, week not set", true, C(match.InArea, match.Pregnancy), nil)
		r := expect(t, out, "Nurse visits", true, C(match.InArea, match.PregnantOnly, match.Unstated, match.FirstTimeParentOnly), nil)
		expectReason(t, r, match.Unstated, match.PregnancyWeek, "The listing does not say until which week of pregnancy it enrols; "+
			"its eligibility reads “Nurse home visits to first-time moms” — ask whether it still enrols a family at week 34.")
		expectReason(t, find(out, "Silent on pregnancy"), match.Unstated, match.Pregnancy,
			"The listing does not say whether it enrols during pregnancy — ask about a family at week 34 of pregnancy.")

		// Not a first-time parent, with an income: the rules a listing
		// leaves open are asked about; the stated ones decide.
		fam = match.Family{ZIP: ptr("02121"), Pregnant: ptr(true), PregnancyWeek: ptr(20), FirstTimeParent: ptr(false),
			CourtInvolved: ptr(false), HouseholdSize: ptr(3), AnnualIncome: ptr(40000)}
		out = f.match(fam, match.Options{IncludeIneligible: true})
		expect(t, out, "Nurse visits", false, nil, C(match.FirstTimeParentOnly))
		expect(t, out, "Prenatal to week 36", true, C(match.InArea, match.Pregnancy, match.PregnancyWeek), nil)
		silent := expect(t, out, "Silent on pregnancy", true,
			C(match.InArea, match.Unstated, match.Unstated, match.Unstated, match.Unstated), nil)
		expectReason(t, silent, match.Unstated, match.FirstTimeParentOnly,
			"The listing does not say whether it enrols only first-time parents — ask about a family that already has a child.")
		expectReason(t, silent, match.Unstated, match.CourtInvolvement,
			"The listing does not say whether it serves only children under court or child-welfare jurisdiction — ask about a child who is not.")
		expectReason(t, silent, match.Unstated, match.Income,
			"The listing does not say whether it has an income limit — ask about a household of 3 with $40,000 a year.")
	})
}

// TestMatchUnstatedTakesProgramRule: a service whose own eligibility leaves
// a rule open takes that rule from its program; one that states it keeps
// its own; UNSTATED only where neither states it.
func TestMatchUnstatedTakesProgramRule(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		model := f.program("Toddler Model", &directory.Eligibility{
			StatedRules: []directory.Rule{directory.RuleAge}, MaxAgeMonths: ptr(36), Description: "Toddlers."})
		f.add("Own text only", svc{areas: everywhere, program: model, elig: statesNothing("Local families.")})
		f.add("Own ages", svc{areas: everywhere, program: model, elig: &directory.Eligibility{
			StatedRules: []directory.Rule{}, MaxAgeMonths: ptr(60)}})
		f.add("Own income limit", svc{areas: everywhere, program: model, elig: &directory.Eligibility{
			StatedRules: []directory.Rule{}, MaxIncomePercentFPL: ptr(200)}})

		fam := match.Family{ZIP: ptr("02121"), ChildAgeMonths: ptr(50), HouseholdSize: ptr(3), AnnualIncome: ptr(40000)}
		out := f.match(fam, match.Options{IncludeIneligible: true})
		expect(t, out, "Own text only", false, nil, C(match.Age))
		expect(t, out, "Own income limit", false, nil, C(match.Age))
		r := expect(t, out, "Own ages", true, C(match.InArea, match.Age, match.Unstated), nil)
		expectReason(t, r, match.Unstated, match.Income,
			"The listing does not say whether it has an income limit; its eligibility reads “Toddlers” — ask about a household of 3 with $40,000 a year.")

		fam.ChildAgeMonths = ptr(20)
		out = f.match(fam, match.Options{})
		expect(t, out, "Own text only", true, C(match.InArea, match.Age, match.Unstated), nil)
		expect(t, out, "Own income limit", true, C(match.InArea, match.Age, match.Income), nil)
		expectReason(t, find(out, "Own text only"), match.Unstated, match.Income,
			"The listing does not say whether it has an income limit; its eligibility reads “Local families” — ask about a household of 3 with $40,000 a year.")
	})
}

// TestMatchConfirmAbout: CONFIRM reasons name the rule to ask about.
func TestMatchConfirmAbout(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.add("Every rule", svc{areas: everywhere, elig: &directory.Eligibility{
			MaxAgeMonths: ptr(36), FirstTimeParentsOnly: ptr(true), CourtInvolvementRequired: ptr(true), MaxIncomePercentFPL: ptr(185)}})
		f.add("Nothing listed", svc{areas: everywhere})
		out := f.match(zipFamily(), match.Options{})
		var about []match.Criterion
		for _, r := range find(out, "Every rule").Reasons {
			if r.Criterion == match.Confirm {
				about = append(about, r.About)
			}
		}
		equal(t, "confirm about", about, C(match.Age, match.FirstTimeParentOnly, match.CourtInvolvement, match.Income))
		fam := zipFamily()
		fam.Language, fam.DeliveryModes = ptr("es"), []directory.DeliveryMode{directory.InHome}
		out = f.match(fam, match.Options{})
		r := find(out, "Nothing listed")
		if reasonAbout(r, match.Confirm, match.Language) == nil || reasonAbout(r, match.Confirm, match.DeliveryMode) == nil {
			t.Errorf("preference confirms without about: %v", r.Reasons)
		}
		if a := reasonAbout(r, match.InArea, ""); a == nil {
			t.Errorf("IN_AREA reason has an about: %v", r.Reasons)
		}
	})
}

// TestMatchUnservedPrograms: the models that fit the family with no local
// site listed, with the reasons from their own rules.
func TestMatchUnservedPrograms(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		nurse := f.term("nurse-home-visiting", "Nurse home visiting", nil)
		screening := f.term("developmental-screening", "Developmental screening", nil)
		nfp := f.c.Program.Create().SetName("Nurse-Family Partnership").
			SetSiteFinderURL("https://example.org/nfp/find-a-site").
			SetEligibility(&directory.Eligibility{
				StatedRules:     []directory.Rule{directory.RulePregnancy, directory.RulePregnantOnly, directory.RuleFirstTimeParentOnly},
				AcceptsPregnant: ptr(true), PregnantOnly: ptr(true), FirstTimeParentsOnly: ptr(true),
			}).SaveX(f.ctx)
		f.program("Newborn Visits", &directory.Eligibility{StatedRules: []directory.Rule{directory.RuleAge},
			MinAgeMonths: ptr(0), MaxAgeMonths: ptr(0)})
		hmg := f.program("Help Me Grow", statesNothing(""))
		served := f.program("Served Locally", nil)
		f.c.Program.Create().SetName("Community Coalition").SetAudiences([]directory.Audience{directory.AudienceCommunities}).SaveX(f.ctx)
		f.c.Program.Create().SetName("Sample Model").SetSample(true).SaveX(f.ctx)
		// NFP's only site near the family is a sample: no real local site.
		sample := f.add("NFP Suffolk (sample)", svc{areas: everywhere, program: nfp, needs: []*ent.TaxonomyTerm{nurse}})
		f.c.Service.UpdateOne(sample).SetSample(true).ExecX(f.ctx)
		f.add("NFP elsewhere", svc{areas: []area{stateArea("GA")}, program: nfp, needs: []*ent.TaxonomyTerm{nurse}})
		f.add("Local site", svc{areas: everywhere, program: served, needs: []*ent.TaxonomyTerm{nurse}})
		f.add("Screening line", svc{areas: []area{{kind: servicearea.KindSTATE, code: "GA"}}, program: hmg,
			needs: []*ent.TaxonomyTerm{screening}})

		// unserved is a program's name and its reasons' criteria.
		type unserved string
		summarise := func(out *match.Outcome) []unserved {
			var s []unserved
			for _, p := range out.Unserved {
				if p.MatchedServices != 0 || p.Nearest != nil {
					t.Errorf("%s: unserved with %d services, nearest %v", p.Program.Name, p.MatchedServices, p.Nearest)
				}
				s = append(s, unserved(fmt.Sprint(p.Program.Name, " ", criteria(p.Reasons))))
			}
			return s
		}

		// A first-time mother at 20 weeks: NFP fits, no local site.
		fam := match.Family{ZIP: ptr("02121"), Pregnant: ptr(true), PregnancyWeek: ptr(20), FirstTimeParent: ptr(true)}
		out := f.match(fam, match.Options{})
		// Each leaves one rule open (the newborn model: whether it enrols
		// during pregnancy), so they follow by name.
		equal(t, "unserved", summarise(out), []unserved{
			unserved(fmt.Sprint("Help Me Grow ", C(match.Unstated))),
			unserved(fmt.Sprint("Newborn Visits ", C(match.Unstated))),
			unserved(fmt.Sprint("Nurse-Family Partnership ", C(match.PregnantOnly, match.Unstated, match.FirstTimeParentOnly))),
		})
		if u := out.Unserved[2].Program.SiteFinderURL; u == nil || *u != "https://example.org/nfp/find-a-site" {
			t.Errorf("NFP siteFinderUrl %v", u)
		}
		expectReasonIn(t, out.Unserved[0].Reasons, match.Unstated, match.Pregnancy,
			"The listing does not say whether it enrols during pregnancy — ask about a family at week 20 of pregnancy.")
		expectReasonIn(t, out.Unserved[2].Reasons, match.Unstated, match.PregnancyWeek,
			"The listing does not say until which week of pregnancy it enrols — ask whether it still enrols a family at week 20.")

		// Asking for nurse home visits: Help Me Grow's services offer none.
		fam.Needs = []string{"nurse-home-visiting"}
		out = f.match(fam, match.Options{})
		equal(t, "unserved for a need", summarise(out), []unserved{
			unserved(fmt.Sprint("Nurse-Family Partnership ", C(match.NeedMet, match.PregnantOnly, match.Unstated, match.FirstTimeParentOnly))),
		})
		expectReasonIn(t, out.Unserved[0].Reasons, match.NeedMet, "", "Its services offer nurse home visiting.")

		// A newborn: NFP's rules exclude the family; the newborn model fits
		// (it has no services, so says nothing about needs).
		out = f.match(match.Family{ZIP: ptr("02121"), ChildAgeMonths: ptr(0)}, match.Options{})
		equal(t, "unserved for a newborn", summarise(out), []unserved{
			unserved(fmt.Sprint("Newborn Visits ", C(match.Age))),
			unserved(fmt.Sprint("Help Me Grow ", C(match.Unstated))),
		})
		// Programs among the results carry their own rules' reasons too.
		if len(out.Programs) != 1 || out.Programs[0].Program.Name != "Served Locally" || len(out.Programs[0].Reasons) != 0 {
			t.Errorf("programs: %+v", out.Programs)
		}
	})
}

func expectReasonIn(t *testing.T, rs []match.Reason, c, about match.Criterion, msg string) {
	t.Helper()
	for _, r := range rs {
		if r.Criterion == c && r.About == about {
			if r.Message != msg {
				t.Errorf("%s about %s:\n got %q\nwant %q", c, about, r.Message, msg)
			}
			return
		}
	}
	t.Errorf("no %s reason about %s in %v", c, about, rs)
}
