package hsds

import (
	"context"
	"fmt"
	"sort"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/contact"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/auth"
)

// withPhones loads a contact's phones.
func withContactPhones(q *ent.ContactQuery) { q.WithPhones(byPhoneID).Order(contact.ByID()) }

func byPhoneID(q *ent.PhoneQuery) { q.Order(phone.ByID()) }

func bySchedule(q *ent.ScheduleQuery) { q.Order(schedule.ByID()) }

// withLocation loads what an HSDS location nests.
func withLocation(q *ent.LocationQuery) { q.WithPhones(byPhoneID).WithSchedules(bySchedule) }

// withSAL loads what an HSDS service_at_location nests.
func withSAL(q *ent.ServiceAtLocationQuery) {
	q.WithLocation(withLocation).WithPhones(byPhoneID).WithContacts(withContactPhones).WithSchedules(bySchedule).
		Order(serviceatlocation.ByID())
}

// withOrganization loads what an HSDS organization nests in a service
// document (its funding, contacts and phones; locations and programs are
// listed by /organizations/{id}).
func withOrganization(q *ent.OrganizationQuery) {
	q.WithFundings().WithContacts(withContactPhones).WithPhones(byPhoneID)
}

// FullService adds to q the eager loads a full HSDS service document needs.
func FullService(q *ent.ServiceQuery) *ent.ServiceQuery {
	return q.WithOrganization(withOrganization).
		WithProgram().
		WithNeeds(func(q *ent.TaxonomyTermQuery) { q.Order(taxonomyterm.ByID()) }).
		WithServiceAtLocations(withSAL).
		WithServiceAreas().
		WithPhones(byPhoneID).
		WithContacts(withContactPhones).
		WithSchedules(bySchedule).
		WithFundings()
}

// FullOrganization adds to q the eager loads of a full HSDS organization.
func FullOrganization(q *ent.OrganizationQuery) *ent.OrganizationQuery {
	return q.WithFundings().WithContacts(withContactPhones).WithPhones(byPhoneID).
		WithLocations(func(q *ent.LocationQuery) { withLocation(q); q.Order(location.ByID()) }).
		WithPrograms(func(q *ent.ProgramQuery) { q.Order(program.ByID()) })
}

// FullServiceAtLocation adds to q the eager loads of a full HSDS
// service_at_location, with its service nested.
func FullServiceAtLocation(q *ent.ServiceAtLocationQuery) *ent.ServiceAtLocationQuery {
	withSAL(q)
	return q.WithService(func(q *ent.ServiceQuery) { q.WithOrganization().WithProgram() })
}

// Services loads the full HSDS documents of the services q selects, in
// q's order, as ctx may see them.
func Services(ctx context.Context, client *ent.Client, q *ent.ServiceQuery) ([]Service, error) {
	list, err := FullService(q).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load services: %w", err)
	}
	out := make([]Service, 0, len(list))
	m := readMapper(ctx, client)
	for _, s := range list {
		out = append(out, m.Service(s))
	}
	return out, nil
}

// Organizations loads the HSDS organizations q selects.
func Organizations(ctx context.Context, client *ent.Client, q *ent.OrganizationQuery) ([]Organization, error) {
	list, err := FullOrganization(q).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load organizations: %w", err)
	}
	out := make([]Organization, 0, len(list))
	m := readMapper(ctx, client)
	for _, o := range list {
		out = append(out, m.Organization(o))
	}
	return out, nil
}

// ServiceAtLocations loads the HSDS service_at_locations q selects, each
// with its location and (summary) service.
func ServiceAtLocations(ctx context.Context, client *ent.Client, q *ent.ServiceAtLocationQuery) ([]ServiceAtLocation, error) {
	list, err := FullServiceAtLocation(q).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load services at locations: %w", err)
	}
	out := make([]ServiceAtLocation, 0, len(list))
	m := readMapper(ctx, client)
	for _, sal := range list {
		var svc *Service
		if s := sal.Edges.Service; s != nil {
			x := m.Service(s)
			x.Organization, x.Program = nil, nil
			svc = &x
		}
		x := m.ServiceAtLocation(sal)
		x.Service = svc
		out = append(out, x)
	}
	return out, nil
}

// TaxonomyTerms loads the HSDS taxonomy terms q selects.
func TaxonomyTerms(ctx context.Context, client *ent.Client, q *ent.TaxonomyTermQuery) ([]TaxonomyTerm, error) {
	list, err := q.WithParent().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load taxonomy terms: %w", err)
	}
	out := make([]TaxonomyTerm, 0, len(list))
	m := readMapper(ctx, client)
	for _, t := range list {
		if p := t.Edges.Parent; p != nil {
			m.IDs.note(KindTaxonomyTerm, p.ID, p.ExternalSource, p.ExternalID)
		}
		out = append(out, m.TaxonomyTerm(t))
	}
	return out, nil
}

// Taxonomies lists every vocabulary in the directory as an HSDS taxonomy,
// with the Village attribute taxonomy, ordered by name.
func Taxonomies(ctx context.Context, client *ent.Client) ([]Taxonomy, error) {
	names, err := client.TaxonomyTerm.Query().Unique(true).Select(taxonomyterm.FieldVocabulary).Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("load taxonomies: %w", err)
	}
	// An imported vocabulary is the taxonomy its package gave it, kept
	// with its terms.
	kept := map[string]Taxonomy{}
	withExtra, err := client.TaxonomyTerm.Query().Where(taxonomyterm.HsdsExtraNotNil()).
		Select(taxonomyterm.FieldVocabulary, taxonomyterm.FieldHsdsExtra).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load taxonomies: %w", err)
	}
	for _, t := range withExtra {
		if tx, ok := extraTaxonomy(t.HsdsExtra); ok {
			if _, dup := kept[t.Vocabulary]; !dup {
				kept[t.Vocabulary] = tx
			}
		}
	}
	seen := map[string]bool{VillageTaxonomy: true}
	out := []Taxonomy{VillageTaxonomyObject()}
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			if tx, ok := kept[n]; ok {
				out = append(out, tx)
			} else {
				out = append(out, TaxonomyObject(n))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// readMapper is a Mapper whose references to records it has not mapped
// are looked up in the database (as ctx may see it).
func readMapper(ctx context.Context, client *ent.Client) *Mapper {
	m := NewMapper()
	m.SeesAddress = func(l *ent.Location) bool { return auth.Visible(ctx, l, location.FieldAddress1) }
	m.Lookup = func(kind string, id int) (string, bool) {
		rows, err := readIDRows(ctx, client, kind, []int{id})
		if err != nil || len(rows) == 0 {
			return "", false
		}
		return rows[0].hsdsID(kind), true
	}
	return m
}

// ResolveID finds the Village ID of the record of kind whose HSDS id is
// hsdsID, among the records ctx may see; ok is false when there is none.
// It reads every record of the kind: anything serving requests looks ids
// up with a [Resolver].
func ResolveID(ctx context.Context, client *ent.Client, kind, hsdsID string) (int, bool, error) {
	rows, err := queryIDRows(ctx, client, kind, nil, 0)
	if err != nil {
		return 0, false, err
	}
	for _, r := range rows {
		if r.hsdsID(kind) == hsdsID {
			return r.ID, true, nil
		}
	}
	return 0, false, nil
}
