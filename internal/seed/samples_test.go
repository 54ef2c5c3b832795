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
