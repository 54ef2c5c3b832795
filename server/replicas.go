package server

import (
	"net/http"

	"github.com/village-directory/village/internal/store"
)

// bindReads gives each request its database routing (store.DB.Bind): with
// read replicas, its reads go to one in rotation, or, when it sends a
// read-after token (header Village-Read-After), to one that has replayed
// past it, else to the primary. The answer to a request that wrote carries
// its own token in that header (and GraphQL's in extensions.readAfter). A
// token that does not parse is refused, whether or not there are replicas:
// a client sending a wrong one would otherwise be told nothing.
func bindReads(db *store.DB, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var (
			after   store.LSN
			tokened bool
		)
		if values := r.Header.Values(store.ReadAfterHeader); len(values) > 0 {
			lsn, err := store.ParseLSN(values[len(values)-1])
			if err != nil || len(values) > 1 {
				msg := "send one " + store.ReadAfterHeader + " header"
				if err != nil {
					msg = err.Error()
				}
				w.Header().Set("Cache-Control", "no-store")
				writeGraphQLError(w, http.StatusBadRequest, msg, "BAD_REQUEST")
				return
			}
			after, tokened = lsn, true
		}
		if db.Replicas == nil {
			next.ServeHTTP(w, r)
			return
		}
		r = r.WithContext(db.Bind(r.Context(), after, tokened))
		next.ServeHTTP(&readAfterWriter{ResponseWriter: w, r: r, db: db}, r)
	})
}

// readAfterWriter sets the read-after header, when the request wrote, as
// the answer's headers go out.
type readAfterWriter struct {
	http.ResponseWriter
	r       *http.Request
	db      *store.DB
	written bool
}

func (w *readAfterWriter) WriteHeader(status int) {
	if !w.written {
		w.written = true
		if token := w.db.ReadAfter(w.r.Context()); token != "" {
			w.Header().Set(store.ReadAfterHeader, token)
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *readAfterWriter) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer below.
func (w *readAfterWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
