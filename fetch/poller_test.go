package fetch

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"
	"go.etcd.io/bbolt"

	"iswfeed/config"
)

const (
	etag    = `W/"a1b2c3"`
	lastMod = "Thu, 30 Mar 2023 18:02:11 GMT"
	newerLM = "Fri, 31 Mar 2023 06:00:00 GMT"
)

// conditionalServer serves the WordPress fixture with validators and answers
// 304 when they come back exactly as sent.
type conditionalServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []http.Header
}

func newConditionalServer(t *testing.T) *conditionalServer {
	cs := &conditionalServer{}
	cs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.mu.Lock()
		cs.requests = append(cs.requests, r.Header.Clone())
		cs.mu.Unlock()
		if r.Header.Get("If-None-Match") == etag {
			w.Header().Set("Last-Modified", newerLM)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Header().Set("Content-Type", "application/rss+xml; charset=UTF-8")
		w.Write(fixture(t, "wordpress.rss"))
	}))
	t.Cleanup(cs.Close)
	return cs
}

func (cs *conditionalServer) request(i int) http.Header {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.requests[i]
}

func TestConditionalGet(t *testing.T) {
	srv := newConditionalServer(t)
	db := openDB(t)
	s := &sink{}
	p, _ := newPoller(t, testConfig(t, "", srv.URL+"/feed/"), db, s)

	first := pollOne(t, p)
	if first.Err != nil || first.Status != 200 || first.Items != 3 || first.Bytes == 0 {
		t.Fatalf("first poll: %+v", first)
	}
	t.Run("validators are stored exactly as received", func(t *testing.T) {
		st := stateOf(t, db, "src0")
		if st.ETag != etag || st.LastModified != lastMod {
			t.Errorf("ETag, Last-Modified = %q, %q", st.ETag, st.LastModified)
		}
	})

	second := pollOne(t, p)
	t.Run("validators are sent back as If-None-Match and If-Modified-Since", func(t *testing.T) {
		h := srv.request(1)
		if h.Get("If-None-Match") != etag || h.Get("If-Modified-Since") != lastMod {
			t.Errorf("sent %q, %q", h.Get("If-None-Match"), h.Get("If-Modified-Since"))
		}
	})
	t.Run("304 is a success that hands nothing on", func(t *testing.T) {
		if second.Err != nil || !second.NotModified || second.Items != 0 {
			t.Errorf("second poll: %+v", second)
		}
		if s.calls != 1 {
			t.Errorf("sink called %d times, want once", s.calls)
		}
		st := stateOf(t, db, "src0")
		if st.OKCount != 1 || st.NotModifiedCount != 1 || st.ErrorCount != 0 || st.LastStatus != 304 {
			t.Errorf("counts: %+v", st)
		}
	})
	t.Run("304 refreshes a newer Last-Modified and keeps the ETag", func(t *testing.T) {
		st := stateOf(t, db, "src0")
		if st.LastModified != newerLM || st.ETag != etag {
			t.Errorf("ETag, Last-Modified = %q, %q", st.ETag, st.LastModified)
		}
	})
}

func TestValidatorsWaitForTheSink(t *testing.T) {
	srv := newConditionalServer(t)
	db := openDB(t)
	s := &sink{err: errors.New("disk full")}
	p, _ := newPoller(t, testConfig(t, "", srv.URL+"/feed/"), db, s)

	r := pollOne(t, p)
	wantErr(t, r.Err, ErrSink)
	if st := stateOf(t, db, "src0"); st.ETag != "" || st.LastModified != "" {
		t.Fatalf("validators saved although the sink failed: %+v", st)
	}
	s.err = nil
	if r := pollOne(t, p); r.Err != nil || r.NotModified || len(s.of("src0")) != 3 {
		t.Fatalf("poll after the sink recovered did not re-fetch the items: %+v", r)
	}
	if h := srv.request(1); h.Get("If-None-Match") != "" {
		t.Errorf("second request was conditional: %q", h.Get("If-None-Match"))
	}
}

