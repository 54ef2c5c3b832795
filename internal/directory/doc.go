// Package directory holds the value types of Village's domain model that live
// inside records rather than as records of their own (eligibility, evidence
// ratings, delivery modes, settings) together with the format checks shared by
// every write path: the ent schema, the seed, imports and the GraphQL layer.
//
// It knows nothing of HTTP, GraphQL or the database.
package directory
