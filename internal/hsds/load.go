package hsds

import (
	"context"
	"fmt"
	"sort"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/contact"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
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
	m, err := readMapper(ctx, client)
	if err != nil {
		return nil, err
	}
	if m.Modified, err = ServicesModified(ctx, client, serviceIDs(list)); err != nil {
		return nil, err
	}
	out := make([]Service, 0, len(list))
	for _, s := range list {
		out = append(out, m.Service(s))
	}
	return out, nil
}

// serviceIDs are the IDs of list.
func serviceIDs(list []*ent.Service) []int {
	ids := make([]int, len(list))
	for i, s := range list {
		ids[i] = s.ID
	}
	return ids
}

// Organizations loads the HSDS organizations q selects.
func Organizations(ctx context.Context, client *ent.Client, q *ent.OrganizationQuery) ([]Organization, error) {
	list, err := FullOrganization(q).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load organizations: %w", err)
	}
	out := make([]Organization, 0, len(list))
	m, err := readMapper(ctx, client)
	if err != nil {
		return nil, err
	}
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
	m, err := readMapper(ctx, client)
	if err != nil {
		return nil, err
	}
	var svcs []*ent.Service
	for _, sal := range list {
		if s := sal.Edges.Service; s != nil {
			svcs = append(svcs, s)
		}
	}
	if m.Modified, err = ServicesModified(ctx, client, serviceIDs(svcs)); err != nil {
		return nil, err
	}
	out := make([]ServiceAtLocation, 0, len(list))
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
	m, err := readMapper(ctx, client)
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		if p := t.Edges.Parent; p != nil {
			m.note(KindTaxonomyTerm, p.ID, p.ExternalSource, p.ExternalID)
		}
		out = append(out, m.TaxonomyTerm(t))
	}
	return out, nil
}

// Taxonomies lists every vocabulary in the directory as an HSDS taxonomy,
// with the Village attribute taxonomy, ordered by name. A vocabulary is
// one taxonomy, whose id its terms' taxonomy_id names (see
// Mapper.TaxonomyTerm): the taxonomy a package gave it, kept with its
// terms (that of the first term, by ID, that keeps one), else one Village
// derives from its name.
func Taxonomies(ctx context.Context, client *ent.Client) ([]Taxonomy, error) {
	names, err := client.TaxonomyTerm.Query().Unique(true).Select(taxonomyterm.FieldVocabulary).Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("load taxonomies: %w", err)
	}
	kept, err := keptTaxonomies(ctx, client)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{VillageTaxonomy: true}
	out := []Taxonomy{VillageTaxonomyObject()}
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, vocabularyTaxonomy(kept, n))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// vocabularyTaxonomy is the taxonomy of a vocabulary, given the kept ones.
func vocabularyTaxonomy(kept map[string]Taxonomy, vocabulary string) Taxonomy {
	if tx, ok := kept[vocabulary]; ok && vocabulary != VillageTaxonomy {
		return tx
	}
	return TaxonomyObject(vocabulary)
}

// keptTaxonomies returns, by vocabulary, the taxonomy a package gave it:
// the one kept with its first term that keeps one. One statement, which
// reads one term per vocabulary (a vocabulary may have thousands).
func keptTaxonomies(ctx context.Context, client *ent.Client) (map[string]Taxonomy, error) {
	firsts := func(s *sql.Selector) {
		b := sql.Dialect(s.Dialect())
		t := b.Table(taxonomyterm.Table).As("kt")
		col := t.C(taxonomyterm.FieldHsdsExtra)
		// Whether the kept extras hold a taxonomy row, read in SQL.
		has := sql.ExprP("json_extract(" + col + ", '$.rows.taxonomies') IS NOT NULL")
		if s.Dialect() == dialect.Postgres {
			has = sql.ExprP("(" + col + " -> 'rows' -> 'taxonomies') IS NOT NULL")
		}
		sub := b.Select(sql.Min(t.C(taxonomyterm.FieldID))).From(t).
			Where(sql.And(sql.NotNull(col), has)).GroupBy(t.C(taxonomyterm.FieldVocabulary))
		s.Where(sql.In(s.C(taxonomyterm.FieldID), sub))
	}
	list, err := client.TaxonomyTerm.Query().Where(firsts).Select(taxonomyterm.FieldVocabulary, taxonomyterm.FieldHsdsExtra).All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load taxonomies: %w", err)
	}
	kept := map[string]Taxonomy{}
	for _, t := range list {
		if tx, ok := extraTaxonomy(t.HsdsExtra); ok {
			kept[t.Vocabulary] = tx
		}
	}
	return kept, nil
}

// readMapper is a Mapper whose references to records it has not mapped
// are looked up in the database (as ctx may see it).
func readMapper(ctx context.Context, client *ent.Client) (*Mapper, error) {
	dir, err := store.DirectoryID(ctx, client)
	if err != nil {
		return nil, err
	}
	m := NewMapper(dir)
	m.SeesAddress = func(l *ent.Location) bool { return auth.Visible(ctx, l, location.FieldAddress1) }
	m.Taxonomy = lazyTaxonomies(ctx, client)
	m.Lookup = func(kind string, id int) (string, bool) {
		rows, err := readIDRows(ctx, client, kind, []int{id})
		if err != nil || len(rows) == 0 {
			return "", false
		}
		return rows[0].hsdsID(dir, kind), true
	}
	return m, nil
}

// lazyTaxonomies returns a Mapper.Taxonomy that reads the kept taxonomies
// when first asked (a page of services with no needs maps no term), once.
// Should that read fail, a term keeps the taxonomy its own extras name.
func lazyTaxonomies(ctx context.Context, client *ent.Client) func(string) Taxonomy {
	var kept map[string]Taxonomy
	return func(vocabulary string) Taxonomy {
		if kept == nil {
			var err error
			if kept, err = keptTaxonomies(ctx, client); err != nil {
				kept = map[string]Taxonomy{}
			}
		}
		return vocabularyTaxonomy(kept, vocabulary)
	}
}

// ResolveID finds the Village ID of the record of kind whose HSDS id is
// hsdsID, among the records ctx may see; ok is false when there is none.
// It reads every record of the kind: anything serving requests looks ids
// up with a [Resolver].
func ResolveID(ctx context.Context, client *ent.Client, kind, hsdsID string) (int, bool, error) {
	dir, err := store.DirectoryID(ctx, client)
	if err != nil {
		return 0, false, err
	}
	rows, err := queryIDRows(ctx, client, kind, nil, 0)
	if err != nil {
		return 0, false, err
	}
	for _, r := range rows {
		if r.hsdsID(dir, kind) == hsdsID {
			return r.ID, true, nil
		}
	}
	return 0, false, nil
}
