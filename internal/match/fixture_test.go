package match_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/store"
)

// The tests of this package build small directories by hand and write the
// expected answers out: never computed by the code under test.
//
// Geography they rely on (the embedded reference, see package geo):
//   - 02121 Dorchester, Boston MA: Suffolk County 25025 only, centroid
//     42.2973, -71.0745 (02122 shares that centroid).
//   - 30534 Dawsonville GA: Dawson 13085 (GeoNames) and, by the HUD
//     crosswalk, Cherokee 13057, Forsyth 13117, Gilmer 13123, Lumpkin 13187
//     and Pickens 13227; not Fulton 13121.
//   - 06604 Bridgeport CT: planning region 09120 (GeoNames) and old
//     Fairfield County 09001 (HUD).
//   - 99501 Anchorage AK, 96813 Honolulu HI.
//
// One degree of latitude is 111.195 km on the mean Earth radius (6371.0088
// km): a point 0.01° north of 02121's centroid is 1.11 km away, 0.1° north
// 11.12 km.

// today is the fixed date domain tests count ages and pregnancy weeks at.
var today = time.Date(2025, 6, 15, 10, 30, 0, 0, time.UTC)

const (
	dorchesterLat = 42.2973
	dorchesterLon = -71.0745
)

func ptr[T any](v T) *T { return &v }

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fixture is a hand-built directory on one backend.
type fixture struct {
	t   *testing.T
	ctx context.Context
	c   *ent.Client
	org *ent.Organization
	m   *match.Matcher
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	org := db.Client.Organization.Create().SetName("Harbor Family Services").SaveX(ctx)
	return &fixture{t: t, ctx: ctx, c: db.Client, org: org, m: match.New(db.Client, func() time.Time { return today })}
}

// at returns a matcher whose today is day.
func (f *fixture) at(day time.Time) *match.Matcher {
	return match.New(f.c, func() time.Time { return day })
}

func (f *fixture) term(code, name string, parent *ent.TaxonomyTerm) *ent.TaxonomyTerm {
	q := f.c.TaxonomyTerm.Create().SetCode(code).SetName(name)
	if parent != nil {
		q.SetParent(parent)
	}
	return q.SaveX(f.ctx)
}

func (f *fixture) program(name string, e *directory.Eligibility) *ent.Program {
	q := f.c.Program.Create().SetName(name)
	if e != nil {
		q.SetEligibility(e)
	}
	return q.SaveX(f.ctx)
}

// area is one coverage row.
type area struct {
	kind          servicearea.Kind
	code, name    string
	lat, lon, rkm float64
}

func zipArea(code string) area    { return area{kind: servicearea.KindZIP, code: code} }
func countyArea(code string) area { return area{kind: servicearea.KindCOUNTY, code: code} }
func stateArea(code string) area  { return area{kind: servicearea.KindSTATE, code: code} }
func radiusArea(lat, lon, km float64) area {
	return area{kind: servicearea.KindRADIUS, lat: lat, lon: lon, rkm: km}
}

var (
	nationwide = area{kind: servicearea.KindNATIONWIDE}
	online     = area{kind: servicearea.KindONLINE}
)

func textArea(name string) area { return area{kind: servicearea.KindTEXT, name: name} }

// loc is a location a service is delivered at. With zip and no
// coordinates (lat and lon 0) it is an address without coordinates.
type loc struct {
	lat, lon     float64
	confidential bool
	zip          string
	owner        *ent.Organization // runs the location (none when nil)
}

// north is a public location d degrees of latitude north of 02121's
// centroid: d × 111.195 km away from a family there.
func north(d float64) loc { return loc{lat: dorchesterLat + d, lon: dorchesterLon} }

// svc describes a service to create; zero values are left unset.
type svc struct {
	areas    []area
	needs    []*ent.TaxonomyTerm
	elig     *directory.Eligibility
	program  *ent.Program
	status   service.Status
	langs    []string
	modes    []directory.DeliveryMode
	verified *time.Time
	locs     []loc
	// What is true today.
	openings *int // capacity available
	asOf     *time.Time
	waitDays *int
	waitText string
}

func (f *fixture) add(name string, s svc) *ent.Service {
	f.t.Helper()
	q := f.c.Service.Create().SetName(name).SetOrganization(f.org).AddNeeds(s.needs...)
	if s.elig != nil {
		q.SetEligibility(s.elig)
	}
	if s.program != nil {
		q.SetProgram(s.program)
	}
	if s.status != "" {
		q.SetStatus(s.status)
	}
	if s.langs != nil {
		q.SetLanguages(s.langs)
	}
	if s.modes != nil {
		q.SetDeliveryModes(s.modes)
	}
	if s.verified != nil {
		q.SetVerifiedAt(*s.verified)
	}
	q.SetNillableCapacityAvailable(s.openings).SetNillableCapacityUpdatedAt(s.asOf).
		SetNillableWaitDays(s.waitDays).SetWaitTime(s.waitText)
	sv := q.SaveX(f.ctx)
	for _, a := range s.areas {
		aq := f.c.ServiceArea.Create().SetService(sv).SetKind(a.kind)
		if a.code != "" {
			aq.SetCode(a.code)
		}
		if a.name != "" {
			aq.SetName(a.name)
		}
		if a.kind == servicearea.KindRADIUS {
			aq.SetCenterLatitude(a.lat).SetCenterLongitude(a.lon).SetRadiusKm(a.rkm)
		}
		aq.SaveX(f.ctx)
	}
	for i, l := range s.locs {
		lq := f.c.Location.Create().SetName(name + " site " + string(rune('A'+i))).SetConfidential(l.confidential)
		if l.lat != 0 || l.lon != 0 {
			lq.SetLatitude(l.lat).SetLongitude(l.lon)
		}
		if l.zip != "" {
			lq.SetPostalCode(l.zip).SetCountry("US")
		}
		if l.owner != nil {
			lq.SetOrganization(l.owner)
		}
		location := lq.SaveX(f.ctx)
		f.c.ServiceAtLocation.Create().SetService(sv).SetLocation(location).SaveX(f.ctx)
	}
	return sv
}

