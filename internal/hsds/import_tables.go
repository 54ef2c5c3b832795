package hsds

import (
	"maps"
	"strconv"
	"strings"

	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/hsds/hsdsextra"
)

// programs maps HSDS programs to Village programs. HSDS says nothing of a
// program's approach, settings or audiences: they stay empty (Village's
// approach is optional and has no "other" value), unless a Village export's
// attributes restore them.
func (m *importMapper) programs() []*importRec {
	var out []*importRec
	for _, r := range m.rows("programs") {
		id := r.get("id")
		if r.get("name") == "" {
			m.repairf(r, WarnNameMissing, "name", "a program needs a name; program not imported")
			continue
		}
		if err := program.NameValidator(r.get("name")); err != nil {
			m.warnf(r, "name", "%v; program not imported", err)
			continue
		}
		rec := &importRec{kind: importProgramKind, extID: id, row: r}
		rec.set("name", r.get("name"))
		rec.set("alternate_name", r.get("alternate_name"))
		rec.set("description", r.get("description"))
		rec.addRefs(importRef{"organization_id", importOrgKind, m.orgRef(r, "program")})
		m.keep("programs", id)
		out = append(out, rec)
	}
	return out
}

// isVillageTaxonomy reports whether a taxonomy row, or a term row, is the
// Village attribute vocabulary, which carries Village's own fields and is
// never imported as terms.
func (m *importMapper) isVillageTerm(term *importRow) bool {
	if _, ok := VillageTermCode(term.get("id")); ok {
		return true
	}
	return m.termTaxonomyName(term) == VillageTaxonomy
}

// termTaxonomyName is the name of a term's taxonomy: its taxonomy_id's
// taxonomy in the package, else its taxonomy column.
func (m *importMapper) termTaxonomyName(term *importRow) string {
	if t := m.ids["taxonomies"][term.get("taxonomy_id")]; t != nil && t.get("name") != "" {
		return t.get("name")
	}
	return term.get("taxonomy")
}

// terms maps HSDS taxonomy terms to Village taxonomy terms, parents first;
// a term's vocabulary is its taxonomy's name. The taxonomy row itself is
// kept verbatim with each of its terms (Village has no taxonomy record).
func (m *importMapper) terms() []*importRec {
	rows := m.rows("taxonomy_terms")
	byID := map[string]*importRow{}
	var list []*importRow
	usedTaxonomy := map[string]bool{}
	for _, r := range rows {
		if m.isVillageTerm(r) {
			r.consumed = true // Village's own vocabulary: the export writes it
			continue
		}
		if r.get("name") == "" {
			m.repairf(r, WarnNameMissing, "name", "a taxonomy term needs a name; term not imported")
			continue
		}
		byID[r.get("id")] = r
		list = append(list, r)
		m.keep("taxonomy_terms", r.get("id"))
	}
	for _, t := range m.rows("taxonomies") {
		if t.get("name") == VillageTaxonomy {
			t.consumed = true
		}
	}
	var out []*importRec
	m.parentsFirst(list, byID, "parent_id", "taxonomy_terms", "a term", func(r *importRow, parent string) {
		id := r.get("id")
		rec := &importRec{kind: importTermKind, extID: id, row: r}
		code := r.get("code")
		if code == "" {
			// Village needs a code, unique in its vocabulary: the HSDS id is.
			code = id
			m.warnf(r, "code", "term has no code; its id is used as its code")
		}
		vocabulary := m.termTaxonomyName(r)
		switch {
		case m.ids["taxonomies"][r.get("taxonomy_id")] != nil:
			tax := m.ids["taxonomies"][r.get("taxonomy_id")]
			usedTaxonomy[tax.get("id")] = true
			if villageTaxonomyRow(tax, vocabulary) {
				// The taxonomy Village writes for the vocabulary (an
				// export's), which it would write again: nothing to keep,
				// nor the term's links to it.
				tax.consumed = true
				rec.storedCol("taxonomy_id")
				if r.get("taxonomy") == vocabulary {
					rec.storedCol("taxonomy")
				}
				break
			}
			rec.moreOf().attached = append(rec.moreOf().attached, importExtraRow{"taxonomies", specRow("taxonomies", tax), tax})
		case vocabulary != "":
			rec.storedCol("taxonomy")
			if id := r.get("taxonomy_id"); id != "" {
				m.warnf(r, "taxonomy_id", "no taxonomies with id %s in the package; the term's taxonomy column (%q) names its vocabulary", id, vocabulary)
			}
		default:
			vocabulary = m.rep.Source
			m.warnf(r, "taxonomy", "term names no taxonomy; put in the vocabulary %q (the import's source)", vocabulary)
		}
		rec.set("code", code)
		rec.set("name", r.get("name"))
		rec.set("description", r.get("description"))
		rec.set("vocabulary", vocabulary)
		rec.addRefs(importRef{"parent_id", importTermKind, parent})
		out = append(out, rec)
	})
	for _, t := range m.rows("taxonomies") {
		if !usedTaxonomy[t.get("id")] && !t.consumed {
			m.warnf(t, "id", "no term of the package belongs to taxonomy %q (by taxonomy_id); not imported (Village keeps a taxonomy with its terms)", t.get("name"))
			m.skipped[t] = true
		}
	}
	return out
}

