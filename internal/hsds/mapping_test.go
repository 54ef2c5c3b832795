package hsds_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/hsds"
)

func ptr[T any](v T) *T { return &v }

func TestRecordIDs(t *testing.T) {
	const own = "ac148810-d857-441c-9679-408f346de14b"
	dir, other := uuid.MustParse("0b8e6f2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b"), uuid.MustParse("9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")
	if got := hsds.RecordID(dir, hsds.KindService, 7, "hsds", own); got != own {
		t.Errorf("imported record lost its HSDS id: %s", got)
	}
	if got := hsds.RecordID(dir, hsds.KindService, 7, "hsds", strings.ToUpper(own)); got != own {
		t.Errorf("upper-case UUID not normalised: %s", got)
	}
	derived := hsds.RecordID(dir, hsds.KindService, 7, "", "")
	if derived != hsds.DerivedID(dir, hsds.KindService, 7) || derived == hsds.DerivedID(dir, hsds.KindOrganization, 7) ||
		derived == hsds.DerivedID(dir, hsds.KindService, 8) {
		t.Error("derived ids must depend on kind and ID")
	}
	if derived == hsds.DerivedID(other, hsds.KindService, 7) {
		t.Error("two directories derive the same id for their record 7")
	}
	if derived == hsds.LegacyDerivedID(hsds.KindService, 7) {
		t.Error("the derivation did not change")
	}
	// A non-UUID external identity gives the same id in every directory,
	// and one per source, type and id.
	ext := hsds.RecordID(dir, hsds.KindService, 7, "211", "A-17")
	if ext == derived || ext != hsds.RecordID(other, hsds.KindService, 99, "211", "A-17") ||
		ext == hsds.RecordID(dir, hsds.KindOrganization, 7, "211", "A-17") || ext == hsds.RecordID(dir, hsds.KindService, 7, "212", "A-17") {
		t.Errorf("id of the external identity 211:A-17: %s", ext)
	}
	if derived != hsds.DerivedID(dir, hsds.KindService, 7) || len(derived) != 36 || derived[14] != '5' {
		t.Errorf("derived id %s is not a UUIDv5", derived)
	}
	if got := hsds.LegacyDerivedID(hsds.KindService, 7); got != uuid.NewSHA1(hsds.Namespace, []byte("service/7")).String() {
		t.Errorf("legacy id %s", got)
	}
}

