package hsds

import (
	"context"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/predicate"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/search"
)

// Reader answers the HSDS read API's lists and documents: which records a
// list's filters match (the ListFilter methods below), and the documents
// of those records in each shape (read_docs.go). Everything is read through
// the ent client with the caller's context, so the viewer sees exactly what
// GraphQL would show it. The HTTP side (server/hsds.go) parses parameters
// into a ListFilter and pages or streams what an IDSet finds.
type Reader struct {
	client *ent.Client
	search *search.Engine
	ids    *Resolver
}

// NewReader returns a Reader over client, searching with searcher (the
// engine GraphQL's search uses) and naming records through ids.
func NewReader(client *ent.Client, searcher *search.Engine, ids *Resolver) *Reader {
	return &Reader{client: client, search: searcher, ids: ids}
}

// ListFilter holds the filters of a list, its ids resolved to Village IDs.
type ListFilter struct {
	// Search is the search parameter's text ("" for none).
	Search string
	// TermID is taxonomy_term_id resolved (-1: no such term, nothing
	// matches); VillageCode is taxonomy_term_id when it names a term of
	// the Village attribute vocabulary, which services carry as
	// attributes.
	TermID      *int
	VillageCode *string
	// Vocabulary is taxonomy_id resolved to its vocabulary's name (a name
	// no term has when there is no such taxonomy).
	Vocabulary     *string
	OrganizationID *int
	ModifiedAfter  *time.Time
	// Postcode is the ZIP a service must cover; ProximityKm, when set, how
	// near it one of its locations must be.
	Postcode    *geo.Place
	ProximityKm *float64
	// ParentID and TopOnly filter taxonomy terms.
	ParentID *int
	TopOnly  bool
}

// IDSet is what a list endpoint lists: the matching records, found in ID
// order (or a search's rank order).
type IDSet struct {
	// Scan reads the next candidates after ID after (at most limit), in ID
	// order, and returns the IDs among them that match and the last
	// candidate ID it read (0 when none were left). Nil: no records.
	Scan func(ctx context.Context, after, limit int) (ids []int, last int, err error)
	// Count and Page answer a page in SQL when every filter runs there;
	// when nil, pages are cut from a scan.
	Count func(ctx context.Context) (int, error)
	Page  func(ctx context.Context, offset, limit int) ([]int, error)
	// Rank, when set, orders every matching ID (a search's ranking, see
	// Ranked): pages and streams follow it instead of ID order, and Scan's
	// after and last are its own positions (opaque to the caller).
	Rank func(ids []int) []int
}

// keyset adapts a query for the IDs of the next matching records after an
// ID (all filters in SQL) to IDSet.Scan.
func keyset(next func(ctx context.Context, after, limit int) ([]int, error)) func(context.Context, int, int) ([]int, int, error) {
	return func(ctx context.Context, after, limit int) ([]int, int, error) {
		ids, err := next(ctx, after, limit)
		if err != nil || len(ids) == 0 {
			return nil, 0, err
		}
		return ids, ids[len(ids)-1], nil
	}
}

// searched runs f's search text against records of type t (nil when f
// searches nothing); a bad text is a *directory.FieldError.
func (r *Reader) searched(ctx context.Context, f *ListFilter, t search.Type) (*Ranked, error) {
	if f.Search == "" {
		return nil, nil
	}
	return Search(ctx, r.search, t, f.Search)
}

// rankedScan scans the IDs search found, a batch at a time (after and
// last are IDs of what was found); keep filters each batch (nil: keep
// all).
func rankedScan(ranked *Ranked, keep func(ctx context.Context, chunk []int) ([]int, error)) func(context.Context, int, int) ([]int, int, error) {
	return func(ctx context.Context, after, limit int) ([]int, int, error) {
		chunk := ranked.Next(after, limit)
		if len(chunk) == 0 {
			return nil, 0, nil
		}
		if keep == nil {
			return chunk, chunk[len(chunk)-1], nil
		}
		ids, err := keep(ctx, chunk)
		return ids, chunk[len(chunk)-1], err
	}
}

