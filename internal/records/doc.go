// Package records is one table of Village's record types as generic write
// operations: start a create (one record, or n in one statement), start an
// update by ID, and list the records of an external source with their IDs.
// Both loaders that keep records in step with an outside source build on
// it: the seed loader (internal/seed) and the HSDS importer (internal/hsds).
// Each keeps only what is its own: seed its external-ID prefixes and
// many-to-many edges, hsds its HSDS table names and change snapshots.
//
// The operations hand back a generic ent.Mutation, so the loaders set fields
// by name (internal/directory) without a switch on the type.
package records
