package graph

import (
	"context"
	"slices"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/graph/model"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/hours"
	"github.com/village-directory/village/internal/search"
)

// searchPage runs a search and cuts the requested page. The engine ranks;
// this translates arguments, cursors and page info, and loads the page's
// records with the fields the query selects (and, when highlights are
// asked for, the texts they are cut from): one statement per type on the
// page (and per edge it selects), never one per result.
//
// With openAt, the services known to be closed then are left out
// (hours.ForServices over every service found, a fixed number of statements
// per 5,000 of them), as match's openAt does; each edge's openNow is read
// at openAt, else now, for the page's services only when selected.
func (r *Resolver) searchPage(ctx context.Context, text string, near *search.Place, types []model.SearchType, needs []string, first *int, after *entgql.Cursor[int], openAt *time.Time) (*model.SearchConnection, error) {
	q := search.Query{Text: text, Needs: needs}
	oa, err := r.openAtFilter(ctx, openAt)
	if err != nil {
		return nil, err
	}
	at := oa.at
	var states map[int]hours.State
	if openAt != nil {
		q.LeaveOut = oa.leaveOut(&states)
	}
	for _, t := range types {
		st, _ := search.ParseType(string(t)) // the schema admits only the enum's names
		q.Types = append(q.Types, st)
	}
	if near != nil {
		pt, err := near.Resolve("near")
		if err != nil {
			return nil, err
		}
		q.Near = pt
	}
	outcome, err := r.searcher.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	// Its page and highlights are cut before this returns: the candidates
	// are reused by later searches.
	defer outcome.Release()
	from := ""
	if after != nil {
		s, ok := after.Value.(string)
		if !ok {
			return nil, &directory.FieldError{Field: "after", Message: "not a cursor of this search"}
		}
		from = s
	}
	size := DefaultLimits.DefaultPageSize
	if first != nil {
		size = *first
	}
	page, hasNext, hasPrev, err := outcome.Page(from, size)
	if err != nil {
		return nil, err
	}
	// Highlights are cut from the records loaded for the page (which then
	// read their texts too): nothing is read twice.
	highlight := selectionContext(ctx, "edges", "highlights") != nil
	nodes, err := r.loadSearched(ctx, page, highlight)
	if err != nil {
		return nil, err
	}
	if states == nil && selectionContext(ctx, "edges", "openNow") != nil {
		var ids []int
		for _, h := range page {
			if h.Type == search.TypeService {
				ids = append(ids, h.ID)
			}
		}
		if len(ids) > 0 {
			if states, err = hours.ForServices(ctx, r.client, ids, at); err != nil {
				return nil, err
			}
		}
	}
	conn := &model.SearchConnection{
		Edges:      make([]*model.SearchEdge, 0, len(page)),
		PageInfo:   &entgql.PageInfo[int]{HasNextPage: hasNext, HasPreviousPage: hasPrev},
		TotalCount: outcome.Total(),
	}
	// A cursor is written out only where it is asked for: an edge's when
	// edges select cursor, the first and last shown for pageInfo.
	edgeCursors := selectionContext(ctx, "edges", "cursor") != nil
	var firstHit, lastHit *search.Hit
	for _, h := range page {
		node := nodes[searchKey{h.Type, h.ID}]
		if node == nil {
			// Deleted, or hidden, between the index's position and the
			// load (another writer committed in between): not shown.
			continue
		}
		if firstHit == nil {
			firstHit = h
		}
		lastHit = h
		e := &model.SearchEdge{Node: node, Score: h.Score, DistanceKm: h.DistanceKm, Highlights: []*search.Highlight{}}
		if edgeCursors {
			e.Cursor = searchCursor(h)
		}
		if h.Type == search.TypeService {
			if st, ok := states[h.ID]; ok {
				e.OpenNow = st.OpenNow()
			}
		}
		if highlight {
			hl := outcome.HighlightsOf(node)
			for j := range hl {
				e.Highlights = append(e.Highlights, &hl[j])
			}
		}
		conn.Edges = append(conn.Edges, e)
	}
	if firstHit != nil {
		start, end := searchCursor(firstHit), searchCursor(lastHit)
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &start, &end
	}
	return conn, nil
}

