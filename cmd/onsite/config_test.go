package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runWithEnv runs one onsite command with vars as its whole environment.
func runWithEnv(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }}
	code = mainWithEnv(context.Background(), args, e)
	return code, out.String(), errOut.String()
}

// writeConfig writes a config file of the given lines into dir, readable
// by its owner only.
func writeConfig(t *testing.T, dir, name string, lines ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600))
	return path
}

// TestConfigPrecedence sets a string, an int, a bool and a duration flag of
// serve at one level after another: default, config file, environment,
// command line. Each level wins over the ones below it, and --print-config
// says which one the value came from.
func TestConfigPrecedence(t *testing.T) {
	settings := []struct {
		name     string
		fileLine string // the config file's line, its key spelled either way
		env      string
		flag     string
		want     [4]string // the value at each level, default first
	}{
		{name: "addr", fileLine: "addr: :9001", env: "127.0.0.1:9002", flag: "127.0.0.1:9003",
			want: [4]string{"127.0.0.1:8080", ":9001", "127.0.0.1:9002", "127.0.0.1:9003"}},
		{name: "grader-workers", fileLine: "grader_workers: 3", env: "5", flag: "7",
			want: [4]string{fmt.Sprint(runtime.NumCPU()), "3", "5", "7"}},
		{name: "open-registration", fileLine: "open-registration: true", env: "false", flag: "true",
			want: [4]string{"false", "true", "false", "true"}},
		{name: "reminders-catch-up", fileLine: "reminders_catch_up: 90m", env: "2h", flag: "45s",
			want: [4]string{"6h0m0s", "1h30m0s", "2h0m0s", "45s"}},
	}
	levels := []string{"default", "config", "env", "flag"}
	for _, s := range settings {
		for level, levelName := range levels {
			t.Run(s.name+"/"+levelName, func(t *testing.T) {
				dir := t.TempDir()
				args := []string{"serve", "--print-config"}
				vars := map[string]string{}
				path := writeConfig(t, dir, "onsite.yaml", s.fileLine)
				if level >= fromConfig {
					args = append(args, "--config", path)
				}
				if level >= fromEnv {
					vars[envName(s.name)] = s.env
				}
				if level >= fromFlag {
					args = append(args, "--"+s.name+"="+s.flag)
				}
				wantSource := map[int]string{fromDefault: "default", fromConfig: "config " + path + ":1",
					fromEnv: "env " + envName(s.name), fromFlag: "flag"}[level]

				code, out, stderr := runWithEnv(t, vars, args...)
				require.Equal(t, 0, code, stderr)
				want := fmt.Sprintf("%s = %s  (source: %s)\n", s.name, s.want[level], wantSource)
				assert.Contains(t, out, want, "got:\n%s", out)
			})
		}
	}
}

// TestConfigViaEnvironment: ONSITE_CONFIG names the file, --config wins
// over it, and the file's settings take effect (not only in
// --print-config): users list makes its database where the file's data
// says.
func TestConfigViaEnvironment(t *testing.T) {
	tests := []struct {
		name     string
		envFile  bool // ONSITE_CONFIG names env.yaml
		flagFile bool // --config names flag.yaml
		wantDir  string
	}{
		{name: "ONSITE_CONFIG", envFile: true, wantDir: "from-env-file"},
		{name: "--config", flagFile: true, wantDir: "from-flag-file"},
		{name: "--config wins over ONSITE_CONFIG", envFile: true, flagFile: true, wantDir: "from-flag-file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			envFile := writeConfig(t, dir, "env.yaml", "data: "+filepath.Join(dir, "from-env-file"))
			flagFile := writeConfig(t, dir, "flag.yaml", "data: "+filepath.Join(dir, "from-flag-file"))
			vars := map[string]string{}
			args := []string{"users", "list"}
			if tc.envFile {
				vars["ONSITE_CONFIG"] = envFile
			}
			if tc.flagFile {
				args = append(args, "--config", flagFile)
			}
			code, out, stderr := runWithEnv(t, vars, args...)
			require.Equal(t, 0, code, stderr)
			assert.Contains(t, out, "ID")
			_, err := os.Stat(filepath.Join(dir, tc.wantDir, "onsite.db"))
			assert.NoError(t, err, "the database should be in %s", tc.wantDir)
			for _, other := range []string{"from-env-file", "from-flag-file"} {
				if other != tc.wantDir {
					assert.NoDirExists(t, filepath.Join(dir, other))
				}
			}
		})
	}
}

