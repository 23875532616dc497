package store

import (
	"context"
	"testing"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/grader"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSubmissionLifecycle: a submission is created queued, runs, finishes
// with its result, and is visible only to its author.
func TestSubmissionLifecycle(t *testing.T) {
	db := openTestDB(t)
	qs := NewQuestionService(db)
	ada := createUser(t, db, "ada@example.com")
	bob := createUser(t, db, "bob@example.com")
	importSets(t, qs, 0, setYAML("subs", qspec{slug: "sum-lines", kind: "coding"}, qspec{slug: "why", kind: "concept"}))
	subs := NewSubmissionService(db)
	adaCtx := onsite.NewContextWithUser(context.Background(), ada)
	bobCtx := onsite.NewContextWithUser(context.Background(), bob)

	sub := &grader.Submission{Question: "sum-lines", Language: "python", Code: "print(1)", Mode: grader.SubmitSubmit}
	require.NoError(t, subs.CreateSubmission(adaCtx, sub))
	assert.Len(t, sub.ID, 36, "a UUID")
	assert.Equal(t, grader.StatusQueued, sub.Status)

	require.NoError(t, subs.SetSubmissionStatus(adaCtx, sub.ID, grader.StatusRunning))
	first := 1
	result := &grader.Result{Verdict: grader.WrongAnswer, FirstFailure: &first, Passed: 1, Total: 2, TimeMS: 12.5,
		Tests: []grader.TestResult{{Index: 0, Passed: true, Verdict: grader.Accepted}, {Index: 1, Verdict: grader.WrongAnswer}}}
	require.NoError(t, subs.FinishSubmission(adaCtx, sub.ID, result))

	got, err := subs.FindSubmissionByID(adaCtx, sub.ID)
	require.NoError(t, err)
	assert.Equal(t, grader.StatusDone, got.Status)
	assert.Equal(t, grader.WrongAnswer, got.Verdict)
	assert.Equal(t, result, got.Result)
	assert.Equal(t, "sum-lines", got.Question)
	assert.NotNil(t, got.FinishedAt)

	_, err = subs.FindSubmissionByID(bobCtx, sub.ID)
	assert.Equal(t, onsite.ENOTFOUND, onsite.ErrorCode(err), "another user's submission is not found")

	tests := []struct {
		name     string
		question string
		want     string
	}{
		{"unknown question", "nope", onsite.ENOTFOUND},
		{"not a coding question", "why", onsite.ENOTFOUND},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := subs.CreateSubmission(adaCtx, &grader.Submission{Question: tc.question, Language: "python", Code: "x", Mode: "run"})
			assert.Equal(t, tc.want, onsite.ErrorCode(err))
		})
	}
}
