package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"iswfeed/config"
	"iswfeed/fetch"
)

// goodSources publish a new daily report each whenever the test says, on one
// loopback server, and record when each was asked for.
type goodSources struct {
	mu       sync.Mutex
	out      int                    // reports each source has out
	requests map[string][]time.Time // by source name
}

// report returns the date of source g's k-th report: distinct for every
// source, so each report is an entry of its own in the merged feed.
func (g *goodSources) report(src, k int) time.Time {
	return time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, src*100+k)
}

// slug is the last part of the address of source src's k-th report, which
// the merged feed's versions carry.
func (g *goodSources) slug(src, k int) string {
	d := g.report(src, k)
	return strings.ToLower(fmt.Sprintf("russian-offensive-campaign-assessment-%s-%d-%d", d.Month(), d.Day(), d.Year()))
}

// publish puts one more report out on every source and returns its index.
func (g *goodSources) publish() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.out++
	return g.out - 1
}

func (g *goodSources) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var src int
	if _, err := fmt.Sscanf(r.URL.Path, "/good%d", &src); err != nil {
		http.NotFound(w, r)
		return
	}
	g.mu.Lock()
	g.requests[fmt.Sprintf("good%d", src)] = append(g.requests[fmt.Sprintf("good%d", src)], time.Now())
	n := g.out
	g.mu.Unlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>good</title><link>https://understandingwar.org/</link>`)
	for k := n - 1; k >= 0; k-- {
		d := g.report(src, k)
		fmt.Fprintf(&b, `<item><title>Russian Offensive Campaign Assessment, %s</title><link>https://understandingwar.org/research/russia-ukraine/%s/</link><guid>good%d-%d</guid><pubDate>%s</pubDate><description>Report %d.</description></item>`,
			d.Format("January 2, 2006"), g.slug(src, k), src, k, d.Add(22*time.Hour).Format(time.RFC1123Z), k)
	}
	b.WriteString(`</channel></rss>`)
	w.Header().Set("Content-Type", "application/rss+xml; charset=UTF-8")
	io.WriteString(w, b.String())
}

func (g *goodSources) polls(name string) []time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]time.Time(nil), g.requests[name]...)
}

// hangs records when a hanging source's requests came and when they ended.
type hangs struct {
	mu           sync.Mutex
	opened, shut []time.Time
}

// first returns when the first request came and ended (zero while open).
func (h *hangs) first() (opened, shut time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.opened) > 0 {
		opened = h.opened[0]
	}
	if len(h.shut) > 0 {
		shut = h.shut[0]
	}
	return opened, shut
}

// badSource starts a misbehaving loopback server on ip: one that drips a
// byte a second, one that hangs until the client gives up (recorded in h),
// one that answers 429.
func badSource(t *testing.T, ip, kind string, h *hangs) string {
	t.Helper()
	ln, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Skipf("cannot listen on %s (Linux routes all of 127/8 to lo): %v", ip, err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch kind {
		case "drip":
			w.Header().Set("Content-Type", "application/rss+xml")
			for {
				if _, err := io.WriteString(w, " "); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(time.Second):
				}
			}
		case "hang":
			h.mu.Lock()
			h.opened = append(h.opened, time.Now())
			h.mu.Unlock()
			<-r.Context().Done()
			h.mu.Lock()
			h.shut = append(h.shut, time.Now())
			h.mu.Unlock()
		case "429":
			w.Header().Set("Retry-After", "2")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		}
	})}}
	srv.Start()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv.URL + "/" + kind
}

