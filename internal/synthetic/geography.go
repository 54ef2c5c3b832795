package synthetic

import (
	"math"
	"slices"
	"sync"

	"github.com/village-directory/village/internal/geo"
)

// zipInfo is a real ZIP code usable as a synthetic home, anchor or area: it
// has a centroid, a state and at least one county.
type zipInfo struct {
	ZIP       string
	PlaceName string
	State     string
	Counties  []geo.County // GeoNames' county first
	Lat, Lon  float64
}

// geography is the part of the embedded reference table the generator
// draws from, built once.
type geography struct {
	zips    []zipInfo        // every usable ZIP, in code order
	byState map[string][]int // state code -> indexes into zips, in code order
	// density[i] is how many ZIP centroids lie within densityRadiusKm of
	// zips[i] (itself included): a stand-in for population, high in cities.
	density []float64
	// densityCum[st] is the running sum of density over byState[st].
	densityCum map[string][]float64
}

// densityRadiusKm is the radius within which ZIPs are counted for density.
const densityRadiusKm = 15

var (
	geoOnce sync.Once
	geoData *geography
)

// usGeography lists every usable ZIP. The geo package offers no enumeration,
// so it scans the whole five-digit space once (100,000 look-ups, a few tens
// of milliseconds) and keeps the ZIPs with a centroid, a state and a county.
func usGeography() *geography {
	geoOnce.Do(func() {
		g := &geography{byState: make(map[string][]int)}
		buf := []byte("00000")
		for n := 0; n < 100000; n++ {
			v := n
			for i := 4; i >= 0; i-- {
				buf[i] = byte('0' + v%10)
				v /= 10
			}
			p, ok := geo.LookupZIP(string(buf))
			if !ok || !p.HasCentroid || p.StateCode == "" || len(p.Counties) == 0 {
				continue
			}
			if _, ok := geo.LookupCounty(p.Counties[0].FIPS); !ok {
				continue
			}
			g.byState[p.StateCode] = append(g.byState[p.StateCode], len(g.zips))
			g.zips = append(g.zips, zipInfo{
				ZIP: p.ZIP, PlaceName: p.PlaceName, State: p.StateCode,
				Counties: p.Counties, Lat: p.Latitude, Lon: p.Longitude,
			})
		}
		g.computeDensity()
		geoData = g
	})
	return geoData
}

// neighbourhood is what an organization's services draw their places from:
// the ZIPs of its home state nearest its home (home first), and the distinct
// counties those ZIPs lie in, nearest first.
type neighbourhood struct {
	zips     []int // indexes into geography.zips
	counties []string
}

// maxNeighbours bounds an organization's neighbourhood: a local service
// covers at most this many ZIPs.
const maxNeighbours = 150

// maxNeighbourCounties bounds the counties an organization's services cover.
const maxNeighbourCounties = 8

func (g *geography) neighbourhood(home int) neighbourhood {
	h := g.zips[home]
	same := g.byState[h.State]
	type cand struct {
		idx int
		d   float64
	}
	cos := math.Cos(h.Lat * math.Pi / 180)
	cands := make([]cand, 0, len(same))
	for _, i := range same {
		z := g.zips[i]
		dy, dx := z.Lat-h.Lat, (z.Lon-h.Lon)*cos
		cands = append(cands, cand{i, dy*dy + dx*dx})
	}
	slices.SortFunc(cands, func(a, b cand) int {
		switch {
		case a.idx == b.idx:
			return 0
		case a.idx == home:
			return -1
		case b.idx == home:
			return 1
		case a.d < b.d:
			return -1
		case a.d > b.d:
			return 1
		}
		return a.idx - b.idx
	})
	n := neighbourhood{}
	seen := map[string]bool{}
	for _, c := range cands[:min(len(cands), maxNeighbours)] {
		n.zips = append(n.zips, c.idx)
		for _, county := range g.zips[c.idx].Counties {
			if len(n.counties) < maxNeighbourCounties && !seen[county.FIPS] && county.StateCode == h.State {
				if _, ok := geo.LookupCounty(county.FIPS); ok {
					seen[county.FIPS] = true
					n.counties = append(n.counties, county.FIPS)
				}
			}
		}
	}
	return n
}

// computeDensity counts, for every ZIP, the ZIPs within densityRadiusKm,
// using a grid of cells about that size.
func (g *geography) computeDensity() {
	const cell = 0.15 // degrees of latitude, ~16.7 km
	type key struct{ r, c int }
	cellOf := func(z zipInfo) key {
		return key{int(math.Floor(z.Lat / cell)), int(math.Floor(z.Lon / cell))}
	}
	grid := map[key][]int{}
	for i, z := range g.zips {
		k := cellOf(z)
		grid[k] = append(grid[k], i)
	}
	g.density = make([]float64, len(g.zips))
	for i, z := range g.zips {
		k := cellOf(z)
		// Longitude cells shrink towards the poles: widen the search.
		span := int(math.Ceil(1 / math.Max(0.1, math.Cos(z.Lat*math.Pi/180))))
		n := 0
		for dr := -1; dr <= 1; dr++ {
			for dc := -span; dc <= span; dc++ {
				for _, j := range grid[key{k.r + dr, k.c + dc}] {
					o := g.zips[j]
					if geo.DistanceKm(z.Lat, z.Lon, o.Lat, o.Lon) <= densityRadiusKm {
						n++
					}
				}
			}
		}
		g.density[i] = float64(n)
	}
	g.densityCum = make(map[string][]float64, len(g.byState))
	for st, list := range g.byState {
		cum := make([]float64, len(list))
		var sum float64
		for k, i := range list {
			sum += g.density[i]
			cum[k] = sum
		}
		g.densityCum[st] = cum
	}
}
