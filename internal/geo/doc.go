// Package geo is Village's offline US geographic reference: it resolves ZIP
// codes to their place, state, counties and centroid, names counties and
// states, finds the ZIP nearest a coordinate, measures great-circle distances
// and reconciles county codes across Census vintages. Families are matched to
// early-childhood services by place, and this package supplies the places.
//
// All data is embedded in the binary (internal/geo/data) and loaded lazily, once,
// on first use; no network look-up is ever made. After loading, every table is
// immutable, so all functions are safe for concurrent use. Slices returned to
// callers are fresh copies that they may modify.
//
// # Sources
//
//   - GeoNames US postal codes (CC BY 4.0, "GeoNames (geonames.org)"): ZIP place
//     names, centroids and one county per ZIP. GeoNames uses Connecticut's 2022
//     planning regions (09110–09190) as county codes.
//   - HUD USPS ZIP–county crosswalk (a US government work): every county a ZIP
//     touches, using Connecticut's old counties (09001–09015); it also covers
//     Puerto Rico and other territories GeoNames lacks. Its territory rows are
//     checked against the USPS ZIP ranges and the Census 2010 ZCTA–county
//     relationship file; its Guam rows (which name American Samoa) corrected.
//   - GeoNames populated places of the territories: a territory ZIP is named
//     and placed by its county-equivalent (municipio, island, district).
//   - Census Bureau state and 2017 county tables.
//   - Ziptz ZIP time zones (MIT): each county's main IANA zone is the zone of
//     most of its ZIPs (CountyTimeZone), so a county split between zones gets
//     the zone most of it keeps; TimeZoneNear gives a coordinate the zone of
//     its nearest ZIP's county.
//
// LookupCity is a gazetteer of the ZIPs' GeoNames place names: a city in a
// state resolves to its ZIPs and centre, names compared by CityKey, Boston
// and New York City including the neighbourhoods GeoNames names on their own.
// NormalizeZIP accepts ZIP+4.
//
// Memory. The tables stay resident in every serving process, so they are
// laid out compactly: the ZIPs one array of small rows sorted by ZIP (found
// by binary search, their strings substrings of the decompressed table),
// county lists as indices into one county array, the city gazetteer one
// sorted array of (name key, state, ZIP) rows; a Place or City is built when
// asked for. Loaded, they hold about 9.6 MB of heap (27.5 MB as maps of
// whole Places, before), measured as the heap in use after a collection
// before and after loading.
//
// See data/NOTICE.md for attributions. The data files are rebuilt by
// internal/geo/internal/buildgeo.
//
// # Caveats
//
// A ZIP is a postal route, not an area: many ZIPs span several counties, and
// LookupZIP lists them all. Place names are GeoNames' (often a neighbourhood:
// Boston's 02121 is "Dorchester") and are no key for coverage; match on county
// codes, expanding them with EquivalentCounties so that coverage recorded in
// either Connecticut or Alaska vintage matches.
package geo