// Services finds the services f matches, as the viewer in ctx reads them.
func (r *Reader) Services(ctx context.Context, f *ListFilter) (IDSet, error) {
	ranked, err := r.searched(ctx, f, search.TypeService)
	if err != nil {
		return IDSet{}, err
	}
	preds := f.servicePreds(ctx)
	query := func() *ent.ServiceQuery { return r.client.Service.Query().Where(preds...) }
	switch {
	case ranked != nil:
		// The services search found, filtered by the other parameters (no
		// statement when there are none).
		var keep func(ctx context.Context, chunk []int) ([]int, error)
		if len(preds) > 0 || f.judgesInGo() {
			keep = func(ctx context.Context, chunk []int) ([]int, error) {
				ids, _, err := f.matchingServices(ctx, query().Where(service.IDIn(chunk...)).Order(service.ByID()))
				return ids, err
			}
		}
		return IDSet{Scan: rankedScan(ranked, keep), Rank: func(ids []int) []int { return ranked.Order(ids, nil) }}, nil
	case !f.judgesInGo():
		return IDSet{
			Scan: keyset(func(ctx context.Context, after, limit int) ([]int, error) {
				return query().Where(service.IDGT(after)).Order(service.ByID()).Limit(limit).IDs(ctx)
			}),
			Count: func(ctx context.Context) (int, error) { return query().Count(ctx) },
			Page: func(ctx context.Context, offset, limit int) ([]int, error) {
				return query().Order(service.ByID()).Offset(offset).Limit(limit).IDs(ctx)
			},
		}, nil
	default:
		return IDSet{Scan: func(ctx context.Context, after, limit int) ([]int, int, error) {
			return f.matchingServices(ctx, query().Where(service.IDGT(after)).Order(service.ByID()).Limit(limit))
		}}, nil
	}
}

// Organizations finds the organizations f matches (only search filters
// them).
func (r *Reader) Organizations(ctx context.Context, f *ListFilter) (IDSet, error) {
	ranked, err := r.searched(ctx, f, search.TypeOrganization)
	if err != nil {
		return IDSet{}, err
	}
	if ranked != nil {
		return IDSet{Scan: rankedScan(ranked, nil), Rank: func(ids []int) []int { return ranked.Order(ids, nil) }}, nil
	}
	query := func() *ent.OrganizationQuery { return r.client.Organization.Query() }
	return IDSet{
		Scan: keyset(func(ctx context.Context, after, limit int) ([]int, error) {
			return query().Where(organization.IDGT(after)).Order(organization.ByID()).Limit(limit).IDs(ctx)
		}),
		Count: func(ctx context.Context) (int, error) { return query().Count(ctx) },
		Page: func(ctx context.Context, offset, limit int) ([]int, error) {
			return query().Order(organization.ByID()).Offset(offset).Limit(limit).IDs(ctx)
		},
	}, nil
}

