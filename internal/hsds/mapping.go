package hsds

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/directory"
)

// Namespace is the fixed UUIDv5 namespace of Village-derived HSDS exportIDs.
var Namespace = uuid.MustParse("6f1c0b2e-7a51-5b6e-9d3c-8a0e5f4b2c17")

// VillageTaxonomy is the taxonomy of the attributes that carry Village's
// own fields (see the package documentation).
const VillageTaxonomy = "village"

// Record kinds, as used in derived exportIDs and attribute link_entity.
const (
	KindOrganization      = "organization"
	KindProgram           = "program"
	KindService           = "service"
	KindLocation          = "location"
	KindServiceAtLocation = "service_at_location"
	KindServiceArea       = "service_area"
	KindTaxonomyTerm      = "taxonomy_term"
	KindPhone             = "phone"
	KindContact           = "contact"
	KindSchedule          = "schedule"
	KindFunding           = "funding"
)

// DerivedID is the HSDS id of a Village record that has no external
// identity: the UUIDv5 of "type/ID" in the namespace of the directory's own
// id (store.DirectoryID), so two directories, which number their records
// alike, never give one id to different records.
func DerivedID(directory uuid.UUID, kind string, id int) string {
	return uuid.NewSHA1(directory, []byte(kind+"/"+strconv.Itoa(id))).String()
}

// LegacyDerivedID is the id DerivedID gave before it depended on the
// directory: the UUIDv5 of "type/ID" in [Namespace], the same in every
// directory. The import still recognises it in an export of this
// directory, for one release (see the package documentation).
func LegacyDerivedID(kind string, id int) string {
	return uuid.NewSHA1(Namespace, []byte(kind+"/"+strconv.Itoa(id))).String()
}

// ExternalRecordID is the HSDS id of a record whose external identity
// (source, id) is no UUID: the UUIDv5 of "external/type/SOURCE/ID" in
// [Namespace]. It names that identity wherever the record is exported
// from; the type is part of it because a source's ids are unique only in
// their table (1.x exporters reuse a service's id on its language rows).
func ExternalRecordID(kind, externalSource, externalID string) string {
	return uuid.NewSHA1(Namespace, []byte("external/"+kind+"/"+externalSource+"/"+externalID)).String()
}

// RecordID is the HSDS id of a Village record: its own external id when it
// came from another system and that id is a UUID (in lower case), the
// ExternalRecordID of any other external identity, else its DerivedID in
// directory.
func RecordID(directory uuid.UUID, kind string, id int, externalSource, externalID string) string {
	if externalSource != "" && externalID != "" {
		if u, err := uuid.Parse(externalID); err == nil {
			return u.String()
		}
		return ExternalRecordID(kind, externalSource, externalID)
	}
	return DerivedID(directory, kind, id)
}

// The ids of the rows Village writes for a record beside its own (its
// address, its languages, the attributes of a service's needs) are derived
// from the record's HSDS id, so that they are the same in every export of
// the record and an import can tell them from ids a source gave (which it
// keeps).

// addressID is the id of the address of the location with HSDS id locationID.
func addressID(locationID string) string {
	return uuid.NewSHA1(Namespace, []byte("address/"+locationID)).String()
}

// languageID is the id of a language (code) of a service or phone (owner,
// a record kind) with HSDS id ownerID.
func languageID(owner, ownerID, code string) string {
	return uuid.NewSHA1(Namespace, []byte("language/"+owner+"/"+ownerID+"/"+code)).String()
}

// needAttributeID is the id of the attribute linking the service with HSDS
// id serviceID to the need (term) with HSDS id termID.
func needAttributeID(serviceID, termID string) string {
	return uuid.NewSHA1(Namespace, []byte("attribute/"+serviceID+"/need/"+termID)).String()
}

// TaxonomyID is the HSDS id of a vocabulary (taxonomy) by name.
func TaxonomyID(name string) string {
	return uuid.NewSHA1(Namespace, []byte("taxonomy/"+name)).String()
}

// exportTermID is the id of a term of the Village attribute vocabulary.
func exportTermID(code string) string {
	if id, ok := villageTermIDs[code]; ok {
		return id
	}
	return uuid.NewSHA1(Namespace, []byte("term/"+VillageTaxonomy+"/"+code)).String()
}

