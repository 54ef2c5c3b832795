// Package ent is the generated ent client of Village's directory model; the
// hand-written schemas live in ent/schema.
package ent

//go:generate go run -mod=mod entc.go
