package notify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gomail "github.com/wneessen/go-mail"

	"github.com/onsite-dev/onsite/drill"
	"github.com/onsite-dev/onsite/drill/notify/notifytest"
	"github.com/onsite-dev/onsite/questions"
)

// testReminder is 14 cards, about 20 minutes, on a 12-day streak; its URL
// has an & that the HTML part must escape.
func testReminder() drill.Reminder {
	return drill.Reminder{
		Date:    "2025-03-14",
		Due:     map[questions.Kind]int{questions.KindCoding: 8, questions.KindConcept: 3},
		New:     map[questions.Kind]int{questions.KindBehavioral: 3},
		Minutes: 20,
		Streak:  12,
		URL:     "https://onsite.example.com/drill?from=reminder&day=2025-03-14",
	}
}

const testSubject = "onsite: 14 due (about 20 min), streak 12 days"

// smtpFor is the configuration that reaches ts.
func smtpFor(ts *notifytest.Server, tlsMode string) SMTP {
	return SMTP{Host: ts.Host, Port: ts.Port, TLS: tlsMode, From: "onsite <drill@example.com>", Timeout: 10 * time.Second}
}

func TestMailerSendReminder(t *testing.T) {
	tests := []struct {
		name   string
		server notifytest.Options
		tls    string
		user   string
		pass   string
	}{
		{name: "plain relay", tls: TLSNone},
		{name: "plain relay with login", server: notifytest.Options{User: "alice", Password: "s3cret"}, tls: TLSNone, user: "alice", pass: "s3cret"},
		{name: "starttls", server: notifytest.Options{StartTLS: true}, tls: TLSStartTLS},
		{name: "starttls with login", server: notifytest.Options{StartTLS: true, User: "alice", Password: "s3cret"}, tls: TLSStartTLS, user: "alice", pass: "s3cret"},
		{name: "implicit tls with login", server: notifytest.Options{ImplicitTLS: true, User: "alice", Password: "s3cret"}, tls: TLSImplicit, user: "alice", pass: "s3cret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := notifytest.Start(t, tc.server)
			cfg := smtpFor(ts, tc.tls)
			cfg.User, cfg.Password = tc.user, tc.pass
			cfg.InsecureSkipVerify = tc.tls != TLSNone
			m := &Mailer{SMTP: cfg}

			require.NoError(t, m.SendReminder(context.Background(), "Bob <bob@example.com>", testReminder()))

			got := ts.Received()
			require.Len(t, got, 1, "messages received")
			assert.Equal(t, "drill@example.com", got[0].From, "envelope sender")
			assert.Equal(t, []string{"bob@example.com"}, got[0].To, "envelope recipients")
			checkReminderMail(t, got[0].Data)
		})
	}
}

// checkReminderMail parses a received reminder and checks its headers and
// both of its parts.
func checkReminderMail(t *testing.T, data []byte) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	require.NoError(t, err, "parse the message:\n%s", data)
	h := msg.Header

	from, err := mail.ParseAddress(h.Get("From"))
	require.NoError(t, err)
	assert.Equal(t, &mail.Address{Name: "onsite", Address: "drill@example.com"}, from)
	to, err := mail.ParseAddress(h.Get("To"))
	require.NoError(t, err)
	assert.Equal(t, "bob@example.com", to.Address)
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, testSubject, subject)
	date, err := h.Date()
	require.NoError(t, err, "Date header %q", h.Get("Date"))
	assert.WithinDuration(t, time.Now(), date, time.Hour)
	assert.Regexp(t, `^<[^<>@\s]+@example\.com>$`, h.Get("Message-ID"))
	assert.Equal(t, "auto-generated", h.Get("Auto-Submitted"))
	assert.Equal(t, UserAgent, h.Get("User-Agent"))

	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	parts := map[string]string{}
	var order []string
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		typ, typParams, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		require.NoError(t, err)
		assert.Equal(t, "utf-8", strings.ToLower(typParams["charset"]), "charset of %s", typ)
		body, err := io.ReadAll(p)
		require.NoError(t, err)
		parts[typ] = strings.ReplaceAll(string(body), "\r\n", "\n")
		order = append(order, typ)
	}
	// The richest part goes last (RFC 2046).
	require.Equal(t, []string{"text/plain", "text/html"}, order)

	text, html := parts["text/plain"], parts["text/html"]
	lines := testReminder().Lines()
	require.Len(t, lines, 3, "lines of the test reminder: %q", lines)
	require.Contains(t, lines, "8 coding reviews due")
	for _, line := range lines {
		assert.Contains(t, text, "- "+line+"\n")
		assert.Contains(t, html, "<li>"+line+"</li>")
	}
	assert.Contains(t, text, testSubject)
	assert.Contains(t, text, "Start today's drill: https://onsite.example.com/drill?from=reminder&day=2025-03-14\n")
	assert.Contains(t, html, "<strong>"+testSubject+"</strong>")
	assert.Contains(t, html, `<a href="https://onsite.example.com/drill?from=reminder&amp;day=2025-03-14">Start today's drill</a>`)
	assert.NotContains(t, html, "reminder&day", "a bare & in the HTML part")
}

