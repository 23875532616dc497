package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// errUsage marks a command-line mistake whose explanation has been printed.
var errUsage = errors.New("usage")

// errSilent marks a failure whose explanation has been printed: exit 1.
var errSilent = errors.New("failed")

// newFlagSet returns a FlagSet whose --help prints the synopsis, a line on
// what the command does, and its flags.
func newFlagSet(e *env, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: onsite %s\n\n%s\n", synopsis, about)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(e.stderr, "\nFlags (each also read from ONSITE_<FLAG> in the environment):")
			fs.PrintDefaults()
		}
	}
	return fs
}

// envName is the environment variable that sets a flag: --password-file is
// ONSITE_PASSWORD_FILE.
func envName(flagName string) string {
	return "ONSITE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parse parses args, then fills every flag not given on the command line
// from its ONSITE_* variable, so flags win over the environment.
func parse(fs *flag.FlagSet, e *env, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v := e.getenv(envName(f.Name)); v != "" {
			if serr := f.Value.Set(v); serr != nil {
				err = fmt.Errorf("%s=%q: %w", envName(f.Name), v, serr)
			}
		}
	})
	return err
}

// dataFlag adds --data, the directory holding the database.
func dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", "data", "directory for the SQLite database and other state")
}
