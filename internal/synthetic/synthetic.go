// Package synthetic generates a synthetic national directory of realistic
// shape for scale tests and benchmarks: organizations spread over the states
// roughly by population (by their number of ZIP codes), services of uneven
// number per organization, implementing the programs and meeting the needs
// already in the database, and tens of thousands of service areas over real
// ZIP codes, counties and states from the embedded geography, so that
// matching a family's ZIP finds a realistic number of candidates.
//
// Every record it writes is marked sample, carries externalSource
// "village-synthetic", a stable externalId and the provenance Provenance,
// and is named "Synthetic …". Generation is deterministic: the same Size
// (including Seed), the same programs and needs in the database and the same
// day give the same records, names and codes.
package synthetic

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	entprogram "github.com/village-directory/village/ent/program"
	_ "github.com/village-directory/village/ent/runtime" // schema hooks: area shapes and their derived state codes
	"github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
)

// Source is the externalSource of every synthetic record.
const Source = "village-synthetic"

// Provenance is the provenance of every synthetic record.
const Provenance = "Synthetic record generated for scale testing; not a real listing."

// NeedsVocabulary is the vocabulary whose terms synthetic services meet.
const NeedsVocabulary = schema.NeedsVocabulary

// Size is how much to generate. Areas is the exact number of service areas
// (coverage rows) over all services; locations and service-at-location
// links follow from the services (about one location per service).
type Size struct {
	Organizations, Services, Areas int
	Seed                           int64
}

// DefaultSize is a national directory: 2,000 organizations running 20,000
// services that cover 100,000 areas.
var DefaultSize = Size{Organizations: 2000, Services: 20000, Areas: 100000, Seed: 1}

// ErrExists is returned when the database already holds synthetic records;
// call Remove first.
var ErrExists = errors.New("synthetic: the database already holds synthetic records (remove them first)")

// Report says what Generate wrote and how long it took.
type Report struct {
	Organizations      int
	Services           int
	ServiceAreas       int
	Locations          int
	ServiceAtLocations int
	// ProgramLinked counts services implementing an existing program;
	// NeedLinks counts service–need links.
	ProgramLinked int
	NeedLinks     int
	// AreasByKind counts areas by kind (ZIP, COUNTY, ...); ServicesByStatus
	// services by status (ACTIVE, ...).
	AreasByKind      map[string]int
	ServicesByStatus map[string]int
	Duration         time.Duration
}

// Rows is the number of records written (join rows for needs excluded).
func (r Report) Rows() int {
	return r.Organizations + r.Services + r.ServiceAreas + r.Locations + r.ServiceAtLocations
}

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d organizations, %d services (%d implementing a program, %d need links), %d areas, %d locations, %d service-at-location links in %s",
		r.Organizations, r.Services, r.ProgramLinked, r.NeedLinks, r.ServiceAreas, r.Locations, r.ServiceAtLocations, r.Duration.Round(time.Millisecond))
	list := func(title string, m map[string]int) {
		fmt.Fprintf(&b, "; %s:", title)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			fmt.Fprintf(&b, " %s=%d", k, m[k])
		}
	}
	list("areas", r.AreasByKind)
	list("services", r.ServicesByStatus)
	return b.String()
}

// paramBudget bounds the bind parameters of one INSERT: PostgreSQL allows
// 65,535 and SQLite 32,766 per statement.
const paramBudget = 30000

// maxBatch bounds the rows of one INSERT.
const maxBatch = 2000

func batchSize(columns int) int { return max(1, min(maxBatch, paramBudget/columns)) }

