package boxhelper

/*
#cgo CFLAGS: -O2 -Wall
#include "helper.h"
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// The helper's file descriptors: the config pipe and the status pipe
// (stdin, stdout and stderr are the program's).
const (
	FDConfig = C.ONSITE_FD_CONFIG
	FDStatus = C.ONSITE_FD_STATUS
)

// Niceness is the CPU priority of the helper and the program it runs.
const Niceness = C.ONSITE_NICENESS

// InsideID is the id of the user inside every box; never 0.
const InsideID = C.ONSITE_INSIDE_ID

// MountSpec is one path of the new root.
type MountSpec struct {
	Path     string // where, inside
	Source   string // bind-mount this host path
	Symlink  string // or make this symlink
	Dir      bool
	Writable bool
	Dev      bool
}

// RootConfig is the same for every box of a Sandbox; the helper builds the
// root from it while it waits for a run.
type RootConfig struct {
	// SetUID says the helper runs as root inside and the program must be
	// made the unprivileged user; else the helper already is that user and
	// only drops its ambient capabilities.
	SetUID bool
	// NewRoot is an empty host directory to build the new root on, away
	// from every bind source.
	NewRoot string
	Mounts  []MountSpec
	TmpSize int64
	// Overlays are host directories shown at the same path with a private,
	// throw-away upper layer: the box reads what they hold and its writes
	// stay in the box (Go's build cache).
	Overlays []string
}

// RunConfig is one program's run; receiving it is the helper's go-ahead.
type RunConfig struct {
	Argv []string
	Env  []string
	// Box is the host work directory, bound at /box.
	Box        string
	CPUSeconds uint64
	FileSize   uint64
	NoFile     uint64
	Stack      uint64
}

// Status is what the helper reports through FDStatus, as JSON.
type Status struct {
	Err      string `json:"err,omitempty"`
	Status   uint32 `json:"status"`
	UserUsec int64  `json:"user_usec"`
	SysUsec  int64  `json:"sys_usec"`
	WallNS   int64  `json:"wall_ns"`
}

// The parent sends the helper three frames through FDConfig: the root
// config and the seccomp program when it starts the helper, the run config
// when a program is to run. A frame is a 4-byte little-endian length and
// that many bytes: NUL-terminated fields for the configs (a tag, then the
// fields in the order below), struct sock_filter entries for the program.
const maxFrame = 1 << 20

func frame(fields []string) ([]byte, error) {
	n := 4
	for _, f := range fields {
		if strings.IndexByte(f, 0) >= 0 {
			return nil, fmt.Errorf("sandbox: %.40q contains a NUL byte", f)
		}
		n += len(f) + 1
	}
	if n-4 > maxFrame {
		return nil, fmt.Errorf("sandbox: config of %d bytes is over %d", n-4, maxFrame)
	}
	b := binary.LittleEndian.AppendUint32(make([]byte, 0, n), uint32(n-4))
	for _, f := range fields {
		b = append(append(b, f...), 0)
	}
	return b, nil
}

// Encode is the root config's frame.
func (c *RootConfig) Encode() ([]byte, error) {
	f := []string{"root", boolField(c.SetUID), c.NewRoot, strconv.FormatInt(c.TmpSize, 10), strconv.Itoa(len(c.Mounts))}
	for _, m := range c.Mounts {
		flags := ""
		for _, x := range []struct {
			on bool
			c  string
		}{{m.Dir, "d"}, {m.Writable, "w"}, {m.Dev, "v"}} {
			if x.on {
				flags += x.c
			}
		}
		f = append(f, m.Path, m.Source, m.Symlink, flags)
	}
	f = append(f, strconv.Itoa(len(c.Overlays)))
	f = append(f, c.Overlays...)
	return frame(f)
}

// Encode is the run config's frame.
func (c *RunConfig) Encode() ([]byte, error) {
	f := []string{"run", c.Box}
	for _, n := range []uint64{c.CPUSeconds, c.FileSize, c.NoFile, c.Stack} {
		f = append(f, strconv.FormatUint(n, 10))
	}
	f = append(append(f, strconv.Itoa(len(c.Argv))), c.Argv...)
	f = append(append(f, strconv.Itoa(len(c.Env))), c.Env...)
	return frame(f)
}

func boolField(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
