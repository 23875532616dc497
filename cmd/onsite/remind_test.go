package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsite-dev/onsite"
	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/drill/notify/notifytest"
	"github.com/onsite-dev/onsite/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mailParts reads a received message's headers and its text and HTML
// parts.
func mailParts(t *testing.T, data []byte) (mail.Header, map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(data)))
	require.NoError(t, err)
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		body, err := io.ReadAll(p)
		require.NoError(t, err)
		parts[ct] = string(body)
	}
	return msg.Header, parts
}

// TestReminderEmailEndToEnd: serve with a real SMTP server in the test
// process; the settings page's test button sends the email (headers, both
// parts, the due counts and the link), and `onsite remind` sends the day's
// reminder once: a second run sends nothing.
func TestReminderEmailEndToEnd(t *testing.T) {
	smtpd := notifytest.Start(t, notifytest.Options{})
	hooks := make(chan string, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hooks <- string(b)
	}))
	defer receiver.Close()
	smtpFlags := []string{"--smtp-host", smtpd.Host, "--smtp-port", fmt.Sprint(smtpd.Port), "--smtp-tls", "none",
		"--smtp-from", "onsite <drill@onsite.test>", "--base-url", "https://onsite.test", "--reminders-allow-private-webhooks"}

	dir := t.TempDir()
	srv := startServe(t, dir, append([]string{"--no-reminders"}, smtpFlags...)...)
	token := createAccount(t, dir)
	call := func(method, path, body string, out any) int {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		if out != nil {
			require.NoError(t, json.Unmarshal(data, out), string(data))
		}
		return resp.StatusCode
	}
	settings := fmt.Sprintf(`{"enabled": true, "time": "09:00", "time_zone": "UTC", "min_due": 1, "quiet_when_done": true, "email": true,
		"webhook": {"url": %q, "style": "discord"}}`, receiver.URL+"/discord")
	require.Equal(t, http.StatusOK, call(http.MethodPut, "/api/v1/reminders/settings", settings, nil))

	var ok map[string]any
	require.Equal(t, http.StatusOK, call(http.MethodPost, "/api/v1/reminders/test", `{"channel": "email"}`, &ok), "%v", ok)
	got := smtpd.Received()
	require.Len(t, got, 1)
	header, parts := mailParts(t, got[0].Data)
	assert.Regexp(t, `^onsite: 10 due \(about \d+ min\)$`, header.Get("Subject"), "a new account has ten new cards and no streak yet")
	assert.Contains(t, header.Get("From"), "drill@onsite.test")
	assert.Contains(t, got[0].To, "ada@example.com")
	assert.NotEmpty(t, header.Get("Message-Id"))
	require.Contains(t, parts, "text/plain")
	require.Contains(t, parts, "text/html")
	for _, p := range parts {
		assert.Contains(t, p, "new coding card")
		assert.Contains(t, p, "https://onsite.test/drill")
	}
	require.Equal(t, http.StatusOK, call(http.MethodPost, "/api/v1/reminders/test", `{"channel": "webhook"}`, &ok))
	var discord struct{ Content string }
	require.NoError(t, json.Unmarshal([]byte(<-hooks), &discord))
	assert.Contains(t, discord.Content, "onsite: 10 due")

	// Put today's 09:00 reminder in the past, as if the server had been
	// down since before it: the settings are saved by a clock an hour
	// before the moment, which is 30 minutes ago now.
	now := time.Now().UTC()
	moment := now.Add(-30 * time.Minute).Truncate(time.Minute)
	db := store.NewDB(filepath.Join(dir, store.FileName))
	db.Now = func() time.Time { return moment.Add(-time.Hour) }
	require.NoError(t, db.Open(context.Background()))
	u, err := store.NewUserService(db).FindUserByEmail(context.Background(), "ada@example.com")
	require.NoError(t, err)
	st := drill.DefaultReminderSettings("UTC")
	st.Enabled, st.Time, st.Email = true, moment.Format("15:04"), true
	st.Webhook = &drill.Webhook{URL: receiver.URL + "/discord", Style: drill.WebhookDiscord}
	require.NoError(t, store.NewReminderService(db, "").UpdateReminderSettings(onsite.NewContextWithUser(context.Background(), u), st))
	require.NoError(t, db.Close())

	code, out, stderr := run(t, "", append([]string{"remind", "--data", dir, "--dry-run"}, smtpFlags...)...)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "ada@example.com email: would send")
	assert.Len(t, smtpd.Received(), 1, "a dry run sends nothing")

	code, out, stderr = run(t, "", append([]string{"remind", "--data", dir}, smtpFlags...)...)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "ada@example.com email: sent")
	assert.Contains(t, out, "ada@example.com webhook: sent")
	assert.Len(t, smtpd.Received(), 2)
	assert.Len(t, hooks, 1)

	code, out, _ = run(t, "", append([]string{"remind", "--data", dir}, smtpFlags...)...)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "no reminder is due now", "the day's reminder went out once")
	assert.Len(t, smtpd.Received(), 2)
}
