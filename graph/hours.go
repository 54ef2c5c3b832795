package graph

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/graph/model"
	"github.com/village-directory/village/internal/hours"
)

// openNowCache holds one operation's Service.openNow answers: one instant
// for the whole operation, and the states of each list of services,
// computed once for the list (hours.ForServices) when its first service
// asks.
type openNowCache struct {
	at    time.Time
	mu    sync.Mutex
	lists map[any]*openNowList
}

type openNowList struct {
	once   sync.Once
	states map[int]hours.State
	err    error
}

type openNowKey struct{}

func newOpenNowCache() *openNowCache {
	return &openNowCache{at: time.Now(), lists: map[any]*openNowList{}}
}

func withOpenNowCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, openNowKey{}, newOpenNowCache())
}

// serviceOpenNow answers Service.openNow for obj, evaluating with it every
// service of the nearest list above it (a connection's page, match's
// results), so a page costs a fixed number of statements; a service in no
// such list is evaluated alone.
func (r *Resolver) serviceOpenNow(ctx context.Context, obj *ent.Service) (*bool, error) {
	cache, _ := ctx.Value(openNowKey{}).(*openNowCache)
	if cache == nil {
		cache = newOpenNowCache()
	}
	key, ids := siblingServices(ctx, obj)
	cache.mu.Lock()
	l := cache.lists[key]
	if l == nil {
		l = &openNowList{}
		cache.lists[key] = l
	}
	cache.mu.Unlock()
	l.once.Do(func() { l.states, l.err = hours.ForServices(ctx, r.client, ids, cache.at) })
	if l.err != nil {
		return nil, l.err
	}
	// ids holds obj's (siblingServices), and ForServices answers every id.
	return l.states[obj.ID].OpenNow(), nil
}

// siblingServices finds the nearest resolved list of services above the
// current field and returns its field context (the cache key: one per list
// resolved) with its services' ids; obj alone when there is none. A list
// nested in another list (each organization's services) is one batch per
// inner list.
func siblingServices(ctx context.Context, obj *ent.Service) (any, []int) {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		var ids []int
		switch v := fc.Result.(type) {
		case *ent.ServiceConnection:
			for _, e := range v.Edges {
				if e != nil && e.Node != nil {
					ids = append(ids, e.Node.ID)
				}
			}
		case []*ent.Service:
			for _, s := range v {
				if s != nil {
					ids = append(ids, s.ID)
				}
			}
		case *model.MatchConnection:
			for _, e := range v.Edges {
				if e != nil && e.Service != nil {
					ids = append(ids, e.Service.ID)
				}
			}
		default:
			continue
		}
		for _, id := range ids {
			if id == obj.ID {
				return fc, ids
			}
		}
	}
	return obj, []int{obj.ID}
}
