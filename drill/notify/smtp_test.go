package notify

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSMTPValidate(t *testing.T) {
	valid := SMTP{Host: "smtp.example.com", Port: 587, TLS: TLSStartTLS, User: "drill", Password: "s3cret", From: "onsite <drill@example.com>"}
	tests := []struct {
		name string
		edit func(*SMTP)
		want []string // the fields Validate complains about
	}{
		{name: "complete", edit: func(*SMTP) {}},
		{name: "defaults", edit: func(c *SMTP) { c.Port, c.TLS, c.User, c.Password = 0, "", "", "" }},
		{name: "implicit tls", edit: func(c *SMTP) { c.Port, c.TLS = 465, TLSImplicit }},
		{name: "plain relay on localhost with login", edit: func(c *SMTP) { c.Host, c.TLS = "localhost", TLSNone }},
		{name: "bare from", edit: func(c *SMTP) { c.From = "drill@example.com" }},
		{name: "ipv6 host", edit: func(c *SMTP) { c.Host = "2001:db8::25" }},
		{name: "no host", edit: func(c *SMTP) { c.Host = "" }, want: []string{"host"}},
		{name: "host with a scheme", edit: func(c *SMTP) { c.Host = "smtp://smtp.example.com" }, want: []string{"host"}},
		{name: "host with a port", edit: func(c *SMTP) { c.Host = "smtp.example.com:587" }, want: []string{"host"}},
		{name: "port out of range", edit: func(c *SMTP) { c.Port = 70000 }, want: []string{"port"}},
		{name: "unknown tls", edit: func(c *SMTP) { c.TLS = "ssl" }, want: []string{"tls"}},
		{name: "starttls on 465", edit: func(c *SMTP) { c.Port = 465 }, want: []string{"tls"}},
		{name: "password in the clear", edit: func(c *SMTP) { c.TLS = TLSNone }, want: []string{"tls"}},
		{name: "password without user", edit: func(c *SMTP) { c.User = "" }, want: []string{"user"}},
		{name: "user without password", edit: func(c *SMTP) { c.Password = "" }, want: []string{"password"}},
		{name: "no from", edit: func(c *SMTP) { c.From = "" }, want: []string{"from"}},
		{name: "from not an address", edit: func(c *SMTP) { c.From = "onsite drill at example.com" }, want: []string{"from"}},
		{name: "negative timeout", edit: func(c *SMTP) { c.Timeout = -time.Second }, want: []string{"timeout"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			tc.edit(&c)

			bad := c.Validate()

			var got []string
			for field, msg := range bad {
				assert.NotEmpty(t, msg, "message for %s", field)
				got = append(got, field)
			}
			assert.ElementsMatch(t, tc.want, got, "fields in %v", bad)
		})
	}
}

func TestSMTPWithDefaults(t *testing.T) {
	tests := []struct {
		name     string
		in       SMTP
		wantTLS  string
		wantPort int
	}{
		{name: "starttls by default", in: SMTP{}, wantTLS: TLSStartTLS, wantPort: 587},
		{name: "implicit tls", in: SMTP{TLS: TLSImplicit}, wantTLS: TLSImplicit, wantPort: 465},
		{name: "plain", in: SMTP{TLS: TLSNone}, wantTLS: TLSNone, wantPort: 25},
		{name: "port kept", in: SMTP{Port: 2525}, wantTLS: TLSStartTLS, wantPort: 2525},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.in.withDefaults()
			assert.Equal(t, tc.wantTLS, got.TLS)
			assert.Equal(t, tc.wantPort, got.Port)
			assert.Equal(t, DefaultSMTPTimeout, got.Timeout)
		})
	}
}
