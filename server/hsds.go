package server

import (
	"context"
	"encoding/json"
	"entgo.io/ent/dialect/sql"
	"errors"
	"fmt"
	"github.com/village-directory/village/ent/servicearea"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/predicate"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/hsds"
	"github.com/village-directory/village/internal/search"
	"github.com/village-directory/village/internal/store"
)

// HSDS API paging limits.
const (
	hsdsDefaultPerPage = 50
	hsdsMaxPerPage     = 200
)

// hsdsProfile is the HSDS profile Village's API follows: the core 3.0 one.
const hsdsProfile = "https://docs.openreferral.org/en/v3.0/hsds/"

// hsdsOpenAPI is the spec's API definition Village serves a read-only part of.
const hsdsOpenAPI = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"

// hsdsHandler serves the read endpoints of the HSDS 3.0 API under /hsds/.
// Every record is read through the ent client with the request's context,
// so the viewer sees exactly what GraphQL would show it (no staff-only
// phones, no confidential addresses for the public). IDs in URLs and
// parameters are HSDS UUIDs (see internal/hsds), resolved through one
// hsds.Resolver per handler.
//
// Lists page in JSON (the spec's envelope) or, with format=ndjson, stream
// every match one document per line (see stream). A list item holds the
// record's one-to-one fields, as the spec's *_list.json examples show: its
// HSDS columns, the Village attributes (which carry Village's own
// one-to-one fields, the sample flag among them) and its one-to-one
// objects in the same form (a service's organization and program; a
// service_at_location's location and service). full=true returns the fully
// nested documents the {id} endpoints return; minimal=true (services)
// returns only each service's id and modified_date.
func hsdsHandler(client *ent.Client, searcher *search.Engine, log *slog.Logger, cfg Config) http.Handler {
	h := &hsdsAPI{client: client, search: searcher, log: log, ids: hsds.NewResolver(client), streams: make(chan struct{}, cfg.MaxStreams),
		streamBatch: cfg.StreamBatch, maxParamLength: cfg.Limits.MaxTextLength}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hsds/{$}", h.root)
	mux.HandleFunc("GET /hsds/services", h.services)
	mux.HandleFunc("GET /hsds/services/{id}", h.service)
	mux.HandleFunc("GET /hsds/organizations", h.organizations)
	mux.HandleFunc("GET /hsds/organizations/{id}", h.organization)
	mux.HandleFunc("GET /hsds/service_at_locations", h.serviceAtLocations)
	mux.HandleFunc("GET /hsds/service_at_locations/{id}", h.serviceAtLocation)
	mux.HandleFunc("GET /hsds/taxonomies", h.taxonomies)
	mux.HandleFunc("GET /hsds/taxonomies/{id}", h.taxonomy)
	mux.HandleFunc("GET /hsds/taxonomy_terms", h.taxonomyTerms)
	mux.HandleFunc("GET /hsds/taxonomy_terms/{id}", h.taxonomyTerm)
	mux.HandleFunc("/hsds/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			hsdsError(w, http.StatusMethodNotAllowed, "the HSDS API is read-only: use GET")
			return
		}
		hsdsError(w, http.StatusNotFound, "no such HSDS endpoint: "+r.URL.Path)
	})
	return mux
}

type hsdsAPI struct {
	client *ent.Client
	// search is the search index GraphQL's search uses too: the search
	// parameter of services, organizations and service_at_locations.
	search *search.Engine
	log    *slog.Logger
	ids    *hsds.Resolver
	// streams holds a slot per format=ndjson listing in progress: streams
	// are long, so only so many run at once.
	streams chan struct{}
	// streamBatch is how many records a stream reads and writes at a time.
	streamBatch int
	// maxParamLength bounds each query parameter, in characters: GraphQL's
	// MaxTextLength, so one setting bounds the text both APIs search by.
	maxParamLength int
}

// badRequest is a client error in the query.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func badf(format string, args ...any) error { return &badRequest{fmt.Sprintf(format, args...)} }

var errNotFound = errors.New("not found")

