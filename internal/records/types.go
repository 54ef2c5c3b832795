package records

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
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
)

// The record types. Each entry names only what differs between ent types:
// the client, how to query by external source, and the entity's keys.

var Organization = newType(ent.TypeOrganization, oneAtATime,
	func(tx *ent.Tx) *ent.OrganizationClient { return tx.Organization },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.Organization, error) {
		return tx.Organization.Query().Where(organization.ExternalSource(src)).All(ctx)
	},
	func(e *ent.Organization) (int, string) { return e.ID, e.ExternalID })

var Program = newType(ent.TypeProgram, oneAtATime,
	func(tx *ent.Tx) *ent.ProgramClient { return tx.Program },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.Program, error) {
		return tx.Program.Query().Where(program.ExternalSource(src)).All(ctx)
	},
	func(e *ent.Program) (int, string) { return e.ID, e.ExternalID })

var TaxonomyTerm = newType(ent.TypeTaxonomyTerm, oneAtATime,
	func(tx *ent.Tx) *ent.TaxonomyTermClient { return tx.TaxonomyTerm },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.TaxonomyTerm, error) {
		return tx.TaxonomyTerm.Query().Where(taxonomyterm.ExternalSource(src)).All(ctx)
	},
	func(e *ent.TaxonomyTerm) (int, string) { return e.ID, e.ExternalID })

var Resource = newType(ent.TypeResource, oneAtATime,
	func(tx *ent.Tx) *ent.ResourceClient { return tx.Resource },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.Resource, error) {
		return tx.Resource.Query().Where(resource.ExternalSource(src)).All(ctx)
	},
	func(e *ent.Resource) (int, string) { return e.ID, e.ExternalID })

var Location = newType(ent.TypeLocation, inBulk,
	func(tx *ent.Tx) *ent.LocationClient { return tx.Location },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.Location, error) {
		return tx.Location.Query().Where(location.ExternalSource(src)).All(ctx)
	},
	func(e *ent.Location) (int, string) { return e.ID, e.ExternalID })

var Service = newType(ent.TypeService, inBulk,
	func(tx *ent.Tx) *ent.ServiceClient { return tx.Service },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.Service, error) {
		return tx.Service.Query().Where(service.ExternalSource(src)).All(ctx)
	},
	func(e *ent.Service) (int, string) { return e.ID, e.ExternalID })

var ServiceArea = newType(ent.TypeServiceArea, inBulk,
	func(tx *ent.Tx) *ent.ServiceAreaClient { return tx.ServiceArea },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.ServiceArea, error) {
		return tx.ServiceArea.Query().Where(servicearea.ExternalSource(src)).All(ctx)
	},
	func(e *ent.ServiceArea) (int, string) { return e.ID, e.ExternalID })

var ServiceAtLocation = newType(ent.TypeServiceAtLocation, inBulk,
	func(tx *ent.Tx) *ent.ServiceAtLocationClient { return tx.ServiceAtLocation },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.ServiceAtLocation, error) {
		return tx.ServiceAtLocation.Query().Where(serviceatlocation.ExternalSource(src)).All(ctx)
	},
	func(e *ent.ServiceAtLocation) (int, string) { return e.ID, e.ExternalID })

var Contact = newType(ent.TypeContact, inBulk,
	func(tx *ent.Tx) *ent.ContactClient { return tx.Contact },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.Contact, error) {
		return tx.Contact.Query().Where(contact.ExternalSource(src)).All(ctx)
	},
	func(e *ent.Contact) (int, string) { return e.ID, e.ExternalID })

var Phone = newType(ent.TypePhone, inBulk,
	func(tx *ent.Tx) *ent.PhoneClient { return tx.Phone },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.Phone, error) {
		return tx.Phone.Query().Where(phone.ExternalSource(src)).All(ctx)
	},
	func(e *ent.Phone) (int, string) { return e.ID, e.ExternalID })

var Schedule = newType(ent.TypeSchedule, inBulk,
	func(tx *ent.Tx) *ent.ScheduleClient { return tx.Schedule },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.Schedule, error) {
		return tx.Schedule.Query().Where(schedule.ExternalSource(src)).All(ctx)
	},
	func(e *ent.Schedule) (int, string) { return e.ID, e.ExternalID })

var Funding = newType(ent.TypeFunding, oneAtATime,
	func(tx *ent.Tx) *ent.FundingClient { return tx.Funding },
	func(ctx context.Context, tx *ent.Tx, src string) ([]*ent.Funding, error) {
		return tx.Funding.Query().Where(funding.ExternalSource(src)).All(ctx)
	},
	func(e *ent.Funding) (int, string) { return e.ID, e.ExternalID })
