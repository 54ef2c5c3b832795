package geo

import (
	"slices"
	"strings"
	"unicode"
)

// NormalizeZIP accepts a ZIP as people write it, five digits or ZIP+4
// ("02121", "02121-1234", "021211234"), and returns its five-digit ZIP.
// The +4 part names a delivery route inside the ZIP and adds nothing to
// where the family lives, so it is dropped.
func NormalizeZIP(s string) (string, bool) {
	switch {
	case isDigits(s, 5):
		return s, true
	case len(s) == 10 && s[5] == '-' && isDigits(s[:5], 5) && isDigits(s[6:], 4):
		return s[:5], true
	case isDigits(s, 9):
		return s[:5], true
	}
	return "", false
}

// City is a place as people name it, with the ZIPs GeoNames gives that
// name in one state.
type City struct {
	// Name is the place's name as GeoNames spells it (the first ZIP's).
	Name      string
	StateCode string
	// ZIPs are the place's ZIPs, sorted; for a city with parts (Boston)
	// they include the parts' ZIPs.
	ZIPs []string
	// Latitude and Longitude are the mean of the ZIPs' centroids, valid when
	// HasCentre.
	Latitude, Longitude float64
	HasCentre           bool
}

// cityParts lists the neighbourhoods GeoNames names as places of their own
// although they lie inside a city: a caller who says "Boston" lives in one
// of them as much as in a ZIP named Boston. GeoNames names each ZIP by its
// post office, and Boston's post offices carry the old town names
// (Dorchester, Roxbury, Mattapan, ...). The parts keep their own names too:
// "Dorchester, MA" resolves to Dorchester's ZIPs alone. Only cities whose
// parts are a settled fact are listed: Boston's annexed towns, and New
// York City's boroughs and their post offices as GeoNames names them.
var cityParts = map[[2]string][]string{
	{"boston", "MA"}: {"allston", "brighton", "charlestown", "dorchester", "dorchester center",
		"hyde park", "jamaica plain", "mattapan", "readville", "roslindale", "roxbury", "roxbury crossing",
		"west roxbury"},
	{"new york", "NY"}: {"bronx", "brooklyn", "staten island", "astoria", "bayside", "flushing", "jamaica",
		"long island city", "far rockaway", "ridgewood", "woodside", "corona", "elmhurst", "forest hills",
		"fresh meadows", "jackson heights", "kew gardens", "ozone park", "rego park", "richmond hill",
		"rockaway park", "south ozone park", "south richmond hill", "springfield gardens", "whitestone",
		"college point", "east elmhurst", "glen oaks", "hollis", "howard beach", "little neck", "maspeth",
		"middle village", "oakland gardens", "queens village", "rosedale", "saint albans", "cambria heights",
		"arverne", "breezy point"},
}

// CityKey is the form names are compared in: lower case, letters and digits
// only, one space between words, and the abbreviations people write spelt
// out ("St." and "St" are "saint", "Ft." "fort", "Mt." "mount"). So "ST.
// LOUIS", "Saint Louis" and "st louis" are one name, as are "Coeur d'Alene"
// and "Coeur dAlene". Accents are kept: "Cataño" is not "Catano".
func CityKey(name string) string {
	var b strings.Builder
	word := func(w string) {
		switch w {
		case "st":
			w = "saint"
		case "ste":
			w = "sainte"
		case "ft":
			w = "fort"
		case "mt":
			w = "mount"
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	var cur strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(r)
		case r == '\'' || r == '’':
			// "d'Alene": an apostrophe joins, it does not split
		default:
			if cur.Len() > 0 {
				word(cur.String())
				cur.Reset()
			}
		}
	}
	if cur.Len() > 0 {
		word(cur.String())
	}
	return b.String()
}

// cityIndex maps CityKey+state to the ZIPs GeoNames names so.
type cityIndex struct {
	byKey   map[[2]string][]*Place
	byName  map[string][]string // CityKey -> states having it, sorted
	display map[[2]string]string
}

func buildCityIndex(places []Place) cityIndex {
	ix := cityIndex{byKey: map[[2]string][]*Place{}, byName: map[string][]string{}, display: map[[2]string]string{}}
	for i := range places {
		p := &places[i]
		if p.PlaceName == "" || p.StateCode == "" {
			continue
		}
		k := [2]string{CityKey(p.PlaceName), p.StateCode}
		if _, ok := ix.display[k]; !ok {
			ix.display[k] = p.PlaceName
		}
		ix.byKey[k] = append(ix.byKey[k], p)
	}
	for k := range ix.byKey {
		ix.byName[k[0]] = append(ix.byName[k[0]], k[1])
	}
	for k, v := range ix.byName {
		slices.Sort(v)
		ix.byName[k] = v
	}
	return ix
}

// LookupCity resolves a place name in a state to its ZIPs and centre. Names
// are compared by CityKey. It reports false when no ZIP in the state has
// that name.
func LookupCity(name, state string) (City, bool) {
	t := data()
	key := CityKey(name)
	k := [2]string{key, state}
	places := slices.Clone(t.cities.byKey[k])
	if len(places) == 0 {
		return City{}, false
	}
	for _, part := range cityParts[k] {
		places = append(places, t.cities.byKey[[2]string{part, state}]...)
	}
	c := City{Name: t.cities.display[k], StateCode: state}
	var lat, lon float64
	n := 0
	for _, p := range places {
		c.ZIPs = append(c.ZIPs, p.ZIP)
		if p.HasCentroid {
			lat += p.Latitude
			lon += p.Longitude
			n++
		}
	}
	slices.Sort(c.ZIPs)
	c.ZIPs = slices.Compact(c.ZIPs)
	if n > 0 {
		c.Latitude, c.Longitude, c.HasCentre = lat/float64(n), lon/float64(n), true
	}
	return c, true
}

// CityStates lists, in code order, the states that have a place of that
// name (compared by CityKey).
func CityStates(name string) []string {
	return slices.Clone(data().cities.byName[CityKey(name)])
}

// CountyZIPs lists, sorted, the ZIPs that lie (at least partly) in the
// county.
func CountyZIPs(fips string) []string {
	return slices.Clone(data().countyZIPs[fips])
}
