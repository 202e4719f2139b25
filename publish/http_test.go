package publish

import (
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"iswfeed/config"
)

func TestFeedReaderPollingWithIfNoneMatchGets304UntilSomethingChanges(t *testing.T) {
	f := newFixture(t, Options{})
	f.ingest(isw, original("2023-03-29", "<p>March 29 report.</p>"))
	first := f.get("/feed.atom")
	etag := first.Header.Get("ETag")
	if first.StatusCode != 200 || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("first poll: %d, ETag %q; want 200 and a strong ETag", first.StatusCode, etag)
	}
	for i := range 3 {
		// The same items again change nothing, as when a source is re-polled.
		f.ingest(isw, original("2023-03-29", "<p>March 29 report.</p>"))
		r := f.get("/feed.atom", "If-None-Match", etag)
		if r.StatusCode != http.StatusNotModified || r.body != "" {
			t.Fatalf("poll %d: %d with %d bytes, want 304 and no body", i+2, r.StatusCode, len(r.body))
		}
		if r.Header.Get("ETag") != etag {
			t.Errorf("304 carries ETag %q, want %q", r.Header.Get("ETag"), etag)
		}
	}
	f.ingest(spa, german(401, "2023-03-29", "<p>Die Lage.</p>"))
	r := f.get("/feed.atom", "If-None-Match", etag)
	if r.StatusCode != 200 {
		t.Fatalf("after a translation arrived: %d, want 200", r.StatusCode)
	}
	if got := r.Header.Get("ETag"); got == etag || got == "" {
		t.Errorf("new ETag %q, want one different from %q", got, etag)
	}
	if !strings.Contains(r.body, "spartanat") {
		t.Errorf("the new feed lacks the translation")
	}
	if r := f.get("/feed.atom", "If-None-Match", r.Header.Get("ETag")); r.StatusCode != 304 {
		t.Errorf("polling with the new ETag: %d, want 304", r.StatusCode)
	}
}

func TestConditionalRequests(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	base := f.get("/feed.atom")
	etag, lm := base.Header.Get("ETag"), base.Header.Get("Last-Modified")
	modified, err := http.ParseTime(lm)
	if err != nil {
		t.Fatalf("Last-Modified %q: %v", lm, err)
	}
	cases := []struct {
		name    string
		headers []string
		want    int
	}{
		{"matching ETag is not modified", []string{"If-None-Match", etag}, 304},
		{"ETag in a list is not modified", []string{"If-None-Match", `"x", ` + etag + `, "y"`}, 304},
		{"weak form of the ETag is not modified", []string{"If-None-Match", "W/" + etag}, 304},
		{"star is not modified", []string{"If-None-Match", "*"}, 304},
		{"other ETag is sent in full", []string{"If-None-Match", `"other"`}, 200},
		{"gzip ETag does not match the identity body", []string{"If-None-Match", strings.TrimSuffix(etag, `"`) + `-gzip"`}, 200},
		{"If-Modified-Since at Last-Modified is not modified", []string{"If-Modified-Since", lm}, 304},
		{"If-Modified-Since later is not modified", []string{"If-Modified-Since", modified.Add(time.Hour).Format(http.TimeFormat)}, 304},
		{"If-Modified-Since earlier is sent in full", []string{"If-Modified-Since", modified.Add(-time.Second).Format(http.TimeFormat)}, 200},
		{"If-None-Match wins over If-Modified-Since", []string{"If-None-Match", `"other"`, "If-Modified-Since", lm}, 200},
		{"unparseable If-Modified-Since is ignored", []string{"If-Modified-Since", "yesterday"}, 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.get("/feed.atom", c.headers...)
			if r.StatusCode != c.want {
				t.Errorf("%d, want %d", r.StatusCode, c.want)
			}
			if c.want == 304 && (r.Header.Get("ETag") != etag || r.Header.Get("Cache-Control") == "") {
				t.Errorf("304 headers: %v", r.Header)
			}
		})
	}
}