func hsdsError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"status": status, "error": http.StatusText(status), "message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// answer writes v, or the error err stands for.
func (h *hsdsAPI) answer(w http.ResponseWriter, r *http.Request, v any, err error) {
	var bad *badRequest
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, v)
	case errors.As(err, &bad):
		hsdsError(w, http.StatusBadRequest, bad.msg)
	case errors.Is(err, errNotFound):
		hsdsError(w, http.StatusNotFound, "no record with id "+r.PathValue("id"))
	case errors.Is(err, context.DeadlineExceeded):
		hsdsError(w, http.StatusServiceUnavailable, "the request took too long")
	case errors.Is(err, context.Canceled):
		hsdsError(w, http.StatusServiceUnavailable, "the request was cancelled") // the client has gone
	case store.Unavailable(err):
		h.log.WarnContext(r.Context(), "hsds api: database unavailable", "path", r.URL.Path, "error", err)
		w.Header().Set("Retry-After", strconv.Itoa(graph.UnavailableRetryAfter))
		hsdsError(w, http.StatusServiceUnavailable, "the database is unavailable; retry in a few seconds")
	default:
		h.log.ErrorContext(r.Context(), "hsds api", "path", r.URL.Path, "error", err)
		hsdsError(w, http.StatusInternalServerError, "internal error")
	}
}

func (h *hsdsAPI) root(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, hsds.APIInfo{Version: hsds.Version, Profile: hsdsProfile, OpenAPIURL: hsdsOpenAPI})
}

// List formats.
const (
	formatJSON   = "json"
	formatNDJSON = "ndjson"
)

// hsdsStreams reports whether r asks the HSDS API for a streamed listing (a
// list endpoint, /hsds/NAME, with format=ndjson), which gets the server's
// stream deadline instead of a request's.
func hsdsStreams(r *http.Request) bool {
	name, ok := strings.CutPrefix(r.URL.Path, "/hsds/")
	name = strings.TrimSuffix(name, "/")
	return ok && name != "" && !strings.Contains(name, "/") && r.URL.Query().Get("format") == formatNDJSON
}

// listParams are the parsed query parameters of a list endpoint.
type listParams struct {
	format        string
	full, minimal bool
	fullService   bool
	page, perPage int
	search        string
	ranked        *hsds.Ranked // what search finds (services or organizations)
	termID        *int         // taxonomy_term_id, resolved (-1: none such)
	villageCode   *string      // taxonomy_term_id, a term of the Village attribute vocabulary
	vocabulary    *string      // taxonomy_id, resolved (a name no term has: none such)
	orgID         *int
	modifiedAfter *time.Time
	postcode      *geo.Place
	proximityKm   *float64
	parentID      *int
	topOnly       bool
}

// hsdsMaxOffset bounds how far into a list a page may start.
const hsdsMaxOffset = 1 << 30

