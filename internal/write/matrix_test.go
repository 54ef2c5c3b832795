package write_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/internal/write"
)

// The roles of the matrix: editors are scoped to the organization that owns
// the record written (own) or to another one (foreign).
var roles = []string{"anonymous", "reader", "staff", "editor-own", "editor-foreign", "admin"}

func viewerFor(ctx context.Context, role string, own, foreign int) context.Context {
	switch role {
	case "anonymous":
		return as(ctx, auth.Anonymous)
	case "reader":
		return as(ctx, auth.Reader)
	case "staff":
		return as(ctx, auth.Staff)
	case "editor-own":
		return as(ctx, auth.Editor, own)
	case "editor-foreign":
		return as(ctx, auth.Editor, foreign)
	case "admin":
		return as(ctx, auth.Admin)
	}
	panic(role)
}

// editorTypes are the types an editor writes for its own organizations
// (internal/auth/guard.go's table).
var editorTypes = []string{
	ent.TypeProgram, ent.TypeService, ent.TypeLocation, ent.TypeServiceArea, ent.TypeServiceAtLocation,
	ent.TypePhone, ent.TypeContact, ent.TypeSchedule,
}

// allowed is the guard's table: what each role may do.
func allowed(role, typ, op string) bool {
	switch role {
	case "admin":
		return true
	case "anonymous":
		return false
	}
	if role != "editor-own" {
		return false
	}
	if typ == ent.TypeOrganization {
		return op == "update"
	}
	return slices.Contains(editorTypes, typ)
}

// TestRoleMatrix runs every mutation of every type as every role, on a
// record of the editor's own organization and of a foreign one, and checks
// it is allowed exactly where the guard's table says; a refused write is
// FORBIDDEN and leaves no record and no event behind.
func TestRoleMatrix(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		wd := newWorld(t, db)
		for _, typ := range write.EntTypes {
			for _, op := range []string{"create", "update", "delete"} {
				for _, role := range roles {
					t.Run(fmt.Sprintf("%s/%s/%s", typ, op, role), func(t *testing.T) {
						wd.t = t
						own, foreign := wd.org(), wd.org()
						var target int
						if op != "create" {
							target = wd.record(typ, own)
						}
						ctx := viewerFor(wd.ctx, role, own, foreign)
						before := wd.lastEvent()
						var err error
						switch op {
						case "create":
							_, err = wd.create(ctx, typ, own)
						case "update":
							_, err = wd.update(ctx, typ, target, nil)
						case "delete":
							_, err = wd.w.Delete(ctx, typ, target, nil, false)
						}
						checkAllowed(t, wd, allowed(role, typ, op), err, before)
					})
				}
			}
		}
		extras := []struct {
			name  string
			allow func(role string) bool
			run   func(ctx context.Context, own int) error
		}{
			{"upsertOrganizations/create", func(r string) bool { return r == "admin" }, func(ctx context.Context, own int) error {
				_, err := wd.w.UpsertOrganizations(ctx, []*write.UpsertOrganizationInput{{ExternalSource: "test", ExternalID: uniq("org"), Name: "New"}})
				return err
			}},
			{"upsertOrganizations/update", func(r string) bool { return r == "admin" || r == "editor-own" }, func(ctx context.Context, own int) error {
				ext := uniq("org")
				if _, err := wd.c.Organization.UpdateOneID(own).SetExternalSource("test").SetExternalID(ext).Save(wd.ctx); err != nil {
					return fmt.Errorf("setup: %w", err)
				}
				_, err := wd.w.UpsertOrganizations(ctx, []*write.UpsertOrganizationInput{{ExternalSource: "test", ExternalID: ext, Name: "Renamed"}})
				return err
			}},
			{"upsertLocations", func(r string) bool { return r == "admin" || r == "editor-own" }, func(ctx context.Context, own int) error {
				_, err := wd.w.UpsertLocations(ctx, []*write.UpsertLocationInput{{ExternalSource: "test", ExternalID: uniq("loc"), Name: "Clinic", OrganizationID: &own}})
				return err
			}},
			{"upsertServices", func(r string) bool { return r == "admin" || r == "editor-own" }, func(ctx context.Context, own int) error {
				_, err := wd.w.UpsertServices(ctx, []*write.UpsertServiceInput{{ExternalSource: "test", ExternalID: uniq("svc"), Name: "Visits", OrganizationID: &own}})
				return err
			}},
			{"submitResource", func(r string) bool { return true }, func(ctx context.Context, own int) error {
				_, err := wd.w.SubmitResource(ctx, ent.CreateResourceInput{Title: uniq("Tool"), Kind: "TOOL"}, nil)
				return err
			}},
			{"reviewResource", func(r string) bool { return r == "admin" }, func(ctx context.Context, own int) error {
				id := must[*write.Submission](wd.t)(wd.w.SubmitResource(wd.ctx, ent.CreateResourceInput{Title: uniq("Tool"), Kind: "TOOL"}, nil)).Resource.ID
				_, err := wd.w.ReviewResource(ctx, id, write.Publish, nil)
				return err
			}},
		}
		for _, x := range extras {
			for _, role := range roles {
				t.Run(x.name+"/"+role, func(t *testing.T) {
					wd.t = t
					own, foreign := wd.org(), wd.org()
					ctx := viewerFor(wd.ctx, role, own, foreign)
					var before int
					err := x.run(wrapBefore(ctx, wd, &before), own)
					checkAllowed(t, wd, x.allow(role), err, before)
				})
			}
		}
	})
}

// wrapBefore records the feed position just before the call under test
// (after any setup the call does as internal code).
func wrapBefore(ctx context.Context, wd *world, before *int) context.Context {
	*before = wd.lastEvent()
	return ctx
}

func checkAllowed(t *testing.T, wd *world, allow bool, err error, before int) {
	t.Helper()
	switch {
	case allow && err != nil:
		t.Fatalf("allowed by the table, refused: %v", err)
	case allow:
		if len(wd.events(before)) == 0 {
			t.Fatalf("allowed write logged no change event")
		}
	case err == nil:
		t.Fatalf("forbidden by the table, but allowed")
	case !errors.Is(err, auth.ErrForbidden):
		t.Fatalf("want FORBIDDEN, got %T %v", err, err)
	default:
		if evs := wd.events(before); len(evs) > 0 && !setupOnly(evs) {
			t.Fatalf("a refused write logged events: %v", describe(evs))
		}
	}
}

// setupOnly reports whether events come only from a call's own setup
// (made by internal code), not from the refused write.
func setupOnly(evs []*ent.ChangeEvent) bool {
	for _, e := range evs {
		if e.Actor != "cli" {
			return false
		}
	}
	return true
}
