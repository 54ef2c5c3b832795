package hsds

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// legacyPackage writes an HSDS 1.1 package (with 1.0's and 2.0's extra
// columns where they matter) using every table the legacy mapping reads.
func legacyPackage(t *testing.T) string {
	t.Helper()
	const (
		org  = "10000000-0000-4000-8000-000000000001"
		svc  = "20000000-0000-4000-8000-000000000001"
		svc2 = "20000000-0000-4000-8000-000000000002"
		loc  = "30000000-0000-4000-8000-000000000001"
		sal  = "40000000-0000-4000-8000-000000000001"
	)
	files := map[string]string{
		"organizations.csv": "id,name,alternate_name,description,email,url,tax_status,tax_id,year_incorporated,legal_status\n" +
			org + ",Little Steps,,Early learning,info@example.org,http://example.org,,,,\n",
		"programs.csv": "id,organization_id,name,alternate_name\n50000000-0000-4000-8000-000000000001," + org + ",Early Start,\n",
		"services.csv": "id,organization_id,program_id,name,alternate_name,description,url,email,status,interpretation_services,application_process,wait_time,fees,accreditations,licenses,taxonomy_ids\n" +
			svc + "," + org + ",,Home visits,,Visits at home,,,active,,,,Free,,,\n" +
			svc2 + "," + org + ",,Prenatal classes,,Classes,,,active,,,,,,,t-child\n",
		"locations.csv": "id,organization_id,name,alternate_name,description,transportation,latitude,longitude\n" +
			loc + "," + org + ",Main office,,,Bus 12,25.77,-80.19\n",
		"physical_addresses.csv": "id,location_id,attention,address_1,address_2,address_3,address_4,city,region,state_province,postal_code,country\n" +
			"60000000-0000-4000-8000-000000000001," + loc + ",,1 Main St,Suite 2,Floor 3,,Miami,,FL,33125,US\n",
		"services_at_location.csv": "id,service_id,location_id,description\n" + sal + "," + svc + "," + loc + ",\n",
		"phones.csv": "id,location_id,service_id,organization_id,contact_id,service_at_location_id,number,extension,type,language,description,department\n" +
			"70000000-0000-4000-8000-000000000001,," + svc + ",,,,305-555-0100,,voice,\"English, Spanish\",Main line,Intake\n" +
			"70000000-0000-4000-8000-000000000002,," + svc2 + ",,,,305-555-0101,,voice,Kreyol,,Admissions\n",
		"contacts.csv": "id,organization_id,service_id,service_at_location_id,name,title,department,email\n" +
			"80000000-0000-4000-8000-000000000001," + org + "," + svc + ",,Ana,Director,,ana@example.org\n",
		"languages.csv": "id,service_id,location_id,language\n" +
			"90000000-0000-4000-8000-000000000001," + svc + ",,Creole\n" +
			"90000000-0000-4000-8000-000000000002,," + loc + ",Spanish\n" +
			"90000000-0000-4000-8000-000000000003," + svc2 + ",,Unknownish\n",
		"regular_schedules.csv": "id,service_id,location_id,service_at_location_id,weekday,opens_at,closes_at\n" +
			"a0000000-0000-4000-8000-000000000001," + svc + ",,,1,09:00,17:00\n" +
			"a0000000-0000-4000-8000-000000000002," + svc + ",,,Friday,09:00,12:00\n",
		"holiday_schedules.csv": "id,service_id,location_id,service_at_location_id,closed,opens_at,closes_at,start_date,end_date\n" +
			"a0000000-0000-4000-8000-000000000001," + svc + ",,,true,,,2026-12-24,2026-12-26\n",
		"taxonomy.csv": "id,name,parent_id,parent_name,vocabulary\n" +
			"t-child,Child development,t-family,Family support,AIRS\n" +
			"t-visit,Home visiting,t-child,Child development,AIRS\n",
		"services_taxonomy.csv": "id,service_id,taxonomy_id,taxonomy_detail\n" +
			"b0000000-0000-4000-8000-000000000001," + svc + ",t-visit,\n",
		"eligibility.csv": "id,service_id,eligibility\n" +
			"c0000000-0000-4000-8000-000000000001," + svc + ",Children ages 0-5\n" +
			"c0000000-0000-4000-8000-000000000002," + svc2 + ",Pregnant women\n",
		"payments_accepted.csv": "id,service_id,payment\n" +
			"d0000000-0000-4000-8000-000000000001," + svc + ",Medicaid\n" +
			"d0000000-0000-4000-8000-000000000002," + svc + ",Sliding scale\n",
		"accessibility_for_disabilities.csv": "id,location_id,accessibility,details\n" +
			"e0000000-0000-4000-8000-000000000001," + loc + ",wheelchair accessible,Ramp at the back\n",
		"required_documents.csv": "id,service_id,document\nf0000000-0000-4000-8000-000000000001," + svc + ",Proof of address\n",
		"funding.csv":            "id,organization_id,service_id,source\nf1000000-0000-4000-8000-000000000001," + org + ",,County grant\n",
		"service_areas.csv": "id,service_id,service_area,description\n" +
			"f2000000-0000-4000-8000-000000000001," + svc + ",Miami-Dade County,\n" +
			"f2000000-0000-4000-8000-000000000002," + svc + ",\"Broward, Monroe counties\",\n" +
			"f2000000-0000-4000-8000-000000000003," + svc2 + ",33125,\n" +
			"f2000000-0000-4000-8000-000000000004," + svc2 + ",Florida,\n" +
			"f2000000-0000-4000-8000-000000000005," + svc2 + ",Little Havana neighborhood,\n",
	}
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestImportLegacyAllTables(t *testing.T) {
	path := legacyPackage(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rep := importMust(t, db, path, ImportOptions{})
		c := db.Client
		svc := c.Service.Query().Where(service.Name("Home visits")).WithNeeds().WithServiceAreas().OnlyX(ctx)
		svc2 := c.Service.Query().Where(service.Name("Prenatal classes")).WithNeeds().WithServiceAreas().OnlyX(ctx)

		// Schedules: weekly days, and the holiday closure with its dates.
		scheds := c.Schedule.Query().Where(schedule.ServiceID(svc.ID)).AllX(ctx)
		var days []string
		closed := false
		for _, s := range scheds {
			if s.Freq == schedule.FreqWEEKLY {
				days = append(days, s.Byday+" "+s.OpensAt+"-"+s.ClosesAt)
			}
			if s.Freq == schedule.FreqWEEKLY && s.Closed != nil {
				t.Errorf("weekly row %s says closed %v", s.Byday, *s.Closed)
			}
			if s.Description == "Closed" && s.Closed != nil && *s.Closed && s.ValidFrom != nil && s.ValidFrom.Format("2006-01-02") == "2026-12-24" && s.ValidTo.Format("2006-01-02") == "2026-12-26" {
				closed = true
			}
		}
		slices.Sort(days)
		if strings.Join(days, ",") != "FR 09:00-12:00,MO 09:00-17:00" || !closed || len(scheds) != 3 {
			t.Errorf("schedules %v, holiday closure %v (%d schedules)", days, closed, len(scheds))
		}

		// Terms with their parents, linked to services.
		visit := c.TaxonomyTerm.Query().Where(taxonomyterm.Code("t-visit")).WithParent().OnlyX(ctx)
		if visit.Vocabulary != "AIRS" || visit.Edges.Parent == nil || visit.Edges.Parent.Code != "t-child" {
			t.Errorf("term %+v, parent %+v", visit, visit.Edges.Parent)
		}
		child := c.TaxonomyTerm.Query().Where(taxonomyterm.Code("t-child")).WithParent().OnlyX(ctx)
		if child.Edges.Parent == nil || child.Edges.Parent.Name != "Family support" {
			t.Errorf("the parent named only by parent_name is not a term: %+v", child.Edges.Parent)
		}
		if len(svc.Edges.Needs) != 1 || svc.Edges.Needs[0].Code != "t-visit" || len(svc2.Edges.Needs) != 1 || svc2.Edges.Needs[0].Code != "t-child" {
			t.Errorf("needs %v / %v", svc.Edges.Needs, svc2.Edges.Needs)
		}

		// Eligibility: text kept, ages parsed, pregnancy read.
		if e := svc.Eligibility; e == nil || e.Description != "Children ages 0-5" || e.MinAgeMonths == nil || *e.MinAgeMonths != 0 || e.MaxAgeMonths == nil || *e.MaxAgeMonths != 71 {
			t.Errorf("eligibility %+v", svc.Eligibility)
		}
		if e := svc2.Eligibility; e == nil || e.AcceptsPregnant == nil || !*e.AcceptsPregnant || e.MinAgeMonths != nil || e.MaxAgeMonths != nil {
			t.Errorf("pregnant women: %+v", svc2.Eligibility)
		}
		// Fees and payments.
		if svc.FeesDescription != "Free; Payment accepted: Medicaid, Sliding scale" {
			t.Errorf("fees_description %q", svc.FeesDescription)
		}
		// Service areas: structured where the text names places.
		var areas []string
		for _, a := range append(svc.Edges.ServiceAreas, svc2.Edges.ServiceAreas...) {
			areas = append(areas, string(a.Kind)+":"+a.Code+":"+a.Name)
		}
		slices.Sort(areas)
		want := []string{"COUNTY:12011:Broward County", "COUNTY:12086:Miami-Dade County", "COUNTY:12087:Monroe County",
			"STATE:FL:Florida", "TEXT::Little Havana neighborhood", "ZIP:33125:"}
		if !slices.Equal(areas, want) {
			t.Errorf("areas\n got %v\nwant %v", areas, want)
		}
		// Languages: names coded (Creole → ht), phone languages, an unknown one kept with a warning.
		if !slices.Equal(svc.Languages, []string{"ht"}) {
			t.Errorf("service languages %v", svc.Languages)
		}
		ph := c.Phone.Query().Where(phone.Number("305-555-0100")).OnlyX(ctx)
		if !slices.Equal(ph.Languages, []string{"en", "es"}) {
			t.Errorf("phone languages %v", ph.Languages)
		}
		// 1.x's phones.department: added to the phone's description.
		if ph.Description != "Main line; Department: Intake" {
			t.Errorf("phone description %q", ph.Description)
		}
		if ph2 := c.Phone.Query().Where(phone.Number("305-555-0101")).OnlyX(ctx); ph2.Description != "Department: Admissions" {
			t.Errorf("phone description %q", ph2.Description)
		}
		if strings.Contains(strings.Join(rep.Ignored, "\n"), "department") {
			t.Errorf("phones.department still listed as not imported:\n%s", rep)
		}
		if !importHasMessage(rep.Warnings, "languages.csv", "code", `"Unknownish" has no ISO 639 code; kept as text`) {
			t.Errorf("no warning for the unknown language:\n%s", rep)
		}
		if strings.Contains(strings.Join(rep.Ignored, "\n"), "regular_schedules") {
			t.Errorf("1.1 tables still listed as not imported:\n%s", rep)
		}

		importCheckIdempotent(t, db, path)

		// The export carries what Village keeps verbatim, and importing it
		// back changes nothing.
		dir := t.TempDir()
		if _, err := Export(ctx, c, "csv", dir); err != nil {
			t.Fatal(err)
		}
		for file, want := range map[string]string{"accessibility.csv": "Ramp at the back", "required_documents.csv": "Proof of address",
			"languages.csv": "Unknownish", "addresses.csv": "Suite 2, Floor 3", "taxonomy_terms.csv": "Family support"} {
			b, err := os.ReadFile(filepath.Join(dir, file))
			if err != nil || !strings.Contains(string(b), want) {
				t.Errorf("%s does not hold %q (%v)", file, want, err)
			}
		}
		before := importServiceDigest(t, c)
		rep = importMust(t, db, dir, ImportOptions{})
		if rep.Changed() {
			after := importServiceDigest(t, c)
			for k, v := range before {
				if after[k] != v {
					t.Errorf("%s:\n before %s\n after  %s", k, v, after[k])
				}
			}
			t.Errorf("re-import of the export changed something:\n%s", rep)
		}
		// The export's terms, whose ids are not the 1.x ids (no UUIDs), are
		// the same terms: no warning says otherwise.
		if importHasMessage(rep.Warnings, "taxonomy_terms.csv", "code", "merged into it") {
			t.Errorf("the export's terms taken for other terms of the package:\n%s", rep)
		}
		// The source attribute id of a need is exported back.
		if b, err := os.ReadFile(filepath.Join(dir, "attributes.csv")); err != nil || !strings.Contains(string(b), "b0000000-0000-4000-8000-000000000001") {
			t.Errorf("attributes.csv lacks the services_taxonomy row's id (%v)", err)
		}
		// Back to the 1.x package: nothing changes either.
		importCheckIdempotent(t, db, path)
	})
}
