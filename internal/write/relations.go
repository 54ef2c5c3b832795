package write

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/taxonomyterm"
)

// The directory's relations, as the write layer needs them: which records
// point at which through a foreign key, which of them a parent owns (a
// cascade deletes them), and the many-to-many edges. TestRelationsMatchSchema
// holds this table to the ent schema, so a new edge cannot be forgotten.

// fkRel is a one-to-many relation stored as a foreign key on the child.
type fkRel struct {
	parent     string // ent type of the parent
	parentEdge string // the parent's edge to its children (ent name)
	parentGQL  string // singular GraphQL name of that edge in inputs (phoneIDs, addPhoneIDs)
	child      string // ent type of the child
	childEdge  string // the child's edge to its parent (ent name)
	fk         string // the child's foreign-key field
	required   bool   // a child always has a parent
	// own: the child cannot stand without the parent: deleting the parent
	// needs cascade and deletes the child too. Otherwise deleting the parent
	// detaches the child (its foreign key is cleared, logged as an update).
	own bool
}

var fkRels = []fkRel{
	{ent.TypeOrganization, "children", "child", ent.TypeOrganization, "parent", "parent_id", false, false},
	{ent.TypeOrganization, "programs", "program", ent.TypeProgram, "organization", "organization_id", false, true},
	{ent.TypeOrganization, "services", "service", ent.TypeService, "organization", "organization_id", true, true},
	{ent.TypeOrganization, "locations", "location", ent.TypeLocation, "organization", "organization_id", false, true},
	{ent.TypeOrganization, "phones", "phone", ent.TypePhone, "organization", "organization_id", false, true},
	{ent.TypeOrganization, "contacts", "contact", ent.TypeContact, "organization", "organization_id", false, true},
	{ent.TypeOrganization, "fundings", "funding", ent.TypeFunding, "organization", "organization_id", false, true},
	{ent.TypeOrganization, "funded", "funded", ent.TypeFunding, "funder", "funder_id", false, false},
	{ent.TypeOrganization, "resources", "resource", ent.TypeResource, "publisher", "publisher_id", false, false},
	{ent.TypeProgram, "services", "service", ent.TypeService, "program", "program_id", false, false},
	{ent.TypeProgram, "fundings", "funding", ent.TypeFunding, "program", "program_id", false, true},
	{ent.TypeService, "service_at_locations", "serviceAtLocation", ent.TypeServiceAtLocation, "service", "service_id", true, true},
	{ent.TypeService, "service_areas", "serviceArea", ent.TypeServiceArea, "service", "service_id", true, true},
	{ent.TypeService, "phones", "phone", ent.TypePhone, "service", "service_id", false, true},
	{ent.TypeService, "contacts", "contact", ent.TypeContact, "service", "service_id", false, true},
	{ent.TypeService, "schedules", "schedule", ent.TypeSchedule, "service", "service_id", false, true},
	{ent.TypeService, "fundings", "funding", ent.TypeFunding, "service", "service_id", false, true},
	{ent.TypeLocation, "service_at_locations", "serviceAtLocation", ent.TypeServiceAtLocation, "location", "location_id", true, true},
	{ent.TypeLocation, "phones", "phone", ent.TypePhone, "location", "location_id", false, true},
	{ent.TypeLocation, "schedules", "schedule", ent.TypeSchedule, "location", "location_id", false, true},
	{ent.TypeServiceAtLocation, "phones", "phone", ent.TypePhone, "service_at_location", "service_at_location_id", false, true},
	{ent.TypeServiceAtLocation, "contacts", "contact", ent.TypeContact, "service_at_location", "service_at_location_id", false, true},
	{ent.TypeServiceAtLocation, "schedules", "schedule", ent.TypeSchedule, "service_at_location", "service_at_location_id", false, true},
	{ent.TypeContact, "phones", "phone", ent.TypePhone, "contact", "contact_id", false, true},
	{ent.TypeResource, "fundings", "funding", ent.TypeFunding, "resource", "resource_id", false, true},
	{ent.TypeTaxonomyTerm, "children", "child", ent.TypeTaxonomyTerm, "parent", "parent_id", false, false},
	// Terms of other vocabularies mapped to a need (setTermNeed): deleting
	// the need clears their mapping.
	{ent.TypeTaxonomyTerm, "mapped_terms", "mappedTerm", ent.TypeTaxonomyTerm, "need", "need_id", false, false},
}

