package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/interview"
	"github.com/onsite-dev/onsite/questions"
)

var _ interview.Service = (*InterviewService)(nil)

// InterviewService stores mock interviews.
type InterviewService struct {
	db    *DB
	drill *DrillService
}

// NewInterviewService returns an InterviewService over db; answered
// questions are logged as reviews through the drill service on the same
// database.
func NewInterviewService(db *DB) *InterviewService {
	return &InterviewService{db: db, drill: NewDrillService(db)}
}

// CreateSession chooses the format's questions for the context user and
// stores the session, its rounds and an empty answer per question.
func (s *InterviewService) CreateSession(ctx context.Context, f interview.Format) (*interview.Session, error) {
	user, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	if bad := f.Validate(); len(bad) > 0 {
		return nil, onsite.Errorf(onsite.EINVALID, "The format is not valid: %s.", strings.Join(bad, "; "))
	}
	pool, weakness, err := s.candidates(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	now := s.db.Now().UTC()
	chosen, err := interview.Choose(f, pool, weakness, now, rand.New(rand.NewPCG(uint64(now.UnixNano()), uint64(user.ID))))
	if err != nil {
		return nil, onsite.Errorf(onsite.EINVALID, "%s.", err.Error())
	}
	id := uuid.NewString()
	format, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO interviews (id, user_id, format, status, created_at) VALUES (?, ?, ?, 'created', ?)`,
			id, user.ID, string(format), formatTime(tx.now)); err != nil {
			return err
		}
		for i, spec := range f.Rounds {
			if _, err := tx.ExecContext(ctx, `INSERT INTO interview_rounds (interview_id, idx, title, kind, minutes) VALUES (?, ?, ?, ?, ?)`,
				id, i, spec.Title, spec.Kind, spec.Minutes); err != nil {
				return err
			}
			for pos, c := range chosen[i] {
				if _, err := tx.ExecContext(ctx, `INSERT INTO interview_answers (interview_id, round_idx, position, question_id, updated_at) VALUES (?, ?, ?, ?, ?)`,
					id, i, pos, c.ID, formatTime(tx.now)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.FindSession(ctx, id)
}

// candidates are the questions the user can be asked, when they last
// practised each, and their weakness by topic (1 minus the mean
// retrievability of their cards on it a week from now).
func (s *InterviewService) candidates(ctx context.Context, userID int64) ([]interview.Candidate, map[string]float64, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT q.id, q.slug, q.kind, q.difficulty, q.topics, c.last_review
		FROM questions q JOIN question_sets s ON s.id = q.set_id
		LEFT JOIN cards c ON c.user_id = ? AND c.question_id = q.id AND c.state > 0
		WHERE q.retired = 0 AND (s.owner_id IS NULL OR s.owner_id = ?)`, userID, userID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var pool []interview.Candidate
	for rows.Next() {
		var c interview.Candidate
		var topics string
		var last *time.Time
		if err := rows.Scan(&c.ID, &c.Slug, &c.Kind, &c.Difficulty, &topics, timeText{&last}); err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal([]byte(topics), &c.Topics); err != nil {
			return nil, nil, err
		}
		if last != nil {
			c.LastSeen = *last
		}
		pool = append(pool, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	// Answers given in earlier sessions count as seen too.
	seen := map[int64]time.Time{}
	r2, err := s.db.db.QueryContext(ctx, `SELECT a.question_id, MAX(a.updated_at) FROM interview_answers a JOIN interviews i ON i.id = a.interview_id
		WHERE i.user_id = ? GROUP BY a.question_id`, userID)
	if err != nil {
		return nil, nil, err
	}
	defer r2.Close()
	for r2.Next() {
		var id int64
		var at time.Time
		if err := r2.Scan(&id, timeValue{&at}); err != nil {
			return nil, nil, err
		}
		seen[id] = at
	}
	for i := range pool {
		if at, ok := seen[pool[i].ID]; ok && at.After(pool[i].LastSeen) {
			pool[i].LastSeen = at
		}
	}
	if err := r2.Err(); err != nil {
		return nil, nil, err
	}
	d, err := s.drill.dayOf(ctx, s.db.db, s.db.Now())
	if err != nil {
		return nil, nil, err
	}
	strengths, err := s.drill.topicStrengths(ctx, d)
	if err != nil {
		return nil, nil, err
	}
	weakness := map[string]float64{}
	// The lean goes to the topics the dashboard names weakest.
	for _, t := range strengths[:min(len(strengths), weakestTopics)] {
		weakness[t.Topic] = 1 - t.Retrievability
	}
	return pool, weakness, nil
}

// FindSession returns one of the context user's sessions, submitting any
// round whose time ran out first, so every reader sees the clock's verdict.
func (s *InterviewService) FindSession(ctx context.Context, id string) (*interview.Session, error) {
	user, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	var sess *interview.Session
	err = s.db.inTx(ctx, func(tx *Tx) error {
		sess, err = s.load(ctx, tx, id, user.ID)
		return err
	})
	return sess, err
}

// load reads a session in tx, expiring rounds whose deadline passed.
func (s *InterviewService) load(ctx context.Context, tx *Tx, id string, userID int64) (*interview.Session, error) {
	sess := &interview.Session{ID: id, Now: tx.now}
	var format string
	var scorecard sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT user_id, format, status, scorecard, created_at, finished_at FROM interviews WHERE id = ?`, id).
		Scan(&sess.UserID, &format, &sess.Status, &scorecard, timeValue{&sess.CreatedAt}, timeText{&sess.FinishedAt})
	if errors.Is(err, sql.ErrNoRows) || (err == nil && userID != 0 && sess.UserID != userID) {
		return nil, onsite.Errorf(onsite.ENOTFOUND, "Interview not found.")
	} else if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(format), &sess.Format); err != nil {
		return nil, err
	}
	if scorecard.Valid {
		sess.Scorecard = &interview.Scorecard{}
		if err := json.Unmarshal([]byte(scorecard.String), sess.Scorecard); err != nil {
			return nil, err
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT idx, title, kind, minutes, started_at, deadline, submitted_at, timed_out
		FROM interview_rounds WHERE interview_id = ? ORDER BY idx`, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var r interview.Round
		if err := rows.Scan(&r.Index, &r.Title, &r.Kind, &r.Minutes, timeText{&r.Started}, timeText{&r.Deadline}, timeText{&r.Submitted}, &r.TimedOut); err != nil {
			rows.Close()
			return nil, err
		}
		sess.Rounds = append(sess.Rounds, r)
	}
	rows.Close()
	rows, err = tx.QueryContext(ctx, `SELECT a.round_idx, a.position, q.slug, q.title, q.kind, q.difficulty, q.topics, q.estimated_minutes, q.data,
			a.text, a.language, a.code, a.submission, a.verdict, a.passed, a.total, a.attempts, a.covered, a.self_rating,
			a.peer_covered, a.peer_signal, a.peer_notes, a.updated_at
		FROM interview_answers a JOIN questions q ON q.id = a.question_id WHERE a.interview_id = ? ORDER BY a.round_idx, a.position`, id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var a interview.Answer
		var round int
		var topics, data, covered, peerCovered string
		if err := rows.Scan(&round, &a.Position, &a.Question, &a.Title, &a.Kind, &a.Difficulty, &topics, &a.Estimated, &data,
			&a.Text, &a.Language, &a.Code, &a.Submission, &a.Verdict, &a.Passed, &a.Total, &a.Attempts, &covered, &a.SelfRating,
			&peerCovered, &a.PeerSignal, &a.PeerNotes, timeValue{&a.UpdatedAt}); err != nil {
			rows.Close()
			return nil, err
		}
		for _, f := range []struct {
			raw string
			dst any
		}{{topics, &a.Topics}, {covered, &a.Covered}, {peerCovered, &a.PeerCovered}} {
			if err := json.Unmarshal([]byte(f.raw), f.dst); err != nil {
				rows.Close()
				return nil, err
			}
		}
		a.RubricSize = rubricSize(a.Kind, data)
		if round < len(sess.Rounds) {
			sess.Rounds[round].Answers = append(sess.Rounds[round].Answers, a)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if sess.Status == interview.InProgress {
		for _, i := range sess.Expire(tx.now) {
			r := sess.Rounds[i]
			if _, err := tx.ExecContext(ctx, `UPDATE interview_rounds SET submitted_at = ?, timed_out = 1 WHERE interview_id = ? AND idx = ? AND submitted_at IS NULL`,
				formatTime(*r.Submitted), id, i); err != nil {
				return nil, err
			}
		}
	}
	return sess, nil
}

// rubricSize is how many items an answer of the kind is checked against:
// the key points of a concept, the STAR rubric (or strong-answer signals) of
// a behavioral question, the rubric of a system design prompt.
func rubricSize(kind questions.Kind, data string) int {
	var d struct {
		KeyPoints    []string `json:"key_points"`
		Rubric       []string `json:"rubric"`
		StrongAnswer []string `json:"strong_answer"`
	}
	_ = json.Unmarshal([]byte(data), &d)
	switch kind {
	case questions.KindConcept:
		return len(d.KeyPoints)
	case questions.KindBehavioral:
		if len(d.Rubric) > 0 {
			return len(d.Rubric)
		}
		return len(d.StrongAnswer)
	case questions.KindSystemDesign:
		return len(d.Rubric)
	}
	return 0
}

// FindSessions lists the context user's sessions, newest first.
func (s *InterviewService) FindSessions(ctx context.Context) ([]*interview.Session, error) {
	user, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT id FROM interviews WHERE user_id = ? ORDER BY created_at DESC LIMIT 200`, user.ID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []*interview.Session{}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		for _, id := range ids {
			sess, err := s.load(ctx, tx, id, user.ID)
			if err != nil {
				return err
			}
			out = append(out, sess)
		}
		return nil
	})
	return out, err
}

// update loads the user's session in a transaction, lets fn change it
// through tx, and returns it read again.
func (s *InterviewService) update(ctx context.Context, id string, fn func(tx *Tx, sess *interview.Session) error) (*interview.Session, error) {
	user, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, func(tx *Tx) error {
		sess, err := s.load(ctx, tx, id, user.ID)
		if err != nil {
			return err
		}
		return fn(tx, sess)
	})
	if err != nil {
		return nil, err
	}
	return s.FindSession(ctx, id)
}

func over(sess *interview.Session) error {
	if sess.Status == interview.Finished || sess.Status == interview.Abandoned {
		return onsite.Errorf(onsite.ECONFLICT, "This interview is %s.", sess.Status)
	}
	return nil
}

// StartRound starts the next pending round, with its deadline, and the
// session with its first round.
func (s *InterviewService) StartRound(ctx context.Context, id string) (*interview.Session, error) {
	return s.update(ctx, id, func(tx *Tx, sess *interview.Session) error {
		if err := over(sess); err != nil {
			return err
		}
		r := sess.Current()
		if r == nil {
			return onsite.Errorf(onsite.ECONFLICT, "Every round is done: finish the interview to see the scorecard.")
		}
		if r.Started != nil {
			return nil // already running: starting twice (two tabs) is harmless
		}
		deadline := tx.now.Add(time.Duration(r.Minutes) * time.Minute)
		if _, err := tx.ExecContext(ctx, `UPDATE interview_rounds SET started_at = ?, deadline = ? WHERE interview_id = ? AND idx = ?`,
			formatTime(tx.now), formatTime(deadline), id, r.Index); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE interviews SET status = 'in_progress' WHERE id = ? AND status = 'created'`, id)
		return err
	})
}

// answerOf finds an answer of a running round.
func answerOf(sess *interview.Session, round, position int) (*interview.Answer, error) {
	if round < 0 || round >= len(sess.Rounds) || position < 0 || position >= len(sess.Rounds[round].Answers) {
		return nil, onsite.Errorf(onsite.ENOTFOUND, "This interview has no question %d in round %d.", position+1, round+1)
	}
	r := sess.Rounds[round]
	switch r.State() {
	case "pending":
		return nil, onsite.Errorf(onsite.ECONFLICT, "Round %d has not started yet.", round+1)
	}
	return &sess.Rounds[round].Answers[position], nil
}

// SaveAnswer autosaves one answer. Text and code are taken while the round
// runs; the rubric ticks and the self-rating also after it is submitted
// (that is when the rubric is shown), until the interview is finished.
func (s *InterviewService) SaveAnswer(ctx context.Context, id string, round, position int, in interview.AnswerInput) (*interview.Answer, error) {
	if in.SelfRating != nil && *in.SelfRating != 0 && !in.SelfRating.Valid() {
		return nil, onsite.Errorf(onsite.EINVALID, "self_rating must be again, hard, good or easy.")
	}
	for _, f := range []*string{in.Text, in.Code} {
		if f != nil && len(*f) > 64<<10 {
			return nil, onsite.Errorf(onsite.EINVALID, "An answer is limited to 64 KiB.")
		}
	}
	sess, err := s.update(ctx, id, func(tx *Tx, sess *interview.Session) error {
		if err := over(sess); err != nil {
			return err
		}
		a, err := answerOf(sess, round, position)
		if err != nil {
			return err
		}
		if (in.Text != nil || in.Code != nil || in.Language != nil) && sess.Rounds[round].Submitted != nil {
			return onsite.Errorf(onsite.ECONFLICT, "Round %d is over: its answers were submitted as they stood.", round+1)
		}
		if in.Covered != nil {
			for _, c := range *in.Covered {
				if c < 0 || c >= max(a.RubricSize, 0) {
					return onsite.Errorf(onsite.EINVALID, "covered: item %d is not on this question's rubric of %d.", c, a.RubricSize)
				}
			}
		}
		var set answerColumns
		if in.Text != nil {
			set.add("text", *in.Text)
		}
		if in.Language != nil {
			set.add("language", *in.Language)
		}
		if in.Code != nil {
			set.add("code", *in.Code)
		}
		if in.Covered != nil {
			set.add("covered", coveredJSON(*in.Covered))
		}
		if in.SelfRating != nil {
			set.add("self_rating", int(*in.SelfRating))
		}
		if len(set.names) == 0 {
			return nil
		}
		set.add("updated_at", formatTime(tx.now))
		return set.update(ctx, tx, id, round, position)
	})
	if err != nil {
		return nil, err
	}
	a := sess.Rounds[round].Answers[position]
	return &a, nil
}

// answerColumns are the columns of one answer an update sets.
type answerColumns struct {
	names  []string
	values []any
}

func (c *answerColumns) add(name string, v any) {
	c.names = append(c.names, name+" = ?")
	c.values = append(c.values, v)
}

// update writes the columns to one answer in one statement.
func (c *answerColumns) update(ctx context.Context, tx *Tx, id string, round, position int) error {
	_, err := tx.ExecContext(ctx, `UPDATE interview_answers SET `+strings.Join(c.names, ", ")+
		` WHERE interview_id = ? AND round_idx = ? AND position = ?`, append(c.values, id, round, position)...)
	return err
}

// coveredJSON stores ticked rubric items: sorted, each once.
func coveredJSON(covered []int) string {
	raw, _ := json.Marshal(slices.Compact(slices.Sorted(slices.Values(covered))))
	return string(raw)
}

// RecordSubmission notes a graded submission on a coding answer.
func (s *InterviewService) RecordSubmission(ctx context.Context, id string, round, position int, submission, verdict string, passed, total int) error {
	_, err := s.update(ctx, id, func(tx *Tx, sess *interview.Session) error {
		if err := over(sess); err != nil {
			return err
		}
		if _, err := answerOf(sess, round, position); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE interview_answers SET submission = ?, verdict = ?, passed = ?, total = ?, attempts = attempts + 1, updated_at = ?
			WHERE interview_id = ? AND round_idx = ? AND position = ?`, submission, verdict, passed, total, formatTime(tx.now), id, round, position)
		return err
	})
	return err
}

// SubmitRound hands in a running round before its time is up.
func (s *InterviewService) SubmitRound(ctx context.Context, id string, round int) (*interview.Session, error) {
	return s.update(ctx, id, func(tx *Tx, sess *interview.Session) error {
		if err := over(sess); err != nil {
			return err
		}
		if round < 0 || round >= len(sess.Rounds) {
			return onsite.Errorf(onsite.ENOTFOUND, "This interview has no round %d.", round+1)
		}
		if sess.Rounds[round].Started == nil {
			return onsite.Errorf(onsite.ECONFLICT, "Round %d has not started yet.", round+1)
		}
		_, err := tx.ExecContext(ctx, `UPDATE interview_rounds SET submitted_at = ? WHERE interview_id = ? AND idx = ? AND submitted_at IS NULL`,
			formatTime(tx.now), id, round)
		return err
	})
}

// FinishSession submits every round still open, scores the session, and
// logs each answered question as a review for the drill, all in one
// transaction.
func (s *InterviewService) FinishSession(ctx context.Context, id string) (*interview.Session, error) {
	return s.update(ctx, id, func(tx *Tx, sess *interview.Session) error {
		if err := over(sess); err != nil {
			return err
		}
		for i := range sess.Rounds {
			r := &sess.Rounds[i]
			if r.Started != nil && r.Submitted == nil {
				now := tx.now
				r.Submitted = &now
				if _, err := tx.ExecContext(ctx, `UPDATE interview_rounds SET submitted_at = ? WHERE interview_id = ? AND idx = ?`, formatTime(tx.now), id, i); err != nil {
					return err
				}
			}
		}
		sc := interview.Score(sess)
		raw, err := json.Marshal(sc)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE interviews SET status = 'finished', scorecard = ?, finished_at = ? WHERE id = ?`,
			string(raw), formatTime(tx.now), id); err != nil {
			return err
		}
		for _, r := range sess.Rounds {
			if r.Started == nil {
				continue
			}
			took := r.Submitted.Sub(*r.Started) / time.Duration(max(len(r.Answers), 1))
			for _, a := range r.Answers {
				rating, ok := interview.ReviewRating(a, took)
				if !ok {
					continue
				}
				if _, err := s.drill.recordReview(ctx, tx, drill.ReviewInput{Question: a.Question, Rating: rating, Duration: took, Source: drill.FromInterview}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// AbandonSession stops a session without a scorecard.
func (s *InterviewService) AbandonSession(ctx context.Context, id string) (*interview.Session, error) {
	return s.update(ctx, id, func(tx *Tx, sess *interview.Session) error {
		if err := over(sess); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE interviews SET status = 'abandoned', finished_at = ? WHERE id = ?`, formatTime(tx.now), id)
		return err
	})
}

// PeerLink makes a new secret for the session's peer interviewer; the old
// one stops working.
func (s *InterviewService) PeerLink(ctx context.Context, id string) (string, error) {
	token := newSecret()
	_, err := s.update(ctx, id, func(tx *Tx, sess *interview.Session) error {
		_, err := tx.ExecContext(ctx, `UPDATE interviews SET peer_token_hash = ? WHERE id = ?`, hashSecret(token), id)
		return err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// FindSessionByPeerToken returns the session a peer link points at.
func (s *InterviewService) FindSessionByPeerToken(ctx context.Context, token string) (*interview.Session, error) {
	var sess *interview.Session
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM interviews WHERE peer_token_hash = ?`, hashSecret(token)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return onsite.Errorf(onsite.ENOTFOUND, "This interviewer link is not valid (the candidate may have made a new one).")
		} else if err != nil {
			return err
		}
		sess, err = s.load(ctx, tx, id, 0)
		return err
	})
	return sess, err
}

// SavePeerScore records the peer interviewer's ticks, signal and notes for
// one answer.
func (s *InterviewService) SavePeerScore(ctx context.Context, token string, round, position int, in interview.PeerInput) error {
	if in.Signal != nil && *in.Signal != "" && !in.Signal.Valid() {
		return onsite.Errorf(onsite.EINVALID, "signal must be strong_hire, lean_hire, lean_no_hire or strong_no_hire.")
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM interviews WHERE peer_token_hash = ?`, hashSecret(token)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return onsite.Errorf(onsite.ENOTFOUND, "This interviewer link is not valid.")
		} else if err != nil {
			return err
		}
		sess, err := s.load(ctx, tx, id, 0)
		if err != nil {
			return err
		}
		if sess.Status == interview.Abandoned {
			return onsite.Errorf(onsite.ECONFLICT, "This interview was abandoned.")
		}
		if _, err := answerOf(sess, round, position); err != nil {
			return err
		}
		var set answerColumns
		if in.Covered != nil {
			set.add("peer_covered", coveredJSON(*in.Covered))
		}
		if in.Signal != nil {
			set.add("peer_signal", string(*in.Signal))
		}
		if in.Notes != nil {
			set.add("peer_notes", *in.Notes)
		}
		if len(set.names) > 0 {
			if err := set.update(ctx, tx, id, round, position); err != nil {
				return err
			}
		}
		if sess.Status == interview.Finished {
			// A late scorecard from the peer rescores the session.
			fresh, err := s.load(ctx, tx, id, 0)
			if err != nil {
				return err
			}
			raw, err := json.Marshal(interview.Score(fresh))
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE interviews SET scorecard = ? WHERE id = ?`, string(raw), id)
			return err
		}
		return nil
	})
}