// TestConfigFileProblems: keys no command knows, bad values and other
// mistakes are errors naming the file, the line and the key; keys of
// another command are fine, since every command reads the same file.
func TestConfigFileProblems(t *testing.T) {
	tests := []struct {
		name       string
		lines      []string
		args       []string // --config onsite.yaml and --data are added
		wantCode   int
		wantStderr []string
		notStderr  string
	}{
		{name: "unknown key with a suggestion", lines: []string{"addr: :8080", "data: DATA", "smtp-hots: smtp.example.com"}, args: []string{"users", "list"},
			wantCode: 1, wantStderr: []string{"onsite users list: onsite.yaml:3: smtp-hots: unknown setting; did you mean smtp-host?"}},
		{name: "unknown snake_case key", lines: []string{"grader_wokers: 2"}, args: []string{"serve"},
			wantCode: 1, wantStderr: []string{"onsite.yaml:1: grader_wokers: unknown setting; did you mean grader-workers?"}},
		{name: "unknown key far from any", lines: []string{"colour: blue"}, args: []string{"version"},
			wantCode: 1, wantStderr: []string{"onsite.yaml:1: colour: unknown setting\n"}, notStderr: "did you mean"},
		{name: "every problem at once", lines: []string{"smtp-hots: x", "addr: :1", "frob: 1"}, args: []string{"version"},
			wantCode: 1, wantStderr: []string{"onsite.yaml:1: smtp-hots:", "onsite.yaml:3: frob: unknown setting"}},
		{name: "key of another command", lines: []string{"data: DATA", "grader-workers: 4", "smtp-host: smtp.example.com", "smtp-password: s3cret"}, args: []string{"users", "list"},
			wantCode: 0},
		{name: "not a number", lines: []string{"data: DATA", "grader-workers: four"}, args: []string{"serve"},
			wantCode: 1, wantStderr: []string{`onsite.yaml:2: grader-workers: "four": want a whole number`}},
		{name: "bad value of another command's flag", lines: []string{"grader-workers: four"}, args: []string{"version"},
			wantCode: 1, wantStderr: []string{`onsite.yaml:1: grader-workers: "four": want a whole number`}},
		{name: "not a bool", lines: []string{"open_registration: maybe"}, args: []string{"serve"},
			wantCode: 1, wantStderr: []string{`onsite.yaml:1: open_registration: "maybe": want true or false`}},
		{name: "duration without a unit", lines: []string{"reminders-catch-up: 6"}, args: []string{"serve"},
			wantCode: 1, wantStderr: []string{`onsite.yaml:1: reminders-catch-up: "6": want a duration`}},
		{name: "a list", lines: []string{"smtp-host: [a, b]"}, args: []string{"serve"},
			wantCode: 1, wantStderr: []string{"onsite.yaml:1: smtp-host: want a string, a number or true/false"}},
		{name: "set twice by its two spellings", lines: []string{"smtp-host: a", "smtp_host: b"}, args: []string{"serve"},
			wantCode: 1, wantStderr: []string{"onsite.yaml:2: smtp_host: set twice, also on line 1"}},
		{name: "config in the config file", lines: []string{"config: other.yaml"}, args: []string{"serve"},
			wantCode: 1, wantStderr: []string{"onsite.yaml:1: config: only the command line or the environment sets this"}},
		{name: "not a mapping", lines: []string{"- addr: :8080"}, args: []string{"serve"},
			wantCode: 1, wantStderr: []string{"onsite.yaml:1: want one setting a line"}},
		{name: "not YAML", lines: []string{"addr: ["}, args: []string{"serve"},
			wantCode: 1, wantStderr: []string{"onsite.yaml: yaml: line 1"}},
		{name: "empty file", lines: []string{"# nothing yet"}, args: []string{"version"}, wantCode: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			var lines []string
			for _, l := range tc.lines {
				lines = append(lines, strings.ReplaceAll(l, "DATA", filepath.Join(dir, "data")))
			}
			writeConfig(t, dir, "onsite.yaml", lines...)
			args := append(append([]string{}, tc.args...), "--config", "onsite.yaml")
			code, _, stderr := runWithEnv(t, nil, args...)
			assert.Equal(t, tc.wantCode, code, "exit code; stderr:\n%s", stderr)
			for _, want := range tc.wantStderr {
				assert.Contains(t, stderr, want)
			}
			if tc.notStderr != "" {
				assert.NotContains(t, stderr, tc.notStderr)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		code, _, stderr := runWithEnv(t, map[string]string{"ONSITE_CONFIG": "/nonexistent/onsite.yaml"}, "version")
		assert.Equal(t, 1, code)
		assert.Contains(t, stderr, "/nonexistent/onsite.yaml")
	})
}

// TestConfigPrintConfig: serve --print-config prints every setting with
// its value and source, masks secrets, and exits 0 without serving.
func TestConfigPrintConfig(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	path := writeConfig(t, dir, "onsite.yaml",
		"data: "+data,
		"smtp_host: smtp.example.com",
		"smtp-password: s3cret",
		"smtp-password-file: /run/secrets/smtp",
		"grader-workers: 4")
	vars := map[string]string{"ONSITE_LOG_LEVEL": "debug", "ONSITE_GRADER_WORKERS": "2", "ONSITE_PRINT_CONFIG": "false"}
	code, out, stderr := runWithEnv(t, vars, "serve", "--config", path, "--addr", ":9999", "--print-config")
	require.Equal(t, 0, code, stderr)
	for _, want := range []string{
		"addr = :9999  (source: flag)\n",
		"config = " + path + "  (source: flag)\n",
		"data = " + data + "  (source: config " + path + ":1)\n",
		"smtp-host = smtp.example.com  (source: config " + path + ":2)\n",
		"smtp-password = ****  (source: config " + path + ":3)\n",
		"smtp-password-file = ****  (source: config " + path + ":4)\n",
		"grader-workers = 2  (source: env ONSITE_GRADER_WORKERS)\n",
		"log-level = debug  (source: env ONSITE_LOG_LEVEL)\n",
		"log-format = auto  (source: default)\n",
		"base-url = \"\"  (source: default)\n",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "s3cret")
	assert.NotContains(t, out, "/run/secrets")
	assert.NotContains(t, out, "print-config =")
	assert.Equal(t, len(strings.Split(strings.TrimSpace(out), "\n")), strings.Count(out, "(source: "), "one setting a line:\n%s", out)
	assert.NotContains(t, out, "onsite is serving")
	assert.NoDirExists(t, data, "print-config opens no database")

	t.Run("secret from the environment", func(t *testing.T) {
		code, out, _ := runWithEnv(t, map[string]string{"ONSITE_SMTP_PASSWORD": "s3cret"}, "remind", "--print-config")
		require.Equal(t, 0, code)
		assert.Contains(t, out, "smtp-password = ****  (source: env ONSITE_SMTP_PASSWORD)\n")
		assert.NotContains(t, out, "s3cret")
	})
	t.Run("not from the environment", func(t *testing.T) {
		code, out, _ := runWithEnv(t, map[string]string{"ONSITE_PRINT_CONFIG": "true"}, "version")
		require.Equal(t, 0, code)
		assert.Contains(t, out, "onsite dev", "ONSITE_PRINT_CONFIG must not stop a command from running")
		assert.NotContains(t, out, "(source:")
	})
}

// TestConfigSMTPPassword: the password comes from --smtp-password-file or
// smtp-password (ONSITE_SMTP_PASSWORD or the config file), whichever was
// set at the higher level, the file on a tie; it is never a flag, and a
// config file holding it that others can read draws a warning.
func TestConfigSMTPPassword(t *testing.T) {
	tests := []struct {
		name        string
		fileLines   []string
		mode        os.FileMode
		env         map[string]string
		args        []string
		want        string
		wantWarning bool
	}{
		{name: "config file only", fileLines: []string{"smtp-password: from-config"}, mode: 0o600, want: "from-config"},
		{name: "environment over config file", fileLines: []string{"smtp-password: from-config"}, mode: 0o600,
			env: map[string]string{"ONSITE_SMTP_PASSWORD": "from-env"}, want: "from-env"},
		{name: "environment over a password file named in the config file", fileLines: []string{"smtp-password-file: PWFILE"}, mode: 0o600,
			env: map[string]string{"ONSITE_SMTP_PASSWORD": "from-env"}, want: "from-env"},
		{name: "password file over password, both in the config file", fileLines: []string{"smtp-password: from-config", "smtp-password-file: PWFILE"}, mode: 0o600,
			want: "from-password-file"},
		{name: "password file flag over environment", env: map[string]string{"ONSITE_SMTP_PASSWORD": "from-env"}, args: []string{"--smtp-password-file", "PWFILE"},
			want: "from-password-file"},
		{name: "both in the environment: the file, as before", env: map[string]string{"ONSITE_SMTP_PASSWORD": "from-env", "ONSITE_SMTP_PASSWORD_FILE": "PWFILE"},
			want: "from-password-file"},
		{name: "readable by the group", fileLines: []string{"smtp-password: from-config"}, mode: 0o640, want: "from-config", wantWarning: true},
		{name: "readable by everyone", fileLines: []string{"smtp-password: from-config"}, mode: 0o644, want: "from-config", wantWarning: true},
		{name: "readable by everyone but holds no password", fileLines: []string{"smtp-host: smtp.example.com"}, mode: 0o644, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			pwFile := filepath.Join(dir, "smtp-password")
			require.NoError(t, os.WriteFile(pwFile, []byte("from-password-file\n"), 0o600))
			fill := func(s string) string { return strings.ReplaceAll(s, "PWFILE", pwFile) }
			args := []string{}
			for _, a := range tc.args {
				args = append(args, fill(a))
			}
			vars := map[string]string{}
			for k, v := range tc.env {
				vars[k] = fill(v)
			}
			if tc.fileLines != nil {
				var lines []string
				for _, l := range tc.fileLines {
					lines = append(lines, fill(l))
				}
				path := writeConfig(t, dir, "onsite.yaml", lines...)
				require.NoError(t, os.Chmod(path, tc.mode))
				args = append(args, "--config", path)
			}
			var out, errOut bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }}
			fs := newFlagSet(e, "remind", "remind", "")
			rf := addReminderFlags(fs)
			require.NoError(t, parse(fs, e, args), errOut.String())
			got, err := rf.smtpPassword()
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			if tc.wantWarning {
				assert.Contains(t, errOut.String(), fmt.Sprintf("onsite.yaml:1: smtp-password: other users can read this file (mode %04o); chmod 600", tc.mode))
			} else {
				assert.Empty(t, errOut.String())
			}
		})
	}
	t.Run("not a flag", func(t *testing.T) {
		code, _, stderr := runWithEnv(t, nil, "serve", "--smtp-password", "hunter2")
		assert.Equal(t, 2, code)
		assert.Contains(t, stderr, "--smtp-password is not accepted on the command line")
		code, _, stderr = runWithEnv(t, nil, "serve", "--help")
		assert.Equal(t, 0, code)
		assert.Contains(t, stderr, "-smtp-password-file")
		assert.NotContains(t, stderr, "-smtp-password string", "--help leaves out what the command line may not set")
	})
}

