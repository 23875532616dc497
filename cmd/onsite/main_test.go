package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// run runs one onsite command to completion and returns its exit code and
// output, as a shell would.
func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// lockedBuffer collects a running server's log safely across goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// served is an `onsite serve` running inside the test process.
type served struct {
	URL  string
	Data string
	Log  *lockedBuffer
	stop context.CancelFunc
	done chan struct{} // closed when Main returns
	code int
}

// Stop sends the equivalent of SIGTERM and returns serve's exit code.
func (s *served) Stop(t testing.TB) int {
	t.Helper()
	s.stop()
	select {
	case <-s.done:
		return s.code
	case <-time.After(30 * time.Second):
		var stacks strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&stacks, 1)
		t.Fatalf("serve did not stop within 30 s of its context being cancelled; goroutines:\n%s", stacks.String())
		return -1
	}
}

// startServe runs Main("serve") on a free port over dataDir and waits until
// it prints its URL. It is stopped at the end of the test.
func startServe(t testing.TB, dataDir string, extra ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	s := &served{Data: dataDir, Log: &lockedBuffer{}, stop: cancel, done: make(chan struct{})}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-format", "json"}, extra...)
	go func() {
		s.code = Main(ctx, args, strings.NewReader(""), pw, s.Log)
		pw.Close()
		close(s.done)
	}()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "onsite is serving "); ok {
				urls <- u
			}
		}
		close(urls)
	}()
	select {
	case u, ok := <-urls:
		require.True(t, ok, "serve exited before serving; log:\n%s", s.Log.String())
		s.URL = u
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start within 60 s; log:\n%s", s.Log.String())
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
		}
		if t.Failed() {
			// What the server logged (grading failures among it) is often
			// the reason.
			var errors []string
			for _, line := range strings.Split(s.Log.String(), "\n") {
				if strings.Contains(line, "ERROR") || strings.Contains(line, "WARN") {
					errors = append(errors, line)
				}
			}
			t.Logf("serve logged %d errors and warnings:\n%s", len(errors), strings.Join(errors, "\n"))
		}
	})
	return s
}

// apiGet calls the API with a bearer token and decodes the JSON answer.
func apiGet(t *testing.T, url, token string, out any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	if out != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
	return resp.StatusCode
}

// TestEndToEnd drives the binary's commands the way a newcomer would: serve,
// create the admin from the CLI while serve runs, make a token, browse the
// built-in bank over the API, import a set, and stop with SIGTERM.
func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	srv := startServe(t, dir)

	code, _, stderr := run(t, "", "users", "list", "--data", dir)
	require.Equal(t, 0, code, stderr)

	code, out, stderr := run(t, "correct horse battery\n", "users", "create", "--email", "ada@example.com", "--password-stdin", "--data", dir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "ada@example.com (admin")

	code, out, stderr = run(t, "", "tokens", "create", "--email", "ada@example.com", "--name", "e2e", "--data", dir)
	require.Equal(t, 0, code, stderr)
	token := strings.TrimSpace(out)
	require.True(t, strings.HasPrefix(token, "onsite_"), "token %q", token)
	assert.Contains(t, stderr, "not shown again")

	assert.Equal(t, http.StatusUnauthorized, apiGet(t, srv.URL+"/api/v1/questions", "", nil))

	code, out, stderr = run(t, "another password\n", "users", "set-password", "--email", "ADA@example.com", "--password-stdin", "--data", dir)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "password set for ada@example.com")
	code, out, _ = run(t, "", "users", "list", "--data", dir)
	require.Equal(t, 0, code)
	assert.Regexp(t, `1\s+ada@example.com\s+admin`, out)

	var list struct {
		Items []struct {
			Slug string `json:"slug"`
			Kind string `json:"kind"`
		} `json:"items"`
		Total int `json:"total"`
	}
	for _, k := range []string{"coding", "concept", "behavioral", "system_design"} {
		require.Equal(t, http.StatusOK, apiGet(t, srv.URL+"/api/v1/questions?per_page=1&kind="+k, token, &list))
		assert.GreaterOrEqual(t, list.Total, 5, "built-in %s questions: got %d, want at least 5", k, list.Total)
	}
	set := filepath.Join(t.TempDir(), "team.yaml")
	require.NoError(t, os.WriteFile(set, []byte(teamSet), 0o600))
	code, out, stderr = run(t, "", "import", "--data", dir, set)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "1 added, 0 updated, 0 unchanged")
	code, out, stderr = run(t, "", "import", "--data", dir, set)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "0 added, 0 updated, 1 unchanged", "a second import of the same file changes nothing")

	var q struct {
		Slug   string `json:"slug"`
		Answer string `json:"answer"`
	}
	require.Equal(t, http.StatusOK, apiGet(t, srv.URL+"/api/v1/questions/team-feature-store", token, &q))
	assert.Contains(t, q.Answer, "training and serving")

	assert.Equal(t, 0, srv.Stop(t), "serve exits 0 on SIGTERM; log:\n%s", srv.Log.String())
	assert.Contains(t, srv.Log.String(), `"msg":"stopped"`)

	// The database closed cleanly: a restart finds everything and the bank
	// loads without changes.
	srv = startServe(t, dir)
	require.Equal(t, http.StatusOK, apiGet(t, srv.URL+"/api/v1/questions/team-feature-store", token, &q))
	assert.Contains(t, srv.Log.String(), `"created":0,"updated":0`)
}