func TestNextPollHonoursTheSite(t *testing.T) {
	rss := fixture(t, "wordpress.rss")
	noTTL := []byte(strings.Replace(string(rss), "<ttl>180</ttl>", "", 1))
	tests := []struct {
		name     string
		header   map[string]string
		body     []byte
		from, to time.Duration
	}{
		{name: "schedule alone: next tick of @every 30m", body: noTTL, from: 30 * time.Minute, to: 31 * time.Minute},
		{name: "Cache-Control max-age beyond the schedule", header: map[string]string{"Cache-Control": "public, max-age=7200"}, body: noTTL, from: 2 * time.Hour, to: 2*time.Hour + 13*time.Minute},
		{name: "max-age shorter than the schedule keeps the schedule", header: map[string]string{"Cache-Control": "max-age=60"}, body: noTTL, from: 30 * time.Minute, to: 31 * time.Minute},
		{name: "Expires measured from the server's Date", header: map[string]string{"Date": "Thu, 30 Mar 2023 12:00:00 GMT", "Expires": "Thu, 30 Mar 2023 15:00:00 GMT"}, body: noTTL, from: 3 * time.Hour, to: 3*time.Hour + 19*time.Minute},
		{name: "RSS ttl of 180 minutes", body: rss, from: 3 * time.Hour, to: 3*time.Hour + 19*time.Minute},
		{name: "a day asked for is clamped to max_interval", header: map[string]string{"Cache-Control": "max-age=86400"}, body: noTTL, from: 6*time.Hour - time.Minute, to: 6 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.Write(tt.body)
			}))
			defer srv.Close()
			db := openDB(t)
			p, _ := newPoller(t, testConfig(t, "", srv.URL), db, &sink{})
			r := pollOne(t, p)
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			wait := time.Until(stateOf(t, db, "src0").NextPoll)
			if wait < tt.from-time.Minute || wait > tt.to {
				t.Errorf("next poll in %v, want between %v and %v", wait.Round(time.Second), tt.from, tt.to)
			}
			if !r.NextPoll.Equal(stateOf(t, db, "src0").NextPoll) {
				t.Errorf("result's next poll %v differs from the stored one", r.NextPoll)
			}
		})
	}
}

func TestInterval(t *testing.T) {
	every30, _ := cron.ParseStandard("@every 30m")
	iv := interval{min: 5 * time.Minute, max: 6 * time.Hour, jitter: func() float64 { return 0 }}
	now := time.Date(2023, 3, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		sched    cron.Schedule
		asked    time.Duration
		failures int
		want     time.Duration
	}{
		{"schedule wins over a shorter ask", every30, 10 * time.Minute, 0, 30 * time.Minute},
		{"a longer ask wins over the schedule", every30, time.Hour, 0, time.Hour},
		{"first failure waits min_interval or the schedule", every30, 0, 1, 30 * time.Minute},
		{"fourth failure backs off to 8 × min_interval", every30, 0, 4, 40 * time.Minute},
		{"backoff never passes max_interval", every30, 0, 50, 6 * time.Hour},
		{"Retry-After beyond backoff wins", every30, 2 * time.Hour, 3, 2 * time.Hour},
		{"nothing is sooner than min_interval", nil, time.Second, 0, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := iv.next(tt.sched, now, now, tt.asked, tt.failures).Sub(now); got != tt.want {
				t.Errorf("next in %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("jitter adds at most a tenth of the wait", func(t *testing.T) {
		iv.jitter = func() float64 { return 0.999 }
		if got := iv.next(nil, now, now, time.Hour, 0).Sub(now); got <= time.Hour || got > 66*time.Minute {
			t.Errorf("next in %v", got)
		}
	})
}

func TestFailingSourceBacksOffAndRecovers(t *testing.T) {
	var failing atomic.Bool
	failing.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "down", http.StatusBadGateway)
			return
		}
		w.Write(fixture(t, "wordpress.rss"))
	}))
	defer srv.Close()
	db := openDB(t)
	cfg := testConfig(t, "", srv.URL)
	p, _ := newPoller(t, cfg, db, &sink{})
	var waits []time.Duration
	for range 12 {
		pollOne(t, p)
		waits = append(waits, time.Until(stateOf(t, db, "src0").NextPoll))
	}
	st := stateOf(t, db, "src0")
	if st.ConsecutiveFailures != 12 || st.ErrorCount != 12 {
		t.Errorf("failures %d, errors %d; want 12 each", st.ConsecutiveFailures, st.ErrorCount)
	}
	t.Run("waits grow up to max_interval and no further", func(t *testing.T) {
		if waits[6] < 64*time.Minute || waits[11] > cfg.MaxInterval || waits[11] < cfg.MaxInterval-time.Minute {
			t.Errorf("waits %v", waits)
		}
	})
	t.Run("a source that recovers is picked up again", func(t *testing.T) {
		failing.Store(false)
		r := pollOne(t, p)
		st := stateOf(t, db, "src0")
		if r.Err != nil || st.ConsecutiveFailures != 0 || st.LastError != "" || st.LastSuccess.IsZero() {
			t.Errorf("after recovery: %v, %+v", r.Err, st)
		}
	})
}

