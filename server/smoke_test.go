package server_test

import (
	"context"
	"testing"

	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

func TestSmoke(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := db.Client.Organization.Create().SetName("ZERO TO THREE").SaveX(ctx)
		lo, hi := 0, 24
		db.Client.Program.Create().SetName("Nurse-Family Partnership").SetOrganization(org).
			SetEligibility(&directory.Eligibility{MinAgeMonths: &lo, MaxAgeMonths: &hi}).SaveX(ctx)
		a := newAPI(t, db, server.Config{})
		res := a.query(`{ programs(first: 10) { totalCount edges { cursor node { id name eligibility { minAgeMonths maxAgeMonths } organization { name } } } } }`, nil)
		t.Logf("%d %s %+v", res.Status, res.Data, res.Errors)
	})
}
