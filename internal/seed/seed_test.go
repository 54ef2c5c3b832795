package seed

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/funding"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	entschema "github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// resourcesWithoutPublisher documents, by external ID, why a seed resource
// has no publisher. Every seed resource has one today.
var resourcesWithoutPublisher = map[string]string{}

// row is what the tests compare of every record across runs.
type row struct {
	Type    string
	ExtID   string
	Source  string
	ID      int
	Version int
	Updated time.Time
	Sample  bool
	Label   string // name or title, for the types that have one
}

// snapshot reads every record of every type, keyed by type and ID.
func snapshot(t *testing.T, c *ent.Client) map[string]row {
	t.Helper()
	ctx := context.Background()
	out := map[string]row{}
	add := func(r row) { out[r.Type+"/"+strconv.Itoa(r.ID)] = r }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	orgs, err := c.Organization.Query().All(ctx)
	must(err)
	for _, e := range orgs {
		add(row{"Organization", e.ExternalID, e.ExternalSource, e.ID, e.Version, e.UpdatedAt, e.Sample, e.Name})
	}
	progs, err := c.Program.Query().All(ctx)
	must(err)
	for _, e := range progs {
		add(row{"Program", e.ExternalID, e.ExternalSource, e.ID, e.Version, e.UpdatedAt, e.Sample, e.Name})
	}
	ts, err := c.TaxonomyTerm.Query().All(ctx)
	must(err)
	for _, e := range ts {
		add(row{"TaxonomyTerm", e.ExternalID, e.ExternalSource, e.ID, e.Version, e.UpdatedAt, e.Sample, e.Name})
	}
	rs, err := c.Resource.Query().All(ctx)
	must(err)
	for _, e := range rs {
		add(row{"Resource", e.ExternalID, e.ExternalSource, e.ID, e.Version, e.UpdatedAt, e.Sample, e.Title})
	}
	ls, err := c.Location.Query().All(ctx)
	must(err)
	for _, e := range ls {
		add(row{"Location", e.ExternalID, e.ExternalSource, e.ID, e.Version, e.UpdatedAt, e.Sample, e.Name})
	}
	ss, err := c.Service.Query().All(ctx)
	must(err)
	for _, e := range ss {
		add(row{"Service", e.ExternalID, e.ExternalSource, e.ID, e.Version, e.UpdatedAt, e.Sample, e.Name})
	}
	as, err := c.ServiceArea.Query().All(ctx)
	must(err)
	for _, e := range as {
		add(row{"ServiceArea", e.ExternalID, e.ExternalSource, e.ID, e.Version, e.UpdatedAt, e.Sample, ""})
	}
	sals, err := c.ServiceAtLocation.Query().All(ctx)
	must(err)
	for _, e := range sals {
		add(row{"ServiceAtLocation", e.ExternalID, e.ExternalSource, e.ID, e.Version, e.UpdatedAt, e.Sample, ""})
	}
	ps, err := c.Phone.Query().All(ctx)
	must(err)
	for _, e := range ps {
		add(row{"Phone", e.ExternalID, e.ExternalSource, e.ID, e.Version, e.UpdatedAt, e.Sample, ""})
	}
	cs, err := c.Contact.Query().All(ctx)
	must(err)
	for _, e := range cs {
		add(row{"Contact", e.ExternalID, e.ExternalSource, e.ID, e.Version, e.UpdatedAt, e.Sample, ""})
	}
	fs, err := c.Funding.Query().All(ctx)
	must(err)
	for _, e := range fs {
		add(row{"Funding", e.ExternalID, e.ExternalSource, e.ID, e.Version, e.UpdatedAt, e.Sample, ""})
	}
	return out
}

func countByType(rows map[string]row) map[string]int {
	out := map[string]int{}
	for _, r := range rows {
		out[r.Type]++
	}
	return out
}

// declared counts the records a dataset declares, per type.
func declared(t *testing.T, d dataset, sample bool) map[string]int {
	t.Helper()
	recs, err := d.records(sample)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range recs {
		out[r.kind.Name]++
	}
	return out
}

func wantAllCreated(t *testing.T, what string, got Report, want map[string]int) {
	t.Helper()
	for typ, n := range want {
		if c := got.Types[typ]; c.Created != n || c.Updated != 0 || c.Unchanged != 0 {
			t.Errorf("%s %s: got %+v, want %d created", what, typ, c, n)
		}
	}
	if len(got.Types) != len(want) {
		t.Errorf("%s: report has types %v, want %v", what, got.Types, want)
	}
}

