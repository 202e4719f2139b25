package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestRobustness runs each hostile or broken answer the issue lists against a
// poller with a 2 s timeout and a 1 MiB body limit.
func TestRobustness(t *testing.T) {
	rss := fixture(t, "wordpress.rss")
	bomb := gzipBomb(t, 100<<20)
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		wantErr   error
		wantItems int
		check     func(t *testing.T, r Result, st State)
	}{
		{
			name:    "500 is an unexpected status",
			handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) },
			wantErr: ErrStatus,
		},
		{
			name: "429 with Retry-After 3600 is not polled again for an hour",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3600")
				http.Error(w, "slow down", http.StatusTooManyRequests)
			},
			wantErr: ErrStatus,
			check: func(t *testing.T, r Result, st State) {
				if time.Until(st.NextPoll) < 59*time.Minute {
					t.Errorf("next poll %v is sooner than the hour asked for", time.Until(st.NextPoll))
				}
			},
		},
		{
			name: "503 with Retry-After as an HTTP date is honoured",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", time.Now().Add(2*time.Hour).UTC().Format(http.TimeFormat))
				http.Error(w, "maintenance", http.StatusServiceUnavailable)
			},
			wantErr: ErrStatus,
			check: func(t *testing.T, r Result, st State) {
				if time.Until(st.NextPoll) < 119*time.Minute {
					t.Errorf("next poll %v is sooner than the two hours asked for", time.Until(st.NextPoll))
				}
			},
		},
		{
			name: "body dripping one byte a second times out",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/rss+xml")
				for _, c := range rss {
					if _, err := w.Write([]byte{c}); err != nil {
						return
					}
					w.(http.Flusher).Flush()
					select {
					case <-time.After(time.Second):
					case <-r.Context().Done():
						return
					}
				}
			},
			wantErr: ErrTimeout,
		},
		{
			name: "200 MB body is refused at the limit",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/rss+xml")
				chunk := bytes.Repeat([]byte("<item><title>x</title></item>\n"), 1<<12)
				for written := 0; written < 200<<20; written += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			},
			wantErr: ErrTooLarge,
		},
		{
			name: "200 MB Content-Length is refused before reading",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", fmt.Sprint(200<<20))
				w.Write([]byte("<rss>"))
			},
			wantErr: ErrTooLarge,
		},
		{
			name: "gzip bomb is refused once inflated past the limit",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Set("Content-Type", "application/rss+xml")
				w.Write(bomb)
			},
			wantErr: ErrTooLarge,
		},
		{
			name: "403 HTML challenge page is a challenge",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=UTF-8")
				w.WriteHeader(http.StatusForbidden)
				w.Write(fixture(t, "challenge.html"))
			},
			wantErr: ErrChallenge,
		},
		{
			name:    "HTML page with 200 is not a feed",
			handler: func(w http.ResponseWriter, r *http.Request) { w.Write(fixture(t, "page.html")) },
			wantErr: ErrNotFeed,
		},
		{
			name: "truncated XML is malformed",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write(fixture(t, "truncated.rss"))
			},
			wantErr: ErrParse,
		},
		{
			name: "redirect loop stops",
			handler: func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/loop?n="+fmt.Sprint(len(r.URL.RawQuery)), http.StatusFound)
			},
			wantErr: ErrTooManyRedirects,
		},
		{
			name:    "empty 200 is empty",
			handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) },
			wantErr: ErrEmpty,
		},
		{
			name: "billion laughs ends quickly without expanding",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write(fixture(t, "billion-laughs.xml"))
			},
			wantItems: 1,
		},
		{
			name: "valid RSS served as text/html is parsed",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Write(rss)
			},
			wantItems: 3,
		},
		{
			name: "gzip-encoded feed is inflated",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
					t.Error("gzip not offered")
				}
				w.Header().Set("Content-Encoding", "gzip")
				zw := gzip.NewWriter(w)
				zw.Write(rss)
				zw.Close()
			},
			wantItems: 3,
		},
		{
			name: "items link to where the feed was redirected",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/new/feed/" {
					http.Redirect(w, r, "/new/feed/", http.StatusMovedPermanently)
					return
				}
				w.Write(rss)
			},
			wantItems: 3,
			check: func(t *testing.T, r Result, st State) {
				if r.Status != 200 {
					t.Errorf("status %d", r.Status)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			db := openDB(t)
			s := &sink{}
			cfg := testConfig(t, "", srv.URL+"/feed/")
			p, _ := newPoller(t, cfg, db, s)
			start := time.Now()
			r := pollOne(t, p)
			if limit := cfg.Fetch.Timeout + 3*time.Second; time.Since(start) > limit {
				t.Errorf("poll took %v, beyond the %v limit", time.Since(start), limit)
			}
			t.Logf("%v after %v", r.Err, time.Since(start).Round(time.Millisecond))
			st := stateOf(t, db, "src0")
			if tt.wantErr != nil {
				wantErr(t, r.Err, tt.wantErr)
				if !strings.HasPrefix(r.Err.Error(), "fetch: src0: ") {
					t.Errorf("message %q does not start with fetch: and the source", r.Err)
				}
				if st.LastError != r.Err.Error() || st.ConsecutiveFailures != 1 || st.ErrorCount != 1 {
					t.Errorf("state does not record the failure: %+v", st)
				}
				if s.calls != 0 {
					t.Errorf("sink called %d times for a failed poll", s.calls)
				}
			} else {
				if r.Err != nil {
					t.Fatal(r.Err)
				}
				if got := len(s.of("src0")); got != tt.wantItems {
					t.Errorf("got %d items, want %d", got, tt.wantItems)
				}
			}
			if tt.check != nil {
				tt.check(t, r, st)
			}
		})
	}
}

