package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/questions"
)

var _ drill.Service = (*DrillService)(nil)

// DrillService stores each user's cards, reviews and drill settings.
type DrillService struct {
	db *DB
}

// NewDrillService returns a DrillService over db.
func NewDrillService(db *DB) *DrillService {
	return &DrillService{db: db}
}

// querier is what both *sql.DB and *Tx offer for reads.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func requireUser(ctx context.Context) (*onsite.User, error) {
	user := onsite.UserFromContext(ctx)
	if user == nil {
		return nil, onsite.Errorf(onsite.EUNAUTHORIZED, "Sign in to drill.")
	}
	return user, nil
}

// FindSettings returns the context user's drill settings, the defaults until
// they change any.
func (s *DrillService) FindSettings(ctx context.Context) (drill.Settings, error) {
	user, err := requireUser(ctx)
	if err != nil {
		return drill.Settings{}, err
	}
	return findSettings(ctx, s.db.db, user.ID)
}

func findSettings(ctx context.Context, q querier, userID int64) (drill.Settings, error) {
	st := drill.DefaultSettings()
	var mix string
	err := q.QueryRowContext(ctx, `SELECT desired_retention, new_per_day, reviews_per_day, mix, time_zone, day_start_hour
		FROM drill_settings WHERE user_id = ?`, userID).Scan(&st.DesiredRetention, &st.NewPerDay, &st.ReviewsPerDay, &mix, &st.TimeZone, &st.DayStartHour)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	} else if err != nil {
		return st, err
	}
	st.Mix = nil
	if err := json.Unmarshal([]byte(mix), &st.Mix); err != nil {
		return st, err
	}
	return st, nil
}

