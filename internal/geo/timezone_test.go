package geo

import (
	"testing"
	"time"
)

func TestCountyTimeZone(t *testing.T) {
	for _, c := range []struct{ fips, zone string }{
		{"17031", "America/Chicago"},              // Cook IL
		{"04013", "America/Phoenix"},              // Maricopa AZ: no DST
		{"15003", "Pacific/Honolulu"},             // Honolulu
		{"02020", "America/Anchorage"},            // Anchorage
		{"48141", "America/Denver"},               // El Paso TX keeps Mountain time
		{"18089", "America/Chicago"},              // Lake IN: Central, unlike most of Indiana
		{"18157", "America/Indiana/Indianapolis"}, // Tippecanoe IN: Eastern
		{"18123", "America/Indiana/Tell_City"},    // Perry IN: Central
		{"21001", "America/Chicago"},              // Adair KY: Central
		{"21111", "America/Kentucky/Louisville"},  // Jefferson KY: Eastern
		{"41045", "America/Boise"},                // Malheur OR: Mountain, a corner Pacific
		{"16049", "America/Los_Angeles"},          // Idaho County ID: split, most Pacific
		{"12045", "America/New_York"},             // Gulf FL: split, most Eastern
		{"04001", "America/Denver"},               // Apache AZ: most ZIPs Navajo Nation, which keeps DST
		{"72127", "America/Puerto_Rico"},          // San Juan PR
		{"66010", "Pacific/Guam"},
		{"09110", "America/New_York"}, // a Connecticut planning region
	} {
		got, ok := CountyTimeZone(c.fips)
		if !ok || got != c.zone {
			t.Errorf("CountyTimeZone(%s) = %q, %v; want %q", c.fips, got, ok, c.zone)
		}
	}
	if z, ok := CountyTimeZone("99999"); ok || z != "" {
		t.Errorf("unknown county has zone %q", z)
	}
	// Split counties say so; whole ones do not.
	if zips, of := countyTimeZoneSplit("41045"); zips >= of || zips*2 <= of {
		t.Errorf("Malheur split %d of %d, want a majority short of all", zips, of)
	}
	if zips, of := countyTimeZoneSplit("17031"); zips != of || zips < 100 {
		t.Errorf("Cook split %d of %d, want all", zips, of)
	}
}

// TestEveryCountyHasZone walks counties.csv.gz: every county has a zone that
// loads, and a zone's rules are what the county keeps (Maricopa no DST,
// Cook with DST).
func TestEveryCountyHasZone(t *testing.T) {
	counties := Counties()
	if len(counties) != 3245 {
		t.Fatalf("%d counties", len(counties))
	}
	for _, c := range counties {
		z, ok := CountyTimeZone(c.FIPS)
		if !ok {
			t.Errorf("county %s (%s, %s) has no time zone", c.FIPS, c.Name, c.StateCode)
			continue
		}
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("county %s: zone %q: %v", c.FIPS, z, err)
		}
	}
	july := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	jan := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	offset := func(fips string, at time.Time) int {
		z, _ := CountyTimeZone(fips)
		loc, _ := time.LoadLocation(z)
		_, off := at.In(loc).Zone()
		return off / 3600
	}
	if offset("04013", july) != -7 || offset("04013", jan) != -7 {
		t.Error("Maricopa should be UTC-7 all year")
	}
	if offset("17031", july) != -5 || offset("17031", jan) != -6 {
		t.Error("Cook should be UTC-6, UTC-5 in summer")
	}
}

func TestTimeZoneNear(t *testing.T) {
	for _, c := range []struct {
		lat, lon float64
		zone     string
	}{
		{41.8781, -87.6298, "America/Chicago"},   // Chicago
		{33.4484, -112.074, "America/Phoenix"},   // Phoenix
		{31.7619, -106.485, "America/Denver"},    // El Paso
		{21.3069, -157.8583, "Pacific/Honolulu"}, // Honolulu
		{61.2181, -149.9003, "America/Anchorage"},
		{42.3601, -71.0589, "America/New_York"}, // Boston
	} {
		got, ok := TimeZoneNear(c.lat, c.lon, 50)
		if !ok || got != c.zone {
			t.Errorf("TimeZoneNear(%v, %v) = %q, %v; want %q", c.lat, c.lon, got, ok, c.zone)
		}
	}
	if _, ok := TimeZoneNear(0, 0, 50); ok { // Gulf of Guinea
		t.Error("a point far from any ZIP has a zone")
	}
	if _, ok := TimeZoneNear(91, 0, 50); ok {
		t.Error("an invalid coordinate has a zone")
	}
}

// countyTimeZoneSplit reports how clear-cut a county's zone is: of its ZIPs
// with a known zone, how many keep the zone CountyTimeZone gives (zips ==
// of for a county wholly in one zone; 0, 0 when the zone is its state's).
func countyTimeZoneSplit(fips string) (zips, of int) {
	z := data().zones[fips]
	return z.zips, z.of
}
