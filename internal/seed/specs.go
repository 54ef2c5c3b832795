package seed

import (
	"fmt"
	"strings"
	"time"

	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	entschema "github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
)

// The declarative shapes of the seed data. Each spec names the records it
// points at by slug (the part of the external ID after the type prefix:
// "zero-to-three" for organization:zero-to-three) and converts itself to
// the generic records the loader writes. Every spec lists every field it
// manages, so that a field removed from the data is cleared on the next run.

// doc is a seed document.
type doc struct {
	title string // what it is, and whose
	file  string // its file under seeds/
}

func (d doc) String() string { return d.title + "; seeds/" + d.file }

// origin says where a record's facts come from: the seed documents, and a
// note on how they were read where that took interpretation.
type origin struct {
	Sources []doc
	Note    string
}

// SampleProvenance is the provenance of every sample record.
const SampleProvenance = "Illustrative sample created by Village; not a real listing"

// SampleDescriptionPrefix begins the description of every sample service.
const SampleDescriptionPrefix = "Illustrative sample listing, not a real service:"

func (o origin) provenance(sample bool) string {
	if sample {
		return SampleProvenance
	}
	lines := make([]string, 0, len(o.Sources)+1)
	for _, d := range o.Sources {
		lines = append(lines, d.String())
	}
	if o.Note != "" {
		lines = append(lines, "Note: "+o.Note)
	}
	return strings.Join(lines, "\n")
}

func (o origin) check(sample bool, what string) error {
	if !sample && len(o.Sources) == 0 {
		return fmt.Errorf("%s: a fact needs at least one seed document as its source", what)
	}
	return nil
}

// Small helpers that turn optional spec values into field values (nil =
// the field is empty).

