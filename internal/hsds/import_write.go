package hsds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/records"
)

// importKind is one Village record type as the importer sees it: the shared
// write operations (records.Type) and the HSDS table its records come from.
type importKind struct {
	*records.Type
	table string // the HSDS table (canonical name) its records come from
}

// The record types an import writes, with the HSDS tables they come from.
var (
	importOrgKind      = &importKind{Type: records.Organization, table: "organizations"}
	importLocKind      = &importKind{Type: records.Location, table: "locations"}
	importSvcKind      = &importKind{Type: records.Service, table: "services"}
	importAreaKind     = &importKind{Type: records.ServiceArea, table: "service_areas"}
	importSALKind      = &importKind{Type: records.ServiceAtLocation, table: "service_at_location"}
	importContactKind  = &importKind{Type: records.Contact, table: "contacts"}
	importPhoneKind    = &importKind{Type: records.Phone, table: "phones"}
	importScheduleKind = &importKind{Type: records.Schedule, table: "schedules"}
	importProgramKind  = &importKind{Type: records.Program, table: "programs"}
	importTermKind     = &importKind{Type: records.TaxonomyTerm, table: "taxonomy_terms"}
	importFundingKind  = &importKind{Type: records.Funding, table: "funding"}
)

// importKindNames is the order a Report lists types in.
var importKindNames = []string{ent.TypeOrganization, ent.TypeProgram, ent.TypeLocation, ent.TypeTaxonomyTerm, ent.TypeService,
	ent.TypeServiceArea, ent.TypeServiceAtLocation, ent.TypeContact, ent.TypePhone, ent.TypeSchedule, ent.TypeFunding}

func importKindRank(n string) int {
	for i, k := range importKindNames {
		if k == n {
			return i
		}
	}
	return len(importKindNames)
}

// importSnap is a stored record as JSON, by field name: a fast way to see
// that an imported record changes nothing without reading it again.
type importSnap map[string]json.RawMessage

// importSnaps keeps each stored record's snapshot, by external ID.
func importSnaps(stored []records.Stored) map[string]importSnap {
	snaps := make(map[string]importSnap, len(stored))
	for _, r := range stored {
		if b, err := json.Marshal(r.Record); err == nil {
			var s importSnap
			if json.Unmarshal(b, &s) == nil {
				snaps[r.ExternalID] = s
			}
		}
	}
	return snaps
}

// unchanged reports, conservatively, whether the stored snapshot already
// holds every field value: true only when each value encodes exactly as
// stored (times compared as instants). A false "changed" only costs the
// exact comparison of upsert.
func (s importSnap) unchanged(fields []importField) bool {
	if s == nil {
		return false
	}
	for _, f := range fields {
		v := directory.NormalizeValue(f.Value)
		raw, ok := s[f.Name]
		if v == nil {
			if ok && string(raw) != "null" && string(raw) != `""` && string(raw) != "[]" {
				return false
			}
			continue
		}
		if !ok {
			return false
		}
		if t, isTime := v.(time.Time); isTime {
			var st time.Time
			if json.Unmarshal(raw, &st) != nil || !st.Equal(t) {
				return false
			}
			continue
		}
		b, err := json.Marshal(v)
		if err != nil || !bytes.Equal(b, raw) {
			return false
		}
	}
	return true
}

// importProvenance is the provenance of every imported record; it names no
// path, so re-importing a moved package changes nothing.
const importProvenance = "Imported from an Open Referral HSDS package"

type importWriter struct {
	tx    *ent.Tx
	src   string
	ids   map[*importKind]map[string]int
	snaps map[*importKind]map[string]importSnap
	rep   *Report
	// needs are the need (term) IDs of the source's services, by service
	// ID, loaded on first use.
	needs map[int][]int
	// bulk batches the creation of records of kinds with CreateBulk:
	// pending are the records to create next, all of one kind.
	bulk    bool
	pending []importCreate
}

// importCreate is a record to create: its fields, and a service's needs.
type importCreate struct {
	rec    *importRec
	fields []importField
	needs  []int
}

// importBatch is how many records one create statement writes.
const importBatch = 500

