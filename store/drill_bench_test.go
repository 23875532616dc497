package store

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/questions"
)

// Size of the heavy user the drill benchmarks generate: the 10 000
// cards and 1 000 000 logged reviews.
const (
	benchCards   = 10_000
	benchReviews = 1_000_000
)

// drillBench is a database holding one heavy user.
type drillBench struct {
	db   *DB
	svc  *DrillService
	ctx  context.Context
	slug []string
}

// openDrillBench writes benchCards questions, one card each for one user
// with a plausible memory state, benchReviews reviews spread over three
// years and the per-day totals they imply, straight through SQL in one
// transaction (the services would take minutes for a million reviews).
func openDrillBench(b *testing.B) *drillBench {
	b.Helper()
	db := openTestDB(b)
	ctx := context.Background()
	user := createUser(b, db, "heavy@example.com")
	now := time.Now().UTC()
	sched, err := drill.DefaultSettings().Scheduler()
	require.NoError(b, err)
	rng := rand.New(rand.NewPCG(1, 2))
	topics := []string{"arrays", "graphs", "metrics", "ranking", "ownership", "pipelines", "probability", "nlp", "drift", "svm"}
	bench := &drillBench{db: db, svc: NewDrillService(db), ctx: onsite.NewContextWithUser(ctx, user)}
	err = db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO question_sets (slug, title, description, version, license, source, format, created_at, updated_at)
			VALUES ('heavy', 'Heavy', '', 1, '', '', 'yaml', ?, ?)`, formatTime(now), formatTime(now))
		if err != nil {
			return err
		}
		setID, _ := res.LastInsertId()
		qStmt, err := tx.PrepareContext(ctx, `INSERT INTO questions (set_id, slug, position, kind, title, prompt, difficulty, topics, estimated_minutes,
			data, search_text, content_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'Prompt.', ?, ?, 5, '{}', '', 'h', ?, ?)`)
		if err != nil {
			return err
		}
		tStmt, err := tx.PrepareContext(ctx, `INSERT INTO question_topics (topic, question_id) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		cStmt, err := tx.PrepareContext(ctx, `INSERT INTO cards (user_id, question_id, state, step, stability, difficulty, due, last_review, reps, lapses, created_at)
			VALUES (?, ?, 2, 0, ?, ?, ?, ?, 100, 3, ?)`)
		if err != nil {
			return err
		}
		rStmt, err := tx.PrepareContext(ctx, `INSERT INTO reviews (card_id, user_id, rating, reviewed_at, day, state, elapsed_days, scheduled_days,
			duration_ms, source, stability, difficulty) VALUES (?, ?, ?, ?, ?, 2, 3, 5, 30000, 'drill', 10, 5)`)
		if err != nil {
			return err
		}
		for i := range benchCards {
			slug := fmt.Sprintf("heavy-%05d", i)
			kind := questions.Kinds[i%len(questions.Kinds)]
			topic := topics[i%len(topics)]
			res, err := qStmt.ExecContext(ctx, setID, slug, i, kind, slug, questions.Difficulties[i%3], `["`+topic+`"]`, formatTime(now), formatTime(now))
			if err != nil {
				return err
			}
			qid, _ := res.LastInsertId()
			if _, err := tStmt.ExecContext(ctx, topic, qid); err != nil {
				return err
			}
			// Stabilities from a day to two years; the last review up to
			// a year ago; about a tenth due today.
			stability := 1 + rng.Float64()*700
			last := now.Add(-time.Duration(rng.Float64() * float64(365*24*time.Hour)))
			due := last.Add(time.Duration(stability * float64(24*time.Hour)))
			if _, err := cStmt.ExecContext(ctx, user.ID, qid, stability, 1+rng.Float64()*9, formatTime(due), formatTime(last), formatTime(now)); err != nil {
				return err
			}
			bench.slug = append(bench.slug, slug)
		}
		today := sched.Day(now)
		for i := range benchReviews {
			at := now.Add(-time.Duration(rng.Float64() * float64(3*365*24*time.Hour)))
			if _, err := rStmt.ExecContext(ctx, 1+rng.IntN(benchCards), user.ID, 1+rng.IntN(4), formatTime(at), today-int(now.Sub(at).Hours()/24)); err != nil {
				return err
			}
			_ = i
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO review_days (user_id, day, kind, reviews, new_cards, due_reviews, due_recalled, duration_ms)
			SELECT r.user_id, r.day, q.kind, COUNT(*), 0, COUNT(*), SUM(r.rating > 1), SUM(r.duration_ms)
			FROM reviews r JOIN cards c ON c.id = r.card_id JOIN questions q ON q.id = c.question_id GROUP BY r.user_id, r.day, q.kind`)
		return err
	})
	require.NoError(b, err)
	_, err = db.db.ExecContext(ctx, `ANALYZE`)
	require.NoError(b, err)
	return bench
}

// percentiles runs op n times and reports its p50 and p99 in milliseconds,
// and p99 as a multiple of the baseline.
func percentiles(b *testing.B, n int, base float64, op func()) {
	times := make([]float64, n)
	for i := range times {
		start := time.Now()
		op()
		times[i] = float64(time.Since(start).Nanoseconds())
	}
	sort.Float64s(times)
	b.ReportMetric(times[n/2]/1e6, "p50-ms")
	b.ReportMetric(times[n*99/100]/1e6, "p99-ms")
	b.ReportMetric(times[n*99/100]/base, "p99-x-baseline")
}

// drillQueries are the drill's hot queries in the shape the service runs
// them, with ?1 the user, ?2 now and ?3 a day number.
var drillQueries = map[string]string{
	"due cards": `SELECT c.id FROM (SELECT * FROM cards WHERE user_id = ?1 AND due < ?2 AND (state = 2 OR (state IN (1, 3) AND due <= ?2))
		ORDER BY (julianday(?2) - julianday(last_review)) / stability DESC LIMIT 100) c JOIN questions q ON q.id = c.question_id`,
	"new questions": `SELECT q.id FROM questions q JOIN question_sets s ON s.id = q.set_id WHERE q.kind = 'coding' AND q.retired = 0
		AND (s.owner_id IS NULL OR s.owner_id = ?1) AND NOT EXISTS (SELECT 1 FROM cards c WHERE c.user_id = ?1 AND c.question_id = q.id AND c.state > 0)
		ORDER BY CASE q.difficulty WHEN 'easy' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, q.set_id, q.position LIMIT 10`,
	"day totals":  `SELECT day, kind, reviews FROM review_days WHERE user_id = ?1 AND day > ?3`,
	"last review": `SELECT r.id FROM reviews r WHERE r.user_id = ?1 AND r.undone = 0 ORDER BY r.id DESC LIMIT 1`,
	"forecast":    `SELECT COUNT(*) FROM cards WHERE user_id = ?1 AND state > 0 AND due < ?2`,
}

// queryPlans returns how SQLite runs each of drillQueries.
func queryPlans(t testing.TB, db *DB, args ...any) map[string]string {
	plans := map[string]string{}
	for name, q := range drillQueries {
		rows, err := db.db.Query("EXPLAIN QUERY PLAN "+q, args...)
		require.NoError(t, err)
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
			plan = append(plan, detail)
		}
		rows.Close()
		plans[name] = strings.Join(plan, "; ")
	}
	return plans
}

// BenchmarkDrill times today's queue, recording a review and the dashboard
// for a user with 10 000 cards and 1 000 000 reviews, against a baseline of
// one card read by its key. Targets: queue p99 ≤ 10 ms, review p99 ≤ 5 ms,
// stats ≤ 50 ms.
func BenchmarkDrill(b *testing.B) {
	bench := openDrillBench(b)
	ctx := bench.ctx
	user := onsite.UserFromContext(ctx)
	base := baselineNs(func() {
		var s float64
		if err := bench.db.db.QueryRowContext(ctx, `SELECT stability FROM cards WHERE user_id = ? AND question_id = ?`, user.ID, 5000).Scan(&s); err != nil {
			b.Fatal(err)
		}
	})
	plans := queryPlans(b, bench.db, user.ID, formatTime(time.Now()), 20000)
	for _, name := range slices.Sorted(maps.Keys(plans)) {
		fmt.Printf("plan of %s: %s\n", name, plans[name])
	}

	b.Run("queue", func(b *testing.B) {
		for b.Loop() {
			if _, err := bench.svc.FindToday(ctx); err != nil {
				b.Fatal(err)
			}
		}
		percentiles(b, 200, base, func() { _, _ = bench.svc.FindToday(ctx) })
	})
	b.Run("review", func(b *testing.B) {
		i := 0
		review := func() {
			i++
			if _, err := bench.svc.RecordReview(ctx, drill.ReviewInput{Question: bench.slug[(i*7919)%benchCards], Rating: drill.Ratings[i%4], Duration: time.Minute}); err != nil {
				b.Fatal(err)
			}
		}
		for b.Loop() {
			review()
		}
		percentiles(b, 200, base, review)
	})
	b.Run("stats", func(b *testing.B) {
		for b.Loop() {
			if _, err := bench.svc.FindStats(ctx); err != nil {
				b.Fatal(err)
			}
		}
		percentiles(b, 50, base, func() { _, _ = bench.svc.FindStats(ctx) })
	})
}
