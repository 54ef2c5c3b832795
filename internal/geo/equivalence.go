package geo

// censusChanges lists county codes that the Census Bureau retired or split,
// paired with the codes now covering the same territory. The sources still use
// both sides: HUD keeps the retired codes, GeoNames the new ones (and one stale
// code, 02232). Source: US Census Bureau, "Substantial Changes to Counties and
// County Equivalent Entities: 1970–Present"
// (https://www.census.gov/programs-surveys/geography/technical-documentation/county-changes.html).
var censusChanges = []struct {
	from string
	to   []string
}{
	// 2019: Valdez-Cordova Census Area split into Chugach and Copper River.
	{"02261", []string{"02063", "02066"}},
	// 2015: Wade Hampton Census Area renamed Kusilvak, code changed.
	{"02270", []string{"02158"}},
	// 2015: Shannon County SD renamed Oglala Lakota, code changed.
	{"46113", []string{"46102"}},
	// 2007: Skagway-Hoonah-Angoon split into Hoonah-Angoon and Skagway.
	{"02232", []string{"02105", "02230"}},
}

// addEquivalence records that a and b denote overlapping territory. Only
// called by load.
func (t *tables) addEquivalence(a, b string) {
	t.equiv[a] = append(t.equiv[a], b)
	t.equiv[b] = append(t.equiv[b], a)
}

// EquivalentCounties returns fips itself followed, in code order, by every
// county code of another vintage that denotes overlapping territory, so that
// coverage recorded under either vintage matches:
//
//   - Connecticut's 2022 planning regions 09110–09190 and its old counties
//     09001–09015. The pairs are derived from the data: every planning region
//     GeoNames gives a ZIP is paired with every old county HUD gives the same
//     ZIP (e.g. 09001 Fairfield ↔ 09120, 09140, 09190). ZIPs straddling a
//     county line make this a slight over-approximation of the town-level
//     overlap.
//   - Alaska 02261 Valdez-Cordova ↔ 02063 Chugach, 02066 Copper River, and
//     02232 Skagway-Hoonah-Angoon ↔ 02105 Hoonah-Angoon, 02230 Skagway.
//   - Retired codes HUD still uses: 02270 Wade Hampton ↔ 02158 Kusilvak,
//     46113 Shannon ↔ 46102 Oglala Lakota.
//
// The relation is symmetric but not transitive: 09001 Fairfield lists 09190
// Western Connecticut, which lists 09005 Litchfield, which 09001 does not.
// A well-formed code with no equivalent (most counties, or an unknown code)
// yields just itself; a malformed code yields nil.
func EquivalentCounties(fips string) []string {
	if !ValidCountyFIPS(fips) {
		return nil
	}
	others := data().equiv[fips]
	out := make([]string, 0, 1+len(others))
	return append(append(out, fips), others...)
}