// Generate writes a synthetic directory of the given size, calling progress
// (when not nil) after each batch with the rows written so far and the total
// to write. It first reads the existing programs and the needs vocabulary to
// link services to; with none, services implement no program and meet no
// need. Each batch is one multi-row INSERT in its own transaction. It
// refuses (ErrExists) to write into a database that already holds synthetic
// records.
func Generate(ctx context.Context, client *ent.Client, size Size, progress func(done, total int)) (Report, error) {
	start := time.Now()
	if size.Organizations < 0 || size.Services < 0 || size.Areas < 0 {
		return Report{}, fmt.Errorf("synthetic: negative size %+v", size)
	}
	if size.Organizations == 0 && (size.Services > 0 || size.Areas > 0) {
		return Report{}, fmt.Errorf("synthetic: services need at least one organization")
	}
	if size.Services == 0 && size.Areas > 0 {
		return Report{}, fmt.Errorf("synthetic: areas need at least one service")
	}
	if exists, err := client.Organization.Query().Where(organization.ExternalSource(Source)).Exist(ctx); err != nil {
		return Report{}, fmt.Errorf("synthetic: look for earlier synthetic records: %w", err)
	} else if exists {
		return Report{}, ErrExists
	}
	progs, err := client.Program.Query().Order(ent.Asc(entprogram.FieldID)).Select(entprogram.FieldID, entprogram.FieldName).All(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("synthetic: read programs: %w", err)
	}
	terms, err := client.TaxonomyTerm.Query().Where(taxonomyterm.Vocabulary(NeedsVocabulary)).
		Order(ent.Asc(taxonomyterm.FieldCode)).Select(taxonomyterm.FieldID, taxonomyterm.FieldCode, taxonomyterm.FieldName).All(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("synthetic: read needs: %w", err)
	}
	programs := make([]program, len(progs))
	for i, p := range progs {
		programs[i] = program{ID: p.ID, Name: p.Name}
	}
	needs := make([]need, len(terms))
	for i, t := range terms {
		needs[i] = need{ID: t.ID, Code: t.Code, Name: t.Name}
	}

	p := makePlan(size, programs, needs, start.UTC().Truncate(24*time.Hour))
	w := &writer{client: client, progress: progress,
		total: len(p.orgs) + len(p.locations) + len(p.services) + len(p.areas) + len(p.links)}
	if err := w.write(ctx, p, programs, needs); err != nil {
		return Report{}, err
	}

	r := Report{
		Organizations: len(p.orgs), Services: len(p.services), ServiceAreas: len(p.areas),
		Locations: len(p.locations), ServiceAtLocations: len(p.links),
		AreasByKind: map[string]int{}, ServicesByStatus: map[string]int{},
	}
	for _, s := range p.services {
		r.ServicesByStatus[s.Status]++
		r.NeedLinks += len(s.Needs)
		if s.Program >= 0 {
			r.ProgramLinked++
		}
	}
	for _, a := range p.areas {
		r.AreasByKind[a.Kind]++
	}
	r.Duration = time.Since(start)
	return r, nil
}

// externalID is a record's stable identifier within Source.
func externalID(kind string, i int) string { return fmt.Sprintf("%s:%06d", kind, i+1) }

// writer inserts a plan in batches.
type writer struct {
	client      *ent.Client
	progress    func(done, total int)
	done, total int
}

