// Command buildgeo rebuilds the embedded geographic reference files in
// internal/geo/data from the source tables in internal/geo/data/sources
// (gzip-compressed copies of the public tables, credited in
// internal/geo/data/NOTICE.md).
//
// Run it from the module root:
//
//	go run ./internal/geo/internal/buildgeo
//
// It is deliberately not wired to go generate: the source tables change
// rarely, and its test checks the embedded files are current. The output is deterministic (rows sorted,
// gzip header fixed, no timestamps), so rebuilding from the same sources
// yields byte-identical files.
//
// Files written (all gzip-compressed CSV with a header row, sorted, never
// quoted: a field that would need quoting is an error):
//
//	states.csv.gz             code,fips,name
//	counties.csv.gz           fips,state,name
//	zips.csv.gz               zip,place,state,lat,lon,acc,counties
//	county_equivalents.csv.gz a,b,zips
//	county_timezones.csv.gz   fips,zone,zips,of
//
// zips.counties is a space-separated list of county codes: the GeoNames county
// first (when GeoNames has one), then every other HUD crosswalk county in code
// order. Territory ZIPs GeoNames' US table lacks are named and placed by
// the county-equivalent HUD lists first (territory.go), after the crosswalk's
// territory rows are checked against the USPS ZIP ranges and the Census ZCTA
// relationship file, and its Guam rows corrected. county_equivalents lists the Connecticut planning-region / old-county
// pairs observed on the same ZIP (a = GeoNames planning region, b = HUD county,
// zips = how many ZIPs showed the pair). county_timezones gives each county
// the IANA zone of most of its ZIPs (timezone.go).
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

func main() {
	src := flag.String("src", SourceDir, "directory holding the source CSV tables (each NAME.csv or NAME.csv.gz)")
	out := flag.String("out", "internal/geo/data", "directory to write the embedded files to")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("buildgeo: ")

	files, stats, err := Build(*src)
	if err != nil {
		log.Fatal(err)
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(*out, name), files[name], 0o644); err != nil {
			log.Fatal(err)
		}
		log.Printf("wrote %s (%d bytes)", filepath.Join(*out, name), len(files[name]))
	}
	log.Print(stats)
}

// SourceDir is where the source tables are kept, from the module root.
const SourceDir = "internal/geo/data/sources"

// openSource opens the source table name in src, or its gzip-compressed
// copy name.gz.
func openSource(src, name string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(src, name))
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, err
	}
	f, err = os.Open(filepath.Join(src, name+".gz"))
	if err != nil {
		return nil, err
	}
	z, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s.gz: %w", name, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{z, f}, nil
}

// extraStateFIPS gives FIPS codes for state-level areas that GeoNames uses but
// the Census state table (us_states.csv) omits. Source: FIPS PUB 5-2 / ANSI
// INCITS 38 (Marshall Islands = 68).
var extraStateFIPS = map[string]string{"MH": "68"}

type county struct{ fips, state, name string }

type zipRow struct {
	zip, place, state string
	lat, lon, acc     string
	counties          []string
}

