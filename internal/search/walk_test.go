package search_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/search"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

// walked is a searchable type, walked column by column: create makes a
// record in the given state and returns it, and set writes a text into
// one of its columns (an error: the column takes no such text).
type walked struct {
	name    string
	columns []string
	create  func(ctx context.Context, c *ent.Client) any
	set     func(ctx context.Context, c *ent.Client, rec any, column, text string) error
	typ     search.Type
}

// TestSearchWalksEveryColumn writes a word of its own into every text
// column of every searchable type, in each state that hides something
// (an unpublished resource; a service's internal notes always), and
// searches it as every role: a word is found only when auth.Visible lets
// that role read that column of that record. A field the read rules hide
// tomorrow is covered without touching this test. It also checks the walk
// is not vacuous: the public finds every column search.Indexed names.
func TestSearchWalksEveryColumn(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		c := db.Client
		org := c.Organization.Create().SetName("Walk Org").SaveX(ctx)
		e := search.New(c)
		types := []walked{
			{name: "Service", columns: service.Columns, typ: search.TypeService,
				create: func(ctx context.Context, c *ent.Client) any {
					return c.Service.Create().SetName("Base").SetOrganization(org).SaveX(ctx)
				},
				set: func(ctx context.Context, c *ent.Client, rec any, col, text string) error {
					u := c.Service.UpdateOne(rec.(*ent.Service))
					if err := u.Mutation().SetField(col, text); err != nil {
						return err
					}
					return u.Exec(ctx)
				}},
			{name: "Program", columns: program.Columns, typ: search.TypeProgram,
				create: func(ctx context.Context, c *ent.Client) any { return c.Program.Create().SetName("Base").SaveX(ctx) },
				set: func(ctx context.Context, c *ent.Client, rec any, col, text string) error {
					u := c.Program.UpdateOne(rec.(*ent.Program))
					if err := u.Mutation().SetField(col, text); err != nil {
						return err
					}
					return u.Exec(ctx)
				}},
			{name: "Organization", columns: organization.Columns, typ: search.TypeOrganization,
				create: func(ctx context.Context, c *ent.Client) any {
					return c.Organization.Create().SetName("Base").SaveX(ctx)
				},
				set: func(ctx context.Context, c *ent.Client, rec any, col, text string) error {
					u := c.Organization.UpdateOne(rec.(*ent.Organization))
					if err := u.Mutation().SetField(col, text); err != nil {
						return err
					}
					return u.Exec(ctx)
				}},
		}
		for _, st := range []resource.Status{resource.StatusPUBLISHED, resource.StatusSUBMITTED, resource.StatusREJECTED} {
			types = append(types, walked{name: "Resource/" + string(st), columns: resource.Columns, typ: search.TypeResource,
				create: func(ctx context.Context, c *ent.Client) any {
					return c.Resource.Create().SetTitle("Base").SetKind(resource.KindGUIDE).SetStatus(st).SaveX(ctx)
				},
				set: func(ctx context.Context, c *ent.Client, rec any, col, text string) error {
					if col == resource.FieldStatus {
						return fmt.Errorf("the state under test")
					}
					u := c.Resource.UpdateOne(rec.(*ent.Resource))
					if err := u.Mutation().SetField(col, text); err != nil {
						return err
					}
					return u.Exec(ctx)
				}})
		}
		roles := []auth.Viewer{{Role: auth.Anonymous}, {Role: auth.Reader}, {Role: auth.Staff},
			{Role: auth.Editor, Organizations: []int{org.ID}}, {Role: auth.Admin}}
		for _, w := range types {
			rec := w.create(ctx, c)
			indexed := search.Indexed[strings.Split(w.name, "/")[0]]
			walkedText := 0
			for _, col := range w.columns {
				word := "walkmark" + strings.ReplaceAll(col, "_", "") + strings.ToLower(strings.ReplaceAll(w.name, "/", ""))
				if err := w.set(ctx, c, rec, col, word); err != nil {
					continue // not a text column
				}
				walkedText++
				for _, v := range roles {
					vctx := auth.WithViewer(context.Background(), v)
					out, err := e.Search(vctx, search.Query{Text: word, Types: []search.Type{w.typ}})
					if err != nil {
						t.Fatal(err)
					}
					found := len(out.All()) > 0
					if found && !auth.Visible(vctx, reread(ctx, c, rec), col) {
						t.Errorf("%s.%s: %s finds a word of a column it may not read", w.name, col, v.Role)
					}
					public := v.Role == auth.Anonymous && auth.Visible(vctx, reread(ctx, c, rec), col)
					if public && slices.Contains(indexed, col) && !found {
						t.Errorf("%s.%s: indexed and public, but the public does not find it", w.name, col)
					}
					if found && !slices.Contains(indexed, col) {
						t.Errorf("%s.%s: found, but not listed in search.Indexed", w.name, col)
					}
				}
			}
			if walkedText < 3 {
				t.Errorf("%s: only %d text columns walked", w.name, walkedText)
			}
		}
	})
}

// reread returns rec as stored now (trusted read), for auth.Visible.
func reread(ctx context.Context, c *ent.Client, rec any) any {
	switch r := rec.(type) {
	case *ent.Service:
		return c.Service.GetX(ctx, r.ID)
	case *ent.Program:
		return c.Program.GetX(ctx, r.ID)
	case *ent.Organization:
		return c.Organization.GetX(ctx, r.ID)
	case *ent.Resource:
		return c.Resource.GetX(ctx, r.ID)
	}
	return rec
}
