// Package sandbox runs untrusted programs for the grader on Linux, inside
// fresh user, pid, mount, network, ipc and uts namespaces, with rlimits, a
// seccomp filter and (when the host lets us) memory and pids cgroups.
//
// The isolation is set up by a helper mode of the onsite binary itself: a
// small spawner process (the binary with another secret first argument)
// starts os.Executable() in the new namespaces with a secret first argument,
// and the helper, C code in package boxhelper that runs before the Go
// runtime does, builds a new root out of read-only bind mounts, sets the
// limits, drops to a non-root user, installs seccomp and starts the program
// as pid 2 of the new pid namespace. Programs that embed this package must
// call RunHelperIfRequested first thing in main (and in TestMain), where the
// spawner takes over.
package sandbox
