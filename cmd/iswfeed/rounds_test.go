package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"iswfeed/config"
)

// roundLangs are the five sources of the round tests, one per language; en
// is ISW's original.
var roundLangs = []string{"en", "de", "uk", "ru", "fr"}

// gatedSources serves one loopback source per language, each on an address
// of its own so that a round polls them all at once. Every request waits at
// its source's gate until the test opens it, so the test decides what each
// round sees and when each source answers.
type gatedSources struct {
	t    *testing.T
	urls map[string]string // by lang

	mu      sync.Mutex
	gates   map[string]chan struct{}
	waiting map[string]bool        // sources whose request waits at the gate
	reports map[string][]time.Time // the report dates each source has out
}

func newGatedSources(t *testing.T) *gatedSources {
	g := &gatedSources{t: t, urls: map[string]string{}, gates: map[string]chan struct{}{},
		waiting: map[string]bool{}, reports: map[string][]time.Time{}}
	for _, lang := range roundLangs {
		g.gates[lang] = make(chan struct{})
		srv := httptest.NewServer(g.source(lang))
		t.Cleanup(func() {
			srv.CloseClientConnections()
			srv.Close()
		})
		g.urls[lang] = srv.URL + "/feed/"
	}
	return g
}

func (g *gatedSources) source(lang string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		gate := g.gates[lang]
		g.waiting[lang] = true
		g.mu.Unlock()
		select {
		case <-gate:
		case <-r.Context().Done():
		}
		g.mu.Lock()
		delete(g.waiting, lang)
		body := g.feed(lang)
		g.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml; charset=UTF-8")
		io.WriteString(w, body)
	})
}