// m2mRel is a many-to-many relation. The owner declares the edge (its
// record is the one whose data changes when a link is added or removed);
// the target sees it as an inverse edge.
type m2mRel struct {
	owner, ownerEdge, ownerGQL    string
	target, targetEdge, targetGQL string
	add, remove                   func(m ent.Mutation, ids ...int)
	// linked lists the owners linked to any of the targets.
	linked func(ctx context.Context, c *ent.Client, targets []int) ([]int, error)
}

var m2mRels = []m2mRel{
	{
		owner: ent.TypeService, ownerEdge: "needs", ownerGQL: "need",
		target: ent.TypeTaxonomyTerm, targetEdge: "services", targetGQL: "service",
		add:    func(m ent.Mutation, ids ...int) { m.(*ent.ServiceMutation).AddNeedIDs(ids...) },
		remove: func(m ent.Mutation, ids ...int) { m.(*ent.ServiceMutation).RemoveNeedIDs(ids...) },
		linked: func(ctx context.Context, c *ent.Client, t []int) ([]int, error) {
			return c.Service.Query().Where(service.HasNeedsWith(taxonomyterm.IDIn(t...))).IDs(ctx)
		},
	},
	{
		owner: ent.TypeResource, ownerEdge: "topics", ownerGQL: "topic",
		target: ent.TypeTaxonomyTerm, targetEdge: "resources", targetGQL: "resource",
		add:    func(m ent.Mutation, ids ...int) { m.(*ent.ResourceMutation).AddTopicIDs(ids...) },
		remove: func(m ent.Mutation, ids ...int) { m.(*ent.ResourceMutation).RemoveTopicIDs(ids...) },
		linked: func(ctx context.Context, c *ent.Client, t []int) ([]int, error) {
			return c.Resource.Query().Where(resource.HasTopicsWith(taxonomyterm.IDIn(t...))).IDs(ctx)
		},
	},
	{
		owner: ent.TypeResource, ownerEdge: "programs", ownerGQL: "program",
		target: ent.TypeProgram, targetEdge: "resources", targetGQL: "resource",
		add:    func(m ent.Mutation, ids ...int) { m.(*ent.ResourceMutation).AddProgramIDs(ids...) },
		remove: func(m ent.Mutation, ids ...int) { m.(*ent.ResourceMutation).RemoveProgramIDs(ids...) },
		linked: func(ctx context.Context, c *ent.Client, t []int) ([]int, error) {
			return c.Resource.Query().Where(resource.HasProgramsWith(program.IDIn(t...))).IDs(ctx)
		},
	},
}

// deleteOrder lists the types children first, so a cascade never deletes a
// record another record still needs (service-at-locations before their
// services and locations, services before their organization).
var deleteOrder = []string{
	ent.TypePhone, ent.TypeSchedule, ent.TypeFunding, ent.TypeServiceArea, ent.TypeContact,
	ent.TypeServiceAtLocation, ent.TypeService, ent.TypeLocation, ent.TypeProgram, ent.TypeResource,
	ent.TypeTaxonomyTerm, ent.TypeOrganization,
}

// idIs and idIn match records by ID.
func idIs(id int) func(*sql.Selector) { return sql.FieldEQ("id", id) }

func idIn(ids []int) func(*sql.Selector) { return sql.FieldIn("id", ids...) }

// versionIs matches records at version v.
func versionIs(v int) func(*sql.Selector) { return sql.FieldEQ("version", v) }
