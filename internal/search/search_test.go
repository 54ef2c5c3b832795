package search_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/search"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

func anonymous() context.Context {
	return auth.WithViewer(context.Background(), auth.Viewer{Role: auth.Anonymous})
}

func as(role auth.Role) context.Context {
	return auth.WithViewer(context.Background(), auth.Viewer{Role: role, Name: "test"})
}

// TestSearchFindsWhatPeopleType: stems, one typo, needs' names, Spanish,
// organization names.
func TestSearchFindsWhatPeopleType(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		k := newCorpus(t, db)
		ctx := anonymous()
		got := k.names(t, ctx, search.Query{Text: "visits"})
		contains(t, "visits finds visiting", got, "Nurse Visiting Program", "Family Partners", "resource Home visiting toolkit",
			"Visitas en casa para familias", "Newborn Check", "program Welcome Baby", "Diaper Bank")

		got = k.names(t, ctx, search.Query{Text: "nurce"})
		equal(t, "nurce finds nurse", got, []string{"Nurse Visiting Program", "Family Partners", "resource Home visiting toolkit"})
		equal(t, "a typo is not forgiven in a short word", k.names(t, ctx, search.Query{Text: "bsby"}), nil)

		got = k.names(t, ctx, search.Query{Text: "home visiting"})
		contains(t, "home visiting finds the services with that need", got, "Family Partners", "Visitas en casa para familias")
		if got[0] != "resource Home visiting toolkit" && got[0] != "Nurse Visiting Program" {
			t.Errorf("home visiting: a title or name holding both words first, got %q", got)
		}
		lacks(t, "every word must be found", got, "Diaper Bank")

		got = k.names(t, ctx, search.Query{Text: "visitas en casa"})
		if len(got) == 0 || got[0] != "Visitas en casa para familias" {
			t.Errorf("visitas en casa: want the Spanish service first, got %q", got)
		}
		got = k.names(t, ctx, search.Query{Text: "enfermeras"})
		equal(t, "Spanish stemmed as Spanish", got, []string{"Visitas en casa para familias"})

		got = k.names(t, ctx, search.Query{Text: "Bluebird"})
		equal(t, "an organization's name finds its services", got, []string{"org Bluebird Alliance", "Family Partners",
			"Visitas en casa para familias", "resource Home visiting toolkit", "Old Parenting Class"})
		got = k.names(t, ctx, search.Query{Text: "welcome baby"})
		equal(t, "a program's name finds its services", got, []string{"program Welcome Baby", "Newborn Check"})

		got = k.names(t, ctx, search.Query{Text: "newborn"})
		equal(t, "names above descriptions", got, []string{"Newborn Check", "program Welcome Baby"})
		got = k.names(t, ctx, search.Query{Text: "informacion", Types: []search.Type{search.TypeService}})
		equal(t, "nothing found", got, nil)
	})
}

func before(t *testing.T, what string, got []string, first, second string) {
	t.Helper()
	i, j := -1, -1
	for n, g := range got {
		if g == first {
			i = n
		}
		if g == second {
			j = n
		}
	}
	if i < 0 || j < 0 || i > j {
		t.Errorf("%s: want %q before %q, got %q", what, first, second, got)
	}
}

// TestSearchFilters: types and needs keep the results to what they name.
func TestSearchFilters(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		k := newCorpus(t, db)
		ctx := anonymous()
		got := k.names(t, ctx, search.Query{Text: "visit", Types: []search.Type{search.TypeResource, search.TypeProgram}})
		equal(t, "types", got, []string{"resource Home visiting toolkit", "program Welcome Baby"})
		got = k.names(t, ctx, search.Query{Text: "visit", Needs: []string{"home-visiting"}})
		// Services meeting the need or a narrower one; the toolkit by its
		// topic; the organizations by their services.
		equal(t, "needs", got, []string{"Visitas en casa para familias", "resource Home visiting toolkit", "Family Partners"})
		_, err := k.e.Search(ctx, search.Query{Text: "visit", Needs: []string{"nope"}})
		fieldError(t, err, "needs[0]")
	})
}

func fieldError(t *testing.T, err error, field string) {
	t.Helper()
	var fe *directory.FieldError
	if !errors.As(err, &fe) || fe.Field != field {
		t.Errorf("want a bad-input error at %s, got %v", field, err)
	}
}

