package write

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/predicate"
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

// querier is what the write layer asks of a query over any type.
type querier interface {
	IDs(context.Context) ([]int, error)
	Exist(context.Context) (bool, error)
}

// versioned reads versions through a typed select.
type intsSelect interface {
	Ints(context.Context) ([]int, error)
}

// kind holds the generic operations on one type's records.
type kind struct {
	// query selects the records p matches.
	query func(c *ent.Client, p func(*sql.Selector)) querier
	// versions reads the version column of the records p matches.
	versions func(ctx context.Context, c *ent.Client, p func(*sql.Selector)) ([]int, error)
	// updateOne and updateMany return a mutation to fill in and its save.
	updateOne  func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error)
	updateMany func(c *ent.Client, p func(*sql.Selector)) (ent.Mutation, func(context.Context) error)
	// deleteOne deletes a record, if ps match it (NotFound otherwise).
	deleteOne func(ctx context.Context, c *ent.Client, id int, ps ...func(*sql.Selector)) error
	// deleteMany deletes the records p matches.
	deleteMany func(ctx context.Context, c *ent.Client, p func(*sql.Selector)) error
}

// newKind builds a kind from a type's typed builders.
func newKind[P ~func(*sql.Selector), Q interface {
	querier
	Where(...P) Q
}, S intsSelect](
	query func(*ent.Client) Q,
	selectVersion func(Q) S,
	updateOne func(*ent.Client, int) (ent.Mutation, func(context.Context) error),
	update func(*ent.Client) (ent.Mutation, func(context.Context) error),
	deleteOne func(*ent.Client, int, ...P) func(context.Context) error,
	deleteMany func(*ent.Client, P) func(context.Context) error,
) *kind {
	return &kind{
		query: func(c *ent.Client, p func(*sql.Selector)) querier { return query(c).Where(P(p)) },
		versions: func(ctx context.Context, c *ent.Client, p func(*sql.Selector)) ([]int, error) {
			return selectVersion(query(c).Where(P(p))).Ints(ctx)
		},
		updateOne: updateOne,
		updateMany: func(c *ent.Client, p func(*sql.Selector)) (ent.Mutation, func(context.Context) error) {
			m, save := update(c)
			m.(interface{ WhereP(...func(*sql.Selector)) }).WhereP(p)
			return m, save
		},
		deleteOne: func(ctx context.Context, c *ent.Client, id int, ps ...func(*sql.Selector)) error {
			typed := make([]P, len(ps))
			for i, p := range ps {
				typed[i] = P(p)
			}
			return deleteOne(c, id, typed...)(ctx)
		},
		deleteMany: func(ctx context.Context, c *ent.Client, p func(*sql.Selector)) error {
			return deleteMany(c, P(p))(ctx)
		},
	}
}

func exec[T any](save func(context.Context) (T, error)) func(context.Context) error {
	return func(ctx context.Context) error { _, err := save(ctx); return err }
}

