package geo

import (
	"fmt"
	"strconv"
	"time"
)

// countyZone is a county's main time zone and how clear-cut it is.
type countyZone struct {
	zone     string
	zips, of int // ZIPs of the county in zone, of its ZIPs with a known zone
}

func (t *tables) loadTimeZones() error {
	t.zones = make(map[string]countyZone, len(t.counties))
	checked := map[string]bool{}
	err := readTable("county_timezones.csv.gz", []string{"fips", "zone", "zips", "of"}, func(rec []string) error {
		if _, ok := t.counties[rec[0]]; !ok {
			return fmt.Errorf("unknown county %s", rec[0])
		}
		if !checked[rec[1]] {
			if _, err := time.LoadLocation(rec[1]); err != nil {
				return err
			}
			checked[rec[1]] = true
		}
		zips, err1 := strconv.Atoi(rec[2])
		of, err2 := strconv.Atoi(rec[3])
		if err1 != nil || err2 != nil || zips > of {
			return fmt.Errorf("bad counts %v", rec)
		}
		t.zones[rec[0]] = countyZone{rec[1], zips, of}
		return nil
	})
	return err
}

// CountyTimeZone gives the IANA time zone most of a county keeps (for
// example "America/Chicago" for Cook County, 17031), for every county
// LookupCounty knows. A county split between zones gets the zone of most of
// its ZIPs (Ziptz ZIP time zones, counted over the ZIPs that lie in the
// county); a county none of whose ZIPs has a known zone gets its state's most
// common county zone. Zone names are tzdata's and load with time.LoadLocation
// (tzdata is embedded in the binary). It reports false for an unknown code.
func CountyTimeZone(fips string) (string, bool) {
	z, ok := data().zones[fips]
	return z.zone, ok
}

// TimeZoneNear gives the time zone at a coordinate: the main zone of the
// first county of the nearest ZIP (NearestZIP, with its border caveat), or
// false for an invalid coordinate or one whose nearest ZIP has no county
// (the Marshall Islands) or lies more than maxKm away.
func TimeZoneNear(lat, lon, maxKm float64) (string, bool) {
	p, km, ok := NearestZIP(lat, lon)
	if !ok || km > maxKm || len(p.Counties) == 0 {
		return "", false
	}
	return CountyTimeZone(p.Counties[0].FIPS)
}
