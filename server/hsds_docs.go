package server

import (
	"context"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/internal/hsds"
)

// The documents the HSDS lists return, by shape: minimal, list item (the
// record's one-to-one fields, see hsdsHandler) and full. Every loader reads
// through the ent client with the request's context, so the viewer's
// visibility applies (confidential addresses and coordinates blanked,
// staff-only phones absent, internal notes blank) whatever the shape.

// minimalService is a services list item with minimal=true: the spec's
// "just service 'id' and 'modified_date'" (the date is the service's
// last_modified).
type minimalService struct {
	ID           string `json:"id"`
	ModifiedDate string `json:"modified_date"`
}

// serviceLoader returns the loader of the services list's shape.
func (h *hsdsAPI) serviceLoader(p *listParams) func(context.Context, []int) ([]any, error) {
	switch {
	case p.minimal:
		return h.minimalServices
	case p.full:
		return h.fullServices
	default:
		return h.serviceItems
	}
}

func (h *hsdsAPI) minimalServices(ctx context.Context, ids []int) ([]any, error) {
	list, err := h.client.Service.Query().Where(service.IDIn(ids...)).Order(service.ByID()).
		Select(service.FieldExternalSource, service.FieldExternalID).All(ctx)
	if err != nil {
		return nil, err
	}
	modified, err := hsds.ServicesModified(ctx, h.client, ids)
	if err != nil {
		return nil, err
	}
	dir, err := h.ids.Directory(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(list))
	for _, s := range list {
		out = append(out, minimalService{ID: hsds.RecordID(dir, hsds.KindService, s.ID, s.ExternalSource, s.ExternalID),
			ModifiedDate: hsdsTime(modified[s.ID])})
	}
	return out, nil
}

func (h *hsdsAPI) fullServices(ctx context.Context, ids []int) ([]any, error) {
	list, err := hsds.Services(ctx, h.client, h.client.Service.Query().Where(service.IDIn(ids...)).Order(service.ByID()))
	return anys(list), err
}

func (h *hsdsAPI) serviceItems(ctx context.Context, ids []int) ([]any, error) {
	list, err := h.client.Service.Query().Where(service.IDIn(ids...)).Order(service.ByID()).
		WithOrganization().WithProgram().All(ctx)
	if err != nil {
		return nil, err
	}
	m, lookupErr, err := h.ids.Mapper(ctx)
	if err != nil {
		return nil, err
	}
	if m.Modified, err = hsds.ServicesModified(ctx, h.client, ids); err != nil {
		return nil, err
	}
	out := make([]any, 0, len(list))
	for _, s := range list {
		out = append(out, serviceItem(m, s))
	}
	return out, lookupErr()
}

