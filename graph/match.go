package graph

import (
	"context"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/graph/model"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/match"
)

// matchPage runs a match and cuts the requested page. The domain package
// ranks every result; this translates cursors and page info, and reloads
// the page's services with exactly the fields the query selects (one
// statement per selected edge, not one per result).
func (r *Resolver) matchPage(ctx context.Context, family match.Family, first *int, after *entgql.Cursor[int], includeIneligible bool) (*model.MatchConnection, error) {
	outcome, err := r.matcher.Match(ctx, family, match.Options{
		IncludeIneligible:  includeIneligible,
		RevealConfidential: func(owner int) bool { return auth.SeesRestricted(ctx, owner) },
	})
	if err != nil {
		return nil, err
	}
	var from match.Cursor
	if after != nil {
		s, ok := after.Value.(string)
		if !ok {
			return nil, &directory.FieldError{Field: "after", Message: "not a cursor of this match"}
		}
		from = match.Cursor(s)
	}
	size := DefaultLimits.DefaultPageSize
	if first != nil {
		size = *first
	}
	page, hasNext, hasPrev, err := outcome.Page(from, size)
	if err != nil {
		return nil, err
	}
	if err := r.reloadMatched(ctx, page, outcome.Programs); err != nil {
		return nil, err
	}
	conn := &model.MatchConnection{
		Edges:    page,
		PageInfo: &entgql.PageInfo[int]{HasNextPage: hasNext, HasPreviousPage: hasPrev},
		Programs: outcome.Programs,
	}
	if includeIneligible {
		conn.TotalCount = len(outcome.Results)
	} else {
		conn.TotalCount = outcome.Eligible()
	}
	if len(page) > 0 {
		start, end := matchCursor(page[0]), matchCursor(page[len(page)-1])
		conn.PageInfo.StartCursor, conn.PageInfo.EndCursor = &start, &end
	}
	return conn, nil
}

func matchCursor(r *match.Result) entgql.Cursor[int] {
	return entgql.Cursor[int]{ID: r.Service.ID, Value: string(r.Cursor())}
}

// reloadMatched replaces the lean services the matcher ranked with whole
// ones: the page's with the edges the query selects under edges.node, and
// each program's nearest service.
func (r *Resolver) reloadMatched(ctx context.Context, page []*match.Result, programs []*match.ProgramSummary) error {
	ids := make([]int, len(page))
	for i, res := range page {
		ids[i] = res.Service.ID
	}
	q := r.client.Service.Query().Where(service.IDIn(ids...))
	if nodeCtx := selectionContext(ctx, "edges", "node"); nodeCtx != nil {
		var err error
		if q, err = q.CollectFields(nodeCtx, "Service"); err != nil {
			return err
		}
	}
	loaded, err := byID(ctx, q)
	if err != nil {
		return err
	}
	for _, res := range page {
		res.Service = loaded[res.Service.ID]
	}
	var nearest []int
	for _, p := range programs {
		nearest = append(nearest, p.Nearest.ID)
	}
	if len(nearest) == 0 || selectionContext(ctx, "programs", "nearest") == nil {
		return nil
	}
	whole, err := byID(ctx, r.client.Service.Query().Where(service.IDIn(nearest...)))
	if err != nil {
		return err
	}
	for _, p := range programs {
		p.Nearest = whole[p.Nearest.ID]
	}
	return nil
}

func byID(ctx context.Context, q *ent.ServiceQuery) (map[int]*ent.Service, error) {
	list, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int]*ent.Service, len(list))
	for _, s := range list {
		out[s.ID] = s
	}
	return out, nil
}

// selectionContext returns a context whose field is the selection at path
// below the current field (for example edges.node), so entgql can collect
// the fields and edges selected there; nil when the query does not select it.
func selectionContext(ctx context.Context, path ...string) context.Context {
	fc := graphql.GetFieldContext(ctx)
	oc := graphql.GetOperationContext(ctx)
	if fc == nil || oc == nil {
		return nil
	}
	field := fc.Field
	for _, name := range path {
		var next *graphql.CollectedField
		for _, f := range graphql.CollectFields(oc, field.Selections, nil) {
			if f.Name == name {
				next = &f
				break
			}
		}
		if next == nil {
			return nil
		}
		field = *next
	}
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{Parent: fc, Field: field, Object: fc.Object})
}

// area translates a resolved place for the API.
func area(p match.Place) *model.Area {
	a := &model.Area{Counties: make([]*geo.County, len(p.Counties))}
	for i := range p.Counties {
		a.Counties[i] = &p.Counties[i]
	}
	if p.ZIP != "" {
		a.Zip, a.PlaceName = &p.ZIP, nonEmpty(p.PlaceName)
	}
	a.State = nonEmpty(p.State)
	if p.Point != nil {
		a.Latitude, a.Longitude = &p.Point.Lat, &p.Point.Lon
	}
	return a
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
