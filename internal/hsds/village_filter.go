package hsds

import (
	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/predicate"
	"github.com/village-directory/village/ent/service"
)

// The HSDS API's taxonomy_term_id and taxonomy_id filters take every term
// and taxonomy the API publishes, the Village attribute vocabulary's
// included: a service "has" a Village term when its document carries it
// as one of the service's own attributes (link_id the service), as the
// needs it has are its own attributes too. Whether it does is judged on
// the record as the viewer reads it (internal notes, blank for the public,
// carry nothing for the public); ServiceMayCarry narrows the candidates in
// SQL first.

// ServiceCarries reports whether s, as read, carries the Village
// attribute code as its own ("": any Village attribute).
func ServiceCarries(s *ent.Service, code string) bool {
	for _, at := range serviceAttrs("", s).result() {
		if got, _ := VillageTermCode(at.TaxonomyTermID); code == "" || got == code {
			return true
		}
	}
	return false
}

// serviceMayCarry are the SQL conditions under which a service may carry
// each Village attribute of services (ServiceCarries decides).
var serviceMayCarry = map[string]predicate.Service{
	"sample":              service.Sample(true),
	"provenance":          service.ProvenanceNEQ(""),
	"external_id":         service.And(service.ExternalSourceNEQ(""), service.ExternalIDNEQ("")),
	"eligibility":         service.EligibilityNotNil(),
	"free":                service.FreeNotNil(),
	"capacity_available":  service.CapacityAvailableNotNil(),
	"capacity_maximum":    service.CapacityMaximumNotNil(),
	"capacity_updated_at": service.CapacityUpdatedAtNotNil(),
	"delivery_modes":      service.DeliveryModesNotNil(),
	"verified_at":         service.VerifiedAtNotNil(),
	"verified_by":         service.VerifiedByNEQ(""),
	"internal_notes":      service.InternalNotesNEQ(""),
}

// ServiceMayCarry narrows, in SQL, to the services that may carry the
// Village attribute code as their own ("": any): none for a code no
// service carries (a program's, a location's...).
func ServiceMayCarry(code string) predicate.Service {
	if code == "" {
		all := make([]predicate.Service, 0, len(serviceMayCarry))
		for _, c := range VillageTerms {
			if p, ok := serviceMayCarry[c]; ok {
				all = append(all, p)
			}
		}
		return service.Or(all...)
	}
	if p, ok := serviceMayCarry[code]; ok {
		return p
	}
	return func(s *sql.Selector) { s.Where(sql.False()) }
}