// serviceItem is s (with its organization and program loaded) as a list
// item.
func serviceItem(m *hsds.Mapper, s *ent.Service) hsds.Service {
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
func organizationItem(o hsds.Organization) hsds.Organization {
	o.Funding, o.Contacts, o.Phones, o.Locations, o.Programs = nil, nil, nil, nil, nil
	o.OrganizationIdentifiers, o.Metadata, o.Services = nil, nil, nil
	return o
}

// serviceAtLocationItem is sal (with its location, and its service with
// organization and program, loaded) as a list item.
func serviceAtLocationItem(m *hsds.Mapper, sal *ent.ServiceAtLocation) hsds.ServiceAtLocation {
	var svc *hsds.Service
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

// organizationLoader returns the loader of the organizations list's shape;
// full_service nests each organization's full services in its full
// document.
func (h *hsdsAPI) organizationLoader(p *listParams) func(context.Context, []int) ([]any, error) {
	switch {
	case p.fullService:
		return func(ctx context.Context, ids []int) ([]any, error) {
			list, err := h.organizationsWithServices(ctx, ids)
			return anys(list), err
		}
	case p.full:
		return func(ctx context.Context, ids []int) ([]any, error) {
			list, err := h.organizationsWithServiceSummaries(ctx, ids)
			return anys(list), err
		}
	default:
		return h.organizationItems
	}
}

func (h *hsdsAPI) organizationItems(ctx context.Context, ids []int) ([]any, error) {
	list, err := h.client.Organization.Query().Where(organization.IDIn(ids...)).Order(organization.ByID()).All(ctx)
	if err != nil {
		return nil, err
	}
	m, lookupErr, err := h.ids.Mapper(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(list))
	for _, o := range list {
		out = append(out, organizationItem(m.Organization(o)))
	}
	return out, lookupErr()
}

// organizationsWithServiceSummaries loads the full organizations ids name,
// each with its services' "simple information" (the spec's
// /organizations/{id}), in a fixed number of loads whatever their number.
func (h *hsdsAPI) organizationsWithServiceSummaries(ctx context.Context, ids []int) ([]hsds.Organization, error) {
	orgs, err := hsds.Organizations(ctx, h.client, h.client.Organization.Query().Where(organization.IDIn(ids...)).Order(organization.ByID()))
	if err != nil {
		return nil, err
	}
	svcs, err := h.client.Service.Query().Where(service.OrganizationIDIn(ids...)).Order(service.ByID()).
		Select(service.FieldOrganizationID, service.FieldName, service.FieldStatus, service.FieldExternalSource, service.FieldExternalID).All(ctx)
	if err != nil {
		return nil, err
	}
	owners, err := h.client.Organization.Query().Where(organization.IDIn(ids...)).
		Select(organization.FieldExternalSource, organization.FieldExternalID).All(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := h.ids.Directory(ctx)
	if err != nil {
		return nil, err
	}
	hsdsID := map[int]string{}
	for _, o := range owners {
		hsdsID[o.ID] = hsds.RecordID(dir, hsds.KindOrganization, o.ID, o.ExternalSource, o.ExternalID)
	}
	byOrg := map[string][]hsds.Service{}
	for _, s := range svcs {
		id := hsdsID[s.OrganizationID]
		byOrg[id] = append(byOrg[id], hsds.ServiceSummary(dir, s))
	}
	for i := range orgs {
		orgs[i].Services = byOrg[orgs[i].ID]
	}
	return orgs, nil
}

// organizationsWithServices loads the full organizations ids name, each
// with its full services (in ID order), in two loads whatever their number.
func (h *hsdsAPI) organizationsWithServices(ctx context.Context, ids []int) ([]hsds.Organization, error) {
	orgs, err := hsds.Organizations(ctx, h.client, h.client.Organization.Query().Where(organization.IDIn(ids...)).Order(organization.ByID()))
	if err != nil {
		return nil, err
	}
	svcs, err := hsds.Services(ctx, h.client, h.client.Service.Query().Where(service.OrganizationIDIn(ids...)).Order(service.ByID()))
	if err != nil {
		return nil, err
	}
	byOrg := map[string][]hsds.Service{}
	for _, s := range svcs {
		s.Organization = nil // it is the document's root
		byOrg[s.OrganizationID] = append(byOrg[s.OrganizationID], s)
	}
	for i := range orgs {
		orgs[i].Services = byOrg[orgs[i].ID]
	}
	return orgs, nil
}

// serviceAtLocationLoader returns the loader of the service_at_locations
// list's shape.
func (h *hsdsAPI) serviceAtLocationLoader(p *listParams) func(context.Context, []int) ([]any, error) {
	if p.full {
		return func(ctx context.Context, ids []int) ([]any, error) {
			list, err := h.fullServiceAtLocations(ctx, ids)
			return anys(list), err
		}
	}
	return h.serviceAtLocationItems
}

func (h *hsdsAPI) serviceAtLocationItems(ctx context.Context, ids []int) ([]any, error) {
	list, err := h.client.ServiceAtLocation.Query().Where(serviceatlocation.IDIn(ids...)).Order(serviceatlocation.ByID()).
		WithLocation().WithService(func(q *ent.ServiceQuery) { q.WithOrganization().WithProgram() }).All(ctx)
	if err != nil {
		return nil, err
	}
	m, lookupErr, err := h.ids.Mapper(ctx)
	if err != nil {
		return nil, err
	}
	var svcIDs []int
	for _, sal := range list {
		svcIDs = append(svcIDs, sal.ServiceID)
	}
	if m.Modified, err = hsds.ServicesModified(ctx, h.client, svcIDs); err != nil {
		return nil, err
	}
	out := make([]any, 0, len(list))
	for _, sal := range list {
		out = append(out, serviceAtLocationItem(m, sal))
	}
	return out, lookupErr()
}

// fullServiceAtLocations loads the fully nested service_at_locations ids
// name, each with its full service (as the spec's
// service_at_location_full.json shows), in two loads whatever their number.
func (h *hsdsAPI) fullServiceAtLocations(ctx context.Context, ids []int) ([]hsds.ServiceAtLocation, error) {
	sals, err := hsds.ServiceAtLocations(ctx, h.client, h.client.ServiceAtLocation.Query().
		Where(serviceatlocation.IDIn(ids...)).Order(serviceatlocation.ByID()))
	if err != nil {
		return nil, err
	}
	svcs, err := hsds.Services(ctx, h.client, h.client.Service.Query().
		Where(service.HasServiceAtLocationsWith(serviceatlocation.IDIn(ids...))).Order(service.ByID()))
	if err != nil {
		return nil, err
	}
	byID := map[string]*hsds.Service{}
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

func anys[T any](list []T) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out
}

// hsdsTime writes a time as the HSDS documents do (last_modified).
func hsdsTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
