package drill_test

import (
	"strings"
	"testing"
	"time"

	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/questions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// TestReminderMoments: the moment of a reminder on a day, through DST
// changes: a time that does not exist fires at the change, a time that
// happens twice fires the first time.
func TestReminderMoments(t *testing.T) {
	tests := []struct {
		name, zone, at string
		date           [3]int
		want           string // RFC 3339
	}{
		{"plain day", "America/New_York", "09:00", [3]int{2026, 6, 1}, "2026-06-01T09:00:00-04:00"},
		{"spring forward gap", "America/New_York", "02:30", [3]int{2026, 3, 8}, "2026-03-08T03:00:00-04:00"},
		{"day after the gap", "America/New_York", "02:30", [3]int{2026, 3, 9}, "2026-03-09T02:30:00-04:00"},
		{"fall back overlap: first", "America/New_York", "01:30", [3]int{2026, 11, 1}, "2026-11-01T01:30:00-04:00"},
		{"Berlin gap", "Europe/Berlin", "02:15", [3]int{2026, 3, 29}, "2026-03-29T03:00:00+02:00"},
		{"Berlin overlap", "Europe/Berlin", "02:30", [3]int{2026, 10, 25}, "2026-10-25T02:30:00+02:00"},
		{"half-hour zone", "Asia/Kolkata", "07:45", [3]int{2026, 1, 15}, "2026-01-15T07:45:00+05:30"},
		{"southern DST gap", "Australia/Sydney", "02:30", [3]int{2026, 10, 4}, "2026-10-04T03:00:00+11:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := drill.ReminderSettings{Time: tc.at, TimeZone: tc.zone}
			got := s.MomentOn(tc.date[0], time.Month(tc.date[1]), tc.date[2])
			want, err := time.Parse(time.RFC3339, tc.want)
			require.NoError(t, err)
			assert.True(t, got.Equal(want), "got %s, want %s", got, want)
		})
	}
}

// TestReminderNext: the next moment skips days not chosen and never
// returns the second occurrence of a fall-back time.
func TestReminderNext(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	tests := []struct {
		name     string
		settings drill.ReminderSettings
		from     time.Time
		want     time.Time
		date     string
	}{
		{"later today", drill.ReminderSettings{Time: "09:00", TimeZone: "America/New_York"},
			time.Date(2026, 6, 1, 8, 0, 0, 0, ny), time.Date(2026, 6, 1, 9, 0, 0, 0, ny), "2026-06-01"},
		{"at the moment itself", drill.ReminderSettings{Time: "09:00", TimeZone: "America/New_York"},
			time.Date(2026, 6, 1, 9, 0, 0, 0, ny), time.Date(2026, 6, 1, 9, 0, 0, 0, ny), "2026-06-01"},
		{"tomorrow", drill.ReminderSettings{Time: "09:00", TimeZone: "America/New_York"},
			time.Date(2026, 6, 1, 9, 1, 0, 0, ny), time.Date(2026, 6, 2, 9, 0, 0, 0, ny), "2026-06-02"},
		{"weekdays only, from Friday evening", drill.ReminderSettings{Time: "09:00", TimeZone: "America/New_York", Days: []time.Weekday{1, 2, 3, 4, 5}},
			time.Date(2026, 6, 5, 20, 0, 0, 0, ny), time.Date(2026, 6, 8, 9, 0, 0, 0, ny), "2026-06-08"},
		{"after the first 01:30 of a fall-back day", drill.ReminderSettings{Time: "01:30", TimeZone: "America/New_York"},
			time.Date(2026, 11, 1, 5, 31, 0, 0, time.UTC), time.Date(2026, 11, 2, 1, 30, 0, 0, ny), "2026-11-02"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, date := tc.settings.Next(tc.from)
			assert.True(t, got.Equal(tc.want), "got %s, want %s", got, tc.want)
			assert.Equal(t, tc.date, date)
		})
	}
}

