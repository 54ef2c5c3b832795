package match

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/geo"
)

// snapshot is the part of the directory matching reads, held in memory and
// indexed by place, so that a match costs one small statement (the feed
// position) instead of loading hundreds of candidates with their areas,
// needs and locations on every call.
//
// It is rebuilt when the change feed has moved past it: every committed
// write, from this process or any other, appends a ChangeEvent, so the
// newest event ID is an exact freshness token across replicas.
type snapshot struct {
	position int // newest ChangeEvent ID when the snapshot was read
	loadTime time.Duration

	// services are the active and temporarily closed services, whole, with
	// their organization, program and areas; needs (IDs only) and located
	// places (positions only) are partial rows.
	services map[int]*ent.Service
	programs map[int]*ent.Program
	terms    []*ent.TaxonomyTerm // the needs vocabulary

	byCode   map[areaKey][]*ent.Service // STATE, COUNTY and ZIP areas by code
	byState  map[string][]*ent.Service  // any area lying in a state (near misses)
	everyone []*ent.Service             // NATIONWIDE and ONLINE
	radii    []radius                   // RADIUS areas
	vectors  *vectorCache
}

// radius is a RADIUS area with its service, flat so the scan is cheap.
type radius struct {
	lat, lon, km float64
	service      *ent.Service
}

type areaKey struct {
	kind servicearea.Kind
	code string
}

// current returns a snapshot no older than the feed: it reads the feed
// position (one indexed statement) and rebuilds when writes came after.
func (m *Matcher) current(ctx context.Context) (*snapshot, error) {
	ids, err := m.client.ChangeEvent.Query().Order(ent.Desc(changeevent.FieldID)).Limit(1).IDs(ctx)
	if err != nil {
		return nil, err
	}
	position := 0
	if len(ids) > 0 {
		position = ids[0]
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snap != nil && m.snap.position == position {
		return m.snap, nil
	}
	// The snapshot is shared by every viewer, so it is read as trusted
	// internal code (no viewer: nothing redacted) and on a context of its
	// own, so one request's cancellation cannot abort a rebuild others wait
	// for. Visibility is applied per request when results are evaluated.
	loadCtx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	snap, err := load(loadCtx, m.client, position)
	if err != nil {
		return nil, fmt.Errorf("load the matching index: %w", err)
	}
	snap.loadTime = time.Since(start)
	m.snap = snap
	return snap, nil
}

// load reads what matching needs: a fixed number of statements.
func load(ctx context.Context, client *ent.Client, position int) (*snapshot, error) {
	services, err := client.Service.Query().
		Where(service.StatusNotIn(service.StatusINACTIVE, service.StatusDEFUNCT)).
		// Whole rows with their organization and program, so a page whose
		// query asks for no more can be served from the index.
		WithOrganization().
		WithProgram().
		WithServiceAreas().
		WithNeeds(func(q *ent.TaxonomyTermQuery) { q.Select(taxonomyterm.FieldID) }).
		WithServiceAtLocations(func(q *ent.ServiceAtLocationQuery) {
			q.Select(serviceatlocation.FieldServiceID, serviceatlocation.FieldLocationID).
				WithLocation(func(q *ent.LocationQuery) {
					q.Select(location.FieldLatitude, location.FieldLongitude, location.FieldConfidential, location.FieldOrganizationID)
				})
		}).
		All(ctx)
	if err != nil {
		return nil, err
	}
	programs, err := client.Program.Query().All(ctx)
	if err != nil {
		return nil, err
	}
	terms, err := client.TaxonomyTerm.Query().
		Where(taxonomyterm.VocabularyEQ(schema.NeedsVocabulary)).
		Select(taxonomyterm.FieldCode, taxonomyterm.FieldName, taxonomyterm.FieldParentID).
		All(ctx)
	if err != nil {
		return nil, err
	}
	s := &snapshot{
		position: position,
		services: make(map[int]*ent.Service, len(services)),
		programs: make(map[int]*ent.Program, len(programs)),
		terms:    terms,
		byCode:   map[areaKey][]*ent.Service{},
		byState:  map[string][]*ent.Service{},
		vectors:  &vectorCache{m: map[int][3]float64{}},
	}
	for _, p := range programs {
		s.programs[p.ID] = p
	}
	for _, svc := range services {
		s.services[svc.ID] = svc
		for _, sal := range svc.Edges.ServiceAtLocations {
			if loc := sal.Edges.Location; loc != nil && loc.Latitude != nil && loc.Longitude != nil {
				s.vectors.m[loc.ID] = unitVector(*loc.Latitude, *loc.Longitude)
			}
		}
		var inEveryone bool
		states := map[string]bool{}
		for _, a := range svc.Edges.ServiceAreas {
			switch a.Kind {
			case servicearea.KindSTATE, servicearea.KindCOUNTY, servicearea.KindZIP:
				k := areaKey{a.Kind, a.Code}
				if list := s.byCode[k]; len(list) == 0 || list[len(list)-1] != svc {
					s.byCode[k] = append(list, svc)
				}
			case servicearea.KindNATIONWIDE, servicearea.KindONLINE:
				inEveryone = true
			case servicearea.KindRADIUS:
				if a.CenterLatitude != nil && a.CenterLongitude != nil && a.RadiusKm != nil {
					s.radii = append(s.radii, radius{*a.CenterLatitude, *a.CenterLongitude, *a.RadiusKm, svc})
				}
			}
			if a.StateCode != "" && !states[a.StateCode] {
				states[a.StateCode] = true
				s.byState[a.StateCode] = append(s.byState[a.StateCode], svc)
			}
		}
		if inEveryone {
			s.everyone = append(s.everyone, svc)
		}
	}
	return s, nil
}

// candidates are the services with an area that may cover the place (and,
// for near misses, any area in its state), in ID order.
func (s *snapshot) candidates(place Place, nearMisses bool) []*ent.Service {
	seen := make(map[int]struct{}, 256)
	var out []*ent.Service
	add := func(list []*ent.Service) {
		for _, svc := range list {
			if _, dup := seen[svc.ID]; !dup {
				seen[svc.ID] = struct{}{}
				out = append(out, svc)
			}
		}
	}
	add(s.everyone)
	if place.State != "" {
		add(s.byCode[areaKey{servicearea.KindSTATE, place.State}])
		if nearMisses {
			add(s.byState[place.State])
		}
	}
	for _, c := range place.MatchCounties {
		add(s.byCode[areaKey{servicearea.KindCOUNTY, c}])
	}
	if place.ZIP != "" {
		add(s.byCode[areaKey{servicearea.KindZIP, place.ZIP}])
	}
	if pt := place.Point; pt != nil {
		for _, r := range s.radii {
			// A great circle is at least its latitude difference long
			// (111.19 km a degree, rounded down): a cheap bound first.
			if math.Abs(r.lat-pt.Lat)*111.19 > r.km {
				continue
			}
			if _, dup := seen[r.service.ID]; dup {
				continue
			}
			if geo.DistanceKm(pt.Lat, pt.Lon, r.lat, r.lon) <= r.km {
				seen[r.service.ID] = struct{}{}
				out = append(out, r.service)
			}
		}
	}
	slices.SortFunc(out, func(a, b *ent.Service) int { return a.ID - b.ID })
	return out
}

// RevealAll reveals every confidential location (internal use and tests).
func RevealAll(int) bool { return true }

// matcherState is embedded in Matcher: the current snapshot.
type matcherState struct {
	mu   sync.Mutex
	snap *snapshot
}
