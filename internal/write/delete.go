package write

import (
	"context"
	"fmt"
	"strings"

	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/records"
)

// chunk bounds the IDs one statement carries (PostgreSQL and SQLite both
// limit bind parameters).
const chunk = 500

// Delete deletes record id of ent type typ, if it is still at version
// expected (when given).
//
// Records it owns (see fkRels: an organization's services, programs,
// locations, phones, contacts and fundings; a service's areas,
// service-at-locations, phones, contacts, schedules and fundings; …) make
// the delete a *ConflictError unless cascade is true; with cascade they are
// deleted too, children first, each through ent so the write guard
// authorizes it and the feed logs a tombstone. Records that only refer to a
// deleted one (an organization's sub-organizations, the services
// implementing a deleted program, resources listing it) are detached: the
// reference is cleared by a logged update of each, which the write guard
// authorizes like any update.
func (w *Writer) Delete(ctx context.Context, typ string, id int, expected *int, cascade bool) (*Deletion, error) {
	if records.ByName(typ) == nil {
		return nil, fmt.Errorf("write: %s records cannot be deleted here", typ)
	}
	if err := gate(ctx); err != nil {
		return nil, err
	}
	var out *Deletion
	_, err := w.inTx(ctx, func(ctx context.Context, c *ent.Client) error {
		d, err := deleteIn(ctx, c, typ, id, expected, cascade)
		out = d
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func deleteIn(ctx context.Context, c *ent.Client, typ string, id int, expected *int, cascade bool) (*Deletion, error) {
	k := records.ByName(typ)
	// Ask the write guard's ownership rule first, so that a caller who may
	// not change the record learns nothing more: neither its version nor
	// what depends on it. The rule treats updates and deletes alike except
	// for organizations, which an editor may update but not delete: such an
	// editor, who may read all of its organization anyway, is refused at
	// the delete itself.
	if err := auth.MayChange(ctx, c, typ, id); err != nil {
		return nil, err
	}
	// Lock the record, and below every record the delete will remove, for
	// the rest of the transaction (PostgreSQL): a concurrent write that
	// adds a child or a reference to one of them waits for this delete and
	// then fails, instead of leaving a row the delete did not see.
	versions, err := k.Versions(ctx, c, allOf(idIs(id), records.LockRows))
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 {
		return nil, notFound(typ)
	}
	if expected != nil && versions[0] != *expected {
		return nil, staleVersion(typ, *expected, versions[0])
	}

	// What the delete affects is read whole, hidden rows included (a
	// staff-only phone, an unpublished resource): each affected record is
	// then written as the caller, so the write guard judges every one and
	// the feed logs every one. Only counts reach the caller.
	doomed, deps, err := dependents(auth.WithoutReadRules(ctx), c, typ, id, cascade)
	if err != nil {
		return nil, err
	}
	if !cascade && len(deps) > 0 {
		return nil, &ConflictError{
			Message:    fmt.Sprintf("the %s still has %s; delete them first, or pass cascade: true to delete them with it", readable(typ), describeCounts(deps)),
			Dependents: deps,
		}
	}
	doomed[typ] = append(doomed[typ], id)
	gone := map[int]bool{}
	for _, ids := range doomed {
		for _, id := range ids {
			gone[id] = true
		}
	}
	if err := detach(ctx, c, doomed, gone); err != nil {
		return nil, err
	}

	out := &Deletion{DeletedID: id}
	for _, t := range deleteOrder {
		var ids []int
		for _, x := range doomed[t] {
			if x != id {
				ids = append(ids, x)
			}
		}
		for start := 0; start < len(ids); start += chunk {
			part := ids[start:min(start+chunk, len(ids))]
			if err := records.ByName(t).DeleteMany(ctx, c, idIn(part)); err != nil {
				return nil, err
			}
		}
		for _, x := range ids {
			out.Cascaded = append(out.Cascaded, Ref{EntityType: TypeOf(t), ID: x})
		}
	}
	var ps []func(*sql.Selector)
	if expected != nil {
		ps = append(ps, versionIs(*expected))
	}
	if err := k.Delete(ctx, c, id, ps...); err != nil {
		if ent.IsNotFound(err) {
			return nil, missingOrStale(ctx, c, typ, id, expected)
		}
		return nil, err
	}
	return out, nil
}

// dependents finds the records record id owns: only the first level (to
// report them) without cascade, every level with it. It returns them by
// ent type and their counts by EntityType.
func dependents(ctx context.Context, c *ent.Client, typ string, id int, cascade bool) (map[string][]int, map[EntityType]int, error) {
	doomed := map[string][]int{}
	counts := map[EntityType]int{}
	seen := map[int]bool{id: true}
	frontier := map[string][]int{typ: {id}}
	for len(frontier) > 0 {
		next := map[string][]int{}
		for _, parent := range deleteOrder { // a fixed order, so results are stable
			pids := frontier[parent]
			if len(pids) == 0 {
				continue
			}
			for _, r := range fkRels {
				if r.parent != parent || !r.own {
					continue
				}
				children, err := idsWhereIn(ctx, c, r.child, r.fk, pids, records.LockRows)
				if err != nil {
					return nil, nil, err
				}
				for _, ch := range children {
					if seen[ch] {
						continue
					}
					seen[ch] = true
					doomed[r.child] = append(doomed[r.child], ch)
					next[r.child] = append(next[r.child], ch)
					counts[TypeOf(r.child)]++
				}
			}
		}
		if !cascade {
			break
		}
		frontier = next
	}
	return doomed, counts, nil
}

// detach clears every reference to a doomed record held by a record that
// stays: a logged update of each such record, as the caller, so the guard
// judges a record that points at the deleted one (another organization's
// service implementing a deleted program: refused). A many-to-many link is
// only a list entry of the other record (a resource listing the program),
// and removing it is the delete's consequence: it is written with
// auth.Consequence, under the caller's name, so that a record the caller
// may not see (an unpublished resource) cannot refuse it and so tell that
// it exists.
func detach(ctx context.Context, c *ent.Client, doomed map[string][]int, gone map[int]bool) error {
	all := auth.WithoutReadRules(ctx) // for look-ups only
	for _, t := range deleteOrder {
		ids := doomed[t]
		if len(ids) == 0 {
			continue
		}
		for _, r := range fkRels {
			if r.parent != t || r.own {
				continue
			}
			children, err := idsWhereIn(all, c, r.child, r.fk, ids)
			if err != nil {
				return err
			}
			if err := forChunks(staying(children, gone), func(part []int) error {
				m, save := records.ByName(r.child).UpdateMany(c, idIn(part))
				if err := m.ClearField(r.fk); err != nil {
					return err
				}
				return save(ctx)
			}); err != nil {
				return err
			}
		}
		for _, r := range m2mRels {
			if r.target != t {
				continue
			}
			var owners []int
			if err := forChunks(ids, func(part []int) error {
				linked, err := r.linked(all, c, part)
				owners = append(owners, linked...)
				return err
			}); err != nil {
				return err
			}
			if err := forChunks(staying(dedupe(owners), gone), func(part []int) error {
				m, save := records.ByName(r.owner).UpdateMany(c, idIn(part))
				r.remove(m, ids...)
				return save(auth.Consequence(ctx))
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// idsWhereIn lists the records of type typ whose field is one of values.
func idsWhereIn(ctx context.Context, c *ent.Client, typ, field string, values []int, more ...func(*sql.Selector)) ([]int, error) {
	var out []int
	err := forChunks(values, func(part []int) error {
		ids, err := records.ByName(typ).Query(c, allOf(append([]func(*sql.Selector){sql.FieldIn(field, part...)}, more...)...)).IDs(ctx)
		out = append(out, ids...)
		return err
	})
	return out, err
}

func staying(ids []int, gone map[int]bool) []int {
	var out []int
	for _, id := range ids {
		if !gone[id] {
			out = append(out, id)
		}
	}
	return out
}

func forChunks(ids []int, fn func([]int) error) error {
	for start := 0; start < len(ids); start += chunk {
		if err := fn(ids[start:min(start+chunk, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}

// describeCounts says "3 services and 1 location".
func describeCounts(counts map[EntityType]int) string {
	var parts []string
	for _, t := range sortedTypes(counts) {
		n := counts[t]
		name := strings.ToLower(strings.ReplaceAll(string(t), "_", " "))
		if n != 1 {
			name = plural(name)
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, name))
	}
	switch len(parts) {
	case 0:
		return "nothing"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func plural(s string) string {
	switch {
	case strings.HasSuffix(s, "y"):
		return s[:len(s)-1] + "ies"
	case strings.HasSuffix(s, " at location"):
		return strings.TrimSuffix(s, " at location") + "s at locations"
	}
	return s + "s"
}

// allOf combines predicates.
func allOf(ps ...func(*sql.Selector)) func(*sql.Selector) {
	return func(s *sql.Selector) {
		for _, p := range ps {
			p(s)
		}
	}
}
