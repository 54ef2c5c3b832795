// Package telemetry is where Village's metrics, traces and per-request
// facts are set up: one place for what an operator watches. It holds no
// HTTP handlers (package server mounts /metrics over Metrics.Registry) and
// reads no domain data itself: the match index and the database pool are
// read through the small interfaces they offer.
//
// # Metrics
//
// Metrics are Prometheus' (client_golang), in a registry of their own, so
// tests can build several servers in one process. Every series Village
// exports is named village_*, besides the Go runtime's and the process'.
// Label values come from a bounded set: routes are the server's patterns,
// GraphQL operation names are capped (see Metrics.operationName), error
// codes are Village's own.
//
// # Tracing
//
// Tracing is OpenTelemetry's, configured the standard way, by OTEL_*
// environment variables (see Tracing): off unless an OTLP endpoint is set,
// W3C trace context and baggage propagated either way. Spans carry
// operation names, types, routes, statement texts (parameterized: the
// values are bound separately and never recorded) and error codes, never a
// GraphQL request's variables, its document's literals, nor an API key.
//
// # Request facts
//
// Request is what the layers of one request tell each other for logs,
// metrics and caching: its ID, route, the GraphQL operation's name and
// type, the viewer's role. Package server makes it; package graph fills in
// the operation.
package telemetry
