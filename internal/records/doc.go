// Package records is one table of Village's record types, each with its
// generic operations: query the records a predicate matches and read their
// versions, create (one record, or n in one statement), update one by ID or
// many by predicate, delete one by ID (under further predicates) or many by
// predicate, and list the records of an external source with their IDs.
// Every operation works through the *ent.Client it is given (a caller
// inside a transaction passes tx.Client()), and ByName finds a type's
// operations by its ent name.
//
// Three packages build on it, each keeping only what is its own:
//   - the write layer (internal/write), for creates, updates, deletes and
//     their cascades on any record type; it keeps its relation tables;
//   - the seed loader (internal/seed), which keeps its external-ID
//     prefixes and many-to-many edges;
//   - the HSDS importer (internal/hsds), which keeps its HSDS table names
//     and change snapshots.
//
// The operations hand back a generic ent.Mutation, so callers set fields by
// name (internal/directory, ent's SetField) without a switch on the type.
package records
