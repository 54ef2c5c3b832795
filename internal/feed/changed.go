package feed

import (
	"context"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
)

// ChangedSince reads the change events after position from and up to to,
// and returns the IDs each entity type's events name (keyed as
// EntityType). ok is false, with no error, when an index refreshed from
// the feed is better rebuilt whole: more than max events (an import, a
// bulk upsert), or a change to a taxonomy term (it can reshape a
// vocabulary). The match and search indexes both refresh with it.
func ChangedSince(ctx context.Context, client *ent.Client, from, to, max int) (changed map[string][]int, ok bool, err error) {
	events, err := client.ChangeEvent.Query().
		Where(changeevent.IDGT(from), changeevent.IDLTE(to)).
		Select(changeevent.FieldEntityType, changeevent.FieldEntityID).
		Limit(max + 1).
		All(ctx)
	if err != nil || len(events) > max {
		return nil, false, err
	}
	taxonomyTerm := EntityType(ent.TypeTaxonomyTerm)
	changed = map[string][]int{}
	for _, e := range events {
		if e.EntityType == taxonomyTerm {
			return nil, false, nil
		}
		changed[e.EntityType] = append(changed[e.EntityType], e.EntityID)
	}
	return changed, true, nil
}
