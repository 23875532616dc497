// Package sandbox runs untrusted programs for the grader on Linux, inside
// fresh user, pid, mount, network, ipc and uts namespaces, with rlimits, a
// seccomp filter and (when the host lets us) memory and pids cgroups.
//
// The isolation is set up by a helper mode of the onsite binary itself: the
// parent re-executes os.Executable() with a secret first argument, the helper
// builds a new root out of read-only bind mounts, drops to a non-root user,
// installs seccomp and execs the program as pid 2 of the new pid namespace.
// Programs that embed this package must call RunHelperIfRequested first thing
// in main (and in TestMain), or no Box can run anything.
package sandbox