func TestNetworkLooksDown(t *testing.T) {
	t.Run("every source failing to connect is logged once and not counted against them", func(t *testing.T) {
		db := openDB(t)
		p, logs := newPoller(t, testConfig(t, "", closedURL(t), closedURL(t), closedURL(t)), db, &sink{})
		p.PollAll(context.Background())
		if n := strings.Count(logs.String(), "network looks down"); n != 1 {
			t.Errorf("logged %d times:\n%s", n, logs)
		}
		for _, name := range []string{"src0", "src1", "src2"} {
			st := stateOf(t, db, name)
			if st.ConsecutiveFailures != 0 || !st.NetworkDown || st.LastError == "" {
				t.Errorf("%s: %+v", name, st)
			}
		}
	})
	t.Run("a poll of one source while the others are down too is the network", func(t *testing.T) {
		db := openDB(t)
		cfg := testConfig(t, "", closedURL(t), closedURL(t))
		p, logs := newPoller(t, cfg, db, &sink{})
		p.PollAll(context.Background()) // both fail: the network
		pollScheduled(t, p, "src0")
		if n := strings.Count(logs.String(), "network looks down"); n != 1 {
			t.Errorf("logged %d times, want once while it stays down:\n%s", n, logs)
		}
		if st := stateOf(t, db, "src0"); st.ConsecutiveFailures != 0 || !st.NetworkDown {
			t.Errorf("src0 blamed for the network: %+v", st)
		}
	})
	t.Run("a source that answered 403 proves the network is up", func(t *testing.T) {
		db := openDB(t)
		blocked := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "challenge", http.StatusForbidden)
		}))
		defer blocked.Close()
		cfg := testConfig(t, "", closedURL(t), blocked.URL)
		p, logs := newPoller(t, cfg, db, &sink{})
		p.PollAll(context.Background())
		for range 3 {
			pollScheduled(t, p, "src0")
		}
		if strings.Contains(logs.String(), "network looks down") {
			t.Errorf("blamed the network:\n%s", logs)
		}
		if st := stateOf(t, db, "src0"); st.ConsecutiveFailures != 4 || st.NetworkDown {
			t.Errorf("src0 not counted as failing: %+v", st)
		}
	})
	t.Run("a single configured source is never the network", func(t *testing.T) {
		db := openDB(t)
		p, logs := newPoller(t, testConfig(t, "", closedURL(t)), db, &sink{})
		p.PollAll(context.Background())
		if strings.Contains(logs.String(), "network looks down") {
			t.Errorf("blamed the network:\n%s", logs)
		}
	})
	t.Run("one source down among working ones is that source's failure", func(t *testing.T) {
		db := openDB(t)
		up := serve(t, "application/rss+xml", fixture(t, "wordpress.rss"))
		p, logs := newPoller(t, testConfig(t, "", closedURL(t), up.URL), db, &sink{})
		p.PollAll(context.Background())
		if strings.Contains(logs.String(), "network looks down") {
			t.Errorf("blamed the network:\n%s", logs)
		}
		if st := stateOf(t, db, "src0"); st.ConsecutiveFailures != 1 || st.NetworkDown {
			t.Errorf("src0: %+v", st)
		}
	})
}

// concurrency counts requests in flight, per host and overall.
type concurrency struct {
	mu            sync.Mutex
	now, peak     int
	perHost       map[string]int
	peakPerHost   int
	totalRequests atomic.Int64
}

func (c *concurrency) handler(t *testing.T) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c.totalRequests.Add(1)
		c.mu.Lock()
		if c.perHost == nil {
			c.perHost = map[string]int{}
		}
		c.now++
		c.perHost[r.Host]++
		c.peak = max(c.peak, c.now)
		c.peakPerHost = max(c.peakPerHost, c.perHost[r.Host])
		c.mu.Unlock()
		time.Sleep(30 * time.Millisecond)
		c.mu.Lock()
		c.now--
		c.perHost[r.Host]--
		c.mu.Unlock()
		w.Write(fixture(t, "wordpress.rss"))
	}
}

