package sandbox

import (
	"context"
	"fmt"
	"net"
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
)

// TestHostile runs code that attacks the host and checks that each attack is
// contained with the stated outcome and leaves the host unharmed.
func TestHostile(t *testing.T) {
	s := newSandbox(t)
	cgroups := s.CgroupError() == nil

	secretDir := t.TempDir()
	db := filepath.Join(secretDir, "onsite.db")
	require.NoError(t, os.WriteFile(db, []byte("SECRET-DB"), 0o644))
	victim := filepath.Join(secretDir, "victim.txt")
	require.NoError(t, os.WriteFile(victim, []byte("untouched"), 0o644))
	t.Setenv("ONSITE_SECRET", "hunter2")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port

	sleeper := exec.Command("/bin/sleep", "1001")
	require.NoError(t, sleeper.Start())
	defer func() { _ = sleeper.Process.Kill(); _ = sleeper.Wait() }()

	py := func(code string) []string { return []string{python, "-I", "-c", code} }
	sh := func(code string) []string { return []string{"/bin/sh", "-c", code} }

	tests := []struct {
		name  string
		cmd   grader.Cmd
		check func(t *testing.T, out *grader.Outcome, elapsed time.Duration)
	}{
		{
			name: "infinite loop: TLE by CPU time",
			cmd:  grader.Cmd{Argv: py("while True: pass"), CPUTime: time.Second, WallTime: 10 * time.Second},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.True(t, out.TimedOut, "TimedOut")
				assert.Contains(t, []int{int(syscall.SIGXCPU), int(syscall.SIGKILL)}, out.Signal)
				// RLIMIT_CPU also counts what the helper spent before exec
				// (more on a loaded machine), so the program itself gets a
				// little less than the second.
				assert.GreaterOrEqual(t, out.CPUTime, 700*time.Millisecond)
				// The CPU limit stopped it, not the wall clock's ten
				// seconds (graded code runs at nice 10, so a busy machine
				// stretches its second of CPU).
				assert.Less(t, elapsed, 10*time.Second)
			},
		},
		{
			name: "sleep forever: TLE by wall clock",
			cmd:  grader.Cmd{Argv: sh("sleep 1000"), CPUTime: time.Second, WallTime: time.Second},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.True(t, out.TimedOut, "TimedOut")
				assert.Less(t, elapsed, 2*time.Second)
			},
		},
		{
			name: "fork bomb: bounded by the pids cgroup",
			cmd:  grader.Cmd{Argv: py("import os\nwhile True:\n    try: os.fork()\n    except OSError: pass"), MaxProcs: 32, CPUTime: 2 * time.Second, WallTime: 3 * time.Second},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.True(t, out.TimedOut || out.ExitCode != 0, "contained: %+v", out)
				assert.Less(t, elapsed, 5*time.Second)
			},
		},
		{
			name: "allocate 8 GiB: MLE",
			// In 1 MiB pieces, each written: one 8 GiB request would be
			// refused outright on a machine with less memory than that,
			// before the cgroup saw anything.
			cmd: grader.Cmd{Argv: py("a = [b'x' * (1 << 20) for _ in range(8 << 10)]"), MemoryBytes: 256 << 20, CPUTime: 5 * time.Second, WallTime: 10 * time.Second},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.True(t, out.ExitCode != 0 || out.Signal != 0, "allocation failed")
				if cgroups {
					assert.True(t, out.MemoryExceeded, "MemoryExceeded: %+v", out)
					assert.GreaterOrEqual(t, out.PeakMemory, int64(200<<20))
				}
			},
		},
		{
			name: "print forever: output truncated",
			cmd:  grader.Cmd{Argv: py("while True: print('y' * 1000)"), MaxOutput: 64 << 10, CPUTime: 5 * time.Second, WallTime: 10 * time.Second},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.True(t, out.OutputTruncated, "OutputTruncated")
				assert.LessOrEqual(t, len(out.Stdout), 64<<10)
				assert.Less(t, elapsed, 3*time.Second)
			},
		},
		{
			name: "write a 10 GiB file: EFBIG",
			cmd:  grader.Cmd{Argv: py("f = open('big', 'wb')\nfor _ in range(10 << 10): f.write(b'0' * (1 << 20))"), FileSize: 1 << 20, CPUTime: 5 * time.Second, WallTime: 10 * time.Second},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				// Python ignores SIGXFSZ, so the write fails with EFBIG.
				assert.True(t, out.Signal == int(syscall.SIGXFSZ) || strings.Contains(string(out.Stderr), "File too large"), "stderr: %s", out.Stderr)
			},
		},
		{
			name: "connect to a host TCP listener: fails",
			cmd:  grader.Cmd{Argv: py(fmt.Sprintf("import socket; socket.create_connection(('127.0.0.1', %d), timeout=2); print('CONNECTED')", port)), WallTime: 10 * time.Second},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.NotContains(t, string(out.Stdout), "CONNECTED")
				assert.NotEqual(t, 0, out.ExitCode)
				_ = ln.(*net.TCPListener).SetDeadline(time.Now().Add(100 * time.Millisecond))
				c, err := ln.Accept()
				if err == nil {
					c.Close()
				}
				assert.Error(t, err, "the listener accepted a connection")
			},
		},
		{
			name: "read the database and /etc/shadow: fails",
			cmd:  grader.Cmd{Argv: sh("cat " + db + " /etc/shadow /root/.bashrc; ls / /root")},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.NotContains(t, string(out.Stdout), "SECRET-DB")
				assert.NotContains(t, string(out.Stdout), "root:")
				assert.NotEqual(t, 0, out.ExitCode)
			},
		},
		{
			name: "write outside the work directory: fails",
			cmd:  grader.Cmd{Argv: sh("for p in /evil /usr/evil /etc/evil /proc/evil /dev/evil /bin/evil " + victim + "; do (echo x > $p) 2>/dev/null && echo WROTE $p; done; echo ok > /tmp/private && echo TMP")},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.Equal(t, "TMP\n", string(out.Stdout))
				assert.NoFileExists(t, "/usr/evil")
				assert.NoFileExists(t, "/evil")
			},
		},
		{
			name: "kill -9 -1: kills nothing outside",
			cmd:  grader.Cmd{Argv: sh("kill -9 -1; kill -9 1; echo survived")},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.NoError(t, sleeper.Process.Signal(syscall.Signal(0)), "the host's sleep was killed")
			},
		},
		{
			name: "background process outliving the run: killed",
			cmd:  grader.Cmd{Argv: sh("sleep 4242 & sleep 4242 & echo started")},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.Equal(t, "started\n", string(out.Stdout))
				assert.Empty(t, findProcs("sleep", "4242"), "background sleep survived")
			},
		},
		{
			name: "environment: only what Cmd.Env gives",
			cmd:  grader.Cmd{Argv: []string{"/usr/bin/env"}, Env: []string{"LANG=C.UTF-8"}},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.Equal(t, "LANG=C.UTF-8\n", string(out.Stdout))
			},
		},
		{
			name: "not root, ptrace and mount denied, no new namespaces",
			cmd: grader.Cmd{Argv: py(`import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
print(os.getuid(), os.getgid(), os.getgroups())
print('ptrace', libc.ptrace(16, 1, 0, 0), ctypes.get_errno())
print('mount', libc.mount(b'none', b'/tmp', b'tmpfs', 0, None), ctypes.get_errno())
print('unshare', libc.unshare(0x10000000), ctypes.get_errno())
print('hostname', os.uname().nodename)
`)},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.Equal(t, "1000 1000 []\nptrace -1 1\nmount -1 1\nunshare -1 1\nhostname box\n", string(out.Stdout), "stderr: %s", out.Stderr)
			},
		},
		{
			name: "unshare -r inside: fails",
			cmd:  grader.Cmd{Argv: sh("unshare -r id && echo ESCAPED")},
			check: func(t *testing.T, out *grader.Outcome, elapsed time.Duration) {
				assert.NotContains(t, string(out.Stdout), "ESCAPED")
				assert.NotEqual(t, 0, out.ExitCode)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBox(t, s)
			dir := b.(*box).dir
			if tc.cmd.MemoryBytes == 0 {
				tc.cmd.MemoryBytes = 512 << 20
			}
			if tc.cmd.WallTime == 0 {
				tc.cmd.WallTime = 10 * time.Second
			}
			start := time.Now()
			out, err := b.Run(context.Background(), tc.cmd)
			elapsed := time.Since(start)
			require.NoError(t, err)
			t.Logf("exit=%d signal=%d timed_out=%v mle=%v truncated=%v wall=%v cpu=%v peak=%dMiB stderr=%.200q",
				out.ExitCode, out.Signal, out.TimedOut, out.MemoryExceeded, out.OutputTruncated,
				out.WallTime.Round(time.Millisecond), out.CPUTime.Round(time.Millisecond), out.PeakMemory>>20, out.Stderr)
			tc.check(t, out, elapsed)
			require.NoError(t, b.Close())
			assert.NoDirExists(t, dir, "work directory left behind")
			assert.FileExists(t, db)
			// Nothing the program started is left on the host: its copies
			// (a fork bomb's children run the same command line) are gone.
			// Counting all host processes would also count the work of
			// other packages' tests running alongside.
			assert.Empty(t, findProcs(tc.cmd.Argv...), "processes of the program outlived the run")
		})
	}
}

