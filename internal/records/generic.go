package records

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/village-directory/village/ent"
)

// The ent builders the operations use, by what is asked of each. M is the
// type's mutation, E its entity, P its predicate; Self is the builder
// itself, which Where returns.
type (
	// saver is a create or update-one builder (T the entity), or an update
	// of many (T the count).
	saver[T any, M ent.Mutation] interface {
		Mutation() M
		Save(context.Context) (T, error)
	}
	query[E, P, Self, S any] interface {
		Querier
		Where(...P) Self
		Select(...string) S
		All(context.Context) ([]E, error)
	}
	ints interface {
		Ints(context.Context) ([]int, error)
	}
	bulk[E any] interface {
		Save(context.Context) ([]E, error)
	}
	updateMany[M ent.Mutation, P, Self any] interface {
		saver[int, M]
		Where(...P) Self
	}
	deleteMany[P, Self any] interface {
		Where(...P) Self
		Exec(context.Context) (int, error)
	}
	deleteOne[P, Self any] interface {
		Where(...P) Self
		Exec(context.Context) error
	}
)

// client is the part of a generated ent client (*ent.OrganizationClient…)
// the operations use: query Q and its select S, create C and create-bulk B,
// update by ID U and of many UM, delete of many D and by ID DO.
type client[E any, M ent.Mutation, P ~func(*sql.Selector), Q query[E, P, Q, S], S ints, C saver[E, M], B bulk[E], U saver[E, M], UM updateMany[M, P, UM], D deleteMany[P, D], DO deleteOne[P, DO]] interface {
	Query() Q
	Create() C
	CreateBulk(builders ...C) B
	UpdateOneID(id int) U
	Update() UM
	Delete() D
	DeleteOneID(id int) DO
}

// creation says whether a type offers Type.CreateBulk.
type creation bool

const (
	oneAtATime creation = false
	inBulk     creation = true
)

// newType builds a Type from its ent client and its entity's keys.
func newType[E any, M ent.Mutation, P ~func(*sql.Selector), Q query[E, P, Q, S], S ints, C saver[E, M], B bulk[E], U saver[E, M], UM updateMany[M, P, UM], D deleteMany[P, D], DO deleteOne[P, DO], CL client[E, M, P, Q, S, C, B, U, UM, D, DO]](
	name string,
	create creation,
	clientOf func(*ent.Client) CL,
	keys func(E) (id int, externalID string),
) *Type {
	t := &Type{
		Name: name,
		Query: func(c *ent.Client, p func(*sql.Selector)) Querier {
			return clientOf(c).Query().Where(P(p))
		},
		Versions: func(ctx context.Context, c *ent.Client, p func(*sql.Selector)) ([]int, error) {
			return clientOf(c).Query().Where(P(p)).Select("version").Ints(ctx)
		},
		Create: func(c *ent.Client) (ent.Mutation, func(context.Context) (int, error)) {
			b := clientOf(c).Create()
			return b.Mutation(), func(ctx context.Context) (int, error) {
				e, err := b.Save(ctx)
				if err != nil {
					return 0, err
				}
				id, _ := keys(e)
				return id, nil
			}
		},
		Update: func(c *ent.Client, id int) (ent.Mutation, func(context.Context) error) {
			b := clientOf(c).UpdateOneID(id)
			return b.Mutation(), exec(b.Save)
		},
		UpdateMany: func(c *ent.Client, p func(*sql.Selector)) (ent.Mutation, func(context.Context) error) {
			b := clientOf(c).Update().Where(P(p))
			return b.Mutation(), exec(b.Save)
		},
		Delete: func(ctx context.Context, c *ent.Client, id int, ps ...func(*sql.Selector)) error {
			typed := make([]P, len(ps))
			for i, p := range ps {
				typed[i] = P(p)
			}
			return clientOf(c).DeleteOneID(id).Where(typed...).Exec(ctx)
		},
		DeleteMany: func(ctx context.Context, c *ent.Client, p func(*sql.Selector)) error {
			_, err := clientOf(c).Delete().Where(P(p)).Exec(ctx)
			return err
		},
		FromSource: func(ctx context.Context, c *ent.Client, src string) ([]Stored, error) {
			es, err := clientOf(c).Query().Where(P(sql.FieldEQ(externalSource, src))).All(ctx)
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
		t.CreateBulk = func(c *ent.Client, n int) ([]ent.Mutation, func(context.Context) ([]int, error)) {
			cl := clientOf(c)
			bs := make([]C, n)
			ms := make([]ent.Mutation, n)
			for i := range bs {
				bs[i] = cl.Create()
				ms[i] = bs[i].Mutation()
			}
			return ms, func(ctx context.Context) ([]int, error) {
				es, err := cl.CreateBulk(bs...).Save(ctx)
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

// externalSource is the column, common to every record type, naming the
// outside source a record was loaded from.
const externalSource = "external_source"

// exec drops the result of a save.
func exec[T any](save func(context.Context) (T, error)) func(context.Context) error {
	return func(ctx context.Context) error { _, err := save(ctx); return err }
}
