package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/interview"
	"github.com/onsite-dev/onsite/questions"
)

// TestInterviewLifecycle runs the full onsite format through the store: the
// clock is the server's, an expired round is submitted as it stood, answers
// autosave independently, the finish scores the session and logs reviews,
// and a peer's signal rescores it.
func TestInterviewLifecycle(t *testing.T) {
	db := openTestDB(t)
	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	_, err = NewQuestionService(db).ImportSets(context.Background(), 0, sets)
	require.NoError(t, err)
	clock := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	ada := onsite.NewContextWithUser(context.Background(), createUser(t, db, "ada@example.com"))
	bob := onsite.NewContextWithUser(context.Background(), createUser(t, db, "bob@example.com"))
	svc := NewInterviewService(db)

	f, _ := interview.FindFormat("ml-engineer-onsite")
	sess, err := svc.CreateSession(ada, f)
	require.NoError(t, err)
	assert.Equal(t, interview.Created, sess.Status)
	require.Len(t, sess.Rounds, 4)
	seen := map[string]bool{}
	for i, r := range sess.Rounds {
		assert.Len(t, r.Answers, f.Rounds[i].Count)
		for _, a := range r.Answers {
			assert.Equal(t, f.Rounds[i].Kind, a.Kind)
			assert.False(t, seen[a.Question], "%s asked twice", a.Question)
			seen[a.Question] = true
		}
	}
	_, err = svc.FindSession(bob, sess.ID)
	assert.Equal(t, onsite.ENOTFOUND, onsite.ErrorCode(err), "another user's session is not found")

	_, err = svc.SaveAnswer(ada, sess.ID, 0, 0, interview.AnswerInput{Code: ptr("x")})
	assert.Equal(t, onsite.ECONFLICT, onsite.ErrorCode(err), "a pending round takes no answers")

	sess, err = svc.StartRound(ada, sess.ID)
	require.NoError(t, err)
	assert.Equal(t, interview.InProgress, sess.Status)
	assert.Equal(t, clock.Add(45*time.Minute), *sess.Rounds[0].Deadline)
	_, err = svc.SaveAnswer(ada, sess.ID, 0, 0, interview.AnswerInput{Language: ptr("python"), Code: ptr("def f(): pass")})
	require.NoError(t, err)
	require.NoError(t, svc.RecordSubmission(ada, sess.ID, 0, 0, "sub-1", "wrong_answer", 3, 10))
	require.NoError(t, svc.RecordSubmission(ada, sess.ID, 0, 0, "sub-2", "accepted", 10, 10))
	clock = clock.Add(20 * time.Minute)
	sess, err = svc.SubmitRound(ada, sess.ID, 0)
	require.NoError(t, err)
	assert.Equal(t, "submitted", sess.Rounds[0].State())
	assert.False(t, sess.Rounds[0].TimedOut)

	// The concept round: two answers saved as from two tabs, then the
	// clock runs out.
	sess, err = svc.StartRound(ada, sess.ID)
	require.NoError(t, err)
	_, err = svc.SaveAnswer(ada, sess.ID, 1, 0, interview.AnswerInput{Text: ptr("Bias is error from wrong assumptions...")})
	require.NoError(t, err)
	_, err = svc.SaveAnswer(ada, sess.ID, 1, 1, interview.AnswerInput{Text: ptr("Precision is TP over predicted positives.")})
	require.NoError(t, err)
	_, err = svc.SaveAnswer(ada, sess.ID, 1, 0, interview.AnswerInput{Covered: ptr([]int{2, 0, 2})})
	require.NoError(t, err)
	clock = clock.Add(3 * time.Hour) // the candidate closed the laptop
	sess, err = svc.FindSession(ada, sess.ID)
	require.NoError(t, err)
	r1 := sess.Rounds[1]
	assert.True(t, r1.TimedOut, "the clock submitted the round")
	assert.Equal(t, *r1.Deadline, *r1.Submitted)
	assert.Equal(t, "Bias is error from wrong assumptions...", r1.Answers[0].Text, "both autosaves survive")
	assert.Equal(t, []int{0, 2}, r1.Answers[0].Covered)
	assert.Equal(t, "Precision is TP over predicted positives.", r1.Answers[1].Text)
	_, err = svc.SaveAnswer(ada, sess.ID, 1, 1, interview.AnswerInput{Text: ptr("too late")})
	assert.Equal(t, onsite.ECONFLICT, onsite.ErrorCode(err))
	_, err = svc.SaveAnswer(ada, sess.ID, 1, 1, interview.AnswerInput{Covered: ptr([]int{0, 1}), SelfRating: ptr(drill.Good)})
	require.NoError(t, err, "the rubric is ticked after the round")
	_, err = svc.SaveAnswer(ada, sess.ID, 1, 1, interview.AnswerInput{Covered: ptr([]int{99})})
	assert.Equal(t, onsite.EINVALID, onsite.ErrorCode(err))

	token, err := svc.PeerLink(ada, sess.ID)
	require.NoError(t, err)
	peerView, err := svc.FindSessionByPeerToken(context.Background(), token)
	require.NoError(t, err)
	assert.Equal(t, sess.ID, peerView.ID)

	sess, err = svc.FinishSession(ada, sess.ID)
	require.NoError(t, err)
	assert.Equal(t, interview.Finished, sess.Status)
	require.NotNil(t, sess.Scorecard)
	sc := sess.Scorecard
	require.Len(t, sc.Rounds, 4)
	assert.Equal(t, interview.StrongHire, sc.Rounds[0].Signal, "accepted on the second submission, in under 75%% of the time: %s", sc.Rounds[0].Reason)
	assert.Equal(t, interview.StrongNoHire, sc.Rounds[2].Signal, "never started")
	assert.Equal(t, interview.LeanNoHire, sc.Overall)

	today, err := NewDrillService(db).FindToday(ada)
	require.NoError(t, err)
	assert.Equal(t, 3, today.Reviewed, "the coding answer and the two concept answers were logged as reviews")

	_, err = svc.StartRound(ada, sess.ID)
	assert.Equal(t, onsite.ECONFLICT, onsite.ErrorCode(err), "a finished interview stays finished")

	before := sess.Scorecard.Rounds[1].Signal
	require.NoError(t, svc.SavePeerScore(context.Background(), token, 1, 0, interview.PeerInput{Signal: ptr(interview.StrongHire), Notes: ptr("Clear on bias and variance")}))
	sess, err = svc.FindSession(ada, sess.ID)
	require.NoError(t, err)
	assert.NotEqual(t, interview.StrongHire, before)
	assert.Equal(t, interview.StrongHire, sess.Scorecard.Rounds[1].Signal, "the peer's signal rescored the round")
	assert.True(t, sess.Scorecard.Rounds[1].ByPeer)
	assert.Equal(t, "Clear on bias and variance", sess.Rounds[1].Answers[0].PeerNotes)
	err = svc.SavePeerScore(context.Background(), token, 2, 0, interview.PeerInput{Signal: ptr(interview.LeanHire)})
	assert.Equal(t, onsite.ECONFLICT, onsite.ErrorCode(err), "a round never started has nothing to score")

	_, err = svc.FindSessionByPeerToken(context.Background(), "not-a-token")
	assert.Equal(t, onsite.ENOTFOUND, onsite.ErrorCode(err))

	list, err := svc.FindSessions(ada)
	require.NoError(t, err)
	require.Len(t, list, 1)
	list, err = svc.FindSessions(bob)
	require.NoError(t, err)
	assert.Empty(t, list)

	// The next session avoids the questions just asked.
	next, err := svc.CreateSession(ada, f)
	require.NoError(t, err)
	for _, r := range next.Rounds {
		for _, a := range r.Answers {
			assert.False(t, seen[a.Question], "%s was asked again a moment later", a.Question)
		}
	}
	bad := interview.Format{Title: "X", Rounds: []interview.RoundSpec{{Kind: questions.KindCoding, Count: 999, Minutes: 10}}}
	_, err = svc.CreateSession(ada, bad)
	assert.Equal(t, onsite.EINVALID, onsite.ErrorCode(err))
}
