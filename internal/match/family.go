package match

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/geo"
)

// Family is what a family says about itself. Nil means "not said".
// Field names follow the GraphQL FamilyInput, which binds to this type.
type Family struct {
	ZIP            *string
	CountyFIPS     *string
	State          *string
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
	place         Place
	ageMonths     *int // completed months, when a child's age is known
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
	p := &profile{
		pregnant:  f.Pregnant,
		firstTime: f.FirstTimeParent,
		court:     f.CourtInvolved,
		household: f.HouseholdSize,
		income:    f.AnnualIncome,
		modes:     f.DeliveryModes,
	}
	place, err := resolvePlace(f.ZIP, f.CountyFIPS, f.State, f.Latitude, f.Longitude)
	if err != nil {
		return nil, err
	}
	p.place = place

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
	// coordinates, or its ZIP's centroid; nil for a county or state.
	Point *LatLon
}

// LatLon is a point in decimal degrees.
type LatLon struct{ Lat, Lon float64 }

// ResolveArea answers what the reference table knows about exactly one
// place: a ZIP, a county, or a point.
func ResolveArea(zip, countyFIPS *string, lat, lon *float64) (Place, error) {
	given := 0
	for _, set := range []bool{zip != nil, countyFIPS != nil, lat != nil || lon != nil} {
		if set {
			given++
		}
	}
	if given != 1 {
		return Place{}, &directory.FieldError{Field: "zip", Message: "give exactly one place: a ZIP, a county FIPS code, or latitude and longitude"}
	}
	p, err := resolvePlace(zip, countyFIPS, nil, lat, lon)
	if fe, ok := err.(*directory.FieldError); ok {
		fe.Field = fe.Field[len("family."):]
	}
	return p, err
}

// resolvePlace works out a family's place from the most precise thing it
// gave: coordinates, a ZIP, a county, or a state.
func resolvePlace(zip, county, state *string, lat, lon *float64) (Place, error) {
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
	if zip != nil && !geo.ValidZIP(*zip) {
		return Place{}, inputError("zip", "%q is not a ZIP code (5 digits, e.g. 02121)", *zip)
	}
	switch {
	case lat != nil:
		if *lat < -90 || *lat > 90 {
			return Place{}, inputError("latitude", "latitude %v is outside -90..90", *lat)
		}
		if *lon < -180 || *lon > 180 {
			return Place{}, inputError("longitude", "longitude %v is outside -180..180", *lon)
		}
		// Coordinates resolve to the nearest ZIP centroid, which may lie
		// across a county or state line from a home near a border.
		near, _, ok := geo.NearestZIP(*lat, *lon)
		if !ok {
			return Place{}, inputError("latitude", "no US ZIP code is near %v, %v", *lat, *lon)
		}
		p := zipPlace(near)
		p.Point = &LatLon{*lat, *lon}
		return p, nil
	case zip != nil:
		z, ok := geo.LookupZIP(*zip)
		if !ok {
			return Place{}, inputError("zip", "ZIP code %s is not in Village's reference table", *zip)
		}
		return zipPlace(z), nil
	case county != nil:
		c, ok := geo.LookupCounty(*county)
		if !ok {
			return Place{}, inputError("countyFips", "county %s is not in Village's reference table", *county)
		}
		return Place{State: c.StateCode, Counties: []geo.County{c}, MatchCounties: geo.EquivalentCounties(c.FIPS)}, nil
	case state != nil:
		return Place{State: *state}, nil
	}
	return Place{}, inputError("zip", "give the family's place: a ZIP, a county FIPS code, a state, or latitude and longitude")
}

func zipPlace(z geo.Place) Place {
	p := Place{ZIP: z.ZIP, PlaceName: z.PlaceName, State: z.StateCode, Counties: z.Counties}
	seen := map[string]bool{}
	for _, c := range z.Counties {
		for _, eq := range geo.EquivalentCounties(c.FIPS) {
			if !seen[eq] {
				seen[eq] = true
				p.MatchCounties = append(p.MatchCounties, eq)
			}
		}
	}
	if z.HasCentroid {
		p.Point = &LatLon{z.Latitude, z.Longitude}
	}
	return p
}
