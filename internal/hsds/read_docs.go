package hsds

import (
	"context"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
)

// The documents the read API's lists return, by shape: minimal, list item
// (the record's one-to-one fields: its HSDS columns, the Village
// attributes and its one-to-one objects in the same form, as the spec's
// *_list.json examples show) and full. Each loader returns the documents
// of the IDs it is given, in ID order, in a fixed number of statements
// whatever their number; visibility applies through the context (see
// Reader).

// MinimalService is a services list item with minimal=true: the spec's
// "just service 'id' and 'modified_date'" (the date is the service's
// last_modified).
type MinimalService struct {
	ID           string `json:"id"`
	ModifiedDate string `json:"modified_date"`
}

// MinimalServices loads the minimal documents of services ids.
func (r *Reader) MinimalServices(ctx context.Context, ids []int) ([]MinimalService, error) {
	list, err := r.client.Service.Query().Where(service.IDIn(ids...)).Order(service.ByID()).
		Select(service.FieldExternalSource, service.FieldExternalID).All(ctx)
	if err != nil {
		return nil, err
	}
	modified, err := ServicesModified(ctx, r.client, ids)
	if err != nil {
		return nil, err
	}
	dir, err := r.ids.Directory(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]MinimalService, 0, len(list))
	for _, s := range list {
		out = append(out, MinimalService{ID: RecordID(dir, KindService, s.ID, s.ExternalSource, s.ExternalID),
			ModifiedDate: modified[s.ID].UTC().Format(time.RFC3339Nano)})
	}
	return out, nil
}

// FullServices loads the fully nested documents of services ids.
func (r *Reader) FullServices(ctx context.Context, ids []int) ([]Service, error) {
	return Services(ctx, r.client, r.client.Service.Query().Where(service.IDIn(ids...)).Order(service.ByID()))
}

// ServiceItems loads the list items of services ids.
func (r *Reader) ServiceItems(ctx context.Context, ids []int) ([]Service, error) {
	list, err := r.client.Service.Query().Where(service.IDIn(ids...)).Order(service.ByID()).
		WithOrganization().WithProgram().All(ctx)
	if err != nil {
		return nil, err
	}
	m, lookupErr, err := r.ids.Mapper(ctx)
	if err != nil {
		return nil, err
	}
	if m.Modified, err = ServicesModified(ctx, r.client, ids); err != nil {
		return nil, err
	}
	out := make([]Service, 0, len(list))
	for _, s := range list {
		out = append(out, serviceItem(m, s))
	}
	return out, lookupErr()
}

// serviceItem is s (with its organization and program loaded) as a list
// item.
func serviceItem(m *Mapper, s *ent.Service) Service {
	x := m.Service(s)
	// One-to-many collections (some carried as a column in Village, or
	// kept from an imported package) are left to the full document.
	x.Phones, x.Schedules, x.ServiceAreas, x.ServiceAtLocations, x.Languages = nil, nil, nil, nil, nil
	x.Funding, x.CostOptions, x.RequiredDocuments, x.Contacts, x.Metadata = nil, nil, nil, nil, nil
	if x.Organization != nil {
		o := organizationItem(*x.Organization)
		x.Organization = &o
	}
	if x.Program != nil {
		x.Program.Metadata = nil
	}
	return x
}

// organizationItem is o as a list item.
func organizationItem(o Organization) Organization {
	o.Funding, o.Contacts, o.Phones, o.Locations, o.Programs = nil, nil, nil, nil, nil
	o.OrganizationIdentifiers, o.Metadata, o.Services = nil, nil, nil
	return o
}

