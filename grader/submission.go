package grader

import (
	"context"
	"time"
)

// Submission is code a user sent to the grader, and what the grader said.
type Submission struct {
	ID       string `json:"id"`
	UserID   int64  `json:"-"`
	Question string `json:"question"`
	Language string `json:"language"`
	Code     string `json:"code"`
	// Mode is "run" (sample tests and optional custom input) or "submit"
	// (every test).
	Mode       string     `json:"mode"`
	Input      *string    `json:"input,omitempty"`
	Status     Status     `json:"status"`
	Verdict    Verdict    `json:"verdict,omitempty"`
	Result     *Result    `json:"result,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// Status is where a submission is in its life.
type Status string

// The statuses.
const (
	StatusQueued  Status = "queued"
	StatusRunning Status = "running"
	StatusDone    Status = "done"
)

// Submission modes.
const (
	SubmitRun    = "run"
	SubmitSubmit = "submit"
)

// MaxCodeBytes bounds submitted code.
const MaxCodeBytes = 64 << 10

// SubmissionService stores submissions; every read is scoped to the user in
// the context, and another user's submission is ENOTFOUND.
type SubmissionService interface {
	CreateSubmission(ctx context.Context, s *Submission) error
	// SetSubmissionStatus moves a submission to running.
	SetSubmissionStatus(ctx context.Context, id string, status Status) error
	// FinishSubmission records the result and marks it done.
	FinishSubmission(ctx context.Context, id string, result *Result) error
	FindSubmissionByID(ctx context.Context, id string) (*Submission, error)
	// RequeueUnfinishedSubmissions marks every user's running
	// submissions queued again and returns all the queued ones, oldest
	// first: after a restart they are graded again.
	RequeueUnfinishedSubmissions(ctx context.Context) ([]*Submission, error)
}
