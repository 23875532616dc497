package notify

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// ErrPrivateAddress is what a webhook posting to the server's own network
// fails with (errors.Is finds it), unless Webhooks.AllowPrivate is set.
var ErrPrivateAddress = errors.New("onsite refuses private and loopback addresses; an admin can allow them with --reminders-allow-private-webhooks")

// blockedAddressError names the address a webhook would have reached.
type blockedAddressError struct {
	addr netip.Addr
	kind string
}

func (e *blockedAddressError) Error() string {
	return fmt.Sprintf("%s is %s address: %v", e.addr, e.kind, ErrPrivateAddress)
}

func (e *blockedAddressError) Unwrap() error { return ErrPrivateAddress }

var (
	sharedPrefix      = netip.MustParsePrefix("100.64.0.0/10") // CGNAT, RFC 6598
	thisNetworkPrefix = netip.MustParsePrefix("0.0.0.0/8")     // "this network", reaches the host itself on Linux
	nat64Prefix       = netip.MustParsePrefix("64:ff9b::/96")  // NAT64 carries an IPv4 address, RFC 6052
	broadcastAddr     = netip.AddrFrom4([4]byte{255, 255, 255, 255})
)

// blockedKind says what kind of address a webhook must not reach ("a
// loopback"), or "" when a is public.
func blockedKind(a netip.Addr) string {
	a = a.Unmap().WithZone("")
	if nat64Prefix.Contains(a) {
		b := a.As16()
		if kind := blockedKind(netip.AddrFrom4([4]byte(b[12:]))); kind != "" {
			return kind
		}
	}
	switch {
	case !a.IsValid():
		return "an invalid"
	case a.IsLoopback():
		return "a loopback"
	case a.IsPrivate():
		return "a private"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "a link-local"
	case sharedPrefix.Contains(a):
		return "a shared (CGNAT)"
	case a.IsUnspecified(), thisNetworkPrefix.Contains(a):
		return "an unspecified"
	case a.IsMulticast(), a == broadcastAddr:
		return "a multicast or broadcast"
	}
	return ""
}

// refusePrivate is a net.Dialer Control function: it sees the address
// actually dialled, after DNS, so a name that resolves to 127.0.0.1 (or
// changes its answer between a check and the connection) is caught.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("cannot check the address %q: %w", address, err)
	}
	if kind := blockedKind(ap.Addr()); kind != "" {
		return &blockedAddressError{addr: ap.Addr(), kind: kind}
	}
	return nil
}
