//go:build ignore

// gqlgen.go generates the GraphQL executor (graph/generated.go), the models
// and the resolver stubs from gqlgen.yml, as `gqlgen generate` does, and
// then makes the executor resolve a response in order, on the request's
// goroutine (see sequentialObjects and listsInOrder). Run through
// `go generate ./...`.
//
// Why: gqlgen starts a goroutine for each element of every list of objects
// or enums, and, in an object with two or more fields that take a context
// (a service showing its organization and its program), one for each such
// field but the first. Village's fields wait on no I/O worth overlapping:
// in queries, ent edges come eager-loaded by entgql's field collection (one
// statement per edge level, before any field resolves) and match results
// come from the matcher's index; a mutation's result, which loads its edges
// as its fields resolve, now loads them one after another. The goroutines
// bought no parallelism, only a start, a stack grown by copying and a wait
// each: in the handler benchmarks on the synthetic directory they were
// about a quarter of the time to show twenty services or a page of match
// results. Query's own fields stay concurrent: each may run statements.
// gqlgen v0.17.98 has no setting for either (upstream: gqlgen issues #3202
// for lists, #4321 for object fields). With no field resolved concurrently,
// gqlgen defers nothing: @defer'd fields come inline, in the one response.
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"log"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	cfg, err := config.LoadConfig("gqlgen.yml")
	if err != nil {
		log.Fatalf("loading gqlgen.yml: %v", err)
	}
	if err := api.Generate(cfg, api.AddPlugin(sequentialObjects{})); err != nil {
		log.Fatalf("running gqlgen: %v", err)
	}
	if err := listsInOrder(cfg.Exec.Filename); err != nil {
		log.Fatalf("making lists sequential: %v", err)
	}
}

// sequentialObjects resolves the fields of every object but Query one after
// another, through the setting gqlgen's executor template already has for
// Mutation.
type sequentialObjects struct{}

func (sequentialObjects) Name() string { return "village-sequential-objects" }

func (sequentialObjects) GenerateCode(data *codegen.Data) error {
	for _, obj := range data.Objects {
		if obj.Definition != data.Schema.Query {
			obj.DisableConcurrency = true
		}
	}
	return nil
}

// concurrentLists is the call the executor template writes for every list
// of objects or enums; listsInOrder points it at marshalListInOrder
// (graph/lists.go), which has the same signature and meaning but for the
// goroutines (a test compares the two). The template offers no hook for
// it, so the generated call is rewritten. A gqlgen that no longer writes
// it, or that starts goroutines below Query's fields some other way, stops
// the generation rather than silently going back to them.
const concurrentLists = "graphql.MarshalSliceConcurrently("

// concurrentCalls would start goroutines below Query's fields: none may be
// left in the executor.
var concurrentCalls = []string{"MarshalSliceConcurrently", ".ResolveConcurrently(", "go func("}

func listsInOrder(filename string) error {
	src, err := os.ReadFile(filename)
	if err != nil {
		return err
	}
	if !bytes.Contains(src, []byte(concurrentLists)) {
		return fmt.Errorf("%s: gqlgen no longer calls %s; review listsInOrder in graph/gqlgen.go", filename, concurrentLists)
	}
	src = bytes.ReplaceAll(src, []byte(concurrentLists), []byte("marshalListInOrder("))
	for _, call := range concurrentCalls {
		if bytes.Contains(src, []byte(call)) {
			return fmt.Errorf("%s: the executor still calls %s; review graph/gqlgen.go", filename, call)
		}
	}
	if src, err = format.Source(src); err != nil {
		return err
	}
	return os.WriteFile(filename, src, 0o644)
}
