// Package server is onsite's HTTP face: the echo router, the JSON API under
// /api/v1, the server-rendered pages, authentication, CSRF protection and the
// mapping of domain errors to HTTP statuses. It depends on the domain
// interfaces only; cmd/onsite hands it the implementations.
package server
