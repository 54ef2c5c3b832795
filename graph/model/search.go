package model

import (
	"entgo.io/contrib/entgql"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/internal/search"
)

// SearchConnection is a page of search results.
type SearchConnection struct {
	Edges      []*SearchEdge
	PageInfo   *entgql.PageInfo[int]
	TotalCount int
}

// SearchEdge is one search result with its record loaded.
type SearchEdge struct {
	Cursor     entgql.Cursor[int]
	Node       ent.Noder
	Score      float64
	DistanceKm *float64
	Highlights []*search.Highlight
}
