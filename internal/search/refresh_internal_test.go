package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// describe writes out everything an index holds, by record type and ID
// and by stem, never by record or term number, so that two indexes of the
// same directory describe alike whatever built them (a refreshed index
// numbers new records after its last, and keeps dead ones).
func describe(ix *index) string {
	var b strings.Builder
	key := func(i int32) string {
		if i < 0 {
			return "-"
		}
		return fmt.Sprintf("%v:%d", ix.docs[i].typ, ix.docs[i].id)
	}
	var docs []int32
	for i := range ix.docs {
		if !ix.docs[i].dead {
			docs = append(docs, int32(i))
		}
	}
	slices.SortFunc(docs, func(a, c int32) int {
		return cmp.Or(cmp.Compare(ix.docs[a].typ, ix.docs[c].typ), cmp.Compare(ix.docs[a].id, ix.docs[c].id))
	})
	for _, i := range docs {
		d := &ix.docs[i]
		if got, ok := ix.find(docKey{d.typ, d.id}); !ok || got != i {
			fmt.Fprintf(&b, "the key of %s finds %d, not %d\n", key(i), got, i)
		}
		locs, points := ix.placesOf(i)
		type place struct {
			located
			v [3]float64
		}
		var places []place
		for j := range locs {
			places = append(places, place{locs[j], points[j]})
		}
		slices.SortFunc(places, func(a, c place) int {
			return cmp.Or(cmp.Compare(a.location, c.location), cmp.Compare(a.link, c.link))
		})
		var words []string
		for _, r := range of(ix.words, d.words) {
			words = append(words, fmt.Sprintf("%s/%d", ix.word(int32(r>>2)), r&3))
		}
		slices.Sort(words)
		fmt.Fprintf(&b, "%s live=%v restricted=%v status=%q name=%q lang=%d parents=%s,%s terms=%v places=%+v words=%v\n",
			key(i), d.live, d.restricted, ix.status(i), ix.name(i), d.lang, key(d.parent[0]), key(d.parent[1]), ix.termsOf(i), places, words)
	}
	if ix.keys.n != len(docs) {
		fmt.Fprintf(&b, "the keys are of %d records, %d live\n", ix.keys.n, len(docs))
	}
	fmt.Fprintf(&b, "public %d\n", ix.public)
	var stems []string
	for n := range int32(len(ix.stems)) {
		if ix.alive(n) {
			stems = append(stems, ix.stem(n))
		}
	}
	slices.Sort(stems)
	for _, stem := range stems {
		n, ok := ix.termOf(stem)
		if !ok {
			fmt.Fprintf(&b, "term %q not found by its stem\n", stem)
			continue
		}
		var posts []string
		for _, p := range ix.postings(n) {
			posts = append(posts, fmt.Sprintf("%s/%d", key(p.doc()), p.classes()))
		}
		slices.Sort(posts)
		fmt.Fprintf(&b, "term %q pinned=%v df=%d idf=%v: %v\n", stem, ix.pinned[n], ix.df[n], ix.idf[n], posts)
	}
	stemOf := func(n int32) string {
		if n < 0 {
			return "-"
		}
		return ix.stem(n)
	}
	var surfaces []string
	for i, s := range ix.surfaces {
		if got, ok := ix.surfaceNumber(ix.word(int32(i))); !ok || got != int32(i) {
			fmt.Fprintf(&b, "word %q finds surface %d, not %d\n", ix.word(int32(i)), got, i)
		}
		if s.nEn > 0 || s.nEs > 0 {
			en, es := "-", "-"
			if s.nEn > 0 {
				en = stemOf(s.en)
			}
			if s.nEs > 0 {
				es = stemOf(s.es)
			}
			surfaces = append(surfaces, fmt.Sprintf("word %q en=%s×%d es=%s×%d", ix.word(int32(i)), en, s.nEn, es, s.nEs))
		}
	}
	slices.Sort(surfaces)
	// Every surface under its two buckets, in order.
	for i, list := range [][]bucketed{ix.byFirst, ix.bySecond} {
		want := make([]bucketed, len(ix.surfaces))
		for s := range ix.surfaces {
			n, r0, r1 := firstRunes(ix.word(int32(s)))
			want[s] = bucketed{bucketKey(n, [2]rune{r0, r1}[i]), int32(s)}
		}
		slices.SortFunc(want, compareBucketed)
		if !slices.Equal(list, want) {
			fmt.Fprintf(&b, "typo buckets %d: %v, want %v\n", i, list, want)
		}
	}
	b.WriteString(strings.Join(surfaces, "\n"))
	return b.String()
}

