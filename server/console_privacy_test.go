package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/village-directory/village/internal/auth"
	"github.com/village-directory/village/internal/store"
	"github.com/village-directory/village/internal/testdb"
	"github.com/village-directory/village/server"
)

// TestConsoleCallLeavesNoTrace: what a caller tells the console reaches the
// server only as a POST's variables, and neither the trace (any span's
// attributes, events or status) nor the log (at debug level) records them,
// for a match that succeeds and for one refused for a bad ZIP, whose error
// names the value to the worker only.
func TestConsoleCallLeavesNoTrace(t *testing.T) {
	for _, backend := range testdb.Backends {
		t.Run(backend, func(t *testing.T) {
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			db := testdb.Open(t, backend, store.Options{TracerProvider: tp})
			loadSeedAndSamples(t, db)
			staff := mustKey(t, db, "Call center", auth.Staff)
			var logs syncBuffer
			log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			ts := httptest.NewServer(server.New(db, server.Config{TracerProvider: tp}, log))
			t.Cleanup(ts.Close)
			a := &api{t: t, srv: ts}
			exp.Reset()

			const doc = `query ConsoleMatch($family: FamilyInput!) { match(family: $family, first: 5, includeIneligible: true) {
				totalCount edges { eligible reasons { message } node { name phones { number staffOnly } } } } }`
			secrets := []string{"02121", "2026-03-14", "41234", "9876x"}
			for _, family := range []string{
				`{"zip":"02121","childBirthDate":"2026-03-14","householdSize":3,"annualIncome":41234,"firstTimeParent":true,"language":"es"}`,
				`{"zip":"9876x"}`,
			} {
				res, body := a.send(http.MethodPost, "/graphql", `{"query":`+jsonString(doc)+`,"variables":{"family":`+family+`}}`,
					map[string]string{"Authorization": "Bearer " + staff})
				if strings.Contains(family, "9876x") {
					if !strings.Contains(string(body), "BAD_USER_INPUT") {
						t.Fatalf("a bad ZIP: %d %s", res.StatusCode, body)
					}
				} else if res.StatusCode != http.StatusOK || strings.Contains(string(body), `"errors"`) || !strings.Contains(string(body), `"totalCount"`) {
					t.Fatalf("%d %s", res.StatusCode, body)
				}
			}
			spans := exp.GetSpans()
			if len(spans) == 0 {
				t.Fatal("no spans recorded")
			}
			for _, s := range spans {
				var texts []string
				texts = append(texts, s.Name, s.Status.Description)
				for _, kv := range s.Attributes {
					texts = append(texts, kv.Value.Emit())
				}
				for _, ev := range s.Events {
					texts = append(texts, ev.Name)
					for _, kv := range ev.Attributes {
						texts = append(texts, kv.Value.Emit())
					}
				}
				for _, text := range texts {
					for _, secret := range secrets {
						if strings.Contains(text, secret) {
							t.Errorf("span %q records the caller's %s: %.200s", s.Name, secret, text)
						}
					}
				}
			}
			logged := logs.String()
			if !strings.Contains(logged, "ConsoleMatch") {
				t.Fatalf("the requests were not logged: %s", logged)
			}
			for _, secret := range secrets {
				if strings.Contains(logged, secret) {
					t.Errorf("the log records the caller's %s", secret)
				}
			}
		})
	}
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}