func TestMailerSendReminderErrors(t *testing.T) {
	// A port nothing listens on: one that was just closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closedPort := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())

	// A server that takes the connection and never says a word.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { silent.Close() })
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()

	refuse := map[string]*smtp.SMTPError{"nobody@example.com": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}}
	tests := []struct {
		name   string
		server *notifytest.Options // nil: no server, cfg says where to go
		cfg    func(SMTP) SMTP
		to     string
		want   []string
	}{
		{
			name: "nothing listening",
			cfg: func(c SMTP) SMTP {
				c.Host, c.Port, c.TLS = "127.0.0.1", closedPort, TLSNone
				return c
			},
			want: []string{"cannot connect to the SMTP server", "127.0.0.1:" + strconv.Itoa(closedPort), "connection refused"},
		},
		{
			name: "server never answers",
			cfg: func(c SMTP) SMTP {
				c.Host, c.Port, c.TLS = "127.0.0.1", silent.Addr().(*net.TCPAddr).Port, TLSNone
				c.Timeout = 300 * time.Millisecond
				return c
			},
			want: []string{"127.0.0.1:" + strconv.Itoa(silent.Addr().(*net.TCPAddr).Port), "no answer within 300ms"},
		},
		{
			name:   "recipient refused",
			server: &notifytest.Options{Refuse: refuse},
			cfg:    func(c SMTP) SMTP { return c },
			to:     "nobody@example.com",
			want:   []string{"the server refused the recipient", "550", "5.1.1 No such user here", "nobody@example.com"},
		},
		{
			name:   "wrong password",
			server: &notifytest.Options{User: "alice", Password: "s3cret"},
			cfg: func(c SMTP) SMTP {
				c.User, c.Password = "alice", "guess"
				return c
			},
			want: []string{`the server refused the login for "alice"`, "535", "5.7.8 Authentication failed"},
		},
		{
			name:   "login required",
			server: &notifytest.Options{User: "alice", Password: "s3cret"},
			cfg:    func(c SMTP) SMTP { return c },
			want:   []string{"the server refused the sender drill@example.com", "502", "5.7.0 Please authenticate first"},
		},
		{
			name:   "login the server does not offer",
			server: &notifytest.Options{},
			cfg: func(c SMTP) SMTP {
				c.User, c.Password = "alice", "s3cret"
				return c
			},
			want: []string{`log in as "alice"`, "the server offers no login"},
		},
		{
			name:   "starttls not offered",
			server: &notifytest.Options{},
			cfg: func(c SMTP) SMTP {
				c.TLS = TLSStartTLS
				return c
			},
			want: []string{"does not offer STARTTLS"},
		},
		{
			name:   "untrusted certificate",
			server: &notifytest.Options{StartTLS: true},
			cfg: func(c SMTP) SMTP {
				c.TLS = TLSStartTLS
				return c
			},
			want: []string{"STARTTLS failed", "certificate"},
		},
		{
			name:   "implicit tls against a plain server",
			server: &notifytest.Options{},
			cfg: func(c SMTP) SMTP {
				c.TLS = TLSImplicit
				return c
			},
			want: []string{"TLS handshake failed"},
		},
		{
			name: "incomplete settings",
			cfg: func(c SMTP) SMTP {
				c.Host, c.From = "", ""
				return c
			},
			want: []string{"the SMTP settings are incomplete", "from is required", "host is required"},
		},
		{
			name:   "not an address",
			server: &notifytest.Options{},
			cfg:    func(c SMTP) SMTP { return c },
			to:     "bob at example.com",
			want:   []string{`email to "bob at example.com": not an address`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := SMTP{TLS: TLSNone, From: "onsite <drill@example.com>", Timeout: 10 * time.Second}
			var ts *notifytest.Server
			if tc.server != nil {
				ts = notifytest.Start(t, *tc.server)
				cfg.Host, cfg.Port = ts.Host, ts.Port
			}
			cfg = tc.cfg(cfg)
			to := tc.to
			if to == "" {
				to = "bob@example.com"
			}

			err := (&Mailer{SMTP: cfg}).SendReminder(context.Background(), to, testReminder())

			require.Error(t, err)
			t.Logf("error: %v", err)
			for _, want := range tc.want {
				assert.Contains(t, err.Error(), want)
			}
			if ts != nil {
				assert.Empty(t, ts.Received(), "messages the server took")
			}
		})
	}
}

func TestMailerSendErrorStaysReachable(t *testing.T) {
	ts := notifytest.Start(t, notifytest.Options{Refuse: map[string]*smtp.SMTPError{
		"later@example.com": {Code: 450, EnhancedCode: smtp.EnhancedCode{4, 2, 1}, Message: "Mailbox busy, try later"},
	}})

	err := (&Mailer{SMTP: smtpFor(ts, TLSNone)}).SendReminder(context.Background(), "later@example.com", testReminder())

	var se *gomail.SendError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.IsTemp(), "a 450 is temporary: %v", err)
}
