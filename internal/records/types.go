package records

import "github.com/village-directory/village/ent"

// The record types. Each entry names only what differs between ent types:
// the client and the entity's keys.

var Organization = newType(ent.TypeOrganization, oneAtATime,
	func(c *ent.Client) *ent.OrganizationClient { return c.Organization },
	func(e *ent.Organization) (int, string) { return e.ID, e.ExternalID })

var Program = newType(ent.TypeProgram, oneAtATime,
	func(c *ent.Client) *ent.ProgramClient { return c.Program },
	func(e *ent.Program) (int, string) { return e.ID, e.ExternalID })

var TaxonomyTerm = newType(ent.TypeTaxonomyTerm, oneAtATime,
	func(c *ent.Client) *ent.TaxonomyTermClient { return c.TaxonomyTerm },
	func(e *ent.TaxonomyTerm) (int, string) { return e.ID, e.ExternalID })

var Resource = newType(ent.TypeResource, oneAtATime,
	func(c *ent.Client) *ent.ResourceClient { return c.Resource },
	func(e *ent.Resource) (int, string) { return e.ID, e.ExternalID })

var Location = newType(ent.TypeLocation, inBulk,
	func(c *ent.Client) *ent.LocationClient { return c.Location },
	func(e *ent.Location) (int, string) { return e.ID, e.ExternalID })

var Service = newType(ent.TypeService, inBulk,
	func(c *ent.Client) *ent.ServiceClient { return c.Service },
	func(e *ent.Service) (int, string) { return e.ID, e.ExternalID })

var ServiceArea = newType(ent.TypeServiceArea, inBulk,
	func(c *ent.Client) *ent.ServiceAreaClient { return c.ServiceArea },
	func(e *ent.ServiceArea) (int, string) { return e.ID, e.ExternalID })

var ServiceAtLocation = newType(ent.TypeServiceAtLocation, inBulk,
	func(c *ent.Client) *ent.ServiceAtLocationClient { return c.ServiceAtLocation },
	func(e *ent.ServiceAtLocation) (int, string) { return e.ID, e.ExternalID })

var Contact = newType(ent.TypeContact, inBulk,
	func(c *ent.Client) *ent.ContactClient { return c.Contact },
	func(e *ent.Contact) (int, string) { return e.ID, e.ExternalID })

var Phone = newType(ent.TypePhone, inBulk,
	func(c *ent.Client) *ent.PhoneClient { return c.Phone },
	func(e *ent.Phone) (int, string) { return e.ID, e.ExternalID })

var Schedule = newType(ent.TypeSchedule, inBulk,
	func(c *ent.Client) *ent.ScheduleClient { return c.Schedule },
	func(e *ent.Schedule) (int, string) { return e.ID, e.ExternalID })

var Funding = newType(ent.TypeFunding, oneAtATime,
	func(c *ent.Client) *ent.FundingClient { return c.Funding },
	func(e *ent.Funding) (int, string) { return e.ID, e.ExternalID })
