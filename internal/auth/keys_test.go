package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
)

func TestKeys(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := db.Client.Organization.Create().SetName("Org").SaveX(ctx)
		// Two editors of one organization (a call center and its CRM sync).
		first, _, err := auth.CreateKey(ctx, db.Client, "clinic console", auth.Editor, []int{org.ID})
		if err != nil {
			t.Fatal(err)
		}
		second, key2, err := auth.CreateKey(ctx, db.Client, "clinic sync", auth.Editor, []int{org.ID})
		if err != nil {
			t.Fatalf("second editor key for the same organization: %v", err)
		}
		if !strings.HasPrefix(first, "vlg_") || first == second {
			t.Fatalf("secrets %q, %q", first, second)
		}
		v, err := auth.Authenticate(ctx, db.Client, second)
		if err != nil || v.Role != auth.Editor || v.Name != "clinic sync" || len(v.Organizations) != 1 || v.Organizations[0] != org.ID {
			t.Fatalf("authenticate: %+v %v", v, err)
		}
		// Only a hash is stored.
		for _, k := range db.Client.APIKey.Query().AllX(ctx) {
			if k.SecretHash == first || k.SecretHash == second || strings.Contains(k.SecretHash, "vlg_") {
				t.Fatal("a secret is stored in clear")
			}
		}
		if err := auth.RevokeKey(ctx, db.Client, key2.ID); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{second, first + "x", "vlg_short", "not-a-key", ""} {
			if _, err := auth.Authenticate(ctx, db.Client, bad); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("Authenticate(%q) = %v, want ErrUnauthenticated", bad, err)
			}
		}
		if _, _, err := auth.CreateKey(ctx, db.Client, "x", auth.Editor, nil); err == nil {
			t.Error("an editor key without organizations was created")
		}
		if _, _, err := auth.CreateKey(ctx, db.Client, "x", auth.Reader, []int{org.ID}); err == nil {
			t.Error("a reader key scoped to an organization was created")
		}
		if _, _, err := auth.CreateKey(ctx, db.Client, "x", auth.Editor, []int{org.ID + 999}); err == nil {
			t.Error("an editor key for a missing organization was created")
		}
	})
}
