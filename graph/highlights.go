package graph

import (
	"context"
	"io"
	"slices"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/village-directory/village/internal/search"
)

// marshalHighlights writes a search edge's highlights ([SearchHighlight!]!)
// where the generated executor's SearchEdge.highlights called gqlgen's
// marshaller (plainHighlights in gqlgen.go rewrites the call): the same
// bytes, without a field context, an object and a closure for every
// highlight, range and scalar in them. A page of twenty services has some
// sixty highlights and 120 ranges: through gqlgen's path, about 700
// allocations and as many field contexts, a third of what showing the
// page's records takes (upstream: gqlgen issue #520, the cost of a
// response grows with its objects; none asks for plain objects yet).
//
// It may: every field of SearchHighlight and TextRange is a stored leaf
// (a string or an int, or the list of ranges) that cannot fail or be
// null, has no arguments, and no field middleware sees stored fields
// (handler.go refuses an extension that would intercept them), so there
// is nothing a field context would carry. A list holding a nil highlight
// (none does: graph/search.go builds them) goes through gqlgen's path, to
// fail as it does. TestMarshalHighlightsAgreesWithGqlgen compares the two.
func (ec *executionContext) marshalHighlights(ctx context.Context, sel ast.SelectionSet, v []*search.Highlight) graphql.Marshaler {
	if slices.Contains(v, nil) {
		return ec.marshalNSearchHighlight2ᚕᚖgithubᚗcomᚋvillageᚑdirectoryᚋvillageᚋinternalᚋsearchᚐHighlightᚄ(ctx, sel, v)
	}
	out := &highlightsJSON{list: v, fields: collectFields(ctx, ec.OperationContext, sel, searchHighlightImplementors)}
	if len(out.fields) <= len(out.inline) {
		out.ranges = out.inline[:len(out.fields)]
	} else {
		out.ranges = make([][]graphql.CollectedField, len(out.fields))
	}
	for i, f := range out.fields {
		if f.Name == "matches" {
			out.ranges[i] = collectFields(ctx, ec.OperationContext, f.Selections, textRangeImplementors)
		}
	}
	return out
}

// highlightsJSON writes a list of highlights with the fields collected for
// SearchHighlight and, for each matches field among them, those collected
// for TextRange (ranges[i] for the i-th field).
type highlightsJSON struct {
	list   []*search.Highlight
	fields []graphql.CollectedField
	ranges [][]graphql.CollectedField
	inline [4][]graphql.CollectedField
}

func (h *highlightsJSON) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, "[")
	for i, hl := range h.list {
		if i > 0 {
			_, _ = io.WriteString(w, ",")
		}
		writeObject(w, h.fields, func(j int) {
			switch h.fields[j].Name {
			case "__typename":
				writeQuoted(w, "SearchHighlight")
			case "field":
				writeQuoted(w, hl.Field)
			case "text":
				writeQuoted(w, hl.Text)
			case "matches":
				writeRanges(w, h.ranges[j], hl.Matches)
			default:
				panic("unknown field " + strconv.Quote(h.fields[j].Name))
			}
		})
	}
	_, _ = io.WriteString(w, "]")
}

// writeRanges writes a highlight's matches with the fields collected for
// TextRange.
func writeRanges(w io.Writer, fields []graphql.CollectedField, ranges []search.Range) {
	_, _ = io.WriteString(w, "[")
	for i, r := range ranges {
		if i > 0 {
			_, _ = io.WriteString(w, ",")
		}
		writeObject(w, fields, func(j int) {
			switch fields[j].Name {
			case "__typename":
				writeQuoted(w, "TextRange")
			case "start":
				_, _ = io.WriteString(w, strconv.Itoa(r.Start))
			case "end":
				_, _ = io.WriteString(w, strconv.Itoa(r.End))
			default:
				panic("unknown field " + strconv.Quote(fields[j].Name))
			}
		})
	}
	_, _ = io.WriteString(w, "]")
}

// writeQuoted writes s as a JSON string as graphql.MarshalString does, the
// same bytes, without the closure MarshalString makes for each string.
func writeQuoted(w io.Writer, s string) {
	const hex = "0123456789ABCDEF"
	start := 0
	_, _ = io.WriteString(w, `"`)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		_, _ = io.WriteString(w, s[start:i])
		switch c {
		case '\t':
			_, _ = io.WriteString(w, `\t`)
		case '\r':
			_, _ = io.WriteString(w, `\r`)
		case '\n':
			_, _ = io.WriteString(w, `\n`)
		case '\\':
			_, _ = io.WriteString(w, `\\`)
		case '"':
			_, _ = io.WriteString(w, `\"`)
		default:
			_, _ = io.WriteString(w, `\u00`+hex[c>>4:c>>4+1]+hex[c&0xf:c&0xf+1])
		}
		start = i + 1
	}
	_, _ = io.WriteString(w, s[start:])
	_, _ = io.WriteString(w, `"`)
}
