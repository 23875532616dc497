// Package gradertest provides a grader.Sandbox without any isolation, the
// baseline that benchmarks measure the real sandbox and the server against.
// It runs programs as plain child processes: never give it untrusted code.
package gradertest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/onsite-dev/onsite/grader"
)

// Bare is a grader.Sandbox whose boxes are temporary directories under
// Root (the system's default when empty) and whose programs run bare: no
// namespaces, no limits, the caller's user.
type Bare struct{ Root string }

type bareBox struct{ dir string }

// NewBox makes a fresh temporary work directory.
func (s Bare) NewBox(context.Context) (grader.Box, error) {
	dir, err := os.MkdirTemp(s.Root, "bare-")
	return bareBox{dir}, err
}

func (b bareBox) WriteFile(name string, data []byte, executable bool) error {
	mode := os.FileMode(0o644)
	if executable {
		mode = 0o755
	}
	return os.WriteFile(filepath.Join(b.dir, name), data, mode)
}

func (b bareBox) Run(ctx context.Context, cmd grader.Cmd) (*grader.Outcome, error) {
	argv := cmd.Argv
	if rel, ok := strings.CutPrefix(argv[0], "./"); ok {
		argv = append([]string{filepath.Join(b.dir, rel)}, argv[1:]...)
	}
	c := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stdout, stderr bytes.Buffer
	c.Dir, c.Env, c.Stdin, c.Stdout, c.Stderr = b.dir, cmd.Env, bytes.NewReader(cmd.Stdin), &stdout, &stderr
	start := time.Now()
	err := c.Run()
	out := &grader.Outcome{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), WallTime: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		out.ExitCode = ee.ExitCode()
	} else if err != nil {
		return nil, err
	}
	if ps := c.ProcessState; ps != nil {
		out.CPUTime = ps.UserTime() + ps.SystemTime()
	}
	return out, nil
}

func (b bareBox) Close() error { return os.RemoveAll(b.dir) }
