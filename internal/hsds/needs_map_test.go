package hsds

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/internal/write"
)

// needsMapPackage is a package whose one service is tagged with a term of
// its own vocabulary ("Local Codes", code HV-1), and no Village need.
func needsMapPackage(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"organizations.csv":  "id,name,description\n1234,Harbor Org,An organization\n",
		"services.csv":       "id,organization_id,name,status\nsvc-9,1234,Harbor Home Visits,active\n",
		"taxonomy_terms.csv": "id,code,name,description,taxonomy\nt-7,HV-1,Home visits,Visits at home,Local Codes\nt-8,FD-2,Food pantry,Food,Local Codes\n",
		"attributes.csv":     "id,link_id,taxonomy_term_id,link_type,link_entity,value\na-1,svc-9,t-7,service,service,\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeCrosswalk(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "needs.csv")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var massachusetts = "MA"

// matchedNames are the services match finds in Massachusetts for need.
func matchedNames(t *testing.T, c *ent.Client, need string) []string {
	t.Helper()
	m := match.New(c, nil)
	out, err := m.Match(context.Background(), match.Family{State: &massachusetts, Needs: []string{need}}, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The index keeps no service rows: the results' names are read again.
	if err := m.Rows(context.Background(), out.Results, nil); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range out.Results {
		names = append(names, r.Service.Name)
	}
	return names
}

// After a crosswalk maps an imported term to a need, match(needs:) finds
// the imported service tagged with it; applying it again changes nothing.
func TestNeedsMapMakesImportedServicesMatch(t *testing.T) {
	pkg := needsMapPackage(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		c.TaxonomyTerm.Create().SetVocabulary(schema.NeedsVocabulary).SetCode("home-visiting").SetName("Home visiting").ExecX(ctx)
		importMust(t, db, pkg, ImportOptions{})
		svc := c.Service.Query().OnlyX(ctx)
		c.ServiceArea.Create().SetServiceID(svc.ID).SetKind(servicearea.KindNATIONWIDE).ExecX(ctx)
		if got := matchedNames(t, c, "home-visiting"); len(got) != 0 {
			t.Fatalf("before the crosswalk the need is met by %v", got)
		}

		if _, err := ReadNeedsMap(ctx, c, writeCrosswalk(t, "vocabulary,term,need\nLocal Codes,HV-1,no-such-need\n")); err == nil ||
			!strings.Contains(err.Error(), "row 1 field need") {
			t.Errorf("an unknown need: %v", err)
		}
		file := writeCrosswalk(t, "vocabulary,term_code_or_name,need\nLocal Codes,home VISITS,home-visiting\nLocal Codes,XX-0,home-visiting\n")
		rows, err := ReadNeedsMap(ctx, c, file)
		if err != nil {
			t.Fatal(err)
		}
		res, err := ApplyNeedsMap(ctx, c, file, rows)
		if err != nil {
			t.Fatal(err)
		}
		if res.Mapped != 1 || len(res.Warnings) != 1 || res.Warnings[0].Row != 2 {
			t.Errorf("applied %+v", res)
		}
		if got := matchedNames(t, c, "home-visiting"); !slices.Equal(got, []string{"Harbor Home Visits"}) {
			t.Errorf("after the crosswalk the need is met by %v", got)
		}
		events := c.ChangeEvent.Query().CountX(ctx)
		if res, err := ApplyNeedsMap(ctx, c, file, rows); err != nil || res.Mapped != 0 || res.Unchanged != 1 {
			t.Errorf("applied again: %+v %v", res, err)
		}
		if n := c.ChangeEvent.Query().CountX(ctx); n != events {
			t.Errorf("applying the crosswalk again logged %d events", n-events)
		}
		// A re-import of the package keeps the mapping.
		importMust(t, db, pkg, ImportOptions{})
		if got := matchedNames(t, c, "home-visiting"); len(got) != 1 {
			t.Errorf("after a re-import the need is met by %v", got)
		}
	})
}

// setTermNeed: admins only; it maps and clears, logged as an update.
func TestSetTermNeed(t *testing.T) {
	pkg := needsMapPackage(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		need := c.TaxonomyTerm.Create().SetVocabulary(schema.NeedsVocabulary).SetCode("home-visiting").SetName("Home visiting").SaveX(ctx)
		importMust(t, db, pkg, ImportOptions{})
		svc := c.Service.Query().OnlyX(ctx)
		c.ServiceArea.Create().SetServiceID(svc.ID).SetKind(servicearea.KindNATIONWIDE).ExecX(ctx)
		term := c.TaxonomyTerm.Query().Where().AllX(ctx)
		var hv *ent.TaxonomyTerm
		for _, x := range term {
			if x.Code == "HV-1" {
				hv = x
			}
		}
		w := write.New(c)
		code := "home-visiting"
		editor := auth.WithViewer(ctx, auth.Viewer{Role: auth.Editor, Name: "editor"})
		if _, err := w.SetTermNeed(editor, hv.ID, &code); err == nil {
			t.Error("an editor mapped a term to a need")
		}
		admin := auth.WithViewer(ctx, auth.Viewer{Role: auth.Admin, Name: "admin"})
		bad := "nope"
		if _, err := w.SetTermNeed(admin, hv.ID, &bad); err == nil {
			t.Error("an unknown need was accepted")
		}
		// PostgreSQL cannot hold a NUL: the need is bad input, not an
		// internal error (the GraphQL fuzzer found this).
		nul := "nul\x00byte"
		var fe *write.FieldError
		if _, err := w.SetTermNeed(admin, hv.ID, &nul); !errors.As(err, &fe) || fe.Field != "need" {
			t.Errorf("a need holding a NUL: %v, want a field error at need", err)
		}
		if _, err := w.SetTermNeed(admin, need.ID, &code); err == nil {
			t.Error("a need was mapped to a need")
		}
		got, err := w.SetTermNeed(admin, hv.ID, &code)
		if err != nil {
			t.Fatal(err)
		}
		if got.NeedID == nil || *got.NeedID != need.ID || got.Version != hv.Version+1 {
			t.Errorf("term after setTermNeed: need %v version %d", got.NeedID, got.Version)
		}
		if names := matchedNames(t, c, "home-visiting"); len(names) != 1 {
			t.Errorf("after setTermNeed the need is met by %v", names)
		}
		if _, err := w.SetTermNeed(admin, hv.ID, nil); err != nil {
			t.Fatal(err)
		}
		if names := matchedNames(t, c, "home-visiting"); len(names) != 0 {
			t.Errorf("after clearing the need is met by %v", names)
		}
	})
}