// ServiceAtLocations finds the service_at_locations f matches: by their
// services' filters (and search, ranked as their services), their
// locations' proximity, and what their documents show for modified_after.
func (r *Reader) ServiceAtLocations(ctx context.Context, f *ListFilter) (IDSet, error) {
	ranked, err := r.searched(ctx, f, search.TypeService)
	if err != nil {
		return IDSet{}, err
	}
	var preds []predicate.ServiceAtLocation
	sf := f
	if f.ModifiedAfter != nil {
		// A service at a location changes with what its document shows:
		// its location, phones, contacts and schedules, and its service.
		cp := *f
		cp.ModifiedAfter = nil
		sf = &cp
		preds = append(preds, ServiceAtLocationModifiedSince(ctx, *f.ModifiedAfter))
	}
	if s := sf.servicePreds(ctx); len(s) > 0 {
		preds = append(preds, serviceatlocation.HasServiceWith(s...))
	}
	query := func() *ent.ServiceAtLocationQuery { return r.client.ServiceAtLocation.Query().Where(preds...) }
	// matching reads the candidates q finds and returns those the filters
	// judged in Go accept.
	matching := func(ctx context.Context, q *ent.ServiceAtLocationQuery) ([]*ent.ServiceAtLocation, error) {
		if !f.judgesInGo() {
			return q.Select(serviceatlocation.FieldServiceID).All(ctx)
		}
		cands, err := q.WithLocation().WithService(f.withJudged).All(ctx)
		if err != nil {
			return nil, err
		}
		return slices.DeleteFunc(cands, func(sal *ent.ServiceAtLocation) bool {
			return sal.Edges.Service == nil || !f.judgeService(sal.Edges.Service) || !f.near(sal.Edges.Location)
		}), nil
	}
	switch {
	case ranked != nil:
		// By the services search found, a batch of them at a time (after
		// and last are service IDs), ranked as their services.
		serviceOf := map[int]int{}
		scan := rankedScan(ranked, func(ctx context.Context, chunk []int) ([]int, error) {
			found, err := matching(ctx, query().Where(serviceatlocation.ServiceIDIn(chunk...)).Order(serviceatlocation.ByID()))
			if err != nil {
				return nil, err
			}
			ids := make([]int, len(found))
			for i, sal := range found {
				ids[i], serviceOf[sal.ID] = sal.ID, sal.ServiceID
			}
			return ids, nil
		})
		return IDSet{Scan: scan, Rank: func(ids []int) []int {
			slices.Sort(ids)
			return ranked.Order(ids, func(id int) int { return serviceOf[id] })
		}}, nil
	case !f.judgesInGo():
		return IDSet{
			Scan: keyset(func(ctx context.Context, after, limit int) ([]int, error) {
				return query().Where(serviceatlocation.IDGT(after)).Order(serviceatlocation.ByID()).Limit(limit).IDs(ctx)
			}),
			Count: func(ctx context.Context) (int, error) { return query().Count(ctx) },
			Page: func(ctx context.Context, offset, limit int) ([]int, error) {
				return query().Order(serviceatlocation.ByID()).Offset(offset).Limit(limit).IDs(ctx)
			},
		}, nil
	default:
		return IDSet{Scan: func(ctx context.Context, after, limit int) ([]int, int, error) {
			cands, err := query().Where(serviceatlocation.IDGT(after)).Order(serviceatlocation.ByID()).Limit(limit).WithLocation().
				WithService(f.withJudged).All(ctx)
			if err != nil || len(cands) == 0 {
				return nil, 0, err
			}
			var ids []int
			for _, sal := range cands {
				if sal.Edges.Service != nil && f.judgeService(sal.Edges.Service) && f.near(sal.Edges.Location) {
					ids = append(ids, sal.ID)
				}
			}
			return ids, cands[len(cands)-1].ID, nil
		}}, nil
	}
}

// TaxonomyTerms finds the directory's taxonomy terms f matches (search as
// a substring of name, code or description; the Village attribute
// vocabulary's terms are listed apart: VillageTermsMatching).
func (r *Reader) TaxonomyTerms(f *ListFilter) IDSet {
	query := func() *ent.TaxonomyTermQuery {
		q := r.client.TaxonomyTerm.Query()
		if f.Search != "" {
			q.Where(taxonomyterm.Or(taxonomyterm.NameContainsFold(f.Search), taxonomyterm.CodeContainsFold(f.Search),
				taxonomyterm.DescriptionContainsFold(f.Search)))
		}
		if f.Vocabulary != nil {
			q.Where(taxonomyterm.Vocabulary(*f.Vocabulary))
		}
		if f.ParentID != nil {
			q.Where(taxonomyterm.ParentID(*f.ParentID))
		}
		if f.TopOnly {
			q.Where(taxonomyterm.ParentIDIsNil())
		}
		return q
	}
	return IDSet{
		Scan: keyset(func(ctx context.Context, after, limit int) ([]int, error) {
			return query().Where(taxonomyterm.IDGT(after)).Order(taxonomyterm.ByID()).Limit(limit).IDs(ctx)
		}),
		Count: func(ctx context.Context) (int, error) { return query().Count(ctx) },
		Page: func(ctx context.Context, offset, limit int) ([]int, error) {
			return query().Order(taxonomyterm.ByID()).Offset(offset).Limit(limit).IDs(ctx)
		},
	}
}

