package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/grader"
)

var _ grader.SubmissionService = (*SubmissionService)(nil)

// SubmissionService stores submissions and their results.
type SubmissionService struct {
	db *DB
}

// NewSubmissionService returns a SubmissionService over db.
func NewSubmissionService(db *DB) *SubmissionService {
	return &SubmissionService{db: db}
}

// CreateSubmission stores a queued submission of the context's user for a
// question that user can see; it sets ID, Status and CreatedAt.
func (s *SubmissionService) CreateSubmission(ctx context.Context, sub *grader.Submission) error {
	user := onsite.UserFromContext(ctx)
	if user == nil {
		return onsite.Errorf(onsite.EUNAUTHORIZED, "Sign in to submit code.")
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		where, args := visible(ctx)
		var questionID int64
		err := tx.QueryRowContext(ctx, `SELECT q.id FROM questions q JOIN question_sets s ON s.id = q.set_id
			WHERE q.slug = ? AND q.kind = 'coding' AND `+where, append([]any{sub.Question}, args...)...).Scan(&questionID)
		if errors.Is(err, sql.ErrNoRows) {
			return onsite.Errorf(onsite.ENOTFOUND, "No coding question has the slug %q.", sub.Question)
		} else if err != nil {
			return err
		}
		sub.ID, sub.UserID, sub.Status, sub.CreatedAt = uuid.NewString(), user.ID, grader.StatusQueued, tx.now.Truncate(time.Millisecond)
		_, err = tx.ExecContext(ctx, `INSERT INTO submissions (id, user_id, question_id, language, code, mode, input, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, sub.ID, user.ID, questionID, sub.Language, sub.Code, sub.Mode, sub.Input,
			sub.Status, formatTime(tx.now))
		return err
	})
}

// SetSubmissionStatus records that the grader picked a submission up.
func (s *SubmissionService) SetSubmissionStatus(ctx context.Context, id string, status grader.Status) error {
	res, err := s.db.w.ExecContext(ctx, `UPDATE submissions SET status = ? WHERE id = ?`, status, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Submission")
	}
	return nil
}

// FinishSubmission records a submission's result.
func (s *SubmissionService) FinishSubmission(ctx context.Context, id string, result *grader.Result) error {
	data, err := json.Marshal(result)
	if err != nil {
		return err
	}
	res, err := s.db.w.ExecContext(ctx, `UPDATE submissions SET status = 'done', verdict = ?, result = ?, time_ms = ?, finished_at = ?
		WHERE id = ?`, result.Verdict, string(data), result.TimeMS, formatTime(s.db.Now()), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("Submission")
	}
	return nil
}

// FindSubmissionByID returns one of the context user's submissions.
func (s *SubmissionService) FindSubmissionByID(ctx context.Context, id string) (*grader.Submission, error) {
	var sub grader.Submission
	var verdict, result sql.NullString
	var input sql.NullString
	err := s.db.db.QueryRowContext(ctx, `SELECT s.id, s.user_id, q.slug, s.language, s.code, s.mode, s.input, s.status,
		s.verdict, s.result, s.created_at, s.finished_at
		FROM submissions s JOIN questions q ON q.id = s.question_id
		WHERE s.id = ? AND s.user_id = ?`, id, onsite.UserIDFromContext(ctx)).Scan(&sub.ID, &sub.UserID, &sub.Question,
		&sub.Language, &sub.Code, &sub.Mode, &input, &sub.Status, &verdict, &result, timeValue{&sub.CreatedAt}, timeText{&sub.FinishedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Submission")
	} else if err != nil {
		return nil, err
	}
	if input.Valid {
		sub.Input = &input.String
	}
	sub.Verdict = grader.Verdict(verdict.String)
	if result.Valid {
		sub.Result = &grader.Result{}
		if err := json.Unmarshal([]byte(result.String), sub.Result); err != nil {
			return nil, err
		}
	}
	return &sub, nil
}

// RequeueUnfinishedSubmissions marks the running submissions queued again
// and returns every queued one, oldest first.
func (s *SubmissionService) RequeueUnfinishedSubmissions(ctx context.Context) ([]*grader.Submission, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT s.id, s.user_id, q.slug, s.language, s.code, s.mode, s.input, s.status, s.created_at
		FROM submissions s JOIN questions q ON q.id = s.question_id
		WHERE s.status <> 'done' ORDER BY s.created_at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*grader.Submission
	for rows.Next() {
		var sub grader.Submission
		var input sql.NullString
		if err := rows.Scan(&sub.ID, &sub.UserID, &sub.Question, &sub.Language, &sub.Code, &sub.Mode, &input, &sub.Status, timeValue{&sub.CreatedAt}); err != nil {
			return nil, err
		}
		if input.Valid {
			sub.Input = &input.String
		}
		out = append(out, &sub)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) > 0 {
		if _, err := s.db.w.ExecContext(ctx, `UPDATE submissions SET status = 'queued' WHERE status = 'running'`); err != nil {
			return nil, err
		}
	}
	return out, nil
}
