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

	"github.com/village-directory/village/internal/directory"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/contact"
	"github.com/village-directory/village/ent/funding"
	"github.com/village-directory/village/ent/location"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/phone"
	"github.com/village-directory/village/ent/program"
	"github.com/village-directory/village/ent/schedule"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/servicearea"
	"github.com/village-directory/village/ent/serviceatlocation"
	"github.com/village-directory/village/ent/taxonomyterm"
)

// importKind reads and writes one Village record type generically (as the
// seed loader does).
type importKind struct {
	name   string
	table  string // the HSDS table (canonical name) its records come from
	ids    func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error)
	create func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error))
	update func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error)
	// createBulk, for the kinds whose records never link to records of
	// their own kind, creates n records in one statement: what a large
	// import is mostly made of (nil: one at a time).
	createBulk func(tx *ent.Tx, n int) ([]ent.Mutation, func(context.Context) ([]int, error))
}

// importBulk adapts an ent create-bulk builder to importKind.createBulk.
func importBulk[B, E any](n int, newB func() B, mut func(B) ent.Mutation, save func(context.Context, []B) ([]E, error), id func(E) int) ([]ent.Mutation, func(context.Context) ([]int, error)) {
	bs := make([]B, n)
	ms := make([]ent.Mutation, n)
	for i := range bs {
		bs[i] = newB()
		ms[i] = mut(bs[i])
	}
	return ms, func(ctx context.Context) ([]int, error) {
		es, err := save(ctx, bs)
		if err != nil {
			return nil, err
		}
		ids := make([]int, len(es))
		for i, e := range es {
			ids[i] = id(e)
		}
		return ids, nil
	}
}

var importKindNames = []string{"Organization", "Program", "Location", "TaxonomyTerm", "Service", "ServiceArea", "ServiceAtLocation", "Contact", "Phone", "Schedule", "Funding"}

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