// flush creates the pending records.
func (w *importWriter) flush(ctx context.Context) error {
	if len(w.pending) == 0 {
		return nil
	}
	batch := w.pending
	w.pending = nil
	kind := batch[0].rec.kind
	muts, save := kind.CreateBulk(w.tx.Client(), len(batch))
	for i, c := range batch {
		if len(c.needs) > 0 {
			muts[i].(*ent.ServiceMutation).AddNeedIDs(c.needs...)
		}
		if err := directory.SetNew(muts[i], c.fields); err != nil {
			return fmt.Errorf("%s %s: %w", kind.Name, c.rec.extID, err)
		}
	}
	created, err := save(ctx)
	if err != nil {
		return fmt.Errorf("one of %d %s records from %s %s: %w", len(batch), kind.Name, batch[0].rec.extID, importWhere(batch[0].rec.row), err)
	}
	known, err := w.idsOf(ctx, kind)
	if err != nil {
		return err
	}
	// ent gives the i-th builder the i-th row of the INSERT's RETURNING, the
	// order both SQLite and PostgreSQL return a multi-row VALUES insert in.
	for i, c := range batch {
		known[c.rec.extID] = created[i]
	}
	return nil
}

// serviceNeeds returns the need IDs a service of the source has now.
func (w *importWriter) serviceNeeds(ctx context.Context, id int) ([]int, error) {
	if w.needs == nil {
		list, err := w.tx.Service.Query().Where(service.ExternalSource(w.src)).
			WithNeeds(func(q *ent.TaxonomyTermQuery) { q.Select(taxonomyterm.FieldID) }).
			Select(service.FieldID).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("look up services' needs: %w", err)
		}
		w.needs = make(map[int][]int, len(list))
		for _, s := range list {
			for _, t := range s.Edges.Needs {
				w.needs[s.ID] = append(w.needs[s.ID], t.ID)
			}
		}
	}
	return w.needs[id], nil
}