// match runs a match that must succeed.
func (f *fixture) match(fam match.Family, opts match.Options) *match.Outcome {
	f.t.Helper()
	return f.matchWith(f.m, fam, opts)
}

func (f *fixture) matchWith(m *match.Matcher, fam match.Family, opts match.Options) *match.Outcome {
	f.t.Helper()
	out, err := m.Match(f.ctx, fam, opts)
	if err != nil {
		f.t.Fatalf("match %+v: %v", fam, err)
	}
	out.ExplainAll()
	if err := m.Rows(f.ctx, out.Results, out.Programs); err != nil {
		f.t.Fatalf("rows of %+v: %v", fam, err)
	}
	checkScores(f.t, out)
	return out
}

// checkScores asserts that scores are in (0, 1], start at 1 and strictly
// decrease down the list.
func checkScores(t *testing.T, out *match.Outcome) {
	t.Helper()
	for i, r := range out.Results {
		if r.Score <= 0 || r.Score > 1 {
			t.Errorf("result %d (%s) score %v outside (0, 1]", i, r.Service.Name, r.Score)
		}
		if i == 0 && r.Score != 1 {
			t.Errorf("first result's score %v, want 1", r.Score)
		}
		if i > 0 && r.Score >= out.Results[i-1].Score {
			t.Errorf("score not strictly decreasing at %d: %v after %v", i, r.Score, out.Results[i-1].Score)
		}
	}
}

// fieldOf is the field a bad-input error names ("" when err is not one).
func fieldOf(err error) string {
	var fe *directory.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}

func names(rs []*match.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Service.Name
	}
	return out
}

// eligibleNames are the names of the eligible results, in rank order.
func eligibleNames(out *match.Outcome) []string {
	var n []string
	for _, r := range out.Results {
		if r.Eligible {
			n = append(n, r.Service.Name)
		}
	}
	return n
}

// among is the rank order of just the named results.
func among(out *match.Outcome, want ...string) []string {
	var n []string
	for _, r := range out.Results {
		if slices.Contains(want, r.Service.Name) {
			n = append(n, r.Service.Name)
		}
	}
	return n
}

func find(out *match.Outcome, name string) *match.Result {
	for _, r := range out.Results {
		if r.Service.Name == name {
			return r
		}
	}
	return nil
}

func criteria(rs []match.Reason) []match.Criterion {
	out := make([]match.Criterion, len(rs))
	for i, r := range rs {
		out[i] = r.Criterion
	}
	return out
}

// distanceOf is the named result's distance (nil when absent too).
func distanceOf(out *match.Outcome, name string) *float64 {
	if r := find(out, name); r != nil {
		return r.DistanceKm
	}
	return nil
}

func reasonsOf(r *match.Result) []match.Reason {
	if r == nil {
		return nil
	}
	return r.Reasons
}

func unmetOf(r *match.Result) []match.Reason {
	if r == nil {
		return nil
	}
	return r.Unmet
}

// reasonMsg is the message of the named result's reason on c ("" if none).
func reasonMsg(out *match.Outcome, name string, c match.Criterion) string {
	return messageOf(reasonsOf(find(out, name)), c)
}

// unmetMsg is the message of the named result's unmet criterion c.
func unmetMsg(out *match.Outcome, name string, c match.Criterion) string {
	return messageOf(unmetOf(find(out, name)), c)
}

func messageOf(rs []match.Reason, c match.Criterion) string {
	for _, r := range rs {
		if r.Criterion == c {
			return r.Message
		}
	}
	return ""
}

// C is shorthand for a list of criteria.
func C(cs ...match.Criterion) []match.Criterion { return cs }

// expect checks one result: present, eligible or not, and exactly these
// criteria among its reasons and its unmet.
func expect(t *testing.T, out *match.Outcome, name string, eligible bool, reasons, unmet []match.Criterion) *match.Result {
	t.Helper()
	r := find(out, name)
	if r == nil {
		t.Errorf("%s: not among the results %v", name, names(out.Results))
		return nil
	}
	if r.Eligible != eligible {
		t.Errorf("%s: eligible = %v, want %v (reasons %v, unmet %v)", name, r.Eligible, eligible, r.Reasons, r.Unmet)
	}
	if reasons != nil && !slices.Equal(criteria(r.Reasons), reasons) {
		t.Errorf("%s: reasons %v, want %v\n%v", name, criteria(r.Reasons), reasons, r.Reasons)
	}
	if unmet == nil {
		unmet = []match.Criterion{}
	}
	if got := criteria(r.Unmet); !slices.Equal(got, unmet) {
		t.Errorf("%s: unmet %v, want %v\n%v", name, got, unmet, r.Unmet)
	}
	return r
}

func equal[T comparable](t *testing.T, what string, got, want []T) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

// zipFamily is a family in 02121 that says nothing else.
func zipFamily() match.Family { return match.Family{ZIP: ptr("02121")} }
