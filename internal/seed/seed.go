package seed

import (
	"context"

	"github.com/village-directory/village/ent"
)

// Load loads the true facts of the seed documents — organizations, programs
// (models), the family-needs taxonomy, library resources, the services any
// family can use, contacts and fundings — in one transaction. It is
// idempotent: a record already equal to its declaration is left untouched,
// one that differs is updated in place, a missing one is created.
func Load(ctx context.Context, client *ent.Client) (Report, error) {
	return run(ctx, client, false, func() ([]record, error) { return facts.records(false) })
}

// LoadSamples adds the illustrative sample services of Roxbury, Mattapan and
// Dorchester, with their sample organizations, locations, areas and phones,
// in one transaction. Every record it writes is marked sample. It needs the
// facts (the programs and needs the samples implement and meet): run Load
// first. Like Load, it is idempotent.
func LoadSamples(ctx context.Context, client *ent.Client) (Report, error) {
	return run(ctx, client, true, func() ([]record, error) { return samples.records(true) })
}
