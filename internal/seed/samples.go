package seed

import (
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
)

// The sample neighbourhoods are the three Boston communities of the NOW seed
// (Roxbury, Mattapan, Dorchester), by ZIP code.
var (
	roxburyZIPs    = []string{"02119", "02120"}
	mattapanZIPs   = []string{"02126"}
	dorchesterZIPs = []string{"02121", "02122", "02124", "02125"}
)

// suffolkCounty is Suffolk County, Massachusetts (Boston), by FIPS code.
const suffolkCounty = "25025"

// zipAreas lists ZIP service areas labelled with their neighbourhood.
func zipAreas(name string, zips []string) []areaSpec {
	out := make([]areaSpec, len(zips))
	for i, z := range zips {
		out[i] = areaSpec{Kind: servicearea.KindZIP, Code: z, Name: name}
	}
	return out
}

func concat[T any](lists ...[]T) []T {
	var out []T
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Sample locations have no street address: only city, region, postal code
// and the centroid of their ZIP.
func sampleLocation(slug, name, org, zip, description string, confidential bool, phones ...phoneSpec) locationSpec {
	return locationSpec{
		Slug: slug, Name: name, Organization: org, Description: description,
		Type: location.LocationTypePHYSICAL, City: "Boston", Region: "MA", PostalCode: zip, Country: "US",
		CentroidOf: zip, Confidential: confidential, Phones: phones,
	}
}

// samples is everything LoadSamples declares. Every record is marked
// sample, every name ends in " (sample)", and phone numbers are in the
// 555-0100–0199 range reserved for fiction.
var samples = dataset{
	Organizations: []orgSpec{
		{Slug: "sample-suffolk-family-nursing", Name: "Suffolk Family Nursing (sample)",
			Description: "Illustrative sample organization, not a real one: a nurse home visiting agency serving Suffolk County."},
		{Slug: "sample-boston-neighborhood-family-partners", Name: "Boston Neighborhood Family Partners (sample)",
			Description: "Illustrative sample organization, not a real one: a community health agency in Roxbury, Mattapan and Dorchester."},
		{Slug: "sample-mattapan-pediatrics", Name: "Mattapan Pediatrics (sample)",
			Description: "Illustrative sample organization, not a real one: a pediatric primary care practice in Mattapan."},
		{Slug: "sample-massachusetts-family-access-line", Name: "Massachusetts Family Access Line (sample)",
			Description: "Illustrative sample organization, not a real one: a statewide centralized access point for families with young children."},
		{Slug: "sample-suffolk-infant-toddler-court-partners", Name: "Suffolk Infant-Toddler Court Partners (sample)",
			Description: "Illustrative sample organization, not a real one: a partnership running an infant-toddler court team."},
		{Slug: "sample-dorchester-parent-circle", Name: "Dorchester Parent Circle (sample)",
			Description: "Illustrative sample organization, not a real one: a neighbourhood parenting group in Dorchester."},
	},

	Locations: []locationSpec{
		sampleLocation("sample-mattapan-pediatrics-clinic", "Mattapan Pediatrics clinic (sample)", "sample-mattapan-pediatrics", "02126",
			"Illustrative sample location, not a real place: a pediatric clinic in Mattapan. Its coordinates are the centroid of ZIP 02126, not an address.",
			false, phoneSpec{Number: "617-555-0155", Description: "Clinic front desk (fictional number).", Languages: []string{"en"}}),
		sampleLocation("sample-suffolk-family-nursing-office", "Suffolk Family Nursing office (sample)", "sample-suffolk-family-nursing", "02121",
			"Illustrative sample location, not a real place: a home visiting office whose address is confidential. Its coordinates are the centroid of ZIP 02121.",
			true),
	},

	Services: []serviceSpec{
		{
			Slug: "sample-nfp-suffolk", Name: "Nurse-Family Partnership, Suffolk County (sample)",
			Organization: "sample-suffolk-family-nursing", Program: "nurse-family-partnership",
			Description: SampleDescriptionPrefix + " a Nurse-Family Partnership implementation in which a nurse visits first-time " +
				"moms at home from pregnancy to the child's second birthday. It inherits the program's eligibility.",
			DeliveryModes: []directory.DeliveryMode{directory.InHome},
			Languages:     []string{"en"},
			Free:          ptr(true),
			Needs:         []string{"nurse-home-visiting", "maternal-health"},
			Areas:         []areaSpec{{Kind: servicearea.KindCOUNTY, Code: suffolkCounty, Name: "Suffolk County"}},
			Locations:     []string{"sample-suffolk-family-nursing-office"},
			Phones: []phoneSpec{{Number: "617-555-0142", StaffOnly: true, Languages: []string{"en"},
				Description: "Direct referral line for clinicians and call-center staff (fictional number)."}},
		},
		{
			Slug: "sample-family-connects-boston", Name: "Family Connects Boston (sample)",
			Organization: "sample-boston-neighborhood-family-partners", Program: "family-connects",
			Description: SampleDescriptionPrefix + " a Family Connects implementation offering a nurse home visit to every family " +
				"with a newborn in Roxbury, Mattapan and Dorchester. It inherits the program's eligibility.",
			DeliveryModes: []directory.DeliveryMode{directory.InHome},
			Languages:     []string{"en"},
			Free:          ptr(true),
			Needs:         []string{"newborn-home-visit", "care-coordination-referral"},
			Areas: concat(zipAreas("Roxbury", roxburyZIPs), zipAreas("Mattapan", mattapanZIPs),
				zipAreas("Dorchester", dorchesterZIPs)),
		},
		{
			Slug: "sample-healthysteps-mattapan", Name: "HealthySteps at Mattapan Pediatrics (sample)",
			Organization: "sample-mattapan-pediatrics", Program: "healthysteps",
			Description: SampleDescriptionPrefix + " a HealthySteps child development specialist on the pediatric primary care " +
				"team of a Mattapan clinic. It inherits the program's eligibility.",
			DeliveryModes: []directory.DeliveryMode{directory.InClinic},
			Languages:     []string{"en"},
			Needs:         []string{"developmental-screening", "parenting-support"},
			Areas:         zipAreas("Mattapan", mattapanZIPs),
			Locations:     []string{"sample-mattapan-pediatrics-clinic"},
		},
		{
			Slug: "sample-family-access-line", Name: "Massachusetts Family Access Line (sample)",
			Organization: "sample-massachusetts-family-access-line", Program: "help-me-grow",
			Description: SampleDescriptionPrefix + " a Help Me Grow-style centralized access point: families and providers call " +
				"one number to talk about a child's development and be connected to services anywhere in Massachusetts.",
			DeliveryModes: []directory.DeliveryMode{directory.ByPhone},
			Languages:     []string{"en", "es"},
			Free:          ptr(true),
			Needs:         []string{"care-coordination-referral", "developmental-screening"},
			Areas:         []areaSpec{{Kind: servicearea.KindSTATE, Code: "MA", Name: "Massachusetts"}},
			Phones: []phoneSpec{{Number: "617-555-0100", Languages: []string{"en", "es"},
				Description: "Family line, weekdays (fictional number)."}},
		},
		{
			Slug: "sample-safe-babies-suffolk", Name: "Safe Babies Court Team, Suffolk County (sample)",
			Organization: "sample-suffolk-infant-toddler-court-partners", Program: "safe-babies",
			Description: SampleDescriptionPrefix + " a Safe Babies court team for babies and toddlers under the jurisdiction " +
				"of the juvenile court in Suffolk County. It inherits the program's eligibility (court involvement required).",
			ApplicationProcess: "Referral through the court (sample).",
			Languages:          []string{"en"},
			Needs:              []string{"child-welfare-court-support"},
			Areas:              []areaSpec{{Kind: servicearea.KindCOUNTY, Code: suffolkCounty, Name: "Suffolk County"}},
		},
		{
			Slug: "sample-visitas-en-casa-dorchester", Name: "Visitas en Casa, Dorchester (sample)",
			// Not filed under Family Connects, whose source gives visits in the
			// first month of life: a sample with its own rules must not say
			// what a real model serves.
			Organization: "sample-boston-neighborhood-family-partners",
			Description: SampleDescriptionPrefix + " Spanish-language home visits for families with a baby in its first year in " +
				"Dorchester, run locally rather than as one of the directory's models, with its own eligibility.",
			DeliveryModes: []directory.DeliveryMode{directory.InHome},
			Languages:     []string{"es", "en"},
			Eligibility: &directory.Eligibility{
				StatedRules:  []directory.Rule{directory.RuleAge},
				MinAgeMonths: ptr(0),
				MaxAgeMonths: ptr(12),
				Description:  "Families with a baby from birth to 12 months (sample rule).",
			},
			Needs: []string{"home-visiting", "parenting-support"},
			Areas: zipAreas("Dorchester", dorchesterZIPs),
		},
		{
			Slug: "sample-parent-circle-dorchester", Name: "Hand in Hand parenting class, Dorchester (sample)",
			Organization: "sample-dorchester-parent-circle", Program: "hand-in-hand-parenting",
			Description: SampleDescriptionPrefix + " a weekly in-person parenting class and listening partnership group led by a " +
				"Certified Instructor, for families within 5 km of Dorchester Center.",
			DeliveryModes: []directory.DeliveryMode{directory.InGroup},
			Languages:     []string{"en"},
			Needs:         []string{"parenting-classes", "parenting-peer-support"},
			Areas:         []areaSpec{{Kind: servicearea.KindRADIUS, CenterZIP: "02124", RadiusKm: 5, Name: "Within 5 km of Dorchester Center"}},
		},
		{
			Slug: "sample-postpartum-group-roxbury", Name: "Roxbury Postpartum Support Group (sample)",
			Organization: "sample-boston-neighborhood-family-partners",
			Status:       service.StatusTEMPORARILY_CLOSED,
			Description: SampleDescriptionPrefix + " a peer support group for new parents in Roxbury, temporarily closed while " +
				"it looks for a new meeting room.",
			DeliveryModes: []directory.DeliveryMode{directory.InGroup},
			Languages:     []string{"en"},
			// No program to inherit from: states no rule, so matching asks
			// about the child's age rather than reading silence as "any".
			Eligibility: &directory.Eligibility{StatedRules: []directory.Rule{},
				Description: "New parents in Roxbury (sample)."},
			Needs: []string{"postpartum-support", "parenting-peer-support"},
			Areas: zipAreas("Roxbury", roxburyZIPs),
		},
		{
			Slug: "sample-prenatal-drop-in-mattapan", Name: "Mattapan Prenatal Drop-in (sample)",
			Organization:  "sample-mattapan-pediatrics",
			Status:        service.StatusINACTIVE,
			Description:   SampleDescriptionPrefix + " a prenatal drop-in clinic that no longer runs.",
			DeliveryModes: []directory.DeliveryMode{directory.InClinic},
			Languages:     []string{"en"},
			Eligibility:   &directory.Eligibility{StatedRules: []directory.Rule{}},
			Needs:         []string{"prenatal-support"},
			Areas:         zipAreas("Mattapan", mattapanZIPs),
			Locations:     []string{"sample-mattapan-pediatrics-clinic"},
		},
	},
}