// villageTermIDs and villageTermCodes map the Village vocabulary's codes
// to their term ids and back, hashed once: imports and exports look them
// up for every attribute.
var villageTermIDs, villageTermCodes = func() (map[string]string, map[string]string) {
	ids, codes := map[string]string{}, map[string]string{}
	for _, code := range VillageTerms {
		id := uuid.NewSHA1(Namespace, []byte("term/"+VillageTaxonomy+"/"+code)).String()
		ids[code], codes[id] = id, code
	}
	return ids, codes
}()

// VillageTaxonomyObject is the HSDS taxonomy of Village's attributes.
func VillageTaxonomyObject() Taxonomy {
	return Taxonomy{ID: TaxonomyID(VillageTaxonomy), Name: VillageTaxonomy,
		Description: "Village's own fields that HSDS has no column for; each term names a field, the attribute's value holds it.",
		Version:     "1"}
}

// VillageTerm is the HSDS taxonomy term of a Village attribute code.
func VillageTerm(code string) TaxonomyTerm {
	return TaxonomyTerm{ID: exportTermID(code), Code: code, Name: code,
		Description: "Village field " + code, Taxonomy: VillageTaxonomy, TaxonomyID: TaxonomyID(VillageTaxonomy)}
}

// Coverage is the value (as JSON) of the coverage attribute of a service
// area: Village's structured area, exactly.
type Coverage struct {
	Kind            string   `json:"kind"` // NATIONWIDE, STATE, COUNTY, ZIP, RADIUS, ONLINE or TEXT
	Code            string   `json:"code,omitempty"`
	CenterLatitude  *float64 `json:"centerLatitude,omitempty"`
	CenterLongitude *float64 `json:"centerLongitude,omitempty"`
	RadiusKm        *float64 `json:"radiusKm,omitempty"`
}

// The extent and extent_type an exported service area carries, for HSDS
// tools that ignore Village's attributes: a ZIP code ("zip"), a 5-digit
// county FIPS code ("county"), a state's postal code ("state"),
// "nationwide" or "online" ("text"), or "LAT,LON,KM" ("radius_km"). TEXT
// areas carry no extent: their words are the name.
const (
	ExtentTypeZIP    = "zip"
	ExtentTypeCounty = "county"
	ExtentTypeState  = "state"
	ExtentTypeText   = "text"
	ExtentTypeRadius = "radius_km"
	ExtentNationwide = "nationwide"
	ExtentOnline     = "online"
)

// VillageAttributes returns the values of the Village attributes in list,
// by term code (attributes of other taxonomies are left out). An attribute
// is recognised by its nested taxonomy term or, when that is absent (as in
// the CSV form), by its taxonomy_term_id.
func VillageAttributes(list []Attribute) map[string]string {
	out := map[string]string{}
	for _, a := range list {
		if a.TaxonomyTerm != nil && a.TaxonomyTerm.Taxonomy == VillageTaxonomy && a.TaxonomyTerm.Code != "" {
			out[a.TaxonomyTerm.Code] = a.Value
		} else if code, ok := villageTermCodes[a.TaxonomyTermID]; ok {
			out[code] = a.Value
		}
	}
	return out
}

// VillageTermCode returns the Village attribute code of a taxonomy term id.
func VillageTermCode(termID string) (string, bool) {
	code, ok := villageTermCodes[termID]
	return code, ok
}

// VillageTerms lists the Village attribute vocabulary, in documentation order.
var VillageTerms = []string{"sample", "provenance", "external_id", "eligibility", "free", "capacity_available",
	"capacity_maximum", "capacity_updated_at", "delivery_modes", "verified_at", "verified_by", "internal_notes",
	"approach", "settings", "audiences", "serves_through_months", "evidence", "url", "site_finder_url", "coverage", "confidential",
	"timezone", "closed", "staff_only", "extension", "funding_description", "amount_usd", "funder_id", "program_id"}

// exportAttrs builds the attributes of one record.
type exportAttrs struct {
	entity, linkID string
	list           []Attribute
}

func newExportAttrs(entity, linkID string) *exportAttrs {
	return &exportAttrs{entity: entity, linkID: linkID}
}

func (a *exportAttrs) add(code, value string) {
	if value == "" {
		return
	}
	a.addValue(code, value)
}

// addValue adds the attribute even when value is empty (an explicit empty
// value where the absence of the attribute would mean another).
func (a *exportAttrs) addValue(code, value string) {
	t := VillageTerm(code)
	a.list = append(a.list, Attribute{
		ID:             uuid.NewSHA1(Namespace, []byte("attribute/"+a.linkID+"/"+code)).String(),
		LinkID:         a.linkID,
		TaxonomyTermID: t.ID,
		LinkType:       a.entity,
		LinkEntity:     a.entity,
		Value:          value,
		TaxonomyTerm:   &t,
	})
}

