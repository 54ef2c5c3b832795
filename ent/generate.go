// Package ent is the generated ent client of Village's directory model; the
// hand-written schemas live in ent/schema.
package ent

// entc runs from the module root so the paths it compares (the SDL it
// writes and the schema gqlgen loads) are the same strings.
//go:generate sh -c "cd .. && go run -mod=mod ./ent/entc.go"
