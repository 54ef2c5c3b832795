package match

import (
	"context"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/service"
)

// Rows reads the whole rows of the results' services and of the programs'
// nearest (Result.Service, ProgramSummary.Nearest) in one statement, by ID,
// for these results only: the index keeps only what matching tests of a
// service. Their organization and program edges are the index's rows
// (shared: never modify them). The rows are read with ctx: the read rules
// redact them for its viewer. A service deleted since it was ranked is
// shown as ranked: a row of the fields the index holds (HeldRow).
func (m *Matcher) Rows(ctx context.Context, results []*Result, programs []*ProgramSummary) error {
	want := make([]*Result, 0, len(results)+len(programs))
	for _, r := range results {
		if r.Service == nil {
			want = append(want, r)
		}
	}
	for _, p := range programs {
		if p.Nearest == nil && p.nearest != nil {
			want = append(want, p.nearest)
		}
	}
	if len(want) > 0 {
		ids := make([]int, 0, len(want))
		seen := make(map[int]bool, len(want))
		for _, r := range want {
			if id := r.ServiceID(); !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		rows, err := m.client.Service.Query().Where(service.IDIn(ids...)).All(ctx)
		if err != nil {
			return err
		}
		byID := make(map[int]*ent.Service, len(rows))
		for _, s := range rows {
			byID[s.ID] = s
		}
		for _, r := range want {
			if r.Service != nil {
				continue // the same result twice: a page's and a nearest
			}
			s := byID[r.ServiceID()]
			if s == nil {
				s = r.HeldRow()
				byID[s.ID] = s
			}
			s.Edges = r.entry.tab.serviceRow.Edges
			s.Edges.Organization, s.Edges.Program = r.entry.org, r.entry.program
			r.Service = s
		}
	}
	for _, p := range programs {
		if p.nearest != nil {
			p.Nearest = p.nearest.Service
		}
	}
	return nil
}

// NearestResult is the program's nearest result (see Nearest); nil for an
// unserved program.
func (p *ProgramSummary) NearestResult() *Result { return p.nearest }

// HeldRow is a row of what the index holds of the result's service, for
// one deleted since it was ranked (its lists and values are the index's:
// never modify them): its organization and program are the index's, its
// other edges empty.
func (r *Result) HeldRow() *ent.Service { return r.entry.heldRow() }

func (e *entry) heldRow() *ent.Service {
	s := new(ent.Service)
	*s = *e.tab.serviceRow // the client's configuration, so its edges can be queried
	s.ID, s.OrganizationID, s.Status, s.Sample = e.svc.ID, e.svc.OrganizationID, e.Status(), e.svc.Sample
	s.Languages, s.DeliveryModes = e.Languages(), e.DeliveryModes()
	s.CapacityAvailable, s.CapacityUpdatedAt, s.WaitDays, s.WaitTime, s.VerifiedAt = e.CapacityAvailable(), e.CapacityUpdatedAt(), e.WaitDays(), e.WaitTime(), e.VerifiedAt()
	if e.program != nil {
		s.ProgramID = &e.program.ID
	}
	s.Edges.Organization, s.Edges.Program = e.org, e.program
	return s
}
