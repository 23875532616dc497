package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"

	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/grader/sandbox/boxhelper"
)

// DefaultReadOnlyPaths are visible, read-only, in every box: the system's
// programs and libraries (symlinks such as /lib -> usr/lib are recreated).
// /usr covers /usr/bin/python3, /usr/bin/node and /usr/local/go.
var DefaultReadOnlyPaths = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/alternatives", "/etc/ld.so.cache"}

// devices are bound into the box's /dev.
var devices = []string{"/dev/null", "/dev/zero", "/dev/random", "/dev/urandom"}

// Config says how boxes are made.
type Config struct {
	// Root is where work directories go; default os.TempDir(). A private
	// 0700 directory is made in it for this Sandbox.
	Root string
	// ReadOnlyPaths are the host paths visible read-only in every box, at
	// the same place; default DefaultReadOnlyPaths. Add interpreter install
	// directories outside /usr here (never /root or the data directory).
	ReadOnlyPaths []string
	// OverlayPaths are host directories (outside ReadOnlyPaths) that boxes see at the
	// same path, readable, with their writes kept private to the box: a
	// warm Go build cache that no submission can poison.
	OverlayPaths []string
	// TmpSize bounds the box's private /tmp (a tmpfs); default 64 MiB.
	TmpSize int64
	// Spares is how many helpers are kept started ahead of need, so a run
	// does not wait for one to start; default 2, -1 for none.
	Spares int
	// CgroupName names our parent cgroup; default "onsite".
	CgroupName string
	// Logger gets the warnings (such as memory limits being off).
	Logger *slog.Logger
}

// Sandbox makes Boxes on this machine. It implements grader.Sandbox.
type Sandbox struct {
	cfg Config
	log *slog.Logger
	exe *os.File // the binary, re-executed as the spawner
	// spMu guards sp, the spawner helpers come from, replaced when it
	// dies, and spClosed, set by Close.
	spMu     sync.Mutex
	sp       *spawner
	spClosed bool
	root     string
	mounts   []boxhelper.MountSpec
	// rootFrames are what every helper is sent when it starts: the root
	// config and the seccomp program.
	rootFrames []byte
	cg         *cgroups
	cgErr      error
	hostID     int
	hostGID    int
	spares     spares
	// root0 says we run as root: the helper may then drop our
	// supplementary groups (setgroups needs CAP_SETGID outside).
	root0 bool
}

var _ grader.Sandbox = (*Sandbox)(nil)

// New checks the machine and prepares the read-only paths. It fails when
// namespaces cannot be used; it only warns when cgroups cannot be.
func New(cfg Config) (*Sandbox, error) {
	if cfg.Root == "" {
		cfg.Root = os.TempDir()
	}
	if cfg.TmpSize <= 0 {
		cfg.TmpSize = 64 << 20
	}
	if cfg.CgroupName == "" {
		cfg.CgroupName = "onsite"
	}
	explicit := cfg.ReadOnlyPaths != nil
	if !explicit {
		cfg.ReadOnlyPaths = DefaultReadOnlyPaths
	}
	s := &Sandbox{cfg: cfg, log: cfg.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	// Inside, the program is uid 1000; outside it is nobody when we are
	// root (so that it owns nothing of the host), or ourselves otherwise.
	// As root, the helper is root inside too (mapped to root, so that it
	// can reach paths such as /root/.pyenv to bind them) until it starts
	// the program as 1000.
	s.hostID, s.hostGID = os.Getuid(), os.Getgid()
	if s.hostID == 0 {
		s.root0 = true
		s.hostID, s.hostGID = 65534, 65534
	}
	exePath, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("sandbox: find own binary: %w", err)
	}
	// Passed as a descriptor: the unprivileged helper may not be able to
	// reach the binary's path (a 0700 directory on the way).
	if s.exe, err = os.Open(exePath); err != nil {
		return nil, fmt.Errorf("sandbox: open own binary: %w", err)
	}
	if s.root, err = os.MkdirTemp(cfg.Root, "onsite-sandbox-"); err != nil {
		s.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := os.Mkdir(filepath.Join(s.root, "newroot"), 0o700); err != nil {
		s.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	paths := append([]string(nil), cfg.ReadOnlyPaths...)
	sort.Strings(paths) // parents before children
	for _, p := range paths {
		if err := s.addMount(p, false); err != nil {
			if !explicit && errors.Is(err, os.ErrNotExist) {
				continue
			}
			s.Close()
			return nil, fmt.Errorf("sandbox: read-only path: %w", err)
		}
	}
	for _, d := range devices {
		if err := s.addMount(d, true); err != nil {
			s.Close()
			return nil, fmt.Errorf("sandbox: device: %w", err)
		}
	}
	root := boxhelper.RootConfig{
		SetUID: s.root0, NewRoot: filepath.Join(s.root, "newroot"), Mounts: s.mounts,
		TmpSize: s.cfg.TmpSize, Overlays: s.cfg.OverlayPaths,
	}
	rootFrame, err := root.Encode()
	if err == nil {
		var filter []byte
		if filter, err = boxhelper.SeccompFrame(); err == nil {
			s.rootFrames = append(rootFrame, filter...)
		}
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	if s.sp, err = startSpawner(s.exe); err != nil {
		s.Close()
		return nil, err
	}
	if s.cg, s.cgErr = setupCgroups(cfg.CgroupName); s.cgErr != nil {
		s.log.Warn("sandbox: memory and process limits are OFF: cgroups not usable", slog.Any("err", s.cgErr))
	}
	switch {
	case cfg.Spares == 0:
		s.spares.want = 2
	case cfg.Spares > 0:
		s.spares.want = cfg.Spares
	}
	s.refill()
	return s, nil
}

// CgroupError says why memory and process-count limits are off, or nil.
func (s *Sandbox) CgroupError() error { return s.cgErr }

// GiveToBoxes makes the files under dir belong to the user programs run as
// inside boxes (nobody on the host), so that a box may replace them in its
// private overlay layer. Call it on an overlay path after filling it.
func (s *Sandbox) GiveToBoxes(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, s.hostID, s.hostGID)
	})
}