// TestRefreshReadsOnlyWhatChanged: after each kind of write, the index a
// search gets is brought up to date by reading only the records the write
// touched, and describes exactly, and searches exactly, what a whole build
// of the directory would.
func TestRefreshReadsOnlyWhatChanged(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		homeVisit := c.TaxonomyTerm.Create().SetCode("home-visiting").SetName("Home visiting").SetVocabulary("village-needs").SaveX(ctx)
		diapers := c.TaxonomyTerm.Create().SetCode("basic-needs").SetName("Diapers and formula").SetVocabulary("village-needs").SaveX(ctx)
		harbor := c.Organization.Create().SetName("Harbor Family Services").SetDescription("A nonprofit in Dorchester.").SaveX(ctx)
		beacon := c.Organization.Create().SetName("Beacon Alliance").SaveX(ctx)
		prog := c.Program.Create().SetName("Welcome Baby").SetDescription("A first visit for every newborn.").SetOrganization(harbor).SaveX(ctx)
		site := c.Location.Create().SetName("Office").SetOrganization(harbor).SetLatitude(42.3).SetLongitude(-71.07).SaveX(ctx)
		other := c.Location.Create().SetName("Annex").SetOrganization(beacon).SetLatitude(42.4).SetLongitude(-71.1).SaveX(ctx)
		mk := func(name, desc string, org *ent.Organization, terms ...*ent.TaxonomyTerm) *ent.Service {
			return c.Service.Create().SetName(name).SetDescription(desc).SetOrganization(org).AddNeeds(terms...).SaveX(ctx)
		}
		nurse := mk("Nurse Visiting Program", "Registered nurses visit first-time parents at home.", harbor, homeVisit)
		partners := mk("Family Partners", "Apoyo para familias con niños pequeños.", beacon, homeVisit)
		bank := mk("Diaper Bank", "Diapers every month.", beacon, diapers)
		c.Service.UpdateOne(bank).SetProgram(prog).ExecX(ctx)
		link := c.ServiceAtLocation.Create().SetService(nurse).SetLocation(site).SaveX(ctx)
		guide := c.Resource.Create().SetTitle("Sleep guide").SetSummary("Safe sleep for newborns.").SetKind("TOOLKIT").
			SetStatus("PUBLISHED").SetPublisher(harbor).AddTopics(homeVisit).SaveX(ctx)
		phone := c.Phone.Create().SetNumber("617-555-0100").SetService(nurse).SaveX(ctx)

		e := New(c)
		if err := e.Warm(ctx); err != nil {
			t.Fatal(err)
		}
		var created *ent.Service
		queries := []string{"nurse visits", "home visiting", "diaper", "harbour", "familias", "newborn", "beacon health", "welcome"}
		for _, w := range []struct {
			name        string
			write       func()
			incremental bool
			read        int // records read again
		}{
			{"a service created", func() {
				created = mk("Doula Circle", "Doulas for new mothers near Harbor.", harbor, diapers)
			}, true, 1},
			{"a service updated", func() {
				c.Service.UpdateOne(nurse).SetName("Nurse Home Visits").SetDescription("Nurses visit parents.").ExecX(ctx)
			}, true, 1},
			{"a service's needs changed", func() { c.Service.UpdateOne(bank).AddNeeds(homeVisit).ExecX(ctx) }, true, 1},
			{"a service made inactive", func() { c.Service.UpdateOne(partners).SetStatus("INACTIVE").ExecX(ctx) }, true, 1},
			{"a resource unpublished", func() { c.Resource.UpdateOne(guide).SetStatus("SUBMITTED").ExecX(ctx) }, true, 1},
			{"an organization renamed (its services' words)", func() {
				c.Organization.UpdateOne(beacon).SetName("Beacon Health").ExecX(ctx)
			}, true, 3}, // Beacon, Family Partners, Diaper Bank
			{"a program renamed", func() { c.Program.UpdateOne(prog).SetName("Welcome Home").ExecX(ctx) }, true, 2},
			{"a location moved", func() { c.Location.UpdateOne(site).SetLatitude(42.35).ExecX(ctx) }, true, 2}, // Harbor, nurse
			{"a link added", func() { c.ServiceAtLocation.Create().SetService(bank).SetLocation(other).ExecX(ctx) }, true, 1},
			{"a link removed", func() { c.ServiceAtLocation.DeleteOne(link).ExecX(ctx) }, true, 1},
			{"a phone changed (not read by search)", func() { c.Phone.UpdateOne(phone).SetNumber("617-555-0101").ExecX(ctx) }, true, 0},
			{"a service deleted", func() {
				c.ServiceAtLocation.Delete().Where(serviceatlocation.ServiceID(created.ID)).ExecX(ctx)
				c.Service.DeleteOneID(created.ID).ExecX(ctx)
			}, true, 1},
			{"a service created again (numbered after the dead)", func() {
				created = mk("Doula Circle", "Doulas for new mothers.", harbor, diapers)
			}, true, 1},
			{"a need renamed: everything built again", func() {
				c.TaxonomyTerm.UpdateOne(homeVisit).SetName("Home visits").ExecX(ctx)
			}, false, -1},
		} {
			before, _ := e.current(ctx)
			w.write()
			got, err := e.current(ctx)
			if err != nil {
				t.Fatalf("%s: %v", w.name, err)
			}
			if got == before {
				t.Fatalf("%s: the index did not move", w.name)
			}
			if got.incremental != w.incremental {
				t.Errorf("%s: incremental %v, want %v", w.name, got.incremental, w.incremental)
			}
			if w.incremental && got.reread != w.read {
				t.Errorf("%s: %d records read again, want %d", w.name, got.reread, w.read)
			}
			position, _ := feed.Position(ctx, c)
			whole, err := build(ctx, c, position)
			if err != nil {
				t.Fatal(err)
			}
			if g, want := describe(got), describe(whole); g != want {
				t.Errorf("%s: the refreshed index differs from a whole build:\n--- refreshed\n%s\n--- built\n%s", w.name, g, want)
			}
			fresh := &Engine{client: c, ix: whole}
			for _, viewer := range []auth.Viewer{{Role: auth.Anonymous}, {Role: auth.Admin}} {
				vctx := auth.WithViewer(ctx, viewer)
				for _, text := range queries {
					a, b := searchAll(t, vctx, e, text), searchAll(t, vctx, fresh, text)
					if a != b {
						t.Errorf("%s: %q as %v finds\n%s\nwhere a whole build finds\n%s", w.name, text, viewer.Role, a, b)
					}
				}
			}
		}

		// More writes than an incremental refresh takes: a whole build.
		e.maxRefreshEvents = 5
		for i := range 6 {
			c.Service.UpdateOne(bank).SetDescription(fmt.Sprintf("Diapers, round %d.", i)).ExecX(ctx)
		}
		got, err := e.current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.incremental {
			t.Error("past maxRefreshEvents the index was refreshed incrementally")
		}
	})
}

func searchAll(t *testing.T, ctx context.Context, e *Engine, text string) string {
	t.Helper()
	out, err := e.Search(ctx, Query{Text: text, Near: &Point{Lat: 42.3, Lon: -71.07}})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, h := range out.All() {
		fmt.Fprintf(&b, "%v %d %v %s\n", h.Type, h.ID, h.Score, h.Cursor())
		if h.DistanceKm != nil {
			fmt.Fprintf(&b, "  %v km\n", *h.DistanceKm)
		}
	}
	return b.String()
}