// UpdateSettings replaces the context user's drill settings after checking
// every field.
func (s *DrillService) UpdateSettings(ctx context.Context, st drill.Settings) error {
	user, err := requireUser(ctx)
	if err != nil {
		return err
	}
	if bad := st.Validate(); bad != nil {
		return invalidFields(bad)
	}
	mix, err := json.Marshal(st.Mix)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO drill_settings (user_id, desired_retention, new_per_day, reviews_per_day, mix, time_zone, day_start_hour, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET desired_retention = excluded.desired_retention, new_per_day = excluded.new_per_day,
				reviews_per_day = excluded.reviews_per_day, mix = excluded.mix, time_zone = excluded.time_zone,
				day_start_hour = excluded.day_start_hour, updated_at = excluded.updated_at`,
			user.ID, st.DesiredRetention, st.NewPerDay, st.ReviewsPerDay, string(mix), st.TimeZone, st.DayStartHour, formatTime(tx.now))
		return err
	})
}

// invalidFields is an EINVALID error listing what is wrong with each
// field, in field order: "time: ...; time_zone: ...".
func invalidFields(bad map[string]string) error {
	fields := make([]string, 0, len(bad))
	for f := range bad {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	msgs := make([]string, len(fields))
	for i, f := range fields {
		msgs[i] = f + ": " + bad[f]
	}
	return onsite.Errorf(onsite.EINVALID, "%s.", strings.Join(msgs, "; "))
}

// drillDay is what every drill query needs: the user, their settings and
// scheduler, and the bounds of their current day.
type drillDay struct {
	user       *onsite.User
	settings   drill.Settings
	sched      *drill.Scheduler
	now        time.Time
	start, end time.Time
	day        int
}

func (s *DrillService) dayOf(ctx context.Context, q querier, now time.Time) (*drillDay, error) {
	user, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	st, err := findSettings(ctx, q, user.ID)
	if err != nil {
		return nil, err
	}
	sched, err := st.Scheduler()
	if err != nil {
		return nil, err
	}
	d := &drillDay{user: user, settings: st, sched: sched, now: now.UTC(), day: sched.Day(now)}
	d.start, d.end = sched.DayBounds(now)
	return d, nil
}

// FindToday builds the context user's queue for their current day.
func (s *DrillService) FindToday(ctx context.Context) (*drill.Today, error) {
	d, err := s.dayOf(ctx, s.db.db, s.db.Now())
	if err != nil {
		return nil, err
	}
	return s.today(ctx, d)
}

func (s *DrillService) today(ctx context.Context, d *drillDay) (*drill.Today, error) {
	var reviewed, introduced int
	var durationMS, timedReviews sql.NullInt64
	err := s.db.db.QueryRowContext(ctx, `SELECT
			COALESCE(SUM(CASE WHEN day = ? THEN reviews END), 0), COALESCE(SUM(CASE WHEN day = ? THEN new_cards END), 0),
			SUM(duration_ms), SUM(CASE WHEN duration_ms > 0 THEN reviews END)
		FROM review_days WHERE user_id = ? AND day > ?`, d.day, d.day, d.user.ID, d.day-30).Scan(&reviewed, &introduced, &durationMS, &timedReviews)
	if err != nil {
		return nil, err
	}
	st := d.settings
	plan := drill.Plan{NewLeft: st.NewPerDay - introduced, ReviewsLeft: st.ReviewsPerDay - (reviewed - introduced), Mix: st.Mix}
	due, err := s.dueItems(ctx, d, d.now, max(plan.ReviewsLeft, 0))
	if err != nil {
		return nil, err
	}
	fresh := map[questions.Kind][]drill.Item{}
	if plan.NewLeft > 0 {
		for _, kind := range questions.Kinds {
			if st.Mix[kind] <= 0 {
				continue
			}
			if fresh[kind], err = s.newItems(ctx, d, kind, plan.NewLeft); err != nil {
				return nil, err
			}
		}
	}
	t := &drill.Today{Date: d.start.In(d.sched.Params().Location).Format("2006-01-02"), Reviewed: reviewed, Queue: drill.BuildQueue(due, fresh, plan)}
	if len(t.Queue) == 0 {
		// Nothing else left: learning cards due soon come early, as in
		// Anki.
		if t.Queue, err = s.dueItems(ctx, d, d.now.Add(learnAhead), max(plan.ReviewsLeft, 0)); err != nil {
			return nil, err
		}
		if t.Queue == nil {
			t.Queue = []drill.Item{}
		}
	}
	if err := s.db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM cards WHERE user_id = ? AND due < ? AND state IN (1, 3) AND due > ?`,
		d.user.ID, formatTime(d.end), formatTime(d.now.Add(learnAhead))).Scan(&t.Later); err != nil {
		return nil, err
	}
	// The estimate uses the user's own answer times once there are some.
	var perCard time.Duration
	if timedReviews.Int64 >= 5 {
		perCard = time.Duration(durationMS.Int64/timedReviews.Int64) * time.Millisecond
	}
	var total time.Duration
	for _, it := range t.Queue {
		if it.New {
			t.New++
		} else {
			t.Due++
		}
		switch {
		case perCard > 0:
			total += perCard
		case it.EstimatedMinutes > 0:
			total += time.Duration(it.EstimatedMinutes) * time.Minute
		default:
			total += 5 * time.Minute
		}
	}
	t.Minutes = int((total + time.Minute - 1) / time.Minute)
	return t, nil
}

const itemColumns = `q.id, q.slug, q.title, q.kind, q.difficulty, q.topics, q.estimated_minutes`

func scanItem(scan func(...any) error, extra ...any) (drill.Item, error) {
	var it drill.Item
	var topics string
	dest := append([]any{&it.QuestionID, &it.Slug, &it.Title, &it.Kind, &it.Difficulty, &topics, &it.EstimatedMinutes}, extra...)
	if err := scan(dest...); err != nil {
		return it, err
	}
	if err := json.Unmarshal([]byte(topics), &it.Topics); err != nil {
		return it, err
	}
	return it, nil
}

// learnAhead is how early a learning card may come back when nothing else
// is left to do.
const learnAhead = 20 * time.Minute