func (s *Sandbox) addMount(p string, dev bool) error {
	if !filepath.IsAbs(p) {
		return fmt.Errorf("%s: not absolute", p)
	}
	p = filepath.Clean(p)
	fi, err := os.Lstat(p)
	if err != nil {
		return err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		t, err := os.Readlink(p)
		if err != nil {
			return err
		}
		s.mounts = append(s.mounts, boxhelper.MountSpec{Path: p, Symlink: t})
		return nil
	}
	s.mounts = append(s.mounts, boxhelper.MountSpec{Path: p, Source: p, Dir: fi.IsDir(), Dev: dev, Writable: dev})
	return nil
}

// Close releases what New took. Boxes must be closed first.
func (s *Sandbox) Close() error {
	s.closeSpares()
	s.spMu.Lock()
	s.spClosed = true
	if s.sp != nil {
		s.sp.close()
	}
	s.spMu.Unlock()
	if s.exe != nil {
		s.exe.Close()
	}
	var err error
	if s.root != "" {
		err = os.RemoveAll(s.root)
	}
	if s.cg != nil {
		// Our parent cgroup goes when empty; other Sandboxes may share it.
		_ = os.Remove(s.cg.memParent)
		_ = os.Remove(s.cg.pidsParent)
	}
	return err
}

// NewBox makes a fresh work directory.
func (s *Sandbox) NewBox(ctx context.Context) (grader.Box, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(s.root, "box-")
	if err != nil {
		return nil, fmt.Errorf("sandbox: work directory: %w", err)
	}
	// Nothing ran in it yet: safe to hand it to the user inside.
	if os.Getuid() == 0 {
		if err := os.Chown(dir, s.hostID, s.hostGID); err != nil {
			os.Remove(dir)
			return nil, fmt.Errorf("sandbox: work directory: %w", err)
		}
	}
	return &box{s: s, dir: dir}, nil
}

// spawner returns the spawner, starting a new one if the last one died (a
// helper's start then fails once, not every start from then on).
func (s *Sandbox) spawner() (*spawner, error) {
	s.spMu.Lock()
	defer s.spMu.Unlock()
	if s.spClosed {
		return nil, errors.New("sandbox: closed")
	}
	if s.sp != nil && s.sp.alive() {
		return s.sp, nil
	}
	if s.sp != nil {
		s.log.Warn("sandbox: the spawner died; starting another", slog.Int("pid", s.sp.pid))
		s.sp.close()
	}
	sp, err := startSpawner(s.exe)
	if err != nil {
		return nil, err
	}
	s.sp = sp
	return sp, nil
}

// spawnRequest is how every helper is started: in its new namespaces,
// either root inside mapped to root (when we are root: the helper may then
// reach paths such as /root/.pyenv to bind them, and drops to the user
// inside for the program) or, when we are not, the user inside mapped to
// us. Either way the helper has every capability in its user namespace
// until the program starts.
func (s *Sandbox) spawnRequest() boxhelper.SpawnRequest {
	r := boxhelper.SpawnRequest{
		Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWPID | syscall.CLONE_NEWNS |
			syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS,
		UIDMap:    fmt.Sprintf("%d %d 1\n", boxhelper.InsideID, s.hostID),
		GIDMap:    fmt.Sprintf("%d %d 1\n", boxhelper.InsideID, s.hostGID),
		Setgroups: "deny",
	}
	if s.root0 {
		r.UIDMap += "0 0 1\n"
		r.GIDMap += "0 0 1\n"
		r.Setgroups = "allow"
	}
	return r
}
