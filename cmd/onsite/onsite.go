package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/onsite-dev/onsite"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// env is what every subcommand gets: its streams and the environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve the web app and the API", runServe},
		{"users", "create and list accounts", runUsers},
		{"tokens", "create API tokens", runTokens},
		{"import", "import question sets", runImport},
		{"remind", "send the reminders due now, once (for cron)", runRemind},
		{"export", "write a question set in onsite's format", runExport},
		{"grade", "grade a file of code against a question, without a server", runGrade},
		{"backup", "write a consistent copy of the database, even while serve runs", runBackup},
		{"restore", "replace the database with a backup (serve stopped)", runRestore},
		{"check", "check the database's integrity and foreign keys", runCheck},
		{"version", "print the version", runVersion},
	}
}

// Main runs the onsite command line with args (without the program name)
// and returns the process's exit code. It stops when ctx is cancelled, which
// is how SIGINT and SIGTERM shut serve down gracefully.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return mainWithEnv(ctx, args, &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv})
}

// mainWithEnv is Main with the environment passed in, for tests.
func mainWithEnv(ctx context.Context, args []string, e *env) int {
	stderr := e.stderr
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" {
		args[0] = "version"
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, errUsage):
			return exitUsage
		case errors.Is(err, errSilent):
			return exitError
		}
		fmt.Fprintf(stderr, "onsite %s: %s\n", c.name, errorText(err))
		return exitError
	}
	fmt.Fprintf(stderr, "onsite: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

// errorText shows the user-facing message of onsite errors and the whole
// chain for the rest, which only a bug or the machine produces.
func errorText(err error) string {
	var oe *onsite.Error
	if errors.As(err, &oe) {
		return oe.Message
	}
	return err.Error()
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "onsite: practice for machine-learning engineering interviews.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: onsite COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run `onsite COMMAND --help` for a command's flags. Every flag can also be set")
	fmt.Fprintln(w, "in the environment as ONSITE_<FLAG>, such as ONSITE_DATA=/var/lib/onsite, or in a")
	fmt.Fprintln(w, "YAML file named by --config or ONSITE_CONFIG. A flag on the command line wins over")
	fmt.Fprintln(w, "the environment, which wins over the file. --print-config shows where each came from.")
}
