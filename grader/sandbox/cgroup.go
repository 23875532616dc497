package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupRoot is where the cgroup file systems are mounted.
const cgroupRoot = "/sys/fs/cgroup"

// helperTasks is how many tasks the helper itself counts on top of
// Cmd.MaxProcs (the pids controller counts threads): it is one
// single-threaded process.
const helperTasks = 1

// cgroups knows where this sandbox's per-run cgroups go.
type cgroups struct {
	v2 bool
	// v1: the memory and pids parents; v2: one parent for both.
	memParent, pidsParent string
}

var cgroupSeq atomic.Uint64

// setupCgroups finds a writable cgroup hierarchy and makes our parent group
// (named name) in it. It returns an error saying why limits are off.
func setupCgroups(name string) (*cgroups, error) {
	if _, err := os.Stat(filepath.Join(cgroupRoot, "cgroup.controllers")); err == nil {
		return setupCgroupsV2(name)
	}
	mem := filepath.Join(cgroupRoot, "memory", name)
	pids := filepath.Join(cgroupRoot, "pids", name)
	for _, d := range []string{mem, pids} {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("cgroup v1: %w", err)
		}
		if err := probeCgroup(d); err != nil {
			return nil, fmt.Errorf("cgroup v1: %w", err)
		}
	}
	return &cgroups{memParent: mem, pidsParent: pids}, nil
}

