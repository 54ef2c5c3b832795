package seed

import (
	"context"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/records"
)

// kind is one record type as the seed loader sees it: the shared write
// operations (records.Type), the first part of its external IDs, and how to
// read and change its many-to-many edges.
type kind struct {
	*records.Type
	prefix string // the first part of its external IDs (program:…)
	edges  map[string]edgeOps
}

// edgeOps reads and changes one many-to-many edge of a kind.
type edgeOps struct {
	current func(ctx context.Context, tx *ent.Tx, id int) ([]int, error)
	change  func(m ent.Mutation, add, remove []int)
}

// key returns the external ID of the record of this kind with the given
// slug.
func (k *kind) key(slug string) string {
	if slug == "" {
		return ""
	}
	return k.prefix + ":" + slug
}

func (k *kind) keys(slugs []string) []string {
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = k.key(s)
	}
	return out
}

// The record types, in load order (a record is loaded after those it points
// at).
var kinds = []*kind{organizations, programs, terms, resources, locations, services, serviceAreas, serviceAtLocations, phones, contacts, fundings}

func kindOrder(name string) int {
	for i, k := range kinds {
		if k.Name == name {
			return i
		}
	}
	return len(kinds)
}

var organizations = &kind{
	Type: records.Organization, prefix: "organization",
}

var programs = &kind{
	Type: records.Program, prefix: "program",
}

var terms = &kind{
	Type: records.TaxonomyTerm, prefix: "term",
}

var resources = &kind{
	Type: records.Resource, prefix: "resource",
	edges: map[string]edgeOps{
		"topics": {
			current: func(ctx context.Context, tx *ent.Tx, id int) ([]int, error) {
				return tx.Resource.Query().Where(resource.ID(id)).QueryTopics().IDs(ctx)
			},
			change: func(m ent.Mutation, add, remove []int) {
				m.(*ent.ResourceMutation).AddTopicIDs(add...)
				m.(*ent.ResourceMutation).RemoveTopicIDs(remove...)
			},
		},
		"programs": {
			current: func(ctx context.Context, tx *ent.Tx, id int) ([]int, error) {
				return tx.Resource.Query().Where(resource.ID(id)).QueryPrograms().IDs(ctx)
			},
			change: func(m ent.Mutation, add, remove []int) {
				m.(*ent.ResourceMutation).AddProgramIDs(add...)
				m.(*ent.ResourceMutation).RemoveProgramIDs(remove...)
			},
		},
	},
}

var locations = &kind{
	Type: records.Location, prefix: "location",
}

var services = &kind{
	Type: records.Service, prefix: "service",
	edges: map[string]edgeOps{
		"needs": {
			current: func(ctx context.Context, tx *ent.Tx, id int) ([]int, error) {
				return tx.Service.Query().Where(service.ID(id)).QueryNeeds().IDs(ctx)
			},
			change: func(m ent.Mutation, add, remove []int) {
				m.(*ent.ServiceMutation).AddNeedIDs(add...)
				m.(*ent.ServiceMutation).RemoveNeedIDs(remove...)
			},
		},
	},
}

var serviceAreas = &kind{
	Type: records.ServiceArea, prefix: "service-area",
}

var serviceAtLocations = &kind{
	Type: records.ServiceAtLocation, prefix: "service-at-location",
}

var phones = &kind{
	Type: records.Phone, prefix: "phone",
}

var contacts = &kind{
	Type: records.Contact, prefix: "contact",
}

var fundings = &kind{
	Type: records.Funding, prefix: "funding",
}