// Build reads the source tables in src and returns the embedded files by name,
// plus a one-line summary.
func Build(src string) (map[string][]byte, string, error) {
	read := func(name string, header []string) ([][]string, error) {
		in, err := openSource(src, name)
		if err != nil {
			return nil, err
		}
		defer in.Close()
		r := csv.NewReader(in)
		r.FieldsPerRecord = len(header)
		recs, err := r.ReadAll()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if len(recs) == 0 || !slices.Equal(recs[0], header) {
			return nil, fmt.Errorf("%s: unexpected header %v, want %v", name, recs[0], header)
		}
		for _, rec := range recs[1:] {
			for i := range rec {
				rec[i] = strings.TrimSpace(rec[i])
			}
		}
		return recs[1:], nil
	}

	stateRecs, err := read("us_states.csv", []string{"state_fips", "state_code", "state_name"})
	if err != nil {
		return nil, "", err
	}
	countyRecs, err := read("us_counties.csv", []string{"county_fips", "state_fips", "state_code", "county_name"})
	if err != nil {
		return nil, "", err
	}
	gnRecs, err := read("us_zip_centroids_geonames.csv", []string{"zip", "place_name", "state_code", "state_name", "state_fips", "county_name", "county_fips", "latitude", "longitude", "accuracy"})
	if err != nil {
		return nil, "", err
	}
	hudRecs, err := read("us_zip_county_crosswalk_hud.csv", []string{"zip", "county_fips", "county_name", "state_code"})
	if err != nil {
		return nil, "", err
	}
	terrPlaceRecs, err := read("us_territory_places_geonames.csv", []string{"country", "admin1", "name", "latitude", "longitude"})
	if err != nil {
		return nil, "", err
	}
	zctaRecs, err := read("us_zcta_county_census2010_territories.csv", []string{"zcta", "state_code", "county_name"})
	if err != nil {
		return nil, "", err
	}
	tzRecs, err := read("us_zip_timezones_ziptz.csv", []string{"zip", "timezone"})
	if err != nil {
		return nil, "", err
	}

	// States: the Census table, plus state-level areas GeoNames uses (MH).
	states := map[string][2]string{} // code -> fips, name
	stateByFIPS := map[string]string{}
	for _, r := range stateRecs {
		states[r[1]] = [2]string{r[0], r[2]}
		stateByFIPS[r[0]] = r[1]
	}
	for _, r := range gnRecs {
		code, name := r[2], r[3]
		if code == "" {
			continue
		}
		if _, ok := states[code]; !ok {
			fips := r[4]
			if fips == "" {
				fips = extraStateFIPS[code]
			}
			if fips == "" {
				return nil, "", fmt.Errorf("state %s (%s) has no FIPS code", code, name)
			}
			states[code] = [2]string{fips, name}
			stateByFIPS[fips] = code
		}
	}

	// Counties: the 2017 Census table first, then codes only GeoNames uses
	// (Connecticut planning regions, Alaska 02063/02066/02232), then codes only
	// HUD uses (retired 02270, 46113).
	counties := map[string]county{}
	for _, r := range countyRecs {
		counties[r[0]] = county{r[0], r[2], r[3]}
	}
	inCensus := map[string]bool{}
	for f := range counties {
		inCensus[f] = true
	}
	addCounty := func(fips, name string) error {
		if _, ok := counties[fips]; ok || fips == "" {
			return nil
		}
		st, ok := stateByFIPS[fips[:2]]
		if !ok {
			return fmt.Errorf("county %s: unknown state FIPS %s", fips, fips[:2])
		}
		// The Census table names areas without their "Census Area" suffix
		// ("Valdez-Cordova"); name GeoNames-only areas the same way.
		name = strings.TrimSuffix(name, " Census Area")
		counties[fips] = county{fips, st, name}
		return nil
	}
	for _, r := range gnRecs {
		if err := addCounty(r[6], r[5]); err != nil {
			return nil, "", err
		}
	}
	for _, r := range hudRecs {
		if err := addCounty(r[1], r[2]); err != nil {
			return nil, "", err
		}
	}

	// ZIPs: GeoNames rows; for a ZIP listed twice prefer the row with a state.
	zips := map[string]*zipRow{}
	for _, r := range gnRecs {
		lat, err := coord(r[7], 90)
		if err != nil {
			return nil, "", fmt.Errorf("GeoNames ZIP %s: %w", r[0], err)
		}
		lon, err := coord(r[8], 180)
		if err != nil {
			return nil, "", fmt.Errorf("GeoNames ZIP %s: %w", r[0], err)
		}
		z := &zipRow{zip: r[0], place: r[1], state: r[2], lat: lat, lon: lon, acc: r[9]}
		if r[6] != "" {
			z.counties = []string{r[6]}
		}
		if prev, ok := zips[z.zip]; ok {
			switch {
			case prev.state != "" && z.state == "":
				continue
			case prev.state == "" && z.state != "":
			default:
				return nil, "", fmt.Errorf("GeoNames ZIP %s listed twice", z.zip)
			}
		}
		zips[z.zip] = z
	}
	gnCounty := map[string]string{}
	for zip, z := range zips {
		if len(z.counties) > 0 {
			gnCounty[zip] = z.counties[0]
		}
	}
	// HUD crosswalk: add every county; ZIPs only in HUD get the state of
	// their lowest county code and no centroid.
	hud := map[string][]string{}
	for _, r := range hudRecs {
		hud[r[0]] = append(hud[r[0]], r[1])
	}
	corrected, err := checkTerritories(hud, zctaRecs, counties)
	if err != nil {
		return nil, "", err
	}
	pairs := map[[2]string]int{}
	centres, err := territoryCentres(terrPlaceRecs, counties)
	if err != nil {
		return nil, "", err
	}
	territoryZIPs := 0
	for zip, codes := range hud {
		// A territory ZIP is named and placed by the county HUD lists first
		// for it. (The Census ZCTA file gives one county per ZCTA too, but
		// an arbitrary one of several: its copy keeps the last written.)
		first := codes[0]
		slices.Sort(codes)
		codes = slices.Compact(codes)
		z, ok := zips[zip]
		if !ok {
			z = &zipRow{zip: zip, state: counties[codes[0]].state}
			zips[zip] = z
			if ctr, ok := centres[first]; ok {
				// A territory ZIP GeoNames' US table lacks: named and placed
				// by that county-equivalent.
				z.place, z.lat, z.lon, z.acc = ctr.name, ctr.lat, ctr.lon, "1"
				territoryZIPs++
			}
		}
		for _, c := range codes {
			if !slices.Contains(z.counties, c) {
				z.counties = append(z.counties, c)
			}
		}
		// Connecticut: GeoNames gives the 2022 planning region, HUD the old
		// county; every pair seen on one ZIP denotes overlapping territory.
		if g := gnCounty[zip]; strings.HasPrefix(g, "09") && !inCensus[g] {
			for _, c := range codes {
				if strings.HasPrefix(c, "09") && inCensus[c] {
					pairs[[2]string{g, c}]++
				}
			}
		}
	}
	// Write.
	files := map[string][]byte{}
	var rows [][]string

	rows = rows[:0]
	for code, v := range states {
		rows = append(rows, []string{code, v[0], v[1]})
	}
	if files["states.csv.gz"], err = encode([]string{"code", "fips", "name"}, rows); err != nil {
		return nil, "", err
	}

	rows = nil
	for _, c := range counties {
		rows = append(rows, []string{c.fips, c.state, c.name})
	}
	if files["counties.csv.gz"], err = encode([]string{"fips", "state", "name"}, rows); err != nil {
		return nil, "", err
	}

	rows = nil
	multi := 0
	for _, z := range zips {
		if len(z.counties) > 1 {
			multi++
		}
		rows = append(rows, []string{z.zip, z.place, z.state, z.lat, z.lon, z.acc, strings.Join(z.counties, " ")})
	}
	if files["zips.csv.gz"], err = encode([]string{"zip", "place", "state", "lat", "lon", "acc", "counties"}, rows); err != nil {
		return nil, "", err
	}

	rows = nil
	for p, n := range pairs {
		rows = append(rows, []string{p[0], p[1], strconv.Itoa(n)})
	}
	if files["county_equivalents.csv.gz"], err = encode([]string{"a", "b", "zips"}, rows); err != nil {
		return nil, "", err
	}

	zoneRows, zoneFallback, err := countyZones(tzRecs, zips, counties)
	if err != nil {
		return nil, "", err
	}
	split := 0
	for _, r := range zoneRows {
		if r[2] != r[3] {
			split++
		}
	}
	if files["county_timezones.csv.gz"], err = encode([]string{"fips", "zone", "zips", "of"}, zoneRows); err != nil {
		return nil, "", err
	}

	stats := fmt.Sprintf("%d states, %d counties, %d ZIPs (%d in several counties), %d Connecticut equivalence pairs, %d territory ZIPs placed, %d crosswalk counties corrected, %d county time zones (%d split across zones, %d from their state)",
		len(states), len(counties), len(zips), multi, len(pairs), territoryZIPs, corrected, len(zoneRows), split, zoneFallback)
	return files, stats, nil
}

// coord checks a decimal coordinate and normalises it ("42.2970" -> "42.297");
// empty stays empty.
func coord(s string, limit float64) (string, error) {
	if s == "" {
		return "", nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < -limit || f > limit {
		return "", fmt.Errorf("bad coordinate %q", s)
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// encode sorts rows by their columns and writes them as gzip-compressed CSV
// with a fixed header (no name, no modification time, OS "unknown"). Fields
// must need no CSV quoting, so that the loader can split lines on commas.
func encode(header []string, rows [][]string) ([]byte, error) {
	slices.SortFunc(rows, func(a, b []string) int { return slices.Compare(a, b) })
	var raw bytes.Buffer
	for _, row := range append([][]string{header}, rows...) {
		for i, f := range row {
			if strings.ContainsAny(f, ",\"\r\n") || strings.TrimSpace(f) != f {
				return nil, fmt.Errorf("field %q needs quoting", f)
			}
			if i > 0 {
				raw.WriteByte(',')
			}
			raw.WriteString(f)
		}
		raw.WriteByte('\n')
	}
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	zw.Header = gzip.Header{OS: 255}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
