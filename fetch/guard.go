package fetch

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"golang.org/x/net/http/httpproxy"

	"iswfeed/config"
)

// guard keeps requests that a source's content or redirects chose (an
// article's page, a redirect's target) off loopback, private, link-local and
// metadata addresses. It checks the address each connection is made to, after
// name resolution, so a name that resolves to 127.0.0.1 is caught too.
// The hosts the operator configured (the sources' addresses and the proxy)
// are trusted as they are: a source on a private network is the operator's choice.
type guard struct {
	allowPrivate bool
	trusted      map[string]bool // host:port as the transport dials it
}

func newGuard(cfg *config.Config) *guard {
	g := &guard{allowPrivate: cfg.Fetch.AllowPrivateNetworks, trusted: map[string]bool{}}
	for _, src := range cfg.Sources {
		for _, addr := range src.Addresses() {
			g.trust(addr)
		}
	}
	proxy := httpproxy.FromEnvironment()
	for _, p := range []string{proxy.HTTPProxy, proxy.HTTPSProxy} {
		if p != "" && !strings.Contains(p, "://") {
			p = "http://" + p
		}
		g.trust(p)
	}
	return g
}

// trust adds the host of rawURL as the transport names it when dialling.
func (g *guard) trust(rawURL string) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "socks5": "1080"}[u.Scheme]
	}
	g.trusted[net.JoinHostPort(strings.ToLower(u.Hostname()), port)] = true
}

// dialContext dials trusted hosts with d and every other host with a copy
// of d that refuses private addresses as each connection is made.
func (g *guard) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	guarded := *d
	guarded.ControlContext = refusePrivate
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if g.allowPrivate || g.trusted[strings.ToLower(addr)] {
			return d.DialContext(ctx, network, addr)
		}
		return guarded.DialContext(ctx, network, addr)
	}
}

// refusePrivate is a net.Dialer's ControlContext: it runs with the resolved
// address, before the connection is made.
func refusePrivate(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: unparsable address %q", ErrPrivateAddress, address)
	}
	if isPrivate(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrPrivateAddress, ap.Addr())
	}
	return nil
}

// privateRanges are the ranges netip has no predicate for: "this network",
// carrier-grade NAT, IETF protocol assignments, benchmarking, and NAT64's
// well-known prefix (which can embed any IPv4 address).
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("64:ff9b::/96"),
}

// isPrivate reports whether a is loopback, private, link-local (169.254/16
// holds the cloud metadata address 169.254.169.254), unspecified, multicast
// or another range that is no public server's.
func isPrivate(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return true
	}
	for _, p := range privateRanges {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
