package match

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
)

// Family is what a family says about itself. Nil means "not said".
// Field names follow the GraphQL FamilyInput, which binds to this type.
type Family struct {
	ZIP        *string
	CountyFIPS *string
	State      *string
	// City is a place name as the family says it ("Boston"), resolved in
	// State through geo.LookupCity.
	City           *string
	Latitude       *float64
	Longitude      *float64
	ChildAgeMonths *int
	ChildBirthDate *time.Time
	Pregnant       *bool
	PregnancyWeek  *int
	DueDate        *time.Time
	// FirstTimeParent is true when this is the family's first child.
	FirstTimeParent *bool
	// CourtInvolved is true when the child is under court or child-welfare
	// jurisdiction.
	CourtInvolved *bool
	HouseholdSize *int
	// AnnualIncome is household income in US dollars a year.
	AnnualIncome  *int
	Needs         []string
	Language      *string
	DeliveryModes []directory.DeliveryMode
	MaxDistanceKm *float64
}

// profile is a Family validated and resolved: the facts the rules use.
type profile struct {
	place Place
	// from is the place's point on the unit sphere (nil without a point),
	// worked out once for the distances to every candidate.
	from          *[3]float64
	ageMonths     *int       // completed months, when a child's age is known
	birth         *time.Time // the child's birth date, when given (see enrolWindow)
	today         time.Time  // the civil date the family is matched on
	pregnant      *bool
	pregnancyWeek *int
	firstTime     *bool
	court         *bool
	household     *int
	income        *int
	language      string
	modes         []directory.DeliveryMode
	maxDistance   *float64
}

// inputError reports bad family input at a field path such as family.zip.
func inputError(field, format string, args ...any) error {
	return &directory.FieldError{Field: "family." + field, Message: fmt.Sprintf(format, args...)}
}

// resolve validates f and works out its place, age and pregnancy week at
// today's date.
func (f Family) resolve(today time.Time) (*profile, error) {
	place, err := resolvePlace(f.ZIP, f.CountyFIPS, f.State, f.City, f.Latitude, f.Longitude)
	if err != nil {
		return nil, err
	}
	p, err := f.resolveFacts(today)
	if err != nil {
		return nil, err
	}
	p.place = place
	if pt := place.Point; pt != nil {
		v := geo.UnitVector(pt.Lat, pt.Lon)
		p.from = &v
	}
	return p, nil
}

// resolveFacts validates and derives what f says of the family but where
// it lives (the profile's place is left empty).
func (f Family) resolveFacts(today time.Time) (*profile, error) {
	p := &profile{
		today:     civilDate(today),
		pregnant:  f.Pregnant,
		firstTime: f.FirstTimeParent,
		court:     f.CourtInvolved,
		household: f.HouseholdSize,
		income:    f.AnnualIncome,
		modes:     f.DeliveryModes,
	}
	switch {
	case f.ChildAgeMonths != nil && f.ChildBirthDate != nil:
		return nil, inputError("childBirthDate", "give the child's age in months or the birth date, not both")
	case f.ChildAgeMonths != nil:
		if *f.ChildAgeMonths < 0 {
			return nil, inputError("childAgeMonths", "the child's age cannot be negative (got %d)", *f.ChildAgeMonths)
		}
		if *f.ChildAgeMonths > 12*21 {
			return nil, inputError("childAgeMonths", "%d months is not the age of a child this directory serves", *f.ChildAgeMonths)
		}
		p.ageMonths = f.ChildAgeMonths
	case f.ChildBirthDate != nil:
		if f.ChildBirthDate.After(today) {
			return nil, inputError("childBirthDate", "the birth date %s is in the future", f.ChildBirthDate.Format(time.DateOnly))
		}
		m := completedMonths(*f.ChildBirthDate, today)
		p.ageMonths = &m
		birth := civilDate(*f.ChildBirthDate)
		p.birth = &birth
	}

	if f.PregnancyWeek != nil || f.DueDate != nil {
		if f.Pregnant != nil && !*f.Pregnant {
			field := "pregnancyWeek"
			if f.PregnancyWeek == nil {
				field = "dueDate"
			}
			return nil, inputError(field, "a pregnancy week or due date was given for a family that says it is not pregnant")
		}
		yes := true
		p.pregnant = &yes
	}
	switch {
	case f.PregnancyWeek != nil && f.DueDate != nil:
		return nil, inputError("dueDate", "give the pregnancy week or the due date, not both")
	case f.PregnancyWeek != nil:
		if w := *f.PregnancyWeek; w < 1 || w > directory.MaxPregnancyWeek {
			return nil, inputError("pregnancyWeek", "the week of pregnancy must be from 1 to %d (got %d)", directory.MaxPregnancyWeek, w)
		}
		p.pregnancyWeek = f.PregnancyWeek
	case f.DueDate != nil:
		w, err := weekFromDueDate(*f.DueDate, today)
		if err != nil {
			return nil, err
		}
		p.pregnancyWeek = &w
	}

	switch {
	case (f.HouseholdSize == nil) != (f.AnnualIncome == nil):
		if f.HouseholdSize == nil {
			return nil, inputError("householdSize", "give the household size with the income: the poverty guideline depends on it")
		}
		return nil, inputError("annualIncome", "give the annual income with the household size")
	case f.HouseholdSize != nil:
		if *f.HouseholdSize < 1 || *f.HouseholdSize > 50 {
			return nil, inputError("householdSize", "the household size must be from 1 to 50 (got %d)", *f.HouseholdSize)
		}
		if *f.AnnualIncome < 0 {
			return nil, inputError("annualIncome", "income cannot be negative (got %d)", *f.AnnualIncome)
		}
	}
	if f.Language != nil {
		if err := directory.ValidateLanguage(*f.Language); err != nil {
			return nil, inputError("language", "%v", err)
		}
		p.language = *f.Language
	}
	for i, m := range f.DeliveryModes {
		if slices.Index(f.DeliveryModes, m) != i {
			return nil, inputError(fmt.Sprintf("deliveryModes[%d]", i), "%s is listed twice", m)
		}
	}
	if f.MaxDistanceKm != nil {
		if d := *f.MaxDistanceKm; d <= 0 || math.IsNaN(d) || math.IsInf(d, 0) {
			return nil, inputError("maxDistanceKm", "the travel limit must be a positive number of kilometres (got %v)", d)
		}
		p.maxDistance = f.MaxDistanceKm
	}
	return p, nil
}

