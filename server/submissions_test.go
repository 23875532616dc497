package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/server"
	"github.com/onsite-dev/onsite/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type submissionBody struct {
	ID       string         `json:"id"`
	Status   string         `json:"status"`
	Verdict  string         `json:"verdict"`
	Question string         `json:"question"`
	Result   *grader.Result `json:"result"`
}

// gradingServer wires the real store, pool and tracker around a grade
// function, so the API's queueing, waiting and scoping are tested apart from
// the sandbox.
func gradingServer(t *testing.T, workers, backlog int, grade grader.GradeFunc) *testServer {
	var ts *testServer
	ts = newTestServer(t, func(s *server.Server, db *store.DB) {
		subs := store.NewSubmissionService(db)
		tracker := grader.NewTracker(subs, s.Logger)
		pool := grader.NewPool(workers, backlog, grade, tracker)
		t.Cleanup(func() { pool.Close() })
		s.Submissions, s.Queue, s.Waiter = subs, pool, tracker
		s.Languages = []server.Language{{Name: "python", Title: "Python", Version: "3.11", Modes: []grader.Mode{grader.ModeFunction, grader.ModeStdio}}}
	})
	return ts
}

func TestSubmissionAPI(t *testing.T) {
	var mu sync.Mutex
	var seen []grader.Task
	ts := gradingServer(t, 2, 4, func(ctx context.Context, task grader.Task) (*grader.Result, error) {
		mu.Lock()
		seen = append(seen, task)
		mu.Unlock()
		v := grader.WrongAnswer
		if strings.Contains(task.Code, "correct") {
			v = grader.Accepted
		}
		return &grader.Result{Verdict: v, Total: len(task.Tests), Tests: []grader.TestResult{}}, nil
	})
	_, tokenA := ts.createUser(t, "a@example.com", false)
	_, tokenB := ts.createUser(t, "b@example.com", false)

	var sub submissionBody
	status := api(t, http.MethodPost, ts.URL+"/api/v1/submissions?wait=true", tokenA,
		`{"question": "roc-auc-with-ties", "language": "python", "code": "# correct", "mode": "submit"}`, &sub)
	require.Equal(t, http.StatusCreated, status)
	assert.Equal(t, "done", sub.Status)
	assert.Equal(t, "accepted", sub.Verdict)
	assert.Len(t, sub.ID, 36)

	var run submissionBody
	require.Equal(t, http.StatusCreated, api(t, http.MethodPost, ts.URL+"/api/v1/submissions?wait=true", tokenA,
		`{"question": "roc-auc-with-ties", "language": "python", "code": "return 0", "mode": "run"}`, &run))
	assert.Equal(t, "wrong_answer", run.Verdict)
	mu.Lock()
	require.Len(t, seen, 2)
	assert.Greater(t, len(seen[0].Tests), len(seen[1].Tests), "run grades only the sample tests")
	for _, tc := range seen[1].Tests {
		assert.True(t, tc.Sample)
	}
	assert.Equal(t, "roc_auc", seen[0].Function.Name)
	assert.Equal(t, grader.ModeFunction, seen[0].Mode)
	mu.Unlock()

	var custom submissionBody
	require.Equal(t, http.StatusCreated, api(t, http.MethodPost, ts.URL+"/api/v1/submissions?wait=true", tokenA,
		`{"question": "roc-auc-with-ties", "language": "python", "code": "x", "mode": "run", "input": "[1, 0]\n\n[0.9, 0.1]\n"}`, &custom))
	mu.Lock()
	last := seen[len(seen)-1].Tests
	mu.Unlock()
	require.NotEmpty(t, last)
	assert.True(t, last[len(last)-1].Custom, "the custom input is added as a last, unjudged test")
	assert.Equal(t, "[0.9, 0.1]", string(last[len(last)-1].Args[1]))

	var got submissionBody
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/submissions/"+sub.ID, tokenA, "", &got))
	assert.Equal(t, "accepted", got.Verdict)
	assert.Equal(t, http.StatusNotFound, api(t, http.MethodGet, ts.URL+"/api/v1/submissions/"+sub.ID, tokenB, "", nil),
		"another user's submission is not found")

	var langs struct {
		Items []server.Language `json:"items"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/languages", tokenA, "", &langs))
	require.Len(t, langs.Items, 1)

	bad := []struct {
		name, body, want string
	}{
		{"unknown language", `{"question": "roc-auc-with-ties", "language": "cobol", "code": "x"}`, `"cobol" is not installed`},
		{"oversized code", fmt.Sprintf(`{"question": "roc-auc-with-ties", "language": "python", "code": %q}`, strings.Repeat("x", 65<<10)), "the limit is 64 KiB"},
		{"empty code", `{"question": "roc-auc-with-ties", "language": "python", "code": "  "}`, "The code is empty"},
		{"bad mode", `{"question": "roc-auc-with-ties", "language": "python", "code": "x", "mode": "fast"}`, `mode "fast" is not a mode`},
		{"concept question", `{"question": "bias-variance-tradeoff", "language": "python", "code": "x"}`, "only coding questions are graded"},
		{"not JSON", `code=x`, "Send JSON"},
		{"custom input with submit", `{"question": "roc-auc-with-ties", "language": "python", "code": "x", "mode": "submit", "input": "[1]\n[0.5]"}`, "Custom input goes with mode run"},
		{"custom input line count", `{"question": "roc-auc-with-ties", "language": "python", "code": "x", "mode": "run", "input": "[1, 0]"}`, "has 1 lines but roc_auc takes 2 arguments"},
		{"custom input not JSON", `{"question": "roc-auc-with-ties", "language": "python", "code": "x", "mode": "run", "input": "[1, 0]\n[0.5, oops]"}`, "line 2 (scores) is not a JSON value"},
		{"custom input wrong type", `{"question": "roc-auc-with-ties", "language": "python", "code": "x", "mode": "run", "input": "[1, \"a\"]\n[0.5, 0.1]"}`, `line 1 (labels): element [1], "a", is not of type int`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			var body apiErrorBody
			assert.Equal(t, http.StatusBadRequest, api(t, http.MethodPost, ts.URL+"/api/v1/submissions", tokenA, tc.body, &body))
			assert.Contains(t, body.Error.Message, tc.want)
		})
	}
	var body apiErrorBody
	assert.Equal(t, http.StatusNotFound, api(t, http.MethodPost, ts.URL+"/api/v1/submissions", tokenA,
		`{"question": "no-such", "language": "python", "code": "x"}`, &body))
}

// TestSubmissionQueueFull: a full queue answers 429 with Retry-After and
// starts nothing more.
func TestSubmissionQueueFull(t *testing.T) {
	release := make(chan struct{})
	ts := gradingServer(t, 1, 1, func(ctx context.Context, task grader.Task) (*grader.Result, error) {
		<-release
		return &grader.Result{Verdict: grader.Accepted, Tests: []grader.TestResult{}}, nil
	})
	t.Cleanup(func() { close(release) })
	_, token := ts.createUser(t, "a@example.com", false)
	post := func() (int, submissionBody) {
		var sub submissionBody
		code := api(t, http.MethodPost, ts.URL+"/api/v1/submissions", token,
			`{"question": "roc-auc-with-ties", "language": "python", "code": "x"}`, &sub)
		return code, sub
	}
	codes := []int{}
	for range 4 {
		code, _ := post()
		codes = append(codes, code)
	}
	assert.Contains(t, codes, http.StatusTooManyRequests, "got %v", codes)
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/submissions", strings.NewReader(`{"question": "roc-auc-with-ties", "language": "python", "code": "x"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))
}

func TestSubmissionsWithoutGrader(t *testing.T) {
	ts := newTestServer(t)
	_, token := ts.createUser(t, "a@example.com", false)
	var body apiErrorBody
	assert.Equal(t, http.StatusServiceUnavailable, api(t, http.MethodPost, ts.URL+"/api/v1/submissions", token, `{}`, &body))
	assert.Contains(t, body.Error.Message, "grader is not running")
}
