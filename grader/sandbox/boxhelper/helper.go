package boxhelper

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Arg is the first argument that turns the binary into the helper.
const Arg = "__onsite_sandbox_helper"

// The helper's file descriptors, as the parent lays them out with
// exec.Cmd.ExtraFiles: the config pipe, the status pipe, then the binary
// itself (executed through /proc/self/fd).
const (
	FDConfig = 3
	FDStatus = 4
	FDExe    = 5
)

// Niceness is the CPU priority of the helper and the program it runs.
const Niceness = 10

// The id of the user inside every box; never 0.
const InsideID = 1000

// MountSpec is one path of the new root.
type MountSpec struct {
	Path     string `json:"path"`              // where, inside
	Source   string `json:"source,omitempty"`  // bind-mount this host path
	Symlink  string `json:"symlink,omitempty"` // or make this symlink
	Dir      bool   `json:"dir,omitempty"`
	Writable bool   `json:"writable,omitempty"`
	Dev      bool   `json:"dev,omitempty"`
}

// Config is what the parent sends the helper through FDConfig, in two
// JSON documents: the root, when the helper is started (a spare builds its
// root ahead of need), and the run, when a program is to run.
type Config struct {
	RootConfig
	RunConfig
}

// RootConfig is the same for every box of a Sandbox.
type RootConfig struct {
	// SetUID says the helper runs as root inside and the program must be
	// made the unprivileged user; else the helper already is that user and
	// only drops its ambient capabilities.
	SetUID bool `json:"setuid"`
	// NewRoot is an empty host directory to build the new root on, away
	// from every bind source.
	NewRoot string      `json:"new_root"`
	Mounts  []MountSpec `json:"mounts"`
	TmpSize int64       `json:"tmp_size"`
	// Overlays are host directories shown at the same path with a private,
	// throw-away upper layer: the box reads what they hold and its writes
	// stay in the box (Go's build cache).
	Overlays []string `json:"overlays,omitempty"`
}

// RunConfig is one program's run; receiving it is the helper's go-ahead.
type RunConfig struct {
	Argv []string `json:"argv"`
	Env  []string `json:"env"`
	// Box is the host work directory, bound at /box.
	Box        string `json:"box"`
	CPUSeconds uint64 `json:"cpu_seconds"`
	FileSize   uint64 `json:"file_size"`
	NoFile     uint64 `json:"nofile"`
	Stack      uint64 `json:"stack"`
}

// Status is what the helper reports through FDStatus.
type Status struct {
	Err      string `json:"err,omitempty"`
	Status   uint32 `json:"status"`
	UserUsec int64  `json:"user_usec"`
	SysUsec  int64  `json:"sys_usec"`
	WallNS   int64  `json:"wall_ns"`
}

// init turns the process into the helper before the rest of the binary
// initialises: Go initialises packages that do not depend on each other in
// the order of their import paths, and this package's path sorts before the
// packages it does not import (regexp, goldmark, net/http, ...), so a helper
// pays for the runtime and this package's few dependencies, not for the
// whole server's package initialisation (tens of milliseconds per run).
func init() {
	RunIfRequested()
}

// RunIfRequested turns the process into the sandbox helper when it was
// started as one, and never returns then.
func RunIfRequested() {
	if len(os.Args) >= 2 && os.Args[1] == SpawnerArg {
		runSpawner()
	}
	if len(os.Args) < 2 || os.Args[1] != Arg {
		return
	}
	// A helper lives for one run: no heap profile (its first sample
	// allocates a large bucket table).
	runtime.MemProfileRate = 0
	// Capabilities are per thread: keep setup, clearing the ambient set and
	// the fork of the program on one thread.
	runtime.LockOSThread()
	// Graded code runs at a lower CPU priority than the server (nice is
	// per thread on Linux and the program inherits this one's): when
	// submissions keep every core busy, pages and reviews still answer
	// promptly, and grading takes the time left over.
	_ = unix.Setpriority(unix.PRIO_PROCESS, 0, Niceness)
	status := os.NewFile(FDStatus, "status")
	st, err := runHelper()
	if err != nil {
		st = Status{Err: err.Error()}
	}
	_ = json.NewEncoder(status).Encode(st)
	if err != nil {
		os.Exit(125)
	}
	os.Exit(0)
}

