package geo

import "math"

// EarthRadiusKm is the mean Earth radius (IUGG) used by DistanceKm.
const EarthRadiusKm = 6371.0088

// DistanceKm returns the great-circle (haversine) distance in kilometres
// between two points given in decimal degrees.
func DistanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	p1, p2 := lat1*rad, lat2*rad
	sdp := math.Sin((p2 - p1) / 2)
	sdl := math.Sin((lon2 - lon1) * rad / 2)
	h := sdp*sdp + math.Cos(p1)*math.Cos(p2)*sdl*sdl
	return 2 * EarthRadiusKm * math.Asin(math.Sqrt(min(h, 1)))
}

// UnitVector is the point (in decimal degrees) on the unit sphere: the
// distance between two is one dot product and one acos (or, as chords,
// one subtraction and one asin), which the matcher and search measure
// their indexes' places by.
func UnitVector(lat, lon float64) [3]float64 {
	φ, λ := lat*math.Pi/180, lon*math.Pi/180
	return [3]float64{math.Cos(φ) * math.Cos(λ), math.Cos(φ) * math.Sin(λ), math.Sin(φ)}
}

func validCoord(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 // false for NaN
}
