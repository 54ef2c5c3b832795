package hsds

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/internal/directory"
)

// override sets a field, replacing any value set before.
func (r *importRec) override(name string, v any) {
	for i := range r.fields {
		if r.fields[i].Name == name {
			r.fields[i].Value = v
			return
		}
	}
	r.set(name, v)
}

// villageAttributes indexes the package's Village attributes: linked table
// and id ("services/ID"; "/ID" when the attribute's link_entity names no
// table) → term code → value.
func (m *importMapper) villageAttributes() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, a := range m.rows("attributes") {
		term := m.ids["taxonomy_terms"][a.get("taxonomy_term_id")]
		if term == nil {
			// A package that left the Village terms out: their ids are fixed.
			if code, ok := VillageTermCode(a.get("taxonomy_term_id")); ok {
				m.consumed[a] = true
				link := linkedTable(a, "link_id") + "/" + a.get("link_id")
				if out[link] == nil {
					out[link] = map[string]string{}
				}
				out[link][code] = a.raw("value")
			}
			continue
		}
		tax := term.get("taxonomy")
		if tax == "" {
			if t := m.ids["taxonomies"][term.get("taxonomy_id")]; t != nil {
				tax = t.get("name")
			}
		}
		if tax != VillageTaxonomy || term.get("code") == "" {
			continue
		}
		m.consumed[a] = true // Village's own encoding: the export writes it again
		link := linkedTable(a, "link_id") + "/" + a.get("link_id")
		if out[link] == nil {
			out[link] = map[string]string{}
		}
		out[link][term.get("code")] = a.raw("value")
	}
	return out
}

// villageOf returns the Village attributes of the record with HSDS id id
// in table: those naming its table, or those naming none when no other
// table of the package has that id.
func (m *importMapper) villageOf(table, id string) map[string]string {
	if m.village == nil {
		m.village = m.villageAttributes()
	}
	if attrs := m.village[table+"/"+id]; attrs != nil {
		return attrs
	}
	if m.tablesWithID(id) <= 1 {
		return m.village["/"+id]
	}
	return nil
}

// tablesWithID counts the package's tables holding a row with HSDS id id
// that a link may point at (not the attributes and metadata that link).
func (m *importMapper) tablesWithID(id string) int {
	n := 0
	for table, rows := range m.ids {
		if rows[id] != nil && table != "attributes" && table != "metadata" {
			n++
		}
	}
	return n
}