func (w *writer) write(ctx context.Context, p *plan, programs []program, needs []need) error {
	g := usGeography()
	orgIDs, err := insert(ctx, w, "organizations", len(p.orgs), batchSize(len(organization.Columns)),
		func(tx *ent.Client, lo, hi int) ([]int, error) {
			b := make([]*ent.OrganizationCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				o := p.orgs[i]
				c := tx.Organization.Create().
					SetSample(true).SetExternalSource(Source).SetExternalID(externalID("organization", i)).SetProvenance(Provenance).
					SetName(o.Name).SetDescription(o.Description).SetLegalStatus(o.LegalStatus).SetYearIncorporated(o.Year)
				if o.Website != "" {
					c.SetWebsite(o.Website)
				}
				if o.Email != "" {
					c.SetEmail(o.Email)
				}
				b = append(b, c)
			}
			list, err := tx.Organization.CreateBulk(b...).Save(ctx)
			return ids(list, err, func(e *ent.Organization) int { return e.ID })
		})
	if err != nil {
		return err
	}
	locIDs, err := insert(ctx, w, "locations", len(p.locations), batchSize(len(location.Columns)),
		func(tx *ent.Client, lo, hi int) ([]int, error) {
			b := make([]*ent.LocationCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				l := p.locations[i]
				c := tx.Location.Create().
					SetSample(true).SetExternalSource(Source).SetExternalID(externalID("location", i)).SetProvenance(Provenance).
					SetName(l.Name).SetDescription(l.Description).SetOrganizationID(orgIDs[l.Org])
				if l.Virtual {
					c.SetLocationType(location.LocationTypeVIRTUAL).SetURL(l.URL)
				} else {
					z := g.zips[l.ZIP]
					c.SetLocationType(location.LocationTypePHYSICAL).
						SetAddress1(fmt.Sprintf("Synthetic address %06d (not a real address)", i+1)).
						SetCity(placeName(z)).SetRegion(z.State).SetPostalCode(z.ZIP).SetCountry("US").
						SetLatitude(l.Lat).SetLongitude(l.Lon).SetConfidential(l.Confidential)
				}
				b = append(b, c)
			}
			list, err := tx.Location.CreateBulk(b...).Save(ctx)
			return ids(list, err, func(e *ent.Location) int { return e.ID })
		})
	if err != nil {
		return err
	}
	svcIDs, err := insert(ctx, w, "services", len(p.services), batchSize(len(service.Columns)),
		func(tx *ent.Client, lo, hi int) ([]int, error) {
			b := make([]*ent.ServiceCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				s := p.services[i]
				c := tx.Service.Create().
					SetSample(true).SetExternalSource(Source).SetExternalID(externalID("service", i)).SetProvenance(Provenance).
					SetName(s.Name).SetDescription(s.Description).SetOrganizationID(orgIDs[s.Org]).
					SetStatus(service.Status(s.Status)).SetDeliveryModes(s.DeliveryModes).SetLanguages(s.Languages).
					SetApplicationProcess(s.ApplicationProcess).
					SetNillableFree(s.Free).
					SetNillableCapacityAvailable(s.CapAvail).SetNillableCapacityMaximum(s.CapMax).
					SetNillableCapacityUpdatedAt(s.CapUpdated)
				if s.Program >= 0 {
					c.SetProgramID(programs[s.Program].ID)
				}
				for _, n := range s.Needs {
					c.AddNeedIDs(needs[n].ID)
				}
				if s.Eligibility != nil {
					c.SetEligibility(s.Eligibility)
				}
				if s.VerifiedAt != nil {
					c.SetVerifiedAt(*s.VerifiedAt).SetVerifiedBy("Synthetic data generator")
				}
				for _, f := range []struct {
					v   string
					set func(string) *ent.ServiceCreate
				}{{s.Fees, c.SetFeesDescription}, {s.URL, c.SetURL}, {s.Email, c.SetEmail},
					{s.WaitTime, c.SetWaitTime}, {s.Interpretation, c.SetInterpretationServices}} {
					if f.v != "" {
						f.set(f.v)
					}
				}
				b = append(b, c)
			}
			list, err := tx.Service.CreateBulk(b...).Save(ctx)
			return ids(list, err, func(e *ent.Service) int { return e.ID })
		})
	if err != nil {
		return err
	}
	if _, err := insert(ctx, w, "service areas", len(p.areas), batchSize(len(servicearea.Columns)),
		func(tx *ent.Client, lo, hi int) ([]int, error) {
			b := make([]*ent.ServiceAreaCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				a := p.areas[i]
				c := tx.ServiceArea.Create().
					SetSample(true).SetExternalSource(Source).SetExternalID(externalID("service-area", i)).SetProvenance(Provenance).
					SetServiceID(svcIDs[a.Service]).SetKind(servicearea.Kind(a.Kind)).SetName(a.Name)
				if a.Code != "" {
					c.SetCode(a.Code)
				}
				if a.Kind == "RADIUS" {
					c.SetCenterLatitude(a.Lat).SetCenterLongitude(a.Lon).SetRadiusKm(a.Radius)
				}
				b = append(b, c)
			}
			list, err := tx.ServiceArea.CreateBulk(b...).Save(ctx)
			return ids(list, err, func(e *ent.ServiceArea) int { return e.ID })
		}); err != nil {
		return err
	}
	_, err = insert(ctx, w, "service-at-location links", len(p.links), batchSize(len(serviceatlocation.Columns)),
		func(tx *ent.Client, lo, hi int) ([]int, error) {
			b := make([]*ent.ServiceAtLocationCreate, 0, hi-lo)
			for i := lo; i < hi; i++ {
				l := p.links[i]
				c := tx.ServiceAtLocation.Create().
					SetSample(true).SetExternalSource(Source).SetExternalID(externalID("service-at-location", i)).SetProvenance(Provenance).
					SetServiceID(svcIDs[l.Service]).SetLocationID(locIDs[l.Location])
				if l.Description != "" {
					c.SetDescription(l.Description)
				}
				b = append(b, c)
			}
			list, err := tx.ServiceAtLocation.CreateBulk(b...).Save(ctx)
			return ids(list, err, func(e *ent.ServiceAtLocation) int { return e.ID })
		})
	return err
}

