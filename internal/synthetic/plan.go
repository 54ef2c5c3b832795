package synthetic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
)

// The plan is the whole synthetic directory, decided in memory before any
// row is written: it depends only on the size, the seed, the programs and
// needs found in the database, and the day of generation (for verification
// dates), so the same inputs always give the same records.

// program and need are the existing records synthetic services link to.
type program struct {
	ID   int
	Name string
}

type need struct {
	ID         int
	Code, Name string
}

type plan struct {
	orgs      []orgPlan
	locations []locationPlan
	services  []servicePlan
	areas     []areaPlan
	links     []linkPlan
}

type orgPlan struct {
	Name, Description, Website, Email, LegalStatus string
	Year                                           int
	Home                                           int // index into geography.zips
	hood                                           *neighbourhood
}

type locationPlan struct {
	Org               int
	Name, Description string
	Virtual           bool
	URL               string
	ZIP               int // index into geography.zips; -1 for a virtual location
	Lat, Lon          float64
	Confidential      bool
}

type servicePlan struct {
	Org                int
	Program            int   // index into the programs, -1 for none
	Needs              []int // indexes into the needs
	Name, Description  string
	Status             string
	DeliveryModes      []directory.DeliveryMode
	Languages          []string
	Eligibility        *directory.Eligibility
	Free               *bool
	Fees               string
	URL, Email         string
	ApplicationProcess string
	WaitTime           string
	Interpretation     string
	CapAvail, CapMax   *int
	CapUpdated         *time.Time
	VerifiedAt         *time.Time
	Coverage           coverage
	Anchor             int // index into geography.zips: where the service mostly works
}

type areaPlan struct {
	Service          int
	Kind             string
	Code             string
	Lat, Lon, Radius float64 // RADIUS only
	Name             string
}

type linkPlan struct {
	Service, Location int
	Description       string
}

// coverage is the overall shape of a service's areas.
type coverage int

const (
	coverLocal      coverage = iota // ZIP and COUNTY areas near its anchor
	coverRadius                     // a radius around a ZIP centroid
	coverState                      // its whole state
	coverText                       // a place in words only
	coverOnline                     // anywhere online
	coverNationwide                 // the whole country
)

// Shares of services by coverage shape (cumulative thresholds below).
const (
	shareNationwide = 0.003
	shareOnline     = 0.010
	shareState      = 0.050
	shareText       = 0.007
	shareRadius     = 0.080
)

var orgKinds = []string{
	"Family Services Agency", "Community Health Center", "Health Department",
	"Family Resource Network", "Children's Services", "Community Action Agency",
	"Early Childhood Coalition", "Parent Support Network",
}

var fallbackLabels = []string{
	"Home Visiting", "Developmental Screening", "Parenting Support", "Maternal Health",
	"Infant Mental Health", "Care Coordination", "Family Resource", "Early Learning",
	"Basic Needs", "Court Team",
}

var ageRanges = [][2]int{{0, 12}, {0, 36}, {0, 60}, {0, 24}, {0, 72}, {36, 60}, {12, 36}}

var priorityPopulations = []string{
	"families with low incomes", "young parents", "families experiencing homelessness",
	"military families", "families of children with special health care needs",
}

