package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/onsite-dev/onsite/questions"
	"go.yaml.in/yaml/v3"
)

// configValue is --config: the path of the settings file. parse also keeps
// there where every setting of the command came from.
type configValue struct {
	path    string
	sources map[string]source
}

func (c *configValue) String() string {
	if c == nil {
		return ""
	}
	return c.path
}

func (c *configValue) Set(path string) error {
	c.path = path
	return nil
}

// settingLevel says where fs's setting name came from (fromFlag,
// fromEnv, fromConfig or fromDefault) once parse has run.
func settingLevel(fs *flag.FlagSet, name string) int {
	f := fs.Lookup("config")
	if f == nil {
		return fromDefault
	}
	cfg, _ := f.Value.(*configValue)
	if cfg == nil {
		return fromDefault
	}
	return cfg.sources[name].level
}

// secretValue is a setting that the environment and the config file may
// set but the command line may not: every user of the machine can read a
// process's arguments.
type secretValue string

func (s *secretValue) String() string {
	if s == nil {
		return ""
	}
	return string(*s)
}

func (s *secretValue) Set(v string) error {
	*s = secretValue(v)
	return nil
}

// secretSetting defines a setting read from ONSITE_<NAME> or the config
// file only. --help leaves it out and parse refuses it as a flag.
func secretSetting(fs *flag.FlagSet, name, usage string) *string {
	v := new(secretValue)
	fs.Var(v, name, usage)
	return (*string)(v)
}

// isSecret says whether --print-config masks a setting's value.
func isSecret(name string) bool {
	for _, word := range []string{"password", "secret", "token"} {
		if strings.Contains(name, word) {
			return true
		}
	}
	return false
}

// printSettings prints each of fs's settings, its value and where it came
// from, with secrets masked.
func printSettings(w io.Writer, fs *flag.FlagSet, sources map[string]source) {
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "print-config" {
			return
		}
		v := f.Value.String()
		switch {
		case v == "":
			v = `""`
		case isSecret(f.Name):
			v = "****"
		}
		fmt.Fprintf(w, "%s = %s  (source: %s)\n", f.Name, v, sources[f.Name].where)
	})
}

// configEntry is one setting of the config file.
type configEntry struct {
	key   string // as written, such as smtp_host
	value string
	line  int
}

// configFile is a config file that was read and checked.
type configFile struct {
	path     string
	mode     os.FileMode
	settings map[string]configEntry // by flag name
}

// setting is the file's value for the flag name; a nil file has none.
func (c *configFile) setting(name string) (configEntry, bool) {
	if c == nil {
		return configEntry{}, false
	}
	s, ok := c.settings[name]
	return s, ok
}

// warn says so on stderr when the file holds a secret that fs reads and
// users other than its owner can read the file.
func (c *configFile) warn(stderr io.Writer, fs *flag.FlagSet) {
	if runtime.GOOS == "windows" || c.mode&0o044 == 0 {
		return
	}
	for name, s := range c.settings {
		f := fs.Lookup(name)
		if f == nil {
			continue
		}
		if _, secret := f.Value.(*secretValue); secret {
			fmt.Fprintf(stderr, "onsite %s: warning: %s:%d: %s: other users can read this file (mode %04o); chmod 600 %s\n",
				fs.Name(), c.path, s.line, s.key, c.mode.Perm(), c.path)
		}
	}
}

