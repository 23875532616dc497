package boxhelper

/*
#include "helper.h"
*/
import "C"

import (
	"strconv"
)

// SpawnerArg is the first argument that turns the binary into the spawner
// (spawner.c): a small C process, started once, that starts helpers for the
// server. A helper lives in a new user namespace, so starting one is a real
// fork, and a fork copies the parent's page tables and makes its memory
// copy-on-write; from the server, with its large heap, that costs tens of
// milliseconds of CPU per run. The spawner forks itself instead, and the
// child runs the helper's code without executing anything.
const SpawnerArg = C.ONSITE_SPAWNER_ARG

// FDSpawner is the spawner's socket (SOCK_SEQPACKET) to the server.
const FDSpawner = C.ONSITE_FD_SPAWNER

// SpawnFiles is how many descriptors a start request carries, in the order
// the helper gets them: stdin, stdout, stderr, then FDConfig and FDStatus.
const SpawnFiles = C.ONSITE_SPAWN_FILES

// SpawnRequest asks the spawner to start a helper (or, with Kill, to kill
// the one with this ID). A start request carries the helper's SpawnFiles
// descriptors with SCM_RIGHTS.
type SpawnRequest struct {
	ID   uint64
	Kill bool
	// Cloneflags are the helper's new namespaces (CLONE_NEW*).
	Cloneflags uintptr
	// UIDMap and GIDMap are written to the helper's /proc/PID/uid_map and
	// gid_map before it goes on; Setgroups ("allow" or "deny") to its
	// setgroups file, before the gid map.
	UIDMap, GIDMap, Setgroups string
}

// Encode is the request as the spawner reads it: one frame of fields.
func (r SpawnRequest) Encode() ([]byte, error) {
	id := strconv.FormatUint(r.ID, 10)
	if r.Kill {
		return frame([]string{"kill", id})
	}
	return frame([]string{"start", id, strconv.FormatUint(uint64(r.Cloneflags), 10), r.UIDMap, r.GIDMap, r.Setgroups})
}

// SpawnReply answers a request: the helper's pid once started, then, when
// it exits, its wait status and the CPU time it and its children used.
type SpawnReply struct {
	ID     uint64 `json:"id"`
	Pid    int    `json:"pid,omitempty"`
	Err    string `json:"err,omitempty"`
	Exited bool   `json:"exited,omitempty"`
	Status int    `json:"status,omitempty"`
	CPUNS  int64  `json:"cpu_ns,omitempty"`
}