// completedMonths is the child's age in completed months on today: a month
// is completed on the day of the month the child was born on, or on the
// last day of a shorter month.
func completedMonths(birth, today time.Time) int {
	months := (today.Year()-birth.Year())*12 + int(today.Month()-birth.Month())
	anniversary := min(birth.Day(), daysIn(today.Year(), today.Month()))
	if today.Day() < anniversary {
		months--
	}
	return max(months, 0)
}

func daysIn(year int, month time.Month) int {
	return time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// weekFromDueDate is the completed week of pregnancy on today, counting a
// 40-week (280-day) term back from the due date.
func weekFromDueDate(due, today time.Time) (int, error) {
	days := int(civilDate(due).Sub(civilDate(today)).Hours() / 24)
	gestation := 280 - days
	week := gestation / 7
	switch {
	case gestation < 7:
		return 0, inputError("dueDate", "a due date of %s is more than 39 weeks away", due.Format(time.DateOnly))
	case week > directory.MaxPregnancyWeek:
		return 0, inputError("dueDate", "a due date of %s is more than two weeks past", due.Format(time.DateOnly))
	}
	return week, nil
}

func civilDate(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Place is a family's resolved location.
type Place struct {
	ZIP       string
	PlaceName string
	State     string
	// Counties are the counties the place lies in (several for a ZIP that
	// spans counties).
	Counties []geo.County
	// MatchCounties adds every equivalent code of another vintage, so
	// coverage recorded under either matches.
	MatchCounties []string
	// Point is where distances are measured from: the family's own
	// coordinates, or its ZIP's centroid, or its city's centre; nil for a
	// county or state.
	Point *LatLon
	// City is the place's name when the family was placed by a city
	// ("Boston"), and ZIP is then empty unless the city has one ZIP.
	City string
	// ZIPs are the area's ZIPs: the ZIP, the city's or the county's; empty
	// for a state. A service covering some of them covers part of the
	// place (see partly).
	ZIPs []string
	// partCounties are the counties (with their equivalent codes) that hold
	// some of a city's ZIPs but not all: MatchCounties hold all of them.
	partCounties []string
	// partPoints are a city's ZIP centroids, for RADIUS areas that reach
	// part of it.
	partPoints []LatLon
}

// LatLon is a point in decimal degrees.
type LatLon struct{ Lat, Lon float64 }

// ResolveArea answers what the reference table knows about exactly one
// place: a ZIP, a county, a city (with its state), or a point.
func ResolveArea(zip, countyFIPS, city, state *string, lat, lon *float64) (Place, error) {
	if state != nil && city == nil {
		return Place{}, &directory.FieldError{Field: "state", Message: "a state is resolved with a city; give the city too"}
	}
	given := 0
	for _, set := range []bool{zip != nil, countyFIPS != nil, city != nil, lat != nil || lon != nil} {
		if set {
			given++
		}
	}
	if given != 1 {
		return Place{}, &directory.FieldError{Field: "zip", Message: "give exactly one place: a ZIP, a county FIPS code, a city with its state, or latitude and longitude"}
	}
	p, err := resolvePlace(zip, countyFIPS, state, city, lat, lon)
	if fe, ok := err.(*directory.FieldError); ok {
		fe.Field = fe.Field[len("family."):]
	}
	return p, err
}

// maxNearestZIPKm is how far coordinates may lie from the nearest ZIP
// centroid and still be taken as a US home: remote Alaska homes are about
// 100 km from one; a point in the ocean, or latitude and longitude swapped,
// is thousands of km from any.
const maxNearestZIPKm = 250

// resolvePlace works out a family's place. The family's own words decide the
// area, most precise first: a ZIP, else a county, else a state. Coordinates
// give the point distances are measured from and, where no ZIP is given,
// the area too: the nearest ZIP centroid's (border caveat: that ZIP may lie
// across a county or state line from the home, so a county or state given
// with the coordinates wins when the nearest ZIP is not in it). Places given
// together must agree: a county outside the ZIP, or a state that is not
// the ZIP's, is bad input rather than silently ignored.
func resolvePlace(zip, county, state, city *string, lat, lon *float64) (Place, error) {
	if (lat == nil) != (lon == nil) {
		if lat == nil {
			return Place{}, inputError("latitude", "give a latitude with the longitude")
		}
		return Place{}, inputError("longitude", "give a longitude with the latitude")
	}
	if state != nil && !geo.ValidStateCode(*state) {
		return Place{}, inputError("state", "%q is not a US state postal code (two upper-case letters, e.g. MA)", *state)
	}
	if county != nil && !geo.ValidCountyFIPS(*county) {
		return Place{}, inputError("countyFips", "%q is not a county FIPS code (5 digits, e.g. 25025)", *county)
	}
	if zip != nil {
		five, ok := geo.NormalizeZIP(*zip)
		if !ok {
			return Place{}, inputError("zip", "%q is not a ZIP code (5 digits or ZIP+4, e.g. 02121 or 02121-1234)", *zip)
		}
		zip = &five
	}
	var town *geo.City
	if city != nil {
		c, err := lookupCity(*city, state)
		if err != nil {
			return Place{}, err
		}
		town = &c
	}
	var point *LatLon
	var near *Place
	if lat != nil {
		if !(*lat >= -90 && *lat <= 90) {
			return Place{}, inputError("latitude", "latitude %v is outside -90..90", *lat)
		}
		if !(*lon >= -180 && *lon <= 180) {
			return Place{}, inputError("longitude", "longitude %v is outside -180..180", *lon)
		}
		z, km, ok := geo.NearestZIP(*lat, *lon)
		if !ok || km > maxNearestZIPKm {
			return Place{}, inputError("latitude", "%v, %v is not in the United States (the nearest ZIP is %.0f km away); are latitude and longitude swapped?", *lat, *lon, km)
		}
		point = &LatLon{*lat, *lon}
		np := zipPlace(z)
		near = &np
	}
	var p Place
	switch {
	case zip != nil:
		z, ok := geo.LookupZIP(*zip)
		if !ok {
			return Place{}, inputError("zip", "ZIP code %s is not in Village's reference table", *zip)
		}
		p = zipPlace(z)
		if town != nil && !slices.Contains(town.ZIPs, z.ZIP) {
			return Place{}, inputError("city", "ZIP %s is not in %s, %s", z.ZIP, town.Name, town.StateCode)
		}
	case town != nil:
		p = cityPlace(*town)
		if near != nil && slices.Contains(town.ZIPs, near.ZIP) {
			p = *near
		}
		if county != nil && !slices.Contains(p.MatchCounties, *county) && !slices.Contains(p.partCounties, *county) {
			return Place{}, inputError("countyFips", "county %s is not where %s lies (%s)", *county, placeName(p), countyList(p.Counties))
		}
		county = nil // checked: a city lies in part of it at least
	case county != nil:
		c, ok := geo.LookupCounty(*county)
		if !ok {
			return Place{}, inputError("countyFips", "county %s is not in Village's reference table", *county)
		}
		p = Place{State: c.StateCode, Counties: []geo.County{c}, MatchCounties: geo.EquivalentCounties(c.FIPS), ZIPs: geo.CountyZIPs(c.FIPS)}
		if near != nil && slices.Contains(near.MatchCounties, c.FIPS) {
			p = *near
		}
	case state != nil:
		p = Place{State: *state}
		if near != nil && near.State == *state {
			p = *near
		}
	case near != nil:
		p = *near
	default:
		return Place{}, inputError("zip", "give the family's place: a ZIP, a city with its state, a county FIPS code, a state, or latitude and longitude")
	}
	if point != nil {
		p.Point = point
	}
	if county != nil && !slices.Contains(p.MatchCounties, *county) {
		return Place{}, inputError("countyFips", "county %s is not where ZIP %s lies (%s)", *county, p.ZIP, countyList(p.Counties))
	}
	if state != nil && p.State != *state && !slices.ContainsFunc(p.Counties, func(c geo.County) bool { return c.StateCode == *state }) {
		return Place{}, inputError("state", "%s is not the state of %s", *state, placeName(p))
	}
	return p, nil
}

func countyList(cs []geo.County) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.FullName() + " " + c.FIPS
	}
	return listNames(names)
}

