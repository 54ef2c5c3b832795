package geo

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// State is a US state, the District of Columbia or a territory.
type State struct {
	Code string // USPS code, e.g. "MA"
	FIPS string // two-digit FIPS code, e.g. "25"
	Name string // e.g. "Massachusetts"
}

// County is a county or county-equivalent (parish, borough, census area,
// independent city, Connecticut planning region, Puerto Rico municipio, ...).
type County struct {
	FIPS      string // five-digit code, state FIPS + county FIPS, e.g. "25025"
	Name      string // e.g. "Suffolk"
	StateCode string // USPS state code, e.g. "MA"
}

// FullName is the county's name as a sentence says it, with its kind where
// the code tells it: "Suffolk County", "Orleans Parish", "San Juan
// Municipio", and for an independent city "Baltimore City", "Richmond City"
// (Baltimore County and Baltimore City share the name "Baltimore"). Alaska's
// boroughs and census areas, Connecticut's planning regions, the District of
// Columbia and the other territories' areas go by their names alone: their
// kinds vary and the reference table does not record them.
func (c County) FullName() string {
	if !ValidCountyFIPS(c.FIPS) {
		return c.Name
	}
	state, county := c.FIPS[:2], c.FIPS[2:]
	switch {
	case state == "22":
		return c.Name + " Parish"
	case state == "72":
		return c.Name + " Municipio"
	case state == "02", state == "11", state == "09" && county >= "100",
		state == "60", state == "66", state == "69", state == "78":
		return c.Name
	case state == "51" && county >= "510", c.FIPS == "24510", c.FIPS == "29510", c.FIPS == "32510":
		if strings.HasSuffix(c.Name, " City") { // Carson City
			return c.Name
		}
		return c.Name + " City"
	}
	return c.Name + " County"
}

// Place is what a ZIP code resolves to.
type Place struct {
	ZIP string
	// PlaceName is GeoNames' name for the ZIP, often a neighbourhood
	// ("Dorchester"); empty for ZIPs known only to the HUD crosswalk.
	PlaceName string
	// StateCode is the USPS state code; empty for military APO/FPO/DPO ZIPs.
	StateCode string
	// Counties lists every county the ZIP lies in: GeoNames' county first,
	// then the other HUD crosswalk counties in code order, each code once.
	// For Connecticut it holds both the planning region (GeoNames) and the
	// old counties (HUD). Empty for military ZIPs.
	Counties []County
	// Latitude and Longitude are GeoNames' centroid, valid when HasCentroid.
	Latitude, Longitude float64
	// HasCentroid is false for ZIPs known only to the HUD crosswalk (Puerto
	// Rico, other territories and a few more).
	HasCentroid bool
}

//go:embed data/*.csv.gz
var dataFS embed.FS

// tables holds everything loaded from the embedded data. It is built once by
// load and never modified afterwards.
//
// The ZIP tables are laid out compactly (they are resident in every
// serving process): one array of small rows sorted by ZIP, searched by
// binary search, whose strings are substrings of the decompressed table,
// and county lists as indices into one county array; a Place is built when
// asked for.
type tables struct {
	states      map[string]State    // by code
	stateByFIPS map[string]State    // by FIPS
	counties    map[string]uint16   // by FIPS: the index in countyList
	countyList  []County            // in the counties table's order
	zips        []zipRow            // sorted by ZIP
	zipCounties []uint16            // each zipRow's counties, by index in countyList
	equiv       map[string][]string // county FIPS -> other codes, sorted
	grid        grid
	cities      cityIndex
	// countyZIPs[countyZIPStart[c]:countyZIPStart[c+1]] are the ZIPs (by
	// index in zips, sorted) lying in county c of countyList.
	countyZIPStart []int32
	countyZIPs     []int32
	zones          map[string]countyZone // county FIPS -> main time zone
}

// zipRow is one ZIP of the tables: what a Place holds, compactly.
type zipRow struct {
	zip, place, state string
	lat, lon          float64
	counties          uint32 // the first of its counties in tables.zipCounties
	nCounties         uint8
	hasCentroid       bool
}

// zip finds a ZIP's row; -1 when unknown.
func (t *tables) zip(zip string) int {
	i, ok := slices.BinarySearchFunc(t.zips, zip, func(r zipRow, zip string) int { return strings.Compare(r.zip, zip) })
	if !ok {
		return -1
	}
	return i
}

