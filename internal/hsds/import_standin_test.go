package hsds

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/contact"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// standInPackage is an HSDS 1.1 package with the faults real exports
// showed: records naming organizations it lacks (Open211 Miami's
// locations, ILAO's postal addresses), contacts' phone columns, language
// phrases, and phones with a language column.
func standInPackage(t *testing.T) string {
	t.Helper()
	return writePackage(t, map[string]string{
		"organizations.csv": "id,name\norg-1,Little Steps\n",
		"services.csv": "id,organization_id,name,status\n" +
			"svc-1,org-1,Home visits,active\n" +
			"svc-2,org-9,Parent classes,active\n",
		// loc-1 names org-9 as svc-2 does (one stand-in); loc-2 names
		// org-8, named by no service.
		"locations.csv": "id,organization_id,name\n" +
			"loc-1,org-9,Annex\n" +
			"loc-2,org-8,Outpost\n" +
			"loc-3,org-1,Main office\n",
		"programs.csv": "id,organization_id,name\nprog-1,org-7,Early Start\n",
		// An organization's postal address, its organization missing.
		"postal_addresses.csv": "id,organization_id,location_id,address_1,city,state_province,postal_code,country\n" +
			"pa-1,org-6,,PO Box 12,Chicago,IL,60601,US\n",
		"contacts.csv": "id,organization_id,service_id,name,phone_number,phone_areacode,phone_extension\n" +
			"c-1,org-5,svc-1,Ana,253-4841,305,12\n" + // a whole number
			"c-2,,svc-1,Bo,4841,305,\n" + // the last four digits only
			"c-3,,svc-1,Cy,305-555-0100,,\n", // the number its phone has
		"phones.csv": "id,service_id,contact_id,number,language\n" +
			"ph-1,svc-1,,305-555-0199,\"English, Spanish\"\n" +
			"ph-2,,c-3,(305) 555-0100,\n",
		"languages.csv": "id,service_id,language\n" +
			"l-1,svc-1,Creole translator provided\n" +
			"l-2,svc-1,and Spanish\n" +
			"l-3,svc-2,English/Spanish\n" +
			"l-4,svc-2,translators available\n" +
			"l-5,svc-2,Spanish\\n\\nTranslation services available if needed\n",
	})
}

