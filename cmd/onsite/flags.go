package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// errUsage marks a command-line mistake whose explanation has been printed.
var errUsage = errors.New("usage")

// errSilent marks a failure whose explanation has been printed: exit 1.
var errSilent = errors.New("failed")

// newFlagSet returns a FlagSet whose --help prints the synopsis, a line on
// what the command does, and its flags. Every command gets --config and
// --print-config, so that one config file serves them all.
func newFlagSet(e *env, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Var(&configValue{}, "config", "`PATH` of a YAML file of settings (flag names to values), shared by every command; default: none")
	fs.Bool("print-config", false, "print every setting's value and where it came from (flag, environment, config file or default), and exit")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: onsite %s\n\n%s\n", synopsis, about)
		fmt.Fprintln(e.stderr, "\nFlags (each also read from ONSITE_<FLAG> in the environment, then from the --config file):")
		printFlags(e.stderr, fs)
	}
	return fs
}

// envName is the environment variable that sets a flag: --password-file is
// ONSITE_PASSWORD_FILE.
func envName(flagName string) string {
	return "ONSITE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Where a setting's value came from, lowest first: a higher level wins.
const (
	fromDefault = iota
	fromConfig
	fromEnv
	fromFlag
)

// source says where a setting's value came from, for --print-config and
// for settings that compete with each other (the SMTP password and its
// file).
type source struct {
	level int
	where string // flag, env ONSITE_X, config FILE:LINE or default
}

// parse parses args, then fills every flag not given on the command line
// from its ONSITE_* variable, then from the config file (--config or
// ONSITE_CONFIG), so flags win over the environment, which wins over the
// file, which wins over the defaults. With --print-config it prints every
// setting and returns flag.ErrHelp, which exits 0.
func parse(fs *flag.FlagSet, e *env, args []string) error {
	if c, ok := e.stdout.(*flagCollector); ok && len(args) == 1 && args[0] == collectArg {
		c.sets = append(c.sets, fs)
		return errCollected
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var secretGiven []string
	fs.Visit(func(f *flag.Flag) {
		if _, ok := f.Value.(*secretValue); ok {
			secretGiven = append(secretGiven, f.Name)
		}
	})
	for _, name := range secretGiven {
		fmt.Fprintf(e.stderr, "onsite %s: --%s is not accepted on the command line, where every user of this machine can read it; set %s or %s in the --config file\n",
			fs.Name(), name, envName(name), name)
		return errUsage
	}

	var cfg *configValue
	if f := fs.Lookup("config"); f != nil {
		cfg, _ = f.Value.(*configValue)
	}
	if cfg == nil {
		cfg = &configValue{} // a FlagSet not made by newFlagSet
	}
	sources := map[string]source{"config": {fromDefault, "default"}}
	if given["config"] {
		sources["config"] = source{fromFlag, "flag"}
	} else if v := e.getenv(envName("config")); v != "" {
		cfg.path = v
		sources["config"] = source{fromEnv, "env " + envName("config")}
	}
	var file *configFile
	if cfg.path != "" {
		var problems []string
		file, problems = loadConfig(cfg.path)
		if len(problems) > 0 {
			for _, p := range problems {
				fmt.Fprintf(e.stderr, "onsite %s: %s\n", fs.Name(), p)
			}
			return errSilent
		}
		file.warn(e.stderr, fs)
	}

	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || f.Name == "config" {
			return
		}
		switch {
		case given[f.Name]:
			sources[f.Name] = source{fromFlag, "flag"}
			return
		case f.Name == "print-config":
			// Neither the environment nor the file may stop serve from
			// serving.
			sources[f.Name] = source{fromDefault, "default"}
			return
		}
		if v := e.getenv(envName(f.Name)); v != "" {
			if serr := setFlag(f, v); serr != nil {
				err = fmt.Errorf("%s=%w", envName(f.Name), serr)
				return
			}
			sources[f.Name] = source{fromEnv, "env " + envName(f.Name)}
			return
		}
		if s, ok := file.setting(f.Name); ok {
			if serr := setFlag(f, s.value); serr != nil {
				err = fmt.Errorf("%s:%d: %s: %w", file.path, s.line, s.key, serr)
				return
			}
			sources[f.Name] = source{fromConfig, fmt.Sprintf("config %s:%d", file.path, s.line)}
			return
		}
		sources[f.Name] = source{fromDefault, "default"}
	})
	if err != nil {
		return err
	}
	cfg.sources = sources
	if p := fs.Lookup("print-config"); p != nil && p.Value.String() == "true" {
		printSettings(e.stdout, fs, sources)
		return flag.ErrHelp
	}
	return nil
}

// setFlag sets f to v; its error names v and, for the flag package's own
// types, what a good value looks like.
func setFlag(f *flag.Flag, v string) error {
	serr := f.Value.Set(v)
	if serr == nil {
		return nil
	}
	getter, _ := f.Value.(flag.Getter)
	if getter == nil {
		return fmt.Errorf("%q: %w", v, serr)
	}
	switch getter.Get().(type) {
	case bool:
		return fmt.Errorf("%q: want true or false", v)
	case int, int64:
		return fmt.Errorf("%q: want a whole number", v)
	case uint, uint64:
		return fmt.Errorf("%q: want a whole number, 0 or more", v)
	case float64:
		return fmt.Errorf("%q: want a number", v)
	case time.Duration:
		return fmt.Errorf("%q: want a duration such as 90s, 30m or 6h", v)
	}
	return fmt.Errorf("%q: %w", v, serr)
}

// printFlags prints fs's flags as PrintDefaults does, leaving out the
// settings the command line may not set.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	shown := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	shown.SetOutput(w)
	fs.VisitAll(func(f *flag.Flag) {
		if _, secret := f.Value.(*secretValue); secret {
			return
		}
		shown.Var(f.Value, f.Name, f.Usage)
		shown.Lookup(f.Name).DefValue = f.DefValue
	})
	shown.PrintDefaults()
}

// dataFlag adds --data, the directory holding the database.
func dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", "data", "directory for the SQLite database and other state")
}