// VillageTermsMatching are the terms of the Village attribute vocabulary f
// matches, listed after the directory's own so every attribute's term can
// be looked up.
func VillageTermsMatching(f *ListFilter) []TaxonomyTerm {
	if f.TermID != nil || f.ParentID != nil {
		return nil
	}
	if f.Vocabulary != nil && *f.Vocabulary != VillageTaxonomy {
		return nil
	}
	var out []TaxonomyTerm
	for _, code := range VillageTerms {
		t := VillageTerm(code)
		if f.Search == "" || strings.Contains(strings.ToLower(t.Code+" "+t.Description), strings.ToLower(f.Search)) {
			out = append(out, t)
		}
	}
	return out
}

// servicePreds are the filters on services f names, for the viewer in ctx;
// those judged in Go (see judgesInGo) are narrowed here. Search is not
// among them: its ranked IDs are what a searched list scans.
func (f *ListFilter) servicePreds(ctx context.Context) []predicate.Service {
	var preds []predicate.Service
	if f.TermID != nil {
		preds = append(preds, service.HasNeedsWith(taxonomyterm.ID(*f.TermID)))
	}
	if f.VillageCode != nil {
		preds = append(preds, ServiceMayCarry(*f.VillageCode))
	}
	if f.Vocabulary != nil {
		has := service.HasNeedsWith(taxonomyterm.Vocabulary(*f.Vocabulary))
		if *f.Vocabulary == VillageTaxonomy {
			// Its terms are attributes of services, and maybe needs.
			has = service.Or(has, ServiceMayCarry(""))
		}
		preds = append(preds, has)
	}
	if f.OrganizationID != nil {
		preds = append(preds, service.OrganizationID(*f.OrganizationID))
	}
	if f.Postcode != nil {
		preds = append(preds, mayCover(f.Postcode))
	}
	if f.ModifiedAfter != nil {
		// As last_modified: the service or what its document shows.
		preds = append(preds, ServiceModifiedSince(ctx, *f.ModifiedAfter))
	}
	return preds
}

// villageVocabulary reports whether f filters on the Village attribute
// vocabulary's taxonomy.
func (f *ListFilter) villageVocabulary() bool {
	return f.Vocabulary != nil && *f.Vocabulary == VillageTaxonomy
}

// judgesInGo reports whether a filter of f is judged in Go, on services as
// the viewer reads them: coverage and proximity (a confidential location's
// hidden coordinates must not decide what a filter returns) and the
// Village attributes (internal notes carry nothing for who may not read
// them).
func (f *ListFilter) judgesInGo() bool {
	return f.Postcode != nil || f.VillageCode != nil || f.villageVocabulary()
}

// withJudged loads on a service what judgeService reads.
func (f *ListFilter) withJudged(q *ent.ServiceQuery) {
	if f.Postcode != nil {
		q.WithServiceAreas()
	}
	if f.villageVocabulary() {
		q.WithNeeds(func(q *ent.TaxonomyTermQuery) { q.Where(taxonomyterm.Vocabulary(VillageTaxonomy)) })
	}
}

// judgeService applies the filters judged in Go (but proximity, which
// depends on the location) to s, loaded with withJudged.
func (f *ListFilter) judgeService(s *ent.Service) bool {
	if f.VillageCode != nil && !ServiceCarries(s, *f.VillageCode) {
		return false
	}
	if f.villageVocabulary() && !ServiceCarries(s, "") && len(s.Edges.Needs) == 0 {
		return false
	}
	return f.Postcode == nil || covers(s.Edges.ServiceAreas, f.Postcode)
}