// needIDs resolves a service's needs (HSDS term ids) to Village IDs, sorted.
func (w *importWriter) needIDs(ctx context.Context, r *importRec) ([]int, error) {
	if len(r.needs) == 0 {
		return nil, nil
	}
	terms, err := w.idsOf(ctx, importTermKind)
	if err != nil {
		return nil, err
	}
	out := make([]int, 0, len(r.needs))
	for _, ext := range r.needs {
		id, ok := terms[ext]
		if !ok {
			return nil, fmt.Errorf("needs: TaxonomyTerm %s not written", ext)
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// sameTerm finds a term already in Village with the vocabulary and code of
// r: from another source or none (the seeded needs vocabulary), or written
// earlier in this package under another id (warned about). The package's
// term is that term, and it is left as it is.
func (w *importWriter) sameTerm(ctx context.Context, r *importRec) (int, bool, error) {
	var vocabulary, code string
	for _, f := range r.fields {
		switch f.Name {
		case "vocabulary":
			vocabulary, _ = f.Value.(string)
		case "code":
			code, _ = f.Value.(string)
		}
	}
	t, err := w.tx.TaxonomyTerm.Query().Where(taxonomyterm.Vocabulary(vocabulary), taxonomyterm.Code(code)).Only(ctx)
	if ent.IsNotFound(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	if t.ExternalSource == w.src && r.row != nil {
		// Another term of this same package took the code first.
		w.rep.Warnings = append(w.rep.Warnings, r.row.msg("code",
			"code %q is already the code of term %q (%s) of this taxonomy; this term (%q) is merged into it",
			code, t.Name, t.ExternalID, r.row.get("name")))
		return t.ID, true, nil
	}
	w.rep.notef("taxonomy terms already in Village under the same vocabulary and code were used as they are")
	return t.ID, true, nil
}

func (w *importWriter) idsOf(ctx context.Context, k *importKind) (map[string]int, error) {
	if m, ok := w.ids[k]; ok {
		return m, nil
	}
	stored, err := k.FromSource(ctx, w.tx.Client(), w.src)
	if err != nil {
		return nil, fmt.Errorf("look up existing %s records: %w", k.Name, err)
	}
	m := records.IDs(stored)
	w.ids[k] = m
	w.snaps[k] = importSnaps(stored)
	return m, nil
}

// importWriteAll upserts the records in one transaction: created when new, updated
// only in the fields that differ, left alone when nothing differs (so a
// re-import writes nothing and logs no change). A dry run rolls back.
func importWriteAll(ctx context.Context, client *ent.Client, src string, recs []*importRec, rep *Report, opts ImportOptions) error {
	counts := maps.Clone(rep.Types)
	err := importWriteOnce(ctx, client, src, recs, rep, opts, true)
	var refused *importRefused
	if errors.As(err, &refused) && refused.rec == nil {
		// A batch was refused, and nothing written: write again one
		// record at a time, to name the record at fault.
		rep.Types = counts
		err = importWriteOnce(ctx, client, src, recs, rep, opts, false)
	}
	if errors.As(err, &refused) {
		rec := refused.rec
		if rec == nil {
			rec = recs[0]
		}
		rep.Errors = append(rep.Errors, rec.row.msg("", "%s %s refused by Village: %v", rec.kind.Name, rec.extID, refused.err))
		return &ImportError{Report: rep}
	}
	return err
}

// importRefused is a write Village refused: of rec, or (nil) of one of a
// batch of records.
type importRefused struct {
	rec *importRec
	err error
}

func (e *importRefused) Error() string { return e.err.Error() }

// importWriteOnce writes recs in one transaction, creating records in
// batches when bulk is set; it rolls back when any is refused.
func importWriteOnce(ctx context.Context, client *ent.Client, src string, recs []*importRec, rep *Report, opts ImportOptions, bulk bool) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	w := &importWriter{tx: tx, src: src, ids: map[*importKind]map[string]int{}, snaps: map[*importKind]map[string]importSnap{}, rep: rep, bulk: bulk}
	for i, r := range recs {
		if len(w.pending) > 0 && (w.pending[0].rec.kind != r.kind || len(w.pending) >= importBatch) {
			if err := w.flush(ctx); err != nil {
				_ = tx.Rollback()
				return &importRefused{err: err}
			}
		}
		if err := w.upsert(ctx, r); err != nil {
			_ = tx.Rollback()
			return &importRefused{rec: r, err: err}
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(recs))
		}
	}
	if err := w.flush(ctx); err != nil {
		_ = tx.Rollback()
		return &importRefused{err: err}
	}
	if opts.DryRun {
		return tx.Rollback()
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (w *importWriter) upsert(ctx context.Context, r *importRec) error {
	fields := []importField{
		{Name: "external_source", Value: w.src},
		{Name: "external_id", Value: r.extID},
	}
	hasProvenance := false
	for _, f := range r.fields {
		hasProvenance = hasProvenance || f.Name == "provenance"
	}
	if !hasProvenance {
		fields = append(fields, importField{Name: "provenance", Value: importProvenance})
	}
	fields = append(fields, r.fields...)
	fields = append(fields, importField{Name: "hsds_extra", Value: r.extra})
	for _, ref := range r.refs {
		var v any
		if ref.extID != "" {
			m, err := w.idsOf(ctx, ref.kind)
			if err != nil {
				return err
			}
			id, ok := m[ref.extID]
			if !ok {
				return fmt.Errorf("%s: %s %s not written", ref.field, ref.kind.Name, ref.extID)
			}
			v = id
		}
		fields = append(fields, importField{Name: ref.field, Value: v})
	}
	known, err := w.idsOf(ctx, r.kind)
	if err != nil {
		return err
	}
	counts := w.rep.Types[r.kind.Name]
	defer func() { w.rep.Types[r.kind.Name] = counts }()
	id, exists := known[r.extID]
	if !exists && r.kind == importTermKind {
		if same, ok, err := w.sameTerm(ctx, r); err != nil {
			return err
		} else if ok {
			known[r.extID] = same
			counts.Unchanged++
			return nil
		}
	}
	var needs []int
	if r.kind == importSvcKind {
		if needs, err = w.needIDs(ctx, r); err != nil {
			return err
		}
	}
	if !exists {
		if w.bulk && r.kind.CreateBulk != nil {
			w.pending = append(w.pending, importCreate{r, fields, needs})
			counts.Created++
			return nil
		}
		m, save := r.kind.Create(w.tx.Client())
		if len(needs) > 0 {
			m.(*ent.ServiceMutation).AddNeedIDs(needs...)
		}
		if err := directory.SetNew(m, fields); err != nil {
			return err
		}
		id, err := save(ctx)
		if err != nil {
			return err
		}
		known[r.extID] = id
		counts.Created++
		return nil
	}
	needsChanged := false
	if r.kind == importSvcKind {
		have, err := w.serviceNeeds(ctx, id)
		if err != nil {
			return err
		}
		have = slices.Sorted(slices.Values(have))
		needsChanged = !slices.Equal(have, needs)
	}
	if !needsChanged && w.snaps[r.kind][r.extID].unchanged(fields) {
		counts.Unchanged++
		return nil
	}
	m, save := r.kind.Update(w.tx.Client(), id)
	if needsChanged {
		sm := m.(*ent.ServiceMutation)
		sm.ClearNeeds()
		sm.AddNeedIDs(needs...)
	}
	changed, err := directory.SetChanged(ctx, m, fields)
	if err != nil {
		return err
	}
	changed = changed || needsChanged
	return counts.SaveIfChanged(ctx, changed, save)
}
