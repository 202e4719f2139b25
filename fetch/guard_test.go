package fetch

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
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
}

// TestTrustFollowsTheRequest: a source's configured hosts are trusted for
// that source's requests alone, and only while they stay on them.
func TestTrustFollowsTheRequest(t *testing.T) {
	// other is another configured source, on a private address of its own.
	other, otherHits := listenOn(t, "127.0.0.2")
	t.Run("a redirect on the source's own host is followed", func(t *testing.T) {
		var moved atomic.Int64
		home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/feed/" {
				http.Redirect(w, r, "/moved/feed/", http.StatusMovedPermanently)
				return
			}
			moved.Add(1)
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(fixture(t, "wordpress.rss"))
		}))
		defer home.Close()
		p, _ := newPoller(t, testConfig(t, "", home.URL+"/feed/"), openDB(t), &sink{})
		if r := pollOne(t, p); r.Err != nil || r.Items != 3 || moved.Load() != 1 {
			t.Errorf("poll: %+v, %d requests at the new path", r, moved.Load())
		}
	})
	t.Run("a redirect to another configured source's private host is refused", func(t *testing.T) {
		src := redirector(t, other.URL+"/feed/")
		p, _ := newPoller(t, testConfig(t, "", src.URL+"/feed/", other.URL+"/feed/"), openDB(t), &sink{})
		before := otherHits.Load()
		r := pollScheduled(t, p, "src0")
		wantErr(t, r.Err, ErrPrivateAddress)
		if otherHits.Load() != before {
			t.Error("the other source's host was reached by this source's redirect")
		}
		if r := pollScheduled(t, p, "src1"); r.Err != nil || r.Items != 3 {
			t.Errorf("the other source's own poll: %+v", r)
		}
	})
	t.Run("an article link to a configured host from another source is refused", func(t *testing.T) {
		site := newTeaserSite(t)
		sk := &sink{}
		// The teaser site's item 399 links a page on other's host; other is configured.
		site.elsewhere = other.URL + "/2023/03/die-lage-399/"
		cfg := testConfig(t, "", site.URL+"/feed/", other.URL+"/feed/")
		cfg.Sources[0].FullText = true
		p, _ := newPoller(t, cfg, openDB(t), sk)
		// The other source's poll leaves a connection to its host open:
		// the article request must not take it.
		if r := pollScheduled(t, p, "src1"); r.Err != nil {
			t.Fatal(r.Err)
		}
		before := otherHits.Load()
		if r := pollScheduled(t, p, "src0"); r.Err != nil {
			t.Fatal(r.Err)
		}
		if otherHits.Load() != before {
			t.Error("the other source's host was reached by this source's article link")
		}
		for _, it := range sk.of("src0") {
			if it.ID == "p399" && it.Content != "Kurzfassung 399." {
				t.Errorf("item 399 has %q, want its teaser", it.Content)
			}
		}
		if n := len(site.requests("/2023/03/die-lage-401/")); n != 1 {
			t.Errorf("the article on the source's own host was fetched %d times, want once", n)
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
	g := p.fetcher.client.Transport.(*guard)
	g.trusted.TLSClientConfig = secure.Client().Transport.(*http.Transport).TLSClientConfig
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

func TestSameHost(t *testing.T) {
	for _, tt := range []struct {
		home, target string
		want         bool
	}{
		{"http://feeds.example.org/feed/", "http://feeds.example.org/moved/feed/", true},
		{"http://feeds.example.org/feed/", "https://FEEDS.example.org/feed/", true},
		{"http://127.0.0.1:8080/feed/", "http://127.0.0.1:8080/other/", true},
		{"http://127.0.0.1:8080/feed/", "http://127.0.0.1:8081/feed/", false},
		{"http://127.0.0.1:8080/feed/", "https://127.0.0.1/feed/", false},
		{"https://feeds.example.org/feed/", "http://feeds.example.org/feed/", false},
		{"http://feeds.example.org/feed/", "http://intranet.example.org/feed/", false},
	} {
		home, _ := url.Parse(tt.home)
		target, _ := url.Parse(tt.target)
		if got := sameHost(home, target); got != tt.want {
			t.Errorf("sameHost(%s, %s) = %v, want %v", tt.home, tt.target, got, tt.want)
		}
	}
}
