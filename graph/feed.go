package graph

import (
	"context"

	"entgo.io/contrib/entgql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/route"
	"github.com/village-directory/village/internal/write"
)

// changes pages through the change feed in ID order, which package feed
// makes commit order: a consumer polling with after never skips an event.
//
// The feed needs an API key (any role): it names the keys that made each
// change, which is for integrators, not the public. A key sees only the
// events of records it may read (auth.VisibleChangeEvents, applied by the
// read rules to this query and to node/nodes alike), so pages, cursors and
// totalCount agree with what it is shown.
func (r *queryResolver) changes(ctx context.Context, after *entgql.Cursor[int], first *int, types []write.EntityType) (*ent.ChangeEventConnection, error) {
	if v, ok := auth.FromContext(ctx); ok && v.Role == auth.Anonymous {
		return nil, &auth.ForbiddenError{Reason: "the change feed needs an API key"}
	}
	if after != nil && after.Value != nil {
		// The feed is ordered by ID alone: its cursors carry no value,
		// and one cut from an ordered list would reach the SQL as one.
		return nil, &directory.FieldError{Field: "after", Message: "after is a cursor of another list: pass an endCursor of the change feed"}
	}
	q := r.client.ChangeEvent.Query()
	if len(types) > 0 {
		names := make([]string, len(types))
		for i, t := range types {
			names[i] = string(t)
		}
		q = q.Where(changeevent.EntityTypeIn(names...))
	}
	// On the primary with read replicas: a consumer polling any server of
	// the fleet gets every event committed before its poll.
	return q.Paginate(route.Primary(ctx), after, first, nil, nil)
}
