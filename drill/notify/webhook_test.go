package notify

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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/onsite-dev/onsite/drill"
)

// postedRequest is what a receiver saw.
type postedRequest struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// receiver is a real HTTP server that records the posts it gets and
// answers them with handle (204 when nil).
type receiver struct {
	*httptest.Server
	mu    sync.Mutex
	posts []postedRequest
}

func startReceiver(t *testing.T, handle http.HandlerFunc) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.posts = append(rc.posts, postedRequest{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		rc.mu.Unlock()
		if handle != nil {
			handle(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.Close)
	return rc
}

// Posts returns the posts received so far.
func (rc *receiver) Posts() []postedRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]postedRequest(nil), rc.posts...)
}

func TestWebhooksSendReminderStyles(t *testing.T) {
	r := testReminder()
	lines := r.Lines()
	tests := []struct {
		name    string
		webhook drill.Webhook
		r       drill.Reminder
		check   func(t *testing.T, got postedRequest)
	}{
		{
			name:    "json",
			webhook: drill.Webhook{Style: drill.WebhookJSON},
			r:       r,
			check: func(t *testing.T, got postedRequest) {
				assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
				var body map[string]any
				require.NoError(t, json.Unmarshal(got.Body, &body), "body %s", got.Body)
				assert.Equal(t, map[string]any{
					"subject":           testSubject,
					"text":              r.Text(),
					"date":              "2025-03-14",
					"due":               map[string]any{"coding": 8.0, "concept": 3.0},
					"new":               map[string]any{"behavioral": 3.0},
					"total":             14.0,
					"estimated_minutes": 20.0,
					"streak":            12.0,
					"url":               r.URL,
				}, body)
			},
		},
		{
			name:    "json with nothing due",
			webhook: drill.Webhook{Style: drill.WebhookJSON},
			r:       drill.Reminder{Date: "2025-03-14", URL: "https://onsite.example.com/drill"},
			check: func(t *testing.T, got postedRequest) {
				var body map[string]any
				require.NoError(t, json.Unmarshal(got.Body, &body), "body %s", got.Body)
				assert.Equal(t, map[string]any{}, body["due"], "due is an object, never null")
				assert.Equal(t, map[string]any{}, body["new"], "new is an object, never null")
				assert.Equal(t, 0.0, body["total"])
			},
		},
		{
			name:    "slack",
			webhook: drill.Webhook{Style: drill.WebhookSlack},
			r:       r,
			check: func(t *testing.T, got postedRequest) {
				assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
				var body map[string]string
				require.NoError(t, json.Unmarshal(got.Body, &body), "body %s", got.Body)
				want := "*" + testSubject + "*\n• " + strings.Join(lines, "\n• ") +
					"\n<https://onsite.example.com/drill?from=reminder&amp;day=2025-03-14|Start today's drill>"
				assert.Equal(t, map[string]string{"text": want}, body)
			},
		},
		{
			name:    "discord",
			webhook: drill.Webhook{Style: drill.WebhookDiscord},
			r:       r,
			check: func(t *testing.T, got postedRequest) {
				assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
				var body map[string]string
				require.NoError(t, json.Unmarshal(got.Body, &body), "body %s", got.Body)
				want := "**" + testSubject + "**\n- " + strings.Join(lines, "\n- ") +
					"\nStart today's drill: <" + r.URL + ">"
				assert.Equal(t, map[string]string{"content": want}, body)
			},
		},
		{
			name:    "discord under its limit",
			webhook: drill.Webhook{Style: drill.WebhookDiscord},
			r:       drill.Reminder{Due: r.Due, URL: "https://onsite.example.com/drill?pad=" + strings.Repeat("x", 3000)},
			check: func(t *testing.T, got postedRequest) {
				var body map[string]string
				require.NoError(t, json.Unmarshal(got.Body, &body), "body %s", got.Body)
				assert.Len(t, []rune(body["content"]), discordLimit)
				assert.True(t, strings.HasSuffix(body["content"], "…"), "cut content ends in an ellipsis")
			},
		},
		{
			name:    "ntfy",
			webhook: drill.Webhook{Style: drill.WebhookNtfy, Priority: 4, Tags: []string{"books", "alarm_clock"}},
			r:       r,
			check: func(t *testing.T, got postedRequest) {
				assert.Equal(t, "text/plain; charset=utf-8", got.Header.Get("Content-Type"))
				assert.Equal(t, testSubject, got.Header.Get("Title"))
				assert.Equal(t, "4", got.Header.Get("Priority"))
				assert.Equal(t, "books,alarm_clock", got.Header.Get("Tags"))
				assert.Equal(t, r.URL, got.Header.Get("Click"))
				assert.Equal(t, strings.Join(lines, "\n")+"\nStart today's drill: "+r.URL, string(got.Body))
			},
		},
		{
			name:    "ntfy defaults",
			webhook: drill.Webhook{Style: drill.WebhookNtfy},
			r:       r,
			check: func(t *testing.T, got postedRequest) {
				assert.Equal(t, "3", got.Header.Get("Priority"))
				assert.NotContains(t, got.Header, "Tags")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := startReceiver(t, nil)
			w := tc.webhook
			w.URL = rc.URL + "/hooks/T000/B000/secret"
			h := &Webhooks{AllowPrivate: true}

			require.NoError(t, h.SendReminder(context.Background(), w, tc.r))

			posts := rc.Posts()
			require.Len(t, posts, 1)
			got := posts[0]
			assert.Equal(t, http.MethodPost, got.Method)
			assert.Equal(t, "/hooks/T000/B000/secret", got.Path)
			assert.Equal(t, UserAgent, got.Header.Get("User-Agent"))
			tc.check(t, got)
		})
	}
}

