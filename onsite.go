// Package onsite holds the domain types every other package shares: errors with
// codes, users, sessions and API tokens, and the helpers that carry the signed-in
// user through a context. It imports only the standard library.
package onsite

// Version is the release of this binary, set at build time with
// -ldflags "-X github.com/onsite-dev/onsite.Version=v1.2.3".
var Version = "dev"
