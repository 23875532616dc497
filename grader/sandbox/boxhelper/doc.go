// Package boxhelper is the inside of a sandbox: the onsite binary re-executed
// with Arg as its first argument builds the box's root, limits and seccomp
// filter, then execs the program. Package sandbox starts it and speaks to it
// over the file descriptors and JSON documents defined here. It has few
// dependencies on purpose: see init.
package boxhelper