func TestWebhooksRefusePrivateAddresses(t *testing.T) {
	rc := startReceiver(t, nil)
	u, err := url.Parse(rc.URL)
	require.NoError(t, err)
	tests := []struct {
		name string
		url  string
		want string
	}{
		{name: "loopback receiver", url: rc.URL + "/hook", want: "127.0.0.1 is a loopback address"},
		{name: "name that resolves to loopback", url: "http://localhost:" + u.Port() + "/hook", want: "is a loopback address"},
		{name: "ipv6 loopback", url: "http://[::1]:" + u.Port() + "/hook", want: "::1 is a loopback address"},
		{name: "private network", url: "http://10.0.0.1/hook", want: "10.0.0.1 is a private address"},
		{name: "cloud metadata", url: "http://169.254.169.254/latest/meta-data/", want: "169.254.169.254 is a link-local address"},
		{name: "cgnat", url: "https://100.64.1.1/hook", want: "100.64.1.1 is a shared (CGNAT) address"},
		{name: "unspecified", url: "http://0.0.0.0:" + u.Port() + "/hook", want: "0.0.0.0 is an unspecified address"},
		{name: "ipv4-mapped loopback", url: "http://[::ffff:127.0.0.1]:" + u.Port() + "/hook", want: "is a loopback address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &Webhooks{}

			err := h.SendReminder(context.Background(), drill.Webhook{URL: tc.url, Style: drill.WebhookJSON}, testReminder())

			require.Error(t, err)
			t.Logf("error: %v", err)
			assert.ErrorIs(t, err, ErrPrivateAddress)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "refuses private and loopback addresses; an admin can allow them with --reminders-allow-private-webhooks")
			assert.NotContains(t, err.Error(), "/hook", "the error quotes the URL's path")
		})
	}
	assert.Empty(t, rc.Posts(), "posts that got through")
}

func TestWebhooksRefuseURLs(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want string
	}{
		{name: "file", url: "file:///etc/passwd", want: `refuses a "file" URL; only http and https are allowed`},
		{name: "ftp", url: "ftp://ftp.example.com/hook", want: `refuses a "ftp" URL`},
		{name: "gopher", url: "gopher://example.com/", want: `refuses a "gopher" URL`},
		{name: "empty", url: "", want: "no URL to post to"},
		{name: "no host", url: "https:///hook", want: "no host"},
		{name: "credentials", url: "https://user:pass@example.com/hook", want: "user name or password"},
		{name: "unparsable", url: "https://exa mple.com/%zz", want: "does not parse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &Webhooks{}

			err := h.SendReminder(context.Background(), drill.Webhook{URL: tc.url, Style: drill.WebhookJSON}, testReminder())

			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestWebhooksRedirects(t *testing.T) {
	other := startReceiver(t, nil)
	otherURL, err := url.Parse(other.URL)
	require.NoError(t, err)
	// The same receiver under another name: 127.0.0.1 and localhost.
	otherByName := "http://localhost:" + otherURL.Port()

	tests := []struct {
		name     string
		status   int                       // of the first redirect; 307 when 0
		location func(rc *receiver) string // where /start redirects to
		wantErr  string                    // "" when the post arrives
	}{
		{name: "same host", location: func(*receiver) string { return "/hook" }},
		{name: "same host, absolute", location: func(rc *receiver) string { return rc.URL + "/hook" }},
		{name: "three redirects", location: func(*receiver) string { return "/hop/2" }},
		{name: "four redirects", location: func(*receiver) string { return "/hop/3" }, wantErr: "stopped after 3 redirects"},
		{name: "another host", location: func(*receiver) string { return otherByName + "/hook" }, wantErr: "refuses a redirect to another host (localhost:" + otherURL.Port() + ")"},
		{name: "another port", location: func(*receiver) string { return other.URL + "/hook" }, wantErr: "refuses a redirect to another host"},
		{name: "file", location: func(*receiver) string { return "file:///etc/passwd" }, wantErr: `refuses a redirect to a "file" URL`},
		{name: "found", status: http.StatusFound, location: func(*receiver) string { return "/hook" }, wantErr: "refuses a redirect that turns the POST into a GET (status 302)"},
		{name: "see other", status: http.StatusSeeOther, location: func(*receiver) string { return "/hook" }, wantErr: "(status 303)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rc *receiver
			rc = startReceiver(t, func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.URL.Path == "/start":
					status := tc.status
					if status == 0 {
						status = http.StatusTemporaryRedirect
					}
					http.Redirect(w, r, tc.location(rc), status)
				case r.URL.Path == "/hop/1":
					http.Redirect(w, r, "/hook", http.StatusPermanentRedirect)
				case strings.HasPrefix(r.URL.Path, "/hop/"):
					n := r.URL.Path[len("/hop/"):]
					http.Redirect(w, r, "/hop/"+string(n[0]-1), http.StatusTemporaryRedirect)
				default:
					w.WriteHeader(http.StatusNoContent)
				}
			})
			h := &Webhooks{AllowPrivate: true}

			err := h.SendReminder(context.Background(), drill.Webhook{URL: rc.URL + "/start", Style: drill.WebhookJSON}, testReminder())

			posts := rc.Posts()
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				for _, p := range posts {
					assert.NotEqual(t, "/hook", p.Path, "the post reached the hook")
				}
				return
			}
			require.NoError(t, err)
			require.NotEmpty(t, posts)
			last := posts[len(posts)-1]
			assert.Equal(t, "/hook", last.Path)
			assert.Equal(t, http.MethodPost, last.Method, "307 and 308 keep the method")
			assert.Contains(t, string(last.Body), `"subject":"`+testSubject+`"`, "307 and 308 keep the body")
		})
	}
	assert.Empty(t, other.Posts(), "posts to the other host")
}

