package server_test

import (
	"slices"
	"testing"

	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
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