func TestPoliteness(t *testing.T) {
	t.Run("one request at a time per host", func(t *testing.T) {
		c := &concurrency{}
		srv := httptest.NewServer(c.handler(t))
		defer srv.Close()
		p, _ := newPoller(t, testConfig(t, "", srv.URL+"/a", srv.URL+"/b", srv.URL+"/c", srv.URL+"/d"), openDB(t), &sink{})
		for _, r := range p.PollAll(context.Background()) {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
		if c.peakPerHost != 1 {
			t.Errorf("%d requests at once to one host", c.peakPerHost)
		}
	})
	t.Run("no more than fetch.concurrency at once overall", func(t *testing.T) {
		c := &concurrency{}
		var urls []string
		for range 6 {
			srv := httptest.NewServer(c.handler(t))
			defer srv.Close()
			urls = append(urls, srv.URL)
		}
		cfg := testConfig(t, "", urls...)
		cfg.Fetch.Concurrency = 2
		p, _ := newPoller(t, cfg, openDB(t), &sink{})
		p.PollAll(context.Background())
		if c.peak > 2 || c.peak < 1 {
			t.Errorf("%d requests at once, want at most 2", c.peak)
		}
	})
}

func TestRestartDoesNotPollEarly(t *testing.T) {
	c := &concurrency{}
	srv := httptest.NewServer(c.handler(t))
	defer srv.Close()
	db := openDB(t)
	cfg := testConfig(t, "", srv.URL)
	first, _ := newPoller(t, cfg, db, &sink{})
	pollOne(t, first)

	again, _ := newPoller(t, cfg, db, &sink{})
	if wait := again.dispatch(context.Background(), time.Now()); c.totalRequests.Load() != 1 || wait > maxTick {
		t.Errorf("the schedule after restart polled a source not yet due (%d requests)", c.totalRequests.Load())
	}
	again.dispatch(context.Background(), time.Now().Add(4*time.Hour)) // the fixture asks for a ttl of 3h
	again.polls.Wait()
	if c.totalRequests.Load() != 2 || stateOf(t, db, "src0").OKCount != 2 {
		t.Errorf("the schedule past the next poll did not poll (%d requests)", c.totalRequests.Load())
	}
}

func TestReload(t *testing.T) {
	a, b, d := newConditionalServer(t), newConditionalServer(t), newConditionalServer(t)
	db := openDB(t)
	p, _ := newPoller(t, testConfig(t, "", a.URL, b.URL, d.URL), db, &sink{})
	p.PollAll(context.Background())

	// src0 (a) removed; src1 moves to a new URL; src2 unchanged; src3 added.
	next := testConfig(t, "", b.URL+"/moved", b.URL, d.URL, a.URL)
	next.Sources[0].Name, next.Sources[1].Name = "src1", "src2"
	next.Sources[1].URL, next.Sources[2].Name = d.URL, "src3"
	next.Sources = next.Sources[:3]
	if err := p.Reload(next); err != nil {
		t.Fatal(err)
	}
	t.Run("removed source is forgotten", func(t *testing.T) {
		states, _ := States(db)
		for _, st := range states {
			if st.Name == "src0" {
				t.Errorf("src0 still has state: %+v", st)
			}
		}
	})
	res := p.PollAll(context.Background())
	t.Run("unchanged source keeps its state and polls conditionally", func(t *testing.T) {
		if !res[1].NotModified {
			t.Errorf("src2: %+v", res[1])
		}
		if st := stateOf(t, db, "src2"); st.OKCount != 1 || st.NotModifiedCount != 1 {
			t.Errorf("src2: %+v", st)
		}
	})
	t.Run("source with a new URL does not send the old URL's validators", func(t *testing.T) {
		if res[0].NotModified || res[0].Err != nil {
			t.Errorf("src1: %+v", res[0])
		}
	})
	t.Run("added source is polled", func(t *testing.T) {
		if res[2].Err != nil || res[2].Items != 3 {
			t.Errorf("src3: %+v", res[2])
		}
	})
}

func TestStartAndStop(t *testing.T) {
	var requests atomic.Int64
	drip := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Write([]byte("<rss>"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer drip.Close()
	cfg := testConfig(t, "", drip.URL)
	cfg.Fetch.Timeout = time.Minute
	db := openDB(t)
	p, _ := newPoller(t, cfg, db, &sink{})
	if p.Running() {
		t.Error("Running before Start")
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !p.Running() {
		t.Error("not Running after Start")
	}
	deadline := time.Now().Add(5 * time.Second)
	for requests.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if requests.Load() == 0 {
		t.Fatal("a source never polled was not polled at Start")
	}
	start := time.Now()
	p.Stop()
	if took := time.Since(start); took > stopGrace+2*time.Second {
		t.Errorf("Stop took %v with a poll in flight", took)
	}
	if p.Running() {
		t.Error("Running after Stop")
	}
	if states, _ := States(db); len(states) != 0 && states[0].ConsecutiveFailures != 0 {
		t.Errorf("a poll cancelled by Stop counted as a failure: %+v", states[0])
	}
}

func TestStoredStateKeepsItsKeys(t *testing.T) {
	srv := newConditionalServer(t)
	db := openDB(t)
	p, _ := newPoller(t, testConfig(t, "", srv.URL), db, &sink{})
	pollOne(t, p)
	var b []byte
	db.View(func(tx *bbolt.Tx) error {
		b = bytes.Clone(tx.Bucket(stateBucket).Get([]byte("src0")))
		return nil
	})
	for _, key := range []string{"name", "url", "last_attempt", "last_success", "last_status", "last_error", "consecutive_failures", "next_poll", "ok_count", "not_modified_count", "error_count", "etag", "last_modified"} {
		if !strings.Contains(string(b), `"`+key+`":`) {
			t.Errorf("stored state lacks %q: %s", key, b)
		}
	}
}

// gather returns a registry's samples by name and labels: a counter's value,
// a histogram's count.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := f.GetName()
			for _, l := range m.GetLabel() {
				labels += "," + l.GetName() + "=" + l.GetValue()
			}
			switch {
			case m.Counter != nil:
				got[labels] = m.Counter.GetValue()
			case m.Histogram != nil:
				got[labels] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return got
}

func TestMetricsAreCountedPerPoller(t *testing.T) {
	srv := newConditionalServer(t)
	cfg := testConfig(t, "", srv.URL)
	cfg.Sources[0].Name = "metrics-src"
	regs := []*prometheus.Registry{prometheus.NewRegistry(), prometheus.NewRegistry()}
	var pollers []*Poller
	for _, reg := range regs {
		p, err := NewPoller(cfg, openDB(t), &sink{}, Options{Registry: reg})
		if err != nil {
			t.Fatal(err)
		}
		pollers = append(pollers, p)
	}
	pollOne(t, pollers[0])
	pollOne(t, pollers[0])
	pollOne(t, pollers[1])
	size := float64(len(fixture(t, "wordpress.rss")))
	for i, want := range []map[string]float64{
		{"iswfeed_polls_total,outcome=ok,source=metrics-src": 1, "iswfeed_polls_total,outcome=not_modified,source=metrics-src": 1,
			"iswfeed_poll_duration_seconds,source=metrics-src": 2, "iswfeed_items_seen_total,source=metrics-src": 3,
			"iswfeed_fetched_bytes_total,source=metrics-src": size, "iswfeed_poll_rounds_total,end=answered": 2},
		{"iswfeed_polls_total,outcome=ok,source=metrics-src": 1, "iswfeed_poll_duration_seconds,source=metrics-src": 1,
			"iswfeed_items_seen_total,source=metrics-src": 3, "iswfeed_fetched_bytes_total,source=metrics-src": size,
			"iswfeed_poll_rounds_total,end=answered": 1},
	} {
		got := gather(t, regs[i])
		for key, w := range want {
			if got[key] != w {
				t.Errorf("poller %d: %s = %v, want %v", i, key, got[key], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("poller %d: %d samples, want %d: %v", i, len(got), len(want), got)
		}
	}
	if _, err := NewPoller(cfg, openDB(t), &sink{}, Options{Registry: regs[0]}); err == nil {
		t.Error("a second poller on the same registry was not refused")
	}
}

// panicSink fails the way a bug downstream would.
type panicSink struct{}

func (panicSink) Ingest(context.Context, config.Source, []Item) error { panic("bug downstream") }

func TestAPanicDownstreamDoesNotStopThePoller(t *testing.T) {
	up := serve(t, "application/rss+xml", fixture(t, "wordpress.rss"))
	p, logs := newPoller(t, testConfig(t, "", up.URL), openDB(t), panicSink{})
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "poll failed") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "bug downstream") {
		t.Errorf("the panic was not logged:\n%s", logs)
	}
	if !p.Running() {
		t.Error("the poller stopped")
	}
	p.Stop()
	if st := stateOf(t, p.store.db, "src0"); st.ConsecutiveFailures != 1 || !strings.Contains(st.LastError, "sink panicked") {
		t.Errorf("the panic is not that source's failure: %+v", st)
	}
}
