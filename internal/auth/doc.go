// Package auth decides who may do what in Village: API keys (only a hash of
// each secret is stored), the viewer a request acts as, the write guard
// every mutation passes through (installed on every ent client by package
// store, so no resolver can forget it), and the field-visibility rules every
// read path uses.
//
// A context that carries no viewer is trusted internal code (the CLI, the
// seed, imports run by an operator); its writes are allowed and logged with
// the actor "cli". Every HTTP request carries a viewer: anonymous when it
// sends no key.
package auth
