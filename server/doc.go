// Package server is Village's HTTP layer: one constructor builds the whole
// http.Handler from explicit dependencies (the database, configuration, a
// logger), with every route in one place and middleware as plain wrappers.
// GraphQL itself lives in package graph.
package server
