package seed

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/village-directory/village/ent"
	_ "github.com/village-directory/village/ent/runtime" // schema hooks, defaults and validators
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/records"
)

// Source is the externalSource of every record this package loads.
const Source = "village-seed"

// Counts says what one run did to the records of one type.
type Counts = records.Counts

// Report says what a run did, per record type (the ent type name:
// Organization, Program, TaxonomyTerm, Resource, Service, ServiceArea,
// Location, ServiceAtLocation, Phone, Contact, Funding).
type Report struct {
	Types map[string]Counts
}

// Total sums the counts of every type.
func (r Report) Total() Counts { return records.Total(r.Types) }

// Changed reports whether the run created or updated anything.
func (r Report) Changed() bool {
	t := r.Total()
	return t.Created+t.Updated > 0
}

// String lists the counts type by type, in load order.
func (r Report) String() string {
	names := make([]string, 0, len(r.Types))
	for n := range r.Types {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return kindOrder(names[i]) < kindOrder(names[j]) })
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteString("; ")
		}
		c := r.Types[n]
		fmt.Fprintf(&b, "%s: %d created, %d updated, %d unchanged", n, c.Created, c.Updated, c.Unchanged)
	}
	if b.Len() == 0 {
		b.WriteString("nothing to load")
	}
	return b.String()
}

// record is one declared record, in the generic form the loader writes:
// its type, its stable external identifier, the fields it manages, the
// records it points to (by their keys) and its many-to-many edges.
type record struct {
	kind   *kind
	extID  string
	sample bool
	// label is the record's name or title, checked against the sample
	// naming rule; empty for records with no name (phones, fundings).
	label  string
	fields []fieldValue
	refs   []refValue
	edges  []edgeValue
}

// fieldValue is a managed field and the value the seed gives it; a nil
// value means the field must be empty.
type fieldValue = directory.Field

// refValue is a foreign-key field that points at another seed record, by
// that record's external ID ("" = no link).
type refValue struct {
	field string
	kind  *kind
	extID string
}

// edgeValue is a many-to-many edge and the seed records it must point at,
// exactly.
type edgeValue struct {
	name   string
	kind   *kind
	extIDs []string
}