// dueItems returns up to limit cards due: review cards due before the end of
// the user's day, learning and relearning cards due by learnUntil; those
// most likely forgotten first. Retrievability falls with the time since the
// last review over the stability, so SQL can order by that ratio and leave
// the exact figure to the scheduler.
func (s *DrillService) dueItems(ctx context.Context, d *drillDay, learnUntil time.Time, limit int) ([]drill.Item, error) {
	if limit == 0 {
		return nil, nil
	}
	// Pick the cards first, then read their questions: only limit rows
	// join.
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+itemColumns+`, `+cardColumns+`
		FROM (SELECT * FROM cards WHERE user_id = ? AND due < ? AND (state = 2 OR (state IN (1, 3) AND due <= ?))
			ORDER BY (julianday(?) - julianday(last_review)) / stability DESC LIMIT ?) c
		JOIN questions q ON q.id = c.question_id
		ORDER BY (julianday(?) - julianday(c.last_review)) / c.stability DESC`,
		d.user.ID, formatTime(d.end), formatTime(learnUntil), formatTime(d.now), limit, formatTime(d.now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []drill.Item
	for rows.Next() {
		var c drill.Card
		var id int64
		it, err := scanItem(rows.Scan, cardDest(&id, &c)...)
		if err != nil {
			return nil, err
		}
		c.Key = uint64(id)
		it.Card = &c
		it.Retrievability = d.sched.Retrievability(c, d.now)
		out = append(out, it)
	}
	return out, rows.Err()
}

// newItems returns up to limit questions of a kind the user can see and
// has no card for, easy ones first, in their sets' order.
func (s *DrillService) newItems(ctx context.Context, d *drillDay, kind questions.Kind, limit int) ([]drill.Item, error) {
	// The ORDER BY is the questions_drill_order index, so SQLite walks it
	// and stops at the limit instead of sorting every candidate.
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+itemColumns+`
		FROM questions q JOIN question_sets s ON s.id = q.set_id
		WHERE q.kind = ? AND q.retired = 0 AND (s.owner_id IS NULL OR s.owner_id = ?)
			AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.user_id = ? AND c.question_id = q.id AND c.state > 0)
		ORDER BY CASE q.difficulty WHEN 'easy' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, q.set_id, q.position
		LIMIT ?`, kind, d.user.ID, d.user.ID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []drill.Item
	for rows.Next() {
		it, err := scanItem(rows.Scan)
		if err != nil {
			return nil, err
		}
		it.New = true
		out = append(out, it)
	}
	return out, rows.Err()
}

const cardColumns = `c.id, c.state, c.step, c.stability, c.difficulty, c.due, c.last_review, c.reps, c.lapses`

func cardDest(id *int64, c *drill.Card) []any {
	return []any{id, &c.State, &c.Step, &c.Stability, &c.Difficulty, timeValue{&c.Due}, timeValue{&c.LastReview}, &c.Reps, &c.Lapses}
}

// storedCard is a card as the review log keeps it for undo.
type storedCard struct {
	State      drill.State `json:"state"`
	Step       int         `json:"step"`
	Stability  float64     `json:"stability"`
	Difficulty float64     `json:"difficulty"`
	Due        time.Time   `json:"due"`
	LastReview time.Time   `json:"last_review"`
	Reps       int         `json:"reps"`
	Lapses     int         `json:"lapses"`
}

// cardKey seeds a new card's fuzz from its user and question, so the first
// review schedules the same way whatever the row ID turns out to be.
func cardKey(userID, questionID int64) uint64 {
	h := fnv.New64a()
	b, _ := json.Marshal([2]int64{userID, questionID})
	h.Write(b)
	return h.Sum64()
}

// RecordReview rates the context user's card for a question, creating the
// card on its first review, and logs the review, in one transaction.
func (s *DrillService) RecordReview(ctx context.Context, in drill.ReviewInput) (*drill.ReviewLog, error) {
	if !in.Rating.Valid() {
		return nil, onsite.Errorf(onsite.EINVALID, "rating %d is not a rating; use 1 (again), 2 (hard), 3 (good) or 4 (easy).", in.Rating)
	}
	if in.Source == "" {
		in.Source = drill.FromDrill
	}
	if !in.Source.Valid() {
		return nil, onsite.Errorf(onsite.EINVALID, "source %q is not a source; use drill, interview or submission.", in.Source)
	}
	if in.Duration < 0 || in.Duration > 24*time.Hour {
		return nil, onsite.Errorf(onsite.EINVALID, "duration_ms must be between 0 and one day.")
	}
	var log *drill.ReviewLog
	err := s.db.inTx(ctx, func(tx *Tx) error {
		var err error
		log, err = s.recordReview(ctx, tx, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return log, nil
}

// recordReview rates the context user's card in tx.
func (s *DrillService) recordReview(ctx context.Context, tx *Tx, in drill.ReviewInput) (*drill.ReviewLog, error) {
	var log *drill.ReviewLog
	d, err := s.dayOf(ctx, tx, tx.now)
	if err != nil {
		return nil, err
	}
	where, args := visible(ctx)
	var questionID int64
	var kind questions.Kind
	err = tx.QueryRowContext(ctx, `SELECT q.id, q.kind FROM questions q JOIN question_sets s ON s.id = q.set_id
		WHERE q.slug = ? AND `+where, append([]any{in.Question}, args...)...).Scan(&questionID, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, onsite.Errorf(onsite.ENOTFOUND, "No question has the slug %q.", in.Question)
	} else if err != nil {
		return nil, err
	}
	var cardID int64
	var card drill.Card
	var previous any // NULL for a new card
	err = tx.QueryRowContext(ctx, `SELECT `+cardColumns+` FROM cards c WHERE c.user_id = ? AND c.question_id = ?`,
		d.user.ID, questionID).Scan(cardDest(&cardID, &card)...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		card = drill.Card{Key: cardKey(d.user.ID, questionID)}
	case err != nil:
		return nil, err
	default:
		card.Key = cardKey(d.user.ID, questionID)
		raw, err := json.Marshal(storedCard{card.State, card.Step, card.Stability, card.Difficulty, card.Due, card.LastReview, card.Reps, card.Lapses})
		if err != nil {
			return nil, err
		}
		previous = string(raw)
	}
	next := d.sched.Next(card, in.Rating, tx.now)
	elapsed := 0
	if card.State != drill.New {
		elapsed = d.sched.ElapsedDays(card.LastReview, tx.now)
	}
	if cardID == 0 {
		res, err := tx.ExecContext(ctx, `INSERT INTO cards (user_id, question_id, state, step, stability, difficulty, due, last_review, reps, lapses, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.user.ID, questionID, next.State, next.Step, next.Stability, next.Difficulty,
			formatTime(next.Due), formatTime(next.LastReview), next.Reps, next.Lapses, formatTime(tx.now))
		if err != nil {
			return nil, err
		}
		if cardID, err = res.LastInsertId(); err != nil {
			return nil, err
		}
	} else if err := updateCard(ctx, tx, cardID, next); err != nil {
		return nil, err
	}
	log = &drill.ReviewLog{Question: in.Question, Rating: in.Rating, ReviewedAt: tx.now.Truncate(time.Millisecond), ElapsedDays: elapsed,
		ScheduledDays: drill.ScheduledDays(next), DurationMS: in.Duration.Milliseconds(), Source: in.Source, Before: card.State, Card: next, Due: next.Due}
	res, err := tx.ExecContext(ctx, `INSERT INTO reviews (card_id, user_id, rating, reviewed_at, day, state, elapsed_days, scheduled_days,
			duration_ms, source, stability, difficulty, previous) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		cardID, d.user.ID, in.Rating, formatTime(tx.now), d.day, card.State, elapsed, log.ScheduledDays, log.DurationMS,
		in.Source, next.Stability, next.Difficulty, previous)
	if err != nil {
		return nil, err
	}
	if log.ID, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	if err := addToDay(ctx, tx, d.user.ID, d.day, kind, card.State, in.Rating, log.DurationMS, 1); err != nil {
		return nil, err
	}
	return log, nil
}

func updateCard(ctx context.Context, tx *Tx, id int64, c drill.Card) error {
	_, err := tx.ExecContext(ctx, `UPDATE cards SET state = ?, step = ?, stability = ?, difficulty = ?, due = ?, last_review = ?, reps = ?, lapses = ?
		WHERE id = ?`, c.State, c.Step, c.Stability, c.Difficulty, formatTime(c.Due), formatTime(c.LastReview), c.Reps, c.Lapses, id)
	return err
}

// addToDay adds (sign 1) or takes back (sign -1) one review in the per-day
// totals.
func addToDay(ctx context.Context, tx *Tx, userID int64, day int, kind questions.Kind, before drill.State, r drill.Rating, durationMS int64, sign int) error {
	isNew, dueReview, recalled := 0, 0, 0
	if before == drill.New {
		isNew = sign
	}
	if before == drill.Review {
		dueReview = sign
		if r != drill.Again {
			recalled = sign
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO review_days (user_id, day, kind, reviews, new_cards, due_reviews, due_recalled, duration_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, day, kind) DO UPDATE SET reviews = reviews + excluded.reviews, new_cards = new_cards + excluded.new_cards,
			due_reviews = due_reviews + excluded.due_reviews, due_recalled = due_recalled + excluded.due_recalled,
			duration_ms = duration_ms + excluded.duration_ms`,
		userID, day, kind, sign, isNew, dueReview, recalled, int64(sign)*durationMS)
	return err
}

// UndoReview takes back the context user's last review: the card returns
// to what it was before (new again if that was its first review) and the
// review is marked undone, kept in the log.
func (s *DrillService) UndoReview(ctx context.Context) (*drill.ReviewLog, error) {
	user, err := requireUser(ctx)
	if err != nil {
		return nil, err
	}
	var log *drill.ReviewLog
	err = s.db.inTx(ctx, func(tx *Tx) error {
		var id, cardID int64
		var day int
		var previous sql.NullString
		var kind questions.Kind
		l := &drill.ReviewLog{}
		err := tx.QueryRowContext(ctx, `SELECT r.id, r.card_id, r.day, r.previous, r.rating, r.state, r.duration_ms, r.source, r.reviewed_at, q.slug, q.kind
			FROM reviews r JOIN cards c ON c.id = r.card_id JOIN questions q ON q.id = c.question_id
			WHERE r.user_id = ? AND r.undone = 0 ORDER BY r.id DESC LIMIT 1`, user.ID).Scan(&id, &cardID, &day, &previous, &l.Rating, &l.Before,
			&l.DurationMS, &l.Source, timeValue{&l.ReviewedAt}, &l.Question, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return onsite.Errorf(onsite.ENOTFOUND, "There is no review to undo.")
		} else if err != nil {
			return err
		}
		l.ID = id
		// A card's first review created it: undoing that review makes
		// it new again (the card row stays, so the log keeps its link).
		c := drill.Card{State: drill.New}
		if previous.Valid {
			var prev storedCard
			if err := json.Unmarshal([]byte(previous.String), &prev); err != nil {
				return err
			}
			c = drill.Card{State: prev.State, Step: prev.Step, Stability: prev.Stability, Difficulty: prev.Difficulty,
				Due: prev.Due, LastReview: prev.LastReview, Reps: prev.Reps, Lapses: prev.Lapses}
		}
		if err := updateCard(ctx, tx, cardID, c); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reviews SET undone = 1 WHERE id = ?`, id); err != nil {
			return err
		}
		l.Card, l.Due = c, c.Due
		log = l
		return addToDay(ctx, tx, user.ID, day, kind, l.Before, l.Rating, l.DurationMS, -1)
	})
	if err != nil {
		return nil, err
	}
	return log, nil
}

// MissingReviews returns those of ids that have no review: a check that
// acknowledged writes survived a crash (the load test's).
func (db *DB) MissingReviews(ctx context.Context, ids []int64) ([]int64, error) {
	var missing []int64
	stmt, err := db.db.PrepareContext(ctx, `SELECT 1 FROM reviews WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	for _, id := range ids {
		var one int
		switch err := stmt.QueryRowContext(ctx, id).Scan(&one); {
		case errors.Is(err, sql.ErrNoRows):
			missing = append(missing, id)
		case err != nil:
			return nil, err
		}
	}
	return missing, nil
}