// feedVariants reads the merged JSON Feed and returns the URLs of every version of every entry.
func feedVariants(url string) (map[string]bool, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var feed struct {
		Items []struct {
			Ext struct {
				Variants []struct {
					URL string `json:"url"`
				} `json:"variants"`
			} `json:"_iswfeed"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&feed); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, it := range feed.Items {
		for _, v := range it.Ext.Variants {
			seen[v.URL] = true
		}
	}
	return seen, nil
}

// checkSourcesAreCurrent asks /api/sources, as an operator would, and wants
// each good source's last success there to be later than since.
func checkSourcesAreCurrent(t *testing.T, base string, since time.Time) {
	t.Helper()
	resp, err := http.Get(base + "/api/sources")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Sources []struct {
			Name        string    `json:"name"`
			LastSuccess time.Time `json:"last_success"`
			LastError   string    `json:"last_error"`
		} `json:"sources"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	for _, s := range body.Sources {
		if strings.HasPrefix(s.Name, "good") && !s.LastSuccess.After(since) {
			t.Errorf("/api/sources says %s last succeeded at %v, before its last report came out", s.Name, s.LastSuccess)
		}
		if strings.Contains(s.LastError, "127.0.0.") {
			t.Errorf("/api/sources tells the address of %s's failure: %q", s.Name, s.LastError)
		}
	}
}

// checkBadSourcesFailedAsThemselves wants the drip reported as slow, the hang
// as a timeout and the 429 as a status, each counted as that source's failure.
func checkBadSourcesFailedAsThemselves(t *testing.T, a *app) {
	t.Helper()
	states, err := fetch.States(a.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range states {
		if err := failedAsItself(st); err != nil {
			t.Error(err)
		}
	}
}

// failedAsItself says how a bad source's state is not that of its kind's failure.
func failedAsItself(st fetch.State) error {
	kind, bad := strings.CutPrefix(st.Name, "bad")
	if !bad {
		return nil
	}
	want := map[string]error{"drip": fetch.ErrSlow, "hang": fetch.ErrTimeout, "429": fetch.ErrStatus}[kind[strings.IndexByte(kind, '-')+1:]]
	if st.LastAttempt.IsZero() || st.ConsecutiveFailures == 0 || !strings.Contains(st.LastError, want.Error()) {
		return fmt.Errorf("%s: failures %d, last error %q; want one saying %q", st.Name, st.ConsecutiveFailures, st.LastError, want)
	}
	return nil
}

// TestHangingSourcesDelayNoOtherSource is issue 11's scenario: five good
// sources on a 1 s schedule beside bad ones (drip, hang, 429) on their host
// and on other loopback addresses. While the hanging sources' first
// requests are open, every good source is polled again and again and its
// report reaches the merged feed (at its round's deadline, fetch.round_wait,
// since the hanging polls hold every round open); a report that comes out
// later gets there too, and each bad source fails as itself.
func TestHangingSourcesDelayNoOtherSource(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for 15 s")
	}
	const goodCount = 5
	good := &goodSources{requests: map[string][]time.Time{}}
	good.publish()
	goodSrv := httptest.NewServer(good)
	defer goodSrv.Close()

	var yaml strings.Builder
	fmt.Fprintf(&yaml, "listen: 127.0.0.1:0\ndatabase: %s\nschedule: \"@every 1s\"\nmin_interval: 100ms\nmax_interval: 1m\nfeed_size: 500\nfetch:\n  timeout: 15s\n  allow_private_networks: true\nsources:\n",
		filepath.Join(t.TempDir(), "iswfeed.db"))
	for i := range goodCount {
		fmt.Fprintf(&yaml, "  - {name: good%d, url: %q, lang: en, role: original}\n", i, fmt.Sprintf("%s/good%d", goodSrv.URL, i))
	}
	bad := []struct{ ip, kind string }{
		{"127.0.0.1", "drip"}, {"127.0.0.1", "hang"}, {"127.0.0.1", "429"},
		{"127.0.0.2", "hang"}, {"127.0.0.2", "drip"}, {"127.0.0.3", "hang"}, {"127.0.0.3", "429"},
	}
	hung := map[string]*hangs{}
	for i, b := range bad {
		name := fmt.Sprintf("bad%d-%s", i, b.kind)
		hung[name] = &hangs{}
		fmt.Fprintf(&yaml, "  - {name: %s, url: %q, lang: en, role: original}\n", name, badSource(t, b.ip, b.kind, hung[name]))
		if b.kind != "hang" {
			delete(hung, name)
		}
	}
	cfg, err := config.Parse([]byte(yaml.String()), "test")
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	web := httptest.NewServer(a)
	defer web.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := a.poller.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer a.poller.Stop()

	// carries reports whether the merged feed has every good source's k-th report.
	carries := func(k int) func() bool {
		return func() bool {
			seen, err := feedVariants(web.URL + "/feed.json")
			if err != nil {
				return false
			}
			found := 0
			for u := range seen {
				for src := range goodCount {
					if strings.Contains(u, good.slug(src, k)) {
						found++
					}
				}
			}
			return found == goodCount
		}
	}
	if !eventually(time.Minute, carries(0)) {
		t.Fatal("the good sources' first reports never reached the merged feed")
	}
	for name, h := range hung {
		if opened, shut := h.first(); opened.IsZero() || !shut.IsZero() {
			t.Errorf("%s: first request at %v, ended at %v; want it open while the good reports reached the merged feed", name, opened, shut)
		}
	}
	later := time.Now()
	if k := good.publish(); !eventually(time.Minute, carries(k)) {
		t.Fatal("a report that came out later never reached the merged feed")
	}
	checkSourcesAreCurrent(t, web.URL, later)
	failed := func() bool {
		states, err := fetch.States(a.db)
		if err != nil {
			return false
		}
		n := 0
		for _, st := range states {
			if failedAsItself(st) != nil {
				return false
			}
			if strings.HasPrefix(st.Name, "bad") {
				n++
			}
		}
		return n == len(bad)
	}
	if !eventually(time.Minute, failed) {
		checkBadSourcesFailedAsThemselves(t, a)
		t.Fatal("not every bad source has failed as itself")
	}
	for src := range goodCount {
		name := fmt.Sprintf("good%d", src)
		for hname, h := range hung {
			opened, shut := h.first()
			during := 0
			for _, at := range good.polls(name) {
				if at.After(opened) && at.Before(shut) {
					during++
				}
			}
			if during < 2 {
				t.Errorf("%s was polled %d times while %s's first request hung; want again and again", name, during, hname)
			}
		}
	}
	if os.Getenv("ISWFEED_SCENARIO_LOG") != "" {
		for src := range goodCount {
			t.Logf("good%d polled at %v", src, good.polls(fmt.Sprintf("good%d", src)))
		}
	}
}

// TestFallbackAddressServesTheSameSource: when ISW's address answers with a
// challenge page, the fallback's copy of the feed fills the same source, so
// the merged feed keeps one entry and one version per report.
func TestFallbackAddressServesTheSameSource(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "isw.xml"))
	if err != nil {
		t.Fatal(err)
	}
	var blocked atomic.Bool
	primary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if blocked.Load() {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>")
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	defer primary.Close()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	mirror := &httptest.Server{Listener: ln, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	})}}
	mirror.Start()
	defer mirror.Close()
	cfg := testConfig(t, config.Source{Name: "isw", URL: primary.URL + "/feed/", URLs: []string{mirror.URL + "/feed/"}, Lang: "en", Role: config.RoleOriginal})
	a := polledApp(t, cfg)
	web := httptest.NewServer(a)
	defer web.Close()
	before, err := feedVariants(web.URL + "/feed.json")
	if err != nil || len(before) == 0 {
		t.Fatalf("feed after the primary answered: %v, %v", before, err)
	}
	blocked.Store(true)
	r := a.poller.PollAll(context.Background())[0]
	if r.Err != nil || r.ServedBy != mirror.URL+"/feed/" {
		t.Fatalf("poll while the primary is blocked: %+v", r)
	}
	after, err := feedVariants(web.URL + "/feed.json")
	if err != nil || len(after) != len(before) {
		t.Errorf("versions before the fallback %v, after %v (%v)", before, after, err)
	}
	var feed struct {
		Items []struct {
			Ext struct {
				Variants []struct {
					Source string `json:"source"`
				} `json:"variants"`
			} `json:"_iswfeed"`
		} `json:"items"`
	}
	_, page := get(web.URL + "/feed.json")
	if err := json.Unmarshal([]byte(page), &feed); err != nil {
		t.Fatal(err)
	}
	for _, it := range feed.Items {
		if len(it.Ext.Variants) != 1 || it.Ext.Variants[0].Source != "isw" {
			t.Errorf("an entry has the versions %+v; want isw's one", it.Ext.Variants)
		}
	}
}

// TestConnectionErrorsAreCoarseInPublic: /api/sources tells that a source
// gave no answer, never which address refused (no port-scan oracle); the
// operator's `iswfeed sources` keeps the whole error.
func TestConnectionErrorsAreCoarseInPublic(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/feed/"
	ln.Close()
	isw := serveFile(t, "isw.xml", "application/rss+xml")
	cfg := testConfig(t,
		config.Source{Name: "isw", URL: isw.URL, Lang: "en", Role: config.RoleOriginal},
		config.Source{Name: "gone", URL: closed, Lang: "de", Role: config.RoleTranslation})
	a := polledApp(t, cfg)
	web := httptest.NewServer(a)
	defer web.Close()
	_, public := get(web.URL + "/api/sources")
	if !strings.Contains(public, "no usable answer from the source") || strings.Contains(public, "refused") || strings.Contains(public, "unable to connect") {
		t.Errorf("/api/sources: %s", public)
	}
	list, err := readSources(storeReader{cfg: cfg, store: a.store, db: a.db}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(list); !strings.Contains(string(b), "unable to connect") {
		t.Errorf("iswfeed sources lost the detail: %s", b)
	}
}
