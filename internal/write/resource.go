package write

import (
	"context"
	"strings"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/ent/resource"
	"github.com/village-directory/village/internal/auth"
)

// SubmitResource adds a resource to the library for review: it arrives
// SUBMITTED, invisible to the public until an admin publishes it. Any key
// may submit; anonymous callers may not.
func (w *Writer) SubmitResource(ctx context.Context, in ent.CreateResourceInput) (*ent.Resource, error) {
	if v, ok := auth.FromContext(ctx); ok && v.Role == auth.Anonymous {
		return nil, &auth.ForbiddenError{Reason: "submitting a resource needs an API key"}
	}
	if in.Status != nil && *in.Status != resource.StatusSUBMITTED {
		return nil, &FieldError{Field: "status", Message: "a submitted resource starts as SUBMITTED; an admin publishes or rejects it with reviewResource"}
	}
	if in.ReviewNote != nil {
		return nil, &FieldError{Field: "reviewNote", Message: "only a reviewer writes a review note (reviewResource)"}
	}
	submitted := resource.StatusSUBMITTED
	in.Status = &submitted
	return w.CreateResource(ctx, in)
}

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
		b := c.Resource.UpdateOneID(id).SetStatus(status)
		if reason != nil {
			b.SetReviewNote(strings.TrimSpace(*reason))
		} else {
			b.ClearReviewNote()
		}
		return b.Mutation(), b.Save
	})
}
