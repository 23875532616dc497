package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/onsite-dev/onsite/questions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// gradingServe starts serve with an account and returns it, its data
// directory and an API token. It skips loudly where the sandbox cannot run,
// and fails under CI, which must grade.
func gradingServe(t *testing.T) (*served, string, string) {
	dir := t.TempDir()
	srv := startServe(t, dir)
	if strings.Contains(srv.Log.String(), "grading disabled") {
		if os.Getenv("CI") != "" {
			t.Fatalf("grading is disabled in CI:\n%s", srv.Log.String())
		}
		t.Skip("SKIP: grading disabled on this machine (no user namespaces); see the serve log")
	}
	return srv, dir, createAccount(t, dir)
}

// createAccount adds ada@example.com (password password123) to the data
// directory with the CLI and returns an API token for her.
func createAccount(t *testing.T, dir string) string {
	t.Helper()
	code, _, stderr := run(t, "password123\n", "users", "create", "--email", "ada@example.com", "--password-stdin", "--data", dir)
	require.Equal(t, 0, code, stderr)
	code, out, stderr := run(t, "", "tokens", "create", "--email", "ada@example.com", "--name", "e2e", "--data", dir)
	require.Equal(t, 0, code, stderr)
	return strings.TrimSpace(out)
}

// TestGradingEndToEnd grades real code through the real server, queue and
// sandbox: the bank's reference solutions are accepted and a wrong answer
// is not.
func TestGradingEndToEnd(t *testing.T) {
	srv, dir, token := gradingServe(t)

	var langs struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, apiGet(t, srv.URL+"/api/v1/languages", token, &langs))
	names := []string{}
	for _, l := range langs.Items {
		names = append(names, l.Name)
	}
	assert.Subset(t, names, []string{"python", "javascript", "go"})

	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	var q *questions.Question
	for _, s := range sets {
		for i := range s.Questions {
			if s.Questions[i].Slug == "precision-recall-f1" {
				q = &s.Questions[i]
			}
		}
	}
	require.NotNil(t, q)

	submitInput := func(lang, code, mode, input string) (int, map[string]any) {
		fields := map[string]string{"question": q.Slug, "language": lang, "code": code, "mode": mode}
		if input != "" {
			fields["input"] = input
		}
		body, _ := json.Marshal(fields)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/submissions?wait=true", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var got map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
		return resp.StatusCode, got
	}
	submit := func(lang, code, mode string) (int, map[string]any) { return submitInput(lang, code, mode, "") }
	tests := []struct {
		name, lang, code, mode, want string
	}{
		{"python reference", "python", q.Solutions["python"], "submit", "accepted"},
		{"javascript reference", "javascript", q.Solutions["javascript"], "submit", "accepted"},
		{"go reference", "go", q.Solutions["go"], "submit", "accepted"},
		{"python wrong", "python", "def precision_recall_f1(y_true, y_pred):\n    return [0.0, 0.0, 0.0]\n", "run", "wrong_answer"},
		{"python crash", "python", "def precision_recall_f1(y_true, y_pred):\n    return 1 / 0\n", "submit", "runtime_error"},
		{"python reads the database", "python", "def precision_recall_f1(y_true, y_pred):\n    return [len(open('" + dir + "/onsite.db','rb').read()), 0.0, 0.0]\n", "submit", "runtime_error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, got := submit(tc.lang, tc.code, tc.mode)
			require.Equal(t, http.StatusCreated, status, "%v", got)
			assert.Equal(t, "done", got["status"], "%v", got)
			assert.Equal(t, tc.want, got["verdict"], "result: %v", got["result"])
		})
	}
	t.Run("custom input", func(t *testing.T) {
		status, got := submitInput("python", q.Solutions["python"], "run", "[1, 1, 0]\n[1, 0, 0]")
		require.Equal(t, http.StatusCreated, status, "%v", got)
		assert.Equal(t, "accepted", got["verdict"])
		tests := got["result"].(map[string]any)["tests"].([]any)
		last := tests[len(tests)-1].(map[string]any)
		assert.Equal(t, true, last["custom"])
		assert.Equal(t, "[1.0,0.5,0.6666666666666666]", last["actual"], "the output is shown")
	})
}