func TestWebhooksTimeout(t *testing.T) {
	rc := startReceiver(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; the client gives up
	})
	h := &Webhooks{AllowPrivate: true, Timeout: 200 * time.Millisecond}

	err := h.SendReminder(context.Background(), drill.Webhook{URL: rc.URL + "/slow", Style: drill.WebhookJSON}, testReminder())

	require.Error(t, err)
	assert.Contains(t, err.Error(), "timed out: no answer within 200ms")
}

func TestWebhooksCancelled(t *testing.T) {
	rc := startReceiver(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h := &Webhooks{AllowPrivate: true}

	err := h.SendReminder(ctx, drill.Webhook{URL: rc.URL + "/hook", Style: drill.WebhookJSON}, testReminder())

	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "cancelled")
}

func TestWebhooksAnswers(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr []string // nil when the post succeeds
	}{
		{name: "ok", status: http.StatusOK, body: "ok"},
		{name: "accepted", status: http.StatusAccepted},
		{name: "no content", status: http.StatusNoContent},
		{name: "not found", status: http.StatusNotFound, body: "no_such_hook\n", wantErr: []string{"answered 404 Not Found", `"no_such_hook\n"`}},
		{name: "server error", status: http.StatusServiceUnavailable, body: strings.Repeat("a", 200) + "TAIL",
			wantErr: []string{"answered 503 Service Unavailable", `"` + strings.Repeat("a", 200) + `"`}},
		{name: "not modified", status: http.StatusNotModified, wantErr: []string{"answered 304 Not Modified"}},
		{name: "rate limited", status: http.StatusTooManyRequests, body: `{"retry_after": 2}`, wantErr: []string{"answered 429 Too Many Requests", `retry_after`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := startReceiver(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			})
			h := &Webhooks{AllowPrivate: true}

			err := h.SendReminder(context.Background(), drill.Webhook{URL: rc.URL + "/services/secret-token", Style: drill.WebhookSlack}, testReminder())

			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range tc.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			assert.Contains(t, err.Error(), rc.URL, "the error names the receiver")
			assert.NotContains(t, err.Error(), "TAIL", "the body is quoted past 200 bytes")
			assert.NotContains(t, err.Error(), "secret-token", "the error quotes the URL's path")
		})
	}
}

func TestWebhooksUnknownStyle(t *testing.T) {
	rc := startReceiver(t, nil)
	h := &Webhooks{AllowPrivate: true}

	err := h.SendReminder(context.Background(), drill.Webhook{URL: rc.URL, Style: "teams"}, testReminder())

	require.Error(t, err)
	assert.Contains(t, err.Error(), `"teams" is not a webhook style`)
	assert.Empty(t, rc.Posts())
}

func TestWebhooksClientReplaced(t *testing.T) {
	rc := startReceiver(t, nil)
	var used bool
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	// AllowPrivate is off, but the replaced client does not check addresses.
	h := &Webhooks{Client: client}

	require.NoError(t, h.SendReminder(context.Background(), drill.Webhook{URL: rc.URL, Style: drill.WebhookNtfy}, testReminder()))

	assert.True(t, used, "the replaced client posted")
	assert.Len(t, rc.Posts(), 1)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
