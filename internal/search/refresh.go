package search

import (
	"context"
	"maps"
	"slices"
	"sync/atomic"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/internal/feed"
)

// maxRefreshEvents bounds an incremental refresh: past it (an import, a
// bulk upsert) one whole build is cheaper than finding what changed.
const maxRefreshEvents = 2000

// The types whose records the index reads. A change to any other type (a
// phone, a schedule, a service area) leaves the index as it is; a change
// to a taxonomy term, whose words every record carrying it (or a narrower
// or mapped term) is found by, makes refresh build everything again.
var (
	typeService           = feed.EntityType(ent.TypeService)
	typeProgram           = feed.EntityType(ent.TypeProgram)
	typeOrganization      = feed.EntityType(ent.TypeOrganization)
	typeResource          = feed.EntityType(ent.TypeResource)
	typeLocation          = feed.EntityType(ent.TypeLocation)
	typeServiceAtLocation = feed.EntityType(ent.TypeServiceAtLocation)
)

// refresh brings old up to position by reading again only the records
// the change events since old.position touched, as match's refresh does:
// a write makes the next search wait for a few small statements and the
// indexing of those records, not for the whole directory. It returns nil
// (and no error) when a whole build is the better answer: too many
// events, a taxonomy term changed, or a quarter of the records are dead.
//
// A record is read again when an event names it; a service, program or
// resource also when its organization or program changed (their names
// are its words); a service or organization when one of its locations,
// or a service's link to one, changed. Each is found both in old (what
// the record was: the link may be gone now) and in the database (what it
// is now: the link may be new). A record read again keeps its number: its
// old postings and word counts are taken out and its new ones put in; one
// not found any more is left dead (no postings) until the next whole
// build; a new one is numbered after the last.
//
// old is never written: requests may still be reading it. The new index
// copies what it changes (its record array, the postings of the terms the
// records touched, the typo vocabulary's counts) and shares the rest.
func refresh(ctx context.Context, client *ent.Client, old *index, position, maxEvents int) (*index, error) {
	changed, ok, err := feed.ChangedSince(ctx, client, old.position, position, maxEvents)
	if err != nil || !ok {
		return nil, err
	}
	var touched [typeCount]map[int]bool
	for t := range touched {
		touched[t] = map[int]bool{}
	}
	mark := func(t Type, ids []int) {
		for _, id := range ids {
			touched[t][id] = true
		}
	}
	mark(TypeService, changed[typeService])
	mark(TypeProgram, changed[typeProgram])
	mark(TypeOrganization, changed[typeOrganization])
	mark(TypeResource, changed[typeResource])

	// What the old index says each changed record belonged to.
	locations, links := set(changed[typeLocation]), set(changed[typeServiceAtLocation])
	parents := map[int32]bool{}
	for _, ty := range []Type{TypeOrganization, TypeProgram} {
		for id := range touched[ty] {
			if i, ok := old.find(docKey{ty, id}); ok {
				parents[i] = true
			}
		}
	}
	for i := range old.docs {
		d := &old.docs[i]
		if d.dead {
			continue
		}
		hit := (d.parent[0] >= 0 && parents[d.parent[0]]) || (d.parent[1] >= 0 && parents[d.parent[1]]) ||
			slices.ContainsFunc(of(old.locs, old.places[i]), func(l located) bool { return locations[l.location] || links[l.link] })
		if hit {
			touched[d.typ][d.id] = true
		}
	}
	// And what the database says they belong to now.
	if len(locations) > 0 || len(links) > 0 {
		ids, err := client.ServiceAtLocation.Query().Where(serviceatlocation.Or(
			serviceatlocation.LocationIDIn(changed[typeLocation]...),
			serviceatlocation.IDIn(changed[typeServiceAtLocation]...))).
			Select(serviceatlocation.FieldServiceID).Ints(ctx)
		if err != nil {
			return nil, err
		}
		mark(TypeService, ids)
	}
	if len(locations) > 0 {
		ids, err := client.Location.Query().Where(location.IDIn(changed[typeLocation]...), location.OrganizationIDNotNil()).
			Select(location.FieldOrganizationID).Ints(ctx)
		if err != nil {
			return nil, err
		}
		mark(TypeOrganization, ids)
	}
	n := 0
	var ids [typeCount][]int
	for t := range touched {
		ids[t] = slices.Sorted(maps.Keys(touched[t]))
		n += len(ids[t])
	}
	if n == 0 {
		return old.copy(position, false), nil // nothing search reads changed
	}
	// A quarter of the records dead or rewritten: build it whole (which
	// also numbers the records afresh).
	if live := len(old.docs) - old.dead; old.dead+n > max(live/4, 1000) {
		return nil, nil
	}
	r, err := read(ctx, client, false, ids)
	if err != nil {
		return nil, err
	}
	found := map[docKey]bool{}
	for _, s := range r.services {
		found[docKey{TypeService, s.ID}] = true
	}
	for _, p := range r.programs {
		found[docKey{TypeProgram, p.ID}] = true
	}
	for _, o := range r.orgs {
		found[docKey{TypeOrganization, o.ID}] = true
	}
	for _, x := range r.resources {
		found[docKey{TypeResource, x.ID}] = true
	}
	var gone []docKey
	for t, list := range ids {
		for _, id := range list {
			if k := (docKey{Type(t), id}); !found[k] {
				if _, ok := old.find(k); ok {
					gone = append(gone, k)
				}
			}
		}
	}
	ix := old.copy(position, true)
	ix.reread = n
	b := newBuilder(ix, false)
	b.apply(r, gone)
	b.finish(false)
	return ix, nil
}

// copy is a new index at position sharing old's contents. For writing
// (refresh's builder) the arrays it writes in place are copies (its
// records and their places' ranges, the terms' ranges, the typo
// vocabulary's counts); the tables
// the builder copies when it adds to them; the rest it appends to (see
// contents.tail).
func (old *index) copy(position int, writable bool) *index {
	ix := &index{position: position, incremental: true, contents: old.contents}
	if !writable {
		return ix
	}
	ix.tail = new(atomic.Bool)
	if old.tail.Swap(true) {
		// Another index appended past old's arrays already: append to
		// copies.
		ix.names, ix.recTerms, ix.locs, ix.points, ix.words = slices.Clip(ix.names), slices.Clip(ix.recTerms),
			slices.Clip(ix.locs), slices.Clip(ix.points), slices.Clip(ix.words)
		ix.strs, ix.stems, ix.post, ix.pinned = slices.Clip(ix.strs), slices.Clip(ix.stems), slices.Clip(ix.post), slices.Clip(ix.pinned)
	}
	ix.docs, ix.places = slices.Clip(slices.Clone(old.docs)), slices.Clip(slices.Clone(old.places))
	ix.posts = slices.Clip(slices.Clone(old.posts))
	ix.surfaces = slices.Clip(slices.Clone(old.surfaces))
	return ix
}

func set(ids []int) map[int]bool {
	out := make(map[int]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}
