package main

import (
	"fmt"
	"slices"
	"strconv"
	"time"
	_ "time/tzdata" // zones are checked against the same database the binary embeds
)

// countyZones gives every county its main IANA time zone from the ZIP time
// zones of the Ziptz table (us_zip_timezones_ziptz.csv): the zone of most of
// the ZIPs that lie in the county (every county a ZIP lists counts the ZIP
// once). A tie goes to the zone of more ZIPs whose first-listed county it is,
// then to the zone name first in order, so the build is deterministic. A
// county none of whose ZIPs has a zone takes its state's most common county
// zone (zips = 0 in the output says so). It returns rows fips,zone,zips,of:
// zips is how many of the county's of ZIPs with a zone are in that zone, so a
// split county shows zips < of.
func countyZones(tzRecs [][]string, zips map[string]*zipRow, counties map[string]county) ([][]string, int, error) {
	zoneOf := make(map[string]string, len(tzRecs))
	valid := map[string]bool{}
	for _, r := range tzRecs {
		zip, zone := r[0], r[1]
		if len(zip) != 5 {
			return nil, 0, fmt.Errorf("time zone table: bad ZIP %q", zip)
		}
		if !valid[zone] {
			if _, err := time.LoadLocation(zone); err != nil || zone == "" || zone == "Local" || zone == "UTC" {
				return nil, 0, fmt.Errorf("time zone table: ZIP %s: %q is not an IANA zone", zip, zone)
			}
			valid[zone] = true
		}
		if prev, ok := zoneOf[zip]; ok && prev != zone {
			return nil, 0, fmt.Errorf("time zone table: ZIP %s in two zones", zip)
		}
		zoneOf[zip] = zone
	}
	type tally struct{ all, first int }
	votes := map[string]map[string]*tally{} // county -> zone -> ZIPs
	for zip, z := range zips {
		zone, ok := zoneOf[zip]
		if !ok {
			continue
		}
		for i, c := range z.counties {
			if votes[c] == nil {
				votes[c] = map[string]*tally{}
			}
			v := votes[c][zone]
			if v == nil {
				v = &tally{}
				votes[c][zone] = v
			}
			v.all++
			if i == 0 {
				v.first++
			}
		}
	}
	main := map[string][2]int{} // county -> zips in its zone, ZIPs with a zone
	zoneByCounty := map[string]string{}
	for c, byZone := range votes {
		best, of := "", 0
		for zone, v := range byZone {
			of += v.all
			b := byZone[best]
			if best == "" || v.all > b.all || v.all == b.all && (v.first > b.first || v.first == b.first && zone < best) {
				best = zone
			}
		}
		zoneByCounty[c] = best
		main[c] = [2]int{byZone[best].all, of}
	}
	// States' most common county zone, for counties without a zoned ZIP.
	stateVotes := map[string]map[string]int{}
	for c, zone := range zoneByCounty {
		st := counties[c].state
		if stateVotes[st] == nil {
			stateVotes[st] = map[string]int{}
		}
		stateVotes[st][zone]++
	}
	var rows [][]string
	fallback := 0
	for fips, c := range counties {
		zone, ok := zoneByCounty[fips]
		if !ok {
			best := ""
			for z, n := range stateVotes[c.state] {
				if best == "" || n > stateVotes[c.state][best] || n == stateVotes[c.state][best] && z < best {
					best = z
				}
			}
			if best == "" {
				return nil, 0, fmt.Errorf("county %s (%s, %s): no ZIP and no county of its state has a time zone", fips, c.name, c.state)
			}
			zone = best
			fallback++
		}
		m := main[fips]
		rows = append(rows, []string{fips, zone, strconv.Itoa(m[0]), strconv.Itoa(m[1])})
	}
	slices.SortFunc(rows, func(a, b []string) int { return slices.Compare(a, b) })
	return rows, fallback, nil
}
