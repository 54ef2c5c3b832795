package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"

	"github.com/village-directory/village/internal/hsds/hsdsextra"
)

// HSDSExtraMixin gives every record type an HSDS record becomes a place for
// what the HSDS source carried that Village does not model, kept verbatim
// so that an HSDS export gives it back. It is not in GraphQL: it is the
// source's data in the source's shape, served only as HSDS (where the
// export withholds a confidential location's extras from the public).
type HSDSExtraMixin struct {
	mixin.Schema
}

// Fields of the mixin.
func (HSDSExtraMixin) Fields() []ent.Field {
	return []ent.Field{
		field.JSON("hsds_extra", &hsdsextra.Extra{}).
			Optional().
			Comment("What the record's HSDS source carried that Village has no field for, verbatim (see package hsdsextra).").
			Annotations(entgql.Skip(entgql.SkipAll)),
	}
}