func TestResponseHeaders(t *testing.T) {
	f := newFixture(t, Options{}, func(c *config.Config) { c.CacheMaxAge = 10 * time.Minute })
	threeReports(f)
	for path, ctype := range map[string]string{
		"/feed.atom": typeAtom, "/feed.rss": typeRSS, "/feed.json": typeFeed, "/de/feed.atom": typeAtom,
		"/archive/2023-02.atom": typeAtom, "/": typeHTML, "/updates/401": typeHTML, "/api/updates": typeJSON,
		"/api/updates/401": typeJSON, "/api/sources": typeJSON, "/status": typeHTML, "/icon.svg": typeSVG,
	} {
		r := f.get(path)
		if r.StatusCode != 200 {
			t.Errorf("%s: %d %s", path, r.StatusCode, r.body)
			continue
		}
		if got := r.Header.Get("Content-Type"); got != ctype {
			t.Errorf("%s: Content-Type %q, want %q", path, got, ctype)
		}
		if r.Header.Get("ETag") == "" || r.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: ETag %q, Vary %q", path, r.Header.Get("ETag"), r.Header.Get("Vary"))
		}
		if path != "/status" && path != "/api/sources" && path != "/icon.svg" {
			if got := r.Header.Get("Cache-Control"); got != "public, max-age=600" {
				t.Errorf("%s: Cache-Control %q", path, got)
			}
			if r.Header.Get("Last-Modified") == "" {
				t.Errorf("%s: no Last-Modified", path)
			}
		}
	}
}