// hsdsFilters are the HSDS list parameters that filter; a list that does not
// take one refuses it.
var hsdsFilters = []string{"taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "postcode", "proximity", "parent_id", "top_only"}

// parseList reads the parameters allowed (besides page, per_page, search,
// format, full, minimal, full_service, which every list takes).
func (h *hsdsAPI) parseList(r *http.Request, allowed ...string) (*listParams, error) {
	ctx := r.Context()
	q := r.URL.Query()
	for name, values := range q {
		for _, v := range values {
			if strings.ContainsRune(v, 0) {
				// No text in the directory holds one (PostgreSQL cannot).
				return nil, badf("%s must not contain a NUL character", name)
			}
			if utf8.RuneCountInString(v) > h.maxParamLength {
				return nil, badf("%s may be at most %d characters long", name, h.maxParamLength)
			}
		}
	}
	p := &listParams{format: formatJSON, page: 1, perPage: hsdsDefaultPerPage, search: strings.TrimSpace(q.Get("search"))}
	for _, name := range []string{"page", "per_page"} {
		v := q.Get(name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, badf("%s must be a positive integer, got %q", name, v)
		}
		if name == "page" {
			p.page = n
		} else {
			if n > hsdsMaxPerPage {
				return nil, badf("per_page must be at most %d, got %d", hsdsMaxPerPage, n)
			}
			p.perPage = n
		}
	}
	switch f := q.Get("format"); f {
	case "", formatJSON:
	case formatNDJSON:
		p.format = f
		// ndjson streams every result: a page of it would be a surprise.
		for _, name := range []string{"page", "per_page"} {
			if q.Get(name) != "" {
				return nil, badf("%s does not apply to format=ndjson, which streams every result without pagination", name)
			}
		}
	default:
		return nil, badf("format must be json or ndjson, got %q", f)
	}
	for _, flag := range []struct {
		name string
		dst  *bool
	}{{"full", &p.full}, {"minimal", &p.minimal}, {"full_service", &p.fullService}, {"top_only", &p.topOnly}} {
		if v := q.Get(flag.name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, badf("%s must be true or false, got %q", flag.name, v)
			}
			*flag.dst = b
		}
	}
	if p.full && p.minimal {
		return nil, badf("minimal and full cannot both be true")
	}
	if maxPage := hsdsMaxOffset / p.perPage; p.page > maxPage {
		return nil, badf("page must be at most %d with per_page %d, got %d", maxPage, p.perPage, p.page)
	}
	for name, vals := range q {
		v := vals[0]
		if v == "" {
			continue
		}
		if !slices.Contains(allowed, name) {
			// A filter this list does not take would otherwise be ignored,
			// and its caller would take the whole list for the filtered one.
			if slices.Contains(hsdsFilters, name) && (name != "top_only" || p.topOnly) {
				return nil, badf("%s is not a parameter of %s", name, r.URL.Path)
			}
			continue
		}
		switch name {
		case "taxonomy_term_id", "organization_id", "parent_id":
			if code, ok := hsds.VillageTermCode(strings.ToLower(v)); ok && name == "taxonomy_term_id" {
				// A term the API publishes, though no record: services
				// carry it as an attribute.
				p.villageCode = &code
				continue
			}
			kind := map[string]string{"taxonomy_term_id": hsds.KindTaxonomyTerm, "organization_id": hsds.KindOrganization,
				"parent_id": hsds.KindTaxonomyTerm}[name]
			id, err := h.resolve(ctx, kind, v)
			if errors.Is(err, errNotFound) {
				id, err = -1, nil // no such record: nothing matches
			}
			if err != nil {
				return nil, err
			}
			switch name {
			case "taxonomy_term_id":
				p.termID = &id
			case "organization_id":
				p.orgID = &id
			default:
				p.parentID = &id
			}
		case "taxonomy_id":
			if _, err := uuid.Parse(v); err != nil {
				return nil, badf("taxonomy_id must be a UUID, got %q", v)
			}
			taxes, err := hsds.Taxonomies(ctx, h.client)
			if err != nil {
				return nil, err
			}
			voc := "hsds:no-such-taxonomy:" + v // matches no term
			for _, t := range taxes {
				if t.ID == strings.ToLower(v) {
					voc = t.Name
				}
			}
			p.vocabulary = &voc
		case "modified_after":
			t, err := parseTime(v)
			if err != nil {
				return nil, badf("modified_after must be an RFC 3339 date-time or a date (YYYY-MM-DD), got %q", v)
			}
			p.modifiedAfter = &t
		case "postcode":
			if !geo.ValidZIP(v) {
				return nil, badf("postcode must be a 5-digit US ZIP code, got %q", v)
			}
			place, ok := geo.LookupZIP(v)
			if !ok {
				return nil, badf("unknown ZIP code %q", v)
			}
			p.postcode = &place
		case "proximity":
			m, err := strconv.ParseFloat(v, 64)
			if err != nil || !(m > 0) || math.IsInf(m, 0) {
				return nil, badf("proximity must be a positive distance in metres, got %q", v)
			}
			km := m / 1000
			p.proximityKm = &km
		}
	}
	if p.proximityKm != nil {
		if p.postcode == nil {
			return nil, badf("proximity needs a postcode to measure from")
		}
		if !p.postcode.HasCentroid {
			return nil, badf("ZIP code %s has no known centroid to measure proximity from", p.postcode.ZIP)
		}
	}
	return p, nil
}

func parseTime(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

// resolve finds the Village ID of an HSDS id: 400 when it is no UUID,
// errNotFound when the viewer sees no such record.
func (h *hsdsAPI) resolve(ctx context.Context, kind, id string) (int, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return 0, badf("%q is not an HSDS id (a UUID)", id)
	}
	n, ok, err := h.ids.Resolve(ctx, kind, u.String())
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, errNotFound
	}
	return n, nil
}