// TestSearchBadInput: empty, too long, too many words.
func TestSearchBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		k := newCorpus(t, db)
		ctx := anonymous()
		for _, text := range []string{"", "   ", strings.Repeat("a", search.MaxTextLength+1), strings.Repeat("word ", 30) + manyWords(30)} {
			_, err := k.e.Search(ctx, search.Query{Text: text})
			fieldError(t, err, "text")
		}
		_, err := k.e.Search(ctx, search.Query{Text: "x", Field: "search"})
		if err != nil {
			t.Errorf("a one-letter search is no error: %v", err)
		}
		_, err = k.e.Search(ctx, search.Query{Text: "", Field: "search"})
		fieldError(t, err, "search")
	})
}

// TestSearchNear: of equally relevant results, nearer first, measured only
// to the locations the viewer may see.
func TestSearchNear(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		k := newCorpus(t, db)
		home := &search.Point{Lat: dorchesterLat, Lon: dorchesterLon}
		farPoint := &search.Point{Lat: dorchesterLat + 0.5, Lon: dorchesterLon}
		q := search.Query{Text: "harbor", Near: home}
		equal(t, "anonymous: the shelter is not measured to", k.names(t, anonymous(), q),
			[]string{"org Harbor Family Services", "Nurse Visiting Program", "Diaper Bank", "Newborn Check"})
		equal(t, "staff: the shelter is nearest", k.names(t, as(auth.Staff), q),
			[]string{"org Harbor Family Services", "Diaper Bank", "Nurse Visiting Program", "Newborn Check"})
		q.Near = farPoint
		equal(t, "staff, from the north", k.names(t, as(auth.Staff), q),
			[]string{"org Harbor Family Services", "Nurse Visiting Program", "Diaper Bank", "Newborn Check"})
		out, err := k.e.Search(anonymous(), search.Query{Text: "harbor", Near: home})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range out.All() {
			name := k.name(t, h)
			switch name {
			case "Nurse Visiting Program", "org Harbor Family Services":
				if h.DistanceKm == nil || fmt.Sprintf("%.2f", *h.DistanceKm) != "11.12" {
					t.Errorf("%s: distance %v, want 11.12 km", name, h.DistanceKm)
				}
			default:
				if h.DistanceKm != nil {
					t.Errorf("%s: distance %v, want none (no location the public may see)", name, *h.DistanceKm)
				}
			}
		}
		p := search.Place{ZIP: ptr("02121")}
		pt, err := p.Resolve("near")
		if err != nil || pt == nil || fmt.Sprintf("%.4f,%.4f", pt.Lat, pt.Lon) != "42.2973,-71.0745" {
			t.Errorf("ZIP 02121 resolves to %v, %v", pt, err)
		}
		_, err = search.Place{ZIP: ptr("2121")}.Resolve("near")
		fieldError(t, err, "near.zip")
		if pt, err := (search.Place{State: ptr("MA")}).Resolve("near"); pt != nil || err != nil {
			t.Errorf("a state alone: no point and no error, got %v, %v", pt, err)
		}
		_, err = search.Place{State: ptr("Massachusetts")}.Resolve("near")
		fieldError(t, err, "near.state")
	})
}

func manyWords(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "word%d ", i)
	}
	return b.String()
}

func ptr[T any](v T) *T { return &v }

// TestSearchPrivate: what a viewer may not read is not found, by role.
func TestSearchPrivate(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		k := newCorpus(t, db)
		for _, role := range []auth.Role{auth.Anonymous, auth.Reader, auth.Staff, auth.Editor, auth.Admin} {
			got := k.names(t, as(role), search.Query{Text: "zebra"})
			var want []string
			if role == auth.Admin {
				want = []string{"resource Draft zebra guide"} // reviews it; internal notes are never indexed
			}
			equal(t, string(role)+" searching zebra", got, want)
			got = k.names(t, as(role), search.Query{Text: "nurse"})
			if role == auth.Admin {
				contains(t, "admin", got, "resource Draft zebra guide")
			} else {
				lacks(t, string(role), got, "resource Draft zebra guide")
			}
		}
		// Scores and order of what the public sees do not move when a
		// hidden record is added.
		before := k.names(t, anonymous(), search.Query{Text: "nurse"})
		scores := func() string {
			out, err := k.e.Search(anonymous(), search.Query{Text: "nurse"})
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(len(out.All()), out.All()[0].Score)
		}
		s0 := scores()
		k.c.Resource.Create().SetTitle("Another nurse draft").SetKind("GUIDE").SetStatus("SUBMITTED").SaveX(k.ctx)
		equal(t, "after a hidden write", k.names(t, anonymous(), search.Query{Text: "nurse"}), before)
		if s1 := scores(); s1 != s0 {
			t.Errorf("a hidden record changed what the public sees: %s, then %s", s0, s1)
		}
	})
}