func TestReminderSettingsValidate(t *testing.T) {
	ok := drill.DefaultReminderSettings("Europe/Berlin")
	require.Nil(t, ok.Validate())
	tests := []struct {
		name  string
		edit  func(*drill.ReminderSettings)
		field string
		want  string
	}{
		{"bad time", func(s *drill.ReminderSettings) { s.Time = "9am" }, "time", "use HH:MM"},
		{"hour 24", func(s *drill.ReminderSettings) { s.Time = "24:00" }, "time", "not a time of day"},
		{"bad zone", func(s *drill.ReminderSettings) { s.TimeZone = "Mars/Olympus" }, "time_zone", "not an IANA time zone"},
		{"bad day", func(s *drill.ReminderSettings) { s.Days = []time.Weekday{7} }, "days", "0 (Sunday) to 6 (Saturday)"},
		{"webhook scheme", func(s *drill.ReminderSettings) { s.Webhook = &drill.Webhook{URL: "file:///etc/passwd", Style: "json"} }, "webhook.url", "only http and https"},
		{"webhook style", func(s *drill.ReminderSettings) {
			s.Webhook = &drill.Webhook{URL: "https://ntfy.sh/x", Style: "telegram"}
		}, "webhook.style", "use json, slack, discord, ntfy"},
		{"webhook credentials", func(s *drill.ReminderSettings) {
			s.Webhook = &drill.Webhook{URL: "https://u:p@example.com/", Style: "json"}
		}, "webhook.url", "user name or password"},
		{"ntfy priority", func(s *drill.ReminderSettings) {
			s.Webhook = &drill.Webhook{URL: "https://ntfy.sh/x", Style: "ntfy", Priority: 9}
		}, "webhook.priority", "1-5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ok
			tc.edit(&s)
			bad := s.Validate()
			require.Contains(t, bad, tc.field, "got %v", bad)
			assert.Contains(t, bad[tc.field], tc.want)
		})
	}
}

// TestReminderContent: the subject line, the body's counts by kind, and
// when a reminder stays quiet.
func TestReminderContent(t *testing.T) {
	today := &drill.Today{Date: "2026-06-01", Minutes: 20}
	for range 3 {
		today.Queue = append(today.Queue, drill.Item{Kind: questions.KindCoding})
	}
	for range 9 {
		today.Queue = append(today.Queue, drill.Item{Kind: questions.KindConcept})
	}
	today.Queue = append(today.Queue, drill.Item{Kind: questions.KindConcept, New: true}, drill.Item{Kind: questions.KindBehavioral, New: true})
	r := drill.NewReminder(today, 12, "http://127.0.0.1:8080/drill")
	assert.Equal(t, "onsite: 14 due (about 20 min), streak 12 days", r.Subject())
	assert.Equal(t, []string{"3 coding reviews due", "9 ML concept reviews due", "1 new ML concept card", "1 new behavioral card"}, r.Lines())
	assert.Contains(t, r.Text(), "Start today's drill: http://127.0.0.1:8080/drill")
	assert.Contains(t, r.HTML(), `<a href="http://127.0.0.1:8080/drill">`)
	assert.True(t, strings.HasPrefix(r.HTML(), "<!doctype html>"))

	s := drill.DefaultReminderSettings("UTC")
	assert.Empty(t, r.Quiet(s))
	s.MinDue = 20
	assert.Contains(t, r.Quiet(s), "fewer than the 20 asked for")
	done := drill.NewReminder(&drill.Today{Date: "2026-06-01", Reviewed: 30}, 13, "")
	assert.Equal(t, "today's drill is done", done.Quiet(drill.DefaultReminderSettings("UTC")))
	s = drill.DefaultReminderSettings("UTC")
	s.QuietWhenDone, s.MinDue = false, 0
	assert.Empty(t, done.Quiet(s), "an every-day reminder goes out even when the drill is done")
	assert.Equal(t, "onsite: 0 due, streak 13 days", done.Subject())
}
