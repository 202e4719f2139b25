package publish

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"iswfeed/config"
	"iswfeed/fetch"
)

// pollStates stands for the daemon's poll states: the test changes them and
// moves the generation, as a saved poll cycle does.
type pollStates struct {
	mu    sync.Mutex
	err   string
	reads int
	gen   atomic.Uint64
}

func (p *pollStates) sources() ([]SourceStatus, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reads++
	return []SourceStatus{{Name: "spartanat", URL: spa.URL, Lang: "de", Role: "translation", LastError: p.err}}, nil
}

func (p *pollStates) fail(msg string) {
	p.mu.Lock()
	p.err = msg
	p.mu.Unlock()
	p.gen.Add(1)
}

func (p *pollStates) readCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reads
}

func TestStatusIsRenderedOncePerChange(t *testing.T) {
	polls := &pollStates{}
	f := newFixture(t, Options{Sources: polls.sources, Generation: polls.gen.Load})
	threeReports(f)
	first := f.get("/status")
	for range 50 {
		if r := f.get("/status"); r.StatusCode != 200 || r.Header.Get("ETag") != first.Header.Get("ETag") {
			t.Fatalf("/status changed with nothing changed: %d %s", r.StatusCode, r.Header.Get("ETag"))
		}
	}
	if n := polls.readCount(); n != 1 {
		t.Errorf("51 requests with nothing changed rendered /status %d times, want 1", n)
	}

	f.ingest(isw, original("2023-03-30", "<p>March 30 report.</p>"))
	polls.gen.Add(1)
	if r := f.get("/status"); !strings.Contains(r.body, "4 reports") {
		t.Errorf("/status after a new report does not count it:\n%s", r.body)
	}

	polls.fail("upstream said 503")
	awaitFailedPoll(t, f, "upstream said 503")
}

// awaitFailedPoll waits until /status shows a poll that failed with msg.
func awaitFailedPoll(t *testing.T, f *fixture, msg string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(f.get("/status").body, msg) {
		if time.Now().After(deadline) {
			t.Fatal("/status never showed the failed poll")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestStatusWithoutAGenerationIsAtMostASecondOld(t *testing.T) {
	polls := &pollStates{}
	f := newFixture(t, Options{Sources: polls.sources})
	threeReports(f)
	start := time.Now()
	for range 20 {
		f.get("/status")
	}
	if n, most := polls.readCount(), 2+int(time.Since(start)/statusMaxAge); n > most {
		t.Errorf("20 requests rendered /status %d times, want at most %d", n, most)
	}
	polls.fail("upstream said 503")
	awaitFailedPoll(t, f, "upstream said 503")
}

// BenchmarkStatus compares /status as served between changes with /status
// rendered afresh at 1,000 reports.
func BenchmarkStatus(b *testing.B) {
	f := bigStore(b, 1000)
	if err := f.srv.Refresh(); err != nil {
		b.Fatal(err)
	}
	var gen atomic.Uint64
	f.srv.opts.Generation = gen.Load
	req := httptest.NewRequest(http.MethodGet, "/status", nil)
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			f.srv.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
	b.Run("changed", func(b *testing.B) {
		for b.Loop() {
			gen.Add(1)
			f.srv.status.at = time.Time{}
			f.srv.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
}

// freshStatus gets /status as a second after its last render, which it
// may serve again for up to statusMaxAge.
func freshStatus(f *fixture) response {
	f.srv.status.mu.Lock()
	f.srv.status.at = time.Time{}
	f.srv.status.mu.Unlock()
	return f.get("/status")
}

// wantStatus is what /status must say of the store: what dedupe's own counts
// give, read from every report.
func wantStatus(t *testing.T, f *fixture) []string {
	t.Helper()
	st, err := f.store.Stats()
	if err != nil {
		t.Fatal(err)
	}
	g, err := f.store.Gaps(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		fmt.Sprintf("<p>%d reports, %d versions, %d items; %d held until the calendar can place them.</p>", st.Updates, st.Variants, st.Items, st.Held),
		fmt.Sprintf("<p>%d reports without a known number, %d items not yet placed, %d calendar conflicts.</p>", len(g.Unnumbered), len(g.Unplaced), len(g.Conflicts)),
	}
	for l, n := range st.ByLang {
		want = append(want, fmt.Sprintf("<li>%s: %d reports</li>", langName(l), n))
	}
	return want
}

// TestStatusReadsWhatChangedNotTheHistory checks /status against the walks
// over every report after each change, that it reads nothing when the store
// has not written, and that it reads the store's figures, which keep
// themselves from the changes (dedupe's TestFiguresAreWhatTheWalksCount...).
func TestStatusReadsWhatChangedNotTheHistory(t *testing.T) {
	polls := &pollStates{}
	f := newFixture(t, Options{Sources: polls.sources, Generation: polls.gen.Load})
	start := day("2023-01-01")
	var en, de []fetch.Item
	for i := range 60 {
		date := start.AddDate(0, 0, i).Format(time.DateOnly)
		en = append(en, original(date, "<p>Report.</p>"))
		if i%2 == 0 {
			de = append(de, german(300+i, date, "<p>Die Lage.</p>"))
		}
	}
	f.ingest(isw, en...)
	f.ingest(spa, de...)
	check := func(when string) {
		t.Helper()
		body := freshStatus(f).body
		for _, w := range wantStatus(t, f) {
			if !strings.Contains(body, w) {
				t.Errorf("%s, /status lacks %s:\n%s", when, w, body)
			}
		}
	}
	check("at first")

	txs := f.db.Stats().TxN
	for range 20 {
		polls.gen.Add(1) // a poll saved its state, and stored nothing
		if r := freshStatus(f); r.StatusCode != 200 {
			t.Fatalf("/status: %d", r.StatusCode)
		}
	}
	if n := f.db.Stats().TxN - txs; n != 0 {
		t.Errorf("20 renders after polls that stored nothing read the store %d times, want none", n)
	}

	changes := []struct {
		name  string
		src   config.Source
		items []fetch.Item
	}{
		{"a new report", isw, []fetch.Item{original("2023-03-02", "<p>New.</p>")}},
		{"a translation of a report that had none", spa, []fetch.Item{german(301, "2023-01-02", "<p>Nachgereicht.</p>")}},
		{"an edited translation", spa, []fetch.Item{german(300, "2023-01-01", "<p>Korrigiert.</p>")}},
		{"a translation whose number is not placed yet", spa, []fetch.Item{{Source: "spartanat", Lang: "de", ID: "sp-900",
			Title: "Ukraine: Die Lage 900", Link: "https://www.spartanat.com/ukraine-die-lage-900/", Content: "<p>?</p>", Published: day("2023-03-10")}}},
	}
	for _, c := range changes {
		f.ingest(c.src, c.items...)
		polls.gen.Add(1)
		check("after " + c.name)
		txs := f.db.Stats().TxN
		if _, err := f.store.Figures(); err != nil {
			t.Fatal(err)
		}
		if n := f.db.Stats().TxN - txs; n != 0 {
			t.Errorf("after %s /status left the store's figures behind: reading them read the store %d times, want none", c.name, n)
		}
	}
}