func runHelper() (Status, error) {
	// Nothing the parent passed may reach the program.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		for fd := 3; fd < 1024; fd++ {
			syscall.CloseOnExec(fd)
		}
	}
	var cfg Config
	cf := os.NewFile(FDConfig, "config")
	dec := json.NewDecoder(cf)
	if err := dec.Decode(&cfg.RootConfig); err != nil {
		return Status{}, fmt.Errorf("read root config: %w", err)
	}
	if err := buildRoot(&cfg); err != nil {
		return Status{}, err
	}
	// The parent sends the run once we are in our cgroups: this read is
	// also the go-ahead.
	if err := dec.Decode(&cfg.RunConfig); err != nil {
		return Status{}, fmt.Errorf("read run config: %w", err)
	}
	cf.Close()
	if len(cfg.Argv) == 0 {
		return Status{}, errors.New("empty argv")
	}
	if err := enterRoot(&cfg); err != nil {
		return Status{}, err
	}
	if err := setRlimits(&cfg); err != nil {
		return Status{}, err
	}
	// Signals sent from inside the box must not end the helper by surprise;
	// handled (not ignored) so that the program starts with defaults.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP,
		syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGPIPE, syscall.SIGALRM)
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return Status{}, fmt.Errorf("prctl dumpable: %w", err)
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return Status{}, fmt.Errorf("clear ambient capabilities: %w", err)
	}
	if err := loadSeccomp(); err != nil {
		return Status{}, err
	}
	start := time.Now()
	attr := &syscall.ProcAttr{Dir: "/box", Env: cfg.Env, Files: []uintptr{0, 1, 2}}
	if cfg.SetUID {
		// Leaving root inside drops every capability.
		attr.Sys = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: InsideID, Gid: InsideID, Groups: []uint32{}}}
	}
	pid, err := syscall.ForkExec(cfg.Argv[0], cfg.Argv, attr)
	if err != nil {
		return Status{}, fmt.Errorf("start %s: %w", cfg.Argv[0], err)
	}
	os.Stdin.Close()
	os.Stdout.Close()
	os.Stderr.Close()
	// Reap everything (we are pid 1) until the program itself exits; the
	// rest of the namespace dies with us.
	var st Status
	for {
		var ws syscall.WaitStatus
		var ru syscall.Rusage
		wpid, err := syscall.Wait4(-1, &ws, 0, &ru)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return Status{}, fmt.Errorf("wait: %w", err)
		}
		st.UserUsec += ru.Utime.Nano() / 1000
		st.SysUsec += ru.Stime.Nano() / 1000
		if wpid == pid {
			st.Status = uint32(ws)
			st.WallNS = int64(time.Since(start))
			return st, nil
		}
	}
}

// buildRoot builds the new root on a tmpfs, everything but the work
// directory, before the run is known.
func buildRoot(cfg *Config) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	root := cfg.NewRoot
	if err := unix.Mount("tmpfs", root, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=1m,mode=0755"); err != nil {
		return fmt.Errorf("mount root tmpfs: %w", err)
	}
	for _, m := range cfg.Mounts {
		if err := mountOne(root, m); err != nil {
			return err
		}
	}
	for _, l := range [][2]string{{"/proc/self/fd", "/dev/fd"}, {"/proc/self/fd/0", "/dev/stdin"},
		{"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"}} {
		if err := os.Symlink(l[0], root+l[1]); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("symlink %s: %w", l[1], err)
		}
	}
	if err := os.MkdirAll(root+"/tmp", 0o755); err != nil {
		return fmt.Errorf("mkdir /tmp: %w", err)
	}
	if err := unix.Mount("tmpfs", root+"/tmp", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV,
		fmt.Sprintf("size=%d,mode=1777", cfg.TmpSize)); err != nil {
		return fmt.Errorf("mount /tmp: %w", err)
	}
	if err := mountOverlays(root, cfg); err != nil {
		return err
	}
	if err := os.MkdirAll(root+"/proc", 0o755); err != nil {
		return fmt.Errorf("mkdir /proc: %w", err)
	}
	if err := unix.Mount("proc", root+"/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mount /proc: %w", err)
	}
	return nil
}

// enterRoot binds the run's work directory at /box and pivots into the root
// buildRoot made.
func enterRoot(cfg *Config) error {
	root := cfg.NewRoot
	if err := mountOne(root, MountSpec{Path: "/box", Source: cfg.Box, Dir: true, Writable: true}); err != nil {
		return err
	}
	if err := unix.Chdir(root); err != nil {
		return fmt.Errorf("chdir new root: %w", err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
		return fmt.Errorf("remount root read-only: %w", err)
	}
	if err := unix.Sethostname([]byte("box")); err != nil {
		return fmt.Errorf("sethostname: %w", err)
	}
	return unix.Chdir("/box")
}

// mountOverlays puts each overlay over its host directory, with the upper
// layer in the box's private /tmp so nothing the program writes reaches the
// host directory or another box.
func mountOverlays(root string, cfg *Config) error {
	for i, lower := range cfg.Overlays {
		base := fmt.Sprintf("%s/tmp/.overlay-%d", root, i)
		for _, d := range []string{base + "/upper", base + "/work"} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("mkdir %s: %w", d, err)
			}
			if cfg.SetUID {
				if err := os.Chown(d, InsideID, InsideID); err != nil {
					return fmt.Errorf("chown %s: %w", d, err)
				}
			}
		}
		target := root + lower
		if err := os.MkdirAll(target, 0o755); err != nil {
			return fmt.Errorf("mkdir %s: %w", lower, err)
		}
		opts := fmt.Sprintf("lowerdir=%s,upperdir=%s/upper,workdir=%s/work,userxattr", lower, base, base)
		if err := unix.Mount("overlay", target, "overlay", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
			return fmt.Errorf("mount overlay on %s: %w", lower, err)
		}
	}
	return nil
}

