package graph

import (
	"context"
	"slices"
	"time"

	"entgo.io/contrib/entgql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/calls"
	"github.com/village-directory/village/internal/match"
)

// The resolvers of Help Me Grow's data collection (graph/calls.graphqls)
// are thin: package calls logs, counts and sweeps; package match judges
// the directory's coverage; auth decides who may.

// callRecords lists the call log. The read rules would answer an empty list
// to anyone but an admin; the list says FORBIDDEN instead, which is
// clearer.
func (r *queryResolver) callRecords(ctx context.Context, after *entgql.Cursor[int], first *int, before *entgql.Cursor[int], last *int, orderBy *ent.CallRecordOrder, where *ent.CallRecordWhereInput) (*ent.CallRecordConnection, error) {
	if !auth.IsAdmin(ctx) {
		return nil, &auth.ForbiddenError{Reason: "the call log is for admin keys"}
	}
	return r.client.CallRecord.Query().Paginate(ctx, after, first, before, last,
		ent.WithCallRecordOrder(orderBy), ent.WithCallRecordFilter(where.Filter))
}

// referredServices are the services of a call record that still exist,
// in the order they were referred (one statement).
func (r *Resolver) referredServices(ctx context.Context, rec *ent.CallRecord) ([]*ent.Service, error) {
	if len(rec.ReferredServiceIds) == 0 {
		return []*ent.Service{}, nil
	}
	found, err := r.client.Service.Query().Where(service.IDIn(rec.ReferredServiceIds...)).All(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(found, func(a, b *ent.Service) int {
		return slices.Index(rec.ReferredServiceIds, a.ID) - slices.Index(rec.ReferredServiceIds, b.ID)
	})
	return found, nil
}

// gaps checks what can be checked before either side of the report runs:
// a key, the needs, the days and the profile. The sides are resolved only
// when asked for.
func (r *Resolver) gaps(ctx context.Context, needs []string, from, to *time.Time, profile *match.Profile) (*calls.GapQuery, error) {
	if v, ok := auth.FromContext(ctx); ok && v.Role == auth.Anonymous {
		return nil, &auth.ForbiddenError{Reason: "the gap report needs an API key"}
	}
	q := &calls.GapQuery{Needs: needs, From: from, To: to, Profile: profile}
	if _, err := q.Filter(time.Now()); err != nil {
		return nil, err
	}
	if err := r.matcher.CheckNeeds(ctx, needs); err != nil {
		return nil, err
	}
	return q, nil
}

func (r *Resolver) gapsByCounty(ctx context.Context, q *calls.GapQuery) ([]*calls.CountyGap, error) {
	f, err := q.Filter(time.Now())
	if err != nil {
		return nil, err
	}
	rows, err := calls.ByCounty(ctx, r.client, f)
	if err != nil {
		return nil, err
	}
	out := make([]*calls.CountyGap, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out, nil
}

func (r *Resolver) gapsUncovered(ctx context.Context, q *calls.GapQuery) ([]*match.CountyNeed, error) {
	var prof match.Profile
	if q.Profile != nil {
		prof = *q.Profile
	}
	rows, err := r.matcher.Uncovered(ctx, prof, q.Needs, func(owner int) bool { return auth.SeesRestricted(ctx, owner) })
	if err != nil {
		return nil, err
	}
	out := make([]*match.CountyNeed, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out, nil
}