// applyVillage restores the Village fields an export carried as attributes
// of the record.
func (m *importMapper) applyVillage(rec *importRec) {
	if m.village == nil {
		m.village = m.villageAttributes()
	}
	attrs := m.villageOf(rec.kind.table, rec.extID)
	if len(attrs) == 0 {
		return
	}
	m.rep.notef("Village attributes (taxonomy %q) restored Village's own fields", VillageTaxonomy)
	bad := func(code string, err error) {
		m.warnf(rec.row, "attributes."+code, "Village attribute not readable (%v); ignored", err)
	}
	boolean := func(code string) (bool, bool) {
		v, ok := attrs[code]
		if !ok {
			return false, false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad(code, err)
			return false, false
		}
		return b, true
	}
	if b, ok := boolean("sample"); ok {
		rec.override("sample", b)
	}
	if v, ok := attrs["provenance"]; ok {
		rec.override("provenance", v)
	}
	switch rec.kind {
	case importSvcKind:
		// A Village export: the service's own eligibility is the attribute,
		// or none (the service inherits its program's).
		rec.override("eligibility", nil)
		if v, ok := attrs["eligibility"]; ok {
			var e directory.Eligibility
			if err := json.Unmarshal([]byte(v), &e); err != nil {
				bad("eligibility", err)
			} else if err := e.Validate(); err != nil {
				bad("eligibility", err)
			} else {
				rec.override("eligibility", &e)
			}
		}
		if b, ok := boolean("free"); ok {
			rec.override("free", b)
		}
		for _, code := range []string{"capacity_available", "capacity_maximum"} {
			if v, ok := attrs[code]; ok {
				if n, err := strconv.Atoi(v); err != nil {
					bad(code, err)
				} else {
					rec.override(code, n)
				}
			}
		}
		for _, code := range []string{"capacity_updated_at", "verified_at"} {
			if v, ok := attrs[code]; ok {
				if t, err := time.Parse(time.RFC3339Nano, v); err != nil {
					bad(code, err)
				} else {
					rec.override(code, t.UTC())
				}
			}
		}
		for _, code := range []string{"verified_by", "internal_notes"} {
			if v, ok := attrs[code]; ok {
				rec.override(code, v)
			}
		}
		if v, ok := attrs["delivery_modes"]; ok {
			var dm []directory.DeliveryMode
			if err := json.Unmarshal([]byte(v), &dm); err != nil {
				bad("delivery_modes", err)
			} else {
				rec.override("delivery_modes", dm)
			}
		}
	case importProgramKind:
		if v, ok := attrs["eligibility"]; ok {
			var e directory.Eligibility
			if err := json.Unmarshal([]byte(v), &e); err != nil {
				bad("eligibility", err)
			} else if err := e.Validate(); err != nil {
				bad("eligibility", err)
			} else {
				rec.override("eligibility", &e)
			}
		}
		if v, ok := attrs["approach"]; ok {
			if err := program.ApproachValidator(program.Approach(v)); err != nil {
				bad("approach", err)
			} else {
				rec.override("approach", program.Approach(v))
			}
		}
		jsonAttr := func(code string, into any) bool {
			v, ok := attrs[code]
			if !ok {
				return false
			}
			if err := json.Unmarshal([]byte(v), into); err != nil {
				bad(code, err)
				return false
			}
			return true
		}
		var settings []directory.Setting
		if jsonAttr("settings", &settings) {
			rec.override("settings", settings)
		}
		var audiences []directory.Audience
		if jsonAttr("audiences", &audiences) {
			rec.override("audiences", audiences)
		}
		var evidence []directory.Evidence
		if jsonAttr("evidence", &evidence) {
			rec.override("evidence", evidence)
		}
		if v, ok := attrs["serves_through_months"]; ok {
			if n, err := strconv.Atoi(v); err != nil {
				bad("serves_through_months", err)
			} else {
				rec.override("serves_through_months", n)
			}
		}
		if v, ok := attrs["url"]; ok {
			rec.override("url", v)
		}
	case importFundingKind:
		if v, ok := attrs["funding_description"]; ok {
			rec.override("description", v)
		}
		if v, ok := attrs["amount_usd"]; ok {
			if n, err := strconv.ParseInt(v, 10, 64); err != nil {
				bad("amount_usd", err)
			} else {
				rec.override("amount_usd", n)
			}
		}
		for _, link := range []struct {
			code, field, table string
			kind               *importKind
		}{{"funder_id", "funder_id", "organizations", importOrgKind}, {"program_id", "program_id", "programs", importProgramKind}} {
			v, ok := attrs[link.code]
			if !ok || v == "" {
				continue
			}
			if !m.kept[link.table][v] {
				m.warnf(rec.row, "attributes."+link.code, "no %s with id %s in the package; link dropped", link.table, v)
				continue
			}
			rec.refs = append(rec.refs, importRef{link.field, link.kind, v})
		}
	case importLocKind:
		if b, ok := boolean("confidential"); ok {
			rec.override("confidential", b)
		}
	case importAreaKind:
		if v, ok := attrs["coverage"]; ok {
			var c struct {
				Kind            string   `json:"kind"`
				Code            string   `json:"code"`
				CenterLatitude  *float64 `json:"centerLatitude"`
				CenterLongitude *float64 `json:"centerLongitude"`
				RadiusKm        *float64 `json:"radiusKm"`
			}
			if err := json.Unmarshal([]byte(v), &c); err != nil {
				bad("coverage", err)
			} else if err := servicearea.KindValidator(servicearea.Kind(strings.ToUpper(c.Kind))); err != nil {
				bad("coverage", err)
			} else {
				rec.override("kind", servicearea.Kind(strings.ToUpper(c.Kind)))
				rec.override("code", importNonEmpty(c.Code))
				deref := func(f *float64) any {
					if f == nil {
						return nil
					}
					return *f
				}
				rec.override("center_latitude", deref(c.CenterLatitude))
				rec.override("center_longitude", deref(c.CenterLongitude))
				rec.override("radius_km", deref(c.RadiusKm))
			}
		}
	case importPhoneKind:
		if b, ok := boolean("staff_only"); ok {
			rec.override("staff_only", b)
		}
		if v, ok := attrs["extension"]; ok {
			rec.override("extension", v)
		}
	case importScheduleKind:
		if v, ok := attrs["timezone"]; ok {
			rec.override("timezone", v)
		}
	}
}
