package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/drill/notify"
	"github.com/onsite-dev/onsite/server"
	"github.com/onsite-dev/onsite/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reminderServer is a test server with reminders: webhooks through the
// real sender (private addresses allowed, for the loopback receiver), no
// mail server, and a clock the test sets.
func reminderServer(t *testing.T, now *time.Time) *testServer {
	return newTestServer(t, func(s *server.Server, db *store.DB) {
		svc := store.NewReminderService(db, "")
		s.Reminders = svc
		s.Reminder = &drill.Reminders{Store: svc, Webhook: &notify.Webhooks{AllowPrivate: true}, Now: func() time.Time { return *now }}
		s.BaseURL = "https://onsite.example"
	})
}

// TestReminderSettingsAPI: settings round-trip with the next moment,
// problems are named field by field, and unknown fields are refused.
func TestReminderSettingsAPI(t *testing.T) {
	now := time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)
	ts := reminderServer(t, &now)
	_, token := ts.createUser(t, "ada@example.com", false)

	var v struct {
		Settings drill.ReminderSettings `json:"settings"`
		NextAt   *time.Time             `json:"next_at"`
		Server   map[string]bool        `json:"server_channels"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodGet, ts.URL+"/api/v1/reminders/settings", token, "", &v))
	assert.False(t, v.Settings.Enabled, "reminders start off")
	assert.Equal(t, "09:00", v.Settings.Time)
	assert.Equal(t, 1, v.Settings.MinDue, "only when something is due, by default")
	assert.True(t, v.Settings.QuietWhenDone)
	assert.False(t, v.Server["email"], "no mail server here")

	body := `{"enabled": true, "time": "07:30", "time_zone": "Europe/Berlin", "days": [1, 3, 5], "min_due": 5, "quiet_when_done": true, "email": true,
		"webhook": {"url": "https://ntfy.sh/onsite-ada", "style": "ntfy", "priority": 4, "tags": ["books"]}}`
	require.Equal(t, http.StatusOK, api(t, http.MethodPut, ts.URL+"/api/v1/reminders/settings", token, body, &v))
	assert.Equal(t, []time.Weekday{1, 3, 5}, v.Settings.Days)
	require.NotNil(t, v.NextAt)
	assert.Equal(t, "2026-06-03T05:30:00Z", v.NextAt.UTC().Format(time.RFC3339), "at 08:00 on Monday in Berlin, the next of Monday, Wednesday and Friday at 07:30 is Wednesday")

	tests := []struct {
		name, body, want string
	}{
		{"bad time and zone", `{"time": "7.30", "time_zone": "Berlin"}`, `time: \"7.30\" is not a time of day; use HH:MM`},
		{"webhook to a file", `{"time": "07:30", "time_zone": "UTC", "webhook": {"url": "file:///etc/passwd", "style": "json"}}`, "only http and https URLs are allowed"},
		{"unknown field", `{"time": "07:30", "time_zone": "UTC", "sms": true}`, `unknown field \"sms\"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e apiErrorBody
			require.Equal(t, http.StatusBadRequest, api(t, http.MethodPut, ts.URL+"/api/v1/reminders/settings", token, tc.body, &e))
			assert.Contains(t, e.Error.Message, strings.ReplaceAll(tc.want, `\"`, `"`))
		})
	}
}

// webhookReceiver is a real HTTP server that records what it is sent and
// answers with the given status.
type webhookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
	status int
}

func newWebhookReceiver(t *testing.T, status int) *webhookReceiver {
	r := &webhookReceiver{status: status}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.bodies = append(r.bodies, string(b))
		r.mu.Unlock()
		w.WriteHeader(r.status)
		_, _ = io.WriteString(w, "receiver says hi")
	}))
	t.Cleanup(r.Close)
	return r
}

// TestReminderTestButton: the test button sends to the webhook now and
// says so; a failing webhook's exact error is shown; email without a mail
// server says what the administrator must set.
func TestReminderTestButton(t *testing.T) {
	now := time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)
	ts := reminderServer(t, &now)
	_, token := ts.createUser(t, "ada@example.com", false)
	good := newWebhookReceiver(t, http.StatusOK)
	bad := newWebhookReceiver(t, http.StatusForbidden)

	b := newBrowser(t, ts.URL)
	require.Equal(t, http.StatusSeeOther, b.submit("/signin", "/signin", url.Values{"email": {"ada@example.com"}, "password": {"password123"}}).Status)
	save := func(hook string) {
		r := b.submit("/settings/reminders", "/settings/reminders", url.Values{"enabled": {"on"}, "time": {"09:00"}, "time_zone": {"UTC"},
			"only_when_due": {"on"}, "min_due": {"1"}, "email": {"on"}, "webhook_url": {hook}, "webhook_style": {"slack"}})
		require.Equal(t, http.StatusOK, r.Status, r.Body)
		require.Contains(t, r.Body, "Saved.")
	}
	save(good.URL + "/hook")
	r := b.submit("/settings/reminders", "/settings/reminders", url.Values{"action": {"test-webhook"}})
	assert.Contains(t, r.Body, "A test reminder went out by webhook.")
	require.Len(t, good.bodies, 1)
	var slack struct{ Text string }
	require.NoError(t, json.Unmarshal([]byte(good.bodies[0]), &slack))
	assert.Contains(t, slack.Text, "onsite: 10 due")
	assert.Contains(t, slack.Text, "https://onsite.example/drill")

	save(bad.URL + "/hook")
	r = b.submit("/settings/reminders", "/settings/reminders", url.Values{"action": {"test-webhook"}})
	assert.Contains(t, r.Body, "The test webhook failed")
	assert.Contains(t, r.Body, "403")
	assert.Contains(t, r.Body, "receiver says hi", "the receiver's answer is quoted")

	var out map[string]any
	assert.Equal(t, http.StatusBadGateway, api(t, http.MethodPost, ts.URL+"/api/v1/reminders/test", token, `{"channel": "webhook"}`, &out))
	assert.Equal(t, false, out["ok"])
	var e apiErrorBody
	assert.Equal(t, http.StatusBadGateway, api(t, http.MethodPost, ts.URL+"/api/v1/reminders/test", token, `{"channel": "email"}`, &out))
	assert.Contains(t, out["error"], "email is not set up on this server")
	assert.Equal(t, http.StatusBadRequest, api(t, http.MethodPost, ts.URL+"/api/v1/reminders/test", token, `{"channel": "pigeon"}`, &e))
}

// TestCalendarFeedAndBrowserClaim: the feed answers at its secret address
// with the due count, and stops at the old address after a reset; a
// browser notification is handed out once a day, and not before its time.
func TestCalendarFeedAndBrowserClaim(t *testing.T) {
	now := time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)
	ts := reminderServer(t, &now)
	_, token := ts.createUser(t, "ada@example.com", false)
	var v struct {
		CalendarURL string `json:"calendar_url"`
	}
	require.Equal(t, http.StatusOK, api(t, http.MethodPut, ts.URL+"/api/v1/reminders/settings", token,
		`{"enabled": true, "time": "09:00", "time_zone": "UTC", "min_due": 1, "browser": true, "calendar": true}`, &v))
	require.True(t, strings.HasPrefix(v.CalendarURL, "https://onsite.example/calendar/"), v.CalendarURL)
	feedPath := strings.TrimPrefix(v.CalendarURL, "https://onsite.example")

	resp, err := http.Get(ts.URL + feedPath)
	require.NoError(t, err)
	feed, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/calendar; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Contains(t, string(feed), "SUMMARY:onsite: 10 due")
	assert.Contains(t, string(feed), "BEGIN:VALARM")

	require.Equal(t, http.StatusOK, api(t, http.MethodPost, ts.URL+"/api/v1/reminders/calendar/reset", token, "", &v))
	resp, err = http.Get(ts.URL + feedPath)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the old address stops working after a reset")

	var e apiErrorBody
	assert.Equal(t, http.StatusConflict, api(t, http.MethodPost, ts.URL+"/api/v1/reminders/browser/claim", token, "", &e), "not before 09:00")
	now = time.Date(2026, 6, 1, 9, 1, 0, 0, time.UTC)
	var n struct{ Title, Body, URL string }
	require.Equal(t, http.StatusOK, api(t, http.MethodPost, ts.URL+"/api/v1/reminders/browser/claim", token, "", &n))
	assert.Contains(t, n.Title, "onsite: 10 due")
	assert.Equal(t, "https://onsite.example/drill", n.URL)
	assert.Equal(t, http.StatusConflict, api(t, http.MethodPost, ts.URL+"/api/v1/reminders/browser/claim", token, "", &e), "a second tab gets nothing")

	deliveries, err := store.NewReminderService(ts.DB, "").FindDeliveries(userContext(t, ts, "ada@example.com"), 5)
	require.NoError(t, err)
	require.Len(t, deliveries, 1)
	assert.Equal(t, drill.ChannelBrowser, deliveries[0].Channel)
	assert.Equal(t, drill.DeliverySent, deliveries[0].Status)
}

func userContext(t *testing.T, ts *testServer, email string) context.Context {
	u, err := ts.Users.FindUserByEmail(context.Background(), email)
	require.NoError(t, err)
	return onsite.NewContextWithUser(context.Background(), u)
}