func TestImportStandInsAndLegacyFaults(t *testing.T) {
	path := standInPackage(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		rep := importMust(t, db, path, ImportOptions{})
		standInAccounting(t, rep)

		// One stand-in per missing id services name (org-9); records whose
		// organization link is optional join it, or, naming an
		// organization no service names, are kept without the link.
		for _, id := range []string{"org-9"} {
			o, err := c.Organization.Query().Where(organization.ExternalID(id)).Only(ctx)
			if err != nil {
				t.Fatalf("stand-in for %s: %v", id, err)
			}
			if o.Name != importStandInName(id) {
				t.Errorf("%s named %q", id, o.Name)
			}
		}
		if n := c.Organization.Query().CountX(ctx); n != 2 {
			t.Errorf("%d organizations, want 1 + 1 stand-in", n)
		}
		orgOf := func(ext string, got *string) {
			if o := c.Organization.Query().Where(organization.ExternalID(ext)).OnlyX(ctx); got == nil || *got != o.Name {
				t.Errorf("not under %s's stand-in", ext)
			}
		}
		loc1 := c.Location.Query().Where(location.ExternalID("loc-1")).WithOrganization().OnlyX(ctx)
		loc2 := c.Location.Query().Where(location.ExternalID("loc-2")).WithOrganization().OnlyX(ctx)
		svc2 := c.Service.Query().Where(service.ExternalID("svc-2")).WithOrganization().OnlyX(ctx)
		prog := c.Program.Query().Where(program.ExternalID("prog-1")).WithOrganization().OnlyX(ctx)
		c1 := c.Contact.Query().Where(contact.ExternalID("c-1")).WithOrganization().WithPhones().OnlyX(ctx)
		for _, x := range []struct {
			ext string
			org *string
		}{{"org-9", orgName(loc1.Edges.Organization)}, {"org-9", orgName(svc2.Edges.Organization)}} {
			orgOf(x.ext, x.org)
		}
		if loc2.Edges.Organization != nil || prog.Edges.Organization != nil || c1.Edges.Organization != nil {
			t.Errorf("an organization was invented for a record no service ties to one: %v %v %v",
				loc2.Edges.Organization, prog.Edges.Organization, c1.Edges.Organization)
		}
		// The postal address became a postal location (its organization,
		// named by no service, missing).
		postal := c.Location.Query().Where(location.LocationTypeEQ(location.LocationTypePOSTAL)).WithOrganization().OnlyX(ctx)
		if postal.Address1 != "PO Box 12" {
			t.Errorf("postal location %+v", postal)
		}
		if postal.Edges.Organization != nil {
			t.Errorf("postal location under %v", postal.Edges.Organization)
		}
		if a := importAccount(t, rep, "postal_addresses.csv"); a.Dropped != 0 || a.Read != 1 {
			t.Errorf("postal_addresses.csv: %+v", a)
		}

		// Contacts' phone columns: a whole number is the contact's phone;
		// four digits stay with the contact, verbatim; a number its phone
		// has already is not repeated.
		if len(c1.Edges.Phones) != 1 || c1.Edges.Phones[0].Number != "305-253-4841" || c1.Edges.Phones[0].Extension != "12" {
			t.Errorf("c-1 phones %+v", c1.Edges.Phones)
		}
		c2 := c.Contact.Query().Where(contact.ExternalID("c-2")).WithPhones().OnlyX(ctx)
		if len(c2.Edges.Phones) != 0 || c2.HsdsExtra == nil || c2.HsdsExtra.Fields["phone_number"] != "4841" || c2.HsdsExtra.Fields["phone_areacode"] != "305" {
			t.Errorf("c-2 phones %+v, extra %+v", c2.Edges.Phones, c2.HsdsExtra)
		}
		if n := c.Phone.Query().Where(phone.HasContactWith(contact.ExternalID("c-3"))).CountX(ctx); n != 1 {
			t.Errorf("c-3 has %d phones, want its one", n)
		}
		for _, ig := range rep.Ignored {
			if strings.Contains(ig, "phone_number") || strings.Contains(ig, "phone_areacode") {
				t.Errorf("listed as not imported: %s", ig)
			}
		}

		// Language phrases: the names they hold, the phrase a note when it
		// says more; a phrase naming none is kept as text with a warning.
		svc1 := c.Service.Query().Where(service.ExternalID("svc-1")).OnlyX(ctx)
		if got := slices.Sorted(slices.Values(svc1.Languages)); !slices.Equal(got, []string{"es", "ht"}) {
			t.Errorf("svc-1 languages %v", svc1.Languages)
		}
		svc2 = c.Service.Query().Where(service.ExternalID("svc-2")).OnlyX(ctx)
		if got := slices.Sorted(slices.Values(svc2.Languages)); !slices.Equal(got, []string{"en", "es"}) {
			t.Errorf("svc-2 languages %v", svc2.Languages)
		}
		notes := map[string]string{}
		for _, r := range svc1.HsdsExtra.Folded["languages"] {
			notes[r["code"]] = r["note"]
		}
		if notes["ht"] != "Creole translator provided" || notes["es"] != "" {
			t.Errorf("svc-1 language notes %v", notes)
		}
		var kinds []string
		for _, g := range rep.WarningGroups() {
			kinds = append(kinds, g.Kind)
			if g.Kind == WarnLanguagePhrase && g.Count != 4 {
				t.Errorf("%d language phrases, want 4: %+v", g.Count, g.Examples)
			}
			if g.Kind == WarnOrganizationMissing && g.Count != 2 {
				t.Errorf("%d records under a stand-in, want 2 (svc-2, loc-1): %+v", g.Count, g.Examples)
			}
		}
		unknown := false
		for _, w := range rep.Warnings {
			if strings.Contains(w.Text, `"translators available" has no ISO 639 code`) {
				unknown = true
			}
		}
		if !unknown || !slices.Contains(kinds, WarnLanguagePhrase) || !slices.Contains(kinds, WarnOrganizationMissing) {
			t.Errorf("warnings %v (unknown phrase warned: %v)", kinds, unknown)
		}

		// A 1.x phones.csv with a language column is accounted as phones.
		if a := importAccount(t, rep, "phones.csv"); a.Table != "phones" {
			t.Errorf("phones.csv accounted as %q", a.Table)
		}
		if !strings.Contains(rep.String(), "phones.csv ") || strings.Contains(rep.String(), "phones.csv (languages)") {
			t.Errorf("report:\n%s", rep)
		}

		// Idempotent: a second import changes nothing.
		again := importMust(t, db, path, ImportOptions{})
		if again.Changed() {
			t.Errorf("second import changed records: %+v", again.Types)
		}
		standInAccounting(t, again)
	})
}

// A later import bringing a missing organization adopts its stand-in,
// with the location it holds.
func TestImportStandInAdoptedWithLocation(t *testing.T) {
	first := writePackage(t, map[string]string{
		"organizations.csv": "id,name\norg-1,Little Steps\n",
		"services.csv":      "id,organization_id,name,status\nsvc-1,org-1,Home visits,active\nsvc-2,org-9,Drop-in,active\n",
		"locations.csv":     "id,organization_id,name\nloc-1,org-9,Annex\n",
	})
	second := writePackage(t, map[string]string{
		"organizations.csv": "id,name\norg-9,Annex Partners\n",
		"services.csv":      "id,organization_id,name,status\nsvc-2,org-9,Drop-in,active\n",
	})
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		importMust(t, db, first, ImportOptions{})
		rep := importMust(t, db, second, ImportOptions{})
		if c := rep.Types["Organization"]; c.Created != 0 || c.Updated != 1 {
			t.Errorf("organizations %+v, want the stand-in updated", c)
		}
		loc := db.Client.Location.Query().Where(location.ExternalID("loc-1")).WithOrganization().OnlyX(ctx)
		if loc.Edges.Organization == nil || loc.Edges.Organization.Name != "Annex Partners" {
			t.Errorf("loc-1 under %+v", loc.Edges.Organization)
		}
	})
}

// orgName is an edge's organization's name, nil without one.
func orgName(o *ent.Organization) *string {
	if o == nil {
		return nil
	}
	return &o.Name
}

// standInAccounting checks read = imported + repaired + dropped, each
// dropped row with a reason.
func standInAccounting(t *testing.T, rep *Report) {
	t.Helper()
	for _, a := range rep.Tables {
		why := 0
		for _, d := range a.DroppedFor {
			why += d.Count
		}
		if a.Read != a.Imported+a.Repaired+a.Dropped || why != a.Dropped {
			t.Errorf("%s (%s): %+v", a.File, a.Table, a)
		}
	}
}