// kinds are the directory types the write layer changes.
var kinds = map[string]*kind{
	ent.TypeOrganization: newKind(
		func(c *ent.Client) *ent.OrganizationQuery { return c.Organization.Query() },
		func(q *ent.OrganizationQuery) *ent.OrganizationSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.Organization.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.Organization.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.Organization) func(context.Context) error {
			return c.Organization.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.Organization) func(context.Context) error {
			return exec(c.Organization.Delete().Where(p).Exec)
		},
	),
	ent.TypeProgram: newKind(
		func(c *ent.Client) *ent.ProgramQuery { return c.Program.Query() },
		func(q *ent.ProgramQuery) *ent.ProgramSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.Program.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.Program.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.Program) func(context.Context) error {
			return c.Program.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.Program) func(context.Context) error {
			return exec(c.Program.Delete().Where(p).Exec)
		},
	),
	ent.TypeService: newKind(
		func(c *ent.Client) *ent.ServiceQuery { return c.Service.Query() },
		func(q *ent.ServiceQuery) *ent.ServiceSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.Service.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.Service.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.Service) func(context.Context) error {
			return c.Service.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.Service) func(context.Context) error {
			return exec(c.Service.Delete().Where(p).Exec)
		},
	),
	ent.TypeLocation: newKind(
		func(c *ent.Client) *ent.LocationQuery { return c.Location.Query() },
		func(q *ent.LocationQuery) *ent.LocationSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.Location.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.Location.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.Location) func(context.Context) error {
			return c.Location.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.Location) func(context.Context) error {
			return exec(c.Location.Delete().Where(p).Exec)
		},
	),
	ent.TypeServiceAtLocation: newKind(
		func(c *ent.Client) *ent.ServiceAtLocationQuery { return c.ServiceAtLocation.Query() },
		func(q *ent.ServiceAtLocationQuery) *ent.ServiceAtLocationSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.ServiceAtLocation.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.ServiceAtLocation.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.ServiceAtLocation) func(context.Context) error {
			return c.ServiceAtLocation.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.ServiceAtLocation) func(context.Context) error {
			return exec(c.ServiceAtLocation.Delete().Where(p).Exec)
		},
	),
	ent.TypeServiceArea: newKind(
		func(c *ent.Client) *ent.ServiceAreaQuery { return c.ServiceArea.Query() },
		func(q *ent.ServiceAreaQuery) *ent.ServiceAreaSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.ServiceArea.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.ServiceArea.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.ServiceArea) func(context.Context) error {
			return c.ServiceArea.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.ServiceArea) func(context.Context) error {
			return exec(c.ServiceArea.Delete().Where(p).Exec)
		},
	),
	ent.TypeTaxonomyTerm: newKind(
		func(c *ent.Client) *ent.TaxonomyTermQuery { return c.TaxonomyTerm.Query() },
		func(q *ent.TaxonomyTermQuery) *ent.TaxonomyTermSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.TaxonomyTerm.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.TaxonomyTerm.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.TaxonomyTerm) func(context.Context) error {
			return c.TaxonomyTerm.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.TaxonomyTerm) func(context.Context) error {
			return exec(c.TaxonomyTerm.Delete().Where(p).Exec)
		},
	),
	ent.TypePhone: newKind(
		func(c *ent.Client) *ent.PhoneQuery { return c.Phone.Query() },
		func(q *ent.PhoneQuery) *ent.PhoneSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.Phone.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.Phone.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.Phone) func(context.Context) error {
			return c.Phone.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.Phone) func(context.Context) error {
			return exec(c.Phone.Delete().Where(p).Exec)
		},
	),
	ent.TypeContact: newKind(
		func(c *ent.Client) *ent.ContactQuery { return c.Contact.Query() },
		func(q *ent.ContactQuery) *ent.ContactSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.Contact.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.Contact.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.Contact) func(context.Context) error {
			return c.Contact.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.Contact) func(context.Context) error {
			return exec(c.Contact.Delete().Where(p).Exec)
		},
	),
	ent.TypeSchedule: newKind(
		func(c *ent.Client) *ent.ScheduleQuery { return c.Schedule.Query() },
		func(q *ent.ScheduleQuery) *ent.ScheduleSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.Schedule.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.Schedule.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.Schedule) func(context.Context) error {
			return c.Schedule.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.Schedule) func(context.Context) error {
			return exec(c.Schedule.Delete().Where(p).Exec)
		},
	),
	ent.TypeResource: newKind(
		func(c *ent.Client) *ent.ResourceQuery { return c.Resource.Query() },
		func(q *ent.ResourceQuery) *ent.ResourceSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.Resource.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.Resource.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.Resource) func(context.Context) error {
			return c.Resource.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.Resource) func(context.Context) error {
			return exec(c.Resource.Delete().Where(p).Exec)
		},
	),
	ent.TypeFunding: newKind(
		func(c *ent.Client) *ent.FundingQuery { return c.Funding.Query() },
		func(q *ent.FundingQuery) *ent.FundingSelect { return q.Select("version") },
		func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			u := c.Funding.UpdateOneID(id)
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client) (ent.Mutation, func(context.Context) error) {
			u := c.Funding.Update()
			return u.Mutation(), exec(u.Save)
		},
		func(c *ent.Client, id int, ps ...predicate.Funding) func(context.Context) error {
			return c.Funding.DeleteOneID(id).Where(ps...).Exec
		},
		func(c *ent.Client, p predicate.Funding) func(context.Context) error {
			return exec(c.Funding.Delete().Where(p).Exec)
		},
	),
}

// idIs and idIn match records by ID.
func idIs(id int) func(*sql.Selector) { return sql.FieldEQ("id", id) }

func idIn(ids []int) func(*sql.Selector) { return sql.FieldIn("id", ids...) }

// versionIs matches records at version v.
func versionIs(v int) func(*sql.Selector) { return sql.FieldEQ("version", v) }
