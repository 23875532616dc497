package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/questions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sent is one reminder a recordingSender got.
type sent struct {
	At      time.Time
	To      string
	Channel string
	Subject string
}

// recordingSender stands in for the mail server and the webhook receiver
// (drill/notify tests those with real ones): it records what it is asked
// to send, at the clock's time, and fails while failures says so.
type recordingSender struct {
	mu       sync.Mutex
	clock    *fakeClock
	channel  string
	sent     []sent
	failures map[string]int // user email: attempts still to fail
	calls    int
}

func (r *recordingSender) send(to string, rem drill.Reminder) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.failures[to] > 0 {
		r.failures[to]--
		return errors.New("connection refused")
	}
	r.sent = append(r.sent, sent{At: r.clock.Now(), To: to, Channel: r.channel, Subject: rem.Subject()})
	return nil
}

type recordingMail struct{ *recordingSender }

func (r recordingMail) SendReminder(_ context.Context, to string, rem drill.Reminder) error {
	return r.send(to, rem)
}

type recordingHook struct{ *recordingSender }

func (r recordingHook) SendReminder(_ context.Context, w drill.Webhook, rem drill.Reminder) error {
	return r.send(w.URL, rem)
}

// reminderWorld is a database with the bank, users with reminder settings,
// a fake clock and recording senders.
type reminderWorld struct {
	t     *testing.T
	db    *DB
	clock *fakeClock
	svc   *ReminderService
	mail  *recordingSender
	hook  *recordingSender
}

func newReminderWorld(t *testing.T, start time.Time) *reminderWorld {
	db := openTestDB(t)
	clock := useFakeClock(db)
	clock.now = start
	sets, err := questions.BuiltinSets()
	require.NoError(t, err)
	_, err = NewQuestionService(db).ImportSets(context.Background(), 0, sets)
	require.NoError(t, err)
	return &reminderWorld{t: t, db: db, clock: clock, svc: NewReminderService(db, "http://onsite.test"),
		mail: &recordingSender{clock: clock, channel: drill.ChannelEmail, failures: map[string]int{}},
		hook: &recordingSender{clock: clock, channel: drill.ChannelWebhook, failures: map[string]int{}}}
}

// user creates an account with reminder settings at the given time.
func (w *reminderWorld) user(email string, st drill.ReminderSettings) *onsite.User {
	u := createUser(w.t, w.db, email)
	require.NoError(w.t, w.svc.UpdateReminderSettings(onsite.NewContextWithUser(context.Background(), u), st))
	return u
}

