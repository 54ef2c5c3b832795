// Package model holds the Go types gqlgen generates for GraphQL types that
// have no ent or domain counterpart.
package model