func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func intp(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func boolp(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}

func floatp(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func list[T any](xs []T) any {
	if len(xs) == 0 {
		return nil
	}
	return xs
}

func ptr[T any](v T) *T { return &v }

func date(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(fmt.Sprintf("seed: bad date %q: %v", s, err))
	}
	return &t
}

// centroid resolves a ZIP to the centroid the geographic reference gives it.
func centroid(zip string) (lat, lon float64, err error) {
	p, ok := geo.LookupZIP(zip)
	if !ok || !p.HasCentroid {
		return 0, 0, fmt.Errorf("ZIP %s has no centroid in the geographic reference", zip)
	}
	return p.Latitude, p.Longitude, nil
}

// orgSpec declares an Organization.
type orgSpec struct {
	Slug          string
	Name          string
	AlternateName string
	Description   string
	Email         string
	Website       string
	Parent        string // slug of the parent organization
	Contacts      []contactSpec
	Phones        []phoneSpec
	origin
}

func (s orgSpec) records(sample bool) ([]record, error) {
	ext := organizations.key(s.Slug)
	if err := s.origin.check(sample, ext); err != nil {
		return nil, err
	}
	prov := s.provenance(sample)
	out := []record{{
		kind: organizations, extID: ext, sample: sample, label: s.Name,
		fields: []fieldValue{
			{Name: "name", Value: s.Name},
			{Name: "alternate_name", Value: str(s.AlternateName)},
			{Name: "description", Value: str(s.Description)},
			{Name: "email", Value: str(s.Email)},
			{Name: "website", Value: str(s.Website)},
			{Name: "provenance", Value: prov},
		},
		refs: []refValue{{"parent_id", organizations, organizations.key(s.Parent)}},
	}}
	for _, c := range s.Contacts {
		out = append(out, c.record(s.Slug, ext, sample, prov))
	}
	for _, p := range s.Phones {
		out = append(out, p.record(s.Slug, "organization_id", ext, sample, prov))
	}
	return out, nil
}

// contactSpec declares a Contact of an organization.
type contactSpec struct {
	Slug  string
	Name  string
	Title string
	Email string
}

func (c contactSpec) record(ownerSlug, ownerExt string, sample bool, prov string) record {
	return record{
		kind: contacts, extID: contacts.key(ownerSlug + ":" + c.Slug), sample: sample,
		fields: []fieldValue{
			{Name: "name", Value: str(c.Name)},
			{Name: "title", Value: str(c.Title)},
			{Name: "email", Value: str(c.Email)},
			{Name: "provenance", Value: prov},
		},
		refs: []refValue{{"organization_id", organizations, ownerExt}},
	}
}

// phoneSpec declares a Phone of an organization, service or location.
type phoneSpec struct {
	Number      string
	Type        phone.Type // VOICE when empty
	Description string
	Languages   []string
	StaffOnly   bool
}

func (p phoneSpec) record(ownerSlug, ownerField, ownerExt string, sample bool, prov string) record {
	t := p.Type
	if t == "" {
		t = phone.TypeVOICE
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, p.Number)
	owner := map[string]*kind{"organization_id": organizations, "service_id": services, "location_id": locations}[ownerField]
	return record{
		kind: phones, extID: phones.key(owner.prefix + ":" + ownerSlug + ":" + digits), sample: sample,
		fields: []fieldValue{
			{Name: "number", Value: p.Number},
			{Name: "type", Value: t},
			{Name: "description", Value: str(p.Description)},
			{Name: "languages", Value: list(p.Languages)},
			{Name: "staff_only", Value: p.StaffOnly},
			{Name: "provenance", Value: prov},
		},
		refs: []refValue{{ownerField, owner, ownerExt}},
	}
}

// programSpec declares a Program (an evidence-based model).
type programSpec struct {
	Slug                string
	Name                string
	AlternateName       string
	Description         string
	URL                 string
	Organization        string // slug; empty when no source names one
	Approach            program.Approach
	Settings            []directory.Setting
	Audiences           []directory.Audience
	ServesThroughMonths *int
	Eligibility         *directory.Eligibility
	Evidence            []directory.Evidence
	origin
}

func (s programSpec) records(sample bool) ([]record, error) {
	ext := programs.key(s.Slug)
	if err := s.origin.check(sample, ext); err != nil {
		return nil, err
	}
	var approach any
	if s.Approach != "" {
		approach = s.Approach
	}
	var elig any
	if s.Eligibility != nil {
		elig = s.Eligibility
	}
	return []record{{
		kind: programs, extID: ext, sample: sample, label: s.Name,
		fields: []fieldValue{
			{Name: "name", Value: s.Name},
			{Name: "alternate_name", Value: str(s.AlternateName)},
			{Name: "description", Value: str(s.Description)},
			{Name: "url", Value: str(s.URL)},
			{Name: "approach", Value: approach},
			{Name: "settings", Value: list(s.Settings)},
			{Name: "audiences", Value: list(s.Audiences)},
			{Name: "serves_through_months", Value: intp(s.ServesThroughMonths)},
			{Name: "eligibility", Value: elig},
			{Name: "evidence", Value: list(s.Evidence)},
			{Name: "provenance", Value: s.provenance(sample)},
		},
		refs: []refValue{{"organization_id", organizations, organizations.key(s.Organization)}},
	}}, nil
}

// termSpec declares a TaxonomyTerm of the family-needs vocabulary.
type termSpec struct {
	Code        string
	Name        string
	Description string
	Parent      string // code of the broader term
}

// needsProvenance is the provenance of the family-needs vocabulary, which is
// Village's own rather than any seed's.
const needsProvenance = "Village family-needs vocabulary (village-needs), defined by Village in DESIGN.md; terms chosen for the needs the programs and services of seeds/*.txt meet"

func (s termSpec) records(sample bool) ([]record, error) {
	return []record{{
		kind: terms, extID: terms.key(s.Code), sample: sample, label: s.Name,
		fields: []fieldValue{
			{Name: "code", Value: s.Code},
			{Name: "name", Value: s.Name},
			{Name: "description", Value: str(s.Description)},
			{Name: "vocabulary", Value: entschema.NeedsVocabulary},
			{Name: "provenance", Value: needsProvenance},
		},
		refs: []refValue{{"parent_id", terms, terms.key(s.Parent)}},
	}}, nil
}

// resourceSpec declares a library Resource; seed resources are published.
type resourceSpec struct {
	Slug        string
	Title       string
	Kind        resource.Kind
	URL         string
	Summary     string
	Audiences   []directory.Audience
	Language    string // en when empty
	Publisher   string // organization slug
	PublishedOn *time.Time
	Places      []string
	Topics      []string // need codes
	Programs    []string // program slugs
	origin
}

func (s resourceSpec) records(sample bool) ([]record, error) {
	ext := resources.key(s.Slug)
	if err := s.origin.check(sample, ext); err != nil {
		return nil, err
	}
	lang := s.Language
	if lang == "" {
		lang = "en"
	}
	var published any
	if s.PublishedOn != nil {
		published = *s.PublishedOn
	}
	return []record{{
		kind: resources, extID: ext, sample: sample, label: s.Title,
		fields: []fieldValue{
			{Name: "title", Value: s.Title},
			{Name: "kind", Value: s.Kind},
			{Name: "url", Value: str(s.URL)},
			{Name: "summary", Value: str(s.Summary)},
			{Name: "audiences", Value: list(s.Audiences)},
			{Name: "language", Value: lang},
			{Name: "published_on", Value: published},
			{Name: "places", Value: list(s.Places)},
			{Name: "status", Value: resource.StatusPUBLISHED},
			{Name: "provenance", Value: s.provenance(sample)},
		},
		refs: []refValue{{"publisher_id", organizations, organizations.key(s.Publisher)}},
		edges: []edgeValue{
			{"topics", terms, terms.keys(s.Topics)},
			{"programs", programs, programs.keys(s.Programs)},
		},
	}}, nil
}

// locationSpec declares a Location. Seed locations carry no street address:
// at most a city, region, postal code and the coordinates of a ZIP centroid.
type locationSpec struct {
	Slug         string
	Name         string
	Description  string
	Organization string
	Type         location.LocationType // PHYSICAL when empty
	URL          string
	City         string
	Region       string
	PostalCode   string
	Country      string
	CentroidOf   string // a ZIP whose centroid gives the coordinates
	Confidential bool
	Phones       []phoneSpec
	origin
}

func (s locationSpec) records(sample bool) ([]record, error) {
	ext := locations.key(s.Slug)
	if err := s.origin.check(sample, ext); err != nil {
		return nil, err
	}
	t := s.Type
	if t == "" {
		t = location.LocationTypePHYSICAL
	}
	var lat, lon *float64
	if s.CentroidOf != "" {
		la, lo, err := centroid(s.CentroidOf)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ext, err)
		}
		lat, lon = &la, &lo
	}
	prov := s.provenance(sample)
	out := []record{{
		kind: locations, extID: ext, sample: sample, label: s.Name,
		fields: []fieldValue{
			{Name: "name", Value: s.Name},
			{Name: "description", Value: str(s.Description)},
			{Name: "location_type", Value: t},
			{Name: "url", Value: str(s.URL)},
			{Name: "address_1", Value: nil},
			{Name: "address_2", Value: nil},
			{Name: "city", Value: str(s.City)},
			{Name: "region", Value: str(s.Region)},
			{Name: "postal_code", Value: str(s.PostalCode)},
			{Name: "country", Value: str(s.Country)},
			{Name: "latitude", Value: floatp(lat)},
			{Name: "longitude", Value: floatp(lon)},
			{Name: "confidential", Value: s.Confidential},
			{Name: "provenance", Value: prov},
		},
		refs: []refValue{{"organization_id", organizations, organizations.key(s.Organization)}},
	}}
	for _, p := range s.Phones {
		out = append(out, p.record(s.Slug, "location_id", ext, sample, prov))
	}
	return out, nil
}

