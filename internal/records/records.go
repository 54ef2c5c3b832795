package records

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
)

// Type is the generic operations on one ent record type. Each takes the
// client to work through: a caller inside a transaction passes its
// tx.Client(). Predicates are plain SQL selectors (sql.FieldEQ…), which
// every type's queries and builders accept.
type Type struct {
	// Name is the ent type name (Organization, Service…), as reports use.
	Name string
	// Query selects the records p matches.
	Query func(c *ent.Client, p func(*sql.Selector)) Querier
	// Versions reads the version column of the records p matches.
	Versions func(ctx context.Context, c *ent.Client, p func(*sql.Selector)) ([]int, error)
	// Create starts a create: the mutation to set fields on, and the
	// function that saves it and returns the new record's ID.
	Create func(c *ent.Client) (ent.Mutation, func(context.Context) (int, error))
	// CreateBulk starts the creation of n records in one statement; the
	// IDs come back in the mutations' order. It is nil (create one at a
	// time) for the types whose records can point at records of their own
	// type, since a batch cannot point inside itself (Organization,
	// TaxonomyTerm), and for those no loader creates in numbers (Program,
	// Resource, Funding).
	CreateBulk func(c *ent.Client, n int) ([]ent.Mutation, func(context.Context) ([]int, error))
	// Update starts an update of the record with the given ID, and
	// UpdateMany one of the records p matches: the mutation to set fields
	// on, and its save.
	Update     func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error)
	UpdateMany func(c *ent.Client, p func(*sql.Selector)) (ent.Mutation, func(context.Context) error)
	// Delete deletes the record with the given ID if ps match it too (an
	// ent NotFoundError otherwise); DeleteMany deletes the records p
	// matches.
	Delete     func(ctx context.Context, c *ent.Client, id int, ps ...func(*sql.Selector)) error
	DeleteMany func(ctx context.Context, c *ent.Client, p func(*sql.Selector)) error
	// FromSource lists the stored records whose external source is src.
	FromSource func(ctx context.Context, c *ent.Client, src string) ([]Stored, error)
}

// Querier is what a caller asks of Type.Query.
type Querier interface {
	IDs(context.Context) ([]int, error)
	Exist(context.Context) (bool, error)
}

// ByName returns the operations of the ent type with the given name
// (ent.TypeService…), or nil for a type without them.
func ByName(name string) *Type { return byName[name] }

var byName = index(Organization, Program, TaxonomyTerm, Resource, Location, Service,
	ServiceArea, ServiceAtLocation, Contact, Phone, Schedule, Funding)

func index(types ...*Type) map[string]*Type {
	m := make(map[string]*Type, len(types))
	for _, t := range types {
		m[t.Name] = t
	}
	return m
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

// Total sums the counts of every type of a run.
func Total(types map[string]Counts) Counts {
	var t Counts
	for _, c := range types {
		t.Created += c.Created
		t.Updated += c.Updated
		t.Unchanged += c.Unchanged
	}
	return t
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
