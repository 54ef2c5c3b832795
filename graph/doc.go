// Package graph is Village's GraphQL layer: the schema (*.graphqls, partly
// generated from ent), gqlgen's executor (generated, then adjusted by
// gqlgen.go to resolve in order and skip per-field work nothing needs; its
// runtime helpers are lists.go and objects.go), thin resolvers that
// translate GraphQL calls into ent and domain-package calls, and the
// GraphQL-specific safety rails: page sizes, query cost, directive
// arguments, where filters evaluated over readable records (filters.go),
// and error codes.
package graph
