package server_test

import (
	"slices"
	"testing"

	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// TestStatedRulesRoundTrip: statedRules and siteFinderUrl are written by
// create, update and upsert and read back as written; a write that leaves
// statedRules out states every rule, as records always did.
func TestStatedRulesRoundTrip(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		m := newMutAPI(t, db)
		org := relay.Encode(m.org())
		type elig struct {
			StatedRules  []string
			MaxAgeMonths *int
		}
		type svc struct {
			ID          string
			Eligibility *elig
		}
		all := []string{"AGE", "PREGNANCY", "PREGNANCY_WEEK", "PREGNANT_ONLY", "FIRST_TIME_PARENT_ONLY", "INCOME",
			"COURT_INVOLVEMENT", "REFERRAL_REQUIRED"}

		var created struct{ CreateService svc }
		m.ok(m.admin, `mutation($o: ID!) { createService(input: {name: "Steps", organizationID: $o,
			eligibility: {statedRules: [COURT_INVOLVEMENT], description: "Babies and toddlers."}}) {
			id eligibility { statedRules maxAgeMonths } } }`, map[string]any{"o": org}, &created)
		if got := created.CreateService.Eligibility.StatedRules; !slices.Equal(got, []string{"COURT_INVOLVEMENT"}) {
			t.Errorf("create: statedRules %v", got)
		}

		var old struct{ CreateService svc }
		m.ok(m.admin, `mutation($o: ID!) { createService(input: {name: "Old style", organizationID: $o,
			eligibility: {maxAgeMonths: 36}}) { id eligibility { statedRules maxAgeMonths } } }`, map[string]any{"o": org}, &old)
		if got := old.CreateService.Eligibility.StatedRules; !slices.Equal(got, all) {
			t.Errorf("create without statedRules: %v, want every rule", got)
		}

		var updated struct{ UpdateService svc }
		m.ok(m.admin, `mutation($id: ID!) { updateService(id: $id, input: {eligibility: {statedRules: [], maxAgeMonths: 24}}) {
			id eligibility { statedRules maxAgeMonths } } }`, map[string]any{"id": created.CreateService.ID}, &updated)
		if e := updated.UpdateService.Eligibility; !slices.Equal(e.StatedRules, []string{"AGE"}) || e.MaxAgeMonths == nil || *e.MaxAgeMonths != 24 {
			t.Errorf("update: %+v, want AGE stated by its bound", e)
		}

		upsert := `mutation($s: [UpsertServiceInput!]!) { upsertServices(input: $s) { outcome service { eligibility { statedRules } } } }`
		vars := map[string]any{"s": []any{map[string]any{"externalSource": "ma", "externalID": "S1", "name": "Visits",
			"organizationID": org, "eligibility": map[string]any{"statedRules": []any{"INCOME", "AGE"}}}}}
		var up struct {
			UpsertServices []struct {
				Outcome string
				Service svc
			}
		}
		m.ok(m.admin, upsert, vars, &up)
		if got := up.UpsertServices[0].Service.Eligibility.StatedRules; up.UpsertServices[0].Outcome != "CREATED" ||
			!slices.Equal(got, []string{"AGE", "INCOME"}) {
			t.Errorf("upsert: %s %v", up.UpsertServices[0].Outcome, got)
		}
		m.ok(m.admin, upsert, vars, &up)
		if up.UpsertServices[0].Outcome != "UNCHANGED" {
			t.Errorf("second upsert: %s", up.UpsertServices[0].Outcome)
		}

		e := m.fail(m.admin, `mutation($o: ID!) { createService(input: {name: "Bad", organizationID: $o,
			eligibility: {statedRules: [IN_AREA]}}) { id } }`, map[string]any{"o": org}, "BAD_USER_INPUT")
		if e.Message == "" {
			t.Error("no message for a criterion that is not a rule")
		}

		var prog struct {
			CreateProgram struct {
				ID            string
				SiteFinderURL *string `json:"siteFinderUrl"`
			}
			UpdateProgram struct {
				SiteFinderURL *string `json:"siteFinderUrl"`
			}
		}
		m.ok(m.admin, `mutation { createProgram(input: {name: "Visits Model", siteFinderURL: "https://example.org/find"}) { id siteFinderUrl } }`,
			nil, &prog)
		if u := prog.CreateProgram.SiteFinderURL; u == nil || *u != "https://example.org/find" {
			t.Errorf("createProgram siteFinderUrl %v", u)
		}
		m.ok(m.admin, `mutation($id: ID!) { updateProgram(id: $id, input: {clearSiteFinderURL: true}) { siteFinderUrl } }`,
			map[string]any{"id": prog.CreateProgram.ID}, &prog)
		if prog.UpdateProgram.SiteFinderURL != nil {
			t.Errorf("cleared siteFinderUrl: %v", *prog.UpdateProgram.SiteFinderURL)
		}
	})
}

