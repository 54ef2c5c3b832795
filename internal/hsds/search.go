package hsds

import (
	"context"
	"slices"

	"github.com/village-directory/village/internal/search"
)

// Ranked is what the search parameter of an HSDS list finds, by the same
// engine and ranking as GraphQL's search (internal/search): record IDs of
// one kind, best first. The list endpoints page and stream it in that
// order, applying their other filters to it.
type Ranked struct {
	order  []int       // IDs, best first
	sorted []int       // the same, ascending (for batches)
	rank   map[int]int // ID → place in order
}

// Search runs text against records of type t, as the viewer in ctx may
// read them. A bad text is a *directory.FieldError naming "search".
func Search(ctx context.Context, e *search.Engine, t search.Type, text string) (*Ranked, error) {
	out, err := e.Search(ctx, search.Query{Text: text, Types: []search.Type{t}, Field: "search"})
	if err != nil {
		return nil, err
	}
	r := &Ranked{order: make([]int, len(out.All())), rank: make(map[int]int, len(out.All()))}
	for i, h := range out.All() {
		r.order[i] = h.ID
		r.rank[h.ID] = i
	}
	r.sorted = slices.Clone(r.order)
	slices.Sort(r.sorted)
	return r, nil
}

// Next returns up to limit found IDs greater than after, ascending: a
// list scans the found records in batches with it.
func (r *Ranked) Next(after, limit int) []int {
	i, _ := slices.BinarySearch(r.sorted, after+1)
	return r.sorted[i:min(i+limit, len(r.sorted))]
}

// Order returns ids (found records) best first; owner maps each to the
// found record it ranks by (nil: itself), ties keep ID order.
func (r *Ranked) Order(ids []int, owner func(int) int) []int {
	out := slices.Clone(ids)
	key := func(id int) int {
		if owner != nil {
			id = owner(id)
		}
		if k, ok := r.rank[id]; ok {
			return k
		}
		return len(r.order)
	}
	slices.SortStableFunc(out, func(a, b int) int { return key(a) - key(b) })
	return out
}
