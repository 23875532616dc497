package notify

import (
	"fmt"
	"net"
	"net/mail"
	"strings"
	"time"
)

// The ways of securing the connection to the SMTP server (SMTP.TLS).
const (
	// TLSStartTLS upgrades a plain connection with STARTTLS and refuses to
	// go on without it. It is the default; submission servers listen on 587.
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte, as servers on port 465 do.
	TLSImplicit = "tls"
	// TLSNone sends everything in the clear: for a relay on the same host
	// or network, and for tests.
	TLSNone = "none"
)

// DefaultSMTPTimeout bounds one email delivery when SMTP.Timeout is zero.
const DefaultSMTPTimeout = 30 * time.Second

// SMTP is the server-wide mail configuration.
type SMTP struct {
	Host string
	// Port is the server's port; 0 picks the usual one for TLS: 587 for
	// starttls, 465 for tls, 25 for none.
	Port int
	// TLS is "starttls" (the default, required), "tls" (implicit TLS, port
	// 465) or "none" (plain, for a local relay or tests).
	TLS      string
	User     string
	Password string
	// From is the sender, with or without a name: "onsite <drill@example.com>".
	From string
	// Timeout bounds one delivery (default 30 s).
	Timeout time.Duration
	// InsecureSkipVerify is for tests only: it accepts any certificate.
	InsecureSkipVerify bool
}

// Validate returns what is wrong, field by field ("host": "..."), or nil.
// The zero TLS, Port and Timeout are valid: they mean the defaults.
func (c SMTP) Validate() map[string]string {
	bad := map[string]string{}
	switch host := c.Host; {
	case host == "":
		bad["host"] = "is required: the SMTP server's name, such as smtp.example.com"
	case strings.Contains(host, "://"):
		bad["host"] = fmt.Sprintf("%q has a scheme; give the server's name alone, such as smtp.example.com", host)
	case strings.ContainsAny(host, "/@[] \t\r\n"):
		bad["host"] = fmt.Sprintf("%q is not a host name or IP address", host)
	default:
		if _, _, err := net.SplitHostPort(host); err == nil {
			bad["host"] = fmt.Sprintf("%q has a port; give the name alone and the port separately", host)
		}
	}
	if c.Port < 0 || c.Port > 65535 {
		bad["port"] = fmt.Sprintf("%d is outside 1-65535 (0 picks 587, 465 or 25 by tls)", c.Port)
	}
	switch c.TLS {
	case "", TLSStartTLS:
		if c.Port == 465 {
			bad["tls"] = `port 465 speaks TLS from the start; set tls to "tls", or use port 587 with "starttls"`
		}
	case TLSImplicit:
	case TLSNone:
		if c.User != "" && !isLoopbackName(c.Host) {
			bad["tls"] = `"none" would send the password in the clear; use "starttls" or "tls", or drop the user for a local relay`
		}
	default:
		bad["tls"] = fmt.Sprintf(`%q is not a TLS mode; use "starttls" (the default), "tls" (port 465) or "none"`, c.TLS)
	}
	if c.Password != "" && c.User == "" {
		bad["user"] = "is required with a password"
	}
	if c.User != "" && c.Password == "" {
		bad["password"] = "is required with a user"
	}
	if c.From == "" {
		bad["from"] = `is required: the sender, such as "onsite <drill@example.com>"`
	} else if _, err := mail.ParseAddress(c.From); err != nil {
		bad["from"] = fmt.Sprintf(`%q is not an address (%v); use "onsite <drill@example.com>" or drill@example.com`, c.From, err)
	}
	if c.Timeout < 0 {
		bad["timeout"] = fmt.Sprintf("%s is negative; 0 means %s", c.Timeout, DefaultSMTPTimeout)
	}
	if len(bad) == 0 {
		return nil
	}
	return bad
}

// withDefaults fills in the zero TLS, Port and Timeout.
func (c SMTP) withDefaults() SMTP {
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	if c.Port == 0 {
		switch c.TLS {
		case TLSImplicit:
			c.Port = 465
		case TLSNone:
			c.Port = 25
		default:
			c.Port = 587
		}
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultSMTPTimeout
	}
	return c
}

// isLoopbackName reports whether host names this machine in the way go-mail
// accepts for a login without TLS.
func isLoopbackName(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