func wantAllUnchanged(t *testing.T, what string, got Report, want map[string]int) {
	t.Helper()
	if got.Changed() {
		t.Errorf("%s changed records on a second run: %v", what, got)
	}
	for typ, n := range want {
		if c := got.Types[typ]; c.Unchanged != n {
			t.Errorf("%s %s: got %+v, want %d unchanged", what, typ, c, n)
		}
	}
}

func TestLoadAndLoadSamples(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		wantFacts, wantSamples := declared(t, facts, false), declared(t, samples, true)

		rep, err := Load(ctx, c)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		wantAllCreated(t, "Load", rep, wantFacts)
		t.Logf("Load: %v", rep)
		afterFacts := snapshot(t, c)
		if got := countByType(afterFacts); !mapsEqual(got, wantFacts) {
			t.Fatalf("records after Load: %v, want %v", got, wantFacts)
		}
		for _, r := range afterFacts {
			if r.Sample || r.Source != Source || r.ExtID == "" {
				t.Errorf("fact %s %s: sample=%v source=%q", r.Type, r.ExtID, r.Sample, r.Source)
			}
		}

		srep, err := LoadSamples(ctx, c)
		if err != nil {
			t.Fatalf("LoadSamples: %v", err)
		}
		wantAllCreated(t, "LoadSamples", srep, wantSamples)
		t.Logf("LoadSamples: %v", srep)
		first := snapshot(t, c)
		for k, r := range first {
			if _, fact := afterFacts[k]; !fact && !r.Sample {
				t.Errorf("LoadSamples created %s %s without sample=true", r.Type, r.ExtID)
			}
		}

		t.Run("programs", func(t *testing.T) { checkPrograms(t, c) })
		t.Run("sample hygiene", func(t *testing.T) { checkSampleHygiene(t, c, first) })
		t.Run("services", func(t *testing.T) { checkServices(t, c) })
		t.Run("resources", func(t *testing.T) { checkResources(t, c) })
		t.Run("organizations and fundings", func(t *testing.T) { checkOrganizationsAndFundings(t, c) })
		t.Run("taxonomy", func(t *testing.T) { checkTaxonomy(t, c) })

		// A second run changes nothing: same reports of unchanged records,
		// same records, same versions and update times.
		rep2, err := Load(ctx, c)
		if err != nil {
			t.Fatalf("second Load: %v", err)
		}
		wantAllUnchanged(t, "Load", rep2, wantFacts)
		srep2, err := LoadSamples(ctx, c)
		if err != nil {
			t.Fatalf("second LoadSamples: %v", err)
		}
		wantAllUnchanged(t, "LoadSamples", srep2, wantSamples)
		second := snapshot(t, c)
		if len(second) != len(first) {
			t.Fatalf("second run: %d records, want %d", len(second), len(first))
		}
		for k, a := range first {
			b, ok := second[k]
			if !ok {
				t.Errorf("%s %s disappeared on the second run", a.Type, a.ExtID)
				continue
			}
			if a.Version != b.Version || !a.Updated.Equal(b.Updated) {
				t.Errorf("%s %s changed on the second run: version %d→%d, updatedAt %v→%v", a.Type, a.ExtID, a.Version, b.Version, a.Updated, b.Updated)
			}
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func programByExt(t *testing.T, c *ent.Client, ext string) *ent.Program {
	t.Helper()
	p, err := c.Program.Query().Where(program.ExternalSource(Source), program.ExternalID(ext)).WithOrganization().Only(context.Background())
	if err != nil {
		t.Fatalf("program %s: %v", ext, err)
	}
	return p
}

func orgExt(p *ent.Program) string {
	if p.Edges.Organization == nil {
		return ""
	}
	return p.Edges.Organization.ExternalID
}

func isTrue(b *bool) bool { return b != nil && *b }

func checkPrograms(t *testing.T, c *ent.Client) {
	nfp := programByExt(t, c, "program:nurse-family-partnership")
	if nfp.Approach != program.ApproachHOME_VISITING || !slices.Equal(nfp.Settings, []directory.Setting{directory.SettingHome}) ||
		!slices.Equal(nfp.Audiences, []directory.Audience{directory.AudienceParents}) {
		t.Errorf("NFP approach/settings/audiences: %v %v %v", nfp.Approach, nfp.Settings, nfp.Audiences)
	}
	if nfp.ServesThroughMonths == nil || *nfp.ServesThroughMonths != 24 {
		t.Errorf("NFP servesThroughMonths = %v, want 24", nfp.ServesThroughMonths)
	}
	if orgExt(nfp) != "" {
		t.Errorf("NFP is linked to %s; no seed names its organization", orgExt(nfp))
	}
	if e := nfp.Eligibility; e == nil {
		t.Error("NFP has no eligibility")
	} else {
		if !isTrue(e.FirstTimeParentsOnly) || !isTrue(e.PregnantOnly) || !isTrue(e.AcceptsPregnant) {
			t.Errorf("NFP eligibility: firstTimeParentsOnly=%v pregnantOnly=%v acceptsPregnant=%v", e.FirstTimeParentsOnly, e.PregnantOnly, e.AcceptsPregnant)
		}
		if e.EnrollByPregnancyWeek != nil || e.MaxIncomePercentFPL != nil || e.MinAgeMonths != nil || e.MaxAgeMonths != nil {
			t.Errorf("NFP eligibility has bounds no seed gives: %+v", e)
		}
		if len(e.PriorityPopulations) != 1 || !strings.Contains(e.PriorityPopulations[0], "poverty or with other risk factors") {
			t.Errorf("NFP priority populations: %v", e.PriorityPopulations)
		}
		if !strings.Contains(e.Description, "second birthday") {
			t.Errorf("NFP eligibility description does not quote the seed: %q", e.Description)
		}
	}

	// Each program states the rules its documents state, and no more: the
	// rest are left open, for matching to ask about.
	for ext, want := range map[string][]directory.Rule{
		"program:nurse-family-partnership": {directory.RulePregnancy, directory.RulePregnantOnly, directory.RuleFirstTimeParentOnly},
		"program:family-connects": {directory.RuleAge, directory.RuleFirstTimeParentOnly, directory.RuleIncome,
			directory.RuleCourtInvolvement},
		"program:healthysteps":           {},
		"program:safe-babies":            {directory.RuleCourtInvolvement},
		"program:help-me-grow":           {},
		"program:hand-in-hand-parenting": {},
	} {
		if got := programByExt(t, c, ext).Eligibility.Stated(); !slices.Equal(got, want) {
			t.Errorf("%s states %v, want %v", ext, got, want)
		}
	}

	fc := programByExt(t, c, "program:family-connects")
	if e := fc.Eligibility; e == nil || e.MinAgeMonths == nil || *e.MinAgeMonths != 0 || e.MaxAgeMonths == nil || *e.MaxAgeMonths != 0 {
		t.Errorf("Family Connects eligibility: %+v, want 0–0 months", fc.Eligibility)
	}
	if orgExt(fc) != "organization:family-connects-international" || fc.Approach != program.ApproachHOME_VISITING {
		t.Errorf("Family Connects: organization %q approach %v", orgExt(fc), fc.Approach)
	}

	sb := programByExt(t, c, "program:safe-babies")
	if sb.Eligibility == nil || !isTrue(sb.Eligibility.CourtInvolvementRequired) {
		t.Errorf("Safe Babies eligibility: %+v, want courtInvolvementRequired", sb.Eligibility)
	}
	if orgExt(sb) != "organization:zero-to-three" || sb.Approach != program.ApproachCOURT_TEAM ||
		!slices.Equal(sb.Settings, []directory.Setting{directory.SettingCourt}) {
		t.Errorf("Safe Babies: organization %q approach %v settings %v", orgExt(sb), sb.Approach, sb.Settings)
	}

	hs := programByExt(t, c, "program:healthysteps")
	if e := hs.Eligibility; e == nil || e.MinAgeMonths != nil || e.MaxAgeMonths != nil || !strings.HasPrefix(e.Description, "Babies and toddlers") {
		t.Errorf("HealthySteps eligibility: %+v, want no month bounds and a description", hs.Eligibility)
	} else if len(e.PriorityPopulations) == 0 {
		t.Error("HealthySteps has no priority populations")
	}
	if orgExt(hs) != "organization:zero-to-three" || hs.Approach != program.ApproachPEDIATRIC_PRIMARY_CARE ||
		!slices.Equal(hs.Settings, []directory.Setting{directory.SettingClinic}) {
		t.Errorf("HealthySteps: organization %q approach %v settings %v", orgExt(hs), hs.Approach, hs.Settings)
	}

	hmg := programByExt(t, c, "program:help-me-grow")
	// The seed states no eligibility rule for Help Me Grow: an eligibility
	// stating none, so matching asks rather than reading silence as "any".
	if orgExt(hmg) != "" || hmg.Approach != program.ApproachCENTRALIZED_ACCESS_POINT || hmg.Eligibility == nil ||
		len(hmg.Eligibility.Stated()) != 0 {
		t.Errorf("Help Me Grow: organization %q approach %v eligibility %+v", orgExt(hmg), hmg.Approach, hmg.Eligibility)
	}

	hih := programByExt(t, c, "program:hand-in-hand-parenting")
	wantSettings := []directory.Setting{directory.SettingHome, directory.SettingChildCare, directory.SettingClinic, directory.SettingOnline}
	if hih.Approach != program.ApproachPARENTING_EDUCATION_PEER_SUPPORT || !slices.Equal(hih.Settings, wantSettings) ||
		!slices.Equal(hih.Audiences, []directory.Audience{directory.AudienceParents, directory.AudienceProfessionals}) {
		t.Errorf("Hand in Hand: approach %v settings %v audiences %v", hih.Approach, hih.Settings, hih.Audiences)
	}
	// The source dates the AMCHP summary's addition, not a review: no
	// review date, no rating.
	if len(hih.Evidence) != 2 || hih.Evidence[0].Source != directory.EvidenceAMCHP || hih.Evidence[0].ReviewedOn != nil ||
		!strings.Contains(hih.Evidence[0].Note, "date added June 2022") || hih.Evidence[0].Rating != "" ||
		hih.Evidence[1].Source != directory.EvidenceCommunityDefined {
		t.Errorf("Hand in Hand evidence: %+v", hih.Evidence)
	}

	all, err := c.Program.Query().All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if !strings.Contains(p.Provenance, "seeds/") {
			t.Errorf("program %s provenance names no seed: %q", p.Name, p.Provenance)
		}
		for _, e := range p.Evidence {
			if e.Rating != "" || e.URL != "" {
				t.Errorf("program %s evidence has a rating or URL no seed gives: %+v", p.Name, e)
			}
		}
	}
}

var fictionalPhone = regexp.MustCompile(`^\d{3}-555-01\d\d$`)

func checkSampleHygiene(t *testing.T, c *ent.Client, rows map[string]row) {
	ctx := context.Background()
	for _, r := range rows {
		switch {
		case r.Sample && r.Label != "" && !strings.HasSuffix(r.Label, " (sample)"):
			t.Errorf("sample %s %s is named %q, not \"… (sample)\"", r.Type, r.ExtID, r.Label)
		case !r.Sample && strings.Contains(r.Label, "(sample)"):
			t.Errorf("non-sample %s %s is named %q", r.Type, r.ExtID, r.Label)
		case r.Sample && r.Type == "Program", r.Sample && r.Type == "TaxonomyTerm", r.Sample && r.Type == "Resource":
			t.Errorf("sample %s %s: samples are local services, never models, needs or resources", r.Type, r.ExtID)
		}
	}

	svcs, err := c.Service.Query().WithOrganization().WithServiceAreas().WithPhones().
		WithServiceAtLocations(func(q *ent.ServiceAtLocationQuery) { q.WithLocation() }).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sampleServices int
	for _, s := range svcs {
		if !s.Sample {
			if s.Edges.Organization.Sample {
				t.Errorf("real service %s is run by sample organization %s", s.Name, s.Edges.Organization.Name)
			}
			continue
		}
		sampleServices++
		if !s.Edges.Organization.Sample {
			t.Errorf("sample service %s is run by real organization %s", s.Name, s.Edges.Organization.Name)
		}
		if !strings.HasPrefix(s.Description, "Illustrative sample listing, not a real service:") {
			t.Errorf("sample service %s description: %q", s.Name, s.Description)
		}
		if s.Provenance != "Illustrative sample created by Village; not a real listing" {
			t.Errorf("sample service %s provenance: %q", s.Name, s.Provenance)
		}
		if len(s.Edges.ServiceAreas) == 0 {
			t.Errorf("sample service %s has no service area", s.Name)
		}
		for _, a := range s.Edges.ServiceAreas {
			if !a.Sample {
				t.Errorf("area %s of sample service %s is not sample", a.ExternalID, s.Name)
			}
		}
		for _, p := range s.Edges.Phones {
			if !p.Sample {
				t.Errorf("phone %s of sample service %s is not sample", p.Number, s.Name)
			}
		}
		for _, sal := range s.Edges.ServiceAtLocations {
			if !sal.Sample || !sal.Edges.Location.Sample {
				t.Errorf("location link %s of sample service %s is not sample", sal.ExternalID, s.Name)
			}
		}
	}
	if sampleServices < 9 {
		t.Errorf("%d sample services, want at least 9", sampleServices)
	}

	locs, err := c.Location.Query().WithOrganization().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	confidential := 0
	for _, l := range locs {
		if !l.Sample || (l.Edges.Organization != nil && !l.Edges.Organization.Sample) {
			t.Errorf("location %s: sample=%v (every seed location is a sample of a sample organization)", l.Name, l.Sample)
		}
		if l.Address1 != "" || l.Address2 != "" {
			t.Errorf("sample location %s has a street address", l.Name)
		}
		p, ok := geo.LookupZIP(l.PostalCode)
		if !ok || l.Latitude == nil || *l.Latitude != p.Latitude || l.Longitude == nil || *l.Longitude != p.Longitude {
			t.Errorf("sample location %s is not at the centroid of ZIP %s", l.Name, l.PostalCode)
		}
		if l.Confidential {
			confidential++
		}
	}
	if confidential == 0 {
		t.Error("no confidential sample location")
	}

	phones, err := c.Phone.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var staff, public int
	for _, p := range phones {
		if !p.Sample || !fictionalPhone.MatchString(p.Number) {
			t.Errorf("phone %s: sample=%v; every seed phone is a sample with a fictional 555-01xx number", p.Number, p.Sample)
		}
		if p.StaffOnly {
			staff++
		} else if p.ServiceID != nil {
			public++
		}
	}
	if staff == 0 || public == 0 {
		t.Errorf("sample phones: %d staff-only, %d public on a service; want at least one of each", staff, public)
	}
}

func serviceByExt(t *testing.T, c *ent.Client, ext string) *ent.Service {
	t.Helper()
	s, err := c.Service.Query().Where(service.ExternalSource(Source), service.ExternalID(ext)).
		WithProgram().WithOrganization().WithServiceAreas().WithNeeds().Only(context.Background())
	if err != nil {
		t.Fatalf("service %s: %v", ext, err)
	}
	return s
}

func needCodes(s *ent.Service) []string {
	var out []string
	for _, n := range s.Edges.Needs {
		out = append(out, n.Code)
	}
	slices.Sort(out)
	return out
}

func checkServices(t *testing.T, c *ent.Client) {
	ctx := context.Background()
	for _, ext := range []string{"service:hand-in-hand-online-classes", "service:hand-in-hand-self-guided-classes",
		"service:hand-in-hand-online-community-group", "service:hand-in-hand-support-calls"} {
		s := serviceByExt(t, c, ext)
		if s.Sample || s.Edges.Organization.ExternalID != "organization:hand-in-hand-parenting" ||
			s.Edges.Program == nil || s.Edges.Program.ExternalID != "program:hand-in-hand-parenting" {
			t.Errorf("%s: sample=%v organization/program wrong", ext, s.Sample)
		}
		if len(s.Edges.ServiceAreas) != 1 || s.Edges.ServiceAreas[0].Kind != servicearea.KindONLINE {
			t.Errorf("%s: areas %v, want one ONLINE area", ext, s.Edges.ServiceAreas)
		}
		// The source says how each is delivered but for the support calls.
		if len(s.Edges.Needs) == 0 || (len(s.DeliveryModes) == 0) != (ext == "service:hand-in-hand-support-calls") {
			t.Errorf("%s: needs %v, delivery modes %v", ext, s.Edges.Needs, s.DeliveryModes)
		}
	}

	nfp := serviceByExt(t, c, "service:sample-nfp-suffolk")
	if nfp.Eligibility != nil || nfp.Edges.Program == nil || nfp.Edges.Program.ExternalID != "program:nurse-family-partnership" {
		t.Errorf("sample NFP must inherit NFP's eligibility: own %+v", nfp.Eligibility)
	}
	if !slices.Equal(nfp.DeliveryModes, []directory.DeliveryMode{directory.InHome}) ||
		!slices.Equal(needCodes(nfp), []string{"maternal-health", "nurse-home-visiting"}) {
		t.Errorf("sample NFP: delivery %v needs %v", nfp.DeliveryModes, needCodes(nfp))
	}
	if a := nfp.Edges.ServiceAreas; len(a) != 1 || a[0].Kind != servicearea.KindCOUNTY || a[0].Code != "25025" {
		t.Errorf("sample NFP areas: %+v", a)
	}

	fc := serviceByExt(t, c, "service:sample-family-connects-boston")
	var zips []string
	for _, a := range fc.Edges.ServiceAreas {
		if a.Kind == servicearea.KindZIP {
			zips = append(zips, a.Code)
		}
	}
	slices.Sort(zips)
	if want := []string{"02119", "02120", "02121", "02122", "02124", "02125", "02126"}; !slices.Equal(zips, want) {
		t.Errorf("sample Family Connects Boston ZIPs %v, want %v", zips, want)
	}
	if !slices.Contains(needCodes(fc), "newborn-home-visit") {
		t.Errorf("sample Family Connects Boston needs %v", needCodes(fc))
	}

	sb := serviceByExt(t, c, "service:sample-safe-babies-suffolk")
	if sb.Eligibility != nil || sb.Edges.Program == nil || sb.Edges.Program.ExternalID != "program:safe-babies" {
		t.Errorf("sample Safe Babies must inherit the program's court-involvement rule: own %+v", sb.Eligibility)
	}

	hmg := serviceByExt(t, c, "service:sample-family-access-line")
	if a := hmg.Edges.ServiceAreas; len(a) != 1 || a[0].Kind != servicearea.KindSTATE || a[0].Code != "MA" ||
		!slices.Equal(hmg.DeliveryModes, []directory.DeliveryMode{directory.ByPhone}) {
		t.Errorf("sample access line: areas %+v delivery %v", a, hmg.DeliveryModes)
	}

	own := serviceByExt(t, c, "service:sample-visitas-en-casa-dorchester")
	if e := own.Eligibility; e == nil || e.MinAgeMonths == nil || *e.MinAgeMonths != 0 || e.MaxAgeMonths == nil || *e.MaxAgeMonths != 12 {
		t.Errorf("Spanish sample's own eligibility: %+v, want 0–12 months", own.Eligibility)
	}
	if own.Edges.Program != nil {
		t.Errorf("Spanish sample is filed under %s, whose source gives other ages", own.Edges.Program.Name)
	}
	if !slices.Equal(own.Languages, []string{"es", "en"}) {
		t.Errorf("Spanish sample languages %v", own.Languages)
	}

	radius := serviceByExt(t, c, "service:sample-parent-circle-dorchester")
	p, _ := geo.LookupZIP("02124")
	if a := radius.Edges.ServiceAreas; len(a) != 1 || a[0].Kind != servicearea.KindRADIUS || a[0].RadiusKm == nil || *a[0].RadiusKm != 5 ||
		a[0].CenterLatitude == nil || *a[0].CenterLatitude != p.Latitude || a[0].CenterLongitude == nil || *a[0].CenterLongitude != p.Longitude {
		t.Errorf("sample radius area: %+v", a)
	}

	for status, want := range map[service.Status]int{service.StatusTEMPORARILY_CLOSED: 1, service.StatusINACTIVE: 1} {
		n, err := c.Service.Query().Where(service.Sample(true), service.StatusEQ(status)).Count(ctx)
		if err != nil || n < want {
			t.Errorf("%d sample services %s (err %v), want at least %d", n, status, err, want)
		}
	}

	hs := serviceByExt(t, c, "service:sample-healthysteps-mattapan")
	loc, err := c.Service.QueryServiceAtLocations(hs).QueryLocation().Only(ctx)
	if err != nil || loc.PostalCode != "02126" || loc.Latitude == nil || loc.Confidential {
		t.Errorf("sample HealthySteps location: %+v, %v", loc, err)
	}
}

func checkResources(t *testing.T, c *ent.Client) {
	rs, err := c.Resource.Query().WithPublisher().WithPrograms().All(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < 15 {
		t.Errorf("%d resources, want the seeds' publications", len(rs))
	}
	for _, r := range rs {
		if r.Edges.Publisher == nil && resourcesWithoutPublisher[r.ExternalID] == "" {
			t.Errorf("resource %q has no publisher and no documented reason", r.Title)
		}
		if r.Status != resource.StatusPUBLISHED || r.Summary == "" || !strings.Contains(r.Provenance, "seeds/") {
			t.Errorf("resource %q: status %v, summary %q, provenance %q", r.Title, r.Status, r.Summary, r.Provenance)
		}
		if r.URL != "" && !strings.HasPrefix(r.URL, "https://www.handinhandparenting.org/") {
			t.Errorf("resource %q has URL %s, which no seed prints", r.Title, r.URL)
		}
		if r.PublishedOn != nil && r.ExternalID != "resource:amchp-hand-in-hand-practice-summary" {
			t.Errorf("resource %q has a date no seed gives", r.Title)
		}
	}
	// Every declared resource-program link is there (many-to-many: a
	// resource may be about several models, a model have several resources).
	for _, spec := range facts.Resources {
		r, err := c.Resource.Query().Where(resource.ExternalID(resources.key(spec.Slug))).WithPrograms().Only(context.Background())
		if err != nil || len(r.Edges.Programs) != len(spec.Programs) {
			t.Errorf("resource %s programs: %v (%v), want %v", spec.Slug, r.Edges.Programs, err, spec.Programs)
		}
	}
	for ext, kind := range map[string]resource.Kind{
		"resource:hand-in-hand-framework":                       resource.KindFRAMEWORK,
		"resource:hand-in-hand-story-bank":                      resource.KindSTORY_BANK,
		"resource:strengthening-families-policy-framework":      resource.KindPOLICY_REPORT,
		"resource:now-innovation-forum":                         resource.KindLIBRARY,
		"resource:now-launch-webinar":                           resource.KindWEBINAR,
		"resource:hand-in-hand-5-listening-tools":               resource.KindTOOL,
		"resource:hand-in-hand-feasibility-study-impact-report": resource.KindREPORT,
	} {
		n, err := c.Resource.Query().Where(resource.ExternalID(ext), resource.KindEQ(kind)).Count(context.Background())
		if err != nil || n != 1 {
			t.Errorf("resource %s of kind %s: %d (%v)", ext, kind, n, err)
		}
	}
	amchp, err := c.Resource.Query().Where(resource.ExternalID("resource:amchp-hand-in-hand-practice-summary")).WithPublisher().Only(context.Background())
	if err != nil || amchp.Edges.Publisher.ExternalID != "organization:amchp" || amchp.PublishedOn == nil ||
		!amchp.PublishedOn.Equal(time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("AMCHP practice summary: %+v %v", amchp, err)
	}
}

func checkOrganizationsAndFundings(t *testing.T, c *ent.Client) {
	ctx := context.Background()
	org := func(ext string) *ent.Organization {
		t.Helper()
		o, err := c.Organization.Query().Where(organization.ExternalID(ext)).WithParent().Only(ctx)
		if err != nil {
			t.Fatalf("organization %s: %v", ext, err)
		}
		return o
	}
	if vv := org("organization:vital-village-network"); vv.Edges.Parent == nil || vv.Edges.Parent.Name != "Boston Medical Center" {
		t.Errorf("Vital Village parent: %+v", vv.Edges.Parent)
	}
	if h := org("organization:hrsa"); h.Edges.Parent == nil || h.Edges.Parent.AlternateName != "HHS" {
		t.Errorf("HRSA parent: %+v", h.Edges.Parent)
	}
	hih := org("organization:hand-in-hand-parenting")
	if hih.Website != "https://www.handinhandparenting.org" || hih.Email != "" {
		t.Errorf("Hand in Hand Parenting website %q email %q", hih.Website, hih.Email)
	}
	contact, err := c.Organization.QueryContacts(hih).Only(ctx)
	if err != nil || contact.Email != "maya@handinhandparenting.org" || contact.Name != "Maya Coleman" {
		t.Errorf("Hand in Hand contact: %+v %v", contact, err)
	}
	real, err := c.Organization.Query().Where(organization.Sample(false)).WithPhones().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range real {
		if len(o.Edges.Phones) > 0 {
			t.Errorf("real organization %s has a phone no seed gives", o.Name)
		}
	}

	hrsa, err := c.Funding.Query().Where(funding.ExternalID("funding:hrsa-strengthening-families-policy-framework")).WithResource().WithFunder().Only(ctx)
	// The award's total is not the framework's funding: no amount, the
	// total quoted in the description.
	if err != nil || hrsa.AmountUsd != nil || hrsa.Edges.Resource == nil ||
		hrsa.Edges.Funder == nil || hrsa.Edges.Funder.AlternateName != "HRSA" || !strings.Contains(hrsa.Description, "$19,581,161") {
		t.Errorf("HRSA funding: %+v %v", hrsa, err)
	}
	ballmer, err := c.Funding.Query().Where(funding.ExternalID("funding:ballmer-safe-babies")).WithOrganization().WithProgram().Only(ctx)
	if err != nil || ballmer.Edges.Organization == nil || ballmer.Edges.Organization.Name != "ZERO TO THREE" ||
		ballmer.Edges.Program == nil || ballmer.Edges.Program.Name != "Safe Babies" || ballmer.AmountUsd != nil {
		t.Errorf("Ballmer funding: %+v %v", ballmer, err)
	}
	pritzker, err := c.Funding.Query().Where(funding.ExternalID("funding:pritzker-model-convening-project")).WithOrganization().WithFunder().Only(ctx)
	if err != nil || pritzker.Edges.Organization == nil || pritzker.Edges.Organization.Name != "Model Convening Project" ||
		pritzker.Edges.Funder == nil || pritzker.Edges.Funder.Name != "Pritzker Children's Initiative" {
		t.Errorf("Pritzker funding: %+v %v", pritzker, err)
	}
}

func checkTaxonomy(t *testing.T, c *ent.Client) {
	ctx := context.Background()
	top := []string{"home-visiting", "developmental-screening", "parenting-support", "maternal-health",
		"infant-early-childhood-mental-health", "child-welfare-court-support", "care-coordination-referral",
		"early-care-education", "basic-needs"}
	for _, code := range top {
		term, err := c.TaxonomyTerm.Query().Where(taxonomyterm.Vocabulary(entschema.NeedsVocabulary), taxonomyterm.Code(code)).Only(ctx)
		if err != nil {
			t.Errorf("need %s: %v", code, err)
			continue
		}
		if term.ParentID != nil || term.Name == "" || term.Description == "" {
			t.Errorf("need %s: parent %v name %q description %q", code, term.ParentID, term.Name, term.Description)
		}
	}
	for child, parent := range map[string]string{
		"nurse-home-visiting": "home-visiting", "newborn-home-visit": "home-visiting",
		"parenting-peer-support": "parenting-support", "parenting-classes": "parenting-support",
		"prenatal-support": "maternal-health", "postpartum-support": "maternal-health",
	} {
		p, err := c.TaxonomyTerm.Query().Where(taxonomyterm.Code(child)).QueryParent().Only(ctx)
		if err != nil || p.Code != parent {
			t.Errorf("parent of %s: %v %v, want %s", child, p, err, parent)
		}
	}
	n, err := c.TaxonomyTerm.Query().Where(taxonomyterm.VocabularyNEQ(entschema.NeedsVocabulary)).Count(ctx)
	if err != nil || n != 0 {
		t.Errorf("%d terms outside %s (%v)", n, entschema.NeedsVocabulary, err)
	}
}

// TestUpdateInPlace edits seed records behind the seed's back; the next
// Load restores exactly those records, in place.
func TestUpdateInPlace(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		if _, err := Load(ctx, c); err != nil {
			t.Fatal(err)
		}
		nfp := programByExt(t, c, "program:nurse-family-partnership")
		if err := c.Program.UpdateOne(nfp).SetDescription("edited").ClearEligibility().SetURL("https://example.org/nfp").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		svc := serviceByExt(t, c, "service:hand-in-hand-online-classes")
		basic, err := c.TaxonomyTerm.Query().Where(taxonomyterm.Code("basic-needs")).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Service.UpdateOne(svc).ClearNeeds().AddNeeds(basic).SetStatus(service.StatusDEFUNCT).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, c)

		rep, err := Load(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Total().Updated != 2 || rep.Types["Program"].Updated != 1 || rep.Types["Service"].Updated != 1 || rep.Total().Created != 0 {
			t.Errorf("report after edits: %v", rep)
		}
		after := snapshot(t, c)
		if len(after) != len(before) {
			t.Errorf("records: %d, want %d (no duplicates)", len(after), len(before))
		}
		got := programByExt(t, c, "program:nurse-family-partnership")
		if got.ID != nfp.ID || got.URL != "" || got.Eligibility == nil || !isTrue(got.Eligibility.PregnantOnly) ||
			!strings.HasPrefix(got.Description, "Nurse-Family Partnership (NFP) provides") || got.Version != nfp.Version+2 {
			t.Errorf("NFP after reload: %+v", got)
		}
		s := serviceByExt(t, c, "service:hand-in-hand-online-classes")
		if s.ID != svc.ID || s.Status != service.StatusACTIVE || !slices.Equal(needCodes(s), []string{"parenting-classes", "parenting-peer-support"}) {
			t.Errorf("service after reload: status %v needs %v", s.Status, needCodes(s))
		}
		for k, a := range before {
			b := after[k]
			if a.ExtID == "program:nurse-family-partnership" || a.ExtID == "service:hand-in-hand-online-classes" {
				continue
			}
			if a.Version != b.Version || !a.Updated.Equal(b.Updated) {
				t.Errorf("%s %s was touched though it was not edited", a.Type, a.ExtID)
			}
		}
	})
}

