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

func validCoord(lat, lon float64) bool {
	return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180 // false for NaN
}