// place is the Place of the i-th ZIP, with a County list of its own.
func (t *tables) place(i int) Place {
	r := &t.zips[i]
	p := Place{ZIP: r.zip, PlaceName: r.place, StateCode: r.state, Latitude: r.lat, Longitude: r.lon, HasCentroid: r.hasCentroid}
	if r.nCounties > 0 {
		p.Counties = make([]County, r.nCounties)
		for j, c := range t.zipCounties[r.counties : r.counties+uint32(r.nCounties)] {
			p.Counties[j] = t.countyList[c]
		}
	}
	return p
}

var (
	loadOnce sync.Once
	loaded   *tables
	loadErr  error
)

// data returns the loaded tables. The embedded data is part of the binary and
// checked by the tests, so a failure to load it is a build defect: panic.
func data() *tables {
	loadOnce.Do(func() { loaded, loadErr = load() })
	if loadErr != nil {
		panic("geo: embedded data is corrupt: " + loadErr.Error())
	}
	return loaded
}

// readTable decompresses one embedded table, checks its header and calls fn
// for each row. The tables are CSV without quoting (buildgeo refuses fields
// holding a comma, quote or line break), so a plain split suffices and is
// several times faster than encoding/csv. The record passed to fn is reused;
// the strings in it are substrings of the decompressed file and stay valid.
func readTable(name string, header []string, fn func(rec []string) error) error {
	raw, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return err
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	var buf strings.Builder
	if len(raw) >= 4 { // the gzip trailer ends with the uncompressed size
		buf.Grow(int(binary.LittleEndian.Uint32(raw[len(raw)-4:])))
	}
	if _, err := io.Copy(&buf, zr); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	text := buf.String()
	rec := make([]string, len(header))
	for line := 1; text != ""; line++ {
		var row string
		row, text, _ = strings.Cut(text, "\n")
		n := 0
		for field := range strings.SplitSeq(row, ",") {
			if n == len(rec) {
				n++
				break
			}
			rec[n] = field
			n++
		}
		if n != len(rec) {
			return fmt.Errorf("%s:%d: %d fields, want %d", name, line, n, len(rec))
		}
		if line == 1 {
			if !slices.Equal(rec, header) {
				return fmt.Errorf("%s: header %v, want %v", name, rec, header)
			}
			continue
		}
		if err := fn(rec); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	return nil
}

func load() (*tables, error) {
	t := &tables{
		states:      make(map[string]State, 64),
		stateByFIPS: make(map[string]State, 64),
		counties:    make(map[string]uint16, 3300),
		equiv:       make(map[string][]string),
	}
	err := readTable("states.csv.gz", []string{"code", "fips", "name"}, func(rec []string) error {
		s := State{Code: rec[0], FIPS: rec[1], Name: rec[2]}
		if len(s.Code) != 2 || !isDigits(s.FIPS, 2) {
			return fmt.Errorf("bad state %v", rec)
		}
		t.states[s.Code] = s
		t.stateByFIPS[s.FIPS] = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = readTable("counties.csv.gz", []string{"fips", "state", "name"}, func(rec []string) error {
		c := County{FIPS: rec[0], StateCode: rec[1], Name: rec[2]}
		if !ValidCountyFIPS(c.FIPS) || t.stateByFIPS[c.FIPS[:2]].Code != c.StateCode {
			return fmt.Errorf("bad county %v", rec)
		}
		if _, dup := t.counties[c.FIPS]; dup || len(t.countyList) > math.MaxUint16 {
			return fmt.Errorf("county %v repeated or one too many", rec)
		}
		t.counties[c.FIPS] = uint16(len(t.countyList))
		t.countyList = append(t.countyList, c)
		return nil
	})
	if err != nil {
		return nil, err
	}

	// ZIPs arrive sorted (checked: the rows are found by binary search).
	t.zips = make([]zipRow, 0, 42000)
	t.zipCounties = make([]uint16, 0, 56000)
	near := make([]nearPoint, 0, 42000)
	err = readTable("zips.csv.gz", []string{"zip", "place", "state", "lat", "lon", "acc", "counties"}, func(rec []string) error {
		r := zipRow{zip: rec[0], place: rec[1], state: t.states[rec[2]].Code}
		if !ValidZIP(r.zip) || (rec[2] != "" && r.state == "") {
			return fmt.Errorf("bad ZIP row %v", rec)
		}
		if n := len(t.zips); n > 0 && t.zips[n-1].zip >= r.zip {
			return fmt.Errorf("ZIP %s out of order", r.zip)
		}
		if rec[3] != "" {
			var err1, err2 error
			r.lat, err1 = strconv.ParseFloat(rec[3], 64)
			r.lon, err2 = strconv.ParseFloat(rec[4], 64)
			if err1 != nil || err2 != nil || !validCoord(r.lat, r.lon) {
				return fmt.Errorf("bad centroid in %v", rec)
			}
			r.hasCentroid = true
		}
		r.counties = uint32(len(t.zipCounties))
		for code := range strings.FieldsSeq(rec[6]) {
			c, ok := t.counties[code]
			if !ok {
				return fmt.Errorf("ZIP %s: unknown county %s", r.zip, code)
			}
			t.zipCounties = append(t.zipCounties, c)
		}
		n := len(t.zipCounties) - int(r.counties)
		if n > math.MaxUint8 {
			return fmt.Errorf("ZIP %s: %d counties", r.zip, n)
		}
		r.nCounties = uint8(n)
		// NearestZIP only uses GeoNames rows with a state and an accuracy
		// (1 = estimated, 4 = centroid).
		if r.hasCentroid && r.state != "" && rec[5] != "" {
			near = append(near, nearPoint{lat: r.lat, lon: r.lon, idx: int32(len(t.zips))})
		}
		t.zips = append(t.zips, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.zips, t.zipCounties = slices.Clip(t.zips), slices.Clip(t.zipCounties)
	t.grid = buildGrid(near)
	t.cities = buildCityIndex(t.zips)
	t.buildCountyZIPs()

	err = readTable("county_equivalents.csv.gz", []string{"a", "b", "zips"}, func(rec []string) error {
		if _, ok := t.counties[rec[0]]; !ok {
			return fmt.Errorf("unknown county %s", rec[0])
		}
		if _, ok := t.counties[rec[1]]; !ok {
			return fmt.Errorf("unknown county %s", rec[1])
		}
		t.addEquivalence(rec[0], rec[1])
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := t.loadTimeZones(); err != nil {
		return nil, err
	}
	for _, e := range censusChanges {
		for _, b := range e.to {
			t.addEquivalence(e.from, b)
		}
	}
	for k, v := range t.equiv {
		slices.Sort(v)
		t.equiv[k] = slices.Compact(v)
	}
	return t, nil
}

// LookupZIP resolves a five-digit ZIP code. It reports false for a malformed
// or unknown ZIP. ZIPs known only to the HUD crosswalk (Puerto Rico and other
// territories) resolve without a centroid; ZIPs known only to GeoNames resolve
// with just GeoNames' county. Military APO/FPO/DPO ZIPs resolve with their
// GeoNames name ("APO AE") and centroid but no state and no county.
func LookupZIP(zip string) (Place, bool) {
	t := data()
	i := t.zip(zip)
	if i < 0 {
		return Place{}, false
	}
	return t.place(i), true
}

// LookupCounty names a five-digit county FIPS code. Besides the 2017 Census
// counties it knows the codes of other vintages found in the data:
// Connecticut's planning regions 09110–09190 (named as GeoNames names them),
// Alaska's 02063 Chugach, 02066 Copper River and 02232 Skagway-Hoonah-Angoon,
// and the retired codes HUD still uses, 02270 Wade Hampton and 46113 Shannon.
func LookupCounty(fips string) (County, bool) {
	t := data()
	i, ok := t.counties[fips]
	if !ok {
		return County{}, false
	}
	return t.countyList[i], true
}

// LookupState finds a state, DC or territory by its upper-case USPS code.
func LookupState(code string) (State, bool) {
	s, ok := data().states[code]
	return s, ok
}

// StateByFIPS finds a state, DC or territory by its two-digit FIPS code.
func StateByFIPS(fips string) (State, bool) {
	s, ok := data().stateByFIPS[fips]
	return s, ok
}

// Counties lists every county LookupCounty knows, in FIPS order.
func Counties() []County {
	return slices.SortedFunc(slices.Values(data().countyList), func(a, b County) int { return strings.Compare(a.FIPS, b.FIPS) })
}

// States lists every state, DC and territory, in FIPS order.
func States() []State {
	return slices.SortedFunc(maps.Values(data().stateByFIPS), func(a, b State) int { return strings.Compare(a.FIPS, b.FIPS) })
}
