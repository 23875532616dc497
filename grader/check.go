package grader

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// checkTime bounds a language's check run, on top of its start-up time.
const checkTime = 10 * time.Second

// CheckInSandbox runs each language's version probe inside a box of sb:
// Discover found the tools on the host, but a box sees only the sandbox's
// read-only paths (an interpreter installed under /root or /opt is not
// there unless added), and a host without user namespaces runs nothing at
// all. It returns the languages whose probe ran and, for the others, why
// not.
func CheckInSandbox(ctx context.Context, sb Sandbox, langs []Language) ([]Language, map[string]error) {
	errs := make([]error, len(langs))
	var wg sync.WaitGroup
	for i, l := range langs {
		wg.Go(func() { errs[i] = checkLanguage(ctx, sb, l) })
	}
	wg.Wait()
	var ok []Language
	failed := map[string]error{}
	for i, l := range langs {
		if errs[i] != nil {
			failed[l.Name] = errs[i]
		} else {
			ok = append(ok, l)
		}
	}
	return ok, failed
}

func checkLanguage(ctx context.Context, sb Sandbox, l Language) error {
	box, err := sb.NewBox(ctx)
	if err != nil {
		return err
	}
	defer box.Close()
	wall := checkTime + l.Startup
	argv := l.expand(l.Probe, nil)
	out, err := box.Run(ctx, Cmd{
		Argv: argv, Env: l.Env,
		CPUTime: wall, WallTime: wall,
		MemoryBytes: DefaultMemoryBytes + l.ExtraMemory, MaxProcs: max(l.RunProcs, l.CompileProcs),
		MaxOutput: 64 << 10,
	})
	switch {
	case err != nil:
		return err
	case out.TimedOut || out.MemoryExceeded || out.Signal != 0 || out.ExitCode != 0:
		msg := strings.TrimSpace(string(out.Stderr))
		if len(msg) > 300 {
			msg = msg[:300] + "..."
		}
		return fmt.Errorf("%s in the sandbox: exit code %d, signal %d, timed out %v, out of memory %v: %s",
			strings.Join(argv, " "), out.ExitCode, out.Signal, out.TimedOut, out.MemoryExceeded, msg)
	}
	return nil
}