func TestGzip(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	plain := f.get("/feed.atom")
	zipped := f.get("/feed.atom", "Accept-Encoding", "gzip, deflate, br")
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Accept-Encoding gzip: Content-Encoding %q", zipped.Header.Get("Content-Encoding"))
	}
	if gunzip(t, zipped.body) != plain.body {
		t.Errorf("gzip body does not decompress to the plain body")
	}
	if zipped.Header.Get("ETag") == plain.Header.Get("ETag") {
		t.Errorf("gzip and identity share ETag %s; different representations need different strong ETags", plain.Header.Get("ETag"))
	}
	if r := f.get("/feed.atom", "Accept-Encoding", "gzip", "If-None-Match", zipped.Header.Get("ETag")); r.StatusCode != 304 {
		t.Errorf("gzip ETag revalidation: %d", r.StatusCode)
	}
	if r := f.get("/feed.atom", "Accept-Encoding", "gzip;q=0, identity"); r.Header.Get("Content-Encoding") != "" || r.body != plain.body {
		t.Errorf("gzip;q=0 got Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
	if r := f.get("/feed.atom", "Accept-Encoding", "*"); r.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("Accept-Encoding * got Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
}

func TestHEADSendsHeadersOnly(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	get := f.get("/feed.atom")
	head := f.do(http.MethodHead, "/feed.atom")
	if head.StatusCode != 200 || head.body != "" {
		t.Fatalf("HEAD: %d with %d bytes", head.StatusCode, len(head.body))
	}
	for _, h := range []string{"ETag", "Last-Modified", "Content-Type", "Content-Length", "Cache-Control"} {
		if head.Header.Get(h) != get.Header.Get(h) {
			t.Errorf("HEAD %s = %q, GET has %q", h, head.Header.Get(h), get.Header.Get(h))
		}
	}
	if r := f.do(http.MethodHead, "/feed.atom", "If-None-Match", get.Header.Get("ETag")); r.StatusCode != 304 {
		t.Errorf("conditional HEAD: %d", r.StatusCode)
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	cases := []struct {
		name, method, path string
		code               int
		body               string
	}{
		{"unknown path", "GET", "/nothing", 404, "not found"},
		{"unknown nested path", "GET", "/a/b/c/d", 404, "not found"},
		{"POST to a feed", "POST", "/feed.atom", 405, "Method Not Allowed"},
		{"DELETE the index", "DELETE", "/", 405, "Method Not Allowed"},
		{"unknown update number", "GET", "/updates/999", 404, "no update 999"},
		{"update key that is not a number", "GET", "/updates/abc", 400, "neither an update number nor a date"},
		{"update number spelt with a leading zero", "GET", "/updates/0401", 400, "neither an update number nor a date"},
		{"update number spelt with a plus", "GET", "/updates/+401", 400, "neither an update number nor a date"},
		{"unknown update in the API", "GET", "/api/updates/999", 404, `"error"`},
		{"bad update key in the API", "GET", "/api/updates/abc", 400, `"error"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.do(c.method, c.path)
			if r.StatusCode != c.code || !strings.Contains(r.body, c.body) || len(r.body) > 300 {
				t.Errorf("%s %s: %d %q, want %d with a short body containing %q", c.method, c.path, r.StatusCode, r.body, c.code, c.body)
			}
			if c.code == 405 && !strings.Contains(r.Header.Get("Allow"), "GET") {
				t.Errorf("405 without Allow: %v", r.Header)
			}
		})
	}
}

func TestWebSubPingsEachHubWhenTheFeedChanges(t *testing.T) {
	var mu sync.Mutex
	var pings []url.Values
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(body))
		if err != nil || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("hub got %s %q (%s)", r.Method, body, r.Header.Get("Content-Type"))
		}
		mu.Lock()
		pings = append(pings, form)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer hub.Close()
	reg := prometheus.NewRegistry()
	f := newFixture(t, Options{Registry: reg, Client: hub.Client()}, func(c *config.Config) { c.Hubs = []string{hub.URL + "/"} })
	topics := func() map[string]bool {
		f.srv.pings.Wait()
		mu.Lock()
		defer mu.Unlock()
		got := map[string]bool{}
		for _, p := range pings {
			if p.Get("hub.mode") != "publish" {
				t.Errorf("hub.mode = %q", p.Get("hub.mode"))
			}
			got[p.Get("hub.url")] = true
		}
		pings = nil
		return got
	}
	f.ingest(isw, original("2023-03-29", "<p>x</p>"))
	got := topics()
	for _, want := range []string{"https://feeds.example.org/feed.atom", "https://feeds.example.org/feed.rss", "https://feeds.example.org/feed.json", "https://feeds.example.org/en/feed.atom"} {
		if !got[want] {
			t.Errorf("no ping for %s; pinged %v", want, got)
		}
	}
	f.ingest(isw, original("2023-03-29", "<p>x</p>"))
	if got := topics(); len(got) != 0 {
		t.Errorf("unchanged store pinged %v", got)
	}
	f.ingest(spa, german(401, "2023-03-29", "<p>y</p>"))
	got = topics()
	if !got["https://feeds.example.org/de/feed.atom"] || !got["https://feeds.example.org/feed.atom"] || got["https://feeds.example.org/en/feed.atom"] {
		t.Errorf("after a German translation pinged %v; want the merged and German feeds, not the English one", got)
	}
	metrics := f.get("/metrics").body
	if !strings.Contains(metrics, `iswfeed_websub_pings_total{hub="`+hub.URL+`/",outcome="ok"}`) {
		t.Errorf("/metrics lacks the ping counter:\n%s", metrics)
	}
}

func TestWebSubPingOfAFailingHubIsCountedAndDoesNotBlock(t *testing.T) {
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer hub.Close()
	reg := prometheus.NewRegistry()
	f := newFixture(t, Options{Registry: reg}, func(c *config.Config) { c.Hubs = []string{hub.URL + "/"} })
	f.ingest(isw, original("2023-03-29", "<p>x</p>"))
	f.srv.pings.Wait()
	if m := f.get("/metrics").body; !strings.Contains(m, `outcome="rejected"`) {
		t.Errorf("/metrics lacks rejected pings:\n%s", m)
	}
}

func TestMetricsCountRequestsByRouteAndStatus(t *testing.T) {
	f := newFixture(t, Options{Registry: prometheus.NewRegistry()})
	threeReports(f)
	etag := f.get("/feed.atom").Header.Get("ETag")
	f.get("/feed.atom", "If-None-Match", etag)
	f.get("/de/feed.json")
	f.get("/nothing")
	m := f.get("/metrics").body
	for _, want := range []string{
		`iswfeed_http_requests_total{route="GET /{lang}/{doc}",status="200"} 1`,
		`iswfeed_http_requests_total{route="GET /feed.atom",status="200"} 1`,
		`iswfeed_http_requests_total{route="GET /feed.atom",status="304"} 1`,
		`iswfeed_http_requests_total{route="unmatched",status="404"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, m)
		}
	}
	if r := newFixture(t, Options{}).get("/metrics"); r.StatusCode != 404 {
		t.Errorf("/metrics without a registry: %d", r.StatusCode)
	}
}

func TestHealthz(t *testing.T) {
	f := newFixture(t, Options{Health: func() (any, bool) { return map[string]string{"store": "locked"}, false }})
	r := f.get("/healthz")
	if r.StatusCode != 503 || !strings.Contains(r.body, `"store": "locked"`) {
		t.Errorf("/healthz: %d %s", r.StatusCode, r.body)
	}
	if r := newFixture(t, Options{}).get("/healthz"); r.StatusCode != 200 {
		t.Errorf("/healthz without a Health func: %d", r.StatusCode)
	}
}

func TestCountersSurviveAConfigReloadOnTheSameRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	f := newFixture(t, Options{Registry: reg})
	f.get("/feed.atom")
	// A reload builds a new Server with the daemon's one registry.
	reloaded := New(f.cfg, f.store, f.srv.log, Options{Registry: reg})
	if err := reloaded.Refresh(); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	reloaded.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/feed.atom", nil))
	rec = httptest.NewRecorder()
	reloaded.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if want := `iswfeed_http_requests_total{route="GET /feed.atom",status="200"} 2`; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("after a reload /metrics lacks %s:\n%s", want, rec.Body.String())
	}
}

func TestQueryStringsTheRendererDoesNotReadAreNotCached(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	for i := range 50 {
		for _, p := range []string{"/", "/updates/401", "/api/updates", "/api/updates?limit=050", "/api/updates?lang=de"} {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			if r := f.get(p + sep + "x=" + strconv.Itoa(i)); r.StatusCode != 200 {
				t.Fatalf("%s with junk: %d %s", p, r.StatusCode, r.body)
			}
		}
	}
	st := f.srv.site.Load()
	st.mu.Lock()
	defer st.mu.Unlock()
	got := slices.Sorted(maps.Keys(st.lazy))
	if want := []string{"/", "/api/updates", "/api/updates?lang=de", "/updates/401"}; !slices.Equal(got, want) {
		t.Errorf("cached %v, want %v", got, want)
	}
}

func TestASlowRenderHoldsUpOnlyItsOwnKey(t *testing.T) {
	st := &site{lazy: map[string]*document{}}
	release := make(chan struct{})
	renders := atomic.Int32{}
	slow := func() (*document, error) {
		renders.Add(1)
		<-release
		return newDocument([]byte("slow"), typeText, time.Time{}), nil
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if d, err := st.cached("/slow", slow); err != nil || string(d.bytes()) != "slow" {
				t.Errorf("slow: %v %v", d, err)
			}
		})
	}
	done := make(chan struct{})
	go func() {
		st.cached("/quick", func() (*document, error) { return newDocument([]byte("quick"), typeText, time.Time{}), nil })
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a render of another key waited for the slow one")
	}
	close(release)
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Errorf("concurrent requests rendered /slow %d times, want once", n)
	}
}

