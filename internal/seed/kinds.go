package seed

import (
	"context"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/contact"
	"github.com/village-directory/village/ent/funding"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
)

// kind adapts one ent type to the generic loader: how to list its seed
// records, start a create or an update (as a generic ent.Mutation with the
// function that saves it), and read and change its many-to-many edges.
type kind struct {
	name   string // the ent type name, used in reports
	prefix string // the first part of its external IDs (program:…)
	ids    func(ctx context.Context, tx *ent.Tx) (map[string]int, error)
	create func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error))
	update func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error)
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

// byExternalID indexes seed records by external ID.
func byExternalID[E any](rows []E, err error, get func(E) (string, int)) (map[string]int, error) {
	if err != nil {
		return nil, err
	}
	m := make(map[string]int, len(rows))
	for _, r := range rows {
		ext, id := get(r)
		m[ext] = id
	}
	return m, nil
}

// saved turns a builder's Save result into the new record's ID:
// saved(b.Save(ctx))(idOf).
func saved[E any](e E, err error) func(id func(E) int) (int, error) {
	return func(id func(E) int) (int, error) {
		if err != nil {
			return 0, err
		}
		return id(e), nil
	}
}

func done[E any](_ E, err error) error { return err }

// The record types, in load order (a record is loaded after those it points
// at).
var kinds = []*kind{organizations, programs, terms, resources, locations, services, serviceAreas, serviceAtLocations, phones, contacts, fundings}

func kindOrder(name string) int {
	for i, k := range kinds {
		if k.name == name {
			return i
		}
	}
	return len(kinds)
}

var organizations = &kind{
	name: "Organization", prefix: "organization",
	ids: func(ctx context.Context, tx *ent.Tx) (map[string]int, error) {
		rows, err := tx.Organization.Query().Where(organization.ExternalSource(Source)).All(ctx)
		return byExternalID(rows, err, func(e *ent.Organization) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Organization.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return saved(b.Save(ctx))(func(e *ent.Organization) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Organization.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return done(b.Save(ctx)) }
	},
}

var programs = &kind{
	name: "Program", prefix: "program",
	ids: func(ctx context.Context, tx *ent.Tx) (map[string]int, error) {
		rows, err := tx.Program.Query().Where(program.ExternalSource(Source)).All(ctx)
		return byExternalID(rows, err, func(e *ent.Program) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Program.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return saved(b.Save(ctx))(func(e *ent.Program) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Program.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return done(b.Save(ctx)) }
	},
}

var terms = &kind{
	name: "TaxonomyTerm", prefix: "term",
	ids: func(ctx context.Context, tx *ent.Tx) (map[string]int, error) {
		rows, err := tx.TaxonomyTerm.Query().Where(taxonomyterm.ExternalSource(Source)).All(ctx)
		return byExternalID(rows, err, func(e *ent.TaxonomyTerm) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.TaxonomyTerm.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return saved(b.Save(ctx))(func(e *ent.TaxonomyTerm) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.TaxonomyTerm.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return done(b.Save(ctx)) }
	},
}

var resources = &kind{
	name: "Resource", prefix: "resource",
	ids: func(ctx context.Context, tx *ent.Tx) (map[string]int, error) {
		rows, err := tx.Resource.Query().Where(resource.ExternalSource(Source)).All(ctx)
		return byExternalID(rows, err, func(e *ent.Resource) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Resource.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return saved(b.Save(ctx))(func(e *ent.Resource) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Resource.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return done(b.Save(ctx)) }
	},
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
	name: "Location", prefix: "location",
	ids: func(ctx context.Context, tx *ent.Tx) (map[string]int, error) {
		rows, err := tx.Location.Query().Where(location.ExternalSource(Source)).All(ctx)
		return byExternalID(rows, err, func(e *ent.Location) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Location.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return saved(b.Save(ctx))(func(e *ent.Location) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Location.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return done(b.Save(ctx)) }
	},
}

var services = &kind{
	name: "Service", prefix: "service",
	ids: func(ctx context.Context, tx *ent.Tx) (map[string]int, error) {
		rows, err := tx.Service.Query().Where(service.ExternalSource(Source)).All(ctx)
		return byExternalID(rows, err, func(e *ent.Service) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Service.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return saved(b.Save(ctx))(func(e *ent.Service) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Service.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return done(b.Save(ctx)) }
	},
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
	name: "ServiceArea", prefix: "service-area",
	ids: func(ctx context.Context, tx *ent.Tx) (map[string]int, error) {
		rows, err := tx.ServiceArea.Query().Where(servicearea.ExternalSource(Source)).All(ctx)
		return byExternalID(rows, err, func(e *ent.ServiceArea) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.ServiceArea.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return saved(b.Save(ctx))(func(e *ent.ServiceArea) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.ServiceArea.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return done(b.Save(ctx)) }
	},
}

var serviceAtLocations = &kind{
	name: "ServiceAtLocation", prefix: "service-at-location",
	ids: func(ctx context.Context, tx *ent.Tx) (map[string]int, error) {
		rows, err := tx.ServiceAtLocation.Query().Where(serviceatlocation.ExternalSource(Source)).All(ctx)
		return byExternalID(rows, err, func(e *ent.ServiceAtLocation) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.ServiceAtLocation.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return saved(b.Save(ctx))(func(e *ent.ServiceAtLocation) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.ServiceAtLocation.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return done(b.Save(ctx)) }
	},
}

var phones = &kind{
	name: "Phone", prefix: "phone",
	ids: func(ctx context.Context, tx *ent.Tx) (map[string]int, error) {
		rows, err := tx.Phone.Query().Where(phone.ExternalSource(Source)).All(ctx)
		return byExternalID(rows, err, func(e *ent.Phone) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Phone.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return saved(b.Save(ctx))(func(e *ent.Phone) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Phone.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return done(b.Save(ctx)) }
	},
}

var contacts = &kind{
	name: "Contact", prefix: "contact",
	ids: func(ctx context.Context, tx *ent.Tx) (map[string]int, error) {
		rows, err := tx.Contact.Query().Where(contact.ExternalSource(Source)).All(ctx)
		return byExternalID(rows, err, func(e *ent.Contact) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Contact.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return saved(b.Save(ctx))(func(e *ent.Contact) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Contact.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return done(b.Save(ctx)) }
	},
}

var fundings = &kind{
	name: "Funding", prefix: "funding",
	ids: func(ctx context.Context, tx *ent.Tx) (map[string]int, error) {
		rows, err := tx.Funding.Query().Where(funding.ExternalSource(Source)).All(ctx)
		return byExternalID(rows, err, func(e *ent.Funding) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Funding.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return saved(b.Save(ctx))(func(e *ent.Funding) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Funding.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return done(b.Save(ctx)) }
	},
}
