package fetch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/net/http/httpproxy"

	"iswfeed/config"
)

// guard is the fetcher's transport. It keeps the requests that a source's
// content or redirects chose (an article's page, a redirect's target) off
// loopback, private, link-local and metadata addresses, checking the address
// each connection is made to, after name resolution, so a name that resolves
// to 127.0.0.1 is caught too. Trust follows the request, not the host: a
// source's configured addresses are the operator's choice, so a request
// whose every hop stays on one of its source's own configured hosts (the
// feed itself, an http→https or path move there, an article on the same
// host) is trusted; one that reaches another source's host, or comes back
// to its own after leaving it, is checked like any other. The proxy is
// trusted too. Trusted and checked requests use two transports, so that a
// checked request never reuses a connection that a trusted one opened.
type guard struct {
	allowPrivate bool
	// hosts are each source's configured hosts, by source name.
	hosts            map[string][]*url.URL
	trusted, checked *http.Transport
}

// newGuard returns the guard of cfg's sources, whose two transports are
// made by transport from a dial function.
func newGuard(cfg *config.Config, dialer *net.Dialer, transport func(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Transport) *guard {
	g := &guard{allowPrivate: cfg.Fetch.AllowPrivateNetworks, hosts: map[string][]*url.URL{}}
	for _, src := range cfg.Sources {
		for _, addr := range src.Addresses() {
			if u, err := url.Parse(addr); err == nil && u.Host != "" {
				g.hosts[src.Name] = append(g.hosts[src.Name], u)
			}
		}
	}
	proxies := map[string]bool{}
	proxy := httpproxy.FromEnvironment()
	for _, p := range []string{proxy.HTTPProxy, proxy.HTTPSProxy} {
		if p != "" && !strings.Contains(p, "://") {
			p = "http://" + p
		}
		if u, err := url.Parse(p); err == nil && u.Host != "" {
			proxies[dialAddr(u)] = true
		}
	}
	checking := *dialer
	checking.ControlContext = refusePrivate
	g.trusted = transport(dialer.DialContext)
	g.checked = transport(func(ctx context.Context, network, addr string) (net.Conn, error) {
		if proxies[strings.ToLower(addr)] {
			return dialer.DialContext(ctx, network, addr)
		}
		return checking.DialContext(ctx, network, addr)
	})
	return g
}

// dialAddr is u's host:port as the transport names it when dialling.
func dialAddr(u *url.URL) string {
	return net.JoinHostPort(strings.ToLower(u.Hostname()), portOf(u))
}

// portOf is u's port, or its scheme's.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return map[string]string{"http": "80", "https": "443", "socks5": "1080"}[u.Scheme]
}

// sourceKey is the context key of the source a request is made for.
type sourceKey struct{}

// forSource returns ctx for the requests made for the source named name.
func forSource(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, sourceKey{}, name)
}

// RoundTrip sends req by the trusted transport when every hop that led to
// it stayed on its source's own hosts, and by the checked one otherwise.
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if g.allowPrivate || g.staysHome(req) {
		return g.trusted.RoundTrip(req)
	}
	return g.checked.RoundTrip(req)
}

// staysHome reports whether req and every request whose redirect led to it
// are on one of the configured hosts of the source they are made for.
func (g *guard) staysHome(req *http.Request) bool {
	name, _ := req.Context().Value(sourceKey{}).(string)
	own := g.hosts[name]
	for r := req; r != nil; {
		if !slices.ContainsFunc(own, func(u *url.URL) bool { return sameHost(u, r.URL) }) {
			return false
		}
		if r.Response == nil {
			return true
		}
		r = r.Response.Request
	}
	return false
}

// sameHost reports whether u is on the host of the configured address
// home: the same name and port, or the default ports of their schemes (an
// http→https move).
func sameHost(home, u *url.URL) bool {
	if !strings.EqualFold(home.Hostname(), u.Hostname()) {
		return false
	}
	return portOf(home) == portOf(u) || home.Port() == "" && u.Port() == "" && u.Scheme == "https"
}

// CloseIdleConnections closes both transports' idle connections.
func (g *guard) CloseIdleConnections() {
	g.trusted.CloseIdleConnections()
	g.checked.CloseIdleConnections()
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