// serviceSpec declares a Service with its areas, locations and phones.
type serviceSpec struct {
	Slug               string
	Name               string
	AlternateName      string
	Description        string
	Organization       string // slug
	Program            string // slug; empty for none
	Status             service.Status
	URL                string
	Email              string
	ApplicationProcess string
	Free               *bool
	FeesDescription    string
	DeliveryModes      []directory.DeliveryMode
	Languages          []string
	// Eligibility is the service's own; nil inherits the program's whole.
	Eligibility *directory.Eligibility
	Needs       []string // need codes
	Areas       []areaSpec
	Locations   []string // location slugs where the service is delivered
	Phones      []phoneSpec
	origin
}

func (s serviceSpec) records(sample bool) ([]record, error) {
	ext := services.key(s.Slug)
	if err := s.origin.check(sample, ext); err != nil {
		return nil, err
	}
	if sample && !strings.HasPrefix(s.Description, SampleDescriptionPrefix) {
		return nil, fmt.Errorf("%s: a sample service's description must begin %q", ext, SampleDescriptionPrefix)
	}
	status := s.Status
	if status == "" {
		status = service.StatusACTIVE
	}
	var elig any
	if s.Eligibility != nil {
		elig = s.Eligibility
	}
	prov := s.provenance(sample)
	out := []record{{
		kind: services, extID: ext, sample: sample, label: s.Name,
		fields: []fieldValue{
			{Name: "name", Value: s.Name},
			{Name: "alternate_name", Value: str(s.AlternateName)},
			{Name: "description", Value: str(s.Description)},
			{Name: "status", Value: status},
			{Name: "url", Value: str(s.URL)},
			{Name: "email", Value: str(s.Email)},
			{Name: "application_process", Value: str(s.ApplicationProcess)},
			{Name: "free", Value: boolp(s.Free)},
			{Name: "fees_description", Value: str(s.FeesDescription)},
			{Name: "delivery_modes", Value: list(s.DeliveryModes)},
			{Name: "languages", Value: list(s.Languages)},
			{Name: "eligibility", Value: elig},
			{Name: "provenance", Value: prov},
		},
		refs: []refValue{
			{"organization_id", organizations, organizations.key(s.Organization)},
			{"program_id", programs, programs.key(s.Program)},
		},
		edges: []edgeValue{{"needs", terms, terms.keys(s.Needs)}},
	}}
	for _, a := range s.Areas {
		r, err := a.record(s.Slug, ext, sample, prov)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	for _, l := range s.Locations {
		out = append(out, record{
			kind: serviceAtLocations, extID: serviceAtLocations.key(s.Slug + "@" + l), sample: sample,
			fields: []fieldValue{{Name: "provenance", Value: prov}},
			refs: []refValue{
				{"service_id", services, ext},
				{"location_id", locations, locations.key(l)},
			},
		})
	}
	for _, p := range s.Phones {
		out = append(out, p.record(s.Slug, "service_id", ext, sample, prov))
	}
	return out, nil
}

// areaSpec declares a ServiceArea of a service.
type areaSpec struct {
	Kind servicearea.Kind
	Code string // STATE, COUNTY, ZIP
	Name string
	// For RADIUS: the centre is the centroid of CenterZIP.
	CenterZIP string
	RadiusKm  float64
}

func (a areaSpec) record(serviceSlug, serviceExt string, sample bool, prov string) (record, error) {
	slug := strings.ToLower(string(a.Kind))
	if a.Code != "" {
		slug += "-" + strings.ToLower(a.Code)
	}
	var lat, lon, radius any
	if a.Kind == servicearea.KindRADIUS {
		la, lo, err := centroid(a.CenterZIP)
		if err != nil {
			return record{}, fmt.Errorf("%s: %w", serviceExt, err)
		}
		lat, lon, radius = la, lo, a.RadiusKm
		slug += fmt.Sprintf("-%s-%gkm", a.CenterZIP, a.RadiusKm)
	}
	return record{
		kind: serviceAreas, extID: serviceAreas.key(serviceSlug + ":" + slug), sample: sample,
		fields: []fieldValue{
			{Name: "kind", Value: a.Kind},
			{Name: "code", Value: str(a.Code)},
			{Name: "center_latitude", Value: lat},
			{Name: "center_longitude", Value: lon},
			{Name: "radius_km", Value: radius},
			{Name: "name", Value: str(a.Name)},
			{Name: "provenance", Value: prov},
		},
		refs: []refValue{{"service_id", services, serviceExt}},
	}, nil
}

// fundingSpec declares a Funding: who funds what.
type fundingSpec struct {
	Slug         string
	Source       string // the funder as the source names it
	Funder       string // organization slug of the funder
	Description  string
	AmountUSD    *int64
	Organization string // recipients, by slug
	Program      string
	Service      string
	Resource     string
	origin
}

func (s fundingSpec) records(sample bool) ([]record, error) {
	ext := fundings.key(s.Slug)
	if err := s.origin.check(sample, ext); err != nil {
		return nil, err
	}
	var amount any
	if s.AmountUSD != nil {
		amount = *s.AmountUSD
	}
	return []record{{
		kind: fundings, extID: ext, sample: sample,
		fields: []fieldValue{
			{Name: "source", Value: s.Source},
			{Name: "description", Value: str(s.Description)},
			{Name: "amount_usd", Value: amount},
			{Name: "provenance", Value: s.provenance(sample)},
		},
		refs: []refValue{
			{"funder_id", organizations, organizations.key(s.Funder)},
			{"organization_id", organizations, organizations.key(s.Organization)},
			{"program_id", programs, programs.key(s.Program)},
			{"service_id", services, services.key(s.Service)},
			{"resource_id", resources, resources.key(s.Resource)},
		},
	}}, nil
}

// dataset is everything one run declares, in load order.
type dataset struct {
	Organizations []orgSpec
	Programs      []programSpec
	Terms         []termSpec
	Resources     []resourceSpec
	Locations     []locationSpec
	Services      []serviceSpec
	Fundings      []fundingSpec
}

// records converts the dataset to records in load order: grouped by kind in
// the order of kinds (every kind after the kinds it points at), and within a
// kind in declaration order (so a parent organization or broader term must
// be declared before the records that point at it).
func (d dataset) records(sample bool) ([]record, error) {
	var all []record
	add := func(rs []record, err error) error {
		if err != nil {
			return err
		}
		all = append(all, rs...)
		return nil
	}
	for _, s := range d.Organizations {
		if err := add(s.records(sample)); err != nil {
			return nil, err
		}
	}
	for _, s := range d.Programs {
		if err := add(s.records(sample)); err != nil {
			return nil, err
		}
	}
	for _, s := range d.Terms {
		if err := add(s.records(sample)); err != nil {
			return nil, err
		}
	}
	for _, s := range d.Resources {
		if err := add(s.records(sample)); err != nil {
			return nil, err
		}
	}
	for _, s := range d.Locations {
		if err := add(s.records(sample)); err != nil {
			return nil, err
		}
	}
	for _, s := range d.Services {
		if err := add(s.records(sample)); err != nil {
			return nil, err
		}
	}
	for _, s := range d.Fundings {
		if err := add(s.records(sample)); err != nil {
			return nil, err
		}
	}
	return sortByKind(all), nil
}

// sortByKind groups records by kind in the order of kinds, keeping the
// declared order within a kind.
func sortByKind(rs []record) []record {
	out := make([]record, 0, len(rs))
	for _, k := range kinds {
		for _, r := range rs {
			if r.kind == k {
				out = append(out, r)
			}
		}
	}
	return out
}
