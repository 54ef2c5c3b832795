package records

import (
	"context"

	"github.com/village-directory/village/ent"
)

// builder is an ent create or update-one builder of entity E with mutation M.
type builder[E any, M ent.Mutation] interface {
	Mutation() M
	Save(context.Context) (E, error)
}

// client is the part of a generated ent client (*ent.OrganizationClient…)
// the write operations use.
type client[E any, M ent.Mutation, C builder[E, M], U builder[E, M], B interface {
	Save(context.Context) ([]E, error)
}] interface {
	Create() C
	UpdateOneID(id int) U
	CreateBulk(builders ...C) B
}

// creation says whether a type offers Type.CreateBulk.
type creation bool

const (
	oneAtATime creation = false
	inBulk     creation = true
)

// newType builds a Type from an ent client and the type's query by external
// source.
func newType[E any, M ent.Mutation, C builder[E, M], U builder[E, M], B interface {
	Save(context.Context) ([]E, error)
}, CL client[E, M, C, U, B]](
	name string,
	create creation,
	clientOf func(*ent.Tx) CL,
	fromSource func(ctx context.Context, tx *ent.Tx, src string) ([]E, error),
	keys func(E) (id int, externalID string),
) *Type {
	t := &Type{
		Name: name,
		Create: func(tx *ent.Tx) (ent.Mutation, func(context.Context) (int, error)) {
			b := clientOf(tx).Create()
			return b.Mutation(), func(ctx context.Context) (int, error) {
				e, err := b.Save(ctx)
				if err != nil {
					return 0, err
				}
				id, _ := keys(e)
				return id, nil
			}
		},
		Update: func(tx *ent.Tx, id int) (ent.Mutation, func(context.Context) error) {
			b := clientOf(tx).UpdateOneID(id)
			return b.Mutation(), func(ctx context.Context) error {
				_, err := b.Save(ctx)
				return err
			}
		},
		FromSource: func(ctx context.Context, tx *ent.Tx, src string) ([]Stored, error) {
			es, err := fromSource(ctx, tx, src)
			if err != nil {
				return nil, err
			}
			out := make([]Stored, len(es))
			for i, e := range es {
				id, ext := keys(e)
				out[i] = Stored{ID: id, ExternalID: ext, Record: e}
			}
			return out, nil
		},
	}
	if create == inBulk {
		t.CreateBulk = func(tx *ent.Tx, n int) ([]ent.Mutation, func(context.Context) ([]int, error)) {
			c := clientOf(tx)
			bs := make([]C, n)
			ms := make([]ent.Mutation, n)
			for i := range bs {
				bs[i] = c.Create()
				ms[i] = bs[i].Mutation()
			}
			return ms, func(ctx context.Context) ([]int, error) {
				es, err := c.CreateBulk(bs...).Save(ctx)
				if err != nil {
					return nil, err
				}
				ids := make([]int, len(es))
				for i, e := range es {
					ids[i], _ = keys(e)
				}
				return ids, nil
			}
		}
	}
	return t
}
