package hsds

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
)

// MetadataVersionField is the field_name of the HSDS metadata entries that
// carry Village's change history: the feed records which record changed,
// how, when and by whom, and its version before and after, not field
// values. The importer does not keep these entries (they describe the
// exporting directory's history, not the records).
const MetadataVersionField = "village.version"

// hsdsKinds are the record kinds of the change feed's entity types that HSDS
// exports (a library resource or API key is not an HSDS record).
var hsdsKinds = map[string]bool{
	KindOrganization: true, KindProgram: true, KindService: true, KindLocation: true,
	KindServiceAtLocation: true, KindServiceArea: true, KindTaxonomyTerm: true, KindPhone: true,
	KindContact: true, KindSchedule: true, KindFunding: true,
}

// ChangeHistory is Village's change feed as HSDS metadata, one entry per
// event of an HSDS record, oldest first. The feed is not public: only a
// trusted caller (no viewer) or staff get it; anybody else gets none.
func ChangeHistory(ctx context.Context, client *ent.Client) ([]Metadata, error) {
	var out []Metadata
	err := changeHistoryEach(ctx, client, func(list []Metadata) error {
		out = append(out, list...)
		return nil
	})
	return out, err
}

// historyEntry is the metadata entry of event e, given the HSDS ids of the
// records (see hsdsIDsOf); ok is false for an event of no HSDS record.
func historyEntry(dir uuid.UUID, ids map[string]string, e *ent.ChangeEvent) (Metadata, bool) {
	kind := strings.ToLower(e.EntityType)
	if !hsdsKinds[kind] {
		return Metadata{}, false
	}
	resource, ok := ids[kind+"/"+strconv.Itoa(e.EntityID)]
	if !ok {
		resource = DerivedID(dir, kind, e.EntityID) // deleted since
	}
	md := Metadata{
		ID:             historyEntryID(e),
		ResourceID:     resource,
		ResourceType:   kind,
		LastActionDate: e.OccurredAt.UTC().Format(time.DateOnly),
		LastActionType: strings.ToLower(string(e.Operation)),
		FieldName:      MetadataVersionField,
		UpdatedBy:      e.Actor,
	}
	// HSDS requires both values: version "0" is no record (before a
	// create, after a delete).
	md.PreviousValue, md.ReplacementValue = "0", "0"
	if e.Version != nil {
		md.ReplacementValue = strconv.Itoa(*e.Version)
		if e.Operation == changeevent.OperationUPDATE && *e.Version > 1 {
			md.PreviousValue = strconv.Itoa(*e.Version - 1)
		}
		if e.Operation == changeevent.OperationDELETE {
			md.PreviousValue, md.ReplacementValue = md.ReplacementValue, "0"
		}
	}
	return md, true
}

// historyEntryID is the id of the metadata entry of change event e: a
// hash of the event's number and instant. Every directory numbers its
// events from 1, so the number alone would name another directory's event
// too; with the instant it names this event of this directory (or of a
// copy of it), which is how an import tells an export of its own directory
// (see importWriter.ownOf).
func historyEntryID(e *ent.ChangeEvent) string {
	return uuid.NewSHA1(Namespace, []byte("change_event/"+strconv.Itoa(e.ID)+"/"+e.OccurredAt.UTC().Format(time.RFC3339Nano))).String()
}

// hsdsIDsOf maps "kind/ID" to the HSDS id of every record ctx may see.
func hsdsIDsOf(ctx context.Context, client *ent.Client, dir uuid.UUID) (map[string]string, error) {
	out := map[string]string{}
	for kind := range hsdsKinds {
		rows, err := queryIDRows(ctx, client, kind, nil, 0)
		if err != nil {
			return nil, fmt.Errorf("load %s ids: %w", kind, err)
		}
		for _, r := range rows {
			out[kind+"/"+strconv.Itoa(r.ID)] = r.hsdsID(dir, kind)
		}
	}
	return out, nil
}