// makePlan decides every record. It never fails: sizes are clamped to what
// can exist (no services without an organization).
func makePlan(size Size, programs []program, needs []need, now time.Time) *plan {
	g := usGeography()
	rng := rand.New(rand.NewPCG(uint64(size.Seed), uint64(size.Seed)^0x9e3779b97f4a7c15))
	p := &plan{}
	hoods := map[int]*neighbourhood{}

	// Organizations: a state drawn by its number of ZIPs (roughly by
	// population), then a home ZIP in it drawn by the density of ZIPs around
	// it, so that cities hold more organizations than the countryside.
	for i := range size.Organizations {
		st := g.zips[rng.IntN(len(g.zips))].State
		home := g.byState[st][pickCum(rng, g.densityCum[st])]
		h, ok := hoods[home]
		if !ok {
			n := g.neighbourhood(home)
			h = &n
			hoods[home] = h
		}
		z := g.zips[home]
		town := placeName(z)
		kind := orgKinds[rng.IntN(len(orgKinds))]
		o := orgPlan{
			Name: fmt.Sprintf("Synthetic %s %s %05d", town, kind, i+1),
			Description: fmt.Sprintf("%s A synthetic %s based in %s, %s.",
				Provenance, strings.ToLower(kind), town, z.State),
			LegalStatus: pick(rng, []string{"nonprofit", "government", "for-profit"}, []float64{0.65, 0.25, 0.10}),
			Year:        1950 + rng.IntN(73),
			Home:        home,
			hood:        h,
		}
		if rng.Float64() < 0.7 {
			o.Website = fmt.Sprintf("https://example.org/synthetic/organizations/%05d", i+1)
		}
		if rng.Float64() < 0.5 {
			o.Email = fmt.Sprintf("organization-%05d@example.org", i+1)
		}
		p.orgs = append(p.orgs, o)
		// Each organization has its main location at home.
		p.locations = append(p.locations, physicalLocation(rng, i, home, fmt.Sprintf("Synthetic Main Office %05d", i+1), g))
	}
	if len(p.orgs) == 0 {
		return p
	}

	// Services: every organization runs at least one (when there are enough
	// services); the rest go to organizations of uneven size.
	orgWeights := make([]float64, len(p.orgs))
	for i := range orgWeights {
		orgWeights[i] = math.Exp(rng.NormFloat64() * 0.9)
	}
	orgCum := cumulative(orgWeights)
	for i := range size.Services {
		org := i
		if i >= len(p.orgs) {
			org = pickCum(rng, orgCum)
		}
		p.services = append(p.services, makeService(rng, p, g, i, org, programs, needs, now))
	}

	counts := allocateAreas(rng, p, size.Areas)
	for si := range p.services {
		p.addAreas(rng, g, si, counts[si])
	}
	return p
}

func placeName(z zipInfo) string {
	if z.PlaceName != "" {
		return z.PlaceName
	}
	return z.Counties[0].Name
}

func physicalLocation(rng *rand.Rand, org, zip int, name string, g *geography) locationPlan {
	z := g.zips[zip]
	// Within about two kilometres of the ZIP's centroid.
	lat := z.Lat + (rng.Float64()-0.5)*0.036
	lon := z.Lon + (rng.Float64()-0.5)*0.036/math.Max(0.2, math.Cos(z.Lat*math.Pi/180))
	return locationPlan{
		Org:          org,
		Name:         fmt.Sprintf("%s (%s, %s)", name, placeName(z), z.State),
		Description:  Provenance,
		ZIP:          zip,
		Lat:          round6(lat),
		Lon:          round6(lon),
		Confidential: rng.Float64() < 0.03,
	}
}

func round6(v float64) float64 { return math.Round(v*1e6) / 1e6 }