// TestConfigKnowsEveryCommand: the file is checked against the flags of
// every command, subcommands included, so each must hand over its flags.
func TestConfigKnowsEveryCommand(t *testing.T) {
	var names []string
	for _, fs := range collectFlagSets() {
		names = append(names, fs.Name())
	}
	for _, c := range commands() {
		found := false
		for _, n := range names {
			if n == c.name || strings.HasPrefix(n, c.name+" ") {
				found = true
			}
		}
		assert.True(t, found, "no flag set collected for %s; got %v", c.name, names)
	}
	for cmd, subs := range subcommands {
		for _, sub := range subs {
			assert.Contains(t, names, cmd+" "+sub)
		}
	}
	known := knownSettings()
	for _, name := range []string{"addr", "data", "smtp-host", "smtp-password", "grader-workers", "owner", "question"} {
		assert.Contains(t, known, name)
	}
	assert.NotContains(t, known, "config")
	assert.NotContains(t, known, "print-config")
}

// TestConfigSuggest: the suggestion is the nearest setting, when near.
func TestConfigSuggest(t *testing.T) {
	names := []string{"addr", "data", "grader-queue", "grader-workers", "smtp-host", "smtp-port"}
	tests := []struct{ name, key, want string }{
		{name: "swapped letters", key: "smtp-hots", want: "smtp-host"},
		{name: "missing letter", key: "adr", want: "addr"},
		{name: "snake_case typo, normalised", key: "grader-worker", want: "grader-workers"},
		{name: "nothing near", key: "colour", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, suggest(tc.key, names))
		})
	}
}
