package graph

import (
	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/match"
	"github.com/village-directory/village/internal/search"
	"github.com/village-directory/village/internal/write"
)

// Resolver is the root of the GraphQL resolvers. It holds the dependencies
// resolvers translate GraphQL calls into; resolvers themselves stay thin.
type Resolver struct {
	client  *ent.Client
	matcher *match.Matcher
	// searcher is the full-text search index (internal/search).
	searcher *search.Engine
	writer   *write.Writer
}

// NewResolver returns the root resolver over an ent client.
func NewResolver(client *ent.Client) *Resolver {
	return &Resolver{client: client, matcher: match.New(client, nil), searcher: search.New(client), writer: write.New(client)}
}

// recordedText is a text field that may be withheld or never recorded: null
// then, not "" (a confidential location's address for most callers, see
// internal/auth).
func recordedText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
