// Package interview runs mock interviews: formats of timed rounds, the
// session lifecycle with server-owned deadlines, and scorecards. (Mock
// interviews arrive in a later issue.)
package interview