// TestSearchFresh: a committed write is found by the next search.
func TestSearchFresh(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		k := newCorpus(t, db)
		ctx := anonymous()
		equal(t, "before", k.names(t, ctx, search.Query{Text: "lactation"}), nil)
		s := k.c.Service.Create().SetName("Lactation Circle").SetOrganization(k.harbor).SaveX(k.ctx)
		equal(t, "created", k.names(t, ctx, search.Query{Text: "lactation"}), []string{"Lactation Circle"})
		k.c.Service.UpdateOne(s).SetName("Breastfeeding Circle").ExecX(k.ctx)
		equal(t, "renamed: old name", k.names(t, ctx, search.Query{Text: "lactation"}), nil)
		equal(t, "renamed: new name", k.names(t, ctx, search.Query{Text: "breastfeeding"}), []string{"Breastfeeding Circle"})
		k.c.Organization.UpdateOne(k.harbor).SetName("Seaside Family Services").ExecX(k.ctx)
		contains(t, "organization renamed", k.names(t, ctx, search.Query{Text: "seaside"}), "Breastfeeding Circle", "Diaper Bank")
		k.c.Service.DeleteOne(s).ExecX(k.ctx)
		equal(t, "deleted", k.names(t, ctx, search.Query{Text: "breastfeeding"}), nil)
	})
}

// TestSearchPaging: pages cut at cursors add up to the whole answer.
func TestSearchPaging(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		k := newCorpus(t, db)
		out, err := k.e.Search(anonymous(), search.Query{Text: "visit"})
		if err != nil {
			t.Fatal(err)
		}
		var all, paged []string
		for _, h := range out.All() {
			all = append(all, k.name(t, h))
		}
		after := ""
		for range 10 {
			page, hasNext, hasPrev, err := out.Page(after, 3)
			if err != nil {
				t.Fatal(err)
			}
			if hasPrev != (after != "") {
				t.Errorf("hasPrevious %v after %q", hasPrev, after)
			}
			for _, h := range page {
				paged = append(paged, k.name(t, h))
			}
			if !hasNext {
				break
			}
			after = page[len(page)-1].Cursor()
		}
		equal(t, "pages", paged, all)
		if len(all) < 7 {
			t.Errorf("want at least 7 results to page through, got %q", all)
		}
		if _, _, _, err := out.Page("garbage", 3); err == nil {
			t.Error("a foreign cursor is refused")
		}
		// Pages of every size, near a place (distances measured only for
		// the results a page's order depends on) and not, cut the whole
		// order, as every role sees it.
		for _, near := range []*search.Point{nil, {Lat: dorchesterLat, Lon: dorchesterLon}, {Lat: dorchesterLat + 0.5, Lon: dorchesterLon}} {
			for _, ctx := range []context.Context{anonymous(), as(auth.Staff)} {
				for _, text := range []string{"visit", "harbor", "parents"} {
					q := search.Query{Text: text, Near: near}
					out, err := k.e.Search(ctx, q)
					if err != nil {
						t.Fatal(err)
					}
					var all []string
					for _, h := range out.All() {
						all = append(all, fmt.Sprintf("%s %v %.6f", k.name(t, h), distance(h), h.Score))
					}
					for size := 1; size <= 4; size++ {
						out, err := k.e.Search(ctx, q) // a fresh outcome: nothing measured yet
						if err != nil {
							t.Fatal(err)
						}
						var paged []string
						after := ""
						for range 20 {
							page, hasNext, _, err := out.Page(after, size)
							if err != nil {
								t.Fatal(err)
							}
							for _, h := range page {
								paged = append(paged, fmt.Sprintf("%s %v %.6f", k.name(t, h), distance(h), h.Score))
							}
							if !hasNext {
								break
							}
							after = page[len(page)-1].Cursor()
						}
						equal(t, fmt.Sprintf("%q near %v, pages of %d", text, near, size), paged, all)
					}
				}
			}
		}
	})
}

func distance(h *search.Hit) string {
	if h.DistanceKm == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *h.DistanceKm)
}

