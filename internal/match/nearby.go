package match

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/internal/geo"
)

// DefaultLocationReachKm is how far from a family a service that records no
// service area may have its nearest location and still be matched, when
// the family gives no maxDistanceKm: about half an hour's drive.
const DefaultLocationReachKm = 40

// site is one located place of a service placed by location, flat so the
// latitude-band scan is cheap.
type site struct {
	lat, lon float64
	pos      int32 // the service's, in snapshot.entries
	loc      int32 // in its entry's locs
}

// PlaceOf is where a location is for matching (and search): its
// coordinates, or, for an address without them, its US ZIP's centroid
// (approx), as a unit vector (geo.UnitVector). Virtual and postal locations
// are not where families are served, and place nothing.
func PlaceOf(loc *ent.Location) (v [3]float64, approx, ok bool) {
	if loc.LocationType != "" && loc.LocationType != location.LocationTypePHYSICAL {
		return v, false, false
	}
	if loc.Latitude != nil && loc.Longitude != nil {
		return geo.UnitVector(*loc.Latitude, *loc.Longitude), false, true
	}
	if c := strings.ToUpper(strings.TrimSpace(loc.Country)); c != "" && c != "US" {
		return v, false, false
	}
	zip, ok := geo.NormalizeZIP(strings.TrimSpace(loc.PostalCode))
	if !ok {
		return v, false, false
	}
	z, found := geo.LookupZIP(zip)
	if !found || !z.HasCentroid {
		return v, false, false
	}
	return geo.UnitVector(z.Latitude, z.Longitude), true, true
}

// latLon is the location's point in degrees (from its unit vector).
func (l *located) latLon() (lat, lon float64) {
	return math.Asin(max(-1, min(1, l.v[2]))) * 180 / math.Pi, math.Atan2(l.v[1], l.v[0]) * 180 / math.Pi
}

// addNearby adds the services placed by location that have a location the
// viewer may see within reachKm of pt. A location the viewer may not see
// never places a service for that viewer: otherwise matches from a few
// points would triangulate it.
func (s *snapshot) addNearby(in bitset, pt LatLon, reachKm float64, reveal func(owner int) bool) {
	if reachKm <= 0 || len(s.sites) == 0 {
		return
	}
	// A great circle is at least its latitude difference long (111.19 km a
	// degree, rounded down), as for radii.
	band := reachKm / 111.19
	first, _ := slices.BinarySearchFunc(s.sites, pt.Lat-band, func(x site, lat float64) int { return cmp.Compare(x.lat, lat) })
	for _, x := range s.sites[first:] {
		if x.lat > pt.Lat+band {
			break
		}
		if in.has(int(x.pos)) || !s.entries[x.pos].locs[x.loc].visible(reveal) {
			continue
		}
		if geo.DistanceKm(pt.Lat, pt.Lon, x.lat, x.lon) <= reachKm {
			in.set(int(x.pos))
		}
	}
}

// locationReach is how far a service placed by location may be from the
// family and still match: the family's travel limit, or the default.
func (p *profile) locationReach() float64 {
	if p.maxDistance != nil {
		return *p.maxDistance
	}
	return DefaultLocationReachKm
}

// distancePhrase is a distance as a sentence says it: "3.2 km", or "about
// 3 km" when it is measured to a ZIP's centre.
func distancePhrase(km float64, approx bool) string {
	if approx {
		return fmt.Sprintf("about %.0f km", math.Max(km, 1))
	}
	return fmt.Sprintf("%.1f km", km)
}

// approxNote explains an approximate distance, for a sentence's end.
const approxNote = " (its address has no coordinates, so this is measured to the centre of its ZIP code)"

// noAreaPhrase says what the service records instead of a service area.
func noAreaPhrase(e *entry) string {
	var words []string
	for _, a := range e.areas {
		if name := e.tab.str(a.name); name != "" {
			words = append(words, "“"+name+"”")
		}
	}
	if len(words) > 0 {
		return "it gives its service area only in words (" + strings.Join(words, ", ") + ")"
	}
	return "it records no service area"
}

// locationSentence is the reason a service placed by location matches.
func locationSentence(e *entry, km float64, approx bool) string {
	s := "Has a location " + distancePhrase(km, approx) + " away; " + noAreaPhrase(e) + "."
	if approx {
		s = "Has a location " + distancePhrase(km, approx) + " away" + approxNote + "; " + noAreaPhrase(e) + "."
	}
	return s
}

// tooFarSentence is the reason a service placed by location is out of
// reach of a family that gave no travel limit.
func tooFarSentence(e *entry, km float64, approx bool) string {
	return fmt.Sprintf("Its nearest location is %s away and %s: farther than the %d km such services are matched within.",
		distancePhrase(km, approx), noAreaPhrase(e), DefaultLocationReachKm)
}
