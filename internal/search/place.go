package search

import (
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
	"github.com/village-directory/village/internal/match"
)

// Place is where a search is near, as a family is placed (match's
// FamilyInput): exactly one of a ZIP, a city with its state, a county FIPS
// code, a state alone, or coordinates.
type Place struct {
	ZIP, City, CountyFIPS, State *string
	Latitude, Longitude          *float64
}

// Resolve returns the point distances are measured from: the coordinates,
// the ZIP's centre, the city's centre, or the centre of a county's ZIPs.
// A state alone is too wide to measure from: nil, with no error (results
// keep their relevance order). Errors name fields under prefix ("near").
func (p Place) Resolve(prefix string) (*Point, error) {
	if p.State != nil && p.City == nil && p.ZIP == nil && p.CountyFIPS == nil && p.Latitude == nil && p.Longitude == nil {
		if !geo.ValidStateCode(*p.State) {
			return nil, inputError(prefix+".state", "%q is not a US state postal code (two upper-case letters, e.g. MA)", *p.State)
		}
		return nil, nil
	}
	place, err := match.ResolveArea(p.ZIP, p.CountyFIPS, p.City, p.State, p.Latitude, p.Longitude)
	if err != nil {
		if fe, ok := err.(*directory.FieldError); ok {
			return nil, &directory.FieldError{Field: prefix + "." + fe.Field, Message: fe.Message}
		}
		return nil, err
	}
	if place.Point != nil {
		return &Point{Lat: place.Point.Lat, Lon: place.Point.Lon}, nil
	}
	if p.CountyFIPS != nil {
		var lat, lon float64
		n := 0
		for _, z := range geo.CountyZIPs(*p.CountyFIPS) {
			if zp, ok := geo.LookupZIP(z); ok && zp.HasCentroid {
				lat, lon, n = lat+zp.Latitude, lon+zp.Longitude, n+1
			}
		}
		if n > 0 {
			return &Point{Lat: lat / float64(n), Lon: lon / float64(n)}, nil
		}
	}
	return nil, nil
}
