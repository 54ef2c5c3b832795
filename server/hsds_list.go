package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/village-directory/village/internal/hsds"
)

// recordSet is what a list endpoint lists: the matching records
// (hsds.IDSet) and how to turn their IDs into the documents to return.
type recordSet struct {
	hsds.IDSet
	// load returns the documents of ids, in ID order.
	load func(ctx context.Context, ids []int) ([]any, error)
	// tail follows the records, in both formats (the Village attribute
	// vocabulary after the directory's terms; the taxonomies, which are
	// not records).
	tail []any
	// batch overrides the handler's streamBatch for large documents.
	batch int
}

// list answers a list endpoint in the requested format.
func (h *hsdsAPI) list(w http.ResponseWriter, r *http.Request, p *listParams, set recordSet) {
	if p.format == formatNDJSON {
		h.stream(w, r, set)
		return
	}
	v, err := h.page(r.Context(), p, set)
	h.answer(w, r, v, err)
}

// page builds one JSON page of set.
func (h *hsdsAPI) page(ctx context.Context, p *listParams, set recordSet) (any, error) {
	var total int
	var ids []int
	switch {
	case set.Count != nil:
		n, err := set.Count(ctx)
		if err != nil {
			return nil, err
		}
		total = n
		if p.offset() < total {
			if ids, err = set.Page(ctx, p.offset(), p.perPage); err != nil {
				return nil, err
			}
		}
	case set.Scan != nil:
		// Filters judged in Go: find every match to count them; only IDs
		// are kept.
		var all []int
		for after := 0; ; {
			batch, last, err := set.Scan(ctx, after, h.streamBatch)
			if err != nil {
				return nil, err
			}
			if last == 0 {
				break
			}
			all = append(all, batch...)
			after = last
		}
		if set.Rank != nil {
			all = set.Rank(all)
		}
		total = len(all)
		ids = pageOf(p, all)
	}
	var docs []any
	if len(ids) > 0 {
		var err error
		if docs, err = set.loadInOrder(ctx, ids); err != nil {
			return nil, err
		}
	}
	for i := max(0, p.offset()-total); i < len(set.tail) && len(docs) < p.perPage; i++ {
		docs = append(docs, set.tail[i])
	}
	return envelope(p, total+len(set.tail), docs), nil
}

// stream writes every record of set as NDJSON, a batch at a time, flushing
// after each. It stops when the client goes away or the request's deadline
// passes; a stream cut short after it began is aborted (the connection is
// reset), so a client never mistakes a partial listing for the whole.
func (h *hsdsAPI) stream(w http.ResponseWriter, r *http.Request, set recordSet) {
	select {
	case h.streams <- struct{}{}:
		defer func() { <-h.streams }()
	default:
		w.Header().Set("Retry-After", "10")
		hsdsError(w, http.StatusServiceUnavailable, "too many streamed listings in progress: retry in a few seconds, or page through the JSON list")
		return
	}
	ctx := r.Context()
	rc := http.NewResponseController(w)
	buf := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(buf)
	started, written := false, 0
	write := func(docs []any) error {
		if !started {
			started = true
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
		}
		for _, d := range docs {
			if err := enc.Encode(d); err != nil {
				return err
			}
		}
		written += len(docs)
		if err := buf.Flush(); err != nil {
			return err
		}
		if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		return nil
	}
	err := func() error {
		batch := set.batch
		if batch == 0 {
			batch = h.streamBatch
		}
		if set.Rank != nil {
			// Ranked: every match is found first (IDs only), then the
			// documents follow in rank order, a batch at a time.
			var all []int
			for after := 0; ; {
				ids, last, err := set.Scan(ctx, after, h.streamBatch)
				if err != nil {
					return err
				}
				if last == 0 {
					break
				}
				all, after = append(all, ids...), last
			}
			all = set.Rank(all)
			for lo := 0; lo < len(all); lo += batch {
				if err := ctx.Err(); err != nil {
					return err
				}
				docs, err := set.loadInOrder(ctx, all[lo:min(lo+batch, len(all))])
				if err != nil {
					return err
				}
				if err := write(docs); err != nil {
					return err
				}
			}
			return write(set.tail)
		}
		for after := 0; set.Scan != nil; {
			if err := ctx.Err(); err != nil {
				return err
			}
			ids, last, err := set.Scan(ctx, after, batch)
			if err != nil {
				return err
			}
			if last == 0 {
				break
			}
			after = last
			if len(ids) == 0 {
				continue
			}
			docs, err := set.load(ctx, ids)
			if err != nil {
				return err
			}
			if err := write(docs); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return write(set.tail)
	}()
	if err == nil {
		return
	}
	if !started {
		h.answer(w, r, nil, err)
		return
	}
	h.log.WarnContext(ctx, "hsds stream stopped before its end", "path", r.URL.Path, "records", written, "error", err)
	panic(http.ErrAbortHandler)
}

// loadInOrder loads the documents of ids in the order of ids. The loaders
// return documents in ID order; for a ranked set they are put back in the
// rank's order (when a record vanished between the search and the load,
// the rest stay in ID order rather than be mismatched).
func (set recordSet) loadInOrder(ctx context.Context, ids []int) ([]any, error) {
	docs, err := set.load(ctx, ids)
	if err != nil || set.Rank == nil || len(docs) != len(ids) {
		return docs, err
	}
	ascending := slices.Clone(ids)
	slices.Sort(ascending)
	at := make(map[int]any, len(ids))
	for i, id := range ascending {
		at[id] = docs[i]
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = at[id]
	}
	return out, nil
}
