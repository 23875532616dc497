package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/textproto"
	"slices"
	"sort"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"

	"github.com/onsite-dev/onsite/drill"
)

// UserAgent names onsite in the emails and webhook requests it sends.
const UserAgent = "onsite-reminders"

// Mailer sends reminder emails through SMTP with go-mail.
type Mailer struct {
	SMTP SMTP
}

// SendReminder sends r to the address to: Subject r.Subject(), a text/plain
// part r.Text() and a text/html part r.HTML() (multipart/alternative), from
// SMTP.From, with a Date and a Message-ID. Errors say which step failed
// (connect, TLS, login, sender, recipient, message) and quote the server's
// reply; a *gomail.SendError stays reachable with errors.As, so a caller can
// retry when its IsTemp says the refusal was temporary.
func (m *Mailer) SendReminder(ctx context.Context, to string, r drill.Reminder) error {
	c := m.SMTP.withDefaults()
	if bad := c.Validate(); bad != nil {
		return fmt.Errorf("email: the SMTP settings are incomplete: %s", describeFields(bad))
	}
	rcpt, err := mail.ParseAddress(to)
	if err != nil {
		return fmt.Errorf("email to %q: not an address: %w", to, err)
	}
	msg, err := reminderMessage(c, rcpt, r)
	if err != nil {
		return fmt.Errorf("email to %s: %w", rcpt.Address, err)
	}

	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	d := &delivery{cfg: c, ctx: ctx, addr: net.JoinHostPort(c.Host, strconv.Itoa(c.Port))}
	defer d.close()
	d.tlsConfig = &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.InsecureSkipVerify}
	opts := []gomail.Option{
		gomail.WithPort(c.Port),
		gomail.WithTimeout(c.Timeout),
		gomail.WithTLSConfig(d.tlsConfig),
		gomail.WithDialContextFunc(d.dial),
	}
	switch c.TLS {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if c.User != "" {
		opts = append(opts, gomail.WithSMTPAuthCustom(&login{d: d, user: c.User, password: c.Password, host: c.Host}))
	}
	client, err := gomail.NewClient(c.Host, opts...)
	if err != nil {
		return fmt.Errorf("email to %s: set up the SMTP client for %s: %w", rcpt.Address, d.addr, err)
	}

	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return d.explainDial(rcpt.Address, err)
	}
	err = client.SendWithSMTPClient(conn, msg)
	// A failed RSET or QUIT after the server took the message does not undo
	// the delivery.
	quitErr := client.CloseWithSMTPClient(conn)
	switch {
	case msg.IsDelivered():
		return nil
	case err != nil:
		return d.explainSend(rcpt.Address, envelopeFrom(c), err)
	case quitErr != nil:
		return fmt.Errorf("email to %s via %s: %w", rcpt.Address, d.addr, quitErr)
	}
	return nil
}

// reminderMessage builds the email for r.
func reminderMessage(c SMTP, rcpt *mail.Address, r drill.Reminder) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(c.From); err != nil {
		return nil, fmt.Errorf("sender %q: %w", c.From, err)
	}
	msg.AddToMailAddress(rcpt)
	msg.Subject(r.Subject())
	msg.SetDate()
	msg.SetMessageIDWithValue(rand.Text() + "@" + messageIDDomain(c))
	msg.SetUserAgent(UserAgent)
	// Reminders are machine-made: no out-of-office answers (RFC 3834).
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(gomail.TypeTextPlain, r.Text())
	msg.AddAlternativeString(gomail.TypeTextHTML, r.HTML())
	return msg, nil
}

// messageIDDomain is the sender's domain, so that Message-IDs look like the
// sender's own rather than the server's host name.
func messageIDDomain(c SMTP) string {
	from := envelopeFrom(c)
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		return from[at+1:]
	}
	return c.Host
}

// envelopeFrom is the sender's bare address, as the server sees it in MAIL
// FROM.
func envelopeFrom(c SMTP) string {
	if a, err := mail.ParseAddress(c.From); err == nil {
		return a.Address
	}
	return c.From
}

// describeFields lists a Validate result in a stable order.
func describeFields(bad map[string]string) string {
	keys := make([]string, 0, len(bad))
	for k := range bad {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + bad[k]
	}
	return strings.Join(parts, "; ")
}

// delivery follows one email through its steps, so that an error can say
// which step failed: go-mail reports connecting, TLS and login as one
// error.
type delivery struct {
	cfg       SMTP
	ctx       context.Context
	addr      string
	tlsConfig *tls.Config

	conn        net.Conn
	stopClose   func() bool
	handshaken  bool // implicit TLS is up
	authStarted bool
}

// dial connects to the server (ignoring go-mail's address, which breaks
// IPv6 literals) and, for implicit TLS, does the handshake. The connection
// is closed when the delivery's context ends, so a server that stops
// answering cannot hold a delivery past its timeout.
func (d *delivery) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, network, d.addr)
	if err != nil {
		return nil, err
	}
	d.conn = conn
	d.stopClose = context.AfterFunc(d.ctx, func() { conn.Close() })
	if d.cfg.TLS != TLSImplicit {
		return conn, nil
	}
	tc := tls.Client(conn, d.tlsConfig)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	d.handshaken = true
	d.conn = tc
	return tc, nil
}

