package write

import (
	"context"
	"strings"
	"time"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/internal/auth"
)

// ReviewResource publishes or rejects a resource (admins only). A rejection
// needs a reason, which is kept as the resource's review note; a
// publication may carry one.
func (w *Writer) ReviewResource(ctx context.Context, id int, decision Decision, reason *string) (*ent.Resource, error) {
	if !auth.IsAdmin(ctx) {
		return nil, &auth.ForbiddenError{Reason: "only an admin reviews resources"}
	}
	if reason != nil && strings.TrimSpace(*reason) == "" {
		reason = nil
	}
	status := resource.StatusPUBLISHED
	switch decision {
	case Publish:
	case Reject:
		status = resource.StatusREJECTED
		if reason == nil {
			return nil, &FieldError{Field: "reason", Message: "a rejection needs a reason the submitter can act on"}
		}
	default:
		return nil, &FieldError{Field: "decision", Message: "decide PUBLISH or REJECT"}
	}
	return update(ctx, w, ent.TypeResource, id, nil, func(c *ent.Client) (ent.Mutation, func(context.Context) (*ent.Resource, error)) {
		b := c.Resource.UpdateOneID(id).SetStatus(status).SetReviewedAt(time.Now())
		if reason != nil {
			b.SetReviewNote(strings.TrimSpace(*reason))
		} else {
			b.ClearReviewNote()
		}
		return b.Mutation(), b.Save
	})
}
