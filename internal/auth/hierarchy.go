package auth

import (
	"context"
	"fmt"
	"slices"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/organization"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/directory"
	"github.com/village-directory/village/internal/records"
)

// hierarchies are the types whose records hang from a parent of their own
// type (parent_id, and the inverse edge children), with the words errors
// use for them.
var hierarchies = map[string]struct{ record, child string }{
	ent.TypeOrganization: {"organization", "sub-organization"},
	ent.TypeTaxonomyTerm: {"taxonomy term", "narrower term"},
}

// maxDepth bounds a walk up a hierarchy, so a cycle already stored (written
// before this check existed) cannot make a write loop.
const maxDepth = 10_000

// checkHierarchy refuses a write that would make a record its own ancestor:
// a parent that is the record itself or one of its descendants, or a child
// that is the record or one of its ancestors. Every client that walks up
// (Organization.parent, HSDS parent_organization_id, broader terms) would
// otherwise loop forever. It runs in the write guard, so every path
// (create, update, upsert, the children an input re-points, imports) is
// held to it; the error names the input field (parentID, or childIDs /
// addChildIDs) as BAD_USER_INPUT.
//
// On PostgreSQL the walk locks the ancestors it reads until the
// transaction ends, so two writers re-parenting the two ends of a chain at
// once cannot both pass: the second sees the first's change, or one of
// them fails (deadlock) and nothing is written.
func checkHierarchy(ctx context.Context, m ent.Mutation) error {
	words, ok := hierarchies[m.Type()]
	if !ok || m.Op().Is(ent.OpDelete) || m.Op().Is(ent.OpDeleteOne) {
		return nil
	}
	parentValue, setsParent := m.Field("parent_id")
	children := records.IntIDs(m.AddedIDs("children"))
	if !setsParent && len(children) == 0 {
		return nil
	}
	ctx = WithoutReadRules(ctx) // the structure, hidden or not
	c := mutationClient(m)
	var written []int // the records this write gives a parent (none yet for a create)
	if m.Op().Is(ent.OpCreate) {
		if id, ok := m.(interface{ ID() (int, bool) }).ID(); ok {
			written = []int{id}
		}
	} else {
		ids, err := MutationIDs(ctx, m)
		if err != nil {
			return err
		}
		written = ids
	}
	if setsParent {
		// After the write each written record hangs from parent: a cycle
		// when parent is one of them or hangs below one.
		chain, err := ancestors(ctx, c, m.Type(), parentValue.(int))
		if err != nil {
			return err
		}
		if slices.ContainsFunc(chain, func(id int) bool { return slices.Contains(written, id) }) {
			return &directory.FieldError{Field: "parentID", Message: fmt.Sprintf(
				"a %s cannot be its own parent or hang below one of its own %ss", words.record, words.child)}
		}
	}
	if len(children) == 0 {
		return nil
	}
	// Each added child will hang from the record: a cycle when the child
	// is the record or one of its ancestors after the write.
	var above []int
	if setsParent {
		chain, err := ancestors(ctx, c, m.Type(), parentValue.(int))
		if err != nil {
			return err
		}
		above = chain
	}
	for _, id := range written {
		above = append(above, id)
		if !setsParent {
			chain, err := ancestors(ctx, c, m.Type(), id)
			if err != nil {
				return err
			}
			above = append(above, chain...)
		}
	}
	field := "addChildIDs"
	if m.Op().Is(ent.OpCreate) {
		field = "childIDs"
	}
	if slices.ContainsFunc(children, func(id int) bool { return slices.Contains(above, id) }) {
		return &directory.FieldError{Field: field, Message: fmt.Sprintf(
			"a %s cannot be its own %s or hang below one of its own %ss", words.record, words.child, words.child)}
	}
	return nil
}

// ancestors returns id and every record above it, nearest first, as stored
// (and as this transaction has written them), one statement per level. On
// PostgreSQL it locks them for the rest of the transaction.
func ancestors(ctx context.Context, c *ent.Client, typ string, id int) ([]int, error) {
	var chain []int
	for cur := &id; cur != nil && len(chain) < maxDepth && !slices.Contains(chain, *cur); {
		chain = append(chain, *cur)
		var err error
		switch typ {
		case ent.TypeOrganization:
			var o *ent.Organization
			o, err = c.Organization.Query().Where(organization.ID(*cur), records.LockRows).
				Select(organization.FieldParentID).Only(ctx)
			if err == nil {
				cur = o.ParentID
			}
		case ent.TypeTaxonomyTerm:
			var t *ent.TaxonomyTerm
			t, err = c.TaxonomyTerm.Query().Where(taxonomyterm.ID(*cur), records.LockRows).
				Select(taxonomyterm.FieldParentID).Only(ctx)
			if err == nil {
				cur = t.ParentID
			}
		default:
			return nil, fmt.Errorf("no hierarchy rule for %s", typ)
		}
		if ent.IsNotFound(err) {
			break // a missing parent is the foreign key's error to report
		}
		if err != nil {
			return nil, err
		}
	}
	return chain, nil
}
