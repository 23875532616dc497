package store

import (
	"context"
	"sort"
	"time"

	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/questions"
)

// Dashboard ranges.
const (
	heatmapDays   = 365
	forecastDays  = 30
	retentionDays = 30
	weakestTopics = 5
	// weakHorizonDays is when topic strength is judged.
	weakHorizonDays = 7
)

// FindStats computes the context user's dashboard: today's drill, the
// streak, a year of review counts, the next 30 days' due cards, retention
// by kind over 30 days and the weakest topics.
func (s *DrillService) FindStats(ctx context.Context) (*drill.Stats, error) {
	d, err := s.dayOf(ctx, s.db.db, s.db.Now())
	if err != nil {
		return nil, err
	}
	today, err := s.today(ctx, d)
	if err != nil {
		return nil, err
	}
	st := &drill.Stats{Today: *today, Retention: map[questions.Kind]*drill.Retention{}}
	// Day numbers count the user's local dates from 1970-01-01.
	date := func(day int) string { return time.Unix(int64(day)*86400, 0).UTC().Format("2006-01-02") }

	// The heatmap, the streak and retention come from the per-day totals.
	rows, err := s.db.db.QueryContext(ctx, `SELECT day, kind, reviews, due_reviews, due_recalled FROM review_days
		WHERE user_id = ? AND day > ? AND reviews > 0 ORDER BY day`, d.user.ID, d.day-heatmapDays)
	if err != nil {
		return nil, err
	}
	perDay := map[int]int{}
	for rows.Next() {
		var day, reviews, dueReviews, recalled int
		var kind questions.Kind
		if err := rows.Scan(&day, &kind, &reviews, &dueReviews, &recalled); err != nil {
			rows.Close()
			return nil, err
		}
		perDay[day] += reviews
		if day > d.day-retentionDays {
			r := st.Retention[kind]
			if r == nil {
				r = &drill.Retention{}
				st.Retention[kind] = r
			}
			r.Reviews += dueReviews
			r.Recalled += recalled
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, r := range st.Retention {
		if r.Reviews > 0 {
			r.Rate = float64(r.Recalled) / float64(r.Reviews)
		}
	}
	st.Heatmap = make([]drill.DayCount, 0, heatmapDays)
	for day := d.day - heatmapDays + 1; day <= d.day; day++ {
		st.Heatmap = append(st.Heatmap, drill.DayCount{Date: date(day), Count: perDay[day]})
	}
	if st.Streak, err = s.streak(ctx, d); err != nil {
		return nil, err
	}

	// The forecast counts cards by the day they fall due, overdue ones
	// today.
	rows, err = s.db.db.QueryContext(ctx, `SELECT CAST(julianday(due) - julianday(?) AS INTEGER), COUNT(*) FROM cards
		WHERE user_id = ? AND state > 0 AND due < ? GROUP BY 1`, formatTime(d.start), d.user.ID, formatTime(d.start.AddDate(0, 0, forecastDays)))
	if err != nil {
		return nil, err
	}
	forecast := make([]int, forecastDays)
	for rows.Next() {
		var offset, n int
		if err := rows.Scan(&offset, &n); err != nil {
			rows.Close()
			return nil, err
		}
		forecast[min(max(offset, 0), forecastDays-1)] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i, n := range forecast {
		st.Forecast = append(st.Forecast, drill.DayCount{Date: date(d.day + i), Count: n})
	}

	if st.Weakest, err = s.topicStrengths(ctx, d); err != nil {
		return nil, err
	}
	if len(st.Weakest) > weakestTopics {
		st.Weakest = st.Weakest[:weakestTopics]
	}
	if err := s.db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM cards WHERE user_id = ? AND state > 0`, d.user.ID).Scan(&st.Cards); err != nil {
		return nil, err
	}
	return st, nil
}

// streak counts the days in a row with reviews, back from today, or from
// yesterday while today's drill is still ahead.
func (s *DrillService) streak(ctx context.Context, d *drillDay) (int, error) {
	var n int
	err := s.db.db.QueryRowContext(ctx, `WITH RECURSIVE back(day) AS (
			SELECT CASE WHEN EXISTS (SELECT 1 FROM review_days WHERE user_id = ?2 AND day = ?1 AND reviews > 0) THEN ?1 ELSE ?1 - 1 END
			UNION ALL SELECT day - 1 FROM back
			WHERE EXISTS (SELECT 1 FROM review_days WHERE user_id = ?2 AND day = back.day AND reviews > 0))
		SELECT COUNT(*) - 1 FROM back`, d.day, d.user.ID).Scan(&n)
	return n, err
}

// topicStrengths ranks the topics of the user's cards, weakest first, by
// their mean retrievability a week from now, so that a card just failed
// (recalled now, but with little stability) counts as weak. Cards are
// bucketed by days elapsed over stability (which decides retrievability) in
// SQL, so Go evaluates the curve once per bucket, not once per card.
func (s *DrillService) topicStrengths(ctx context.Context, d *drillDay) ([]drill.TopicStrength, error) {
	rows, err := s.db.db.QueryContext(ctx, `SELECT t.topic, CAST((julianday(?) - julianday(c.last_review)) / c.stability * 20 AS INTEGER) AS bucket, COUNT(*)
		FROM cards c JOIN question_topics t ON t.question_id = c.question_id
		WHERE c.user_id = ? AND c.state > 0 GROUP BY t.topic, bucket`, formatTime(d.now.AddDate(0, 0, weakHorizonDays)), d.user.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type acc struct {
		n   int
		sum float64
	}
	topics := map[string]*acc{}
	for rows.Next() {
		var topic string
		var bucket, n int
		if err := rows.Scan(&topic, &bucket, &n); err != nil {
			return nil, err
		}
		a := topics[topic]
		if a == nil {
			a = &acc{}
			topics[topic] = a
		}
		a.n += n
		a.sum += float64(n) * d.sched.RetrievabilityAt((float64(bucket)+0.5)/20)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []drill.TopicStrength{}
	for topic, a := range topics {
		out = append(out, drill.TopicStrength{Topic: topic, Cards: a.n, Retrievability: a.sum / float64(a.n)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Retrievability != out[j].Retrievability {
			return out[i].Retrievability < out[j].Retrievability
		}
		return out[i].Topic < out[j].Topic
	})
	return out, nil
}