// close releases the connection whatever go-mail left open.
func (d *delivery) close() {
	if d.stopClose != nil {
		d.stopClose()
	}
	if d.conn != nil {
		d.conn.Close()
	}
}

// explainDial says which step of connecting failed: the TCP connection, TLS,
// the server's greeting or the login.
func (d *delivery) explainDial(to string, err error) error {
	prefix := fmt.Sprintf("email to %s via %s", to, d.addr)
	if e := d.timedOut(err); e != nil {
		return fmt.Errorf("%s: %w", prefix, e)
	}
	switch {
	case d.conn == nil:
		return fmt.Errorf("%s: cannot connect to the SMTP server: %w", prefix, err)
	case d.cfg.TLS == TLSImplicit && !d.handshaken:
		return fmt.Errorf("%s: TLS handshake failed (is the port right for tls %q?): %w", prefix, d.cfg.TLS, err)
	case d.authStarted:
		var reply *textproto.Error
		if errors.As(err, &reply) {
			return fmt.Errorf("%s: the server refused the login for %q: %w", prefix, d.cfg.User, reply)
		}
		return fmt.Errorf("%s: log in as %q: %w", prefix, d.cfg.User, err)
	case d.cfg.TLS == TLSStartTLS && strings.Contains(err.Error(), "STARTTLS"):
		return fmt.Errorf(`%s: the server does not offer STARTTLS, which tls %q requires (use "tls" for port 465): %w`, prefix, d.cfg.TLS, err)
	case isTLSError(err):
		return fmt.Errorf("%s: STARTTLS failed: %w", prefix, err)
	}
	return fmt.Errorf("%s: the SMTP server did not accept the connection: %w", prefix, err)
}

// explainSend says which part of the mail transaction the server refused.
func (d *delivery) explainSend(to, from string, err error) error {
	prefix := fmt.Sprintf("email to %s via %s", to, d.addr)
	if e := d.timedOut(err); e != nil {
		return fmt.Errorf("%s: %w", prefix, e)
	}
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return fmt.Errorf("%s: %w", prefix, err)
	}
	switch se.Reason {
	case gomail.ErrSMTPMailFrom:
		return fmt.Errorf("%s: the server refused the sender %s: %w", prefix, from, err)
	case gomail.ErrSMTPRcptTo:
		return fmt.Errorf("%s: the server refused the recipient: %w", prefix, err)
	case gomail.ErrSMTPData, gomail.ErrWriteContent, gomail.ErrSMTPDataClose:
		return fmt.Errorf("%s: the server refused the message: %w", prefix, err)
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

// timedOut explains a delivery cut short by its timeout (go-mail's
// deadline on the connection or the context's) or by its caller.
func (d *delivery) timedOut(err error) error {
	var ne net.Error
	switch ctxErr := d.ctx.Err(); {
	case errors.Is(ctxErr, context.DeadlineExceeded):
		return fmt.Errorf("no answer within %s: %w", d.cfg.Timeout, ctxErr)
	case ctxErr != nil:
		return fmt.Errorf("cancelled: %w", ctxErr)
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("no answer within %s: %w", d.cfg.Timeout, err)
	}
	return nil
}

// isTLSError reports whether err comes from a TLS handshake or certificate
// check.
func isTLSError(err error) bool {
	var (
		rec      tls.RecordHeaderError
		alert    tls.AlertError
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
	)
	return errors.As(err, &rec) || errors.As(err, &alert) || errors.As(err, &verify) ||
		errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		strings.Contains(err.Error(), "tls: ")
}

// login picks the best mechanism the server offers (PLAIN, LOGIN, then
// CRAM-MD5) and marks the delivery as authenticating, so that a refusal is
// reported as a failed login. PLAIN and LOGIN refuse to send the password
// without TLS unless the server is on localhost.
type login struct {
	d                    *delivery
	user, password, host string
	gosmtp.Auth
}

// Start chooses the mechanism and starts it.
func (a *login) Start(server *gosmtp.ServerInfo) (string, []byte, error) {
	a.d.authStarted = true
	offered := make([]string, len(server.Auth))
	for i, m := range server.Auth {
		offered[i] = strings.ToUpper(m)
	}
	switch {
	case slices.Contains(offered, "PLAIN"):
		a.Auth = gosmtp.PlainAuth("", a.user, a.password, a.host, false)
	case slices.Contains(offered, "LOGIN"):
		a.Auth = gosmtp.LoginAuth(a.user, a.password, a.host, false)
	case slices.Contains(offered, "CRAM-MD5"):
		a.Auth = gosmtp.CRAMMD5Auth(a.user, a.password)
	case len(offered) == 0:
		return "", nil, errors.New("the server offers no login (AUTH); drop the user and password, or check the port and TLS mode")
	default:
		return "", nil, fmt.Errorf("the server offers AUTH %s; onsite speaks PLAIN, LOGIN and CRAM-MD5", strings.Join(offered, " "))
	}
	return a.Auth.Start(server)
}
