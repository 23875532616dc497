package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/questions"
)

// drillFixture is a database with a few questions of each kind, a user and
// a clock the test moves.
type drillFixture struct {
	db    *DB
	svc   *DrillService
	ctx   context.Context
	clock time.Time
}

func newDrillFixture(t *testing.T) *drillFixture {
	t.Helper()
	db := openTestDB(t)
	qs := NewQuestionService(db)
	var specs []qspec
	for _, k := range questions.Kinds {
		for i := range 6 {
			d := []questions.Difficulty{questions.Hard, questions.Easy, questions.Medium}[i%3]
			name := strings.ReplaceAll(string(k), "_", "-")
			specs = append(specs, qspec{slug: fmt.Sprintf("%s-%d", name, i), kind: k, difficulty: d, topics: []string{name + "-topic", fmt.Sprintf("t%d", i%2)}})
		}
	}
	importSets(t, qs, 0, setYAML("drillset", specs...))
	user := createUser(t, db, "ada@example.com")
	f := &drillFixture{db: db, svc: NewDrillService(db), ctx: onsite.NewContextWithUser(context.Background(), user),
		clock: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return f.clock }
	return f
}

func (f *drillFixture) review(t *testing.T, slug string, r drill.Rating) *drill.ReviewLog {
	t.Helper()
	log, err := f.svc.RecordReview(f.ctx, drill.ReviewInput{Question: slug, Rating: r, Duration: 30 * time.Second})
	require.NoError(t, err)
	return log
}

func (f *drillFixture) today(t *testing.T) *drill.Today {
	t.Helper()
	today, err := f.svc.FindToday(f.ctx)
	require.NoError(t, err)
	return today
}

// TestDrillDay walks a user through days of drilling: the first queue holds
// new questions by the mix, easy first; reviewing moves them out; the next
// day brings back what is due, weakest first; undo puts a card back.
func TestDrillDay(t *testing.T) {
	f := newDrillFixture(t)
	st := drill.DefaultSettings()
	st.NewPerDay = 8
	st.TimeZone = "Europe/Berlin"
	require.NoError(t, f.svc.UpdateSettings(f.ctx, st))

	today := f.today(t)
	assert.Equal(t, "2026-03-02", today.Date)
	require.Len(t, today.Queue, 8)
	assert.Equal(t, 8, today.New)
	assert.Zero(t, today.Due)
	perKind := map[questions.Kind]int{}
	for i, it := range today.Queue {
		assert.True(t, it.New)
		perKind[it.Kind]++
		if i > 0 {
			assert.NotEqual(t, today.Queue[i-1].Kind, it.Kind, "two %s in a row", it.Kind)
		}
	}
	assert.Equal(t, map[questions.Kind]int{questions.KindCoding: 3, questions.KindConcept: 3, questions.KindBehavioral: 1, questions.KindSystemDesign: 1}, perKind)
	assert.Equal(t, "easy", today.Queue[0].Difficulty, "easy questions come first")

	// Rate every new card: Again keeps one in today's queue (learning).
	for i, it := range today.Queue {
		r := drill.Good
		if i == 0 {
			r = drill.Again
		}
		log := f.review(t, it.Slug, r)
		assert.Equal(t, drill.New, log.Before)
	}
	today = f.today(t)
	assert.Equal(t, 8, today.Reviewed)
	assert.Zero(t, today.New, "the day's new limit is used up")
	require.Len(t, today.Queue, 8, "learning cards are due again today")

	// Undo the last review: that question is new again.
	last := today.Queue[len(today.Queue)-1]
	undone, err := f.svc.UndoReview(f.ctx)
	require.NoError(t, err)
	today = f.today(t)
	assert.Equal(t, 7, today.Reviewed)
	assert.Equal(t, 1, today.New, "the undone first review gives the day's new slot back")
	assert.Equal(t, undone.Question, today.Queue[len(today.Queue)-1].Slug)
	_ = last

	// A week later everything reviewed is due, the forgotten one first.
	f.clock = f.clock.AddDate(0, 0, 7)
	today = f.today(t)
	require.NotEmpty(t, today.Queue)
	assert.Equal(t, 7, today.Due)
	for i := 1; i < today.Due; i++ {
		assert.LessOrEqual(t, today.Queue[i-1].Retrievability-0.02, today.Queue[i].Retrievability, "due cards weakest first: %v", today.Queue)
	}
	assert.Equal(t, 8, today.New, "a new day brings new questions")
}