func (a *exportAttrs) json(code string, v any, empty bool) {
	if empty {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	a.add(code, string(b))
}

func (a *exportAttrs) intp(code string, v *int) {
	if v != nil {
		a.add(code, strconv.Itoa(*v))
	}
}

func (a *exportAttrs) timep(code string, t *time.Time) {
	if t != nil {
		a.add(code, t.UTC().Format(time.RFC3339Nano))
	}
}

func (a *exportAttrs) boolp(code string, b *bool) {
	if b != nil {
		a.add(code, strconv.FormatBool(*b))
	}
}

// record adds the bookkeeping every Village record carries.
func (a *exportAttrs) record(sample bool, provenance, externalSource, externalID string) {
	if sample {
		a.add("sample", "true")
	}
	a.add("provenance", provenance)
	if externalSource != "" && externalID != "" {
		// The HSDS id carries a UUID external id; the attribute keeps any
		// other, and the source when it is not HSDS itself.
		if _, err := uuid.Parse(externalID); err != nil || externalSource != "hsds" {
			a.add("external_id", externalSource+":"+externalID)
		}
	}
}

func (a *exportAttrs) result() []Attribute { return a.list }

// exportAgeYears writes an age in months as HSDS years (months/12, rounded
// to two decimals).
func exportAgeYears(months *int) *float64 {
	if months == nil {
		return nil
	}
	y := math.Round(float64(*months)/12*100) / 100
	return &y
}

// exportMaxAgeYears writes an inclusive maximum age in months as HSDS years.
// A last month of a year of age (N×12+11: up to the day before the next
// birthday) is the whole N, as HSDS's "maximum_age N" reads and as the
// import converts it. Any other maximum is the age at which it ends, in
// years, cut to four decimals: 0 months (the first month of life) is
// 0.0833, 24 months 2.0833. That is never a whole number, which would read
// as up to eleven months more, and the import reads it back exactly
// (floor(years×12)).
func exportMaxAgeYears(months *int) *float64 {
	if months == nil {
		return nil
	}
	if *months%12 == 11 {
		y := float64(*months / 12)
		return &y
	}
	y := math.Trunc(float64(*months+1)/12*10000) / 10000
	return &y
}

func exportDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// exportStatus maps Village's status enum to HSDS's.
func exportStatus(s string) string {
	return strings.ReplaceAll(strings.ToLower(s), "_", " ")
}

// exportIDs are the HSDS ids of the records a Mapper has met, by
// "type/ID".
type exportIDs map[string]string

// note is the HSDS id of a record the Mapper maps or meets with its
// identity loaded, remembered for references to it.
func (m *Mapper) note(kind string, id int, externalSource, externalID string) string {
	v := RecordID(m.Directory, kind, id, externalSource, externalID)
	if m.IDs != nil {
		m.IDs[kind+"/"+strconv.Itoa(id)] = v
	}
	return v
}

// Mapper turns ent records into HSDS objects. Its IDs remember the HSDS id
// of every record it has mapped, so references to them agree; a reference
// to a record it has not mapped is resolved by Lookup (which may read the
// database: a record imported from HSDS keeps its own id), or derived when
// Lookup is nil or does not know it.
type Mapper struct {
	// Directory is the id of the directory the records are of (see
	// DerivedID).
	Directory uuid.UUID
	IDs       exportIDs
	Lookup    func(kind string, id int) (string, bool)
	// SeesAddress reports whether the viewer may read a confidential
	// location's address; when it does not (or SeesAddress is nil), the
	// location's kept HSDS extras are left out too.
	SeesAddress func(l *ent.Location) bool
	// Taxonomy returns the taxonomy of a vocabulary as Taxonomies lists
	// it (nil: a term's own kept taxonomy, else the derived one).
	Taxonomy func(vocabulary string) Taxonomy
	// Modified holds, by service ID, when each service or the related
	// information its document shows last changed (see ServicesModified):
	// its last_modified. A service it does not hold shows its own
	// updated_at.
	Modified map[int]time.Time
}

// NewMapper returns a Mapper of the records of directory that resolves
// references to records it has not mapped as derived ids only (enough for
// records that were not imported, and for tests); the loaders in this
// package set Lookup.
func NewMapper(directory uuid.UUID) *Mapper { return &Mapper{Directory: directory, IDs: exportIDs{}} }

func (m *Mapper) of(kind string, id int) string {
	key := kind + "/" + strconv.Itoa(id)
	if v, ok := m.IDs[key]; ok {
		return v
	}
	v := DerivedID(m.Directory, kind, id)
	if m.Lookup != nil {
		if got, ok := m.Lookup(kind, id); ok {
			v = got
		}
	}
	m.IDs[key] = v
	return v
}

func (m *Mapper) ofp(kind string, id *int) string {
	if id == nil {
		return ""
	}
	return m.of(kind, *id)
}

// Organization maps o (with whatever edges were loaded) to HSDS.
func (m *Mapper) Organization(o *ent.Organization) Organization {
	id := m.note(KindOrganization, o.ID, o.ExternalSource, o.ExternalID)
	a := newExportAttrs("organization", id)
	a.record(o.Sample, o.Provenance, o.ExternalSource, o.ExternalID)
	out := Organization{
		ID: id, Name: o.Name, AlternateName: o.AlternateName, Description: o.Description,
		Email: o.Email, Website: o.Website, LegalStatus: o.LegalStatus,
		ParentOrganizationID: m.ofp(KindOrganization, o.ParentID),
	}
	if o.YearIncorporated != nil {
		y := float64(*o.YearIncorporated)
		out.YearIncorporated = &y
	}
	for _, f := range o.Edges.Fundings {
		out.Funding = append(out.Funding, m.Funding(f))
	}
	for _, c := range o.Edges.Contacts {
		out.Contacts = append(out.Contacts, m.Contact(c))
	}
	for _, p := range o.Edges.Phones {
		out.Phones = append(out.Phones, m.Phone(p))
	}
	for _, l := range o.Edges.Locations {
		out.Locations = append(out.Locations, m.Location(l))
	}
	for _, p := range o.Edges.Programs {
		out.Programs = append(out.Programs, m.Program(p))
	}
	out.Attributes = a.result()
	return withExtra(out, "organizations", o.HsdsExtra)
}

// Program maps p to HSDS; its model fields become Village attributes.
func (m *Mapper) Program(p *ent.Program) Program {
	id := m.note(KindProgram, p.ID, p.ExternalSource, p.ExternalID)
	a := newExportAttrs("program", id)
	a.record(p.Sample, p.Provenance, p.ExternalSource, p.ExternalID)
	a.json("eligibility", p.Eligibility, p.Eligibility == nil)
	a.add("approach", string(p.Approach))
	a.json("settings", p.Settings, len(p.Settings) == 0)
	a.json("audiences", p.Audiences, len(p.Audiences) == 0)
	a.intp("serves_through_months", p.ServesThroughMonths)
	a.json("evidence", p.Evidence, len(p.Evidence) == 0)
	a.add("url", p.URL)
	if p.SiteFinderURL != nil {
		a.add("site_finder_url", *p.SiteFinderURL)
	}
	return withExtra(Program{ID: id, OrganizationID: m.ofp(KindOrganization, p.OrganizationID), Name: p.Name,
		AlternateName: p.AlternateName, Description: p.Description, Attributes: a.result()}, "programs", p.HsdsExtra)
}

// ServiceSummary is a service as an organization document lists it when
// not asked for its services in full: its id, name and status (the
// spec's "simple information"; s needs no more than those columns and
// its external source and id).
func ServiceSummary(directory uuid.UUID, s *ent.Service) Service {
	return Service{ID: RecordID(directory, KindService, s.ID, s.ExternalSource, s.ExternalID), Name: s.Name, Status: exportStatus(string(s.Status))}
}

// Service maps s, with the edges loaded by ServiceQuery, to a full HSDS
// service document.
func (m *Mapper) Service(s *ent.Service) Service {
	id := m.note(KindService, s.ID, s.ExternalSource, s.ExternalID)
	if s.Edges.Organization != nil {
		m.note(KindOrganization, s.Edges.Organization.ID, s.Edges.Organization.ExternalSource, s.Edges.Organization.ExternalID)
	}
	if s.Edges.Program != nil {
		m.note(KindProgram, s.Edges.Program.ID, s.Edges.Program.ExternalSource, s.Edges.Program.ExternalID)
	}
	a := serviceAttrs(id, s)
	out := Service{
		ID: id, OrganizationID: m.of(KindOrganization, s.OrganizationID), ProgramID: m.ofp(KindProgram, s.ProgramID),
		Name: s.Name, AlternateName: s.AlternateName, Description: s.Description, URL: s.URL, Email: s.Email,
		Status: exportStatus(string(s.Status)), InterpretationServices: s.InterpretationServices,
		ApplicationProcess: s.ApplicationProcess, FeesDescription: s.FeesDescription, WaitTime: s.WaitTime,
		LastModified: m.lastModified(s).UTC().Format(time.RFC3339Nano),
	}
	if s.VerifiedAt != nil {
		out.AssuredDate = exportDate(s.VerifiedAt)
	}
	if service.EmailValidator(s.VerifiedBy) == nil && strings.Contains(s.VerifiedBy, "@") {
		out.AssurerEmail = s.VerifiedBy // who checked, when that is an address
	}
	el := s.Eligibility
	if s.Edges.Program != nil {
		el = directory.Effective(s.Eligibility, s.Edges.Program.Eligibility)
	}
	if el != nil {
		out.EligibilityDescription = el.Description
		out.MinimumAge = exportAgeYears(el.MinAgeMonths)
		out.MaximumAge = exportMaxAgeYears(el.MaxAgeMonths)
	}
	for _, code := range s.Languages {
		out.Languages = append(out.Languages, Language{ID: languageID(KindService, id, code), ServiceID: id, Code: code})
	}
	for _, p := range s.Edges.Phones {
		out.Phones = append(out.Phones, m.Phone(p))
	}
	for _, sc := range s.Edges.Schedules {
		out.Schedules = append(out.Schedules, m.Schedule(sc))
	}
	for _, ar := range s.Edges.ServiceAreas {
		out.ServiceAreas = append(out.ServiceAreas, areaInherits(m.ServiceArea(ar), ar, s))
	}
	for _, sal := range s.Edges.ServiceAtLocations {
		out.ServiceAtLocations = append(out.ServiceAtLocations, m.ServiceAtLocation(sal))
	}
	for _, f := range s.Edges.Fundings {
		out.Funding = append(out.Funding, m.Funding(f))
	}
	for _, c := range s.Edges.Contacts {
		out.Contacts = append(out.Contacts, m.Contact(c))
	}
	if o := s.Edges.Organization; o != nil {
		org := m.Organization(o)
		out.Organization = &org
	}
	if p := s.Edges.Program; p != nil {
		prog := m.Program(p)
		out.Program = &prog
	}
	list := a.result()
	termIDs := make(map[[2]string]string, len(s.Edges.Needs))
	for _, t := range s.Edges.Needs {
		term := m.TaxonomyTerm(t)
		termIDs[[2]string{t.Vocabulary, t.Code}] = term.ID
		list = append(list, Attribute{
			ID:     needAttributeID(id, term.ID),
			LinkID: id, TaxonomyTermID: term.ID, LinkType: "service", LinkEntity: "service", TaxonomyTerm: &term,
		})
	}
	out.Attributes = list
	return withExtra(out, "services", withNeedTerms(s.HsdsExtra, termIDs))
}

// lastModified is when s, or what its document shows, last changed.
func (m *Mapper) lastModified(s *ent.Service) time.Time {
	if t, ok := m.Modified[s.ID]; ok && t.After(s.UpdatedAt) {
		return t
	}
	return s.UpdatedAt
}

// serviceAttrs are the Village attributes of service s (HSDS id id): its
// own fields HSDS has no column for.
func serviceAttrs(id string, s *ent.Service) *exportAttrs {
	a := newExportAttrs("service", id)
	a.record(s.Sample, s.Provenance, s.ExternalSource, s.ExternalID)
	a.json("eligibility", s.Eligibility, s.Eligibility == nil)
	a.boolp("free", s.Free)
	a.intp("capacity_available", s.CapacityAvailable)
	a.intp("capacity_maximum", s.CapacityMaximum)
	a.timep("capacity_updated_at", s.CapacityUpdatedAt)
	a.json("delivery_modes", s.DeliveryModes, len(s.DeliveryModes) == 0)
	a.timep("verified_at", s.VerifiedAt)
	a.add("verified_by", s.VerifiedBy)
	a.add("internal_notes", s.InternalNotes)
	return a
}

// extentSaysAll reports whether an area's extent and extent_type (see
// areaExtent) hold all of its coverage, which the import then reads from
// them: a ZIP code, county or state without a centre, the whole US or
// online without a code or centre, a circle. Any other area carries the
// coverage attribute.
func extentSaysAll(ar *ent.ServiceArea) bool {
	noCentre := ar.CenterLatitude == nil && ar.CenterLongitude == nil && ar.RadiusKm == nil
	switch ar.Kind {
	case "ZIP", "COUNTY", "STATE":
		return noCentre && ar.Code != ""
	case "NATIONWIDE", "ONLINE":
		return noCentre && ar.Code == ""
	case "RADIUS":
		return ar.CenterLatitude != nil && ar.CenterLongitude != nil && ar.RadiusKm != nil && ar.Code == ""
	}
	return false
}

// areaInherits leaves out of a service area's Village attributes the
// provenance and sample flag it shares with its service, which the import
// gives an area without them (a service has hundreds of areas, and most
// say what their service says): an area that differs says so, with an
// explicit empty provenance or "false".
func areaInherits(out ServiceArea, ar *ent.ServiceArea, s *ent.Service) ServiceArea {
	drop := map[string]bool{}
	a := &exportAttrs{entity: "service_area", linkID: out.ID}
	switch {
	case ar.Provenance == s.Provenance:
		drop["provenance"] = true
	case ar.Provenance == "":
		a.addValue("provenance", "")
	}
	switch {
	case ar.Sample == s.Sample:
		drop["sample"] = true
	case !ar.Sample:
		a.add("sample", "false")
	}
	list := slices.DeleteFunc(out.Attributes, func(at Attribute) bool {
		return at.TaxonomyTerm != nil && at.TaxonomyTerm.Taxonomy == VillageTaxonomy && drop[at.TaxonomyTerm.Code]
	})
	out.Attributes = append(list, a.result()...)
	return out
}

// ServiceAtLocation maps sal (with its location and own phones, contacts
// and schedules loaded) to HSDS.
func (m *Mapper) ServiceAtLocation(sal *ent.ServiceAtLocation) ServiceAtLocation {
	id := m.note(KindServiceAtLocation, sal.ID, sal.ExternalSource, sal.ExternalID)
	a := newExportAttrs("service_at_location", id)
	a.record(sal.Sample, sal.Provenance, sal.ExternalSource, sal.ExternalID)
	out := ServiceAtLocation{ID: id, ServiceID: m.of(KindService, sal.ServiceID),
		LocationID: m.of(KindLocation, sal.LocationID), Description: sal.Description}
	if l := sal.Edges.Location; l != nil {
		loc := m.Location(l)
		out.Location = &loc
		out.LocationID = loc.ID
	}
	for _, p := range sal.Edges.Phones {
		out.Phones = append(out.Phones, m.Phone(p))
	}
	for _, c := range sal.Edges.Contacts {
		out.Contacts = append(out.Contacts, m.Contact(c))
	}
	for _, sc := range sal.Edges.Schedules {
		out.Schedules = append(out.Schedules, m.Schedule(sc))
	}
	out.Attributes = a.result()
	return withExtra(out, "service_at_location", sal.HsdsExtra)
}

// Location maps l to HSDS; its address becomes one HSDS address (postal for
// POSTAL locations, physical otherwise) when any part of it is known.
func (m *Mapper) Location(l *ent.Location) Location {
	id := m.note(KindLocation, l.ID, l.ExternalSource, l.ExternalID)
	a := newExportAttrs("location", id)
	a.record(l.Sample, l.Provenance, l.ExternalSource, l.ExternalID)
	if l.Confidential {
		a.add("confidential", "true")
	}
	out := Location{ID: id, LocationType: strings.ToLower(string(l.LocationType)), URL: l.URL,
		OrganizationID: m.ofp(KindOrganization, l.OrganizationID), Name: l.Name, AlternateName: l.AlternateName,
		Description: l.Description, Latitude: l.Latitude, Longitude: l.Longitude}
	if l.Address1 != "" || l.Address2 != "" || l.City != "" || l.Region != "" || l.PostalCode != "" || l.Country != "" {
		typ := addressType(string(l.LocationType))
		out.Addresses = []Address{{
			ID:         addressID(id),
			LocationID: id, Address1: l.Address1, Address2: l.Address2, City: l.City,
			StateProvince: l.Region, PostalCode: l.PostalCode, Country: l.Country, AddressType: typ,
		}}
	}
	for _, p := range l.Edges.Phones {
		out.Phones = append(out.Phones, m.Phone(p))
	}
	for _, sc := range l.Edges.Schedules {
		out.Schedules = append(out.Schedules, m.Schedule(sc))
	}
	out.Attributes = a.result()
	if l.Confidential && !m.seesAddress(l) {
		// Whatever the source said beside the address (a second address,
		// directions, accessibility details, metadata of old values) may
		// say where the place is: none of it for who may not see that.
		return out
	}
	return withExtra(out, "locations", l.HsdsExtra)
}

// addressType is the address_type of the address of a location of type
// locationType (Village's enum).
func addressType(locationType string) string {
	if locationType == "POSTAL" {
		return "postal"
	}
	return "physical"
}

// seesAddress reports whether the viewer the Mapper maps for may read a
// confidential location's address (nobody, unless SeesAddress says so).
func (m *Mapper) seesAddress(l *ent.Location) bool {
	return m.SeesAddress != nil && m.SeesAddress(l)
}

// ServiceArea maps ar to HSDS: its words become name, its structure a
// coverage attribute, and a ZIP, county or state its extent (extent_type
// "zip", "county_fips", "state").
func (m *Mapper) ServiceArea(ar *ent.ServiceArea) ServiceArea {
	id := m.note(KindServiceArea, ar.ID, ar.ExternalSource, ar.ExternalID)
	a := newExportAttrs("service_area", id)
	a.record(ar.Sample, ar.Provenance, ar.ExternalSource, ar.ExternalID)
	out := ServiceArea{ID: id, ServiceID: m.of(KindService, ar.ServiceID), Name: ar.Name}
	out.Extent, out.ExtentType = areaExtent(string(ar.Kind), ar.Code, ar.CenterLatitude, ar.CenterLongitude, ar.RadiusKm)
	if !extentSaysAll(ar) {
		a.json("coverage", Coverage{string(ar.Kind), ar.Code, ar.CenterLatitude, ar.CenterLongitude, ar.RadiusKm}, false)
	}
	out.Attributes = a.result()
	return withExtra(out, "service_areas", ar.HsdsExtra)
}

// areaExtent is the extent and extent_type Village writes for a service
// area of kind (Village's enum) with code or circle; none for a TEXT area.
func areaExtent(kind, code string, lat, lon, km *float64) (extent, extentType string) {
	switch kind {
	case "ZIP":
		return code, ExtentTypeZIP
	case "COUNTY":
		return code, ExtentTypeCounty
	case "STATE":
		return code, ExtentTypeState
	case "NATIONWIDE":
		return ExtentNationwide, ExtentTypeText
	case "ONLINE":
		return ExtentOnline, ExtentTypeText
	case "RADIUS":
		if lat != nil && lon != nil && km != nil {
			return fmt.Sprintf("%g,%g,%g", *lat, *lon, *km), ExtentTypeRadius
		}
	}
	return "", ""
}

// Phone maps p to HSDS.
func (m *Mapper) Phone(p *ent.Phone) Phone {
	id := m.note(KindPhone, p.ID, p.ExternalSource, p.ExternalID)
	a := newExportAttrs("phone", id)
	a.record(p.Sample, p.Provenance, p.ExternalSource, p.ExternalID)
	if p.StaffOnly {
		a.add("staff_only", "true")
	}
	out := Phone{ID: id, Number: p.Number, Type: strings.ToLower(string(p.Type)), Description: p.Description,
		OrganizationID: m.ofp(KindOrganization, p.OrganizationID), ServiceID: m.ofp(KindService, p.ServiceID),
		LocationID: m.ofp(KindLocation, p.LocationID), ContactID: m.ofp(KindContact, p.ContactID),
		ServiceAtLocationID: m.ofp(KindServiceAtLocation, p.ServiceAtLocationID)}
	if p.Extension != "" {
		if n, err := strconv.ParseFloat(p.Extension, 64); err == nil && strconv.FormatFloat(n, 'f', -1, 64) == p.Extension {
			out.Extension = &n
		} else {
			a.add("extension", p.Extension)
		}
	}
	for _, code := range p.Languages {
		out.Languages = append(out.Languages, Language{ID: languageID(KindPhone, id, code), PhoneID: id, Code: code})
	}
	out.Attributes = a.result()
	return withExtra(out, "phones", p.HsdsExtra)
}

// Contact maps c (with its phones, if loaded) to HSDS.
func (m *Mapper) Contact(c *ent.Contact) Contact {
	id := m.note(KindContact, c.ID, c.ExternalSource, c.ExternalID)
	a := newExportAttrs("contact", id)
	a.record(c.Sample, c.Provenance, c.ExternalSource, c.ExternalID)
	out := Contact{ID: id, Name: c.Name, Title: c.Title, Department: c.Department, Email: c.Email,
		OrganizationID: m.ofp(KindOrganization, c.OrganizationID), ServiceID: m.ofp(KindService, c.ServiceID),
		ServiceAtLocationID: m.ofp(KindServiceAtLocation, c.ServiceAtLocationID)}
	for _, p := range c.Edges.Phones {
		out.Phones = append(out.Phones, m.Phone(p))
	}
	out.Attributes = a.result()
	return withExtra(out, "contacts", c.HsdsExtra)
}

// Schedule maps sc to HSDS; its IANA time zone becomes an attribute.
func (m *Mapper) Schedule(sc *ent.Schedule) Schedule {
	id := m.note(KindSchedule, sc.ID, sc.ExternalSource, sc.ExternalID)
	a := newExportAttrs("schedule", id)
	a.record(sc.Sample, sc.Provenance, sc.ExternalSource, sc.ExternalID)
	a.add("timezone", sc.Timezone)
	if sc.Closed != nil {
		a.add("closed", strconv.FormatBool(*sc.Closed))
	}
	out := Schedule{ID: id, ServiceID: m.ofp(KindService, sc.ServiceID), LocationID: m.ofp(KindLocation, sc.LocationID),
		ServiceAtLocationID: m.ofp(KindServiceAtLocation, sc.ServiceAtLocationID),
		ValidFrom:           exportDate(sc.ValidFrom), ValidTo: exportDate(sc.ValidTo), Freq: string(sc.Freq),
		ByDay: sc.Byday, ByMonthDay: sc.Bymonthday, OpensAt: sc.OpensAt, ClosesAt: sc.ClosesAt, Description: sc.Description}
	if sc.Interval != nil {
		n := float64(*sc.Interval)
		out.Interval = &n
	}
	out.Attributes = a.result()
	return withExtra(out, "schedules", sc.HsdsExtra)
}

// Funding maps f to HSDS.
func (m *Mapper) Funding(f *ent.Funding) Funding {
	id := m.note(KindFunding, f.ID, f.ExternalSource, f.ExternalID)
	a := newExportAttrs("funding", id)
	a.record(f.Sample, f.Provenance, f.ExternalSource, f.ExternalID)
	a.add("funding_description", f.Description)
	if f.AmountUsd != nil {
		a.add("amount_usd", strconv.FormatInt(*f.AmountUsd, 10))
	}
	a.add("funder_id", m.ofp(KindOrganization, f.FunderID))
	a.add("program_id", m.ofp(KindProgram, f.ProgramID))
	return withExtra(Funding{ID: id, OrganizationID: m.ofp(KindOrganization, f.OrganizationID),
		ServiceID: m.ofp(KindService, f.ServiceID), Source: f.Source, Attributes: a.result()}, "funding", f.HsdsExtra)
}

// TaxonomyTerm maps t to HSDS; its vocabulary is its taxonomy.
func (m *Mapper) TaxonomyTerm(t *ent.TaxonomyTerm) TaxonomyTerm {
	id := m.note(KindTaxonomyTerm, t.ID, t.ExternalSource, t.ExternalID)
	// Its taxonomy is its vocabulary's, as /taxonomies serves it (a
	// package's own, when one was imported), so taxonomy_id always names
	// a taxonomy the API and the export have, whatever id the term's own
	// package wrote. An imported term keeps its taxonomy column (free
	// text).
	taxonomyID, taxonomy := TaxonomyID(t.Vocabulary), t.Vocabulary
	if m.Taxonomy != nil {
		taxonomyID = m.Taxonomy(t.Vocabulary).ID
	} else if tx, ok := extraTaxonomy(t.HsdsExtra); ok {
		taxonomyID = tx.ID
	}
	if e := t.HsdsExtra; e != nil {
		if v := e.Fields["taxonomy"]; v != "" {
			taxonomy = v
		}
	}
	return withExtra(TaxonomyTerm{ID: id, Code: t.Code, Name: t.Name, Description: t.Description,
		ParentID: m.ofp(KindTaxonomyTerm, t.ParentID), Taxonomy: taxonomy, TaxonomyID: taxonomyID}, "taxonomy_terms", t.HsdsExtra)
}

// TaxonomyObject is the HSDS taxonomy of a Village vocabulary.
func TaxonomyObject(vocabulary string) Taxonomy {
	if vocabulary == VillageTaxonomy {
		return VillageTaxonomyObject()
	}
	desc := "Terms of the " + vocabulary + " vocabulary."
	if vocabulary == "village-needs" {
		desc = "Village's family-needs vocabulary: what a family is looking for."
	}
	return Taxonomy{ID: TaxonomyID(vocabulary), Name: vocabulary, Description: desc}
}
