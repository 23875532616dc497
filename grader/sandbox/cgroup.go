package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// cgroupRoot is where the cgroup file systems are mounted.
const cgroupRoot = "/sys/fs/cgroup"

// helperTasks is how many tasks (threads) the helper itself may use on top
// of Cmd.MaxProcs: the pids controller counts threads, and the helper is a
// Go program.
const helperTasks = 16

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
	// Our parent goes next to the cgroup we run in if we may write there,
	// else at the root; its controllers must be enabled by its own parent.
	parent := filepath.Join(cgroupRoot, name)
	if err := os.Mkdir(parent, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	ctl, err := os.ReadFile(filepath.Join(parent, "cgroup.controllers"))
	if err != nil {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	if !strings.Contains(string(ctl), "memory") || !strings.Contains(string(ctl), "pids") {
		return nil, fmt.Errorf("cgroup v2: memory and pids controllers not delegated to %s (have %q)", parent, strings.TrimSpace(string(ctl)))
	}
	if err := os.WriteFile(filepath.Join(parent, "cgroup.subtree_control"), []byte("+memory +pids"), 0o644); err != nil {
		return nil, fmt.Errorf("cgroup v2: enable controllers: %w", err)
	}
	if err := probeCgroup(parent); err != nil {
		return nil, fmt.Errorf("cgroup v2: %w", err)
	}
	return &cgroups{v2: true, memParent: parent, pidsParent: parent}, nil
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