// loadConfig reads the YAML config file at path and checks every setting
// against the flags of every command: the file is shared by all of them,
// so a key only another command knows is fine, and a key none knows is a
// problem, as is a value that the flag would refuse. Problems read
// FILE:LINE: KEY: what is wrong.
func loadConfig(path string) (*configFile, []string) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []string{fmt.Sprintf("--config: %v", err)}
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, []string{fmt.Sprintf("--config: %v", err)}
	}
	c := &configFile{path: path, mode: info.Mode(), settings: map[string]configEntry{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, []string{fmt.Sprintf("%s: %v", path, err)}
	}
	if len(doc.Content) == 0 {
		return c, nil // empty, or only comments
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, []string{fmt.Sprintf("%s:%d: want one setting a line, such as addr: 127.0.0.1:8080", path, root.Line)}
	}
	known := knownSettings()
	names := make([]string, 0, len(known))
	for name := range known {
		names = append(names, name)
	}
	slices.Sort(names)
	var problems []string
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		name := strings.ReplaceAll(k.Value, "_", "-")
		at := fmt.Sprintf("%s:%d: %s", path, k.Line, k.Value)
		if name == "config" || name == "print-config" {
			problems = append(problems, fmt.Sprintf("%s: only the command line or the environment sets this", at))
			continue
		}
		flags, ok := known[name]
		if !ok || k.Kind != yaml.ScalarNode {
			p := at + ": unknown setting"
			if s := suggest(name, names); s != "" {
				p += "; did you mean " + s + "?"
			}
			problems = append(problems, p)
			continue
		}
		if prev, ok := c.settings[name]; ok {
			problems = append(problems, fmt.Sprintf("%s: set twice, also on line %d", at, prev.line))
			continue
		}
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		if v.Kind != yaml.ScalarNode {
			problems = append(problems, at+": want a string, a number or true/false")
			continue
		}
		value := v.Value
		if v.Tag == "!!null" {
			value = ""
		}
		bad := false
		for _, f := range flags {
			// f is in a flag set built only to be read, so setting it
			// checks the value for every command that has the flag.
			if err := setFlag(f, value); err != nil && !bad {
				problems = append(problems, fmt.Sprintf("%s: %v", at, err))
				bad = true
			}
		}
		c.settings[name] = configEntry{key: k.Value, value: value, line: k.Line}
	}
	return c, problems
}

// collectArg, as the only argument of a command, makes parse hand the
// command's flag set to the flagCollector that is its stdout and return
// errCollected: that is how the config file learns every command's flags.
// Each run function must therefore call parse before it does anything.
const collectArg = "\x00collect-flags"

// errCollected is what parse returns to a command run by knownSettings.
var errCollected = errors.New("flags collected")

// flagCollector gathers the flag sets of the commands knownSettings runs.
type flagCollector struct {
	sets []*flag.FlagSet
}

func (*flagCollector) Write(p []byte) (int, error) { return len(p), nil }

// subcommands are the commands whose first argument names a command with
// its own flags.
var subcommands = map[string][]string{
	"users":  {"create", "list", "set-password"},
	"tokens": {"create"},
}

// collectFlagSets builds the flag set of every command, fresh, without
// running any of them.
func collectFlagSets() []*flag.FlagSet {
	c := &flagCollector{}
	e := &env{stdin: strings.NewReader(""), stdout: c, stderr: io.Discard, getenv: func(string) string { return "" }}
	for _, cmd := range commands() {
		argvs := [][]string{{collectArg}}
		if subs, ok := subcommands[cmd.name]; ok {
			argvs = nil
			for _, sub := range subs {
				argvs = append(argvs, []string{sub, collectArg})
			}
		}
		for _, args := range argvs {
			_ = cmd.run(context.Background(), e, args)
		}
	}
	return c.sets
}

// knownSettings maps the name of every setting the config file may hold
// to the flags of that name, one per command that has it.
func knownSettings() map[string][]*flag.Flag {
	known := map[string][]*flag.Flag{}
	for _, fs := range collectFlagSets() {
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name != "config" && f.Name != "print-config" {
				known[f.Name] = append(known[f.Name], f)
			}
		})
	}
	return known
}

// suggest returns the name among names closest to name, if it is close
// enough to be what was meant.
func suggest(name string, names []string) string {
	best, bestDist := "", len(name)/3
	if bestDist < 2 {
		bestDist = 2
	}
	bestDist++
	for _, n := range names {
		if d := questions.EditDistance(name, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}