// TestPlantedSymlinks checks that links the program plants under the names
// the grader uses never make it touch a host file.
func TestPlantedSymlinks(t *testing.T) {
	s := newSandbox(t)
	victim := filepath.Join(t.TempDir(), "victim.txt")
	require.NoError(t, os.WriteFile(victim, []byte("untouched"), 0o644))
	b := newBox(t, s)
	require.NoError(t, b.WriteFile("main.py", []byte("print(1)"), false))
	names := []string{"main.py", "input.json", "driver.py", "result.json", "main.go"}
	var script strings.Builder
	for _, n := range names {
		fmt.Fprintf(&script, "rm -f %s; ln -s %s %s; ", n, victim, n)
	}
	script.WriteString("mkdir d; ln -s / d/root; ln -s " + filepath.Dir(victim) + " d/dir")
	out, err := b.Run(context.Background(), grader.Cmd{Argv: []string{"/bin/sh", "-c", script.String()}, WallTime: 5 * time.Second})
	require.NoError(t, err)
	require.Equal(t, 0, out.ExitCode, "stderr: %s", out.Stderr)
	for _, n := range names {
		assert.Error(t, b.WriteFile(n, []byte("OVERWRITTEN"), false), "WriteFile followed %s", n)
	}
	require.NoError(t, b.Close())
	got, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "untouched", string(got))
}

// TestBoxesDoNotSeeEachOther checks that one submission cannot read
// another's files.
func TestBoxesDoNotSeeEachOther(t *testing.T) {
	s := newSandbox(t)
	a, b := newBox(t, s), newBox(t, s)
	require.NoError(t, a.WriteFile("secret.py", []byte("OTHER-SUBMISSION"), false))
	aDir := a.(*box).dir
	out, err := b.Run(context.Background(), grader.Cmd{Argv: []string{"/bin/sh", "-c", "cat " + aDir + "/secret.py; cat ../*/secret.py; ls /box"}, WallTime: 5 * time.Second})
	require.NoError(t, err)
	assert.NotContains(t, string(out.Stdout), "OTHER-SUBMISSION")
}
