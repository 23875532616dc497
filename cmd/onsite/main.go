// Command onsite is the interview practice engine: a web server with the
// question bank, the grader and the drill, and the commands that manage it.
// Run `onsite --help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/onsite-dev/onsite/grader/sandbox"
)

func main() {
	// The grader's sandbox re-executes this binary to set up isolation
	// before it runs a submission; in that mode this call never returns.
	sandbox.RunHelperIfRequested()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
