package grader

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// localSandbox is a Sandbox without isolation for the grader's own tests:
// plain os/exec in a fresh temporary directory, with the wall-clock limit
// and the output cap enforced and nothing else. The real isolation lives in
// grader/sandbox and is tested there.
type localSandbox struct{}

func (localSandbox) NewBox(ctx context.Context) (Box, error) {
	dir, err := os.MkdirTemp("", "onsite-box-")
	if err != nil {
		return nil, err
	}
	return &localBox{dir: dir}, nil
}

// localBox is one temporary work directory.
type localBox struct {
	dir string
}

func (b *localBox) WriteFile(name string, data []byte, executable bool) error {
	if name != filepath.Base(name) || name == "." || name == ".." {
		return errors.New("localbox: file name with a directory")
	}
	mode := os.FileMode(0o644)
	if executable {
		mode = 0o755
	}
	f, err := os.OpenFile(filepath.Join(b.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (b *localBox) Run(ctx context.Context, c Cmd) (*Outcome, error) {
	argv0 := c.Argv[0]
	if strings.HasPrefix(argv0, "./") {
		argv0 = filepath.Join(b.dir, argv0)
	}
	if c.WallTime > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.WallTime)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, argv0, c.Argv[1:]...)
	cmd.Dir = b.dir
	cmd.Env = c.Env
	cmd.Stdin = bytes.NewReader(c.Stdin)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	limit := c.MaxOutput
	if limit <= 0 {
		limit = 1 << 20
	}
	stdout, stderr := &cappedBuffer{max: limit}, &cappedBuffer{max: limit}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	start := time.Now()
	err := cmd.Run()
	out := &Outcome{
		WallTime:        time.Since(start),
		Stdout:          stdout.buf.Bytes(),
		Stderr:          stderr.buf.Bytes(),
		OutputTruncated: stdout.truncated || stderr.truncated,
		TimedOut:        ctx.Err() == context.DeadlineExceeded,
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) && !errors.Is(err, exec.ErrWaitDelay) {
		return nil, err
	}
	if ps := cmd.ProcessState; ps != nil {
		out.CPUTime = ps.UserTime() + ps.SystemTime()
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok {
			out.ExitCode = ws.ExitStatus()
			if ws.Signaled() {
				out.Signal = int(ws.Signal())
				out.ExitCode = 0
			}
		}
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			out.PeakMemory = ru.Maxrss << 10
		}
	}
	// Kill any leftover background process of the group.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	return out, nil
}

func (b *localBox) Close() error { return os.RemoveAll(b.dir) }

// cappedBuffer keeps the first max bytes written and notes any more.
type cappedBuffer struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	max       int64
	truncated bool
}

func (w *cappedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	room := w.max - int64(w.buf.Len())
	if int64(len(p)) > room {
		w.truncated = true
		w.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	w.buf.Write(p)
	return len(p), nil
}
