package hsds

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"entgo.io/ent/dialect"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// importServiceDigest describes the services of a database by name with
// the fields the round trip must keep.
func importServiceDigest(t *testing.T, c *ent.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, s := range c.Service.Query().WithServiceAreas().WithOrganization().WithProgram().WithNeeds().AllX(ctx) {
		var areas []string
		for _, a := range s.Edges.ServiceAreas {
			areas = append(areas, fmt.Sprintf("%s:%s:%s", a.Kind, a.Code, a.Name))
		}
		sort.Strings(areas)
		// Normalisation: the CSV form does not keep the order of a
		// service's languages (languages.csv rows), so compare them as sets.
		langs := append([]string(nil), s.Languages...)
		sort.Strings(langs)
		el, _ := json.Marshal(s.Eligibility)
		dm, _ := json.Marshal(s.DeliveryModes)
		free := "nil"
		if s.Free != nil {
			free = fmt.Sprint(*s.Free)
		}
		var needs []string
		for _, n := range s.Edges.Needs {
			needs = append(needs, n.Vocabulary+"/"+n.Code)
		}
		sort.Strings(needs)
		program := ""
		if p := s.Edges.Program; p != nil {
			program = p.Name
		}
		out[s.Name] = fmt.Sprintf("org=%s program=%q status=%s sample=%v free=%s elig=%s modes=%s langs=%v areas=%v needs=%v",
			s.Edges.Organization.Name, program, s.Status, s.Sample, free, el, dm, langs, areas, needs)
	}
	for _, l := range c.Location.Query().AllX(ctx) {
		lat, lon := "nil", "nil"
		if l.Latitude != nil {
			lat, lon = fmt.Sprint(*l.Latitude), fmt.Sprint(*l.Longitude)
		}
		out["location "+l.Name] = fmt.Sprintf("%s %q %q %q %q %q %q %s,%s confidential=%v sample=%v prov=%q", l.LocationType, l.Address1, l.Address2, l.City, l.Region, l.PostalCode, l.Country, lat, lon, l.Confidential, l.Sample, l.Provenance)
	}
	for _, p := range c.Phone.Query().AllX(ctx) {
		out["phone "+p.Number] = fmt.Sprintf("%s ext=%q staff=%v %q", p.Type, p.Extension, p.StaffOnly, p.Description)
	}
	for _, a := range c.ServiceArea.Query().AllX(ctx) {
		if a.Kind == "RADIUS" {
			out["area "+a.Name] = fmt.Sprintf("%v %v %v", *a.CenterLatitude, *a.CenterLongitude, *a.RadiusKm)
		}
	}
	for _, p := range c.Program.Query().WithOrganization().AllX(ctx) {
		el, _ := json.Marshal(p.Eligibility)
		ev, _ := json.Marshal(p.Evidence)
		org := ""
		if p.Edges.Organization != nil {
			org = p.Edges.Organization.Name
		}
		out["program "+p.Name] = fmt.Sprintf("org=%q %q %q approach=%s settings=%v audiences=%v through=%v elig=%s evidence=%s url=%q sample=%v",
			org, p.AlternateName, p.Description, p.Approach, p.Settings, p.Audiences, deref(p.ServesThroughMonths), el, ev, p.URL, p.Sample)
	}
	for _, f := range c.Funding.Query().WithOrganization().WithProgram().WithService().WithFunder().AllX(ctx) {
		if f.ResourceID != nil {
			continue // a library resource's: not exported (see doc.go)
		}
		var links []string
		if f.Edges.Organization != nil {
			links = append(links, "org="+f.Edges.Organization.Name)
		}
		if f.Edges.Program != nil {
			links = append(links, "program="+f.Edges.Program.Name)
		}
		if f.Edges.Service != nil {
			links = append(links, "service="+f.Edges.Service.Name)
		}
		if f.Edges.Funder != nil {
			links = append(links, "funder="+f.Edges.Funder.Name)
		}
		out["funding "+f.Source+" "+strings.Join(links, ",")] = fmt.Sprintf("%q %v", f.Description, deref(f.AmountUsd))
	}
	for _, term := range c.TaxonomyTerm.Query().WithParent().AllX(ctx) {
		parent := ""
		if term.Edges.Parent != nil {
			parent = term.Edges.Parent.Code
		}
		out["term "+term.Vocabulary+"/"+term.Code] = fmt.Sprintf("%q %q parent=%q", term.Name, term.Description, parent)
	}
	for _, o := range c.Organization.Query().AllX(ctx) {
		out["organization "+o.Name] = fmt.Sprintf("%q %q %q sample=%v prov=%q", o.Website, o.Email, o.LegalStatus, o.Sample, o.Provenance)
	}
	return out
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// importExportSeeded exports the seeded directory (samples included) in
// format to a new folder, and gives the source database and the folder.
func importExportSeeded(t *testing.T, format string) (*store.DB, string) {
	t.Helper()
	src := testdb.Open(t, dialect.SQLite, store.Options{})
	reimportSeeded(t, src)
	dir := t.TempDir()
	if _, err := Export(context.Background(), src.Client, format, dir); err != nil {
		t.Fatalf("export: %v", err)
	}
	return src, dir
}

// TestImportRoundTripSeeded exports the seeded directory (the export side
// of this package), imports it into an empty database and compares the
// services field by field.
func TestImportRoundTripSeeded(t *testing.T) {
	for _, format := range []string{"csv", "json"} {
		t.Run(format, func(t *testing.T) {
			src, dir := importExportSeeded(t, format)
			dst := testdb.Open(t, dialect.SQLite, store.Options{})
			rep := importMust(t, dst, dir, ImportOptions{})
			if testing.Verbose() {
				t.Log(rep)
			}
			want, got := importServiceDigest(t, src.Client), importServiceDigest(t, dst.Client)
			if len(got) != len(want) {
				t.Errorf("%d records imported, %d exported", len(got), len(want))
			}
			for name, w := range want {
				if g := got[name]; g != w {
					t.Errorf("service %q:\n exported %s\n imported %s", name, w, g)
				}
			}
			importCheckIdempotent(t, dst, dir)
		})
	}
}