// TestReviewErrors: bad ratings, sources and questions are refused with a
// clear message and record nothing.
func TestReviewErrors(t *testing.T) {
	f := newDrillFixture(t)
	tests := []struct {
		name string
		in   drill.ReviewInput
		code string
		msg  string
	}{
		{"rating 0", drill.ReviewInput{Question: "concept-0", Rating: 0}, onsite.EINVALID, "rating 0 is not a rating"},
		{"rating 5", drill.ReviewInput{Question: "concept-0", Rating: 5}, onsite.EINVALID, "use 1 (again)"},
		{"source", drill.ReviewInput{Question: "concept-0", Rating: 3, Source: "telepathy"}, onsite.EINVALID, "source \"telepathy\""},
		{"question", drill.ReviewInput{Question: "nope", Rating: 3}, onsite.ENOTFOUND, "No question has the slug \"nope\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.RecordReview(f.ctx, tc.in)
			assert.Equal(t, tc.code, onsite.ErrorCode(err))
			assert.Contains(t, onsite.ErrorMessage(err), tc.msg)
		})
	}
	assert.Zero(t, f.today(t).Reviewed)
	_, err := f.svc.UndoReview(f.ctx)
	assert.Equal(t, onsite.ENOTFOUND, onsite.ErrorCode(err))
	_, err = f.svc.FindToday(context.Background())
	assert.Equal(t, onsite.EUNAUTHORIZED, onsite.ErrorCode(err))

	bad := drill.DefaultSettings()
	bad.DesiredRetention = 0.5
	bad.TimeZone = "Nowhere/Land"
	err = f.svc.UpdateSettings(f.ctx, bad)
	assert.Equal(t, onsite.EINVALID, onsite.ErrorCode(err))
	assert.Contains(t, onsite.ErrorMessage(err), "desired_retention: 0.50 is outside 0.70-0.99")
	assert.Contains(t, onsite.ErrorMessage(err), `time_zone: "Nowhere/Land" is not an IANA time zone`)
	got, err := f.svc.FindSettings(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, drill.DefaultSettings(), got, "a refused update changes nothing")
}

// TestDrillStats: the dashboard counts a streak in the user's days, draws a
// year of reviews, forecasts due cards and finds the weakest topics.
func TestDrillStats(t *testing.T) {
	f := newDrillFixture(t)
	st := drill.DefaultSettings()
	st.TimeZone = "America/New_York"
	require.NoError(t, f.svc.UpdateSettings(f.ctx, st))
	// Five days in a row, at 02:00 New York time: before the 4:00 day start,
	// so each counts for the day before.
	ny, _ := time.LoadLocation("America/New_York")
	for i := range 5 {
		f.clock = time.Date(2026, 3, 10+i, 2, 0, 0, 0, ny)
		f.review(t, fmt.Sprintf("concept-%d", i), drill.Good)
		f.review(t, "coding-1", drill.Again)
	}
	stats, err := f.svc.FindStats(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, 5, stats.Streak)
	require.Len(t, stats.Heatmap, 365)
	assert.Equal(t, "2026-03-13", stats.Heatmap[364].Date, "02:00 on the 14th is still the 13th's drill")
	assert.Equal(t, 2, stats.Heatmap[364].Count)
	assert.Equal(t, 0, stats.Heatmap[359].Count)
	require.Len(t, stats.Forecast, 30)
	total := 0
	for _, d := range stats.Forecast {
		total += d.Count
	}
	assert.Equal(t, 6, total, "six cards fall due within 30 days")
	assert.Equal(t, 6, stats.Cards)
	require.NotEmpty(t, stats.Weakest)
	assert.Equal(t, "coding-topic", stats.Weakest[0].Topic, "the forgotten coding card is the weakest topic")

	// A day without reviews breaks the streak.
	f.clock = time.Date(2026, 3, 16, 12, 0, 0, 0, ny)
	stats, err = f.svc.FindStats(f.ctx)
	require.NoError(t, err)
	assert.Zero(t, stats.Streak)
}

// TestDrillQueryPlans: the drill's hot queries use their indexes, so they
// stay fast for a user with thousands of cards (BenchmarkDrill measures
// them).
func TestDrillQueryPlans(t *testing.T) {
	f := newDrillFixture(t)
	plans := queryPlans(t, f.db, 1, formatTime(f.clock), 20000)
	tests := []struct {
		query, want string
	}{
		{"due cards", "USING INDEX cards_user_due (user_id=? AND due<?)"},
		{"new questions", "USING INDEX questions_drill_order (kind=?)"},
		{"new questions", "USING INDEX sqlite_autoindex_cards_1 (user_id=? AND question_id=?)"},
		{"day totals", "USING PRIMARY KEY (user_id=? AND day>?)"},
		{"last review", "USING INDEX reviews_user_id (user_id=?)"},
		{"forecast", "USING INDEX cards_user_due (user_id=? AND due<?)"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			assert.Contains(t, plans[tc.query], tc.want)
			assert.NotContains(t, plans[tc.query], "SCAN c ", "no full scan of cards")
		})
	}
	assert.NotContains(t, plans["new questions"], "TEMP B-TREE", "new questions come in index order, unsorted")
}
