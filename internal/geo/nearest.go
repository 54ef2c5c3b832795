package geo

import (
	"math"
	"slices"
)

// The NearestZIP index buckets ZIP centroids into 1° × 1° cells (180 rows of
// latitude × 360 columns of longitude, stored as a compressed sparse row
// array) and searches rings of cells around the query until no unsearched
// cell can hold anything closer than the best found.

const (
	gridRows = 180
	gridCols = 360
	degRad   = math.Pi / 180
)

type nearPoint struct {
	lat, lon float64 // degrees
	cosLat   float64
	idx      int32 // index into tables.zips
}

type grid struct {
	start []int32     // cell c holds pts[start[c]:start[c+1]]
	pts   []nearPoint // grouped by cell, ZIP order within a cell
}

func cellOf(lat, lon float64) (row, col int) {
	row = min(int(math.Floor(lat))+90, gridRows-1)
	col = ((int(math.Floor(lon))+180)%gridCols + gridCols) % gridCols
	return row, col
}

// buildGrid indexes pts (given in ZIP order) by cell with a stable counting
// sort, so points within a cell stay in ZIP order.
func buildGrid(pts []nearPoint) grid {
	g := grid{start: make([]int32, gridRows*gridCols+1), pts: make([]nearPoint, len(pts))}
	cells := make([]int32, len(pts))
	for i := range pts {
		pts[i].cosLat = math.Cos(pts[i].lat * degRad)
		r, c := cellOf(pts[i].lat, pts[i].lon)
		cells[i] = int32(r*gridCols + c)
		g.start[cells[i]+1]++
	}
	for c := 1; c < len(g.start); c++ {
		g.start[c] += g.start[c-1]
	}
	next := slices.Clone(g.start[:gridRows*gridCols])
	for i, p := range pts {
		g.pts[next[cells[i]]] = p
		next[cells[i]]++
	}
	return g
}

// NearestZIP returns the ZIP whose GeoNames centroid is nearest to the given
// point (decimal degrees), with its great-circle distance in kilometres. Only
// GeoNames ZIPs with a state and a stated accuracy are candidates: military
// ZIPs, ZIPs known only to HUD (no centroid) and the few GeoNames rows without
// an accuracy are never returned. Several ZIPs often share one centroid; ties
// go to the lowest ZIP. There is no distance limit: a point in the open ocean
// still gets the nearest US ZIP, so callers should check the distance. It
// reports false for an invalid coordinate (NaN, |lat| > 90, |lon| > 180).
//
// Border caveat: a centroid summarises a whole ZIP, so the nearest centroid
// may lie across a county or state line from the point, and the ZIP that
// actually contains the point may have a farther centroid. Use the result as
// an approximate locality (for distances and suggestions), not to decide in
// which county or state a point lies.
func NearestZIP(lat, lon float64) (Place, float64, bool) {
	if !validCoord(lat, lon) {
		return Place{}, 0, false
	}
	t := data()
	idx, h := t.grid.nearest(lat, lon)
	if idx < 0 {
		return Place{}, 0, false
	}
	return t.place(int(idx)), 2 * EarthRadiusKm * math.Asin(math.Sqrt(min(h, 1))), true
}

// nearest returns the index of the nearest point and its haversine value
// h = sin²(Δφ/2) + cosφ1·cosφ2·sin²(Δλ/2), which grows with distance; -1 if
// the grid is empty.
func (g *grid) nearest(lat, lon float64) (int32, float64) {
	row0, col0 := cellOf(lat, lon)
	cos0 := math.Cos(lat * degRad)
	best, bestH := int32(-1), math.Inf(1)
	maxDLat := math.Inf(1) // |Δφ| in degrees beyond which nothing can beat best

	visit := func(row, col int) {
		if row < 0 || row >= gridRows {
			return
		}
		col = (col%gridCols + gridCols) % gridCols
		c := row*gridCols + col
		for _, p := range g.pts[g.start[c]:g.start[c+1]] {
			dlat := p.lat - lat
			if math.Abs(dlat) > maxDLat {
				continue
			}
			sp := math.Sin(dlat * degRad / 2)
			sl := math.Sin((p.lon - lon) * degRad / 2)
			h := sp*sp + cos0*p.cosLat*sl*sl
			if h < bestH || (h == bestH && p.idx < best) {
				best, bestH = p.idx, h
				maxDLat = 2 * math.Asin(math.Sqrt(min(h, 1))) / degRad
			}
		}
	}

	for r := 0; r <= gridCols/2; r++ {
		if best >= 0 && ringLowerBound(lat, cos0, r) > bestH {
			break
		}
		if r == 0 {
			visit(row0, col0)
			continue
		}
		for dr := -r; dr <= r; dr++ {
			if dr == -r || dr == r {
				for dc := -r; dc <= r; dc++ {
					visit(row0+dr, col0+dc)
				}
			} else {
				visit(row0+dr, col0-r)
				visit(row0+dr, col0+r)
			}
		}
	}
	return best, bestH
}

// ringLowerBound returns a lower bound on the haversine value h of any point
// in ring r (cells whose row or column differs from the query's by exactly r).
// Such a point is more than r-1 degrees away in latitude, or more than r-1
// degrees away in longitude at a latitude no nearer the pole than |lat|+r+1.
func ringLowerBound(lat, cos0 float64, r int) float64 {
	if r <= 1 {
		return 0
	}
	d := float64(r-1) * degRad
	s := math.Sin(d / 2)
	latH := s * s
	cos2 := math.Cos(math.Min(90, math.Abs(lat)+float64(r+1)) * degRad)
	lonH := cos0 * max(cos2, 0) * s * s
	return min(latH, lonH)
}