// envelope builds the paging envelope around one page of contents.
func envelope[T any](p *listParams, total int, contents []T) hsds.Page[T] {
	if contents == nil {
		contents = []T{}
	}
	pages := (total + p.perPage - 1) / p.perPage
	return hsds.Page[T]{TotalItems: total, TotalPages: pages, PageNumber: p.page, Size: len(contents),
		FirstPage: p.page == 1, LastPage: p.page >= pages, Empty: len(contents) == 0, Contents: contents}
}

func (p *listParams) offset() int { return (p.page - 1) * p.perPage }

// pageOf cuts one page out of ids.
func pageOf(p *listParams, ids []int) []int {
	lo := min(p.offset(), len(ids))
	hi := min(lo+p.perPage, len(ids))
	return ids[lo:hi]
}

// servicePreds are the filters on services the parameters name, for the
// viewer in ctx; those judged in Go (see judgesInGo) are narrowed here.
// search is not among them: its ranked IDs (p.ranked) are what a searched
// list scans (see searchServices).
func servicePreds(ctx context.Context, p *listParams) []predicate.Service {
	var preds []predicate.Service
	if p.termID != nil {
		preds = append(preds, service.HasNeedsWith(taxonomyterm.ID(*p.termID)))
	}
	if p.villageCode != nil {
		preds = append(preds, hsds.ServiceMayCarry(*p.villageCode))
	}
	if p.vocabulary != nil {
		has := service.HasNeedsWith(taxonomyterm.Vocabulary(*p.vocabulary))
		if *p.vocabulary == hsds.VillageTaxonomy {
			// Its terms are attributes of services, and maybe needs.
			has = service.Or(has, hsds.ServiceMayCarry(""))
		}
		preds = append(preds, has)
	}
	if p.orgID != nil {
		preds = append(preds, service.OrganizationID(*p.orgID))
	}
	if p.postcode != nil {
		preds = append(preds, mayCover(p.postcode))
	}
	if p.modifiedAfter != nil {
		// As last_modified: the service or what its document shows.
		preds = append(preds, hsds.ServiceModifiedSince(ctx, *p.modifiedAfter))
	}
	return preds
}

// villageVocabulary reports whether p filters on the Village attribute
// vocabulary's taxonomy.
func (p *listParams) villageVocabulary() bool {
	return p.vocabulary != nil && *p.vocabulary == hsds.VillageTaxonomy
}

// judgesInGo reports whether a filter of p is judged in Go, on services as
// the viewer reads them: coverage and proximity (a confidential location's
// hidden coordinates must not decide what a filter returns) and the
// Village attributes (internal notes carry nothing for who may not read
// them).
func (p *listParams) judgesInGo() bool {
	return p.postcode != nil || p.villageCode != nil || p.villageVocabulary()
}

// withJudged loads on a service what judgeService reads.
func (p *listParams) withJudged(q *ent.ServiceQuery) {
	if p.postcode != nil {
		q.WithServiceAreas()
	}
	if p.villageVocabulary() {
		q.WithNeeds(func(q *ent.TaxonomyTermQuery) { q.Where(taxonomyterm.Vocabulary(hsds.VillageTaxonomy)) })
	}
}

// judgeService applies the filters judged in Go (but proximity, which
// depends on the location) to s, loaded with withJudged.
func (p *listParams) judgeService(s *ent.Service) bool {
	if p.villageCode != nil && !hsds.ServiceCarries(s, *p.villageCode) {
		return false
	}
	if p.villageVocabulary() && !hsds.ServiceCarries(s, "") && len(s.Edges.Needs) == 0 {
		return false
	}
	return p.postcode == nil || covers(s.Edges.ServiceAreas, p.postcode)
}

