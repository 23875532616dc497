// Package notifytest runs a real SMTP server in the test process, as
// net/http/httptest runs HTTP servers: tests of email reminders send to it
// and read back what it received.
package notifytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// Options shape the in-process SMTP server.
type Options struct {
	// StartTLS offers STARTTLS with a self-signed certificate.
	StartTLS bool
	// ImplicitTLS speaks TLS from the first byte, as on port 465.
	ImplicitTLS bool
	// User and Password, when set, are required (AUTH PLAIN) before MAIL.
	User, Password string
	// Refuse maps recipients to the server's refusal of them.
	Refuse map[string]*smtp.SMTPError
}

// Mail is one message the server took.
type Mail struct {
	From string
	To   []string
	Data []byte
}

// Server is a real SMTP server (emersion/go-smtp) on 127.0.0.1
// that keeps what it receives.
type Server struct {
	Host string
	Port int
	opts Options

	mu       sync.Mutex
	received []Mail
}

// Start starts a server on 127.0.0.1 for the test's lifetime.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	ts := &Server{opts: opts}
	s := smtp.NewServer(ts)
	s.Domain = "mx.test"
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.AllowInsecureAuth = true
	s.ErrorLog = log.New(io.Discard, "", 0)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	switch {
	case opts.StartTLS:
		s.TLSConfig = selfSignedTLS(t)
	case opts.ImplicitTLS:
		l = tls.NewListener(l, selfSignedTLS(t))
	}
	addr := l.Addr().(*net.TCPAddr)
	ts.Host, ts.Port = addr.IP.String(), addr.Port
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return ts
}

// Received returns the messages taken so far.
func (ts *Server) Received() []Mail {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]Mail(nil), ts.received...)
}

// NewSession implements smtp.Backend.
func (ts *Server) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &session{server: ts}, nil
}

// session is one client's conversation.
type session struct {
	server   *Server
	loggedIn bool
	from     string
	to       []string
}

func (s *session) AuthMechanisms() []string {
	if s.server.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, password string) error {
		if user != s.server.opts.User || password != s.server.opts.Password {
			return smtp.ErrAuthFailed
		}
		s.loggedIn = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.server.opts.User != "" && !s.loggedIn {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if refusal := s.server.opts.Refuse[to]; refusal != nil {
		return refusal
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	s.server.received = append(s.server.received, Mail{From: s.from, To: s.to, Data: data})
	return nil
}

func (s *session) Reset() {
	s.from, s.to = "", nil
}

func (s *session) Logout() error { return nil }

// selfSignedTLS is a server configuration with a fresh certificate for
// 127.0.0.1 that no client trusts.
func selfSignedTLS(t testing.TB) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mx.test"},
		DNSNames:     []string{"localhost", "mx.test"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}