// TestLoadSamplesIsAtomic runs LoadSamples without the facts it needs: it
// fails part-way and leaves nothing behind, since it runs in one
// transaction.
func TestLoadSamplesIsAtomic(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		_, err := LoadSamples(context.Background(), db.Client)
		if err == nil || !strings.Contains(err.Error(), "Load") {
			t.Fatalf("LoadSamples without facts: err = %v, want an error telling to run Load", err)
		}
		if rows := snapshot(t, db.Client); len(rows) != 0 {
			t.Errorf("a failed LoadSamples left %d records behind", len(rows))
		}
	})
}

// TestDatasets checks the declarations themselves, without a database.
func TestDatasets(t *testing.T) {
	for _, tc := range []struct {
		name   string
		d      dataset
		sample bool
	}{{"facts", facts, false}, {"samples", samples, true}} {
		recs, err := tc.d.records(tc.sample)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		seen := map[string]bool{}
		for _, r := range recs {
			key := r.kind.Name + " " + r.extID
			if seen[key] {
				t.Errorf("%s: %s declared twice", tc.name, key)
			}
			seen[key] = true
			if err := r.check(tc.sample); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			if !strings.HasPrefix(r.extID, r.kind.prefix+":") {
				t.Errorf("%s: %s does not start with %s:", tc.name, key, r.kind.prefix)
			}
		}
		// The other run refuses these records outright.
		for _, r := range recs {
			if r.check(!tc.sample) == nil {
				t.Errorf("%s: %s %s would pass the other run's check", tc.name, r.kind.Name, r.extID)
			}
		}
	}
}
