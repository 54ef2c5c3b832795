package ent

// entgql counts a connection's rows (SELECT COUNT(*), or one GROUP BY
// count per nested level) whenever totalCount or pageInfo is asked for,
// yet once its edges are read, conn.build sets pageInfo from the page's
// lookahead row and overwrites whatever the count had set: the count is
// used only for totalCount. On the nested list of issue 19, which asks for
// pageInfo at every level and never for totalCount, it was three of the
// six statements. pageInfoNeedsCount says when pageInfo still needs it: the
// edges are not read (none asked for, or a page of none), so the count
// alone answers hasNextPage and hasPreviousPage, and, for a nested page,
// the edge's resolver finds the count in place of a page it would
// otherwise read for each parent. ent/entc.go (countOnlyForTotals) puts
// the test in entgql's output; upstream: ent/contrib PR #625, open.
func pageInfoNeedsCount(ignoredEdges bool, first, last *int) bool {
	return ignoredEdges || first != nil && *first == 0 || last != nil && *last == 0
}