// villageTaxonomyRow reports whether a taxonomy row is the one Village
// writes for a vocabulary that no package gave it a taxonomy for
// (TaxonomyObject).
func villageTaxonomyRow(tax *importRow, vocabulary string) bool {
	want := TaxonomyObject(vocabulary)
	exp := hsdsextra.Row{"id": want.ID, "name": want.Name, "description": want.Description, "uri": want.URI, "version": want.Version}
	maps.DeleteFunc(exp, func(_, v string) bool { return v == "" })
	return maps.Equal(specRow("taxonomies", tax), exp)
}

// fundings maps HSDS funding to Village funding. A funding row with no
// source, or whose organization and service are both absent, is not a
// Village funding: the first is kept verbatim with its record, the second
// warned about.
func (m *importMapper) fundings() []*importRec {
	var out []*importRec
	for _, r := range m.rows("funding") {
		org := m.ref(r, "organization_id", "organizations")
		svc := m.ref(r, "service_id", "services")
		if r.get("source") == "" {
			continue // kept verbatim with its service or organization (attachExtras)
		}
		if org == "" && svc == "" && !m.villageFunding(r) {
			m.warnf(r, "", "funding of no organization or service of the package; not imported")
			m.skipped[r] = true
			continue
		}
		rec := &importRec{kind: importFundingKind, extID: r.get("id"), row: r}
		rec.set("source", r.get("source"))
		rec.addRefs(importRef{"organization_id", importOrgKind, org}, importRef{"service_id", importSvcKind, svc})
		m.keep("funding", r.get("id"))
		out = append(out, rec)
	}
	return out
}

// villageFunding reports whether a funding row carries a Village program_id
// attribute (a program's funding, which HSDS cannot link).
func (m *importMapper) villageFunding(r *importRow) bool {
	_, ok := m.villageOf("funding", r.get("id"))["program_id"]
	return ok
}

// serviceNeeds reads the attributes that link a service to a taxonomy term
// of the package (not the Village vocabulary) as the service's needs, as
// Village exports its needs; what such an attribute carries beyond the
// link (its id, value, link type) is kept verbatim with the service, under
// the term's vocabulary and code (see needTermKey).
func (m *importMapper) serviceNeeds(services, terms []*importRec) {
	byID := map[string]*importRec{}
	for _, s := range services {
		byID[s.extID] = s
	}
	termByID := map[string]*importRec{}
	for _, t := range terms {
		termByID[t.extID] = t
	}
	for _, a := range m.rows("attributes") {
		switch linkedTable(a, "link_id") {
		case "services":
		case "": // says not what it links: a service only if no other record has that id
			if m.tablesWithID(a.get("link_id")) > 1 {
				continue
			}
		default:
			continue
		}
		svc := byID[a.get("link_id")]
		term := a.get("taxonomy_term_id")
		if svc == nil || m.kept["taxonomy_terms"][term] == "" || a.consumed {
			continue
		}
		if containsString(svc.needs(), term) {
			continue // a second attribute for the same need: kept whole
		}
		svc.lateOf().needs = append(svc.lateOf().needs, term)
		// What Village writes for a need itself (an export's id, link type
		// and entity, the term's id) is not kept: a row left with nothing
		// else is what the export writes anyway.
		folded := specRow("attributes", a, "link_id", "taxonomy_term_id")
		if canonicalID(folded["id"]) == needAttributeID(svc.extID, term) {
			delete(folded, "id")
		}
		for _, col := range []string{"link_type", "link_entity"} {
			if folded[col] == KindService {
				delete(folded, col)
			}
		}
		if len(folded) == 0 {
			a.consumed = true
		} else {
			if t := termByID[term]; t != nil {
				vocabulary, _ := t.value("vocabulary").(string)
				code, _ := t.value("code").(string)
				folded[needVocabularyKey], folded[needCodeKey] = vocabulary, code
			} else {
				folded["taxonomy_term_id"] = term
			}
			svc.moreOf().folded = append(svc.moreOf().folded, importExtraRow{"attributes", folded, a})
		}
		m.rep.notef("attributes linking a service to a taxonomy term of the package became the service's needs")
	}
}

// importRadius reads "LAT,LON,KM", a circle as Village exports it.
func importRadius(s string) (lat, lon, km float64, ok bool) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	var v [3]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return 0, 0, 0, false
		}
		v[i] = f
	}
	if servicearea.CenterLatitudeValidator(v[0]) != nil || servicearea.CenterLongitudeValidator(v[1]) != nil || v[2] <= 0 {
		return 0, 0, 0, false
	}
	return v[0], v[1], v[2], true
}