// searchCursor is the cursor just after h.
func searchCursor(h *search.Hit) entgql.Cursor[int] {
	return entgql.Cursor[int]{ID: h.ID, Value: h.Cursor()}
}

type searchKey struct {
	typ search.Type
	id  int
}

// loadSearched loads the page's records as the viewer in ctx reads them,
// with what the query selects under edges.node (and, for highlights, the
// fields they are cut from): one statement per type on the page, and per
// edge selected.
func (r *Resolver) loadSearched(ctx context.Context, page []*search.Hit, highlight bool) (map[searchKey]ent.Noder, error) {
	var ids [4][]int
	for _, h := range page {
		ids[h.Type] = append(ids[h.Type], h.ID)
	}
	selection := selectionContext(ctx, "edges", "node")
	out := make(map[searchKey]ent.Noder, len(page))
	for t, list := range ids {
		if len(list) == 0 {
			continue
		}
		typ := search.Type(t)
		var rows []ent.Noder
		var err error
		switch typ {
		case search.TypeService:
			rows, err = loadRows(ctx, selection, r.client.Service.Query().Where(service.IDIn(list...)), "Service", search.HighlightFields[search.TypeService], highlight)
		case search.TypeProgram:
			rows, err = loadRows(ctx, selection, r.client.Program.Query().Where(program.IDIn(list...)), "Program", search.HighlightFields[search.TypeProgram], highlight)
		case search.TypeOrganization:
			rows, err = loadRows(ctx, selection, r.client.Organization.Query().Where(organization.IDIn(list...)), "Organization", search.HighlightFields[search.TypeOrganization], highlight)
		case search.TypeResource:
			rows, err = loadRows(ctx, selection, r.client.Resource.Query().Where(resource.IDIn(list...)), "Resource", search.HighlightFields[search.TypeResource], highlight)
		}
		if err != nil {
			return nil, err
		}
		for _, n := range rows {
			out[searchKey{typ, noderID(n)}] = n
		}
	}
	return out, nil
}

// entQuery is what loadRows needs of an ent query of records of type T.
type entQuery[Q any, P ~func(*sql.Selector), T ent.Noder] interface {
	CollectFields(ctx context.Context, satisfies ...string) (Q, error)
	Where(ps ...P) Q
	All(ctx context.Context) ([]T, error)
}

// loadRows runs q with the fields selection asks of the type name (none
// when nothing is selected: no collection), and when highlighting, with
// the texts highlights are cut from (texts) too.
func loadRows[Q entQuery[Q, P, T], P ~func(*sql.Selector), T ent.Noder](ctx, selection context.Context, q Q, name string, texts []string, highlight bool) ([]ent.Noder, error) {
	if selection != nil {
		var err error
		if q, err = q.CollectFields(selection, name, "SearchResult"); err != nil {
			return nil, err
		}
	}
	if highlight {
		q.Where(selectAlso(texts))
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ent.Noder, len(rows))
	for i, x := range rows {
		out[i] = x
	}
	return out, nil
}

// selectAlso adds to a query's columns those of columns it does not read
// yet: CollectFields reads only what the selection asks (or, for a field
// it does not know, every column), and the query is built before it is
// known which. As a predicate it runs on the built statement, its columns
// chosen, and filters nothing.
func selectAlso(columns []string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		have := s.UnqualifiedColumns()
		for _, c := range columns {
			if !slices.Contains(have, c) {
				s.AppendSelect(s.C(c))
			}
		}
	}
}

// noderID is the ID of a record search finds.
func noderID(n ent.Noder) int {
	switch x := n.(type) {
	case *ent.Service:
		return x.ID
	case *ent.Program:
		return x.ID
	case *ent.Organization:
		return x.ID
	case *ent.Resource:
		return x.ID
	}
	return 0
}