// OrganizationItems loads the list items of organizations ids.
func (r *Reader) OrganizationItems(ctx context.Context, ids []int) ([]Organization, error) {
	list, err := r.client.Organization.Query().Where(organization.IDIn(ids...)).Order(organization.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	m, lookupErr, err := r.ids.Mapper(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Organization, 0, len(list))
	for _, o := range list {
		out = append(out, organizationItem(m.Organization(o)))
	}
	return out, lookupErr()
}

// OrganizationsWithServiceSummaries loads the full organizations ids name,
// each with its services' "simple information" (the spec's
// /organizations/{id}).
func (r *Reader) OrganizationsWithServiceSummaries(ctx context.Context, ids []int) ([]Organization, error) {
	orgs, err := Organizations(ctx, r.client, r.client.Organization.Query().Where(organization.IDIn(ids...)).Order(organization.ByID()))
	if err != nil {
		return nil, err
	}
	svcs, err := r.client.Service.Query().Where(service.OrganizationIDIn(ids...)).Order(service.ByID()).
		Select(service.FieldOrganizationID, service.FieldName, service.FieldStatus, service.FieldExternalSource, service.FieldExternalID).All(ctx)
	if err != nil {
		return nil, err
	}
	owners, err := r.client.Organization.Query().Where(organization.IDIn(ids...)).
		Select(organization.FieldExternalSource, organization.FieldExternalID).All(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := r.ids.Directory(ctx)
	if err != nil {
		return nil, err
	}
	hsdsID := map[int]string{}
	for _, o := range owners {
		hsdsID[o.ID] = RecordID(dir, KindOrganization, o.ID, o.ExternalSource, o.ExternalID)
	}
	byOrg := map[string][]Service{}
	for _, s := range svcs {
		id := hsdsID[s.OrganizationID]
		byOrg[id] = append(byOrg[id], ServiceSummary(dir, s))
	}
	for i := range orgs {
		orgs[i].Services = byOrg[orgs[i].ID]
	}
	return orgs, nil
}

// OrganizationsWithServices loads the full organizations ids name, each
// with its full services (in ID order).
func (r *Reader) OrganizationsWithServices(ctx context.Context, ids []int) ([]Organization, error) {
	orgs, err := Organizations(ctx, r.client, r.client.Organization.Query().Where(organization.IDIn(ids...)).Order(organization.ByID()))
	if err != nil {
		return nil, err
	}
	svcs, err := Services(ctx, r.client, r.client.Service.Query().Where(service.OrganizationIDIn(ids...)).Order(service.ByID()))
	if err != nil {
		return nil, err
	}
	byOrg := map[string][]Service{}
	for _, s := range svcs {
		s.Organization = nil // it is the document's root
		byOrg[s.OrganizationID] = append(byOrg[s.OrganizationID], s)
	}
	for i := range orgs {
		orgs[i].Services = byOrg[orgs[i].ID]
	}
	return orgs, nil
}

// ServiceAtLocationItems loads the list items of service_at_locations ids.
func (r *Reader) ServiceAtLocationItems(ctx context.Context, ids []int) ([]ServiceAtLocation, error) {
	list, err := r.client.ServiceAtLocation.Query().Where(serviceatlocation.IDIn(ids...)).Order(serviceatlocation.ByID()).
		WithLocation().WithService(func(q *ent.ServiceQuery) { q.WithOrganization().WithProgram() }).All(ctx)
	if err != nil {
		return nil, err
	}
	m, lookupErr, err := r.ids.Mapper(ctx)
	if err != nil {
		return nil, err
	}
	var svcIDs []int
	for _, sal := range list {
		svcIDs = append(svcIDs, sal.ServiceID)
	}
	if m.Modified, err = ServicesModified(ctx, r.client, svcIDs); err != nil {
		return nil, err
	}
	out := make([]ServiceAtLocation, 0, len(list))
	for _, sal := range list {
		out = append(out, serviceAtLocationItem(m, sal))
	}
	return out, lookupErr()
}

// serviceAtLocationItem is sal (with its location, and its service with
// organization and program, loaded) as a list item.
func serviceAtLocationItem(m *Mapper, sal *ent.ServiceAtLocation) ServiceAtLocation {
	var svc *Service
	if s := sal.Edges.Service; s != nil {
		x := serviceItem(m, s)
		svc = &x
	}
	x := m.ServiceAtLocation(sal)
	x.Contacts, x.Phones, x.Schedules, x.Metadata = nil, nil, nil, nil
	if l := x.Location; l != nil {
		l.Languages, l.Addresses, l.Contacts, l.Accessibility, l.Phones, l.Schedules, l.Metadata = nil, nil, nil, nil, nil, nil, nil
	}
	x.Service = svc
	return x
}

// FullServiceAtLocations loads the fully nested service_at_locations ids
// name, each with its full service (as the spec's
// service_at_location_full.json shows).
func (r *Reader) FullServiceAtLocations(ctx context.Context, ids []int) ([]ServiceAtLocation, error) {
	sals, err := ServiceAtLocations(ctx, r.client, r.client.ServiceAtLocation.Query().
		Where(serviceatlocation.IDIn(ids...)).Order(serviceatlocation.ByID()))
	if err != nil {
		return nil, err
	}
	svcs, err := Services(ctx, r.client, r.client.Service.Query().
		Where(service.HasServiceAtLocationsWith(serviceatlocation.IDIn(ids...))).Order(service.ByID()))
	if err != nil {
		return nil, err
	}
	byID := map[string]*Service{}
	for i := range svcs {
		svcs[i].ServiceAtLocations = nil // the document's root is one of them
		byID[svcs[i].ID] = &svcs[i]
	}
	for i := range sals {
		if s, ok := byID[sals[i].ServiceID]; ok {
			sals[i].Service = s
		}
	}
	return sals, nil
}

// TaxonomyTermsByID loads the documents of taxonomy terms ids.
func (r *Reader) TaxonomyTermsByID(ctx context.Context, ids []int) ([]TaxonomyTerm, error) {
	return TaxonomyTerms(ctx, r.client, r.client.TaxonomyTerm.Query().Where(taxonomyterm.IDIn(ids...)).Order(taxonomyterm.ByID()))
}

// TaxonomyTermByID loads the document of the taxonomy term id, with its
// taxonomy as /taxonomies lists it (an imported one keeps its package's
// own id and fields); ok is false when the viewer sees no such term.
func (r *Reader) TaxonomyTermByID(ctx context.Context, id int) (t TaxonomyTerm, ok bool, err error) {
	list, err := TaxonomyTerms(ctx, r.client, r.client.TaxonomyTerm.Query().Where(taxonomyterm.ID(id)))
	if err != nil || len(list) == 0 {
		return TaxonomyTerm{}, false, err
	}
	t = list[0]
	taxes, err := Taxonomies(ctx, r.client)
	if err != nil {
		return TaxonomyTerm{}, false, err
	}
	for i := range taxes {
		if taxes[i].ID == t.TaxonomyID {
			t.TaxonomyDetail = &taxes[i]
		}
	}
	return t, true, nil
}

// Taxonomies lists the directory's taxonomies (see Taxonomies).
func (r *Reader) Taxonomies(ctx context.Context) ([]Taxonomy, error) {
	return Taxonomies(ctx, r.client)
}
