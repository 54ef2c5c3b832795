package geo

import (
	"cmp"
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

// cityIndex lists, sorted by CityKey, state and ZIP, the ZIPs GeoNames
// names so: one small row a named ZIP, searched by binary search.
type cityIndex []cityRow

type cityRow struct {
	key, state string
	zip        int32 // index in tables.zips
}

func compareCity(r cityRow, key, state string) int {
	return cmp.Or(strings.Compare(r.key, key), strings.Compare(r.state, state))
}

func buildCityIndex(zips []zipRow) cityIndex {
	keys := map[string]string{} // place name → its CityKey, computed once
	ix := make(cityIndex, 0, len(zips))
	for i := range zips {
		r := &zips[i]
		if r.place == "" || r.state == "" {
			continue
		}
		key, ok := keys[r.place]
		if !ok {
			key = CityKey(r.place)
			keys[r.place] = key
		}
		ix = append(ix, cityRow{key: key, state: r.state, zip: int32(i)})
	}
	slices.SortFunc(ix, func(a, b cityRow) int { return cmp.Or(compareCity(a, b.key, b.state), cmp.Compare(a.zip, b.zip)) })
	return slices.Clip(ix)
}

// find returns the rows of key in state, in ZIP order.
func (ix cityIndex) find(key, state string) cityIndex {
	lo, _ := slices.BinarySearchFunc(ix, [2]string{key, state}, func(r cityRow, k [2]string) int { return compareCity(r, k[0], k[1]) })
	hi := lo
	for hi < len(ix) && ix[hi].key == key && ix[hi].state == state {
		hi++
	}
	return ix[lo:hi]
}

// LookupCity resolves a place name in a state to its ZIPs and centre. Names
// are compared by CityKey. It reports false when no ZIP in the state has
// that name.
func LookupCity(name, state string) (City, bool) {
	t := data()
	key := CityKey(name)
	rows := t.cities.find(key, state)
	if len(rows) == 0 {
		return City{}, false
	}
	// Its name as the first of its ZIPs spells it.
	c := City{Name: t.zips[rows[0].zip].place, StateCode: state}
	for _, part := range cityParts[[2]string{key, state}] {
		rows = append(slices.Clip(rows), t.cities.find(part, state)...)
	}
	var lat, lon float64
	n := 0
	for _, r := range rows {
		z := &t.zips[r.zip]
		c.ZIPs = append(c.ZIPs, z.zip)
		if z.hasCentroid {
			lat += z.lat
			lon += z.lon
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
	ix := data().cities
	key := CityKey(name)
	i, _ := slices.BinarySearchFunc(ix, key, func(r cityRow, key string) int { return strings.Compare(r.key, key) })
	var out []string
	for ; i < len(ix) && ix[i].key == key; i++ {
		if n := len(out); n == 0 || out[n-1] != ix[i].state {
			out = append(out, ix[i].state)
		}
	}
	return out
}

// CountyZIPs lists, sorted, the ZIPs that lie (at least partly) in the
// county.
func CountyZIPs(fips string) []string {
	t := data()
	c, ok := t.counties[fips]
	if !ok {
		return nil
	}
	list := t.countyZIPs[t.countyZIPStart[c]:t.countyZIPStart[c+1]]
	if len(list) == 0 {
		return nil
	}
	out := make([]string, len(list))
	for i, z := range list {
		out[i] = t.zips[z].zip
	}
	return out
}

// buildCountyZIPs lists each county's ZIPs, in ZIP order. Only called by
// load.
func (t *tables) buildCountyZIPs() {
	t.countyZIPStart = make([]int32, len(t.countyList)+1)
	for _, c := range t.zipCounties {
		t.countyZIPStart[c+1]++
	}
	for c := 1; c < len(t.countyZIPStart); c++ {
		t.countyZIPStart[c] += t.countyZIPStart[c-1]
	}
	next := slices.Clone(t.countyZIPStart[:len(t.countyList)])
	t.countyZIPs = make([]int32, len(t.zipCounties))
	for i := range t.zips { // in ZIP order
		r := &t.zips[i]
		for _, c := range t.zipCounties[r.counties : r.counties+uint32(r.nCounties)] {
			t.countyZIPs[next[c]] = int32(i)
			next[c]++
		}
	}
}