// mountOne makes one path of the new root: a symlink, or a bind mount of a
// file descriptor the parent opened, read-only unless said otherwise.
func mountOne(root string, m MountSpec) error {
	target := filepath.Join(root, m.Path)
	if m.Symlink != "" {
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fmt.Errorf("mkdir for %s: %w", m.Path, err)
		}
		if err := os.Symlink(m.Symlink, target); err != nil {
			return fmt.Errorf("symlink %s: %w", m.Path, err)
		}
		return nil
	}
	if m.Path == "/dev" || filepath.Dir(m.Path) == "/dev" {
		if err := ensureDevTmpfs(root); err != nil {
			return err
		}
	}
	if m.Dir {
		if err := os.MkdirAll(target, 0o755); err != nil {
			return fmt.Errorf("mkdir %s: %w", m.Path, err)
		}
	} else {
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fmt.Errorf("mkdir for %s: %w", m.Path, err)
		}
		if _, err := os.Lstat(target); err != nil {
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return fmt.Errorf("create %s: %w", m.Path, err)
			}
			f.Close()
		}
	}
	if err := unix.Mount(m.Source, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", m.Path, err)
	}
	// A remount in a user namespace must keep the flags the mount was
	// locked with, so start from what it has.
	var sfs unix.Statfs_t
	if err := unix.Statfs(target, &sfs); err != nil {
		return fmt.Errorf("statfs %s: %w", m.Path, err)
	}
	flags := uintptr(unix.MS_BIND|unix.MS_REMOUNT|unix.MS_NOSUID) | mountFlags(sfs.Flags)
	if !m.Writable {
		flags |= unix.MS_RDONLY
	}
	if !m.Dev {
		flags |= unix.MS_NODEV
	}
	if err := unix.Mount("", target, "", flags, ""); err != nil {
		return fmt.Errorf("remount %s: %w", m.Path, err)
	}
	return nil
}

// ensureDevTmpfs puts a small tmpfs at /dev for the device binds.
func ensureDevTmpfs(root string) error {
	dev := root + "/dev"
	if _, err := os.Stat(dev); err == nil {
		return nil
	}
	if err := os.Mkdir(dev, 0o755); err != nil {
		return fmt.Errorf("mkdir /dev: %w", err)
	}
	if err := unix.Mount("tmpfs", dev, "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC, "size=64k,mode=0755"); err != nil {
		return fmt.Errorf("mount /dev: %w", err)
	}
	return nil
}

// mountFlags maps statfs flags onto the mount flags that are locked.
func mountFlags(st int64) uintptr {
	var f uintptr
	for _, p := range [][2]int64{
		{unix.ST_RDONLY, unix.MS_RDONLY}, {unix.ST_NOSUID, unix.MS_NOSUID}, {unix.ST_NODEV, unix.MS_NODEV},
		{unix.ST_NOEXEC, unix.MS_NOEXEC}, {unix.ST_NOATIME, unix.MS_NOATIME},
		{unix.ST_NODIRATIME, unix.MS_NODIRATIME}, {unix.ST_RELATIME, unix.MS_RELATIME},
	} {
		if st&p[0] != 0 {
			f |= uintptr(p[1])
		}
	}
	return f
}

func setRlimits(cfg *Config) error {
	type lim struct {
		res      int
		cur, max uint64
	}
	lims := []lim{
		{unix.RLIMIT_CORE, 0, 0},
		{unix.RLIMIT_NOFILE, cfg.NoFile, cfg.NoFile},
		{unix.RLIMIT_STACK, cfg.Stack, cfg.Stack},
	}
	if cfg.CPUSeconds > 0 {
		lims = append(lims, lim{unix.RLIMIT_CPU, cfg.CPUSeconds, cfg.CPUSeconds + 1})
	}
	if cfg.FileSize > 0 {
		lims = append(lims, lim{unix.RLIMIT_FSIZE, cfg.FileSize, cfg.FileSize})
	}
	for _, l := range lims {
		// syscall.Setrlimit, not unix's: it also stops the runtime from
		// restoring its own RLIMIT_NOFILE in the program.
		if err := syscall.Setrlimit(l.res, &syscall.Rlimit{Cur: l.cur, Max: l.max}); err != nil {
			return fmt.Errorf("setrlimit %d: %w", l.res, err)
		}
	}
	return nil
}