func TestRedirectedItemsResolveAgainstFinalURL(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/feed/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/blog/de/feed/", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/blog/de/feed/", func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Replace(fixture(t, "wordpress.rss"), []byte("../archiv/"), []byte("archiv/"), 1))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	s := &sink{}
	p, _ := newPoller(t, testConfig(t, "", srv.URL+"/feed/"), openDB(t), s)
	if r := pollOne(t, p); r.Err != nil {
		t.Fatal(r.Err)
	}
	items := s.of("src0")
	// The item's link resolves against the final URL, and its content against the item's link.
	if want := srv.URL + "/2023/03/ukraine-die-lage-401-29-maerz-2023/archiv/"; !strings.Contains(items[0].Content, want) {
		t.Errorf("content link not resolved against the item's link: want %s in %s", want, items[0].Content)
	}
	if want := srv.URL + "/2023/03/ukraine-die-lage-401-29-maerz-2023/"; items[0].Link != want {
		t.Errorf("Link = %q, want %q", items[0].Link, want)
	}
}

func TestSlowSourceDoesNotHoldUpOthers(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	fast := serve(t, "application/rss+xml", fixture(t, "wordpress.rss"))
	cfg := testConfig(t, "", slow.URL+"/a", slow.URL+"/b", fast.URL+"/feed/")
	p, _ := newPoller(t, cfg, openDB(t), &sink{})
	res := p.PollAll(context.Background())
	wantErr(t, res[0].Err, ErrTimeout)
	if res[2].Err != nil || res[2].Duration > time.Second {
		t.Errorf("fast source: err %v after %v, want success well before the slow one's timeout", res[2].Err, res[2].Duration)
	}
}

func TestRequestHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		w.Write(fixture(t, "wordpress.rss"))
	}))
	defer srv.Close()
	p, _ := newPoller(t, testConfig(t, "", srv.URL), openDB(t), &sink{})
	pollOne(t, p)
	t.Run("User-Agent names iswfeed, its version and the operator's base_url", func(t *testing.T) {
		ua := got.Get("User-Agent")
		if !strings.Contains(ua, "iswfeed/"+testVersion) || !strings.Contains(ua, "https://feeds.example.org/") {
			t.Errorf("User-Agent = %q", ua)
		}
	})
	t.Run("Accept lists the feed types", func(t *testing.T) {
		for _, typ := range []string{"application/rss+xml", "application/atom+xml", "application/feed+json"} {
			if !strings.Contains(got.Get("Accept"), typ) {
				t.Errorf("Accept %q lacks %s", got.Get("Accept"), typ)
			}
		}
	})
	t.Run("first poll is unconditional", func(t *testing.T) {
		if got.Get("If-None-Match") != "" || got.Get("If-Modified-Since") != "" {
			t.Errorf("sent validators before having any: %v", got)
		}
	})
}

func TestUnreachableSourceIsANetworkError(t *testing.T) {
	p, _ := newPoller(t, testConfig(t, "", closedURL(t)), openDB(t), &sink{})
	r := pollOne(t, p)
	wantErr(t, r.Err, ErrNetwork)
	if !strings.Contains(r.Err.Error(), "unable to connect") {
		t.Errorf("message %q does not say it could not connect", r.Err)
	}
}

// closedURL returns the URL of a loopback port that nothing listens on.
func closedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr + "/feed/"
}

func gzipBomb(t testing.TB, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range size >> 20 {
		zw.Write(zeros)
	}
	zw.Close()
	return buf.Bytes()
}
