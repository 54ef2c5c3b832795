package write

import (
	"context"
	"strings"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/schema"
	"github.com/village-directory/village/ent/taxonomyterm"
	"github.com/village-directory/village/internal/auth"
)

// SetTermNeed maps a term of another vocabulary (an imported taxonomy's)
// to the family need whose code is need, or clears its mapping when need
// is nil or blank (admins only): match(needs:) then finds the services
// tagged with the term as meeting that need. It is an update of the term,
// versioned and logged like any other.
func (w *Writer) SetTermNeed(ctx context.Context, termID int, need *string) (*ent.TaxonomyTerm, error) {
	if !auth.IsAdmin(ctx) {
		return nil, &auth.ForbiddenError{Reason: "only an admin maps terms to needs"}
	}
	code := ""
	if need != nil {
		code = strings.TrimSpace(*need)
	}
	if t, err := w.client.TaxonomyTerm.Query().Where(taxonomyterm.ID(termID)).Select(taxonomyterm.FieldVocabulary).Only(ctx); err == nil &&
		t.Vocabulary == schema.NeedsVocabulary {
		return nil, &FieldError{Field: "termId", Message: "the term is a need itself; map terms of other vocabularies"}
	}
	var needID int
	if code != "" {
		n, err := NeedByCode(ctx, w.client, code)
		if err != nil {
			return nil, err
		}
		needID = n
	}
	return update(ctx, w, ent.TypeTaxonomyTerm, termID, nil, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.TaxonomyTerm, error)) {
		b := c.TaxonomyTerm.UpdateOneID(termID)
		if needID != 0 {
			b.SetNeedID(needID)
		} else {
			b.ClearNeed()
		}
		return b.Mutation(), b.Save
	})
}

// NeedByCode is the ID of the family need (term of the needs vocabulary)
// with code, or a FieldError "need" naming it when there is none.
func NeedByCode(ctx context.Context, client *ent.Client, code string) (int, error) {
	if err := storable("need", code); err != nil {
		return 0, err
	}
	id, err := client.TaxonomyTerm.Query().
		Where(taxonomyterm.VocabularyEQ(schema.NeedsVocabulary), taxonomyterm.Code(code)).OnlyID(ctx)
	if ent.IsNotFound(err) {
		return 0, &FieldError{Field: "need", Message: "\"" + code + "\" is not a need of the " + schema.NeedsVocabulary + " vocabulary"}
	}
	return id, err
}
