package match

import (
	"cmp"
	"slices"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/directory"
)

// programEntry is a program as matching reads it: the program, and the
// positions of its services in the index, whose needs tell what the model
// offers.
type programEntry struct {
	program  *ent.Program
	services []int
}

// forFamilies reports whether a program serves families directly: it lists
// no audiences, or lists parents. A model for communities or professionals
// only is not an answer to a family.
func forFamilies(p *ent.Program) bool {
	return len(p.Audiences) == 0 || slices.Contains(p.Audiences, directory.AudienceParents)
}

// programVerdict judges the family against a program's own rules (never a
// service's), with reasons.
func programVerdict(prog *ent.Program, p *profile) verdict {
	v := verdict{explain: true}
	if prog.Eligibility != nil {
		checkEligibility(prog.Eligibility, p, &v)
	}
	return v
}

// unservedPrograms are the programs whose own rules the family meets or
// may meet (CONFIRM or UNSTATED, never a miss) but that no eligible,
// non-sample result implements: a model that fits the family with no local
// site listed. Sample programs and programs not for families are left
// out; with needs asked for, so is a program none of whose services in the
// directory meets one (a program with no services at all says nothing
// about needs). Ordered by fewer rules left open, then name, then ID.
func unservedPrograms(programs []programEntry, results []*Result, p *profile, needs []need) []*ProgramSummary {
	served := map[int]bool{}
	for _, r := range results {
		if r.Eligible && !r.entry.svc.Sample && r.entry.program != nil {
			served[r.entry.program.ID] = true
		}
	}
	type unserved struct {
		sum      *ProgramSummary
		unstated int
	}
	var list []unserved
	for _, pe := range programs {
		prog := pe.program
		if served[prog.ID] || prog.Sample || !forFamilies(prog) {
			continue
		}
		var met []need
		for _, n := range needs {
			if slices.ContainsFunc(pe.services, n.metBy.has) {
				met = append(met, n)
			}
		}
		if len(needs) > 0 && len(met) == 0 {
			continue
		}
		v := programVerdict(prog, p)
		if v.failed {
			continue
		}
		var reasons []Reason
		if len(met) > 0 {
			reasons = append(reasons, reason(NeedMet, "Its services offer %s.", needNames(met, -1)))
		}
		list = append(list, unserved{&ProgramSummary{Program: prog, Reasons: append(reasons, v.reasons...)}, v.unstated})
	}
	slices.SortFunc(list, func(a, b unserved) int {
		return cmp.Or(cmp.Compare(a.unstated, b.unstated), cmp.Compare(a.sum.Program.Name, b.sum.Program.Name),
			cmp.Compare(a.sum.Program.ID, b.sum.Program.ID))
	})
	out := make([]*ProgramSummary, len(list))
	for i, u := range list {
		out[i] = u.sum
	}
	return out
}
