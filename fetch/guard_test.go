package fetch

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

// listenOn starts a server on ip (any of 127/8 is loopback on Linux) that
// counts its requests and answers with the WordPress fixture.
func listenOn(t *testing.T, ip string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
	var hits atomic.Int64
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(fixture(t, "wordpress.rss"))
	})}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &hits
}

// redirector answers every request with a redirect to target.
func redirector(t *testing.T, target string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRedirectsIntoPrivateNetworksAreRefused(t *testing.T) {
	inside, hits := listenOn(t, "127.0.0.2")
	_, port, _ := net.SplitHostPort(inside.Listener.Addr().String())
	tests := []struct {
		name, target string
	}{
		{"a redirect to another loopback address", inside.URL + "/feed/"},
		{"a redirect to a name that resolves to loopback (checked after resolution)", "http://localhost:" + port + "/feed/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hits.Load()
			src := redirector(t, tt.target)
			db := openDB(t)
			p, _ := newPoller(t, testConfig(t, "", src.URL+"/feed/"), db, &sink{})
			r := pollOne(t, p)
			wantErr(t, r.Err, ErrPrivateAddress)
			if hits.Load() != before {
				t.Errorf("the private server was reached")
			}
			st := stateOf(t, db, "src0")
			if pub := st.PublicError(); pub != noAnswer || strings.Contains(pub, "127.0.0") {
				t.Errorf("public error %q; want the coarse %q", pub, noAnswer)
			}
			if !strings.Contains(st.LastError, "allow_private_networks") {
				t.Errorf("the operator's error %q does not name the setting that allows it", st.LastError)
			}
		})
	}
	t.Run("fetch.allow_private_networks lets a redirect into loopback through", func(t *testing.T) {
		src := redirector(t, inside.URL+"/feed/")
		cfg := testConfig(t, "", src.URL+"/feed/")
		cfg.Fetch.AllowPrivateNetworks = true
		p, _ := newPoller(t, cfg, openDB(t), &sink{})
		if r := pollOne(t, p); r.Err != nil || r.Items != 3 {
			t.Errorf("poll: %+v", r)
		}
	})
	t.Run("a redirect to the host of a configured source is the operator's choice", func(t *testing.T) {
		src := redirector(t, inside.URL+"/feed/")
		p, _ := newPoller(t, testConfig(t, "", src.URL+"/feed/", inside.URL+"/other/"), openDB(t), &sink{})
		if r := p.PollAll(t.Context())[0]; r.Err != nil || r.Items != 3 {
			t.Errorf("poll: %+v", r)
		}
	})
}

func TestHTTPSToHTTPRedirectIsRefused(t *testing.T) {
	plain, hits := listenOn(t, "127.0.0.1")
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/feed/", http.StatusMovedPermanently)
	}))
	defer secure.Close()
	cfg := testConfig(t, "", secure.URL+"/feed/")
	cfg.Fetch.AllowPrivateNetworks = true
	p, _ := newPoller(t, cfg, openDB(t), &sink{})
	p.fetcher.client.Transport.(*http.Transport).TLSClientConfig = secure.Client().Transport.(*http.Transport).TLSClientConfig
	r := pollOne(t, p)
	wantErr(t, r.Err, ErrInsecureRedirect)
	if hits.Load() != 0 {
		t.Error("the http target was requested")
	}
}

func TestTheMetadataAddressIsRefusedBeforeConnecting(t *testing.T) {
	// Only the check runs: no packet may leave for addresses outside 127/8.
	for _, addr := range []string{"169.254.169.254:80", "[fd00:ec2::254]:80", "10.0.0.1:443"} {
		if err := refusePrivate(t.Context(), "tcp", addr, nil); !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("%s: %v, want %v", addr, err, ErrPrivateAddress)
		}
	}
	if err := refusePrivate(t.Context(), "tcp", "93.184.215.14:443", nil); err != nil {
		t.Errorf("a public address was refused: %v", err)
	}
}

func TestIsPrivate(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1": true, "127.0.0.3": true, "::1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true,
		"169.254.169.254": true, "fe80::1": true, "fd00:ec2::254": true, "0.0.0.0": true, "::": true, "100.64.0.1": true,
		"::ffff:127.0.0.1": true, "224.0.0.1": true, "255.255.255.255": true,
		"93.184.215.14": false, "2606:4700::6810:84e5": false, "8.8.8.8": false,
	} {
		if got := isPrivate(netip.MustParseAddr(addr)); got != want {
			t.Errorf("isPrivate(%s) = %v, want %v", addr, got, want)
		}
	}
}
