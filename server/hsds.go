package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	ids := hsds.NewResolver(client)
	h := &hsdsAPI{read: hsds.NewReader(client, searcher, ids), log: log, ids: ids, streams: make(chan struct{}, cfg.MaxStreams),
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
	// read finds and loads what the lists and documents hold: this file
	// translates HTTP to and from it.
	read *hsds.Reader
	log  *slog.Logger
	ids  *hsds.Resolver
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
	// filter is what the list's filters and search resolve to.
	filter hsds.ListFilter
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
	p := &listParams{format: formatJSON, page: 1, perPage: hsdsDefaultPerPage}
	p.filter.Search = strings.TrimSpace(q.Get("search"))
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
	}{{"full", &p.full}, {"minimal", &p.minimal}, {"full_service", &p.fullService}, {"top_only", &p.filter.TopOnly}} {
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
			if slices.Contains(hsdsFilters, name) && (name != "top_only" || p.filter.TopOnly) {
				return nil, badf("%s is not a parameter of %s", name, r.URL.Path)
			}
			continue
		}
		switch name {
		case "taxonomy_term_id", "organization_id", "parent_id":
			if code, ok := hsds.VillageTermCode(strings.ToLower(v)); ok && name == "taxonomy_term_id" {
				// A term the API publishes, though no record: services
				// carry it as an attribute.
				p.filter.VillageCode = &code
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
				p.filter.TermID = &id
			case "organization_id":
				p.filter.OrganizationID = &id
			default:
				p.filter.ParentID = &id
			}
		case "taxonomy_id":
			if _, err := uuid.Parse(v); err != nil {
				return nil, badf("taxonomy_id must be a UUID, got %q", v)
			}
			taxes, err := h.read.Taxonomies(ctx)
			if err != nil {
				return nil, err
			}
			voc := "hsds:no-such-taxonomy:" + v // matches no term
			for _, t := range taxes {
				if t.ID == strings.ToLower(v) {
					voc = t.Name
				}
			}
			p.filter.Vocabulary = &voc
		case "modified_after":
			t, err := parseTime(v)
			if err != nil {
				return nil, badf("modified_after must be an RFC 3339 date-time or a date (YYYY-MM-DD), got %q", v)
			}
			p.filter.ModifiedAfter = &t
		case "postcode":
			if !geo.ValidZIP(v) {
				return nil, badf("postcode must be a 5-digit US ZIP code, got %q", v)
			}
			place, ok := geo.LookupZIP(v)
			if !ok {
				return nil, badf("unknown ZIP code %q", v)
			}
			p.filter.Postcode = &place
		case "proximity":
			m, err := strconv.ParseFloat(v, 64)
			if err != nil || !(m > 0) || math.IsInf(m, 0) {
				return nil, badf("proximity must be a positive distance in metres, got %q", v)
			}
			km := m / 1000
			p.filter.ProximityKm = &km
		}
	}
	if p.filter.ProximityKm != nil {
		if p.filter.Postcode == nil {
			return nil, badf("proximity needs a postcode to measure from")
		}
		if !p.filter.Postcode.HasCentroid {
			return nil, badf("ZIP code %s has no known centroid to measure proximity from", p.filter.Postcode.ZIP)
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

// searchError turns a bad search text into a bad request.
func searchError(err error) error {
	if fe := (*directory.FieldError)(nil); errors.As(err, &fe) {
		return badf("search: %s", fe.Message)
	}
	return err
}

func (h *hsdsAPI) services(w http.ResponseWriter, r *http.Request) {
	p, err := h.parseList(r, "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "postcode", "proximity")
	var ids hsds.IDSet
	if err == nil {
		ids, err = h.read.Services(r.Context(), &p.filter)
	}
	if err != nil {
		h.answer(w, r, nil, searchError(err))
		return
	}
	h.list(w, r, p, recordSet{IDSet: ids, load: h.serviceLoader(p)})
}

func (h *hsdsAPI) service(w http.ResponseWriter, r *http.Request) {
	v, err := func() (any, error) {
		id, err := h.resolve(r.Context(), hsds.KindService, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		list, err := h.read.FullServices(r.Context(), []int{id})
		if err != nil || len(list) == 0 {
			return nil, errors.Join(err, errNotFound)
		}
		return list[0], nil
	}()
	h.answer(w, r, v, err)
}

func (h *hsdsAPI) organizations(w http.ResponseWriter, r *http.Request) {
	p, err := h.parseList(r)
	var ids hsds.IDSet
	if err == nil {
		ids, err = h.read.Organizations(r.Context(), &p.filter)
	}
	if err != nil {
		h.answer(w, r, nil, searchError(err))
		return
	}
	set := recordSet{IDSet: ids, load: h.organizationLoader(p)}
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
			list, err = h.read.OrganizationsWithServices(ctx, []int{id})
		} else {
			list, err = h.read.OrganizationsWithServiceSummaries(ctx, []int{id})
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
	var ids hsds.IDSet
	if err == nil {
		ids, err = h.read.ServiceAtLocations(r.Context(), &p.filter)
	}
	if err != nil {
		h.answer(w, r, nil, searchError(err))
		return
	}
	h.list(w, r, p, recordSet{IDSet: ids, load: h.serviceAtLocationLoader(p)})
}

func (h *hsdsAPI) serviceAtLocation(w http.ResponseWriter, r *http.Request) {
	v, err := func() (any, error) {
		id, err := h.resolve(r.Context(), hsds.KindServiceAtLocation, r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		list, err := h.read.FullServiceAtLocations(r.Context(), []int{id})
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
	all, err := h.read.Taxonomies(r.Context())
	if err != nil {
		h.answer(w, r, nil, err)
		return
	}
	// Taxonomies are few and not records: they all come as the tail.
	var match []any
	for _, t := range all {
		if p.filter.Search == "" || strings.Contains(strings.ToLower(t.Name+" "+t.Description), strings.ToLower(p.filter.Search)) {
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
		all, err := h.read.Taxonomies(r.Context())
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

func (h *hsdsAPI) taxonomyTerms(w http.ResponseWriter, r *http.Request) {
	p, err := h.parseList(r, "taxonomy_id", "parent_id", "top_only")
	if err != nil {
		h.answer(w, r, nil, err)
		return
	}
	h.list(w, r, p, recordSet{
		IDSet: h.read.TaxonomyTerms(&p.filter),
		load: func(ctx context.Context, ids []int) ([]any, error) {
			list, err := h.read.TaxonomyTermsByID(ctx, ids)
			return anys(list), err
		},
		// The Village attribute vocabulary follows the directory's terms.
		tail: anys(hsds.VillageTermsMatching(&p.filter)),
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
		t, ok, err := h.read.TaxonomyTermByID(r.Context(), n)
		if err == nil && !ok {
			err = errNotFound
		}
		return t, err
	}()
	h.answer(w, r, v, err)
}