// matchingServices reads the candidates q finds and returns those the
// filters judged in Go accept, and the last candidate's ID (0: none).
func (f *ListFilter) matchingServices(ctx context.Context, q *ent.ServiceQuery) ([]int, int, error) {
	if !f.judgesInGo() {
		ids, err := q.IDs(ctx)
		if err != nil || len(ids) == 0 {
			return nil, 0, err
		}
		return ids, ids[len(ids)-1], nil
	}
	f.withJudged(q)
	if f.ProximityKm != nil {
		q.WithServiceAtLocations(func(q *ent.ServiceAtLocationQuery) { q.WithLocation() })
	}
	cands, err := q.All(ctx)
	if err != nil || len(cands) == 0 {
		return nil, 0, err
	}
	var ids []int
	for _, s := range cands {
		if f.judgeService(s) && (f.ProximityKm == nil ||
			slices.ContainsFunc(s.Edges.ServiceAtLocations, func(sal *ent.ServiceAtLocation) bool { return f.near(sal.Edges.Location) })) {
			ids = append(ids, s.ID)
		}
	}
	return ids, cands[len(cands)-1].ID, nil
}

// mayCover narrows, in SQL, the services covers may accept for the place:
// those with no area, and those with an area that names the place, or a
// circle whose radius reaches the place's latitude (covers measures the
// distance), so a postcode filter reads candidates, not the directory.
func mayCover(place *geo.Place) predicate.Service {
	counties := []string{}
	for _, c := range place.Counties {
		counties = append(counties, c.FIPS)
		counties = append(counties, geo.EquivalentCounties(c.FIPS)...)
	}
	areas := []predicate.ServiceArea{
		servicearea.KindIn(servicearea.KindNATIONWIDE, servicearea.KindONLINE),
		servicearea.And(servicearea.KindEQ(servicearea.KindSTATE), servicearea.Code(place.StateCode)),
		servicearea.And(servicearea.KindEQ(servicearea.KindZIP), servicearea.Code(place.ZIP)),
		servicearea.And(servicearea.KindEQ(servicearea.KindCOUNTY), servicearea.CodeIn(counties...)),
	}
	if place.HasCentroid {
		// A great circle is at least its latitude difference long (111.19
		// km a degree, rounded down).
		areas = append(areas, servicearea.And(servicearea.KindEQ(servicearea.KindRADIUS),
			func(s *sql.Selector) {
				s.Where(sql.P(func(b *sql.Builder) {
					b.WriteString("ABS(" + s.C(servicearea.FieldCenterLatitude) + " - ").Arg(place.Latitude).
						WriteString(") * 111.19 <= " + s.C(servicearea.FieldRadiusKm))
				}))
			}))
	}
	return service.Or(service.Not(service.HasServiceAreas()), service.HasServiceAreasWith(servicearea.Or(areas...)))
}

// covers reports whether a service with areas covers the ZIP place; a
// service that states no area is not excluded (the spec: "if service_area
// is available").
func covers(areas []*ent.ServiceArea, place *geo.Place) bool {
	if len(areas) == 0 {
		return true
	}
	for _, a := range areas {
		switch a.Kind {
		case servicearea.KindNATIONWIDE, servicearea.KindONLINE:
			return true
		case servicearea.KindSTATE:
			if a.Code == place.StateCode {
				return true
			}
		case servicearea.KindZIP:
			if a.Code == place.ZIP {
				return true
			}
		case servicearea.KindCOUNTY:
			for _, c := range place.Counties {
				if c.FIPS == a.Code || slices.Contains(geo.EquivalentCounties(c.FIPS), a.Code) {
					return true
				}
			}
		case servicearea.KindRADIUS:
			if place.HasCentroid && a.CenterLatitude != nil && a.CenterLongitude != nil && a.RadiusKm != nil &&
				geo.DistanceKm(*a.CenterLatitude, *a.CenterLongitude, place.Latitude, place.Longitude) <= *a.RadiusKm {
				return true
			}
		}
	}
	return false
}

// near reports whether l, as the viewer sees it, lies within f's
// proximity of its postcode's centroid.
func (f *ListFilter) near(l *ent.Location) bool {
	if f.ProximityKm == nil {
		return true
	}
	if l == nil || l.Latitude == nil || l.Longitude == nil {
		return false
	}
	return geo.DistanceKm(*l.Latitude, *l.Longitude, f.Postcode.Latitude, f.Postcode.Longitude) <= *f.ProximityKm
}