const teamSet = `slug: team-set
title: Our team's questions
version: 1
questions:
  - slug: team-feature-store
    kind: concept
    title: Why a feature store?
    difficulty: medium
    topics: [mlops]
    estimated_minutes: 5
    prompt: What problem does a feature store solve?
    answer: It keeps feature definitions consistent between training and serving.
`

// TestImportReportsEveryProblem checks the CLI lists each problem with its
// file and line and imports nothing when any file is invalid.
func TestImportReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(t.TempDir(), "good.yaml")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(good, []byte(teamSet), 0o600))
	require.NoError(t, os.WriteFile(bad, []byte(`slug: bad-set
title: Broken
version: 1
questions:
  - slug: q-one
    kind: concept
    title: Missing its answer
    difficulty: medium
    prompt: What is a ROC curve?
  - slug: q-two
    kind: riddle
    title: Unknown kind
    difficulty: impossible
    prompt: Why?
`), 0o600))

	code, out, stderr := run(t, "", "import", "--data", dir, good, bad)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, stderr, bad+":5: questions[0].answer: is required")
	assert.Contains(t, stderr, bad+":11: questions[1].kind: \"riddle\" is not a kind")
	assert.Contains(t, stderr, bad+":13: questions[1].difficulty: \"impossible\" is not a difficulty")
	assert.Contains(t, stderr, "nothing was imported")

	code, out, _ = run(t, "", "import", "--dry-run", "--data", dir, good)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "would import 1 set(s)")
	code, out, _ = run(t, "", "import", "--data", dir, good)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "1 added", "the failed and the dry-run imports wrote nothing")
}

