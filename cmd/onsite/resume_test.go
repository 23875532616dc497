package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/grader"
	"github.com/onsite-dev/onsite/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInterruptedGradingsResume: gradings a killed server left queued or
// running are graded when it starts again, never left "running" forever.
func TestInterruptedGradingsResume(t *testing.T) {
	first, dir, token := gradingServe(t)
	first.Stop(t)

	// What a SIGKILL leaves: one submission running, one queued.
	db := store.NewDB(filepath.Join(dir, store.FileName))
	require.NoError(t, db.Open(context.Background()))
	u, err := store.NewUserService(db).FindUserByEmail(context.Background(), "ada@example.com")
	require.NoError(t, err)
	ctx := onsite.NewContextWithUser(context.Background(), u)
	subs := store.NewSubmissionService(db)
	var ids []string
	for i, status := range []grader.Status{grader.StatusRunning, grader.StatusQueued} {
		sub := &grader.Submission{Question: "precision-recall-f1", Language: "python", Mode: grader.SubmitSubmit,
			Code: referenceSolution(t, "precision-recall-f1", "python")}
		require.NoError(t, subs.CreateSubmission(ctx, sub), "submission %d", i)
		require.NoError(t, subs.SetSubmissionStatus(ctx, sub.ID, status))
		ids = append(ids, sub.ID)
	}
	require.NoError(t, db.Close())

	second := startServe(t, dir)
	for _, id := range ids {
		var got struct {
			Status  string `json:"status"`
			Verdict string `json:"verdict"`
		}
		require.Eventually(t, func() bool {
			req, _ := http.NewRequest(http.MethodGet, second.URL+"/api/v1/submissions/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			return json.NewDecoder(resp.Body).Decode(&got) == nil && got.Status == "done"
		}, 60*time.Second, 200*time.Millisecond, "submission %s was not graded after the restart", id)
		assert.Equal(t, "accepted", got.Verdict)
	}
	assert.Contains(t, second.Log.String(), `"requeued":2`)
}
