// Package graph is Village's GraphQL layer: the schema (*.graphqls, partly
// generated from ent), gqlgen's executor, thin resolvers that translate
// GraphQL calls into ent and domain-package calls, and the GraphQL-specific
// safety rails: page sizes, query cost, and error codes.
package graph