// TestCLIUsage covers help, unknown commands, missing flags and the
// environment overlay.
func TestCLIUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		stdin      string
		env        map[string]string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "no command", args: nil, wantCode: 2, wantStderr: "Usage: onsite COMMAND"},
		{name: "help", args: []string{"--help"}, wantCode: 0, wantStderr: "Commands:"},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2, wantStderr: `unknown command "frobnicate"`},
		{name: "serve help", args: []string{"serve", "--help"}, wantCode: 0, wantStderr: "-addr"},
		{name: "users help", args: []string{"users", "--help"}, wantCode: 0, wantStderr: "create"},
		{name: "users create help", args: []string{"users", "create", "--help"}, wantCode: 0, wantStderr: "-password-stdin"},
		{name: "tokens create help", args: []string{"tokens", "create", "--help"}, wantCode: 0, wantStderr: "-name"},
		{name: "import help", args: []string{"import", "--help"}, wantCode: 0, wantStderr: "file:line: field: problem"},
		{name: "version", args: []string{"version"}, wantCode: 0, wantStdout: "onsite dev"},
		{name: "bad flag", args: []string{"serve", "--nope"}, wantCode: 2, wantStderr: "flag provided but not defined"},
		{name: "users create needs email", args: []string{"users", "create"}, wantCode: 2, wantStderr: "--email is required"},
		{name: "users create bad email", args: []string{"users", "create", "--email", "nope", "--password-stdin"}, stdin: "long enough\n", wantCode: 1, wantStderr: "not an email address"},
		{name: "users create short password", args: []string{"users", "create", "--email", "a@b.co", "--password-stdin"}, stdin: "short\n", wantCode: 1, wantStderr: "Password is too short"},
		{name: "users create without terminal", args: []string{"users", "create", "--email", "a@b.co"}, wantCode: 1, wantStderr: "--password-stdin"},
		{name: "token for unknown account", args: []string{"tokens", "create", "--email", "who@example.com", "--name", "x"}, wantCode: 1, wantStderr: "No account has the email who@example.com"},
		{name: "set-password for unknown account", args: []string{"users", "set-password", "--email", "who@example.com", "--password-stdin"}, stdin: "long enough\n", wantCode: 1, wantStderr: "No account has the email"},
		{name: "set-password needs email", args: []string{"users", "set-password"}, wantCode: 2, wantStderr: "--email is required"},
		{name: "import nothing", args: []string{"import"}, wantCode: 2, wantStderr: "name at least one file"},
		{name: "env sets data dir", args: []string{"users", "list"}, env: map[string]string{"ONSITE_DATA": "FROM_ENV"}, wantCode: 0, wantStdout: "ID"},
		{name: "env value invalid", args: []string{"serve"}, env: map[string]string{"ONSITE_OPEN_REGISTRATION": "maybe"}, wantCode: 1, wantStderr: "ONSITE_OPEN_REGISTRATION"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			vars := map[string]string{}
			for k, v := range tc.env {
				vars[k] = strings.ReplaceAll(v, "FROM_ENV", filepath.Join(dir, "env-data"))
			}
			args := tc.args
			if len(args) > 0 && args[0] != "serve" && args[0] != "version" && tc.env == nil && !strings.HasPrefix(args[0], "-") {
				args = append(append([]string{}, args...), "--data", dir)
			}
			var out, errOut bytes.Buffer
			e := &env{stdin: strings.NewReader(tc.stdin), stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }}
			code := mainWithEnv(context.Background(), args, e)
			assert.Equal(t, tc.wantCode, code, "exit code; stderr:\n%s", errOut.String())
			assert.Contains(t, out.String(), tc.wantStdout)
			assert.Contains(t, errOut.String(), tc.wantStderr)
			if tc.env["ONSITE_DATA"] != "" {
				_, err := os.Stat(filepath.Join(dir, "env-data", "onsite.db"))
				assert.NoError(t, err, "ONSITE_DATA should put the database in its directory")
			}
		})
	}
}

// TestExportCommand exports a built-in set as YAML and as JSON and imports
// each back: nothing changes. A set that does not exist is a clear error.
func TestExportCommand(t *testing.T) {
	dir := t.TempDir()
	startServe(t, dir) // loads the built-in bank
	tests := []struct {
		name, file string
		args       []string
	}{
		{"yaml to stdout", "", []string{"--set", "ml-concepts"}},
		{"json by extension", "concepts.json", []string{"--set", "ml-concepts"}},
		{"yaml file", "behavioral.yaml", []string{"--set", "behavioral", "--format", "yaml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"export", "--data", dir}, tc.args...)
			file := filepath.Join(t.TempDir(), cmp.Or(tc.file, "out.yaml"))
			if tc.file != "" {
				args = append(args, "-o", file)
			}
			code, out, stderr := run(t, "", args...)
			require.Equal(t, 0, code, stderr)
			if tc.file == "" {
				require.NoError(t, os.WriteFile(file, []byte(out), 0o600))
				assert.True(t, strings.HasPrefix(out, "slug: ml-concepts\n"), "YAML on stdout")
			} else {
				assert.Contains(t, stderr, "wrote ")
			}
			code, out, stderr = run(t, "", "import", "--data", dir, file)
			require.Equal(t, 0, code, stderr)
			assert.Regexp(t, `imported 1 set\(s\) from 1 source\(s\): 0 added, 0 updated, \d+ unchanged, 0 retired`, out)
		})
	}
	code, _, stderr := run(t, "", "export", "--data", dir, "--set", "no-such-set")
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "Set not found.")
	code, _, stderr = run(t, "", "export", "--data", dir, "--set", "ml-concepts", "--format", "xml")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, `--format "xml": use yaml, json or md`)
}