// TestVillageFieldsSurvive maps records carrying every Village-only field
// and reads each back from the attributes.
func TestVillageFieldsSurvive(t *testing.T) {
	el := &directory.Eligibility{MinAgeMonths: ptr(0), MaxAgeMonths: ptr(35), AcceptsPregnant: ptr(true),
		EnrollByPregnancyWeek: ptr(28), FirstTimeParentsOnly: ptr(true), MaxIncomePercentFPL: ptr(200),
		PriorityPopulations: []string{"teen parents"}, Description: "Families with a child under 3."}
	reviewed := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	ev := []directory.Evidence{{Source: directory.EvidenceHomVEE, Rating: "evidence-based", OutcomeDomains: []string{"child health"},
		ReviewedOn: &reviewed, URL: "https://homvee.acf.hhs.gov/", Note: "meets criteria"}}
	prog := &ent.Program{ID: 3, Name: "Nurse-Family Partnership", Approach: program.ApproachHOME_VISITING,
		Settings: []directory.Setting{directory.SettingHome}, Audiences: []directory.Audience{directory.AudienceParents},
		ServesThroughMonths: ptr(24), Eligibility: el, Evidence: ev, URL: "https://www.nursefamilypartnership.org/", Sample: true}
	verified := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	svc := &ent.Service{ID: 9, Name: "Visits", OrganizationID: 1, ProgramID: ptr(3), Status: service.StatusTEMPORARILY_CLOSED,
		Free: ptr(true), CapacityAvailable: ptr(2), CapacityMaximum: ptr(20), DeliveryModes: []directory.DeliveryMode{directory.InHome},
		Languages: []string{"en", "es"}, VerifiedAt: &verified, VerifiedBy: "Dana", Eligibility: el,
		ExternalSource: "211", ExternalID: "A-17", Provenance: "a flyer", UpdatedAt: verified}
	svc.Edges.Program = prog
	svc.Edges.Organization = &ent.Organization{ID: 1, Name: "Org"}
	svc.Edges.ServiceAreas = []*ent.ServiceArea{
		{ID: 1, ServiceID: 9, Kind: servicearea.KindRADIUS, CenterLatitude: ptr(42.3), CenterLongitude: ptr(-71.1), RadiusKm: ptr(5.5)},
		{ID: 2, ServiceID: 9, Kind: servicearea.KindCOUNTY, Code: "25025", Name: "Suffolk County"},
		{ID: 3, ServiceID: 9, Kind: servicearea.KindTEXT, Name: "Greater Boston"},
	}
	loc := &ent.Location{ID: 4, Name: "Office", LocationType: location.LocationTypePHYSICAL, Confidential: true,
		Address1: "1 Main St", City: "Boston", Region: "MA", PostalCode: "02121", Country: "US", Latitude: ptr(42.3), Longitude: ptr(-71.0)}
	svc.Edges.ServiceAtLocations = []*ent.ServiceAtLocation{{ID: 5, ServiceID: 9, LocationID: 4, Edges: ent.ServiceAtLocationEdges{Location: loc}}}
	svc.Edges.Phones = []*ent.Phone{{ID: 6, Number: "617-555-0100", Extension: "12a", Type: phone.TypeTEXT, StaffOnly: true, ServiceID: ptr(9)}}
	svc.Edges.Schedules = []*ent.Schedule{{ID: 7, Timezone: "America/New_York", OpensAt: "09:00", ClosesAt: "17:00", Byday: "MO,TU", ServiceID: ptr(9)},
		{ID: 8, Closed: ptr(true), ServiceID: ptr(9)}}
	svc.Edges.Fundings = []*ent.Funding{{ID: 8, Source: "A funder", Description: "for visits", AmountUsd: ptr(int64(1000)), ServiceID: ptr(9), FunderID: ptr(2)}}

	out := hsds.NewMapper(uuid.Nil).Service(svc)
	s := schemas(t)
	if errs := s.Validate("service.json", out); len(errs) > 0 {
		t.Fatal(errs)
	}
	if out.Status != "temporarily closed" || out.MinimumAge == nil || *out.MinimumAge != 0 || *out.MaximumAge != 2 {
		// 35 months is up to the day before the third birthday: HSDS's "up to age 2".
		t.Errorf("status %q, ages %v-%v", out.Status, out.MinimumAge, out.MaximumAge)
	}
	a := hsds.VillageAttributes(out.Attributes)
	var gotEl directory.Eligibility
	if err := json.Unmarshal([]byte(a["eligibility"]), &gotEl); err != nil || !reflect.DeepEqual(&gotEl, el) {
		t.Errorf("eligibility: %v %+v", err, gotEl)
	}
	for code, want := range map[string]string{"free": "true", "capacity_available": "2", "capacity_maximum": "20",
		"delivery_modes": `["IN_HOME"]`, "verified_by": "Dana", "verified_at": "2025-01-02T03:04:05Z",
		"external_id": "211:A-17", "provenance": "a flyer"} {
		if a[code] != want {
			t.Errorf("service attribute %s = %q, want %q", code, a[code], want)
		}
	}
	pa := hsds.VillageAttributes(out.Program.Attributes)
	var gotEv []directory.Evidence
	if err := json.Unmarshal([]byte(pa["evidence"]), &gotEv); err != nil || !reflect.DeepEqual(gotEv, ev) {
		t.Errorf("evidence: %v %+v", err, gotEv)
	}
	for code, want := range map[string]string{"approach": "HOME_VISITING", "settings": `["HOME"]`, "audiences": `["PARENTS"]`,
		"serves_through_months": "24", "sample": "true", "url": prog.URL} {
		if pa[code] != want {
			t.Errorf("program attribute %s = %q, want %q", code, pa[code], want)
		}
	}
	// A circle's extent holds all of it: no coverage attribute.
	if ar := out.ServiceAreas[0]; ar.Extent != "42.3,-71.1,5.5" || ar.ExtentType != hsds.ExtentTypeRadius ||
		hsds.VillageAttributes(ar.Attributes)["coverage"] != "" {
		t.Errorf("radius area %+v", ar)
	}
	if ar := out.ServiceAreas[1]; ar.Extent != "25025" || ar.ExtentType != hsds.ExtentTypeCounty || ar.Name != "Suffolk County" {
		t.Errorf("county area %+v", ar)
	}
	if ar := out.ServiceAreas[2]; ar.Extent != "" || ar.Name != "Greater Boston" {
		t.Errorf("text area %+v", ar)
	}
	l := out.ServiceAtLocations[0].Location
	if hsds.VillageAttributes(l.Attributes)["confidential"] != "true" || l.Addresses[0].StateProvince != "MA" || l.Addresses[0].PostalCode != "02121" {
		t.Errorf("location %+v", l)
	}
	p := out.Phones[0]
	if p.Type != "text" || p.Extension != nil || hsds.VillageAttributes(p.Attributes)["extension"] != "12a" ||
		hsds.VillageAttributes(p.Attributes)["staff_only"] != "true" {
		t.Errorf("phone %+v", p)
	}
	if hsds.VillageAttributes(out.Schedules[0].Attributes)["timezone"] != "America/New_York" {
		t.Error("schedule time zone lost")
	}
	if a0, a1 := hsds.VillageAttributes(out.Schedules[0].Attributes), hsds.VillageAttributes(out.Schedules[1].Attributes); a1["closed"] != "true" {
		t.Errorf("schedule closure lost: %v", a1)
	} else if _, said := a0["closed"]; said {
		t.Errorf("a schedule that does not say closed exports %q", a0["closed"])
	}
	fa := hsds.VillageAttributes(out.Funding[0].Attributes)
	if fa["amount_usd"] != "1000" || fa["funding_description"] != "for visits" || fa["funder_id"] != hsds.DerivedID(uuid.Nil, hsds.KindOrganization, 2) {
		t.Errorf("funding attributes %v", fa)
	}
	if len(out.Languages) != 2 || out.Languages[1].Code != "es" {
		t.Errorf("languages %+v", out.Languages)
	}
	// The CSV form has no nested term: the id alone identifies the field.
	for _, at := range out.Attributes {
		at.TaxonomyTerm = nil
		if code, ok := hsds.VillageTermCode(at.TaxonomyTermID); !ok || hsds.VillageAttributes([]hsds.Attribute{at})[code] != at.Value {
			t.Errorf("attribute %s not recognised by id", at.ID)
		}
	}
}
