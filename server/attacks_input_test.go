package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/village-directory/village/graph/relay"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// TestAttacksWithMalformedInput: input that used to reach a recovered panic
// or an INTERNAL error is coerced as the GraphQL spec says or refused as
// BAD_USER_INPUT on the argument at fault.
func TestAttacksWithMalformedInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeedAndSamples(t, db)
		srv := newAPI(t, db, server.Config{}).srv

		t.Run("single object for a list variable", func(t *testing.T) {
			a := &api{t: t, srv: srv}
			var out struct{ Organizations struct{ TotalCount int } }
			a.ok(`query($o:[OrganizationOrder!]){organizations(orderBy:$o){totalCount}}`, map[string]any{"o": map[string]any{"field": "NAME"}}, &out)
			if out.Organizations.TotalCount == 0 {
				t.Fatal("no organizations")
			}
		})
		t.Run("single object for a nested list variable", func(t *testing.T) {
			a := &api{t: t, srv: srv}
			var out struct{ Organizations struct{ TotalCount int } }
			a.ok(`query($o:[ServiceOrder!]){organizations(first:2){totalCount edges{node{services(orderBy:$o){totalCount}}}}}`, map[string]any{"o": map[string]any{"field": "NAME"}}, &out)
		})
		t.Run("single scalar for a list variable", func(t *testing.T) {
			a := &api{t: t, srv: srv}
			var out struct{ Services struct{ TotalCount int } }
			a.ok(`query($s:[ServiceStatus!]){services(where:{statusIn:$s}){totalCount}}`, map[string]any{"s": "ACTIVE"}, &out)
			if out.Services.TotalCount == 0 {
				t.Fatal("statusIn: ACTIVE found nothing")
			}
		})
		t.Run("single value inside an input object variable", func(t *testing.T) {
			a := &api{t: t, srv: srv}
			var out struct{ Services struct{ TotalCount int } }
			a.ok(`query($w:ServiceWhereInput){services(where:$w){totalCount}}`, map[string]any{"w": map[string]any{"statusIn": "ACTIVE", "and": map[string]any{"nameNEQ": "x"}}}, &out)
			if out.Services.TotalCount == 0 {
				t.Fatal("statusIn: ACTIVE found nothing")
			}
		})
		t.Run("single object for a list mutation input", func(t *testing.T) {
			a := &api{t: t, srv: srv}
			res := a.query(`mutation($v:[UpsertLocationInput!]!){upsertLocations(input:$v){outcome}}`, map[string]any{"v": map[string]any{"externalSource": "x", "externalID": "1", "name": "L"}})
			for _, e := range res.Errors {
				if e.Extensions["code"] == "INTERNAL" || e.Extensions["code"] == nil {
					t.Fatalf("got %+v", res.Errors)
				}
			}
		})
		for _, q := range []string{
			`{programs(first:1){edges{node{services(first:1, after:""){totalCount}}}}}`,
			`{organizations(first:1){edges{node{services(first:1, after:"x"){totalCount}}}}}`,
			`{services(first:1, after:""){totalCount}}`,
			`{services(last:1, before:"!!"){totalCount}}`,
		} {
			t.Run("cursor "+q, func(t *testing.T) {
				a := &api{t: t, srv: srv}
				e := a.fail(q, nil, "BAD_USER_INPUT")
				if f := e.Extensions["field"]; f != "after" && f != "before" {
					t.Fatalf("field %v", f)
				}
			})
		}
		t.Run("50000-character nameContains", func(t *testing.T) {
			a := &api{t: t, srv: srv}
			e := a.fail(`query($s:String){services(where:{nameContains:$s}){totalCount}}`, map[string]any{"s": strings.Repeat("a", 50000)}, "BAD_USER_INPUT")
			if !strings.HasPrefix(e.Extensions["field"].(string), "where") {
				t.Fatalf("field %v", e.Extensions["field"])
			}
		})
	})
}

