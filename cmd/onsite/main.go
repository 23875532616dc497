// Command onsite is the interview practice engine: a web server with the
// question bank, the grader and the drill, and the commands that manage it.
// Run `onsite --help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// main is not reached when the grader's sandbox starts this binary as its
// spawner: that is C (grader/sandbox/boxhelper), run from a constructor
// before the Go runtime starts.
func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