func importByExt[E any](rows []E, err error, get func(E) (string, int)) (map[string]int, map[string]importSnap, error) {
	if err != nil {
		return nil, nil, err
	}
	m := make(map[string]int, len(rows))
	snaps := make(map[string]importSnap, len(rows))
	for _, r := range rows {
		ext, id := get(r)
		m[ext] = id
		if b, err := json.Marshal(r); err == nil {
			var s importSnap
			if json.Unmarshal(b, &s) == nil {
				snaps[ext] = s
			}
		}
	}
	return m, snaps, nil
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

func importSavedID[E any](e E, err error) func(func(E) int) (int, error) {
	return func(id func(E) int) (int, error) {
		if err != nil {
			return 0, err
		}
		return id(e), nil
	}
}

func importSaveErr[E any](_ E, err error) error { return err }

var importOrgKind = &importKind{
	name:  "Organization",
	table: "organizations",
	ids: func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error) {
		rows, err := tx.Organization.Query().Where(organization.ExternalSource(src)).All(ctx)
		return importByExt(rows, err, func(e *ent.Organization) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Organization.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return importSavedID(b.Save(ctx))(func(e *ent.Organization) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Organization.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return importSaveErr(b.Save(ctx)) }
	},
}

var importLocKind = &importKind{
	name:  "Location",
	table: "locations",
	ids: func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error) {
		rows, err := tx.Location.Query().Where(location.ExternalSource(src)).All(ctx)
		return importByExt(rows, err, func(e *ent.Location) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Location.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return importSavedID(b.Save(ctx))(func(e *ent.Location) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Location.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return importSaveErr(b.Save(ctx)) }
	},
	createBulk: func(tx *ent.Tx, n int) ([]ent.Mutation, func(context.Context) ([]int, error)) {
		return importBulk(n, tx.Location.Create, func(b *ent.LocationCreate) ent.Mutation { return b.Mutation() },
			func(ctx context.Context, bs []*ent.LocationCreate) ([]*ent.Location, error) {
				return tx.Location.CreateBulk(bs...).Save(ctx)
			},
			func(e *ent.Location) int { return e.ID })
	},
}

var importSvcKind = &importKind{
	name:  "Service",
	table: "services",
	ids: func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error) {
		rows, err := tx.Service.Query().Where(service.ExternalSource(src)).All(ctx)
		return importByExt(rows, err, func(e *ent.Service) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Service.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return importSavedID(b.Save(ctx))(func(e *ent.Service) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Service.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return importSaveErr(b.Save(ctx)) }
	},
	createBulk: func(tx *ent.Tx, n int) ([]ent.Mutation, func(context.Context) ([]int, error)) {
		return importBulk(n, tx.Service.Create, func(b *ent.ServiceCreate) ent.Mutation { return b.Mutation() },
			func(ctx context.Context, bs []*ent.ServiceCreate) ([]*ent.Service, error) {
				return tx.Service.CreateBulk(bs...).Save(ctx)
			},
			func(e *ent.Service) int { return e.ID })
	},
}

var importAreaKind = &importKind{
	name:  "ServiceArea",
	table: "service_areas",
	ids: func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error) {
		rows, err := tx.ServiceArea.Query().Where(servicearea.ExternalSource(src)).All(ctx)
		return importByExt(rows, err, func(e *ent.ServiceArea) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.ServiceArea.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return importSavedID(b.Save(ctx))(func(e *ent.ServiceArea) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.ServiceArea.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return importSaveErr(b.Save(ctx)) }
	},
	createBulk: func(tx *ent.Tx, n int) ([]ent.Mutation, func(context.Context) ([]int, error)) {
		return importBulk(n, tx.ServiceArea.Create, func(b *ent.ServiceAreaCreate) ent.Mutation { return b.Mutation() },
			func(ctx context.Context, bs []*ent.ServiceAreaCreate) ([]*ent.ServiceArea, error) {
				return tx.ServiceArea.CreateBulk(bs...).Save(ctx)
			},
			func(e *ent.ServiceArea) int { return e.ID })
	},
}

var importSALKind = &importKind{
	name:  "ServiceAtLocation",
	table: "service_at_location",
	ids: func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error) {
		rows, err := tx.ServiceAtLocation.Query().Where(serviceatlocation.ExternalSource(src)).All(ctx)
		return importByExt(rows, err, func(e *ent.ServiceAtLocation) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.ServiceAtLocation.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return importSavedID(b.Save(ctx))(func(e *ent.ServiceAtLocation) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.ServiceAtLocation.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return importSaveErr(b.Save(ctx)) }
	},
	createBulk: func(tx *ent.Tx, n int) ([]ent.Mutation, func(context.Context) ([]int, error)) {
		return importBulk(n, tx.ServiceAtLocation.Create, func(b *ent.ServiceAtLocationCreate) ent.Mutation { return b.Mutation() },
			func(ctx context.Context, bs []*ent.ServiceAtLocationCreate) ([]*ent.ServiceAtLocation, error) {
				return tx.ServiceAtLocation.CreateBulk(bs...).Save(ctx)
			},
			func(e *ent.ServiceAtLocation) int { return e.ID })
	},
}

var importContactKind = &importKind{
	name:  "Contact",
	table: "contacts",
	ids: func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error) {
		rows, err := tx.Contact.Query().Where(contact.ExternalSource(src)).All(ctx)
		return importByExt(rows, err, func(e *ent.Contact) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Contact.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return importSavedID(b.Save(ctx))(func(e *ent.Contact) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Contact.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return importSaveErr(b.Save(ctx)) }
	},
	createBulk: func(tx *ent.Tx, n int) ([]ent.Mutation, func(context.Context) ([]int, error)) {
		return importBulk(n, tx.Contact.Create, func(b *ent.ContactCreate) ent.Mutation { return b.Mutation() },
			func(ctx context.Context, bs []*ent.ContactCreate) ([]*ent.Contact, error) {
				return tx.Contact.CreateBulk(bs...).Save(ctx)
			},
			func(e *ent.Contact) int { return e.ID })
	},
}

var importPhoneKind = &importKind{
	name:  "Phone",
	table: "phones",
	ids: func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error) {
		rows, err := tx.Phone.Query().Where(phone.ExternalSource(src)).All(ctx)
		return importByExt(rows, err, func(e *ent.Phone) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Phone.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return importSavedID(b.Save(ctx))(func(e *ent.Phone) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Phone.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return importSaveErr(b.Save(ctx)) }
	},
	createBulk: func(tx *ent.Tx, n int) ([]ent.Mutation, func(context.Context) ([]int, error)) {
		return importBulk(n, tx.Phone.Create, func(b *ent.PhoneCreate) ent.Mutation { return b.Mutation() },
			func(ctx context.Context, bs []*ent.PhoneCreate) ([]*ent.Phone, error) {
				return tx.Phone.CreateBulk(bs...).Save(ctx)
			},
			func(e *ent.Phone) int { return e.ID })
	},
}

var importScheduleKind = &importKind{
	name:  "Schedule",
	table: "schedules",
	ids: func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error) {
		rows, err := tx.Schedule.Query().Where(schedule.ExternalSource(src)).All(ctx)
		return importByExt(rows, err, func(e *ent.Schedule) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Schedule.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return importSavedID(b.Save(ctx))(func(e *ent.Schedule) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Schedule.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return importSaveErr(b.Save(ctx)) }
	},
	createBulk: func(tx *ent.Tx, n int) ([]ent.Mutation, func(context.Context) ([]int, error)) {
		return importBulk(n, tx.Schedule.Create, func(b *ent.ScheduleCreate) ent.Mutation { return b.Mutation() },
			func(ctx context.Context, bs []*ent.ScheduleCreate) ([]*ent.Schedule, error) {
				return tx.Schedule.CreateBulk(bs...).Save(ctx)
			},
			func(e *ent.Schedule) int { return e.ID })
	},
}

var importProgramKind = &importKind{
	name:  "Program",
	table: "programs",
	ids: func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error) {
		rows, err := tx.Program.Query().Where(program.ExternalSource(src)).All(ctx)
		return importByExt(rows, err, func(e *ent.Program) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Program.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return importSavedID(b.Save(ctx))(func(e *ent.Program) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Program.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return importSaveErr(b.Save(ctx)) }
	},
}

var importTermKind = &importKind{
	name:  "TaxonomyTerm",
	table: "taxonomy_terms",
	ids: func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error) {
		rows, err := tx.TaxonomyTerm.Query().Where(taxonomyterm.ExternalSource(src)).All(ctx)
		return importByExt(rows, err, func(e *ent.TaxonomyTerm) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.TaxonomyTerm.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return importSavedID(b.Save(ctx))(func(e *ent.TaxonomyTerm) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.TaxonomyTerm.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return importSaveErr(b.Save(ctx)) }
	},
}

var importFundingKind = &importKind{
	name:  "Funding",
	table: "funding",
	ids: func(ctx context.Context, tx *ent.Tx, src string) (map[string]int, map[string]importSnap, error) {
		rows, err := tx.Funding.Query().Where(funding.ExternalSource(src)).All(ctx)
		return importByExt(rows, err, func(e *ent.Funding) (string, int) { return e.ExternalID, e.ID })
	},
	create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
		b := tx.Funding.Create()
		return b.Mutation(), func(ctx context.Context) (int, error) {
			return importSavedID(b.Save(ctx))(func(e *ent.Funding) int { return e.ID })
		}
	},
	update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
		b := tx.Funding.UpdateOneID(id)
		return b.Mutation(), func(ctx context.Context) error { return importSaveErr(b.Save(ctx)) }
	},
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
	// bulk batches the creation of records of kinds with createBulk:
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
	muts, save := kind.createBulk(w.tx, len(batch))
	for i, c := range batch {
		if len(c.needs) > 0 {
			muts[i].(*ent.ServiceMutation).AddNeedIDs(c.needs...)
		}
		if err := directory.SetNew(muts[i], c.fields); err != nil {
			return fmt.Errorf("%s %s: %w", kind.name, c.rec.extID, err)
		}
	}
	created, err := save(ctx)
	if err != nil {
		return fmt.Errorf("one of %d %s records from %s %s: %w", len(batch), kind.name, batch[0].rec.extID, importWhere(batch[0].rec.row), err)
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
// r, from another source or none (the seeded needs vocabulary): the
// package's term is that term, and it is left as it is.
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
	w.rep.notef("taxonomy terms already in Village under the same vocabulary and code were used as they are")
	return t.ID, true, nil
}

