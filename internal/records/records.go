package records

import (
	"context"

	"github.com/village-directory/village/ent"
)

// Type is the write operations of one ent record type.
type Type struct {
	// Name is the ent type name (Organization, Service…), as reports use.
	Name string
	// Create starts a create: the mutation to set fields on, and the
	// function that saves it and returns the new record's ID.
	Create func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error))
	// Update starts an update of the record with the given ID.
	Update func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error)
	// CreateBulk starts the creation of n records in one statement; the
	// IDs come back in the mutations' order. It is nil (create one at a
	// time) for the types whose records can point at records of their own
	// type, since a batch cannot point inside itself (Organization,
	// TaxonomyTerm), and for those no loader creates in numbers (Program,
	// Resource, Funding).
	CreateBulk func(tx *ent.Tx, n int) ([]ent.Mutation, func(context.Context) ([]int, error))
	// FromSource lists the stored records whose external source is src.
	FromSource func(ctx context.Context, tx *ent.Tx, src string) ([]Stored, error)
}

// Stored is a record as read by Type.FromSource.
type Stored struct {
	ID         int
	ExternalID string
	// Record is the ent entity itself (*ent.Organization…), for callers
	// that compare stored field values.
	Record any
}

// IDs indexes stored records' IDs by external ID.
func IDs(stored []Stored) map[string]int {
	m := make(map[string]int, len(stored))
	for _, s := range stored {
		m[s.ExternalID] = s.ID
	}
	return m
}

// Counts says what a run did to the records of one type.
type Counts struct {
	Created   int
	Updated   int
	Unchanged int
}

// SaveIfChanged ends an update of a stored record: it saves the update and
// counts the record updated when changed, and otherwise counts it unchanged
// without saving (so an equal record gets no new version or updatedAt).
func (c *Counts) SaveIfChanged(ctx context.Context, changed bool, save func(context.Context) error) error {
	if !changed {
		c.Unchanged++
		return nil
	}
	if err := save(ctx); err != nil {
		return err
	}
	c.Updated++
	return nil
}
