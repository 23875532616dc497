// Package sandbox runs untrusted programs for the grader on Linux, inside
// fresh user, pid, mount, network, ipc and uts namespaces, with rlimits, a
// seccomp filter and (when the host lets us) memory and pids cgroups.
//
// The isolation is set up by a helper mode of the onsite binary itself. A
// Sandbox re-executes os.Executable() once with a secret first argument as
// the spawner, C code in package boxhelper that runs before the Go runtime
// does (and is started again if it dies). For each box the spawner forks
// itself into the new namespaces; that child, the helper, builds a new root
// out of read-only bind mounts, sets the limits, drops to a non-root user,
// installs seccomp and starts the program as pid 2 of the new pid namespace.
// Any binary that links this package can serve as its own spawner.
package sandbox