func (w *importWriter) idsOf(ctx context.Context, k *importKind) (map[string]int, error) {
	if m, ok := w.ids[k]; ok {
		return m, nil
	}
	m, snaps, err := k.ids(ctx, w.tx, w.src)
	if err != nil {
		return nil, fmt.Errorf("look up existing %s records: %w", k.name, err)
	}
	w.ids[k] = m
	w.snaps[k] = snaps
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
		rep.Errors = append(rep.Errors, rec.row.msg("", "%s %s refused by Village: %v", rec.kind.name, rec.extID, refused.err))
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
				return fmt.Errorf("%s: %s %s not written", ref.field, ref.kind.name, ref.extID)
			}
			v = id
		}
		fields = append(fields, importField{Name: ref.field, Value: v})
	}
	known, err := w.idsOf(ctx, r.kind)
	if err != nil {
		return err
	}
	counts := w.rep.Types[r.kind.name]
	defer func() { w.rep.Types[r.kind.name] = counts }()
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
		if w.bulk && r.kind.createBulk != nil {
			w.pending = append(w.pending, importCreate{r, fields, needs})
			counts.Created++
			return nil
		}
		m, save := r.kind.create(w.tx)
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
	m, save := r.kind.update(w.tx, id)
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
	if !changed {
		counts.Unchanged++
		return nil
	}
	if err := save(ctx); err != nil {
		return err
	}
	counts.Updated++
	return nil
}