// zipPlace is the place of a ZIP. Its counties match coverage, and so do
// their codes of another vintage, but only where the ZIP's own data does
// not already name its territory in that vintage: Bridgeport's 06604 is in
// old county 09001 (HUD) and planning region 09120 (GeoNames), so it
// matches both, and not the other regions that share territory with old
// Fairfield County (09140, 09190). A ZIP known in one vintage only gets
// every equivalent code, so that it never matches nothing.
func zipPlace(z geo.Place) Place {
	p := Place{ZIP: z.ZIP, PlaceName: z.PlaceName, State: z.StateCode, Counties: z.Counties, ZIPs: []string{z.ZIP}}
	for _, c := range z.Counties {
		if !slices.Contains(p.MatchCounties, c.FIPS) {
			p.MatchCounties = append(p.MatchCounties, c.FIPS)
		}
	}
	own := slices.Clone(p.MatchCounties)
	for _, c := range own {
		others := geo.EquivalentCounties(c)[1:]
		if slices.ContainsFunc(others, func(o string) bool { return slices.Contains(own, o) }) {
			continue
		}
		for _, o := range others {
			if !slices.Contains(p.MatchCounties, o) {
				p.MatchCounties = append(p.MatchCounties, o)
			}
		}
	}
	if z.HasCentroid {
		p.Point = &LatLon{z.Latitude, z.Longitude}
	}
	return p
}

