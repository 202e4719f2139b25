package fetch

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"iswfeed/config"
)

// mirror serves the WordPress fixture on ip with validators, answering 304
// to its own ETag, and records the validators each request sent.
type mirror struct {
	*httptest.Server
	etag string
	mu   sync.Mutex
	sent []string // If-None-Match of each request
}

func newMirror(t *testing.T, ip, etag string) *mirror {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
	m := &mirror{etag: etag}
	m.Server = &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.sent = append(m.sent, r.Header.Get("If-None-Match"))
		m.mu.Unlock()
		if r.Header.Get("If-None-Match") == m.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", m.etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(fixture(t, "wordpress.rss"))
	})}}
	m.Start()
	t.Cleanup(m.Close)
	return m
}

func (m *mirror) requests() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.sent...)
}

// flaky is a primary address that fails in the way given while failing is set.
func flaky(t *testing.T, how string, failing *atomic.Bool, good *mirror) (string, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if !failing.Load() {
			good.Config.Handler.ServeHTTP(w, r)
			return
		}
		switch how {
		case "challenge":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			w.Write(fixture(t, "challenge.html"))
		case "503 challenge":
			w.Header().Set("Content-Type", "text/html")
			w.Header().Set("Cf-Mitigated", "challenge")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write(fixture(t, "challenge.html"))
		case "500":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "404":
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/feed/", &hits
}

// fallbackConfig is testConfig's with one source, "src", at primary with fallbacks.
func fallbackConfig(t *testing.T, primary string, fallbacks ...string) *config.Config {
	t.Helper()
	cfg := testConfig(t, "", primary)
	cfg.Sources[0].Name, cfg.Sources[0].URLs = "src", fallbacks
	return cfg
}

func TestFallbackAddresses(t *testing.T) {
	for _, how := range []string{"challenge", "503 challenge", "500", "network error"} {
		t.Run("the primary's "+how+" is answered by the fallback on another loopback address", func(t *testing.T) {
			backup := newMirror(t, "127.0.0.2", `"backup"`)
			var failing atomic.Bool
			failing.Store(true)
			primary, hits := flaky(t, how, &failing, newMirror(t, "127.0.0.1", `"primary"`))
			if how == "network error" {
				primary = closedURL(t)
			}
			db := openDB(t)
			s := &sink{}
			cfg := fallbackConfig(t, primary, backup.URL+"/feed/")
			p, _ := newPoller(t, cfg, db, s)

			r := pollOne(t, p)
			if r.Err != nil || r.Items != 3 || r.ServedBy != backup.URL+"/feed/" {
				t.Fatalf("poll: %+v", r)
			}
			st := stateOf(t, db, "src")
			if st.ServedBy != backup.URL+"/feed/" || st.Fallbacks[backup.URL+"/feed/"].ETag != `"backup"` || st.ETag != "" {
				t.Errorf("state does not keep the fallback's validators apart: %+v", st)
			}
			if got := s.of("src"); len(got) != 3 || got[0].Source != "src" {
				t.Errorf("items handed on as %+v", got)
			}

			r = pollOne(t, p)
			if reqs := backup.requests(); len(reqs) != 2 || reqs[1] != `"backup"` || !r.NotModified {
				t.Errorf("second poll: %+v; the fallback saw If-None-Match %q, want its own ETag", r, reqs)
			}
			if how != "network error" && hits.Load() != 2 {
				t.Errorf("the primary was asked %d times in two polls, want each poll to start with it", hits.Load())
			}

			if how == "network error" {
				return
			}
			failing.Store(false)
			r = pollOne(t, p)
			if st := stateOf(t, db, "src"); r.Err != nil || r.ServedBy != primary || st.ServedBy != primary || st.ETag != `"primary"` {
				t.Errorf("back on the primary: %+v, state %+v", r, st)
			}
			if len(backup.requests()) != 2 {
				t.Errorf("the fallback was asked although the primary answered")
			}
		})
	}
	t.Run("a 404 from the primary is its answer, not a reason to fall back", func(t *testing.T) {
		backup := newMirror(t, "127.0.0.2", `"backup"`)
		var failing atomic.Bool
		failing.Store(true)
		primary, _ := flaky(t, "404", &failing, backup)
		cfg := fallbackConfig(t, primary, backup.URL+"/feed/")
		p, _ := newPoller(t, cfg, openDB(t), &sink{})
		if r := pollOne(t, p); r.Err == nil || len(backup.requests()) != 0 {
			t.Errorf("poll: %+v, fallback asked %d times", r, len(backup.requests()))
		}
	})
	t.Run("every address failing reports the last one's failure", func(t *testing.T) {
		cfg := fallbackConfig(t, closedURL(t), closedURL(t))
		p, _ := newPoller(t, cfg, openDB(t), &sink{})
		r := p.PollAll(context.Background())[0]
		wantErr(t, r.Err, ErrNetwork)
	})
}