// TestCapsHoldPerOperation: aliases do not multiply a per-field cap: the
// upsert record cap and the nodes ID cap count the whole operation.
func TestCapsHoldPerOperation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db, server.Config{})
		admin := mustKey(t, db, "admin", auth.Admin)
		before := db.Client.Organization.Query().CountX(context.Background())

		batch := make([]map[string]any, 1000)
		for i := range batch {
			batch[i] = map[string]any{"externalSource": "attack", "externalID": fmt.Sprint(i), "name": fmt.Sprint("Org ", i)}
		}
		var doc strings.Builder
		doc.WriteString("mutation($v:[UpsertOrganizationInput!]!){")
		for i := range 20 {
			fmt.Fprintf(&doc, "u%d: upsertOrganizations(input:$v){outcome} ", i)
		}
		doc.WriteString("}")
		withinAllocBudget(t, func() {
			res := a.as(admin).query(doc.String(), map[string]any{"v": batch})
			if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || res.Errors[0].Extensions["field"] != "input" {
				t.Fatalf("20 aliased batches of 1000: want BAD_USER_INPUT on input, got %.300v", res.Errors)
			}
		})
		if after := db.Client.Organization.Query().CountX(context.Background()); after != before {
			t.Fatalf("the refused operation wrote %d organizations", after-before)
		}
		// Two batches of 500 are one of 1000: allowed.
		res := a.as(admin).query(`mutation($v:[UpsertOrganizationInput!]!, $w:[UpsertOrganizationInput!]!){a: upsertOrganizations(input:$v){outcome} b: upsertOrganizations(input:$w){outcome}}`,
			map[string]any{"v": batch[:500], "w": batch[500:]})
		if len(res.Errors) > 0 {
			t.Fatalf("1000 records in two fields: %+v", res.Errors)
		}

		ids := make([]string, 60)
		for i := range ids {
			ids[i] = "T3JnYW5pemF0aW9uOjE=" // any ID: the cap is checked before any is looked up
		}
		e := a.fail(`query($ids:[ID!]!){a: nodes(ids:$ids){id} b: nodes(ids:$ids){id}}`, map[string]any{"ids": ids}, "BAD_USER_INPUT")
		if e.Extensions["field"] != "ids" {
			t.Fatalf("nodes across aliases: %+v", e)
		}
	})
}

// TestHSDSSearchHasAMaximumLength: a 60,000-character search is a 400, not
// a 500.
func TestHSDSSearchHasAMaximumLength(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		loadSeed(t, db)
		a := newAPI(t, db, server.Config{})
		status, body := a.hsdsGet("", "/hsds/services?search="+strings.Repeat("a", 60000))
		if status != 400 || !strings.Contains(string(body), "search") {
			t.Fatalf("status %d: %.300s", status, body)
		}
		if status, _ := a.hsdsGet("", "/hsds/services?search="+strings.Repeat("a", 1000)); status != 200 {
			t.Fatalf("a 1000-character search: status %d", status)
		}
	})
}

// TestMutationFieldsAfterAFailureAreNotRun: the operation is one
// transaction, rolled back when a field fails; the fields after it are not
// run and say so (on PostgreSQL they used to hit the aborted transaction:
// INTERNAL).
func TestMutationFieldsAfterAFailureAreNotRun(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db, server.Config{})
		admin := mustKey(t, db, "admin", auth.Admin)
		ctx := context.Background()
		org := db.Client.Organization.Create().SetName("Org").SaveX(ctx)
		before := db.Client.Organization.Query().CountX(ctx)
		res := a.as(admin).query(`mutation($org: ID!) {
			bad: createService(input: {name: "x", organizationID: "djE6NDcyNDQ2NDAyNjg"}) { id }
			good: createOrganization(input: {name: "Kept?"}) { id }
			again: deleteOrganization(id: $org) { deletedID }
		}`, map[string]any{"org": relay.Encode(org.ID)})
		if len(res.Errors) != 3 {
			t.Fatalf("want 3 errors, got %+v", res.Errors)
		}
		if c := res.Errors[0].Extensions["code"]; c == "INTERNAL" || c == "NOT_RUN" || c == nil {
			t.Fatalf("the failing field: %+v", res.Errors[0])
		}
		for i, e := range res.Errors[1:] {
			if e.Extensions["code"] != "NOT_RUN" || len(e.Path) != 1 || e.Path[0] != []string{"good", "again"}[i] {
				t.Fatalf("field after the failure: %+v", e)
			}
		}
		if after := db.Client.Organization.Query().CountX(ctx); after != before {
			t.Fatalf("organizations %d → %d: the rolled-back operation changed them", before, after)
		}
	})
}