// probeCgroup checks that runs can make their cgroups under parent: it may
// exist already, made by another user (an earlier server run as root).
func probeCgroup(parent string) error {
	probe := filepath.Join(parent, fmt.Sprintf("probe-%d", os.Getpid()))
	if err := os.Mkdir(probe, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return os.Remove(probe)
}

func setupCgroupsV2(name string) (*cgroups, error) {
	// A cgroup handed to us (systemd's Delegate=yes, a container's own
	// cgroup namespace) is where our runs belong, and the only place a
	// service that is not root may make cgroups.
	own, delegated := ownCgroupV2(cgroupRoot, "/proc/self/cgroup", os.Geteuid())
	if delegated {
		c, err := setupDelegated(own, name)
		if err == nil {
			return c, nil
		}
		return nil, fmt.Errorf("cgroup v2: delegated cgroup %s: %w", own, err)
	}
	// Else our parent goes at the root (a server run as root outside any
	// service manager). The root hands controllers to its children once
	// its subtree_control turns them on: systemd does that at boot, but
	// on a host without it (an init script, a VM's minimal init) nothing
	// has, so we do. The root, unlike other cgroups, may hold processes
	// and still hand controllers down.
	if err := enableControllers(cgroupRoot); err != nil {
		return nil, fmt.Errorf("cgroup v2: %w (run onsite under systemd with Delegate=yes, or as root)", err)
	}
	parent := filepath.Join(cgroupRoot, name)
	if err := os.Mkdir(parent, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("cgroup v2: %w (run onsite under systemd with Delegate=yes, or as root)", err)
	}
	if err := enableControllers(parent); err != nil {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	if err := probeCgroup(parent); err != nil {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	return &cgroups{v2: true, memParent: parent, pidsParent: parent}, nil
}

// ownCgroupV2 finds the cgroup this process runs in (from selfCgroup,
// /proc/self/cgroup, under root) and whether it was delegated to us, the
// user uid: systemd marks a delegated cgroup with the trusted.delegate
// attribute (and, from version 253, user.delegate), and gives a service's
// User= the directory (only root may read trusted attributes); a container
// with its own cgroup namespace sees its cgroup as "/", which, unlike the
// host's root, has a cgroup.type file.
func ownCgroupV2(root, selfCgroup string, uid int) (string, bool) {
	data, err := os.ReadFile(selfCgroup)
	if err != nil {
		return "", false
	}
	for _, line := range strings.Split(string(data), "\n") {
		rel, ok := strings.CutPrefix(line, "0::")
		if !ok {
			continue
		}
		own := filepath.Join(root, filepath.Clean("/"+rel))
		if rel == "/" {
			_, err := os.Stat(filepath.Join(own, "cgroup.type"))
			return own, err == nil
		}
		for _, attr := range []string{"trusted.delegate", "user.delegate"} {
			buf := make([]byte, 8)
			if n, err := unix.Getxattr(own, attr, buf); err == nil && strings.TrimSpace(string(buf[:n])) == "1" {
				return own, true
			}
		}
		var st unix.Stat_t
		if uid != 0 && unix.Stat(own, &st) == nil && int(st.Uid) == uid {
			return own, true
		}
		return own, false
	}
	return "", false
}

// setupDelegated makes our runs' parent in the delegated cgroup own. A
// cgroup with processes in it cannot hand controllers to its children, so
// the processes in own (this server, its spawner) move to the leaf
// own/server first, then own enables memory and pids for its children, and
// the parent own/name for the runs below it.
func setupDelegated(own, name string) (*cgroups, error) {
	// Checked before anything moves.
	if err := controllersAvailable(own); err != nil {
		return nil, err
	}
	sub, err := os.ReadFile(filepath.Join(own, "cgroup.subtree_control"))
	if err != nil {
		return nil, err
	}
	if !hasControllers(string(sub)) {
		leaf := filepath.Join(own, "server")
		if err := os.Mkdir(leaf, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		procs, err := os.ReadFile(filepath.Join(own, "cgroup.procs"))
		if err != nil {
			return nil, err
		}
		for _, pid := range strings.Fields(string(procs)) {
			// A process that exited meanwhile is no matter.
			if err := writeString(leaf, "cgroup.procs", pid); err != nil && !errors.Is(err, syscall.ESRCH) {
				return nil, fmt.Errorf("move process %s to %s: %w", pid, leaf, err)
			}
		}
		if err := enableControllers(own); err != nil {
			return nil, err
		}
	}
	parent := filepath.Join(own, name)
	if err := os.Mkdir(parent, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	if err := enableControllers(parent); err != nil {
		return nil, err
	}
	if err := probeCgroup(parent); err != nil {
		return nil, err
	}
	return &cgroups{v2: true, memParent: parent, pidsParent: parent}, nil
}

// controllersAvailable says why dir cannot hand memory and pids to its
// children, or nil.
func controllersAvailable(dir string) error {
	ctl, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
	if err != nil {
		return err
	}
	if !hasControllers(string(ctl)) {
		return fmt.Errorf("memory and pids controllers not available to %s (have %q)", dir, strings.TrimSpace(string(ctl)))
	}
	return nil
}

// enableControllers turns memory and pids on for dir's children; they
// must be available to dir.
func enableControllers(dir string) error {
	if err := controllersAvailable(dir); err != nil {
		return err
	}
	if err := writeString(dir, "cgroup.subtree_control", "+memory +pids"); err != nil {
		return fmt.Errorf("enable controllers in %s: %w", dir, err)
	}
	return nil
}

// hasControllers says whether a controller list names memory and pids.
func hasControllers(list string) bool {
	f := strings.Fields(list)
	return slices.Contains(f, "memory") && slices.Contains(f, "pids")
}

// runCgroup is the cgroup (or pair of v1 cgroups) of one run.
type runCgroup struct {
	v2        bool
	mem, pids string
	limit     int64
}

// newRun makes the cgroup of one run with its limits.
func (c *cgroups) newRun(memory int64, procs int) (*runCgroup, error) {
	id := fmt.Sprintf("run-%d-%d", os.Getpid(), cgroupSeq.Add(1))
	r := &runCgroup{v2: c.v2, mem: filepath.Join(c.memParent, id), pids: filepath.Join(c.pidsParent, id), limit: memory}
	err := os.Mkdir(r.mem, 0o755)
	if errors.Is(err, os.ErrNotExist) {
		// Sandboxes of one process share the parent, and one that closed
		// just now removed it while it was empty: make it again.
		if _, serr := setupCgroups(filepath.Base(c.memParent)); serr != nil {
			return nil, fmt.Errorf("make cgroup: %w", serr)
		}
		err = os.Mkdir(r.mem, 0o755)
	}
	if err != nil {
		return nil, fmt.Errorf("make cgroup: %w", err)
	}
	if !c.v2 {
		if err := os.Mkdir(r.pids, 0o755); err != nil {
			r.remove()
			return nil, fmt.Errorf("make cgroup: %w", err)
		}
	}
	maxTasks := strconv.Itoa(procs + helperTasks)
	if c.v2 {
		if memory > 0 {
			err = errors.Join(write(r.mem, "memory.max", memory), write(r.mem, "memory.swap.max", 0))
		}
		err = errors.Join(err, writeString(r.pids, "pids.max", maxTasks))
	} else {
		if memory > 0 {
			err = write(r.mem, "memory.limit_in_bytes", memory)
			if _, serr := os.Stat(filepath.Join(r.mem, "memory.memsw.limit_in_bytes")); serr == nil {
				err = errors.Join(err, write(r.mem, "memory.memsw.limit_in_bytes", memory))
			}
		}
		err = errors.Join(err, writeString(r.pids, "pids.max", maxTasks))
	}
	if err != nil {
		r.remove()
		return nil, fmt.Errorf("set cgroup limits: %w", err)
	}
	return r, nil
}

// add moves pid into the run's cgroups.
func (r *runCgroup) add(pid int) error {
	p := strconv.Itoa(pid)
	if err := writeString(r.mem, "cgroup.procs", p); err != nil {
		return err
	}
	if !r.v2 {
		return writeString(r.pids, "cgroup.procs", p)
	}
	return nil
}

// usage reads the peak memory and whether the OOM killer struck.
func (r *runCgroup) usage() (peak int64, oom bool) {
	if r.v2 {
		peak, _ = readInt(r.mem, "memory.peak")
		return peak, readKey(r.mem, "memory.events", "oom_kill") > 0
	}
	peak, _ = readInt(r.mem, "memory.max_usage_in_bytes")
	if sw, err := readInt(r.mem, "memory.memsw.max_usage_in_bytes"); err == nil && sw > peak {
		peak = sw
	}
	oom = readKey(r.mem, "memory.oom_control", "oom_kill") > 0
	if !oom && r.limit > 0 && peak >= r.limit {
		fail, _ := readInt(r.mem, "memory.failcnt")
		oom = fail > 0
	}
	return peak, oom
}

// remove deletes the run's cgroups, retrying while the last tasks exit.
func (r *runCgroup) remove() {
	for _, d := range []string{r.mem, r.pids} {
		for i := 0; i < 50; i++ {
			err := os.Remove(d)
			if err == nil || errors.Is(err, os.ErrNotExist) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func write(dir, file string, v int64) error {
	return writeString(dir, file, strconv.FormatInt(v, 10))
}

func writeString(dir, file, v string) error {
	if err := os.WriteFile(filepath.Join(dir, file), []byte(v), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	return nil
}

func readInt(dir, file string) (int64, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// readKey reads "key value" from a flat-keyed cgroup file.
func readKey(dir, file, key string) int64 {
	f, err := os.Open(filepath.Join(dir, file))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if ok && k == key {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}
