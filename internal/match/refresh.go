package match

import (
	"context"
	"maps"
	"slices"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/internal/feed"
)

// maxRefreshEvents bounds an incremental refresh: past it (an import, a
// bulk upsert) one whole load is cheaper than finding what changed.
const maxRefreshEvents = 2000

// The types whose records the snapshot reads (see servicesQuery, needTerms
// and load). A change to any other type (a phone, a schedule, a library
// resource) leaves the snapshot as it is; a change to a taxonomy term, which
// can reshape the needs vocabulary, makes refresh load everything again.
var (
	typeService           = feed.EntityType(ent.TypeService)
	typeServiceArea       = feed.EntityType(ent.TypeServiceArea)
	typeLocation          = feed.EntityType(ent.TypeLocation)
	typeServiceAtLocation = feed.EntityType(ent.TypeServiceAtLocation)
	typeOrganization      = feed.EntityType(ent.TypeOrganization)
	typeProgram           = feed.EntityType(ent.TypeProgram)
)

// refresh brings old up to position by reading again only the services the
// change events since old.position touched: a write makes the next match
// wait for a few small statements, not for the whole directory's load. It
// returns nil (and no error) when a whole load is the better answer: too
// many events, or a taxonomy term changed.
//
// A service is read again when an event names it, one of its areas, one of
// its locations or the link to one, its organization or its program. Each
// is found both in old (what the service was: the link or area may be gone
// now) and in the database (what it is now: the link or area may be new).
// The entries of the services left alone are copied (their pointers are
// shared with old, which requests may still be reading) and the whole is
// indexed again in memory.
func refresh(ctx context.Context, client *ent.Client, old *snapshot, position, maxEvents int) (*snapshot, error) {
	changed, ok, err := feed.ChangedSince(ctx, client, old.position, position, maxEvents)
	if err != nil || !ok {
		return nil, err
	}
	touched := map[int]bool{}
	for _, id := range changed[typeService] {
		touched[id] = true
	}

	// What the old snapshot says each changed record belonged to.
	areas, locations, links := set(changed[typeServiceArea]), set(changed[typeLocation]), set(changed[typeServiceAtLocation])
	orgs, programs := set(changed[typeOrganization]), set(changed[typeProgram])
	for i := range old.entries {
		e := &old.entries[i]
		hit := orgs[e.svc.OrganizationID] ||
			(e.program != nil && programs[e.program.ID]) ||
			slices.ContainsFunc(e.areas, func(a area) bool { return areas[a.id] }) ||
			slices.ContainsFunc(e.locs, func(l located) bool { return locations[l.location] || links[l.link] })
		if hit {
			touched[e.svc.ID] = true
		}
	}
	// And what the database says they belong to now.
	var ids []int
	if len(areas) > 0 {
		if ids, err = client.ServiceArea.Query().Where(servicearea.IDIn(changed[typeServiceArea]...)).
			Select(servicearea.FieldServiceID).Ints(ctx); err != nil {
			return nil, err
		}
		mark(touched, ids)
	}
	if len(locations) > 0 || len(links) > 0 {
		if ids, err = client.ServiceAtLocation.Query().Where(serviceatlocation.Or(
			serviceatlocation.LocationIDIn(changed[typeLocation]...),
			serviceatlocation.IDIn(changed[typeServiceAtLocation]...))).
			Select(serviceatlocation.FieldServiceID).Ints(ctx); err != nil {
			return nil, err
		}
		mark(touched, ids)
	}
	if len(orgs) > 0 || len(programs) > 0 {
		if ids, err = client.Service.Query().Where(service.Or(
			service.OrganizationIDIn(changed[typeOrganization]...),
			service.ProgramIDIn(changed[typeProgram]...))).
			IDs(ctx); err != nil {
			return nil, err
		}
		mark(touched, ids)
	}

	programRows := old.programRows()
	if len(programs) > 0 {
		if programRows, err = client.Program.Query().Order(ent.Asc(program.FieldID)).All(ctx); err != nil {
			return nil, err
		}
	}
	var reread []*ent.Service
	if len(touched) > 0 {
		if reread, err = servicesQuery(client).Where(service.IDIn(slices.Collect(maps.Keys(touched))...)).All(ctx); err != nil {
			return nil, err
		}
	}
	// Laid out again, the entries kept with the rows read: the new
	// snapshot's tables hold nothing of what the writes dropped.
	l := newLayout(len(old.entries) + len(reread))
	kept := func(yield func(*entry) bool) {
		for i := range old.entries {
			if e := &old.entries[i]; !touched[e.svc.ID] && !yield(e) {
				return
			}
		}
	}
	for e := range kept {
		l.sizeEntry(e)
	}
	for _, svc := range reread {
		l.sizeRow(svc)
	}
	l.reserve()
	for e := range kept {
		l.addEntry(e)
	}
	for _, svc := range reread {
		l.addRow(svc)
	}
	s := assemble(position, old.needs, l.finish(), programRows)
	s.incremental = true
	return s, nil
}

func (s *snapshot) programRows() []*ent.Program {
	out := make([]*ent.Program, len(s.programs))
	for i, p := range s.programs {
		out[i] = p.program
	}
	return out
}

func set(ids []int) map[int]bool {
	out := make(map[int]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

func mark(touched map[int]bool, ids []int) {
	for _, id := range ids {
		touched[id] = true
	}
}
