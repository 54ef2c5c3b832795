package graph

import (
	"context"
	"fmt"
	"time"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/graph/model"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/hours"
	"github.com/village-directory/village/internal/match"
)

// matchPage runs a match and cuts the requested page. The domain package
// ranks every result; this translates cursors and page info, and reads
// the page's services with the fields the query selects (see
// reloadMatched: a fixed number of statements, not one per result).
//
// With openAt, the services known to be closed then are left out of every
// result (hours.ForServices over all results, a fixed number of statements
// per 5,000 of them); each edge's openNow and openState are read at openAt,
// or now, for the page only, when the query selects them.
func (r *Resolver) matchPage(ctx context.Context, family match.Family, first *int, after *entgql.Cursor[int], opts match.Options, openAt *time.Time) (*model.MatchConnection, error) {
	includeIneligible := opts.IncludeIneligible
	opts.RevealConfidential = func(owner int) bool { return auth.SeesRestricted(ctx, owner) }
	oa, err := r.openAtFilter(ctx, openAt)
	if err != nil {
		return nil, err
	}
	at := oa.at
	var states map[int]hours.State
	if openAt != nil {
		opts.LeaveOut = oa.leaveOut(&states)
	}
	outcome, err := r.matcher.Match(ctx, family, opts)
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
	if states == nil && len(page) > 0 && selectsOpenState(ctx) {
		ids := make([]int, len(page))
		for i, res := range page {
			ids[i] = res.ServiceID()
		}
		if states, err = hours.ForServices(ctx, r.client, ids, at); err != nil {
			return nil, err
		}
	}
	for _, res := range page {
		if s, ok := states[res.ServiceID()]; ok {
			res.Open = &s
		}
	}
	conn := &model.MatchConnection{
		Edges:    page,
		PageInfo: &entgql.PageInfo[int]{HasNextPage: hasNext, HasPreviousPage: hasPrev},
		Programs: outcome.Programs,
		// Unserved programs have no services to reload; their rows are the
		// index's, whole.
		UnservedPrograms: outcome.Unserved,
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
	return entgql.Cursor[int]{ID: r.ServiceID(), Value: string(r.Cursor())}
}

// reloadMatched reads the rows of the services the matcher ranked, for
// the page and the programs' nearest only, as the query selects them. When
// it asks under edges.node (or programs.nearest) only for a service's own
// fields and its organization's and program's, the rows are read by ID in
// one statement for both (match.Matcher.Rows: the organization and program
// rows are the index's); otherwise with the edges the query selects (one
// statement per edge, not one per result).
func (r *Resolver) reloadMatched(ctx context.Context, page []*match.Result, programs []*match.ProgramSummary) error {
	nodes, nearest := selectionContext(ctx, "edges", "node"), selectionContext(ctx, "programs", "nearest")
	nodesHeld, nearestHeld := nodes != nil && servedFromIndex(nodes), nearest != nil && servedFromIndex(nearest)
	var held []*match.Result
	var heldPrograms []*match.ProgramSummary
	if nodesHeld {
		held = page
	}
	if nearestHeld {
		heldPrograms = programs
	}
	if err := r.matcher.Rows(ctx, held, heldPrograms); err != nil {
		return err
	}
	if nodes != nil && !nodesHeld {
		rows, err := r.readSelected(nodes, page)
		if err != nil {
			return err
		}
		for i, res := range page {
			res.Service = rows[i]
		}
	}
	if err := r.reloadCoverage(ctx, page); err != nil {
		return err
	}
	if nearest != nil && !nearestHeld {
		var results []*match.Result
		for _, p := range programs {
			if res := p.NearestResult(); res != nil {
				results = append(results, res)
			}
		}
		rows, err := r.readSelected(nearest, results)
		if err != nil {
			return err
		}
		for _, p := range programs {
			if res := p.NearestResult(); res != nil {
				p.Nearest, rows = rows[0], rows[1:]
			}
		}
	}
	return nil
}

// readSelected reads the results' services, in order, with what the
// selection asks for (one statement per selected edge). A service deleted
// since it was ranked is shown as ranked: a row of what the index holds.
func (r *Resolver) readSelected(selection context.Context, results []*match.Result) ([]*ent.Service, error) {
	if len(results) == 0 {
		return nil, nil
	}
	ids := make([]int, len(results))
	for i, res := range results {
		ids[i] = res.ServiceID()
	}
	q, err := r.client.Service.Query().Where(service.IDIn(ids...)).CollectFields(selection, "Service")
	if err != nil {
		return nil, err
	}
	rows, err := q.All(selection)
	if err != nil {
		return nil, err
	}
	loaded := indexByID(rows, func(s *ent.Service) int { return s.ID })
	out := make([]*ent.Service, len(results))
	for i, res := range results {
		if out[i] = loaded[res.ServiceID()]; out[i] == nil {
			out[i] = res.HeldRow()
		}
	}
	return out, nil
}

// coverageHeld are the ServiceArea fields the match index holds (see
// match.Result.Coverage).
var coverageHeld = map[string]bool{"__typename": true, "id": true, "kind": true, "code": true, "stateCode": true, "name": true,
	"sample": true, "centerLatitude": true, "centerLongitude": true, "radiusKm": true}

// reloadCoverage reads the page's coverage rows again (one statement) when
// the query asks for more of them than the index holds.
func (r *Resolver) reloadCoverage(ctx context.Context, page []*match.Result) error {
	selection := selectionContext(ctx, "edges", "coverage")
	if selection == nil {
		return nil
	}
	oc := graphql.GetOperationContext(selection)
	held := true
	for _, f := range graphql.CollectFields(oc, graphql.GetFieldContext(selection).Field.Selections, []string{"ServiceArea"}) {
		held = held && len(f.Selections) == 0 && coverageHeld[f.Name]
	}
	var ids []int
	for _, res := range page {
		if res.Coverage != nil {
			ids = append(ids, res.Coverage.ID)
		}
	}
	if held || len(ids) == 0 {
		return nil
	}
	q, err := r.client.ServiceArea.Query().Where(servicearea.IDIn(ids...)).CollectFields(selection, "ServiceArea")
	if err != nil {
		return err
	}
	rows, err := q.All(ctx)
	if err != nil {
		return err
	}
	byID := indexByID(rows, func(a *ent.ServiceArea) int { return a.ID })
	for _, res := range page {
		if res.Coverage != nil && byID[res.Coverage.ID] != nil { // else deleted since: shown as ranked
			res.Coverage = byID[res.Coverage.ID]
		}
	}
	return nil
}

// servedFromIndex reports whether the selection asks only for a service's
// own fields and its organization's and program's own fields (leaves, and
// the value objects stored with them): what Matcher.Rows reads in one
// statement, with the index's organizations and programs.
func servedFromIndex(ctx context.Context) bool {
	oc := graphql.GetOperationContext(ctx)
	valueObject := map[string]bool{"eligibility": true, "evidence": true}
	leavesOnly := func(set ast.SelectionSet, typ string) bool {
		for _, f := range graphql.CollectFields(oc, set, []string{typ}) {
			if len(f.Selections) > 0 && !valueObject[f.Name] {
				return false
			}
		}
		return true
	}
	for _, f := range graphql.CollectFields(oc, graphql.GetFieldContext(ctx).Field.Selections, []string{"Service"}) {
		switch {
		case len(f.Selections) == 0 || valueObject[f.Name]:
		case f.Name == "organization" && leavesOnly(f.Selections, "Organization"):
		case f.Name == "program" && leavesOnly(f.Selections, "Program"):
		default:
			return false
		}
	}
	return true
}

// indexByID maps rows by their IDs.
func indexByID[T any](rows []T, id func(T) int) map[int]T {
	out := make(map[int]T, len(rows))
	for _, r := range rows {
		out[id(r)] = r
	}
	return out
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
	a := &model.Area{Counties: make([]*geo.County, len(p.Counties)), Zips: p.ZIPs, City: nonEmpty(p.City)}
	if a.Zips == nil {
		a.Zips = []string{}
	}
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

// openAtFilter is match's and search's openAt: the instant hours are read
// at (now without openAt), checked to lie within maxOpenAtDistance.
type openAtFilter struct {
	r   *Resolver
	ctx context.Context
	at  time.Time
}

func (r *Resolver) openAtFilter(ctx context.Context, openAt *time.Time) (openAtFilter, error) {
	f := openAtFilter{r: r, ctx: ctx, at: time.Now()}
	if openAt != nil {
		if d := openAt.Sub(f.at); d > maxOpenAtDistance || d < -maxOpenAtDistance {
			return f, &directory.FieldError{Field: "openAt", Message: fmt.Sprintf("give a time within a year of now (got %s)", openAt.Format(time.RFC3339))}
		}
		f.at = *openAt
	}
	return f, nil
}

// leaveOut is a LeaveOut hook: it reads the services' hours at f.at (into
// *states, for their edges' openNow) and names those known to be closed.
func (f openAtFilter) leaveOut(states *map[int]hours.State) func(ids []int) (map[int]bool, error) {
	return func(ids []int) (map[int]bool, error) {
		var err error
		if *states, err = hours.ForServices(f.ctx, f.r.client, ids, f.at); err != nil {
			return nil, err
		}
		closed := map[int]bool{}
		for id, s := range *states {
			if s.Status == hours.Closed {
				closed[id] = true
			}
		}
		return closed, nil
	}
}

// maxOpenAtDistance bounds match's openAt: schedules say nothing reliable
// of hours further away.
const maxOpenAtDistance = 366 * 24 * time.Hour

// selectsOpenState reports whether the query asks an edge's openNow or
// openState.
func selectsOpenState(ctx context.Context) bool {
	edges := selectionContext(ctx, "edges")
	if edges == nil {
		return false
	}
	oc := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFields(oc, graphql.GetFieldContext(edges).Field.Selections, []string{"MatchEdge"}) {
		if f.Name == "openNow" || f.Name == "openState" {
			return true
		}
	}
	return false
}

// openState is a result's state as the page set it; Unknown if unset.
func openState(r *match.Result) hours.State {
	if r.Open == nil {
		return hours.State{Status: hours.Unknown}
	}
	return *r.Open
}
