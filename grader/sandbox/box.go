package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/grader/sandbox/boxhelper"
)

// Defaults for what a Cmd leaves at zero.
const (
	defaultWallTime  = 10 * time.Second
	defaultMaxProcs  = 64
	defaultMaxOutput = 1 << 20
	defaultFileSize  = 16 << 20
	noFile           = 64
	stackSize        = 64 << 20
)

type box struct {
	s   *Sandbox
	dir string

	mu      sync.Mutex
	running *spawned
	closed  bool
}

// WriteFile creates name in the work directory, refusing anything there.
func (b *box) WriteFile(name string, data []byte, executable bool) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return fmt.Errorf("sandbox: bad file name %q", name)
	}
	mode := os.FileMode(0o644)
	if executable {
		mode = 0o755
	}
	f, err := os.OpenFile(filepath.Join(b.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, mode)
	if err != nil {
		return fmt.Errorf("sandbox: write %s: %w", name, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("sandbox: write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sandbox: write %s: %w", name, err)
	}
	return nil
}

// Close kills what still runs and removes the work directory, without
// following anything the program left there.
func (b *box) Close() error {
	b.mu.Lock()
	b.closed = true
	if b.running != nil {
		b.running.Kill()
	}
	b.mu.Unlock()
	return os.RemoveAll(b.dir)
}

// Run runs cmd in the box and reports how it ended. An error means the
// sandbox failed, never that the program did.
func (b *box) Run(ctx context.Context, cmd grader.Cmd) (*grader.Outcome, error) {
	if len(cmd.Argv) == 0 {
		return nil, errors.New("sandbox: no program to run")
	}
	if rel, ok := strings.CutPrefix(cmd.Argv[0], "./"); ok {
		// A program built in the work directory, which is /box inside.
		cmd.Argv = append([]string{"/box/" + rel}, cmd.Argv[1:]...)
	}
	if !filepath.IsAbs(cmd.Argv[0]) {
		return nil, errors.New("sandbox: argv[0] must be an absolute path or ./name in the work directory")
	}
	if cmd.WallTime <= 0 {
		cmd.WallTime = defaultWallTime
	}
	if cmd.MaxProcs <= 0 {
		cmd.MaxProcs = defaultMaxProcs
	}
	if cmd.MaxOutput <= 0 {
		cmd.MaxOutput = defaultMaxOutput
	}
	if cmd.FileSize <= 0 {
		cmd.FileSize = defaultFileSize
	}
	cfg := boxhelper.RunConfig{
		Argv: cmd.Argv, Env: cmd.Env, Box: b.dir,
		FileSize: uint64(cmd.FileSize), NoFile: noFile, Stack: stackSize,
	}
	if cmd.Env == nil {
		cfg.Env = []string{}
	}
	if cmd.CPUTime > 0 {
		cfg.CPUSeconds = uint64((cmd.CPUTime + time.Second - 1) / time.Second)
	}
	runFrame, err := cfg.Encode()
	if err != nil {
		return nil, err
	}

	var cg *runCgroup
	if b.s.cg != nil {
		var err error
		if cg, err = b.s.cg.newRun(cmd.MemoryBytes, cmd.MaxProcs); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		defer cg.remove()
	}

	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, errors.New("sandbox: box closed")
	}
	h, err := b.s.takeHelper()
	defer b.s.refill()
	if err != nil {
		b.mu.Unlock()
		return nil, err
	}
	defer h.close()
	c := h.p
	cfgW, statR, inW, outR, errR := h.cfgW, h.statR, h.inW, h.outR, h.errR
	b.running = c
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.running = nil
		b.mu.Unlock()
	}()
	start := time.Now()
	kill := func() { c.Kill() }

	if cg != nil {
		if err := cg.add(c.Pid()); err != nil {
			kill()
			_ = c.Wait()
			return nil, fmt.Errorf("sandbox: join cgroup: %w", err)
		}
	}
	// Sending the config is the helper's go-ahead.
	if _, err := cfgW.Write(runFrame); err != nil {
		kill()
		_ = c.Wait()
		return nil, fmt.Errorf("sandbox: send config: %w", err)
	}
	cfgW.Close()

	var wg sync.WaitGroup
	wg.Add(4)
	go func() {
		defer wg.Done()
		_, _ = inW.Write(cmd.Stdin)
		inW.Close()
	}()
	var truncated sync.Once
	var outTruncated bool
	capture := func(r io.Reader, buf *bytes.Buffer) {
		defer wg.Done()
		if _, err := io.CopyN(buf, r, cmd.MaxOutput); err == nil {
			// More than MaxOutput came: stop the program, drain the rest.
			var one [1]byte
			if n, _ := r.Read(one[:]); n > 0 {
				truncated.Do(func() { outTruncated = true; kill() })
			}
			_, _ = io.Copy(io.Discard, r)
		}
	}
	var stdout, stderr, status bytes.Buffer
	go capture(outR, &stdout)
	go capture(errR, &stderr)
	go func() {
		defer wg.Done()
		_, _ = io.Copy(&status, io.LimitReader(statR, 1<<16))
	}()

	var timedOut atomic.Bool
	timer := time.AfterFunc(cmd.WallTime, func() { timedOut.Store(true); kill() })
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			kill()
		case <-done:
		}
	}()
	waitErr := c.Wait()
	wall := time.Since(start)
	timer.Stop()
	close(done)
	wg.Wait()

	out := &grader.Outcome{
		Stdout: stdout.Bytes(), Stderr: stderr.Bytes(),
		OutputTruncated: outTruncated, TimedOut: timedOut.Load(), WallTime: wall,
	}
	if cg != nil {
		out.PeakMemory, out.MemoryExceeded = cg.usage()
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("sandbox: %w", err)
	}
	var st boxhelper.Status
	if status.Len() > 0 {
		if err := json.Unmarshal(status.Bytes(), &st); err != nil {
			return out, fmt.Errorf("sandbox: helper status: %w", err)
		}
	}
	switch {
	case st.Err != "":
		return out, fmt.Errorf("sandbox: helper: %s", st.Err)
	case status.Len() == 0:
		// We killed the helper (time, output) or the kernel did (memory).
		if !out.TimedOut && !outTruncated && !out.MemoryExceeded {
			return out, fmt.Errorf("sandbox: helper died without a status: %v", waitErr)
		}
		out.Signal = int(syscall.SIGKILL)
		out.ExitCode = -1
		out.CPUTime = c.CPUTime()
		return out, nil
	}
	ws := syscall.WaitStatus(st.Status)
	out.WallTime = time.Duration(st.WallNS)
	out.CPUTime = time.Duration(st.UserUsec+st.SysUsec) * time.Microsecond
	if ws.Signaled() {
		out.Signal = int(ws.Signal())
		out.ExitCode = -1
	} else {
		out.ExitCode = ws.ExitStatus()
	}
	if cmd.CPUTime > 0 && (out.Signal == int(syscall.SIGXCPU) ||
		out.CPUTime > cmd.CPUTime || (out.Signal == int(syscall.SIGKILL) && out.CPUTime >= cmd.CPUTime*9/10)) {
		out.TimedOut = true
	}
	return out, nil
}
