package sandbox

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/grader/sandbox/boxhelper"
)

const python = "/usr/bin/python3"

// requireNamespaces skips, loudly, where user namespaces do not work, and
// fails instead on CI, where they must.
func requireNamespaces(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("unshare", "-r", "true").CombinedOutput(); err != nil {
		msg := "SKIP: user namespaces unavailable: " + err.Error() + ": " + strings.TrimSpace(string(out))
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if _, err := os.Stat(python); err != nil {
		t.Skip("SKIP: " + python + " not installed")
	}
}

// newSandbox makes a Sandbox whose cgroups and directories go with the test.
func newSandbox(t testing.TB) *Sandbox {
	t.Helper()
	requireNamespaces(t)
	// The process ID keeps two test runs on one machine apart.
	s, err := New(Config{Root: t.TempDir(), CgroupName: fmt.Sprintf("onsite-test-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "_"))})
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, s.Close())
		if s.cg != nil {
			assert.NoDirExists(t, s.cg.memParent, "cgroup left behind")
			assert.NoDirExists(t, s.cg.pidsParent, "cgroup left behind")
		}
	})
	if err := s.CgroupError(); err != nil {
		requireCgroupsInVM(t, err)
		t.Logf("WARNING: cgroups unusable, memory and pids limits untested: %v", err)
	}
	return s
}

func newBox(t testing.TB, s *Sandbox) grader.Box {
	t.Helper()
	b, err := s.NewBox(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	return b
}

func TestRunCorrectness(t *testing.T) {
	s := newSandbox(t)
	tests := []struct {
		name       string
		cmd        grader.Cmd
		wantOut    string
		wantErr    string
		wantExit   int
		wantSignal int
	}{
		{
			name:    "reverse stdin",
			cmd:     grader.Cmd{Argv: []string{python, "-I", "-c", "print(input()[::-1])"}, Stdin: []byte("hello\n")},
			wantOut: "olleh\n",
		},
		{
			name:     "exit code and stderr",
			cmd:      grader.Cmd{Argv: []string{python, "-I", "-c", "import sys; print('out'); print('oops', file=sys.stderr); sys.exit(3)"}},
			wantOut:  "out\n",
			wantErr:  "oops\n",
			wantExit: 3,
		},
		{
			name:       "killed by a signal",
			cmd:        grader.Cmd{Argv: []string{"/bin/sh", "-c", "kill -SEGV $$"}},
			wantExit:   -1,
			wantSignal: int(syscall.SIGSEGV),
		},
		{
			// Graded code yields the CPU to the server's requests.
			name:    "runs at a lower CPU priority",
			cmd:     grader.Cmd{Argv: []string{python, "-I", "-c", "import os; print(os.nice(0))"}},
			wantOut: "10\n",
		},
		{
			name:    "program written to the box",
			cmd:     grader.Cmd{Argv: []string{python, "-I", "main.py"}},
			wantOut: "from a file\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBox(t, s)
			require.NoError(t, b.WriteFile("main.py", []byte("print('from a file')\n"), false))
			tc.cmd.WallTime, tc.cmd.CPUTime, tc.cmd.MemoryBytes = 10*time.Second, 5*time.Second, 256<<20
			out, err := b.Run(context.Background(), tc.cmd)
			require.NoError(t, err)
			assert.Equal(t, tc.wantOut, string(out.Stdout), "stdout")
			assert.Equal(t, tc.wantErr, string(out.Stderr), "stderr")
			assert.Equal(t, tc.wantExit, out.ExitCode, "exit code")
			assert.Equal(t, tc.wantSignal, out.Signal, "signal")
			assert.False(t, out.TimedOut || out.MemoryExceeded || out.OutputTruncated, "no limit hit: %+v", out)
			assert.Positive(t, out.WallTime)
		})
	}
}

// TestHelperReportsErrors: what stops the helper before the program runs is
// an error that says what and why, and the sandbox goes on working.
func TestHelperReportsErrors(t *testing.T) {
	s := newSandbox(t)
	tests := []struct {
		name    string
		argv    []string
		wantErr string
	}{
		{"missing program", []string{"/no/such/program"}, "start /no/such/program: No such file or directory"},
		{"program not executable", []string{"/box/main.py"}, "start /box/main.py: Permission denied"},
		{"NUL byte in an argument", []string{python, "-c", "a\x00b"}, "contains a NUL byte"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBox(t, s)
			require.NoError(t, b.WriteFile("main.py", []byte("print('hi')\n"), false))
			_, err := b.Run(context.Background(), grader.Cmd{Argv: tc.argv, WallTime: 10 * time.Second, CPUTime: 5 * time.Second, MemoryBytes: 256 << 20})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
	b := newBox(t, s)
	out, err := b.Run(context.Background(), grader.Cmd{Argv: []string{python, "-I", "-c", "print(6*7)"}, WallTime: 10 * time.Second, CPUTime: 5 * time.Second, MemoryBytes: 256 << 20})
	require.NoError(t, err)
	assert.Equal(t, "42\n", string(out.Stdout))
}

func TestWriteFileRefusesExisting(t *testing.T) {
	s := newSandbox(t)
	b := newBox(t, s)
	require.NoError(t, b.WriteFile("a.py", []byte("x"), false))
	assert.Error(t, b.WriteFile("a.py", []byte("y"), false), "replaced an existing file")
	for _, name := range []string{"", ".", "..", "../x", "a/b"} {
		assert.Error(t, b.WriteFile(name, nil, false), "name %q", name)
	}
}

func TestRunAfterCloseFails(t *testing.T) {
	s := newSandbox(t)
	b, err := s.NewBox(context.Background())
	require.NoError(t, err)
	dir := b.(*box).dir
	require.NoError(t, b.Close())
	assert.NoDirExists(t, dir)
	_, err = b.Run(context.Background(), grader.Cmd{Argv: []string{"/bin/true"}})
	assert.Error(t, err)
}

func TestContextCancel(t *testing.T) {
	s := newSandbox(t)
	b := newBox(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := b.Run(ctx, grader.Cmd{Argv: []string{"/bin/sleep", "100"}, WallTime: 30 * time.Second})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

// findProcs lists host processes whose command line is exactly argv.
func findProcs(argv ...string) []string {
	want := strings.Join(argv, "\x00") + "\x00"
	m, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var found []string
	for _, f := range m {
		b, err := os.ReadFile(f)
		if err == nil && string(b) == want {
			found = append(found, f)
		}
	}
	return found
}

// TestOverlayKeepsWritesInTheBox: a box reads an overlaid host directory
// (Go's warm build cache) and its writes never reach the host or the next
// box, so no submission can poison what later ones read.
func TestOverlayKeepsWritesInTheBox(t *testing.T) {
	requireNamespaces(t)
	cache := t.TempDir()
	require.NoError(t, os.Chmod(cache, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(cache, "entry"), []byte("warm"), 0o644))
	s, err := New(Config{Root: t.TempDir(), OverlayPaths: []string{cache}, CgroupName: fmt.Sprintf("onsite-test-%d-overlay", os.Getpid())})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	require.NoError(t, s.GiveToBoxes(cache))

	script := "cat " + cache + "/entry; echo poisoned > " + cache + "/entry; echo new > " + cache + "/other; cat " + cache + "/entry"
	for round := range 2 {
		bx := newBox(t, s)
		out, err := bx.Run(context.Background(), grader.Cmd{Argv: []string{"/bin/sh", "-c", script}, WallTime: 10 * time.Second})
		require.NoError(t, err)
		assert.Equal(t, 0, out.ExitCode, "round %d stderr: %s", round, out.Stderr)
		assert.Equal(t, "warmpoisoned\n", strings.ReplaceAll(string(out.Stdout), "warm\n", "warm"), "round %d: the box reads the host's entry, then its own write", round)
	}
	data, err := os.ReadFile(filepath.Join(cache, "entry"))
	require.NoError(t, err)
	assert.Equal(t, "warm", string(data), "the host's cache is untouched")
	_, err = os.Stat(filepath.Join(cache, "other"))
	assert.True(t, os.IsNotExist(err), "nothing new appears in the host's cache")
}

// TestSandboxesShareTheirParentCgroup: one of two sandboxes of a process
// closes, removing the shared parent cgroup while it is empty; the other
// still runs programs with limits.
func TestSandboxesShareTheirParentCgroup(t *testing.T) {
	name := fmt.Sprintf("onsite-test-%d-shared", os.Getpid())
	a, err := New(Config{Root: t.TempDir(), CgroupName: name})
	require.NoError(t, err)
	b, err := New(Config{Root: t.TempDir(), CgroupName: name})
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	if a.cgErr != nil {
		requireCgroupsInVM(t, a.cgErr)
		t.Skipf("SKIP: cgroups are not writable here: %v", a.cgErr)
	}
	require.NoError(t, a.Close())
	_, err = os.Stat(a.cg.memParent)
	require.ErrorIs(t, err, os.ErrNotExist, "the closing sandbox removed the empty parent")
	bx, err := b.NewBox(context.Background())
	require.NoError(t, err)
	defer bx.Close()
	out, err := bx.Run(context.Background(), grader.Cmd{Argv: []string{python, "-I", "-c", "print(1)"}, CPUTime: 5 * time.Second, WallTime: 10 * time.Second, MemoryBytes: 64 << 20})
	require.NoError(t, err, "the other sandbox makes the parent again")
	assert.Equal(t, "1\n", string(out.Stdout))
}

// TestHelpersComeFromTheSpawner: helpers are started by the spawner
// process, not forked from this one, and a run through it works; when the
// spawner is gone, runs fail with a clear error instead of hanging.
func TestHelpersComeFromTheSpawner(t *testing.T) {
	s := newSandbox(t)
	require.NotNil(t, s.sp, "the spawner should start")
	b := newBox(t, s)
	out, err := b.Run(context.Background(), grader.Cmd{Argv: []string{python, "-I", "-c", "import os; print(os.getppid())"},
		WallTime: 10 * time.Second, CPUTime: 5 * time.Second, MemoryBytes: 256 << 20})
	require.NoError(t, err)
	assert.Equal(t, "1\n", string(out.Stdout), "the program's parent is its helper, pid 1 of its namespace")

}

// TestSpawnerRestarts kills the spawner, as the kernel's OOM killer or an
// administrator might: the next run gets a new spawner and works, and a
// closed Sandbox starts none.
func TestSpawnerRestarts(t *testing.T) {
	s := newSandbox(t)
	run := func() (*grader.Outcome, error) {
		b, err := s.NewBox(context.Background())
		if err != nil {
			return nil, err
		}
		defer b.Close()
		return b.Run(context.Background(), grader.Cmd{Argv: []string{python, "-I", "-c", "print('ran')"},
			WallTime: 10 * time.Second, CPUTime: 5 * time.Second, MemoryBytes: 256 << 20})
	}
	_, err := run()
	require.NoError(t, err)
	first := s.sp
	require.NoError(t, syscall.Kill(first.pid, syscall.SIGKILL))
	require.Eventually(t, func() bool { return !first.alive() }, 10*time.Second, 10*time.Millisecond)
	out, err := run()
	require.NoError(t, err, "a run after the spawner died")
	assert.Equal(t, "ran\n", string(out.Stdout))
	assert.NotSame(t, first, s.sp, "a new spawner")

	require.NoError(t, s.Close())
	_, err = s.startHelper()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "closed")
}

// TestSpawnerRefusesBadRequests sends the spawner requests it must refuse:
// each is a clear error, and the spawner goes on starting helpers.
func TestSpawnerRefusesBadRequests(t *testing.T) {
	s := newSandbox(t)
	require.NotNil(t, s.sp, "the spawner should start")
	files := func(n int) []*os.File {
		var fs []*os.File
		for range n {
			r, w, err := os.Pipe()
			require.NoError(t, err)
			t.Cleanup(func() { r.Close(); w.Close() })
			fs = append(fs, r)
		}
		return fs
	}
	req := func(change func(r *boxhelper.SpawnRequest)) boxhelper.SpawnRequest {
		r := s.spawnRequest()
		change(&r)
		return r
	}
	tests := []struct {
		name  string
		req   boxhelper.SpawnRequest
		files []*os.File
		want  string
	}{
		{"too few descriptors", s.spawnRequest(), files(2), "needs 6 fields and 5 descriptors"},
		{"shared memory", req(func(r *boxhelper.SpawnRequest) { r.Cloneflags |= syscall.CLONE_VM }), files(5), "bad clone flags"},
		{"overlapping uid map", req(func(r *boxhelper.SpawnRequest) { r.UIDMap += r.UIDMap }), files(5), "write uid_map"},
		{"setgroups neither allowed nor denied", req(func(r *boxhelper.SpawnRequest) { r.Setgroups = "maybe" }), files(5), "write setgroups"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.sp.start(tc.req, tc.files)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			out, err := newBox(t, s).Run(context.Background(), grader.Cmd{Argv: []string{python, "-I", "-c", "print('still here')"},
				WallTime: 10 * time.Second, CPUTime: 5 * time.Second, MemoryBytes: 256 << 20})
			require.NoError(t, err)
			assert.Equal(t, "still here\n", string(out.Stdout))
		})
	}
}

// nonRootChild is set in the environment of the copy of this test binary
// that TestRunsAsNonRoot runs as nobody.
const nonRootChild = "ONSITE_SANDBOX_NONROOT_CHILD"

// TestRunsAsNonRoot runs TestNonRootChild in a copy of this test binary as
// the unprivileged user nobody: the sandbox works for a server that is not
// root (it keeps CAP_DAC_OVERRIDE to build the box, drops it for the
// program, and runs without cgroup limits it may not create).
func TestRunsAsNonRoot(t *testing.T) {
	requireNamespaces(t)
	if os.Getuid() != 0 {
		t.Skip("already not root: every other test runs the sandbox as this user")
	}
	self, err := os.Executable()
	require.NoError(t, err)
	// t.TempDir's parent is private to root: nobody needs a path it may
	// walk.
	dir, err := os.MkdirTemp("", "onsite-nonroot-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	bin := filepath.Join(dir, "sandbox.test")
	data, err := os.ReadFile(self)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bin, data, 0o755))
	cmd := exec.Command(bin, "-test.run=^TestNonRootChild$", "-test.v", "-test.count=1")
	cmd.Env = []string{nonRootChild + "=1", "PATH=/usr/bin:/bin", "TMPDIR=/tmp"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the sandbox as nobody:\n%s", out)
	assert.Contains(t, string(out), "--- PASS: TestNonRootChild")
	t.Logf("the child as nobody:\n%s", out)
}

// TestNonRootChild is TestRunsAsNonRoot's part that runs as nobody.
func TestNonRootChild(t *testing.T) {
	if os.Getenv(nonRootChild) == "" {
		t.Skip("runs only as TestRunsAsNonRoot's child")
	}
	require.NotZero(t, os.Getuid(), "the child must not be root")
	// An overlay, as the Go build cache gets, is what needs the helper's
	// CAP_DAC_OVERRIDE.
	s, err := New(Config{Root: t.TempDir(), CgroupName: fmt.Sprintf("onsite-test-%d-nonroot", os.Getpid()), OverlayPaths: []string{t.TempDir()}})
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	b := newBox(t, s)
	// The helper runs as the user inside here, so the tmpfs it makes for
	// /dev is that user's: it must still be read-only to the program.
	require.NoError(t, b.WriteFile("main.py", []byte("import os\nprint(os.getuid() != 0, os.nice(0))\n"+
		"try:\n    open('/dev/evil', 'w')\n    print('wrote /dev/evil')\nexcept OSError:\n    print('/dev read-only')\n"), false))
	out, err := b.Run(context.Background(), grader.Cmd{Argv: []string{python, "-I", "main.py"},
		WallTime: 10 * time.Second, CPUTime: 5 * time.Second, MemoryBytes: 256 << 20})
	require.NoError(t, err)
	assert.Equal(t, "True 10\n/dev read-only\n", string(out.Stdout), "stderr: %s", out.Stderr)
	if s.CgroupError() != nil {
		t.Logf("as expected for nobody here: %v", s.CgroupError())
	}
}

// TestCheckInSandbox runs every installed language's version probe in
// boxes: all run with the default read-only paths, none when the box does
// not show /usr, and each of those says why.
func TestCheckInSandbox(t *testing.T) {
	requireNamespaces(t)
	langs := grader.Discover(context.Background())
	require.NotEmpty(t, langs)
	tests := []struct {
		name     string
		readOnly []string
		wantOK   bool
	}{
		{"default paths", nil, true},
		{"no /usr", []string{"/etc/ld.so.cache"}, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(Config{Root: t.TempDir(), ReadOnlyPaths: tc.readOnly,
				CgroupName: fmt.Sprintf("onsite-test-%d-check-%d", os.Getpid(), i)})
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			ok, failed := grader.CheckInSandbox(context.Background(), s, langs)
			if tc.wantOK {
				assert.Empty(t, failed)
				assert.Len(t, ok, len(langs))
				return
			}
			assert.Empty(t, ok)
			require.Len(t, failed, len(langs))
			for name, err := range failed {
				assert.ErrorContains(t, err, "No such file or directory", name)
			}
		})
	}
}