func TestIfModifiedSinceSeesBytesThatChangedAcrossARestartOrReload(t *testing.T) {
	cases := map[string]func(*config.Config){
		"reload with a new title":              func(c *config.Config) { c.Title = "ISW reports, renamed" },
		"restart with a new hub":               func(c *config.Config) { c.Hubs = []string{"https://hub.example.org/"} },
		"restart with fewer entries in a feed": func(c *config.Config) { c.FeedSize = 1 },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, Options{})
			threeReports(f)
			paths := []string{"/feed.atom", "/feed.json", "/", "/updates/401"}
			seen := map[string]response{}
			for _, p := range paths {
				seen[p] = f.get(p)
			}
			nextSecond()
			cfg := *f.cfg
			edit(&cfg)
			// The daemon builds a new Server on the same store, as after a restart.
			next := New(&cfg, f.store, f.srv.log, Options{})
			if err := next.Refresh(); err != nil {
				t.Fatal(err)
			}
			changed := 0
			for _, p := range paths {
				rec := httptest.NewRecorder()
				next.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
				if rec.Body.String() == seen[p].body {
					continue // bytes that did not change may answer 304
				}
				changed++
				req := httptest.NewRequest(http.MethodGet, p, nil)
				req.Header.Set("If-Modified-Since", seen[p].Header.Get("Last-Modified"))
				rec = httptest.NewRecorder()
				next.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Errorf("%s changed, but a client with If-Modified-Since %s got %d (Last-Modified %s)",
						p, seen[p].Header.Get("Last-Modified"), rec.Code, rec.Header().Get("Last-Modified"))
				}
			}
			if changed == 0 {
				t.Fatal("nothing changed; the case tests nothing")
			}
		})
	}
	t.Run("restart with nothing changed keeps the ETags", func(t *testing.T) {
		f := newFixture(t, Options{})
		threeReports(f)
		etag := f.get("/feed.atom").Header.Get("ETag")
		next := New(f.cfg, f.store, f.srv.log, Options{})
		if err := next.Refresh(); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodGet, "/feed.atom", nil)
		req.Header.Set("If-None-Match", etag)
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("If-None-Match after a restart: %d, want 304", rec.Code)
		}
	})
}
