// Package boxhelper is the inside of a sandbox. The helper (helper.c) is
// the onsite binary re-executed with Arg as its first argument: a C
// constructor builds the box's root, limits and seccomp filter and starts the
// program before the Go runtime starts. The spawner (spawner.go) is the Go
// process that starts helpers for the server. Package sandbox speaks to both
// over the file descriptors and frames defined here.
package boxhelper