func makeService(rng *rand.Rand, p *plan, g *geography, i, org int, programs []program, needs []need, now time.Time) servicePlan {
	o := p.orgs[org]
	hood := o.hood
	// The service works near its organization's home, usually in one of
	// the few nearest ZIPs.
	anchor := hood.zips[min(len(hood.zips)-1, int(rng.ExpFloat64()*3))]
	s := servicePlan{Org: org, Program: -1, Anchor: anchor}

	switch r := rng.Float64(); {
	case r < shareNationwide:
		s.Coverage = coverNationwide
	case r < shareNationwide+shareOnline:
		s.Coverage = coverOnline
	case r < shareNationwide+shareOnline+shareState:
		s.Coverage = coverState
	case r < shareNationwide+shareOnline+shareState+shareText:
		s.Coverage = coverText
	case r < shareNationwide+shareOnline+shareState+shareText+shareRadius:
		s.Coverage = coverRadius
	default:
		s.Coverage = coverLocal
	}

	if len(programs) > 0 && rng.Float64() < 0.6 {
		s.Program = rng.IntN(len(programs))
	}
	if len(needs) > 0 {
		k := 1
		if r := rng.Float64(); r < 0.15 {
			k = 3
		} else if r < 0.5 {
			k = 2
		}
		s.Needs = rng.Perm(len(needs))[:min(k, len(needs))]
	}
	label := fallbackLabels[rng.IntN(len(fallbackLabels))]
	switch {
	case s.Program >= 0:
		label = programs[s.Program].Name
	case len(s.Needs) > 0:
		label = titleCase(needs[s.Needs[0]].Name)
	}
	s.Name = fmt.Sprintf("Synthetic %s Service %05d", label, i+1)
	z := g.zips[anchor]
	where := fmt.Sprintf("families in and around %s, %s", placeName(z), z.State)
	switch s.Coverage {
	case coverNationwide:
		where = "families anywhere in the United States"
	case coverOnline:
		where = "families anywhere, online"
	case coverState:
		st, _ := geo.LookupState(z.State)
		where = "families throughout " + st.Name
	}
	s.Description = fmt.Sprintf("%s A synthetic %s service of %s for %s.", Provenance, label, o.Name, where)

	switch r := rng.Float64(); {
	case r < 0.90:
		s.Status = "ACTIVE"
	case r < 0.94:
		s.Status = "TEMPORARILY_CLOSED"
	case r < 0.98:
		s.Status = "INACTIVE"
	default:
		s.Status = "DEFUNCT"
	}

	s.DeliveryModes = deliveryModes(rng, s.Coverage)
	s.Languages = languages(rng)
	if rng.Float64() < 0.3 {
		s.Eligibility = eligibility(rng)
	}
	switch r := rng.Float64(); {
	case r < 0.65:
		s.Free = ptr(true)
	case r < 0.75:
		s.Free = ptr(false)
		s.Fees = "Sliding-scale fees based on household income (synthetic)."
	}
	if rng.Float64() < 0.5 {
		s.URL = fmt.Sprintf("https://example.org/synthetic/services/%05d", i+1)
	}
	if rng.Float64() < 0.3 {
		s.Email = fmt.Sprintf("service-%05d@example.org", i+1)
	}
	s.ApplicationProcess = pick(rng, []string{
		"Call to enrol (synthetic).", "Referral from a health care provider (synthetic).",
		"Complete the online form (synthetic).", "Walk in during opening hours (synthetic).",
	}, nil)
	if rng.Float64() < 0.2 {
		s.WaitTime = pick(rng, []string{"No wait", "1–2 weeks", "2–4 weeks", "1–3 months"}, nil)
	}
	if rng.Float64() < 0.1 {
		s.Interpretation = "Phone interpreters available (synthetic)."
	}
	if rng.Float64() < 0.3 {
		maxCap := 10 + rng.IntN(291)
		avail := rng.IntN(maxCap + 1)
		at := now.Add(-time.Duration(rng.Int64N(90*24*3600)) * time.Second)
		s.CapMax, s.CapAvail, s.CapUpdated = &maxCap, &avail, &at
	}
	if rng.Float64() < 0.85 {
		at := now.Add(-time.Duration(rng.Int64N(730*24*3600)) * time.Second)
		s.VerifiedAt = &at
	}

	// Where it is delivered: a quarter share their organization's main
	// office; the rest have their own place near the anchor (online
	// services a virtual one), and some of those also the main office.
	si := len(p.services)
	if rng.Float64() < 0.25 {
		p.links = append(p.links, linkPlan{Service: si, Location: org})
	} else {
		li := len(p.locations)
		if s.Coverage == coverOnline || s.Coverage == coverNationwide {
			p.locations = append(p.locations, locationPlan{
				Org: org, Name: fmt.Sprintf("Synthetic Online Location %05d", i+1),
				Description: Provenance, Virtual: true, ZIP: -1,
				URL: fmt.Sprintf("https://example.org/synthetic/online/%05d", i+1),
			})
		} else {
			p.locations = append(p.locations, physicalLocation(rng, org, anchor, fmt.Sprintf("Synthetic Service Site %05d", i+1), g))
		}
		p.links = append(p.links, linkPlan{Service: si, Location: li})
		if rng.Float64() < 0.1 {
			p.links = append(p.links, linkPlan{Service: si, Location: org, Description: "Also offered at the main office (synthetic)."})
		}
	}
	return s
}