type unstatedReason struct {
	Criterion string
	About     *string
	Message   string
}

type unstatedMatch struct {
	Match struct {
		Edges []struct {
			Eligible bool
			Node     struct{ Name string }
			Reasons  []unstatedReason
		}
		Programs []struct {
			Program struct{ Name string }
			Reasons []unstatedReason
		}
		UnservedPrograms []struct {
			Program struct {
				Name          string
				SiteFinderURL *string `json:"siteFinderUrl"`
			}
			MatchedServices int
			Nearest         *struct{ Name string }
			Reasons         []unstatedReason
		}
	}
}

const unstatedMatchQuery = `query($f: FamilyInput!) {
  match(family: $f, first: 50) {
    edges { eligible node { name } reasons { criterion about message } }
    programs { program { name } reasons { criterion about message } }
    unservedPrograms { program { name siteFinderUrl } matchedServices nearest { name } reasons { criterion about message } }
  }
}`

func reasonOf(rs []unstatedReason, criterion, about string) *unstatedReason {
	for i, r := range rs {
		if r.Criterion == criterion && r.About != nil && *r.About == about {
			return &rs[i]
		}
	}
	return nil
}

// TestSeededUnstatedAndUnserved: two of the callers on the seed and
// its samples. A 4-year-old in Mattapan is told HealthySteps' listing does
// not say which ages it serves; a first-time mother at 20 weeks in rural
// Alabama, where no site is listed, is told Nurse-Family Partnership fits.
func TestSeededUnstatedAndUnserved(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		a := newAPI(t, db, server.Config{})

		var out unstatedMatch
		a.ok(unstatedMatchQuery, map[string]any{"f": map[string]any{"zip": "02126", "childAgeMonths": 50}}, &out)
		found := false
		for _, e := range out.Match.Edges {
			if e.Node.Name != "HealthySteps at Mattapan Pediatrics (sample)" {
				continue
			}
			found = true
			r := reasonOf(e.Reasons, "UNSTATED", "AGE")
			want := "The listing does not say which ages it serves; its eligibility reads “Babies and toddlers and their families, " +
				"in pediatric primary care” — ask about a 4-year-old."
			if !e.Eligible || r == nil || r.Message != want {
				t.Errorf("HealthySteps: eligible %v, reasons %+v", e.Eligible, e.Reasons)
			}
		}
		if !found {
			t.Errorf("HealthySteps sample not among %+v", out.Match.Edges)
		}
		for _, e := range out.Match.Edges {
			for _, r := range e.Reasons {
				if r.Criterion == "IN_AREA" && r.About != nil {
					t.Errorf("%s: IN_AREA about %s", e.Node.Name, *r.About)
				}
			}
		}

		out = unstatedMatch{}
		a.ok(unstatedMatchQuery, map[string]any{"f": map[string]any{"state": "AL", "pregnant": true, "pregnancyWeek": 20,
			"firstTimeParent": true}}, &out)
		var unserved []string
		for _, p := range out.Match.UnservedPrograms {
			unserved = append(unserved, p.Program.Name)
			if p.MatchedServices != 0 || p.Nearest != nil {
				t.Errorf("%s: unserved with %d services", p.Program.Name, p.MatchedServices)
			}
			if p.Program.Name != "Nurse-Family Partnership" {
				continue
			}
			if p.Program.SiteFinderURL != nil {
				t.Errorf("NFP siteFinderUrl %q: no seed document gives one", *p.Program.SiteFinderURL)
			}
			if reasonOf(p.Reasons, "UNSTATED", "PREGNANCY_WEEK") == nil {
				t.Errorf("NFP reasons %+v, want the enrolment week asked about", p.Reasons)
			}
		}
		if !slices.Contains(unserved, "Nurse-Family Partnership") {
			t.Errorf("unservedPrograms %v, want Nurse-Family Partnership", unserved)
		}
		for _, not := range []string{"Hand in Hand Parenting", "Networks of Opportunity for Child Wellbeing (NOW) Learning Community"} {
			// Hand in Hand's online classes serve the family; NOW is for communities.
			if slices.Contains(unserved, not) {
				t.Errorf("unservedPrograms %v names %s", unserved, not)
			}
		}
	})
}