func (h *hsdsAPI) services(w http.ResponseWriter, r *http.Request) {
	p, err := h.parseList(r, "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "postcode", "proximity")
	if err == nil {
		err = h.searchFor(r.Context(), p, search.TypeService)
	}
	if err != nil {
		h.answer(w, r, nil, err)
		return
	}
	preds := servicePreds(r.Context(), p)
	query := func() *ent.ServiceQuery { return h.client.Service.Query().Where(preds...) }
	set := recordSet{load: h.serviceLoader(p)}
	switch {
	case p.ranked != nil:
		// The services search found, a batch of IDs at a time, filtered
		// by the other parameters (no statement when there are none).
		set.scan = func(ctx context.Context, after, limit int) ([]int, int, error) {
			chunk := p.ranked.Next(after, limit)
			if len(chunk) == 0 {
				return nil, 0, nil
			}
			if len(preds) == 0 && !p.judgesInGo() {
				return chunk, chunk[len(chunk)-1], nil
			}
			ids, _, err := p.matchingServices(ctx, query().Where(service.IDIn(chunk...)).Order(service.ByID()))
			return ids, chunk[len(chunk)-1], err
		}
		set.rank = func(ids []int) []int { return p.ranked.Order(ids, nil) }
	case !p.judgesInGo():
		set.scan = keyset(func(ctx context.Context, after, limit int) ([]int, error) {
			return query().Where(service.IDGT(after)).Order(service.ByID()).Limit(limit).IDs(ctx)
		})
		set.count = func(ctx context.Context) (int, error) { return query().Count(ctx) }
		set.page = func(ctx context.Context, offset, limit int) ([]int, error) {
			return query().Order(service.ByID()).Offset(offset).Limit(limit).IDs(ctx)
		}
	default:
		set.scan = func(ctx context.Context, after, limit int) ([]int, int, error) {
			return p.matchingServices(ctx, query().Where(service.IDGT(after)).Order(service.ByID()).Limit(limit))
		}
	}
	h.list(w, r, p, set)
}

// matchingServices reads the candidates q finds and returns those the
// filters judged in Go accept, and the last candidate's ID (0: none).
func (p *listParams) matchingServices(ctx context.Context, q *ent.ServiceQuery) ([]int, int, error) {
	if !p.judgesInGo() {
		ids, err := q.IDs(ctx)
		if err != nil || len(ids) == 0 {
			return nil, 0, err
		}
		return ids, ids[len(ids)-1], nil
	}
	p.withJudged(q)
	if p.proximityKm != nil {
		q.WithServiceAtLocations(func(q *ent.ServiceAtLocationQuery) { q.WithLocation() })
	}
	cands, err := q.All(ctx)
	if err != nil || len(cands) == 0 {
		return nil, 0, err
	}
	var ids []int
	for _, s := range cands {
		if p.judgeService(s) && (p.proximityKm == nil ||
			slices.ContainsFunc(s.Edges.ServiceAtLocations, func(sal *ent.ServiceAtLocation) bool { return near(sal.Edges.Location, p) })) {
			ids = append(ids, s.ID)
		}
	}
	return ids, cands[len(cands)-1].ID, nil
}

// searchFor runs the search parameter, when given, against records of
// type t (hsds.Search), for p.ranked; bad text is a bad request.
func (h *hsdsAPI) searchFor(ctx context.Context, p *listParams, t search.Type) error {
	if p.search == "" {
		return nil
	}
	ranked, err := hsds.Search(ctx, h.search, t, p.search)
	if fe := (*directory.FieldError)(nil); errors.As(err, &fe) {
		return badf("search: %s", fe.Message)
	}
	p.ranked = ranked
	return err
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
		case "NATIONWIDE", "ONLINE":
			return true
		case "STATE":
			if a.Code == place.StateCode {
				return true
			}
		case "ZIP":
			if a.Code == place.ZIP {
				return true
			}
		case "COUNTY":
			for _, c := range place.Counties {
				if c.FIPS == a.Code || slices.Contains(geo.EquivalentCounties(c.FIPS), a.Code) {
					return true
				}
			}
		case "RADIUS":
			if place.HasCentroid && a.CenterLatitude != nil && a.CenterLongitude != nil && a.RadiusKm != nil &&
				geo.DistanceKm(*a.CenterLatitude, *a.CenterLongitude, place.Latitude, place.Longitude) <= *a.RadiusKm {
				return true
			}
		}
	}
	return false
}