func deliveryModes(rng *rand.Rand, c coverage) []directory.DeliveryMode {
	share := map[directory.DeliveryMode]float64{
		directory.InHome: 0.5, directory.InClinic: 0.4, directory.InGroup: 0.3,
		directory.ByPhone: 0.25, directory.Online: 0.15,
	}
	if c == coverOnline || c == coverNationwide {
		share = map[directory.DeliveryMode]float64{directory.ByPhone: 0.5, directory.Online: 1}
	}
	var out []directory.DeliveryMode
	for _, m := range directory.DeliveryModes {
		if rng.Float64() < share[m] {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		out = append(out, directory.InHome)
	}
	return out
}

func languages(rng *rand.Rand) []string {
	share := []struct {
		code string
		p    float64
	}{{"en", 0.95}, {"es", 0.45}, {"vi", 0.04}, {"zh", 0.04}, {"ht", 0.03}, {"pt", 0.03}, {"so", 0.02}}
	var out []string
	for _, l := range share {
		if rng.Float64() < l.p {
			out = append(out, l.code)
		}
	}
	if len(out) == 0 {
		out = []string{"en"}
	}
	return out
}

func eligibility(rng *rand.Rand) *directory.Eligibility {
	e := &directory.Eligibility{}
	ages := ageRanges[rng.IntN(len(ageRanges))]
	e.MinAgeMonths, e.MaxAgeMonths = ptr(ages[0]), ptr(ages[1])
	words := []string{fmt.Sprintf("children %d–%d months", ages[0], ages[1])}
	if rng.Float64() < 0.35 {
		e.AcceptsPregnant = ptr(true)
		words = append(words, "pregnant families")
	}
	if rng.Float64() < 0.05 {
		e.AcceptsPregnant, e.PregnantOnly, e.EnrollByPregnancyWeek = ptr(true), ptr(true), ptr(28)
		words = append(words, "enrolment only during pregnancy, by week 28")
	}
	if rng.Float64() < 0.08 {
		e.FirstTimeParentsOnly = ptr(true)
		words = append(words, "first-time parents only")
	}
	if rng.Float64() < 0.12 {
		e.MaxIncomePercentFPL = ptr(200)
		words = append(words, "household income up to 200% of the poverty guideline")
	}
	if rng.Float64() < 0.03 {
		e.CourtInvolvementRequired = ptr(true)
		words = append(words, "children under court jurisdiction")
	}
	if rng.Float64() < 0.15 {
		e.ReferralRequired = ptr(true)
		words = append(words, "referral required")
	}
	if rng.Float64() < 0.2 {
		e.PriorityPopulations = []string{priorityPopulations[rng.IntN(len(priorityPopulations))]}
	}
	e.Description = "Synthetic eligibility: " + strings.Join(words, "; ") + "."
	return e
}

// allocateAreas decides how many areas each service gets so that they total
// exactly want: one each first (as far as want goes), then the rest to the
// local services in uneven amounts (a few cover dozens of ZIPs), up to what
// their neighbourhood holds, with a second radius for some radius services.
// What no local service can take becomes extra radius areas.
func allocateAreas(rng *rand.Rand, p *plan, want int) []int {
	counts := make([]int, len(p.services))
	for i := range counts {
		if want == 0 {
			break
		}
		counts[i] = 1
		want--
	}
	caps := make([]int, len(p.services))
	weights := make([]float64, len(p.services))
	var active []int
	for i, s := range p.services {
		switch s.Coverage {
		case coverLocal:
			h := p.orgs[s.Org].hood
			caps[i] = len(h.zips) + min(3, len(h.counties))
			weights[i] = math.Exp(rng.NormFloat64() * 0.8)
		case coverRadius:
			caps[i], weights[i] = 2, 0.2
		}
		if counts[i] > 0 && caps[i] > counts[i] {
			active = append(active, i)
		}
	}
	// Proportional rounds, then one at a time for the remainder.
	for want > 0 && len(active) > 0 {
		var total float64
		for _, i := range active {
			total += weights[i]
		}
		given := 0
		for _, i := range active {
			n := min(int(float64(want)*weights[i]/total), caps[i]-counts[i], want-given)
			counts[i] += n
			given += n
		}
		want -= given
		kept := active[:0]
		for _, i := range active {
			if counts[i] < caps[i] {
				kept = append(kept, i)
			}
		}
		active = kept
		if given == 0 {
			for want > 0 && len(active) > 0 {
				k := rng.IntN(len(active))
				i := active[k]
				counts[i]++
				want--
				if counts[i] >= caps[i] {
					active[k] = active[len(active)-1]
					active = active[:len(active)-1]
				}
			}
		}
	}
	// More areas than the neighbourhoods hold: extra radius areas anywhere.
	for want > 0 && len(counts) > 0 {
		counts[rng.IntN(len(counts))]++
		want--
	}
	return counts
}

// addAreas appends service si's n areas.
func (p *plan) addAreas(rng *rand.Rand, g *geography, si, n int) {
	if n == 0 {
		return
	}
	s := p.services[si]
	hood := p.orgs[s.Org].hood
	anchor := g.zips[s.Anchor]
	add := func(a areaPlan) {
		a.Service = si
		p.areas = append(p.areas, a)
		n--
	}
	switch s.Coverage {
	case coverNationwide:
		add(areaPlan{Kind: "NATIONWIDE", Name: "United States"})
	case coverOnline:
		add(areaPlan{Kind: "ONLINE", Name: "Online"})
	case coverState:
		st, _ := geo.LookupState(anchor.State)
		add(areaPlan{Kind: "STATE", Code: anchor.State, Name: st.Name})
	case coverText:
		add(areaPlan{Kind: "TEXT", Name: fmt.Sprintf("Synthetic area described in words: the communities around %s, %s", placeName(anchor), anchor.State)})
	case coverLocal:
		p.addLocalAreas(rng, g, si, hood, n)
		return
	}
	// Radius services, and whatever extra areas no neighbourhood could
	// take: radii around the anchor and other nearby ZIPs.
	for k := 0; n > 0; k++ {
		centre := s.Anchor
		if k > 0 {
			centre = hood.zips[rng.IntN(len(hood.zips))]
		}
		z := g.zips[centre]
		add(areaPlan{Kind: "RADIUS", Lat: z.Lat, Lon: z.Lon, Radius: float64(5 + rng.IntN(46)),
			Name: fmt.Sprintf("Around %s, %s", placeName(z), z.State)})
	}
}

// addLocalAreas gives a local service n areas: 1–3 counties for some, and
// ZIPs near its anchor (the anchor first) for the rest.
func (p *plan) addLocalAreas(rng *rand.Rand, g *geography, si int, hood *neighbourhood, n int) {
	s := p.services[si]
	counties := 0
	switch r := rng.Float64(); {
	case r < 0.35:
		counties = 1 + rng.IntN(3)
	case r < 0.45:
		counties = 1
	}
	counties = min(counties, n, 3, len(hood.counties))
	zips := n - counties
	if zips > len(hood.zips) { // allocateAreas allows at most 3 counties more
		counties += zips - len(hood.zips)
		zips = len(hood.zips)
	}
	if counties > 0 {
		// The anchor's county first, then others nearby.
		first := g.zips[s.Anchor].Counties[0].FIPS
		chosen := []string{}
		if _, ok := geo.LookupCounty(first); ok {
			chosen = append(chosen, first)
		}
		window := hood.counties[:min(len(hood.counties), 5)]
		for _, k := range rng.Perm(len(window)) {
			if len(chosen) >= counties {
				break
			}
			if c := window[k]; c != first {
				chosen = append(chosen, c)
			}
		}
		for _, k := range rng.Perm(len(hood.counties)) { // small windows
			if len(chosen) >= counties {
				break
			}
			if c := hood.counties[k]; !slices.Contains(chosen, c) {
				chosen = append(chosen, c)
			}
		}
		for _, c := range chosen[:min(len(chosen), counties)] {
			county, _ := geo.LookupCounty(c)
			p.areas = append(p.areas, areaPlan{Service: si, Kind: "COUNTY", Code: c, Name: county.Name + ", " + county.StateCode})
		}
		zips += counties - min(len(chosen), counties)
	}
	if zips == 0 {
		return
	}
	// ZIPs: the anchor, then others drawn from a window of the nearest
	// ZIPs a little larger than needed.
	chosen := []int{s.Anchor}
	window := hood.zips[:min(len(hood.zips), max(2*zips, 10))]
	for _, k := range rng.Perm(len(window)) {
		if len(chosen) >= zips {
			break
		}
		if window[k] != s.Anchor {
			chosen = append(chosen, window[k])
		}
	}
	for k := 0; len(chosen) < zips && k < len(hood.zips); k++ {
		if z := hood.zips[k]; !slices.Contains(chosen, z) {
			chosen = append(chosen, z)
		}
	}
	for _, zi := range chosen {
		z := g.zips[zi]
		p.areas = append(p.areas, areaPlan{Service: si, Kind: "ZIP", Code: z.ZIP, Name: placeName(z)})
	}
	// A neighbourhood smaller than promised (cannot happen with the caps
	// allocateAreas uses, but never lose a row): radii around the anchor.
	for k := len(chosen); k < zips; k++ {
		z := g.zips[s.Anchor]
		p.areas = append(p.areas, areaPlan{Service: si, Kind: "RADIUS", Lat: z.Lat, Lon: z.Lon, Radius: float64(5 + rng.IntN(46)),
			Name: fmt.Sprintf("Around %s, %s", placeName(z), z.State)})
	}
}

func ptr[T any](v T) *T { return &v }

// pick draws one of options, with the given weights (uniform when nil).
func pick(rng *rand.Rand, options []string, weights []float64) string {
	if weights == nil {
		return options[rng.IntN(len(options))]
	}
	r := rng.Float64()
	for i, w := range weights {
		if r < w {
			return options[i]
		}
		r -= w
	}
	return options[len(options)-1]
}

func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	var sum float64
	for i, v := range w {
		sum += v
		out[i] = sum
	}
	return out
}

func pickCum(rng *rand.Rand, cum []float64) int {
	r := rng.Float64() * cum[len(cum)-1]
	return min(sort.SearchFloat64s(cum, r), len(cum)-1)
}

// titleCase capitalises a term's name for a service name ("Home visiting"
// -> "Home Visiting"), leaving short joining words alone.
func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if i > 0 && slices.Contains([]string{"and", "or", "of", "the", "for", "in", "to", "a"}, w) {
			continue
		}
		if w != "" && w[0] >= 'a' && w[0] <= 'z' {
			words[i] = string(w[0]-'a'+'A') + w[1:]
		}
	}
	return strings.Join(words, " ")
}
