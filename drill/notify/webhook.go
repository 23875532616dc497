package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/questions"
)

// DefaultWebhookTimeout bounds one webhook post when Webhooks.Timeout is
// zero.
const DefaultWebhookTimeout = 10 * time.Second

// maxRedirects is how many redirects a webhook post follows, all on the
// webhook's own host.
const maxRedirects = 3

// discordLimit is the length Discord allows a message's content.
const discordLimit = 2000

// Webhooks posts reminders to webhook URLs, safely: http and https only, a
// timeout (default 10 s), at most 3 redirects and never to another host
// (nor from https down to http), no proxy, and, unless AllowPrivate, never
// to loopback, private (RFC 1918, fc00::/7), link-local, CGNAT
// (100.64/10), unspecified or multicast addresses. The address check runs
// on the address actually dialled (a net.Dialer Control function), so DNS
// tricks cannot reach them.
//
// Set the fields before the first SendReminder: the guarded client is built
// once and shared, so that posts to one receiver reuse connections.
type Webhooks struct {
	// AllowPrivate lets webhooks reach the server's own networks, for a
	// receiver on the same host or LAN.
	AllowPrivate bool
	// Timeout bounds one post, redirects and the answer included.
	Timeout time.Duration
	// Client, when set, replaces the HTTP client (tests); nil builds the
	// guarded one. The URL checks and Timeout still apply.
	Client *http.Client

	once    sync.Once
	guarded *http.Client
}

// SendReminder posts r to w in w's style and fails on any non-2xx answer,
// quoting the status and the first 200 bytes of the body. Errors name the
// webhook by scheme and host only: the rest of a Slack or Discord URL, or
// an ntfy topic, is a secret.
func (h *Webhooks) SendReminder(ctx context.Context, w drill.Webhook, r drill.Reminder) error {
	u, err := parseWebhookURL(w.URL)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	where := u.Scheme + "://" + u.Host
	body, header, err := webhookBody(w, r)
	if err != nil {
		return fmt.Errorf("webhook %s: %w", where, err)
	}

	timeout := h.Timeout
	if timeout <= 0 {
		timeout = DefaultWebhookTimeout
	}
	postCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(postCtx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook %s: %w", where, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", UserAgent)

	resp, err := h.client().Do(req)
	if err != nil {
		return explainPost(ctx, where, timeout, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// Read a little of the answer so that the connection can be reused.
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	return fmt.Errorf("webhook %s answered %s: %q", where, resp.Status, strings.ToValidUTF8(string(head), "\uFFFD"))
}

// explainPost turns a failed post into an error that does not quote the
// whole URL, as *url.Error does.
func explainPost(parent context.Context, where string, timeout time.Duration, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var blocked *blockedAddressError
	switch {
	case errors.As(err, &blocked):
		return fmt.Errorf("webhook %s: %w", where, blocked)
	case parent.Err() != nil:
		return fmt.Errorf("webhook %s: cancelled: %w", where, parent.Err())
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("webhook %s: timed out: no answer within %s: %w", where, timeout, err)
	}
	return fmt.Errorf("webhook %s: %w", where, err)
}

// client is the HTTP client posts go through.
func (h *Webhooks) client() *http.Client {
	if h.Client != nil {
		return h.Client
	}
	h.once.Do(func() { h.guarded = guardedClient(h.AllowPrivate) })
	return h.guarded
}

// guardedClient builds the client that enforces Webhooks' rules. It
// ignores HTTP_PROXY: through a proxy, the dialled address would be the
// proxy's, and the address check would mean nothing.
func guardedClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: DefaultWebhookTimeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = refusePrivate
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          20,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   DefaultWebhookTimeout,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{Transport: transport, CheckRedirect: checkRedirect}
}

// checkRedirect follows at most maxRedirects redirects that keep the POST
// (307 and 308), on the first request's host and port, never from https
// down to http.
func checkRedirect(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	switch {
	case len(via) > maxRedirects:
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	case req.URL.Scheme != "http" && req.URL.Scheme != "https":
		return fmt.Errorf("refuses a redirect to a %q URL; only http and https are allowed", req.URL.Scheme)
	case !strings.EqualFold(req.URL.Hostname(), first.Hostname()) || port(req.URL) != port(first):
		return fmt.Errorf("refuses a redirect to another host (%s); a webhook is posted to its own host only", req.URL.Host)
	case first.Scheme == "https" && req.URL.Scheme == "http":
		return errors.New("refuses a redirect from https to http")
	case req.Method != via[0].Method:
		// 301, 302 and 303 turn the POST into a GET without the reminder,
		// which a receiver would answer with a success.
		return fmt.Errorf("refuses a redirect that turns the POST into a %s (status %d); use the URL it redirects to",
			req.Method, req.Response.StatusCode)
	}
	return nil
}

// port is u's port, the scheme's default when it has none.
func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// parseWebhookURL checks what drill.ReminderSettings.Validate checks, for
// URLs that did not come through it.
func parseWebhookURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("no URL to post to")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the URL, which may hold a secret.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("the URL does not parse: %w", err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("refuses a %q URL; only http and https are allowed", u.Scheme)
	case u.Host == "":
		return nil, errors.New("the URL has no host")
	case u.User != nil:
		return nil, errors.New("the URL carries a user name or password, which onsite does not send")
	}
	return u, nil
}

