// Package boxhelper is the inside of a sandbox, in C so that it runs before
// the Go runtime starts. The spawner (spawner.c) is the onsite binary
// started once with SpawnerArg: it forks itself into new namespaces for
// each helper the server asks for. The helper (helper.c) builds the box's
// root, limits and seccomp filter and starts the program; it runs in the
// spawner's child, or in the binary re-executed with Arg when there is no
// spawner. Package sandbox speaks to both over the file descriptors and
// frames defined here.
package boxhelper
