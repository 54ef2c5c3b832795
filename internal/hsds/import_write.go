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

	"github.com/google/uuid"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/changeevent"
	"github.com/village-directory/village/ent/service"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/feed"
	"github.com/village-directory/village/internal/hsds/hsdsextra"
	"github.com/village-directory/village/internal/records"
	"github.com/village-directory/village/internal/store"
)

// importKind is one Village record type as the importer sees it: the shared
// write operations (records.Type), the HSDS table its records come from and
// the record kind its HSDS ids are derived with.
type importKind struct {
	*records.Type
	table string // the HSDS table (canonical name) its records come from
	hsds  string // KindService…
}

// The record types an import writes, with the HSDS tables they come from.
var (
	importOrgKind      = &importKind{Type: records.Organization, table: "organizations", hsds: KindOrganization}
	importLocKind      = &importKind{Type: records.Location, table: "locations", hsds: KindLocation}
	importSvcKind      = &importKind{Type: records.Service, table: "services", hsds: KindService}
	importAreaKind     = &importKind{Type: records.ServiceArea, table: "service_areas", hsds: KindServiceArea}
	importSALKind      = &importKind{Type: records.ServiceAtLocation, table: "service_at_location", hsds: KindServiceAtLocation}
	importContactKind  = &importKind{Type: records.Contact, table: "contacts", hsds: KindContact}
	importPhoneKind    = &importKind{Type: records.Phone, table: "phones", hsds: KindPhone}
	importScheduleKind = &importKind{Type: records.Schedule, table: "schedules", hsds: KindSchedule}
	importProgramKind  = &importKind{Type: records.Program, table: "programs", hsds: KindProgram}
	importTermKind     = &importKind{Type: records.TaxonomyTerm, table: "taxonomy_terms", hsds: KindTaxonomyTerm}
	importFundingKind  = &importKind{Type: records.Funding, table: "funding", hsds: KindFunding}
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

// importSnap is a stored record as JSON: a fast way to see that an
// imported record changes nothing without reading it again. It is kept as
// the encoded object and read into its fields (snapFields) only when
// compared: a re-import holds one for every record of the source, and a
// map per record would take several times the room.
type importSnap []byte

// importSnaps keeps each stored record's snapshot, by external ID; the
// records go from stored as they are read.
func importSnaps(stored []records.Stored) map[string]importSnap {
	snaps := make(map[string]importSnap, len(stored))
	for i, r := range stored {
		if b, err := json.Marshal(r.Record); err == nil {
			snaps[r.ExternalID] = b
		}
		stored[i].Record = nil // read: it goes as its snapshot is made
	}
	return snaps
}

// unchanged reports, conservatively, whether the stored snapshot already
// holds every field value: true only when each value encodes exactly as
// stored (times compared as instants). A false "changed" only costs the
// exact comparison of upsert.
func (snap importSnap) unchanged(fields []importField) bool {
	if snap == nil {
		return false
	}
	var s map[string]json.RawMessage
	if json.Unmarshal(snap, &s) != nil {
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
	tx  *ent.Tx
	src string
	// ids are the Village IDs of the package's records written (or found)
	// so far, by kind and HSDS id: what the package's links name.
	ids map[*importKind]map[string]int
	// stored indexes the records already in Village, by kind and external
	// source, loaded on first use.
	stored map[importStoredKey]*importStored
	// own maps, per kind, the HSDS ids of records of this directory that
	// the package's change history shows it exported, to their IDs (see
	// ownOf); built on first use.
	own map[*importKind]map[string]int
	// recs are the package's records, by kind and HSDS id.
	recs map[*importKind]map[string]*importRec
	rep  *Report
	// needs are the need (term) IDs of services, by service ID, loaded on
	// first use: of the source's services, or of every service once a
	// service found under another identity needs them (needsOfAll).
	needs      map[int][]int
	needsOfAll bool
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
	known := w.idsOf(kind)
	// ent gives the i-th builder the i-th row of the INSERT's RETURNING, the
	// order both SQLite and PostgreSQL return a multi-row VALUES insert in.
	for i, c := range batch {
		known[c.rec.extID] = created[i]
	}
	return nil
}

// serviceNeeds returns the need IDs a service has now. They are read in
// one statement for all the source's services, the first time; a service
// found under another identity (its own, or its origin's) widens that once
// to every service, rather than a statement per such service.
func (w *importWriter) serviceNeeds(ctx context.Context, id int, ofSource bool) ([]int, error) {
	if w.needs == nil || (!ofSource && !w.needsOfAll) {
		q := w.tx.Service.Query()
		if ofSource {
			q = q.Where(service.ExternalSource(w.src))
		}
		list, err := q.WithNeeds(func(q *ent.TaxonomyTermQuery) { q.Select(taxonomyterm.FieldID) }).
			Select(service.FieldID).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("look up services' needs: %w", err)
		}
		w.needs, w.needsOfAll = make(map[int][]int, len(list)), !ofSource
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
	if len(r.needs()) == 0 {
		return nil, nil
	}
	terms := w.idsOf(importTermKind)
	out := make([]int, 0, len(r.needs()))
	for _, ext := range r.needs() {
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
// r: from another source or none (the seeded needs vocabulary), from an
// earlier import of this source under another id (an export gives a term
// whose source id is no UUID an id of its own), or written earlier in this
// package under another id (warned about). The package's
// term is that term, and it is left as it is.
func (w *importWriter) sameTerm(ctx context.Context, r *importRec) (int, bool, error) {
	var vocabulary, code string
	for _, f := range r.fieldList() {
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
	if t.ExternalSource == w.src && r.row != nil && w.idsOf(importTermKind)[t.ExternalID] == t.ID {
		// Another term of this same package took the code first.
		msg := r.row.msg("code",
			"code %q is already the code of term %q (%s) of this taxonomy; this term (%q) is merged into it",
			code, t.Name, t.ExternalID, r.row.get("name"))
		msg.Kind = importKindOf("code %q is already the code of term %q (%s) of this taxonomy; this term (%q) is merged into it")
		w.rep.addWarning(msg)
		return t.ID, true, nil
	}
	w.rep.notef("taxonomy terms already in Village under the same vocabulary and code were used as they are")
	return t.ID, true, nil
}

// idsOf is the Village IDs of the package's records of kind k written so
// far, by HSDS id.
func (w *importWriter) idsOf(k *importKind) map[string]int {
	m, ok := w.ids[k]
	if !ok {
		m = map[string]int{}
		w.ids[k] = m
	}
	return m
}

// importStoredKey names the records of one kind from one external source.
type importStoredKey struct {
	kind   *importKind
	source string
}

// importStored is the records of one kind from one source already in
// Village: their IDs and snapshots by external id.
type importStored struct {
	ids   map[string]int
	snaps map[string]importSnap
}

// snap gives the snapshot of the stored record with external id ext and
// lets it go: a package has one record of each HSDS id, compared once, so
// the write holds fewer and fewer snapshots. A second record found there
// (two naming one external identity) has none, which only costs the exact
// comparison (see importSnap.unchanged).
func (s *importStored) snap(ext string) importSnap {
	snap := s.snaps[ext]
	delete(s.snaps, ext)
	return snap
}

// storedOf loads the records of kind k from source.
func (w *importWriter) storedOf(ctx context.Context, k *importKind, source string) (*importStored, error) {
	key := importStoredKey{k, source}
	if s, ok := w.stored[key]; ok {
		return s, nil
	}
	list, err := k.FromSource(ctx, w.tx.Client(), source)
	if err != nil {
		return nil, fmt.Errorf("look up existing %s records: %w", k.Name, err)
	}
	s := &importStored{ids: records.IDs(list), snaps: importSnaps(list)}
	w.stored[key] = s
	return s, nil
}

// How upsert found the Village record of a package's record.
type importFound int

const (
	foundNone     importFound = iota // a new record
	foundByKey                       // under the identity the package gives it (external_id attribute)
	foundBySource                    // under the import's source and its HSDS id
	foundAsOwn                       // a record of this directory, by HSDS id and change history
)

// find looks for the Village record r is: under the identity the package
// gives it, else under the import's source and its HSDS id (where an import
// before external ids were restored put it, too), else, when the package
// is an export of this directory, the record whose HSDS id it is.
func (w *importWriter) find(ctx context.Context, r *importRec) (int, importFound, importSnap, error) {
	if r.key != nil {
		s, err := w.storedOf(ctx, r.kind, r.key.source)
		if err != nil {
			return 0, foundNone, nil, err
		}
		if id, ok := s.ids[r.key.id]; ok {
			return id, foundByKey, s.snap(r.key.id), nil
		}
	}
	s, err := w.storedOf(ctx, r.kind, w.src)
	if err != nil {
		return 0, foundNone, nil, err
	}
	if id, ok := s.ids[r.extID]; ok {
		return id, foundBySource, s.snap(r.extID), nil
	}
	// Terms are matched by vocabulary and code (sameTerm) instead.
	if r.hasHistory() && r.kind != importTermKind {
		own, err := w.ownOf(ctx, r.kind)
		if err != nil {
			return 0, foundNone, nil, err
		}
		if id, ok := own[r.extID]; ok {
			return id, foundAsOwn, nil, nil
		}
	}
	return 0, foundNone, nil, nil
}

// ownOf finds the records of kind k that the package's change history
// shows to be this directory's: a record whose HSDS id a record of the
// package has, and one of whose change events the package's history of
// that record names. An HSDS id alone cannot tell: a derived id is a hash
// of the record's ID, which every Village directory numbers alike, so
// another directory's export names this one's records too. An entry of the
// history names its event by number and instant (see historyEntryID), which
// only this directory, or a copy of it, shares.
func (w *importWriter) ownOf(ctx context.Context, k *importKind) (map[string]int, error) {
	if m, ok := w.own[k]; ok {
		return m, nil
	}
	m := map[string]int{}
	w.own[k] = m
	dir, err := store.DirectoryID(ctx, w.tx.Client())
	if err != nil {
		return nil, err
	}
	rows, err := queryIDRows(ctx, w.tx.Client(), k.hsds, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("look up existing %s records: %w", k.Name, err)
	}
	cands := map[int]*importRec{}
	for _, row := range rows {
		id := row.hsdsID(dir, k.hsds)
		r := w.recs[k][id]
		if r == nil && id != row.ownUUID() {
			// An export made before ids depended on the directory (see
			// LegacyDerivedID), recognised for one release.
			r = w.recs[k][LegacyDerivedID(k.hsds, row.ID)]
		}
		if r != nil && r.hasHistory() {
			cands[row.ID] = r
		}
	}
	ids := slices.Sorted(maps.Keys(cands))
	history := map[*importRec][]string{}
	for len(ids) > 0 {
		n := min(len(ids), importBatch)
		events, err := w.tx.ChangeEvent.Query().
			Where(changeevent.EntityType(feed.EntityType(k.Name)), changeevent.EntityIDIn(ids[:n]...)).
			Order(changeevent.ByID()).All(ctx)
		if err != nil {
			return nil, fmt.Errorf("look up the history of %s records: %w", k.Name, err)
		}
		for _, e := range events {
			r := cands[e.EntityID]
			h, ok := history[r]
			if !ok {
				h = r.history() // read back once per record
				history[r] = h
			}
			if !slices.Contains(h, historyEntryID(e)) {
				continue
			}
			if prev, ok := m[r.extID]; !ok || e.EntityID < prev {
				m[r.extID] = e.EntityID
			}
		}
		ids = ids[n:]
	}
	return m, nil
}

// importWriteAll upserts the records in one transaction: created when new, updated
// only in the fields that differ, left alone when nothing differs (so a
// re-import writes nothing and logs no change). A dry run rolls back.
//
// With remap set (it maps the package again, giving the same records),
// what a record writes goes once it is written, so the write holds less
// and less of the package; should Village refuse a batch, the records are
// mapped again to write them one at a time (see importWriteOnce).
func importWriteAll(ctx context.Context, client *ent.Client, src string, recs []*importRec, rep *Report, opts ImportOptions, remap func() ([]*importRec, error)) error {
	counts := maps.Clone(rep.Types)
	err := importWriteOnce(ctx, client, src, recs, rep, opts, true, remap != nil)
	var refused *importRefused
	if errors.As(err, &refused) && refused.rec == nil {
		// A batch was refused, and nothing written: write again one
		// record at a time, to name the record at fault.
		rep.Types = counts
		if remap != nil {
			recs = nil // what is left of them goes before the package is mapped again
			if recs, err = remap(); err != nil {
				return err
			}
		}
		err = importWriteOnce(ctx, client, src, recs, rep, opts, false, false)
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
// batches when bulk is set; it rolls back when any is refused. With
// release set, what a record writes (its fields, links, needs and kept
// extras) goes once it is written or handed to its batch: its kind, HSDS
// id, row, identity and history stay, for messages and for finding the
// records of this directory (ownOf).
func importWriteOnce(ctx context.Context, client *ent.Client, src string, recs []*importRec, rep *Report, opts ImportOptions, bulk, release bool) error {
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	w := &importWriter{tx: tx, src: src, ids: map[*importKind]map[string]int{}, stored: map[importStoredKey]*importStored{},
		own: map[*importKind]map[string]int{}, recs: map[*importKind]map[string]*importRec{}, rep: rep, bulk: bulk}
	for _, r := range recs {
		if w.recs[r.kind] == nil {
			w.recs[r.kind] = map[string]*importRec{}
		}
		w.recs[r.kind][r.extID] = r
	}
	for i, r := range recs {
		if i == len(recs)*3/4 {
			importStage("writing")
		}
		if len(w.pending) > 0 && (w.pending[0].rec.kind != r.kind || len(w.pending) >= importBatch) {
			if err := w.flush(ctx); err != nil {
				_ = tx.Rollback()
				return &importRefused{err: err}
			}
		}
		// A packed record's fields and links are read back for its write
		// and go after it (see import_pack.go).
		packed := r.packed != 0
		fields, refs, err := r.unpack()
		if err != nil {
			_ = tx.Rollback()
			return err
		}
		r.body = &importRecBody{fields, refs}
		if err := w.upsert(ctx, r); err != nil {
			_ = tx.Rollback()
			return &importRefused{rec: r, err: err}
		}
		if packed {
			r.body = nil
		}
		if release {
			r.body, r.extra = nil, nil
			if r.late != nil {
				r.late.needs = nil
			}
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(recs))
		}
	}
	if err := w.flush(ctx); err != nil {
		_ = tx.Rollback()
		return &importRefused{err: err}
	}
	importStage("written")
	if opts.DryRun {
		return tx.Rollback()
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (w *importWriter) upsert(ctx context.Context, r *importRec) error {
	known := w.idsOf(r.kind)
	counts := w.rep.Types[r.kind.Name]
	defer func() { w.rep.Types[r.kind.Name] = counts }()
	id, found, snap, err := w.find(ctx, r)
	if err != nil {
		return err
	}
	if r.standIn && found != foundNone {
		// The organization is stored already (an earlier stand-in, or
		// the organization itself): the stand-in changes nothing.
		known[r.extID] = id
		counts.Unchanged++
		return nil
	}
	switch {
	case found == foundAsOwn:
		w.rep.notef("the package is an export of this directory (its change history says so): records without an identity of their own were found by their HSDS ids")
	case r.key != nil:
		w.rep.notef("records the package says came from another system (Village attribute external_id) keep that system's external source and id")
	}
	if found == foundNone && r.kind == importTermKind {
		if same, ok, err := w.sameTerm(ctx, r); err != nil {
			return err
		} else if ok {
			known[r.extID] = same
			counts.Unchanged++
			return nil
		}
	}
	fields := w.fields(r, found)
	for _, ref := range r.refList() {
		var v any
		if ref.extID != "" {
			to, ok := w.idsOf(ref.kind)[ref.extID]
			if !ok {
				return fmt.Errorf("%s: %s %s not written", ref.field, ref.kind.Name, ref.extID)
			}
			v = to
		}
		fields = append(fields, importField{Name: ref.field, Value: v})
	}
	var needs []int
	if r.kind == importSvcKind {
		if needs, err = w.needIDs(ctx, r); err != nil {
			return err
		}
	}
	if found == foundNone {
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
	known[r.extID] = id
	needsChanged := false
	if r.kind == importSvcKind {
		have, err := w.serviceNeeds(ctx, id, found == foundBySource)
		if err != nil {
			return err
		}
		have = slices.Sorted(slices.Values(have))
		needsChanged = !slices.Equal(have, needs)
	}
	if !needsChanged && snap.unchanged(fields) {
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

// fields are the fields r writes on its record, found as found, links
// aside.
//
// Identity: a record the package says came from another system (its
// external_id attribute) is stored under that system's source and id, the
// one integrators upsert it by and the next export writes again; a record
// of this directory keeps its own; any other is the import's, under its
// source and HSDS id.
//
// Provenance: the package's, when it gives the record one; else the
// import's, on what the import creates and on what it holds under its own
// source. A record found under its own identity keeps its provenance:
// the package's silence says it had none to give, and the record may have
// had one before (its own, or the import's from an earlier run).
func (w *importWriter) fields(r *importRec, found importFound) []importField {
	var fields []importField
	switch {
	case found == foundAsOwn:
	case r.key != nil:
		fields = append(fields, importField{Name: "external_source", Value: r.key.source}, importField{Name: "external_id", Value: r.key.id})
	default:
		fields = append(fields, importField{Name: "external_source", Value: w.src}, importField{Name: "external_id", Value: r.extID})
	}
	hasProvenance := false
	for _, f := range r.fieldList() {
		hasProvenance = hasProvenance || f.Name == "provenance"
	}
	if !hasProvenance && (found == foundNone || found == foundBySource) {
		fields = append(fields, importField{Name: "provenance", Value: importProvenance})
	}
	fields = append(fields, r.fieldList()...)
	source := w.src
	if r.key != nil {
		source = r.key.source
	}
	keptUUIDs(r.extra, r.kind.table, source)
	return append(fields, importField{Name: "hsds_extra", Value: r.extra})
}

// importKindOfTable is the record kind of each table Village models.
var importKindOfTable = func() map[string]string {
	m := map[string]string{}
	for _, k := range []*importKind{importOrgKind, importLocKind, importSvcKind, importAreaKind, importSALKind,
		importContactKind, importPhoneKind, importScheduleKind, importProgramKind, importTermKind, importFundingKind} {
		m[k.table] = k.hsds
	}
	return m
}()

// keptUUIDs replaces, in what a record of table keeps verbatim (e), every
// id and link that is no UUID (HSDS says it is one: format uuid) with the
// id the export gives that row or record: ExternalRecordID of the import's
// source (or the record's own, from its external_id attribute) and the id,
// as the linked record, imported from the same source, is exported. So an
// export of a source whose ids are no UUIDs passes the spec's schemas and
// links only to ids it holds, and importing the source again, or that
// export, keeps the same text. A link's record type is its table's kind
// (a row of a table Village does not model is named by its table).
func keptUUIDs(e *hsdsextra.Extra, table, source string) {
	if e == nil {
		return
	}
	fix := func(table string, row hsdsextra.Row) {
		for col, v := range row {
			if importSpecFormats[table][col] != "uuid" || v == "" {
				continue
			}
			if _, err := uuid.Parse(v); err == nil {
				continue
			}
			target := table
			switch col {
			case "id":
			case "link_id":
				target = entityTable(row["link_entity"])
			case "resource_id":
				target = entityTable(row["resource_type"])
			default:
				target = linkColumnTables[col]
			}
			if target == "" {
				continue
			}
			if kind, ok := importKindOfTable[target]; ok {
				target = kind
			}
			row[col] = ExternalRecordID(target, source, v)
		}
	}
	fix(table, e.Fields)
	for _, m := range []map[string][]hsdsextra.Row{e.Rows, e.Folded} {
		for t, rows := range m {
			for _, row := range rows {
				fix(t, row)
			}
		}
	}
	e.Normalize()
}
