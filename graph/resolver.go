package graph

import (
	"github.com/village-directory/village/ent"
)

// Resolver is the root of the GraphQL resolvers. It holds the dependencies
// resolvers translate GraphQL calls into; resolvers themselves stay thin.
type Resolver struct {
	client *ent.Client
}

// NewResolver returns the root resolver over an ent client.
func NewResolver(client *ent.Client) *Resolver {
	return &Resolver{client: client}
}