// TestGradeCommand grades files from the command line, without a server.
func TestGradeCommand(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/good.py"
	bad := dir + "/bad.py"
	require.NoError(t, os.WriteFile(good, []byte("def precision_recall_f1(y_true, y_pred):\n"+
		"    tp = sum(1 for t, p in zip(y_true, y_pred) if t == p == 1)\n"+
		"    fp = sum(1 for t, p in zip(y_true, y_pred) if t == 0 and p == 1)\n"+
		"    fn = sum(1 for t, p in zip(y_true, y_pred) if t == 1 and p == 0)\n"+
		"    pr = tp / (tp + fp) if tp + fp else 0.0\n    rc = tp / (tp + fn) if tp + fn else 0.0\n"+
		"    return [pr, rc, 2 * pr * rc / (pr + rc) if pr + rc else 0.0]\n"), 0o600))
	require.NoError(t, os.WriteFile(bad, []byte("def precision_recall_f1(y_true, y_pred):\n    return [0.0, 0.0, 0.0]\n"), 0o600))

	code, out, stderr := run(t, "", "grade", "--data", dir, "--question", "precision-recall-f1", "--lang", "python", "--json", good)
	if strings.Contains(stderr, "grading disabled") && os.Getenv("CI") == "" {
		t.Skip("SKIP: the sandbox cannot run here: " + stderr)
	}
	require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out, stderr)
	var result struct {
		Verdict string `json:"verdict"`
		Passed  int    `json:"passed"`
		Total   int    `json:"total"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &result))
	assert.Equal(t, "accepted", result.Verdict)
	assert.Equal(t, result.Total, result.Passed)
	assert.Greater(t, result.Total, 3, "submit runs the hidden tests too")

	code, out, _ = run(t, "", "grade", "--data", dir, "--question", "precision-recall-f1", "--lang", "python", "--mode", "run", bad)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "precision-recall-f1: wrong_answer")
	assert.Contains(t, out, "FAIL test 1 (sample)")

	code, _, stderr = run(t, "", "grade", "--data", dir, "--question", "precision-recall-f1", "--lang", "cobol", good)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, `language "cobol" is not installed`)
}

// TestHostileSubmissionsThroughTheServer: hostile code sent through the API
// gets its verdict while the server keeps answering.
func TestHostileSubmissionsThroughTheServer(t *testing.T) {
	srv, _, token := gradingServe(t)

	post := func(code string) string {
		body, _ := json.Marshal(map[string]string{"question": "precision-recall-f1", "language": "python", "code": code, "mode": "run"})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/submissions", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var got map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
		require.Equal(t, http.StatusCreated, resp.StatusCode, "%v", got)
		return got["id"].(string)
	}
	fn := "def precision_recall_f1(y_true, y_pred):\n"
	tests := []struct {
		name, body, want string
	}{
		{"infinite loop", fn + "    while True: pass\n", "time_limit_exceeded"},
		{"sleep forever", "import time\n" + fn + "    time.sleep(1000)\n", "time_limit_exceeded"},
		{"fork bomb", "import os\n" + fn + "    while True: os.fork()\n", "time_limit_exceeded|runtime_error"},
		// On a loaded machine zeroing the pages can take longer than the
		// time limit, before the memory limit is reached; the sandbox's
		// own hostile test holds the MLE verdict.
		{"allocate 8 GiB", fn + "    x = bytearray(8 << 30)\n    return [0.0, 0.0, 0.0]\n", "memory_limit_exceeded|runtime_error|time_limit_exceeded"},
		{"print forever", fn + "    while True: print('x' * 1000)\n", "output_limit_exceeded|time_limit_exceeded"},
	}
	ids := map[string]string{}
	for _, tc := range tests {
		ids[tc.name] = post(tc.body)
	}
	// While they run, the server answers at once.
	for range 5 {
		start := time.Now()
		require.Equal(t, http.StatusOK, apiGet(t, srv.URL+"/healthz", "", nil))
		assert.Less(t, time.Since(start), time.Second, "healthz is slow while hostile code runs")
		time.Sleep(200 * time.Millisecond)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			deadline := time.Now().Add(90 * time.Second)
			for {
				var got map[string]any
				require.Equal(t, http.StatusOK, apiGet(t, srv.URL+"/api/v1/submissions/"+ids[tc.name], token, &got))
				if got["status"] == "done" {
					assert.Regexp(t, "^("+tc.want+")$", got["verdict"], "result: %v", got["result"])
					return
				}
				require.True(t, time.Now().Before(deadline), "still %v after 90 s", got["status"])
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
}
