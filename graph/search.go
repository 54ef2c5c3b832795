package graph

import (
	"context"
	"time"

	"entgo.io/contrib/entgql"

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
// records with the fields the query selects: one statement per type on the
// page (and per edge it selects), one more per type for highlights when
// they are asked for, never one per result.
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
	nodes, err := r.loadSearched(ctx, page)
	if err != nil {
		return nil, err
	}
	var highlights [][]search.Highlight
	if selectionContext(ctx, "edges", "highlights") != nil {
		if highlights, err = r.searcher.Highlights(ctx, outcome, page); err != nil {
			return nil, err
		}
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
	for i, h := range page {
		node := nodes[searchKey{h.Type, h.ID}]
		if node == nil {
			// Deleted, or hidden, between the index's position and the
			// load (another writer committed in between): not shown.
			continue
		}
		e := &model.SearchEdge{Cursor: entgql.Cursor[int]{ID: h.ID, Value: h.Cursor()}, Node: node, Score: h.Score, DistanceKm: h.DistanceKm, Highlights: []*search.Highlight{}}
		if h.Type == search.TypeService {
			if st, ok := states[h.ID]; ok {
				e.OpenNow = st.OpenNow()
			}
		}
		if highlights != nil {
			for j := range highlights[i] {
				e.Highlights = append(e.Highlights, &highlights[i][j])
			}
		}
		conn.Edges = append(conn.Edges, e)
	}
	if n := len(conn.Edges); n > 0 {
		start, end := conn.Edges[0].Cursor, conn.Edges[n-1].Cursor
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &start, &end
	}
	return conn, nil
}

type searchKey struct {
	typ search.Type
	id  int
}

// loadSearched loads the page's records as the viewer in ctx reads them,
// with what the query selects under edges.node: one statement per type on
// the page, and per edge selected.
func (r *Resolver) loadSearched(ctx context.Context, page []*search.Hit) (map[searchKey]ent.Noder, error) {
	ids := map[search.Type][]int{}
	for _, h := range page {
		ids[h.Type] = append(ids[h.Type], h.ID)
	}
	selection := selectionContext(ctx, "edges", "node")
	out := make(map[searchKey]ent.Noder, len(page))
	add := func(t search.Type, id int, n ent.Noder) { out[searchKey{t, id}] = n }
	collect := func(name string) (context.Context, []string) {
		if selection == nil {
			return context.Background(), nil // nothing selected: no collection
		}
		return selection, []string{name, "SearchResult"}
	}
	if list := ids[search.TypeService]; len(list) > 0 {
		q := r.client.Service.Query().Where(service.IDIn(list...))
		if sel, sat := collect("Service"); sat != nil {
			var err error
			if q, err = q.CollectFields(sel, sat...); err != nil {
				return nil, err
			}
		}
		rows, err := q.All(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range rows {
			add(search.TypeService, x.ID, x)
		}
	}
	if list := ids[search.TypeProgram]; len(list) > 0 {
		q := r.client.Program.Query().Where(program.IDIn(list...))
		if sel, sat := collect("Program"); sat != nil {
			var err error
			if q, err = q.CollectFields(sel, sat...); err != nil {
				return nil, err
			}
		}
		rows, err := q.All(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range rows {
			add(search.TypeProgram, x.ID, x)
		}
	}
	if list := ids[search.TypeOrganization]; len(list) > 0 {
		q := r.client.Organization.Query().Where(organization.IDIn(list...))
		if sel, sat := collect("Organization"); sat != nil {
			var err error
			if q, err = q.CollectFields(sel, sat...); err != nil {
				return nil, err
			}
		}
		rows, err := q.All(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range rows {
			add(search.TypeOrganization, x.ID, x)
		}
	}
	if list := ids[search.TypeResource]; len(list) > 0 {
		q := r.client.Resource.Query().Where(resource.IDIn(list...))
		if sel, sat := collect("Resource"); sat != nil {
			var err error
			if q, err = q.CollectFields(sel, sat...); err != nil {
				return nil, err
			}
		}
		rows, err := q.All(ctx)
		if err != nil {
			return nil, err
		}
		for _, x := range rows {
			add(search.TypeResource, x.ID, x)
		}
	}
	return out, nil
}
