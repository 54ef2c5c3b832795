package seed

import "testing"

// TestSampleServicesDoNotContradictTheirModel: a sample service may be
// invented, but when it is linked to a real model (program) it must not give
// that model an age range the model's source contradicts. Family Connects
// visits "all parents of newborns during the first month of life"
// (seeds/hand-in-hand-framework.txt, recorded as 0–0 months); a service
// presented as a Family Connects implementation for babies up to 12 months
// tells a family the model serves a 10-month-old.
func TestSampleServicesDoNotContradictTheirModel(t *testing.T) {
	progs := map[string]programSpec{}
	for _, p := range facts.Programs {
		progs[p.Slug] = p
	}
	for _, s := range samples.Services {
		if s.Program == "" || s.Eligibility == nil {
			continue
		}
		p, ok := progs[s.Program]
		if !ok || p.Eligibility == nil {
			continue
		}
		own, model := s.Eligibility, p.Eligibility
		if model.MaxAgeMonths != nil && (own.MaxAgeMonths == nil || *own.MaxAgeMonths > *model.MaxAgeMonths) {
			t.Errorf("sample %s (program %s) serves children to %v months; the model's source gives at most %d",
				s.Slug, s.Program, deref(own.MaxAgeMonths), *model.MaxAgeMonths)
		}
		if model.MinAgeMonths != nil && (own.MinAgeMonths == nil || *own.MinAgeMonths < *model.MinAgeMonths) {
			t.Errorf("sample %s (program %s) serves children from %v months; the model's source gives at least %d",
				s.Slug, s.Program, deref(own.MinAgeMonths), *model.MinAgeMonths)
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return "no bound"
	}
	return *p
}

// TestSeedServicesStateTheirRules: a service with no program to inherit
// from declares its own eligibility, even one stating no rule. Without
// one the record keeps the old meaning of null ("every rule stated, no
// bound"), and matching would call it eligible for a child of any age
// where the seed is silent.
func TestSeedServicesStateTheirRules(t *testing.T) {
	for _, set := range []dataset{facts, samples} {
		for _, s := range set.Services {
			if s.Program == "" && s.Eligibility == nil {
				t.Errorf("service %s has no program and no eligibility", s.Slug)
			}
		}
	}
}
