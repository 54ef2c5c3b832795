package server

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/village-directory/village/ent"
	"github.com/village-directory/village/graph"
	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/route"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/telemetry"
)

// authenticate gives every request a viewer: anonymous without an
// Authorization header, the key's viewer with "Authorization: Bearer
// <secret>". Any other Authorization (a wrong, malformed or revoked key,
// another scheme, several headers) is answered 401 UNAUTHENTICATED: a
// client that meant to send a key is never silently served as anonymous.
// Keys are looked up on every request, so a revocation takes effect at
// once. CORS preflights are answered before this runs (by the CORS
// handler around it), so they need no key.
//
// A refused key is a request without a valid key: it spends a token of its
// address's bucket in limits, and when that is empty is answered 429
// instead (see the package documentation).
func authenticate(client *ent.Client, log *slog.Logger, limits *limiter, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The address limits the library's submissions without a key
		// (package write); it is never stored.
		ctx := auth.WithClientAddress(r.Context(), hostOf(r))
		refuseKey := func(msg string) {
			if !limits.refused(w, r, addressOf(r)) {
				unauthenticated(w, msg)
			}
		}
		info := telemetry.RequestFrom(ctx)
		headers := r.Header.Values("Authorization")
		if len(headers) == 0 {
			setViewer(info, auth.Viewer{Role: auth.Anonymous})
			next.ServeHTTP(w, r.WithContext(auth.WithViewer(ctx, auth.Viewer{Role: auth.Anonymous})))
			return
		}
		if len(headers) > 1 {
			refuseKey("send one Authorization header")
			return
		}
		scheme, secret, _ := strings.Cut(strings.TrimSpace(headers[0]), " ")
		secret = strings.TrimSpace(secret)
		if !strings.EqualFold(scheme, "Bearer") || secret == "" {
			refuseKey(`send an API key as "Authorization: Bearer <key>"`)
			return
		}
		// On the primary with read replicas: a revoked key is refused at
		// once, a new one accepted at once, whatever a replica's lag.
		v, err := auth.Authenticate(route.Primary(ctx), client, secret)
		switch {
		case errors.Is(err, auth.ErrUnauthenticated):
			refuseKey(err.Error())
			return
		case err != nil:
			if ctx.Err() != nil {
				writeGraphQLError(w, http.StatusServiceUnavailable, "the request timed out", "TIMEOUT")
				return
			}
			if store.Unavailable(err) {
				log.WarnContext(ctx, "checking an API key failed: the database is unavailable", "error", err)
				w.Header().Set("Retry-After", strconv.Itoa(graph.UnavailableRetryAfter))
				writeGraphQLError(w, http.StatusServiceUnavailable,
					"could not check the API key: the database is unavailable; retry in a few seconds", graph.CodeUnavailable)
				return
			}
			log.ErrorContext(ctx, "checking an API key failed", "error", err)
			writeGraphQLError(w, http.StatusInternalServerError, "could not check the API key", "INTERNAL")
			return
		}
		setViewer(info, v)
		next.ServeHTTP(w, r.WithContext(auth.WithViewer(ctx, v)))
	})
}

// unauthenticated answers 401 in the GraphQL error shape.
func unauthenticated(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="village"`)
	w.Header().Set("Cache-Control", "no-store")
	writeGraphQLError(w, http.StatusUnauthorized, msg, "UNAUTHENTICATED")
}

// setViewer tells the request's log line who it acted as: the role and
// the key's name, never its secret (info may be nil).
func setViewer(info *telemetry.Request, v auth.Viewer) {
	if info != nil {
		info.Role, info.KeyName = string(v.Role), v.Name
	}
}