// TestImportFlashcards imports an Anki-style flashcard file, again (nothing
// changes), and edited (one question updated in place).
func TestImportFlashcards(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "metrics.tsv")
	cards := "#separator:tab\n#html:true\n#deck:Metrics\n#guid column:1\n#columns:guid\tfront\tback\ttags\n" +
		"g1\tWhat is precision?\tTP / (TP + FP)\tmetrics\n" +
		"g2\tWhat is recall?\t\"TP / (TP + FN),<br>the share of positives found\"\tmetrics\n"
	require.NoError(t, os.WriteFile(file, []byte(cards), 0o600))
	code, out, stderr := run(t, "", "import", "--data", dir, file)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "2 added, 0 updated, 0 unchanged")
	code, out, stderr = run(t, "", "import", "--data", dir, file)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "0 added, 0 updated, 2 unchanged")
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(cards, "TP / (TP + FP)", "TP / (TP + FP): how many flagged are right", 1)), 0o600))
	code, out, stderr = run(t, "", "import", "--data", dir, file)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "0 added, 1 updated, 1 unchanged")

	bad := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("Front,\n"), 0o600))
	code, _, stderr = run(t, "", "import", "--data", dir, bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "bad.csv:1: row 1, column back: is empty")
}

// TestImportJSONReport: --json names every question by what happened to
// it, and lists the errors (exit 1) when nothing could be imported.
func TestImportJSONReport(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(t.TempDir(), "cards.csv")
	require.NoError(t, os.WriteFile(file, []byte("#guid column:1\n#columns:guid,front,back\na,One?,Yes\nb,Two?,Yes\n"), 0o600))
	type report struct {
		Added, Updated, Unchanged, Retired, Errors []string
	}
	decode := func(out string) report {
		t.Helper()
		var r report
		require.NoError(t, json.Unmarshal([]byte(out), &r), out)
		return r
	}
	code, out, stderr := run(t, "", "import", "--json", "--dry-run", "--data", dir, file)
	require.Equal(t, 0, code, stderr)
	r := decode(out)
	assert.Len(t, r.Added, 2, "the dry run plans two additions")
	assert.Empty(t, r.Errors)
	code, out, _ = run(t, "", "import", "--json", "--data", dir, file)
	require.Equal(t, 0, code)
	assert.Len(t, decode(out).Added, 2, "the dry run wrote nothing")
	code, out, _ = run(t, "", "import", "--json", "--data", dir, file)
	require.Equal(t, 0, code)
	r = decode(out)
	assert.Empty(t, r.Added)
	assert.Len(t, r.Unchanged, 2)
	require.NoError(t, os.WriteFile(file, []byte("#guid column:1\n#columns:guid,front,back\na,One?,Yes\nb,Two?,\n"), 0o600))
	code, out, _ = run(t, "", "import", "--json", "--data", dir, file)
	assert.Equal(t, 1, code)
	r = decode(out)
	require.Len(t, r.Errors, 1)
	assert.Contains(t, r.Errors[0], "cards.csv:4: row 2, column back: is empty")
}

