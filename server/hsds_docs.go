package server

import (
	"context"
)

// The loaders of each list's shape (see hsdsHandler): the documents
// themselves are built by hsds.Reader.

// serviceLoader returns the loader of the services list's shape.
func (h *hsdsAPI) serviceLoader(p *listParams) func(context.Context, []int) ([]any, error) {
	switch {
	case p.minimal:
		return loader(h.read.MinimalServices)
	case p.full:
		return loader(h.read.FullServices)
	default:
		return loader(h.read.ServiceItems)
	}
}

// organizationLoader returns the loader of the organizations list's shape;
// full_service nests each organization's full services in its full
// document.
func (h *hsdsAPI) organizationLoader(p *listParams) func(context.Context, []int) ([]any, error) {
	switch {
	case p.fullService:
		return loader(h.read.OrganizationsWithServices)
	case p.full:
		return loader(h.read.OrganizationsWithServiceSummaries)
	default:
		return loader(h.read.OrganizationItems)
	}
}

// serviceAtLocationLoader returns the loader of the service_at_locations
// list's shape.
func (h *hsdsAPI) serviceAtLocationLoader(p *listParams) func(context.Context, []int) ([]any, error) {
	if p.full {
		return loader(h.read.FullServiceAtLocations)
	}
	return loader(h.read.ServiceAtLocationItems)
}

// loader adapts a typed document loader to recordSet.load.
func loader[T any](load func(context.Context, []int) ([]T, error)) func(context.Context, []int) ([]any, error) {
	return func(ctx context.Context, ids []int) ([]any, error) {
		list, err := load(ctx, ids)
		return anys(list), err
	}
}

func anys[T any](list []T) []any {
	out := make([]any, len(list))
	for i, v := range list {
		out[i] = v
	}
	return out
}