// run loads records in one transaction. sample says which sort of records
// the run may hold: a fact run refuses sample records and a sample run
// refuses the rest, so the two can never be mixed up.
func run(ctx context.Context, client *ent.Client, sample bool, build func() ([]record, error)) (Report, error) {
	recs, err := build()
	if err != nil {
		return Report{}, err
	}
	for _, r := range recs {
		if err := r.check(sample); err != nil {
			return Report{}, err
		}
	}
	tx, err := client.Tx(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("begin transaction: %w", err)
	}
	l := &loader{tx: tx, ids: map[*kind]map[string]int{}, report: Report{Types: map[string]Counts{}}}
	for _, r := range recs {
		if err := l.upsert(ctx, r); err != nil {
			_ = tx.Rollback()
			return Report{}, fmt.Errorf("%s %s: %w", r.kind.Name, r.extID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Report{}, fmt.Errorf("commit: %w", err)
	}
	return l.report, nil
}

const sampleSuffix = " (sample)"

// check enforces the sample rules on a declared record before anything is
// written: sample records in sample runs only, named "… (sample)"; no fact
// record named like a sample.
func (r record) check(sampleRun bool) error {
	switch {
	case r.sample != sampleRun && sampleRun:
		return fmt.Errorf("%s %s: a sample run may only load sample records", r.kind.Name, r.extID)
	case r.sample != sampleRun:
		return fmt.Errorf("%s %s: Load may not load sample records", r.kind.Name, r.extID)
	case r.sample && r.label != "" && !strings.HasSuffix(r.label, sampleSuffix):
		return fmt.Errorf("%s %s: a sample's name must end in %q, got %q", r.kind.Name, r.extID, sampleSuffix, r.label)
	case !r.sample && strings.Contains(r.label, "(sample)"):
		return fmt.Errorf("%s %s: only sample records may be named %q", r.kind.Name, r.extID, "(sample)")
	}
	return nil
}

type loader struct {
	tx     *ent.Tx
	ids    map[*kind]map[string]int // external ID → ID, per type, loaded lazily
	report Report
}

// idsOf returns the seed records of k already in the database (or created
// by this run), by external ID.
func (l *loader) idsOf(ctx context.Context, k *kind) (map[string]int, error) {
	if m, ok := l.ids[k]; ok {
		return m, nil
	}
	stored, err := k.FromSource(ctx, l.tx.Client(), Source)
	if err != nil {
		return nil, fmt.Errorf("look up existing %s records: %w", k.Name, err)
	}
	m := records.IDs(stored)
	l.ids[k] = m
	return m, nil
}

// resolve turns a reference to another seed record into its ID.
func (l *loader) resolve(ctx context.Context, k *kind, extID string) (int, error) {
	m, err := l.idsOf(ctx, k)
	if err != nil {
		return 0, err
	}
	id, ok := m[extID]
	if !ok {
		return 0, fmt.Errorf("%s %s is not in the database (facts must be loaded with Load before LoadSamples, and a record before the records that point at it)", k.Name, extID)
	}
	return id, nil
}

// upsert creates r, or updates the fields and edges of the stored record that
// differ from r, or leaves it alone when nothing differs.
func (l *loader) upsert(ctx context.Context, r record) error {
	fields := append([]fieldValue{
		{Name: "sample", Value: r.sample},
		{Name: "external_source", Value: Source},
		{Name: "external_id", Value: r.extID},
	}, r.fields...)
	for _, ref := range r.refs {
		var v any
		if ref.extID != "" {
			id, err := l.resolve(ctx, ref.kind, ref.extID)
			if err != nil {
				return fmt.Errorf("%s: %w", ref.field, err)
			}
			v = id
		}
		fields = append(fields, fieldValue{Name: ref.field, Value: v})
	}
	edges := make(map[string][]int, len(r.edges))
	for _, e := range r.edges {
		_, ok := r.kind.edges[e.name]
		if !ok {
			return fmt.Errorf("%s has no many-to-many edge %q", r.kind.Name, e.name)
		}
		ids := make([]int, 0, len(e.extIDs))
		for _, x := range e.extIDs {
			id, err := l.resolve(ctx, e.kind, x)
			if err != nil {
				return fmt.Errorf("%s: %w", e.name, err)
			}
			ids = append(ids, id)
		}
		edges[e.name] = ids
	}

	known, err := l.idsOf(ctx, r.kind)
	if err != nil {
		return err
	}
	counts := l.report.Types[r.kind.Name]
	defer func() { l.report.Types[r.kind.Name] = counts }()

	id, exists := known[r.extID]
	if !exists {
		m, save := r.kind.Create(l.tx.Client())
		if err := directory.SetNew(m, fields); err != nil {
			return err
		}
		for name, ids := range edges {
			r.kind.edges[name].change(m, ids, nil)
		}
		id, err := save(ctx)
		if err != nil {
			return err
		}
		known[r.extID] = id
		counts.Created++
		return nil
	}

	m, save := r.kind.Update(l.tx.Client(), id)
	changed, err := directory.SetChanged(ctx, m, fields)
	if err != nil {
		return err
	}
	for _, e := range r.edges {
		ops := r.kind.edges[e.name]
		current, err := ops.current(ctx, l.tx, id)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		add, remove := diff(current, edges[e.name])
		if len(add)+len(remove) > 0 {
			ops.change(m, add, remove)
			changed = true
		}
	}
	return counts.SaveIfChanged(ctx, changed, save)
}

// diff returns the IDs to add to current and to remove from it to make it
// want, as sets.
func diff(current, want []int) (add, remove []int) {
	for _, id := range want {
		if !slices.Contains(current, id) && !slices.Contains(add, id) {
			add = append(add, id)
		}
	}
	for _, id := range current {
		if !slices.Contains(want, id) {
			remove = append(remove, id)
		}
	}
	return add, remove
}