// near reports whether l, as the viewer sees it, lies within the requested
// proximity of the postcode's centroid.
func near(l *ent.Location, p *listParams) bool {
	if p.proximityKm == nil {
		return true
	}
	if l == nil || l.Latitude == nil || l.Longitude == nil {
		return false
	}
	return geo.DistanceKm(*l.Latitude, *l.Longitude, p.postcode.Latitude, p.postcode.Longitude) <= *p.proximityKm
}

func (h *hsdsAPI) service(w http.ResponseWriter, r *http.Request) {
	v, err := func() (any, error) {
		id, err := h.resolve(r.Context(), hsds.KindService, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		list, err := h.fullServices(r.Context(), []int{id})
		if err != nil || len(list) == 0 {
			return nil, errors.Join(err, errNotFound)
		}
		return list[0], nil
	}()
	h.answer(w, r, v, err)
}

func (h *hsdsAPI) organizations(w http.ResponseWriter, r *http.Request) {
	p, err := h.parseList(r)
	if err == nil {
		err = h.searchFor(r.Context(), p, search.TypeOrganization)
	}
	if err != nil {
		h.answer(w, r, nil, err)
		return
	}
	query := func() *ent.OrganizationQuery { return h.client.Organization.Query() }
	set := recordSet{
		scan: keyset(func(ctx context.Context, after, limit int) ([]int, error) {
			return query().Where(organization.IDGT(after)).Order(organization.ByID()).Limit(limit).IDs(ctx)
		}),
		count: func(ctx context.Context) (int, error) { return query().Count(ctx) },
		page: func(ctx context.Context, offset, limit int) ([]int, error) {
			return query().Order(organization.ByID()).Offset(offset).Limit(limit).IDs(ctx)
		},
		load: h.organizationLoader(p),
	}
	if p.ranked != nil {
		// What search found: no other filter applies to organizations.
		set.scan = func(_ context.Context, after, limit int) ([]int, int, error) {
			chunk := p.ranked.Next(after, limit)
			if len(chunk) == 0 {
				return nil, 0, nil
			}
			return chunk, chunk[len(chunk)-1], nil
		}
		set.count, set.page = nil, nil
		set.rank = func(ids []int) []int { return p.ranked.Order(ids, nil) }
	}
	if p.fullService {
		set.batch = max(1, h.streamBatch/10) // each organization carries all its services
	}
	h.list(w, r, p, set)
}

func (h *hsdsAPI) organization(w http.ResponseWriter, r *http.Request) {
	v, err := func() (any, error) {
		ctx := r.Context()
		fullService := false
		if v := r.URL.Query().Get("full_service"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, badf("full_service must be true or false, got %q", v)
			}
			fullService = b
		}
		id, err := h.resolve(ctx, hsds.KindOrganization, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		var list []hsds.Organization
		if fullService {
			list, err = h.organizationsWithServices(ctx, []int{id})
		} else {
			list, err = h.organizationsWithServiceSummaries(ctx, []int{id})
		}
		if err != nil || len(list) == 0 {
			return nil, errors.Join(err, errNotFound)
		}
		return list[0], nil
	}()
	h.answer(w, r, v, err)
}

func (h *hsdsAPI) serviceAtLocations(w http.ResponseWriter, r *http.Request) {
	p, err := h.parseList(r, "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "postcode", "proximity")
	if err == nil {
		err = h.searchFor(r.Context(), p, search.TypeService) // by their services
	}
	if err != nil {
		h.answer(w, r, nil, err)
		return
	}
	var preds []predicate.ServiceAtLocation
	sp := p
	if p.modifiedAfter != nil {
		// A service at a location changes with what its document shows:
		// its location, phones, contacts and schedules, and its service.
		cp := *p
		cp.modifiedAfter = nil
		sp = &cp
		preds = append(preds, hsds.ServiceAtLocationModifiedSince(r.Context(), *p.modifiedAfter))
	}
	if s := servicePreds(r.Context(), sp); len(s) > 0 {
		preds = append(preds, serviceatlocation.HasServiceWith(s...))
	}
	query := func() *ent.ServiceAtLocationQuery { return h.client.ServiceAtLocation.Query().Where(preds...) }
	set := recordSet{load: h.serviceAtLocationLoader(p)}
	// matching reads the candidates q finds and returns those the filters
	// judged in Go accept, and the last candidate's ID.
	matching := func(ctx context.Context, q *ent.ServiceAtLocationQuery) ([]*ent.ServiceAtLocation, error) {
		if !p.judgesInGo() {
			return q.Select(serviceatlocation.FieldServiceID).All(ctx)
		}
		cands, err := q.WithLocation().WithService(p.withJudged).All(ctx)
		if err != nil {
			return nil, err
		}
		return slices.DeleteFunc(cands, func(sal *ent.ServiceAtLocation) bool {
			return sal.Edges.Service == nil || !p.judgeService(sal.Edges.Service) || !near(sal.Edges.Location, p)
		}), nil
	}
	switch {
	case p.ranked != nil:
		// By the services search found, a batch of them at a time (after
		// and last are service IDs), ranked as their services.
		serviceOf := map[int]int{}
		set.scan = func(ctx context.Context, after, limit int) ([]int, int, error) {
			chunk := p.ranked.Next(after, limit)
			if len(chunk) == 0 {
				return nil, 0, nil
			}
			found, err := matching(ctx, query().Where(serviceatlocation.ServiceIDIn(chunk...)).Order(serviceatlocation.ByID()))
			if err != nil {
				return nil, 0, err
			}
			ids := make([]int, len(found))
			for i, sal := range found {
				ids[i], serviceOf[sal.ID] = sal.ID, sal.ServiceID
			}
			return ids, chunk[len(chunk)-1], nil
		}
		set.rank = func(ids []int) []int {
			slices.Sort(ids)
			return p.ranked.Order(ids, func(id int) int { return serviceOf[id] })
		}
	case !p.judgesInGo():
		set.scan = keyset(func(ctx context.Context, after, limit int) ([]int, error) {
			return query().Where(serviceatlocation.IDGT(after)).Order(serviceatlocation.ByID()).Limit(limit).IDs(ctx)
		})
		set.count = func(ctx context.Context) (int, error) { return query().Count(ctx) }
		set.page = func(ctx context.Context, offset, limit int) ([]int, error) {
			return query().Order(serviceatlocation.ByID()).Offset(offset).Limit(limit).IDs(ctx)
		}
	default:
		set.scan = func(ctx context.Context, after, limit int) ([]int, int, error) {
			cands, err := query().Where(serviceatlocation.IDGT(after)).Order(serviceatlocation.ByID()).Limit(limit).WithLocation().
				WithService(p.withJudged).All(ctx)
			if err != nil || len(cands) == 0 {
				return nil, 0, err
			}
			var ids []int
			for _, sal := range cands {
				if sal.Edges.Service != nil && p.judgeService(sal.Edges.Service) && near(sal.Edges.Location, p) {
					ids = append(ids, sal.ID)
				}
			}
			return ids, cands[len(cands)-1].ID, nil
		}
	}
	h.list(w, r, p, set)
}

func (h *hsdsAPI) serviceAtLocation(w http.ResponseWriter, r *http.Request) {
	v, err := func() (any, error) {
		id, err := h.resolve(r.Context(), hsds.KindServiceAtLocation, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		list, err := h.fullServiceAtLocations(r.Context(), []int{id})
		if err != nil || len(list) == 0 {
			return nil, errors.Join(err, errNotFound)
		}
		return list[0], nil
	}()
	h.answer(w, r, v, err)
}

func (h *hsdsAPI) taxonomies(w http.ResponseWriter, r *http.Request) {
	p, err := h.parseList(r)
	if err != nil {
		h.answer(w, r, nil, err)
		return
	}
	all, err := hsds.Taxonomies(r.Context(), h.client)
	if err != nil {
		h.answer(w, r, nil, err)
		return
	}
	// Taxonomies are few and not records: they all come as the tail.
	var match []any
	for _, t := range all {
		if p.search == "" || strings.Contains(strings.ToLower(t.Name+" "+t.Description), strings.ToLower(p.search)) {
			match = append(match, t)
		}
	}
	h.list(w, r, p, recordSet{tail: match})
}

func (h *hsdsAPI) taxonomy(w http.ResponseWriter, r *http.Request) {
	v, err := func() (any, error) {
		id := r.PathValue("id")
		if _, err := uuid.Parse(id); err != nil {
			return nil, badf("%q is not an HSDS id (a UUID)", id)
		}
		all, err := hsds.Taxonomies(r.Context(), h.client)
		if err != nil {
			return nil, err
		}
		for _, t := range all {
			if t.ID == strings.ToLower(id) {
				return t, nil
			}
		}
		return nil, errNotFound
	}()
	h.answer(w, r, v, err)
}

// villageTerms are the terms of the Village attribute vocabulary, listed
// with the directory's own so every attribute's term can be looked up.
func villageTerms(p *listParams) []hsds.TaxonomyTerm {
	var out []hsds.TaxonomyTerm
	if p.termID != nil || p.parentID != nil {
		return nil
	}
	if p.vocabulary != nil && *p.vocabulary != hsds.VillageTaxonomy {
		return nil
	}
	for _, code := range hsds.VillageTerms {
		t := hsds.VillageTerm(code)
		if p.search == "" || strings.Contains(strings.ToLower(t.Code+" "+t.Description), strings.ToLower(p.search)) {
			out = append(out, t)
		}
	}
	return out
}

func (h *hsdsAPI) taxonomyTerms(w http.ResponseWriter, r *http.Request) {
	p, err := h.parseList(r, "taxonomy_id", "parent_id", "top_only")
	if err != nil {
		h.answer(w, r, nil, err)
		return
	}
	query := func() *ent.TaxonomyTermQuery {
		q := h.client.TaxonomyTerm.Query()
		if p.search != "" {
			q.Where(taxonomyterm.Or(taxonomyterm.NameContainsFold(p.search), taxonomyterm.CodeContainsFold(p.search),
				taxonomyterm.DescriptionContainsFold(p.search)))
		}
		if p.vocabulary != nil {
			q.Where(taxonomyterm.Vocabulary(*p.vocabulary))
		}
		if p.parentID != nil {
			q.Where(taxonomyterm.ParentID(*p.parentID))
		}
		if p.topOnly {
			q.Where(taxonomyterm.ParentIDIsNil())
		}
		return q
	}
	h.list(w, r, p, recordSet{
		scan: keyset(func(ctx context.Context, after, limit int) ([]int, error) {
			return query().Where(taxonomyterm.IDGT(after)).Order(taxonomyterm.ByID()).Limit(limit).IDs(ctx)
		}),
		count: func(ctx context.Context) (int, error) { return query().Count(ctx) },
		page: func(ctx context.Context, offset, limit int) ([]int, error) {
			return query().Order(taxonomyterm.ByID()).Offset(offset).Limit(limit).IDs(ctx)
		},
		load: func(ctx context.Context, ids []int) ([]any, error) {
			list, err := hsds.TaxonomyTerms(ctx, h.client, h.client.TaxonomyTerm.Query().Where(taxonomyterm.IDIn(ids...)).Order(taxonomyterm.ByID()))
			return anys(list), err
		},
		// The Village attribute vocabulary follows the directory's terms.
		tail: anys(villageTerms(p)),
	})
}

func (h *hsdsAPI) taxonomyTerm(w http.ResponseWriter, r *http.Request) {
	v, err := func() (any, error) {
		id := r.PathValue("id")
		for _, code := range hsds.VillageTerms {
			if t := hsds.VillageTerm(code); t.ID == strings.ToLower(id) {
				return t, nil
			}
		}
		n, err := h.resolve(r.Context(), hsds.KindTaxonomyTerm, id)
		if err != nil {
			return nil, err
		}
		list, err := hsds.TaxonomyTerms(r.Context(), h.client, h.client.TaxonomyTerm.Query().Where(taxonomyterm.ID(n)))
		if err != nil || len(list) == 0 {
			return nil, errors.Join(err, errNotFound)
		}
		t := list[0]
		// The taxonomy as listed by /taxonomies: an imported one keeps its
		// package's own id and fields.
		taxes, err := hsds.Taxonomies(r.Context(), h.client)
		if err != nil {
			return nil, err
		}
		for i := range taxes {
			if taxes[i].ID == t.TaxonomyID {
				t.TaxonomyDetail = &taxes[i]
			}
		}
		return t, nil
	}()
	h.answer(w, r, v, err)
}
