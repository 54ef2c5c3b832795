package search_test

import (
	"context"
	"slices"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/internal/search"
	"github.com/village-directory/village/internal/store"
)

// The corpus the tests of this package search: written out by hand, and
// the expected answers with it, never computed by the code under test.
//
// 02121 Dorchester, Boston MA has its centroid at 42.2973, -71.0745; a
// point 0.1° north of it is 11.12 km away, 0.5° north 55.6 km.
type corpus struct {
	ctx       context.Context
	c         *ent.Client
	e         *search.Engine
	harbor    *ent.Organization
	bluebird  *ent.Organization
	homeVisit *ent.TaxonomyTerm
	nurseHV   *ent.TaxonomyTerm
	diapers   *ent.TaxonomyTerm
}

const (
	dorchesterLat = 42.2973
	dorchesterLon = -71.0745
)

func newCorpus(t *testing.T, db *store.DB) *corpus {
	t.Helper()
	ctx := context.Background()
	c := db.Client
	k := &corpus{ctx: ctx, c: c, e: search.New(c)}
	k.homeVisit = c.TaxonomyTerm.Create().SetCode("home-visiting").SetName("Home visiting").SaveX(ctx)
	k.nurseHV = c.TaxonomyTerm.Create().SetCode("nurse-home-visiting").SetName("Nurse home visiting").SetParent(k.homeVisit).SaveX(ctx)
	k.diapers = c.TaxonomyTerm.Create().SetCode("basic-needs").SetName("Diapers and formula").SaveX(ctx)
	k.harbor = c.Organization.Create().SetName("Harbor Family Services").SetDescription("A nonprofit in Dorchester.").SaveX(ctx)
	k.bluebird = c.Organization.Create().SetName("Bluebird Alliance").SetDescription("Parent groups across the state.").SaveX(ctx)
	prog := c.Program.Create().SetName("Welcome Baby").SetDescription("A first visit for every newborn.").SaveX(ctx)

	near := c.Location.Create().SetName("Near office").SetOrganization(k.harbor).SetLatitude(dorchesterLat + 0.1).SetLongitude(dorchesterLon).SaveX(ctx)
	far := c.Location.Create().SetName("Far office").SetOrganization(k.bluebird).SetLatitude(dorchesterLat + 0.5).SetLongitude(dorchesterLon).SaveX(ctx)
	hidden := c.Location.Create().SetName("Shelter").SetOrganization(k.harbor).SetConfidential(true).SetLatitude(dorchesterLat).SetLongitude(dorchesterLon).SaveX(ctx)

	svc := func(name, desc string, org *ent.Organization, langs []string, terms ...*ent.TaxonomyTerm) *ent.ServiceCreate {
		q := c.Service.Create().SetName(name).SetDescription(desc).SetOrganization(org).AddNeeds(terms...)
		if langs != nil {
			q.SetLanguages(langs)
		}
		return q
	}
	s1 := svc("Nurse Visiting Program", "Registered nurses visit first-time parents at home.", k.harbor, []string{"en"}).SaveX(ctx)
	c.ServiceAtLocation.Create().SetService(s1).SetLocation(near).SaveX(ctx)
	s2 := svc("Family Partners", "Support for parents of toddlers.", k.bluebird, []string{"en"}, k.nurseHV).SaveX(ctx)
	c.ServiceAtLocation.Create().SetService(s2).SetLocation(far).SaveX(ctx)
	s3 := svc("Diaper Bank", "Free diapers every month; visiting hours Tuesday.", k.harbor, []string{"en"}, k.diapers).SaveX(ctx)
	c.ServiceAtLocation.Create().SetService(s3).SetLocation(hidden).SaveX(ctx)
	svc("Visitas en casa para familias", "Una enfermera visita a las familias en su casa durante el embarazo.", k.bluebird, []string{"es"}, k.homeVisit).SaveX(ctx)
	svc("Newborn Check", "A home visit for every baby in the city.", k.harbor, nil).SetProgram(prog).SetInternalNotes("Secret zebra notes").SaveX(ctx)
	svc("Old Parenting Class", "Parenting classes (closed).", k.bluebird, nil).SetStatus("DEFUNCT").SaveX(ctx)
	c.Resource.Create().SetTitle("Home visiting toolkit").SetSummary("How nurses plan a first home visit.").SetKind(resource.KindTOOLKIT).
		SetStatus(resource.StatusPUBLISHED).SetPublisher(k.bluebird).AddTopics(k.homeVisit).SaveX(ctx)
	c.Resource.Create().SetTitle("Draft zebra guide").SetSummary("Unreviewed nurse material.").SetKind(resource.KindTOOLKIT).
		SetStatus(resource.StatusSUBMITTED).SaveX(ctx)
	return k
}

// names runs a search as ctx and returns the results' names in order.
func (k *corpus) names(t *testing.T, ctx context.Context, q search.Query) []string {
	t.Helper()
	out, err := k.e.Search(ctx, q)
	if err != nil {
		t.Fatalf("search %q: %v", q.Text, err)
	}
	var names []string
	for _, h := range out.All() {
		names = append(names, k.name(t, h))
	}
	return names
}

func (k *corpus) name(t *testing.T, h *search.Hit) string {
	t.Helper()
	switch h.Type {
	case search.TypeService:
		return k.c.Service.GetX(k.ctx, h.ID).Name
	case search.TypeProgram:
		return "program " + k.c.Program.GetX(k.ctx, h.ID).Name
	case search.TypeOrganization:
		return "org " + k.c.Organization.GetX(k.ctx, h.ID).Name
	case search.TypeResource:
		return "resource " + k.c.Resource.GetX(k.ctx, h.ID).Title
	}
	t.Fatalf("unknown type %v", h.Type)
	return ""
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func contains(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: %q not among %q", what, w, got)
		}
	}
}

func lacks(t *testing.T, what string, got []string, not ...string) {
	t.Helper()
	for _, w := range not {
		if slices.Contains(got, w) {
			t.Errorf("%s: %q found in %q", what, w, got)
		}
	}
}
