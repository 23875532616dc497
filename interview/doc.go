// Package interview holds mock interviews: formats (built in and custom),
// the choice of questions, a session's timed rounds and the scorecard with
// its hire signals. Storage lives in package store; pages and API in server.
package interview
