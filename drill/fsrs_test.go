package drill

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func noFuzz(t *testing.T) *Scheduler {
	t.Helper()
	p := DefaultParams()
	p.Fuzz = false
	s, err := NewScheduler(p)
	require.NoError(t, err)
	return s
}

// TestSchedulerMatchesReference: reviewing each time at the due moment, the
// scheduled days agree with py-fsrs 6, ts-fsrs 5 and fsrs-rs.
func TestSchedulerMatchesReference(t *testing.T) {
	s := noFuzz(t)
	ratings := []Rating{Good, Good, Good, Good, Good, Good, Again, Again, Good, Good, Good, Good, Good}
	want := []int{0, 2, 11, 46, 163, 498, 0, 0, 2, 4, 7, 12, 21}
	now := time.Date(2022, 11, 29, 12, 30, 0, 0, time.UTC)
	c := Card{}
	var got []int
	for _, r := range ratings {
		c = s.Next(c, r, now)
		got = append(got, ScheduledDays(c))
		now = c.Due
	}
	assert.Equal(t, want, got)
}

// TestMemoryStateMatchesReference: the stability and difficulty after a
// fixed history agree with the reference implementations to 1e-4. The day
// offsets are the days elapsed since the previous review (fsrs-rs's
// delta_t).
func TestMemoryStateMatchesReference(t *testing.T) {
	s := noFuzz(t)
	start := time.Date(2022, 11, 29, 12, 30, 0, 0, time.UTC)
	ratings := []Rating{Again, Good, Good, Good, Good, Good}
	days := []int{0, 0, 1, 3, 8, 21}
	c := Card{}
	at := start
	for i, r := range ratings {
		at = at.AddDate(0, 0, days[i])
		c = s.Next(c, r, at)
	}
	assert.InDelta(t, 53.62691, c.Stability, 1e-4)
	assert.InDelta(t, 6.3574867, c.Difficulty, 1e-4)
}

// TestFuzzIsDeterministic: with fuzz on, the same card reviewed the same way
// at the same moment gets the same interval, intervals stay within their
// fuzz range, and different cards spread out.
func TestFuzzIsDeterministic(t *testing.T) {
	s, err := NewScheduler(DefaultParams())
	require.NoError(t, err)
	plain := noFuzz(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	base := Card{State: Review, Stability: 40, Difficulty: 5, LastReview: now.AddDate(0, 0, -40), Reps: 5}
	want := ScheduledDays(plain.Next(base, Good, now))
	seen := map[int]bool{}
	for key := uint64(1); key <= 200; key++ {
		c := base
		c.Key = key
		a, b := s.Next(c, Good, now), s.Next(c, Good, now)
		require.Equal(t, a.Due, b.Due, "card %d scheduled twice the same way", key)
		days := ScheduledDays(a)
		assert.InDelta(t, want, days, 0.05*float64(want)+2.5, "card %d: %d days, unfuzzed %d", key, days, want)
		seen[days] = true
	}
	assert.Greater(t, len(seen), 3, "fuzz spreads 200 cards over more than 3 intervals around %d days", want)
}

// TestRetrievability falls from 1 with the days since the last review and is
// the desired retention when the card is due.
func TestRetrievability(t *testing.T) {
	s := noFuzz(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := s.Next(Card{}, Easy, now)
	tests := []struct {
		name string
		at   time.Time
		want float64
	}{
		{"new card", time.Time{}, 0},
		{"just reviewed", now, 1},
		{"when due", c.Due, 0.9},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			card := c
			if tc.at.IsZero() {
				card = Card{}
			}
			assert.InDelta(t, tc.want, s.Retrievability(card, tc.at), 0.01)
		})
	}
	assert.Greater(t, s.Retrievability(c, now.AddDate(0, 0, 2)), s.Retrievability(c, now.AddDate(0, 0, 20)))
}

// TestDaysFollowTheUsersDayStart: days between reviews are counted in the
// user's time zone from the hour their day starts.
func TestDaysFollowTheUsersDayStart(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	p := DefaultParams()
	p.Location, p.DayStartHour = berlin, 4
	s, err := NewScheduler(p)
	require.NoError(t, err)
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, berlin) }
	tests := []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{"late night counts for the evening before", at(1, 23), at(2, 1), 0},
		{"after the day start is a new day", at(1, 23), at(2, 5), 1},
		{"a week", at(1, 12), at(8, 12), 7},
		{"backwards is zero", at(8, 12), at(1, 12), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, s.ElapsedDays(tc.from, tc.to))
		})
	}
}