// feed is lang's RSS with every report it has out; g.mu is held.
func (g *gatedSources) feed(lang string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>` + lang + `</title><link>https://` + lang + `.example/</link>`)
	for _, d := range g.reports[lang] {
		link := variantURL(lang, d)
		content := fmt.Sprintf(`<p>Report of %s.</p><p><a href="%s">ISW</a></p>`, d.Format(time.DateOnly), iswPage(d))
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>`,
			html.EscapeString(reportTitle(lang, d)), link, link, d.Add(30*time.Hour).Format(time.RFC1123Z), html.EscapeString(content))
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// reportTitle is how lang's source titles the report of day d.
func reportTitle(lang string, d time.Time) string {
	switch lang {
	case "de":
		return fmt.Sprintf("Ukraine: Die Lage %d", 401+int(d.Sub(time.Date(2023, 3, 29, 0, 0, 0, 0, time.UTC)).Hours()/24))
	case "uk":
		return "Звіт ISW: оцінка російського наступу на " + d.Format("02.01.2006")
	case "ru":
		return "Оценка российской наступательной кампании, " + d.Format("02.01.2006")
	case "fr":
		return "Évaluation de la campagne offensive russe, " + d.Format("02/01/2006")
	}
	return "Russian Offensive Campaign Assessment, " + d.Format("January 2, 2006")
}

// iswPage is ISW's page of the report of day d.
func iswPage(d time.Time) string {
	return "https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-" + strings.ToLower(d.Format("January-2-2006"))
}

// variantURL is where lang's version of the report of day d is.
func variantURL(lang string, d time.Time) string {
	if lang == "en" {
		return iswPage(d)
	}
	return fmt.Sprintf("https://%s.example/isw/%s/", lang, d.Format(time.DateOnly))
}

// publish puts the report of day d out on the sources of langs.
func (g *gatedSources) publish(d time.Time, langs ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, lang := range langs {
		g.reports[lang] = append(g.reports[lang], d)
	}
}

// arrive waits until a request of each of langs waits at its gate.
func (g *gatedSources) arrive(langs ...string) {
	g.t.Helper()
	ok := eventually(30*time.Second, func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		for _, lang := range langs {
			if !g.waiting[lang] {
				return false
			}
		}
		return true
	})
	if !ok {
		g.t.Fatalf("the sources %v were not all polled", langs)
	}
}

// open lets the requests waiting at the gates of langs answer; the next
// request of each waits at a new gate.
func (g *gatedSources) open(langs ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, lang := range langs {
		close(g.gates[lang])
		g.gates[lang] = make(chan struct{})
	}
}

// isWaiting reports whether lang's request still waits at its gate.
func (g *gatedSources) isWaiting(lang string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.waiting[lang]
}

// roundsApp runs the daemon's parts on g's sources, all on a 1 s schedule,
// with fetch.round_wait at its default unless roundWait is given, and
// returns them once the site has read the (empty) history.
func roundsApp(t *testing.T, g *gatedSources, roundWait ...string) (*app, string) {
	t.Helper()
	var yaml strings.Builder
	wait := ""
	if len(roundWait) > 0 {
		wait = ", round_wait: " + roundWait[0]
	}
	// Timeouts far beyond the test's: a source answers when the gate opens.
	fmt.Fprintf(&yaml, "listen: 127.0.0.1:0\ndatabase: %s\nschedule: \"@every 1s\"\nmin_interval: 1s\nmax_interval: 1m\n"+
		"fetch: {timeout: 2m, first_byte_timeout: 2m, allow_private_networks: true%s}\nsources:\n", filepath.Join(t.TempDir(), "iswfeed.db"), wait)
	for _, lang := range roundLangs {
		role := config.RoleTranslation
		if lang == "en" {
			role = config.RoleOriginal
		}
		fmt.Fprintf(&yaml, "  - {name: %s, url: %q, lang: %s, role: %s}\n", lang, g.urls[lang], lang, role)
	}
	cfg, err := config.Parse([]byte(yaml.String()), "test")
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	web := httptest.NewServer(a)
	t.Cleanup(web.Close)
	if code, _ := get(web.URL + "/api/updates"); code != http.StatusOK { // waits for the history
		t.Fatalf("/api/updates: %d", code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := a.poller.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.poller.Stop)
	return a, web.URL
}

// counted sums the series of a counter in the daemon's metrics whose labels
// include labels. Once the store is closed, the store's gauges fail and the
// counters are still read.
func counted(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil && len(families) == 0 {
		t.Fatal(err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, l := range m.GetLabel() {
					found = found || l.GetName() == labels[i] && l.GetValue() == labels[i+1]
				}
				if !found {
					continue series
				}
			}
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

// endRound waits until the daemon has counted n poll rounds since it
// started, each once its render, if any, was done.
func endRound(t *testing.T, a *app, n int) {
	t.Helper()
	if !eventually(30*time.Second, func() bool { return counted(t, a.metrics, "iswfeed_poll_rounds_total") >= float64(n) }) {
		t.Fatalf("round %d did not end: %v rounds counted", n, counted(t, a.metrics, "iswfeed_poll_rounds_total"))
	}
}

// wantVersions fails unless the merged feed carries the versions of the
// report of day d from exactly langs.
func wantVersions(t *testing.T, web string, d time.Time, langs ...string) {
	t.Helper()
	seen, err := feedVariants(web + "/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range roundLangs {
		if got, want := seen[variantURL(lang, d)], slices.Contains(langs, lang); got != want {
			t.Errorf("the merged feed carries the %s version of %s: %v, want %v", lang, d.Format(time.DateOnly), got, want)
		}
	}
}

// TestOneRenderPerPollRound: five sources polled together, each bringing the
// same report in its language, re-render the feeds once, with all five
// versions; a round that brings nothing new renders nothing.
func TestOneRenderPerPollRound(t *testing.T) {
	g := newGatedSources(t)
	a, web := roundsApp(t, g)
	renders := func() float64 { return counted(t, a.metrics, "iswfeed_feed_renders_total") }
	base := renders()
	day := time.Date(2023, 3, 29, 0, 0, 0, 0, time.UTC)

	g.arrive(roundLangs...)
	g.open(roundLangs...)
	endRound(t, a, 1)
	if got := renders() - base; got != 0 {
		t.Errorf("a round of empty feeds rendered %v times; want none", got)
	}

	g.arrive(roundLangs...)
	g.publish(day, roundLangs...)
	g.open(roundLangs...)
	endRound(t, a, 2)
	if got := renders() - base; got != 1 {
		t.Errorf("one report from five sources in one round rendered %v times; want once", got)
	}
	wantVersions(t, web, day, roundLangs...)

	base = renders()
	g.arrive(roundLangs...)
	g.open(roundLangs...)
	endRound(t, a, 3)
	if got := renders() - base; got != 0 {
		t.Errorf("a round that brought the same items again rendered %v times; want none", got)
	}
}

// TestHangingSourceHoldsTheOthersAtMostTheRoundWait: when one source of a
// round does not answer, what the others brought is published once at the
// round's deadline, while it still hangs, and what it brings when it
// answers is published by one more render.
func TestHangingSourceHoldsTheOthersAtMostTheRoundWait(t *testing.T) {
	g := newGatedSources(t)
	a, web := roundsApp(t, g)
	renders := func() float64 { return counted(t, a.metrics, "iswfeed_feed_renders_total") }
	day := time.Date(2023, 3, 30, 0, 0, 0, 0, time.UTC)
	fast, slow := roundLangs[:4], roundLangs[4]

	g.arrive(roundLangs...)
	g.open(roundLangs...)
	endRound(t, a, 1)
	base := renders()

	g.arrive(roundLangs...)
	g.publish(day, roundLangs...)
	g.open(fast...)
	endRound(t, a, 2)
	if !g.isWaiting(slow) {
		t.Fatal("the hanging source answered before the round ended")
	}
	if got := counted(t, a.metrics, "iswfeed_poll_rounds_total", "end", "deadline"); got != 1 {
		t.Errorf("rounds cut at their deadline: %v, want 1", got)
	}
	if got := renders() - base; got != 1 {
		t.Errorf("the fast sources' round rendered %v times; want once", got)
	}
	wantVersions(t, web, day, fast...)

	// The fast sources' next polls and the hanging one's make the next round.
	base = renders()
	g.arrive(fast...)
	g.open(roundLangs...)
	endRound(t, a, 3)
	if got := renders() - base; got != 1 {
		t.Errorf("the late answer's round rendered %v times; want once", got)
	}
	wantVersions(t, web, day, roundLangs...)
}

// repoll lets the requests of langs answer, each time all of them wait,
// until n answers or done holds, and returns how many answers it let through.
// A source is polled at most once per min_interval (1 s here), so n answers
// take n seconds at least: a clock made of events.
func (g *gatedSources) repoll(n int, done func() bool, langs ...string) int {
	for i := range n {
		if done() {
			return i
		}
		g.arrive(langs...)
		g.open(langs...)
	}
	return n
}

// TestRoundWaitSetsWhenAHangingSourcesRoundRenders: fetch.round_wait is how
// long the others' items wait for a source that hangs. Long, they wait for
// its answer and then render once with it; short, they render while it hangs.
// The test waits for what the daemon does, not for the clock: on a slow
// machine the sources' polls may split into more rounds than one per tick,
// so it counts the rounds that render or end at their deadline, which only
// the round with the day's versions does.
func TestRoundWaitSetsWhenAHangingSourcesRoundRenders(t *testing.T) {
	fast, slow := roundLangs[:4], roundLangs[4]
	day := time.Date(2023, 3, 30, 0, 0, 0, 0, time.UTC)
	// start runs a daemon whose first round found the feeds empty (and so
	// rendered nothing), and whose second has the fast sources' versions of
	// day stored while the hanging source's poll waits.
	start := func(t *testing.T, roundWait string) (*gatedSources, *app, string) {
		g := newGatedSources(t)
		a, web := roundsApp(t, g, roundWait)
		g.arrive(roundLangs...)
		g.open(roundLangs...)
		endRound(t, a, 1)
		g.arrive(roundLangs...)
		g.publish(day, roundLangs...)
		g.open(fast...)
		return g, a, web
	}
	renders := func(a *app) float64 { return counted(t, a.metrics, "iswfeed_feed_renders_total", "cause", "round") }
	ended := func(a *app, how string) float64 {
		return counted(t, a.metrics, "iswfeed_poll_rounds_total", "end", how)
	}
	t.Run("round_wait 5m holds what the others brought until the hanging source answers", func(t *testing.T) {
		g, a, web := start(t, "5m")
		// Six more polls of the fast sources: six seconds, beyond the default 5s.
		acted := func() bool { return renders(a) > 0 || ended(a, "deadline") > 0 }
		if n := g.repoll(6, acted, fast...); n != 6 || acted() {
			t.Fatalf("after %d more polls of the others a round rendered (%v) or was cut (%v); want it open after 6",
				n, renders(a), ended(a, "deadline"))
		}
		wantVersions(t, web, day)
		g.open(slow)
		if !eventually(30*time.Second, func() bool { return renders(a) > 0 }) {
			t.Fatal("the round did not render once the hanging source answered")
		}
		if got := ended(a, "deadline"); got != 0 {
			t.Errorf("rounds cut at their deadline: %v, want none: the round ends by its last answer", got)
		}
		if got := renders(a); got != 1 {
			t.Errorf("the round rendered %v times; want once, with every version", got)
		}
		wantVersions(t, web, day, roundLangs...)
	})
	t.Run("round_wait 3s renders what the others brought while it hangs", func(t *testing.T) {
		// Long enough for the fast sources' answers to land in one round on
		// a loaded machine; the 5m case shows it is round_wait, not the
		// default, that sets the deadline. The fast sources' next polls wait
		// at their gates, so only the deadline can end the round.
		g, a, web := start(t, "3s")
		if !eventually(time.Minute, func() bool { return ended(a, "deadline") > 0 }) {
			t.Fatal("the round with a hanging source did not end at its deadline")
		}
		if !g.isWaiting(slow) {
			t.Fatal("the hanging source answered before the round ended")
		}
		if got := ended(a, "deadline"); got != 1 {
			t.Errorf("rounds cut at their deadline: %v, want 1", got)
		}
		if got := renders(a); got != 1 {
			t.Errorf("the fast sources' round rendered %v times; want once", got)
		}
		wantVersions(t, web, day, fast...)
	})
}

// TestRendersAreCountedByCause: iswfeed_feed_renders_total{cause="round"}
// counts the renders of poll rounds alone; the daemon's start and a reload
// count under their own causes.
func TestRendersAreCountedByCause(t *testing.T) {
	g := newGatedSources(t)
	a, _ := roundsApp(t, g)
	renders := func(cause string) float64 { return counted(t, a.metrics, "iswfeed_feed_renders_total", "cause", cause) }
	if got := renders("startup"); got != 1 {
		t.Errorf("the start rendered %v times; want once", got)
	}
	g.arrive(roundLangs...)
	g.publish(time.Date(2023, 3, 29, 0, 0, 0, 0, time.UTC), roundLangs...)
	g.open(roundLangs...)
	endRound(t, a, 1)
	cfg := *a.cfg.Load()
	cfg.Title = "ISW daily reports, reloaded"
	a.reload(func() (*config.Config, error) { return &cfg, nil })
	want := map[string]float64{"round": 1, "startup": 1, "reload": 1, "retry": 0}
	for cause, n := range want {
		if got := renders(cause); got != n {
			t.Errorf("renders of cause %q: %v, want %v", cause, got, n)
		}
	}
}