// ids lists the IDs of created entities, in order.
func ids[E any](list []E, err error, id func(E) int) ([]int, error) {
	if err != nil {
		return nil, err
	}
	out := make([]int, len(list))
	for i, e := range list {
		out[i] = id(e)
	}
	return out, nil
}

// insert writes n rows in batches of size, each batch in its own
// transaction (or in the caller's, when client is already transactional),
// and returns the IDs of the rows in order.
func insert(ctx context.Context, w *writer, what string, n, size int, batch func(tx *ent.Client, lo, hi int) ([]int, error)) ([]int, error) {
	out := make([]int, 0, n)
	for lo := 0; lo < n; lo += size {
		hi := min(n, lo+size)
		got, err := inTx(ctx, w.client, func(tx *ent.Client) ([]int, error) { return batch(tx, lo, hi) })
		if err != nil {
			return nil, fmt.Errorf("synthetic: write %s %d–%d: %w", what, lo+1, hi, err)
		}
		if len(got) != hi-lo {
			return nil, fmt.Errorf("synthetic: write %s %d–%d: %d rows came back", what, lo+1, hi, len(got))
		}
		out = append(out, got...)
		w.done += hi - lo
		if w.progress != nil {
			w.progress(w.done, w.total)
		}
	}
	return out, nil
}

func inTx(ctx context.Context, client *ent.Client, fn func(tx *ent.Client) ([]int, error)) ([]int, error) {
	tx, err := client.Tx(ctx)
	if errors.Is(err, ent.ErrTxStarted) {
		return fn(client)
	}
	if err != nil {
		return nil, err
	}
	out, err := fn(tx.Client())
	if err != nil {
		return nil, errors.Join(err, tx.Rollback())
	}
	return out, tx.Commit()
}

// Remove deletes every synthetic record (those with externalSource Source)
// in one transaction (or in the caller's, when client is already
// transactional) and reports how many rows it deleted. Links to needs go
// with their services.
func Remove(ctx context.Context, client *ent.Client) (int, error) {
	deleted, err := inTx(ctx, client, func(tx *ent.Client) ([]int, error) {
		var out []int
		for _, del := range []func(context.Context) (int, error){
			tx.ServiceAtLocation.Delete().Where(serviceatlocation.ExternalSource(Source)).Exec,
			tx.ServiceArea.Delete().Where(servicearea.ExternalSource(Source)).Exec,
			tx.Service.Delete().Where(service.ExternalSource(Source)).Exec,
			tx.Location.Delete().Where(location.ExternalSource(Source)).Exec,
			tx.Organization.Delete().Where(organization.ExternalSource(Source)).Exec,
		} {
			n, err := del(ctx)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, nil
	})
	if err != nil {
		return 0, fmt.Errorf("synthetic: remove: %w", err)
	}
	total := 0
	for _, n := range deleted {
		total += n
	}
	return total, nil
}
