package write

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/feed"
)

// EntityType names a directory record type the way the change feed does:
// the ent type name in upper snake case (SERVICE_AT_LOCATION).
type EntityType string

// EntTypes are the directory's record types, in the order the API lists
// them.
var EntTypes = []string{
	ent.TypeOrganization, ent.TypeProgram, ent.TypeService, ent.TypeLocation, ent.TypeServiceAtLocation,
	ent.TypeServiceArea, ent.TypeTaxonomyTerm, ent.TypePhone, ent.TypeContact, ent.TypeSchedule,
	ent.TypeResource, ent.TypeFunding,
}

// EntityTypes are the EntityType values, in the order of EntTypes.
var EntityTypes = func() []EntityType {
	out := make([]EntityType, len(EntTypes))
	for i, t := range EntTypes {
		out[i] = TypeOf(t)
	}
	return out
}()

// FeedTypes are the types the change feed names: the directory's, and call
// records (whose events only admins see). A delete never names a call
// record: they are not directory records.
var FeedTypes = append(slices.Clone(EntityTypes), TypeOf(ent.TypeCallRecord))

// TypeOf is the EntityType of an ent type.
func TypeOf(entType string) EntityType { return EntityType(feed.EntityType(entType)) }

// IsValid reports whether e is one of the types the change feed names.
func (e EntityType) IsValid() bool { return slices.Contains(FeedTypes, e) }

// MarshalGQL writes e as a GraphQL enum value.
func (e EntityType) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(e))) }

// UnmarshalGQL reads a GraphQL enum value.
func (e *EntityType) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("an entity type must be a string, got %T", v)
	}
	*e = EntityType(s)
	if !e.IsValid() {
		return fmt.Errorf("%q is not an entity type", s)
	}
	return nil
}

// Ref names one record.
type Ref struct {
	EntityType EntityType
	ID         int
}

// Deletion is what a delete removed.
type Deletion struct {
	// DeletedID is the record asked for.
	DeletedID int
	// Cascaded are the records deleted with it (cascade: true), children
	// first, in the order they were deleted.
	Cascaded []Ref
}

// Outcome is what an upsert did to one record.
type Outcome string

// The outcomes of an upsert.
const (
	Created   Outcome = "CREATED"
	Updated   Outcome = "UPDATED"
	Unchanged Outcome = "UNCHANGED"
)

// MarshalGQL writes o as a GraphQL enum value.
func (o Outcome) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(o))) }

// UnmarshalGQL reads a GraphQL enum value.
func (o *Outcome) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch Outcome(s) {
	case Created, Updated, Unchanged:
		*o = Outcome(s)
		return nil
	}
	return fmt.Errorf("%q is not an upsert outcome", s)
}

// Decision is a reviewer's verdict on a submitted resource.
type Decision string

// The decisions a reviewer can make.
const (
	Publish Decision = "PUBLISH"
	Reject  Decision = "REJECT"
)

// MarshalGQL writes d as a GraphQL enum value.
func (d Decision) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL reads a GraphQL enum value.
func (d *Decision) UnmarshalGQL(v any) error {
	s, _ := v.(string)
	switch Decision(s) {
	case Publish, Reject:
		*d = Decision(s)
		return nil
	}
	return fmt.Errorf("%q is not a review decision", s)
}