// TestImportEveryFormat imports a Kattis contest folder, a Markdown folder
// exported from a built-in set and a zip of it through the CLI: each lands
// once, and a second import changes nothing.
func TestImportEveryFormat(t *testing.T) {
	dir := t.TempDir()
	startServe(t, dir) // loads the built-in bank
	md := filepath.Join(t.TempDir(), "behavioral-md")
	code, _, stderr := run(t, "", "export", "--data", dir, "--set", "behavioral", "--format", "md", "-o", md)
	require.Equal(t, 0, code, stderr)
	require.FileExists(t, filepath.Join(md, "set.yaml"))
	zipped := filepath.Join(t.TempDir(), "ml-concepts.zip")
	code, _, stderr = run(t, "", "export", "--data", dir, "--set", "ml-concepts", "-o", zipped)
	require.Equal(t, 0, code, stderr)

	type report struct{ Sets, Added, Updated, Unchanged, Retired, Errors, Notes []string }
	importJSON := func(args ...string) report {
		t.Helper()
		code, out, stderr := run(t, "", append([]string{"import", "--json", "--data", dir}, args...)...)
		require.Equal(t, 0, code, "%s%s", out, stderr)
		var r report
		require.NoError(t, json.Unmarshal([]byte(out), &r), out)
		return r
	}
	kattis := filepath.Join("..", "..", "questions", "testdata", "kattis", "good")
	r := importJSON(kattis)
	assert.Equal(t, []string{"good"}, r.Sets, "a folder of packages is one set")
	assert.ElementsMatch(t, []string{"halfway", "palindrome", "reversewords"}, r.Added, "a Kattis problem's slug is its short name")
	r = importJSON(kattis)
	assert.Empty(t, r.Added)
	assert.Len(t, r.Unchanged, 3)
	// The imported problem is judged by its validator flags (a float
	// tolerance): its accepted submission passes, its wrong one does not.
	subs := filepath.Join(kattis, "halfway", "submissions")
	for file, want := range map[string]string{"accepted/halfway.py": "accepted", "accepted/halfway_decimal.py": "accepted", "wrong_answer/floor.py": "wrong_answer"} {
		_, out, stderr := run(t, "", "grade", "--data", dir, "--question", "halfway", "--lang", "python", "--json", filepath.Join(subs, file))
		if strings.Contains(stderr, "grading disabled") && os.Getenv("CI") == "" {
			t.Skip("SKIP: the sandbox cannot run here: " + stderr)
		}
		assert.Contains(t, out, `"verdict": "`+want+`"`, "%s: %s", file, stderr)
	}

	deck := filepath.Join("testdata", "ml-deck.apkg")
	r = importJSON(deck)
	assert.Equal(t, []string{"ml-interview"}, r.Sets, "an Anki package's set is named after its deck")
	assert.Len(t, r.Added, 3)
	assert.Contains(t, r.Notes, "testdata/ml-deck.apkg: 2 media file(s) ignored; onsite imports the notes' text")
	r = importJSON(deck)
	assert.Len(t, r.Unchanged, 3, "an Anki package imported again changes nothing")

	r = importJSON(md, zipped)
	assert.Empty(t, r.Added, "built-in sets exported and imported again")
	assert.Empty(t, r.Updated, "export then import changes nothing")
	assert.Empty(t, r.Retired)
	assert.NotEmpty(t, r.Unchanged)

	code, _, stderr = run(t, "", "import", "--data", dir, "--public", "--owner", "a@example.com", md)
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--public and --owner exclude each other")
}

// TestImportProgressBar: a large import draws a progress bar when asked
// (by default only on a terminal) and prints the report after it.
func TestImportProgressBar(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("#separator:tab\n")
	for i := range 600 {
		fmt.Fprintf(&b, "Question %d?\tAnswer %d\n", i, i)
	}
	file := filepath.Join(t.TempDir(), "many.tsv")
	require.NoError(t, os.WriteFile(file, []byte(b.String()), 0o600))
	code, out, stderr := run(t, "", "import", "--data", dir, "--progress", file)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "writing questions")
	assert.Contains(t, stderr, "600/600")
	assert.Contains(t, out, "600 added")
	code, _, stderr = run(t, "", "import", "--data", dir, file)
	require.Equal(t, 0, code)
	assert.NotContains(t, stderr, "writing questions", "no bar when stderr is not a terminal")
}
