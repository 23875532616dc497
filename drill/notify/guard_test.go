package notify

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBlockedKind(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"127.0.0.1", "a loopback"},
		{"127.5.5.5", "a loopback"},
		{"::1", "a loopback"},
		{"::ffff:127.0.0.1", "a loopback"},
		{"10.1.2.3", "a private"},
		{"172.16.0.1", "a private"},
		{"172.31.255.255", "a private"},
		{"192.168.1.1", "a private"},
		{"fd00::1", "a private"},
		{"fc00::1", "a private"},
		{"64:ff9b::a00:1", "a private"}, // NAT64 of 10.0.0.1
		{"169.254.169.254", "a link-local"},
		{"fe80::1%eth0", "a link-local"},
		{"ff02::1", "a link-local"},
		{"100.64.0.1", "a shared (CGNAT)"},
		{"100.127.255.255", "a shared (CGNAT)"},
		{"0.0.0.0", "an unspecified"},
		{"0.1.2.3", "an unspecified"},
		{"::", "an unspecified"},
		{"224.0.0.251", "a link-local"}, // link-local multicast
		{"239.255.255.250", "a multicast or broadcast"},
		{"ff05::2", "a multicast or broadcast"},
		{"255.255.255.255", "a multicast or broadcast"},
		{"8.8.8.8", ""},
		{"100.128.0.1", ""},
		{"172.32.0.1", ""},
		{"192.169.0.1", ""},
		{"2606:4700:4700::1111", ""},
		{"64:ff9b::808:808", ""}, // NAT64 of 8.8.8.8
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			a, err := netip.ParseAddr(tc.addr)
			require.NoError(t, err)
			assert.Equal(t, tc.want, blockedKind(a), "blockedKind(%s)", tc.addr)
		})
	}
}

func TestRefusePrivate(t *testing.T) {
	tests := []struct {
		address string
		want    string // "" when the address may be dialled
	}{
		{"127.0.0.1:8080", "127.0.0.1 is a loopback address: onsite refuses private and loopback addresses; an admin can allow them with --reminders-allow-private-webhooks"},
		{"[::1]:443", "::1 is a loopback address"},
		{"[fe80::1%eth0]:80", "fe80::1%eth0 is a link-local address"},
		{"93.184.215.14:443", ""},
		{"not-an-address", "cannot check the address"},
	}
	for _, tc := range tests {
		t.Run(tc.address, func(t *testing.T) {
			err := refusePrivate("tcp", tc.address, nil)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
