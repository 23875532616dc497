package interview

import (
	"context"
	"time"

	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/questions"
)

// Status is where a session is in its life.
type Status string

// The statuses of a session.
const (
	Created    Status = "created"
	InProgress Status = "in_progress"
	Finished   Status = "finished"
	Abandoned  Status = "abandoned"
)

// Session is one mock interview: a format, the questions chosen for each of
// its rounds, the candidate's answers, and the server-owned clock.
type Session struct {
	ID         string     `json:"id"`
	UserID     int64      `json:"-"`
	Format     Format     `json:"format"`
	Status     Status     `json:"status"`
	Rounds     []Round    `json:"rounds"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Now is the server's clock when the session was read, so a page can
	// count down without trusting the browser's clock.
	Now time.Time `json:"now"`
	// Scorecard is set once the session is finished.
	Scorecard *Scorecard `json:"scorecard,omitempty"`
}

// Round is one timed round of a session.
type Round struct {
	Index    int            `json:"index"`
	Title    string         `json:"title"`
	Kind     questions.Kind `json:"kind"`
	Minutes  int            `json:"minutes"`
	Answers  []Answer       `json:"answers"`
	Started  *time.Time     `json:"started_at,omitempty"`
	Deadline *time.Time     `json:"deadline,omitempty"`
	// Submitted is when the round's answers were handed in, by the
	// candidate or by the clock.
	Submitted *time.Time `json:"submitted_at,omitempty"`
	TimedOut  bool       `json:"timed_out,omitempty"`
}

// State names where a round is: pending, running or submitted.
func (r Round) State() string {
	switch {
	case r.Submitted != nil:
		return "submitted"
	case r.Started != nil:
		return "running"
	}
	return "pending"
}

// Answer is the candidate's answer to one question of a round.
type Answer struct {
	Position int    `json:"position"`
	Question string `json:"question"`
	Title    string `json:"title"`
	// Text is a Markdown answer (concept, behavioral, system design).
	Text string `json:"text"`
	// Language and Code hold a coding answer; Verdict, Passed and Total
	// are its last submission's result.
	Language   string `json:"language,omitempty"`
	Code       string `json:"code,omitempty"`
	Submission string `json:"submission,omitempty"`
	Verdict    string `json:"verdict,omitempty"`
	Passed     int    `json:"passed,omitempty"`
	Total      int    `json:"total,omitempty"`
	Attempts   int    `json:"attempts,omitempty"`
	// Covered lists the rubric (or key point) items the candidate ticked,
	// by index; SelfRating is their rating, 0 until given.
	Covered    []int        `json:"covered"`
	SelfRating drill.Rating `json:"self_rating,omitempty"`
	// Peer fields are the interviewer's, in peer mode.
	PeerCovered []int          `json:"peer_covered,omitempty"`
	PeerSignal  Signal         `json:"peer_signal,omitempty"`
	PeerNotes   string         `json:"peer_notes,omitempty"`
	UpdatedAt   time.Time      `json:"updated_at"`
	RubricSize  int            `json:"rubric_size"`
	Topics      []string       `json:"topics,omitempty"`
	Estimated   int            `json:"estimated_minutes,omitempty"`
	Difficulty  string         `json:"difficulty,omitempty"`
	Kind        questions.Kind `json:"kind"`
}

// Current returns the round being answered or next to start, or nil when
// every round is submitted.
func (s *Session) Current() *Round {
	for i := range s.Rounds {
		if s.Rounds[i].Submitted == nil {
			return &s.Rounds[i]
		}
	}
	return nil
}

// Expire submits, as they stand, the answers of a running round whose time
// ran out by now, and reports which rounds it submitted.
func (s *Session) Expire(now time.Time) []int {
	var expired []int
	for i := range s.Rounds {
		r := &s.Rounds[i]
		if r.Started != nil && r.Submitted == nil && r.Deadline != nil && !now.Before(*r.Deadline) {
			at := *r.Deadline
			r.Submitted, r.TimedOut = &at, true
			expired = append(expired, i)
		}
	}
	return expired
}

// AnswerInput is an autosaved answer; nil fields are left as they are.
type AnswerInput struct {
	Text       *string       `json:"text"`
	Language   *string       `json:"language"`
	Code       *string       `json:"code"`
	Covered    *[]int        `json:"covered"`
	SelfRating *drill.Rating `json:"self_rating"`
}

// PeerInput is what a peer interviewer fills in for one answer.
type PeerInput struct {
	Covered *[]int  `json:"covered"`
	Signal  *Signal `json:"signal"`
	Notes   *string `json:"notes"`
}

// Service stores sessions for the context's user.
type Service interface {
	// CreateSession chooses the questions of f for the user and stores a
	// created session.
	CreateSession(ctx context.Context, f Format) (*Session, error)
	FindSession(ctx context.Context, id string) (*Session, error)
	FindSessions(ctx context.Context) ([]*Session, error)
	// StartRound starts the next pending round (the first one starts the
	// session).
	StartRound(ctx context.Context, id string) (*Session, error)
	SaveAnswer(ctx context.Context, id string, round, position int, in AnswerInput) (*Answer, error)
	// RecordSubmission notes a graded submission against a coding answer.
	RecordSubmission(ctx context.Context, id string, round, position int, submission, verdict string, passed, total int) error
	SubmitRound(ctx context.Context, id string, round int) (*Session, error)
	// FinishSession submits what is left, scores the session and logs
	// each answered question as a drill review.
	FinishSession(ctx context.Context, id string) (*Session, error)
	AbandonSession(ctx context.Context, id string) (*Session, error)
	// PeerLink returns a new secret for the peer interviewer's page.
	PeerLink(ctx context.Context, id string) (string, error)
	FindSessionByPeerToken(ctx context.Context, token string) (*Session, error)
	SavePeerScore(ctx context.Context, token string, round, position int, in PeerInput) error
}