// TestSearchHighlights: the ranges point at the matched words.
func TestSearchHighlights(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		k := newCorpus(t, db)
		long := strings.Repeat("Families in the neighbourhood find help here. ", 6) + "Nurses visit newborns at home. " + strings.Repeat("Call us any day. ", 8)
		k.c.Service.Create().SetName("Long Story").SetDescription(long).SetOrganization(k.harbor).SaveX(k.ctx)
		ctx := anonymous()
		out, err := k.e.Search(ctx, search.Query{Text: "nurce visits"})
		if err != nil {
			t.Fatal(err)
		}
		page, _, _, _ := out.Page("", 20)
		hls, err := k.e.Highlights(ctx, out, page)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		for i, h := range page {
			name := k.name(t, h)
			if len(hls[i]) == 0 {
				t.Errorf("%s: no highlight", name)
			}
			for _, hl := range hls[i] {
				r := []rune(hl.Text)
				var marked []string
				for _, m := range hl.Matches {
					marked = append(marked, string(r[m.Start:m.End]))
				}
				seen[name+" "+hl.Field] = hl.Text + " " + strings.Join(marked, ",")
			}
		}
		want := map[string]string{
			"Nurse Visiting Program name": "Nurse Visiting Program Nurse,Visiting",
			"Family Partners needs.name":  "Nurse home visiting Nurse,visiting",
			"Long Story description":      "…in the neighbourhood find help here. Nurses visit newborns at home. Call us any day. Call us any day. Call us any day. Call us any day. Call us any day. Call us… Nurses,visit",
		}
		for key, w := range want {
			if seen[key] != w {
				t.Errorf("%s:\n got %q\nwant %q", key, seen[key], w)
			}
		}
		if len(page) != 4 { // and the toolkit: "nurses ... visit"
			t.Errorf("nurce visits: want 4 results holding both words, got %d", len(page))
		}
		for key := range seen {
			if strings.Contains(key, "zebra") || strings.Contains(seen[key], "Secret") {
				t.Errorf("hidden text highlighted: %s %s", key, seen[key])
			}
		}
	})
}

// TestSearchSameOrderOnBothBackends: the test corpus answers every query in
// the same order on SQLite and PostgreSQL.
func TestSearchSameOrderOnBothBackends(t *testing.T) {
	queries := []search.Query{{Text: "visit"}, {Text: "nurce"}, {Text: "home visiting"}, {Text: "harbor", Near: &search.Point{Lat: dorchesterLat, Lon: dorchesterLon}},
		{Text: "familias casa"}, {Text: "parent"}, {Text: "bluebird visit"}}
	answers := map[string][]string{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		k := newCorpus(t, db)
		var all []string
		for _, q := range queries {
			all = append(all, q.Text+": "+strings.Join(k.names(t, anonymous(), q), "; "))
		}
		answers[t.Name()] = all
	})
	var first []string
	for name, a := range answers {
		if first == nil {
			first = a
			continue
		}
		equal(t, name+" against the other backend", a, first)
	}
	if len(answers) < 2 {
		t.Log("only one backend ran")
	}
}

// TestSearchStemsEachTextInItsLanguage: stemmed as Spanish, "comida" is
// "com", which an English text's "come" and "vitalchek.com" must not match
// (Open211 Miami's real export, all in English, answered "comida" with
// "Kids Come First" and every ".com" address). A text is read in the
// language its words show, whatever languages the service is offered in,
// and Spanish stems never meet English ones.
func TestSearchStemsEachTextInItsLanguage(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		org := c.Organization.Create().SetName("Kids Come First in the Keys").
			SetDescription("The mission of Kids Come First is to provide school supplies to every child.").SaveX(ctx)
		c.Service.Create().SetName("Birth certificates").SetOrganization(org).SetLanguages([]string{"en", "es"}).
			SetDescription("Orders can be placed at vitalchek.com, and the fees are paid by card.").ExecX(ctx)
		c.Service.Create().SetName("Banco de comida").SetOrganization(org).
			SetDescription("Entrega de comida para las familias con niños pequeños.").ExecX(ctx)
		e := search.New(c)
		out, err := e.Search(anonymous(), search.Query{Text: "comida"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range out.All() {
			got = append(got, fmt.Sprint(h.Type, " ", h.ID))
		}
		if len(got) != 1 {
			t.Errorf("comida found %d records (%v), want the Spanish food bank alone", len(got), got)
		}
		out, err = e.Search(anonymous(), search.Query{Text: "come first"})
		if err != nil || out.Total() < 2 {
			t.Errorf("come first: %v, %v results; want the organization and its services", err, out.Total())
		}
	})
}