// webhookBody renders r in w's style, with the headers that go with it.
func webhookBody(w drill.Webhook, r drill.Reminder) ([]byte, http.Header, error) {
	header := http.Header{}
	header.Set("Content-Type", "application/json")
	var payload any
	switch w.Style {
	case drill.WebhookJSON, "":
		payload = newReminderJSON(r)
	case drill.WebhookSlack:
		payload = map[string]string{"text": slackText(r)}
	case drill.WebhookDiscord:
		payload = map[string]string{"content": discordContent(r)}
	case drill.WebhookNtfy:
		header.Set("Content-Type", "text/plain; charset=utf-8")
		header.Set("Title", mime.QEncoding.Encode("utf-8", r.Subject()))
		priority := w.Priority
		if priority == 0 {
			priority = 3
		}
		header.Set("Priority", strconv.Itoa(priority))
		if len(w.Tags) > 0 {
			header.Set("Tags", strings.Join(w.Tags, ","))
		}
		if r.URL != "" {
			header.Set("Click", r.URL)
		}
		return []byte(ntfyText(r)), header, nil
	default:
		return nil, nil, fmt.Errorf("%q is not a webhook style; use %s", w.Style, strings.Join(drill.WebhookStyles, ", "))
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(payload); err != nil {
		return nil, nil, err
	}
	return b.Bytes(), header, nil
}

// reminderJSON is the generic webhook's body.
type reminderJSON struct {
	Subject string                 `json:"subject"`
	Text    string                 `json:"text"`
	Date    string                 `json:"date"`
	Due     map[questions.Kind]int `json:"due"`
	New     map[questions.Kind]int `json:"new"`
	Total   int                    `json:"total"`
	Minutes int                    `json:"estimated_minutes"`
	Streak  int                    `json:"streak"`
	URL     string                 `json:"url"`
}

func newReminderJSON(r drill.Reminder) reminderJSON {
	j := reminderJSON{Subject: r.Subject(), Text: r.Text(), Date: r.Date, Due: r.Due, New: r.New,
		Total: r.Total(), Minutes: r.Minutes, Streak: r.Streak, URL: r.URL}
	// Receivers get objects, never null.
	if j.Due == nil {
		j.Due = map[questions.Kind]int{}
	}
	if j.New == nil {
		j.New = map[questions.Kind]int{}
	}
	return j
}

// slackEscaper escapes what Slack's mrkdwn reads as markup.
var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// slackText is the reminder in Slack's mrkdwn: the subject in bold, a
// bullet a line, and a link.
func slackText(r drill.Reminder) string {
	var b strings.Builder
	b.WriteString("*" + slackEscaper.Replace(r.Subject()) + "*\n")
	for _, l := range r.Lines() {
		b.WriteString("• " + slackEscaper.Replace(l) + "\n")
	}
	if r.URL != "" {
		link := strings.ReplaceAll(slackEscaper.Replace(r.URL), "|", "%7C")
		b.WriteString("<" + link + "|Start today's drill>")
	}
	return strings.TrimRight(b.String(), "\n")
}

// discordContent is the reminder in Discord's markdown, cut to Discord's
// limit. The link is in angle brackets so that Discord shows no preview.
func discordContent(r drill.Reminder) string {
	var b strings.Builder
	b.WriteString("**" + r.Subject() + "**\n")
	for _, l := range r.Lines() {
		b.WriteString("- " + l + "\n")
	}
	if r.URL != "" {
		b.WriteString("Start today's drill: <" + r.URL + ">")
	}
	return truncate(strings.TrimRight(b.String(), "\n"), discordLimit)
}

// ntfyText is the body of an ntfy message: the subject goes in the Title
// header and the link in Click, and the link is repeated for the web app.
func ntfyText(r drill.Reminder) string {
	var b strings.Builder
	b.WriteString(strings.Join(r.Lines(), "\n"))
	if r.URL != "" {
		b.WriteString("\nStart today's drill: " + r.URL)
	}
	return b.String()
}

// truncate cuts s to at most n characters, ending in "…" when cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-1]) + "…"
}
