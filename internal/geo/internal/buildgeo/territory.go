package main

import (
	"fmt"
	"slices"
	"strings"
)

// territoryRange is a block of ZIPs the Postal Service assigns to one
// territory (USPS Publication 65, National Five-Digit ZIP Code and Post
// Office Directory): every ZIP in it lies in that territory, whatever a
// crosswalk row says.
type territoryRange struct {
	from, to, state string
	// county is the territory's only county-equivalent, used to correct a
	// crosswalk row that names another territory's; empty where the
	// territory has several (a wrong row there is an error to look at).
	county string
}

var territoryRanges = []territoryRange{
	{"00600", "00799", "PR", ""},
	{"00800", "00859", "VI", ""},
	{"00900", "00999", "PR", ""},
	{"96799", "96799", "AS", ""},
	{"96910", "96932", "GU", "66010"},
	{"96950", "96952", "MP", ""},
}

func territoryOf(zip string) (territoryRange, bool) {
	for _, r := range territoryRanges {
		if zip >= r.from && zip <= r.to {
			return r, true
		}
	}
	return territoryRange{}, false
}

// checkTerritories cross-checks the HUD crosswalk's territory rows against
// the USPS ZIP ranges and the Census Bureau's 2010 ZCTA–county relationship
// file (which covers Puerto Rico; the Island Areas have no ZCTAs). The HUD
// copy maps Guam's ZIPs (969xx) to American Samoa's county 60010: a county
// of the wrong territory is replaced by the territory's own when it has only
// one (Guam), and is an error otherwise. A ZCTA the Census places in another
// state than HUD's counties is an error. It returns how many rows it
// corrected.
func checkTerritories(hud map[string][]string, zctaRecs [][]string, counties map[string]county) (int, error) {
	corrected := 0
	for zip, codes := range hud {
		r, ok := territoryOf(zip)
		if !ok {
			continue
		}
		for i, c := range codes {
			if counties[c].state == r.state {
				continue
			}
			if r.county == "" {
				return 0, fmt.Errorf("HUD crosswalk: ZIP %s (%s) lies in county %s of %s", zip, r.state, c, counties[c].state)
			}
			codes[i] = r.county
			corrected++
		}
		seen := map[string]bool{}
		hud[zip] = slices.DeleteFunc(codes, func(c string) bool {
			dup := seen[c]
			seen[c] = true
			return dup
		})
	}
	for _, rec := range zctaRecs {
		zip, state := rec[0], rec[1]
		if r, ok := territoryOf(zip); !ok || r.state != state {
			return 0, fmt.Errorf("Census ZCTA %s lies in %s, outside the USPS range for it", zip, state)
		}
		codes, ok := hud[zip]
		if !ok {
			continue // a ZCTA retired from the crosswalk: nothing to check
		}
		if !slices.ContainsFunc(codes, func(c string) bool { return counties[c].state == state }) {
			return 0, fmt.Errorf("ZIP %s: the Census places it in %s, the HUD crosswalk in %v", zip, state, codes)
		}
	}
	return corrected, nil
}

// centre is where a territory ZIP without a GeoNames postal centroid is
// placed, and the name it is given.
type centre struct{ name, lat, lon string }

// territoryCentres places each territory county-equivalent (Puerto Rico's
// municipios, the Virgin Islands' islands, American Samoa's districts,
// the Northern Marianas' municipalities, Guam) at the GeoNames populated
// place of its own name (the municipio's seat: Ponce in Ponce), or else at
// the mean of its GeoNames places. GeoNames codes a territory's
// first-level divisions as the Census county codes (PR 001 = 72001), except
// Guam, whose villages it codes by letters: Guam is one county, 66010.
func territoryCentres(recs [][]string, counties map[string]county) (map[string]centre, error) {
	stateFIPS := map[string]string{"PR": "72", "VI": "78", "AS": "60", "MP": "69", "GU": "66"}
	byCounty := map[string][][]string{}
	for _, r := range recs {
		fips := stateFIPS[r[0]] + r[1]
		if r[0] == "GU" {
			fips = "66010"
		}
		if stateFIPS[r[0]] == "" {
			return nil, fmt.Errorf("territory place %v: unknown territory", r)
		}
		if _, ok := counties[fips]; !ok {
			continue // Swains Island (60040) and Rose Atoll: no county code, no ZIP of their own
		}
		byCounty[fips] = append(byCounty[fips], r)
	}
	out := map[string]centre{}
	for fips, places := range byCounty {
		c := counties[fips]
		name := c.name
		if c.state == "GU" || c.state == "AS" {
			name = "" // no ZIP is named after Guam or a Samoan district
		}
		own := slices.IndexFunc(places, func(r []string) bool { return strings.EqualFold(r[2], c.name) })
		if own >= 0 {
			lat, err := coord(places[own][3], 90)
			if err != nil {
				return nil, err
			}
			lon, err := coord(places[own][4], 180)
			if err != nil {
				return nil, err
			}
			out[fips] = centre{name, lat, lon}
			continue
		}
		var sumLat, sumLon float64
		for _, r := range places {
			var la, lo float64
			if _, err := fmt.Sscan(r[3], &la); err != nil {
				return nil, fmt.Errorf("territory place %v: %w", r, err)
			}
			if _, err := fmt.Sscan(r[4], &lo); err != nil {
				return nil, fmt.Errorf("territory place %v: %w", r, err)
			}
			sumLat += la
			sumLon += lo
		}
		n := float64(len(places))
		out[fips] = centre{name, fmt.Sprintf("%.5f", sumLat/n), fmt.Sprintf("%.5f", sumLon/n)}
	}
	return out, nil
}