// scheduler is one process's scheduler on the world's database.
func (w *reminderWorld) scheduler() *drill.Reminders {
	return &drill.Reminders{Store: w.svc, Email: recordingMail{w.mail}, Webhook: recordingHook{w.hook},
		Now: w.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// runUntil drives schedulers (processes on one database, ticking in turn)
// with the fake clock: each round jumps the clock to the soonest wake-up,
// as Run would sleep until it.
func (w *reminderWorld) runUntil(until time.Time, procs ...*drill.Reminders) {
	w.t.Helper()
	for range 10000 {
		var next time.Time
		for _, p := range procs {
			n, err := p.Tick(context.Background(), 0, false)
			require.NoError(w.t, err)
			next = n
		}
		if next.IsZero() || next.After(until) {
			w.clock.now = until
			return
		}
		if !next.After(w.clock.now) {
			next = w.clock.now.Add(time.Second)
		}
		w.clock.now = next
	}
	w.t.Fatal("the scheduler never settled")
}

// sentLocal lists what was sent as "channel to local-time" in zone.
func sentLocal(s []sent, zone *time.Location) []string {
	var out []string
	for _, x := range s {
		out = append(out, fmt.Sprintf("%s %s %s", x.Channel, x.To, x.At.In(zone).Format("2006-01-02 15:04 MST")))
	}
	sort.Strings(out)
	return out
}

// TestRemindersThroughDSTAndRestarts drives the scheduler with a fake
// clock through four days around New York's spring-forward change, with a
// restart and a second process on the same database: every reminder goes
// out once per channel per local day, a 02:30 reminder fires at 03:00 on
// the day 02:30 does not exist, and nothing is sent twice.
func TestRemindersThroughDSTAndRestarts(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	w := newReminderWorld(t, time.Date(2026, 3, 6, 12, 0, 0, 0, ny))
	st := drill.DefaultReminderSettings("America/New_York")
	st.Enabled, st.Time, st.Webhook = true, "02:30", &drill.Webhook{URL: "https://hooks.example/ada", Style: drill.WebhookSlack}
	w.user("ada@example.com", st)

	first := w.scheduler()
	w.runUntil(time.Date(2026, 3, 8, 1, 0, 0, 0, ny), first)
	// A restart: a new process on the same database, and a second one
	// beside it from then on.
	second, third := w.scheduler(), w.scheduler()
	w.runUntil(time.Date(2026, 3, 10, 12, 0, 0, 0, ny), second, third)

	want := []string{
		"email ada@example.com 2026-03-07 02:30 EST",
		"email ada@example.com 2026-03-08 03:00 EDT",
		"email ada@example.com 2026-03-09 02:30 EDT",
		"email ada@example.com 2026-03-10 02:30 EDT",
	}
	assert.Equal(t, want, sentLocal(w.mail.sent, ny))
	require.Len(t, w.hook.sent, 4, "the webhook too: once a day")
	assert.Contains(t, w.mail.sent[0].Subject, "onsite: 10 due", "ten new cards wait on a first day")

	ctx := onsite.NewContextWithUser(context.Background(), &onsite.User{ID: 1})
	deliveries, err := w.svc.FindDeliveries(ctx, 20)
	require.NoError(t, err)
	assert.Len(t, deliveries, 8, "one delivery row per day and channel")
	for _, d := range deliveries {
		assert.Equal(t, drill.DeliverySent, d.Status, "%+v", d)
	}
}

// TestRemindersFallBackOnce: on the day clocks fall back, a 01:30 reminder
// (a time that happens twice) goes out once.
func TestRemindersFallBackOnce(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	w := newReminderWorld(t, time.Date(2026, 10, 31, 12, 0, 0, 0, ny))
	st := drill.DefaultReminderSettings("America/New_York")
	st.Enabled, st.Time = true, "01:30"
	w.user("ada@example.com", st)
	w.runUntil(time.Date(2026, 11, 2, 12, 0, 0, 0, ny), w.scheduler())
	assert.Equal(t, []string{
		"email ada@example.com 2026-11-01 01:30 EDT",
		"email ada@example.com 2026-11-02 01:30 EST",
	}, sentLocal(w.mail.sent, ny))
}

// TestRemindersRetryAFailingChannel: a webhook that fails twice is tried
// again after one and five minutes and sent once; the other user's
// reminder and the email go out on time; a webhook that never works is
// marked failed after its retries within the hour, with the error kept.
func TestRemindersRetryAFailingChannel(t *testing.T) {
	start := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	w := newReminderWorld(t, start)
	st := drill.DefaultReminderSettings("UTC")
	st.Enabled, st.Time = true, "09:00"
	flaky, broken := st, st
	flaky.Webhook = &drill.Webhook{URL: "https://hooks.example/flaky", Style: drill.WebhookJSON}
	broken.Webhook = &drill.Webhook{URL: "https://hooks.example/broken", Style: drill.WebhookJSON}
	w.user("flaky@example.com", flaky)
	bob := w.user("broken@example.com", broken)
	w.hook.failures["https://hooks.example/flaky"] = 2
	w.hook.failures["https://hooks.example/broken"] = 1000

	w.runUntil(start.Add(3*time.Hour), w.scheduler())
	nine := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	require.Len(t, w.mail.sent, 2)
	for _, m := range w.mail.sent {
		assert.Equal(t, nine, m.At, "a broken webhook never delays an email")
	}
	require.Len(t, w.hook.sent, 1)
	assert.Equal(t, nine.Add(6*time.Minute), w.hook.sent[0].At, "retried after 1 and 5 minutes")

	deliveries, err := w.svc.FindDeliveries(onsite.NewContextWithUser(context.Background(), bob), 10)
	require.NoError(t, err)
	var hook *drill.Delivery
	for i := range deliveries {
		if deliveries[i].Channel == drill.ChannelWebhook {
			hook = &deliveries[i]
		}
	}
	require.NotNil(t, hook)
	assert.Equal(t, drill.DeliveryFailed, hook.Status)
	assert.Equal(t, 1+len(drill.RetryDelays), hook.Attempts)
	assert.Equal(t, "connection refused", hook.Error)
	assert.Equal(t, 2+1+len(drill.RetryDelays)+1, w.hook.calls, "flaky: 3 calls; broken: 5; no more after it failed")
}

// TestRemindersCatchUp: after downtime a reminder whose moment passed less
// than six hours ago still goes out; an older one is skipped, never sent a
// day late.
func TestRemindersCatchUp(t *testing.T) {
	start := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		wake  time.Duration // after start, when the server comes back
		wantN int
	}{
		{"back after 2 hours", 3 * time.Hour, 1},
		{"back after 7 hours", 8 * time.Hour, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newReminderWorld(t, start)
			st := drill.DefaultReminderSettings("UTC")
			st.Enabled, st.Time = true, "09:00"
			w.user("ada@example.com", st)
			w.clock.now = start.Add(tc.wake) // the server was down until now
			w.runUntil(w.clock.now.Add(time.Minute), w.scheduler())
			assert.Len(t, w.mail.sent, tc.wantN)
			// Either way, tomorrow's goes out on time.
			w.runUntil(time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC), w.scheduler())
			require.Len(t, w.mail.sent, tc.wantN+1)
			assert.Equal(t, time.Date(2026, 6, 2, 9, 0, 0, 0, time.UTC), w.mail.sent[tc.wantN].At)
		})
	}
}

// TestRemindersQuietAndDryRun: nothing due keeps a reminder quiet (and says
// why); a dry run reports what it would send and sends nothing.
func TestRemindersQuietAndDryRun(t *testing.T) {
	start := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	w := newReminderWorld(t, start)
	st := drill.DefaultReminderSettings("UTC")
	st.Enabled, st.Time, st.MinDue = true, "09:00", 500
	u := w.user("ada@example.com", st)
	w.clock.now = start.Add(time.Hour)
	out, err := w.scheduler().RunOnce(context.Background(), u.ID, true)
	require.NoError(t, err)
	require.Len(t, out, 1)
	assert.Equal(t, "would skip", out[0].Status)
	assert.Contains(t, out[0].Detail, "fewer than the 500 asked for")
	out, err = w.scheduler().RunOnce(context.Background(), u.ID, false)
	require.NoError(t, err)
	require.Len(t, out, 1)
	assert.Equal(t, drill.DeliverySkipped, out[0].Status)
	assert.Empty(t, w.mail.sent)
}