// lookupCity resolves a city the family names. Without a state it resolves
// only when exactly one state has a place of that name; otherwise the
// error lists the states that have one, so the worker can ask which.
func lookupCity(name string, state *string) (geo.City, error) {
	if geo.CityKey(name) == "" {
		return geo.City{}, inputError("city", "give the city's name (got %q)", name)
	}
	states := geo.CityStates(name)
	if state == nil {
		switch len(states) {
		case 0:
			return geo.City{}, inputError("city", "no place named %q is in Village's reference table", name)
		case 1:
			state = &states[0]
		default:
			return geo.City{}, inputError("state", "give the state with the city: %q is a place in %s", name, listNames(states))
		}
	}
	c, ok := geo.LookupCity(name, *state)
	if !ok {
		if len(states) == 0 {
			return geo.City{}, inputError("city", "no place named %q is in Village's reference table", name)
		}
		return geo.City{}, inputError("city", "no place named %q is in %s; there is one in %s", name, *state, listNames(states))
	}
	return c, nil
}

// cityPlace is the place of a city: its ZIPs, the counties holding (nearly)
// all of them (MatchCounties) or some (partCounties), and its centre. A city of
// one ZIP is that ZIP.
func cityPlace(c geo.City) Place {
	parts := make([]Place, 0, len(c.ZIPs))
	for _, zip := range c.ZIPs {
		if z, ok := geo.LookupZIP(zip); ok {
			parts = append(parts, zipPlace(z))
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	p := Place{State: c.StateCode, City: c.Name, ZIPs: c.ZIPs}
	count := map[string]int{}
	for _, part := range parts {
		for _, code := range part.MatchCounties {
			count[code]++
		}
		for _, county := range part.Counties {
			if !slices.ContainsFunc(p.Counties, func(o geo.County) bool { return o.FIPS == county.FIPS }) {
				p.Counties = append(p.Counties, county)
			}
		}
		if part.Point != nil {
			p.partPoints = append(p.partPoints, *part.Point)
		}
	}
	for _, code := range slices.Sorted(maps.Keys(count)) {
		// A county holding 95% of the city's ZIPs holds the city: GeoNames
		// gives a stray ZIP or two a big city's name (Boston's 02212 lies
		// in Middlesex County), and they must not make Suffolk County's
		// services "part of Boston".
		if count[code]*20 >= len(parts)*19 {
			p.MatchCounties = append(p.MatchCounties, code)
		} else {
			p.partCounties = append(p.partCounties, code)
		}
	}
	slices.SortFunc(p.Counties, func(a, b geo.County) int {
		return cmp.Or(cmp.Compare(count[b.FIPS], count[a.FIPS]), cmp.Compare(a.FIPS, b.FIPS))
	})
	if c.HasCentre {
		p.Point = &LatLon{c.Latitude, c.Longitude}
	}
	return p
}
