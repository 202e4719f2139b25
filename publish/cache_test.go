package publish

import (
	"fmt"
	"maps"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
)

// historyOf fills a fixture with n daily reports from 1 January 2023, each in
// English and German with about 2 KB of content, and a feed of 5.
func historyOf(t *testing.T, n int) *fixture {
	t.Helper()
	f := newFixture(t, Options{}, func(c *config.Config) { c.FeedSize = 5 })
	body := strings.Repeat("<p>Russian forces continued offensive operations near Bakhmut.</p>", 30)
	var en, de []fetch.Item
	for i := range n {
		date := day("2023-01-01").AddDate(0, 0, i).Format(time.DateOnly)
		en = append(en, original(date, body))
		de = append(de, german(i+1, date, body))
	}
	f.ingest(isw, en...)
	f.ingest(spa, de...)
	return f
}

// everyDocument requests every archive, page and API entry of the fixture.
func everyDocument(t *testing.T, f *fixture) {
	t.Helper()
	st := f.srv.site.Load()
	for _, g := range f.srv.exportPlan() {
		for _, d := range g {
			if r := f.get(d.path); r.StatusCode != 200 {
				t.Fatalf("%s: %d %s", d.path, r.StatusCode, r.body)
			}
		}
	}
	if len(st.updates) == 0 {
		t.Fatal("no updates")
	}
}

func TestBetweenRendersSanitisedContentIsHeldOnlyWithinTheRecentBound(t *testing.T) {
	f := historyOf(t, 90)
	const limit = 64 << 10 // fewer reports than the current feeds show
	f.srv.recent.limit = limit
	f.ingest(isw, original("2023-04-01", "<p>a new report</p>"))
	if err := f.srv.Refresh(); err != nil {
		t.Fatal(err)
	}
	everyDocument(t, f)
	f.srv.mu.Lock()
	pinned := len(f.srv.entries)
	f.srv.mu.Unlock()
	if pinned != 0 {
		t.Errorf("%d sanitised updates are held beside the recent ones after the render", pinned)
	}
	if held := recentHeld(t, &f.srv.recent); held > limit {
		t.Errorf("recent updates hold %d bytes, bound %d", held, limit)
	}
	if r := f.get("/feed.atom"); r.StatusCode != 200 || !strings.Contains(r.body, "a new report") {
		t.Errorf("/feed.atom: %d, without the new report", r.StatusCode)
	}
}

func TestDocumentCacheHoldsNoMoreBytesThanItsBound(t *testing.T) {
	f := historyOf(t, 90)
	const limit = 64 << 10
	f.srv.lazyBytes = limit
	f.ingest(isw, original("2023-04-01", "<p>A new report makes a new site with the new bound.</p>"))
	everyDocument(t, f)
	st := f.srv.site.Load()
	st.mu.Lock()
	defer st.mu.Unlock()
	held := 0
	for _, d := range st.lazy {
		held += d.size()
	}
	if held != st.lazyBytes {
		t.Errorf("the cache counts %d bytes, its documents hold %d", st.lazyBytes, held)
	}
	if held > limit || len(st.lazy) == 0 {
		t.Errorf("the cache holds %d bytes in %d documents, want at most %d and some", held, len(st.lazy), limit)
	}
}

func TestDocumentsRenderedOnRequestStayWithinTheirBound(t *testing.T) {
	f := historyOf(t, 90)
	const limit = 256 << 10 // a few of the fixture's archives
	st := f.srv.site.Load()
	st.maxBytes = limit
	everyDocument(t, f)
	st.mu.Lock()
	defer st.mu.Unlock()
	held := 0
	for _, d := range st.lazy {
		held += d.size()
	}
	if held != st.lazyBytes || held > limit || len(st.lazy) < 2 {
		t.Errorf("the cache holds %d documents of %d bytes (counted %d), want some within %d", len(st.lazy), held, st.lazyBytes, limit)
	}
}

func TestADocumentsSizeIsWhatItTakesFromTheHeap(t *testing.T) {
	f := historyOf(t, 90)
	st := f.srv.site.Load()
	const n = 100
	docs := make([]*document, 0, n)
	for range n {
		d, err := f.srv.renderFeed(st, view{}, "atom", "2023-01")
		if err != nil {
			t.Fatal(err)
		}
		d.gzipped()
		d.extraFields()
		docs = append(docs, d)
	}
	var with, without runtime.MemStats
	runtime.GC()
	runtime.GC() // and what the pools held
	runtime.ReadMemStats(&with)
	runtime.KeepAlive(docs)
	counted := float64(docs[0].size())
	docs = nil
	runtime.GC()
	runtime.ReadMemStats(&without)
	heap := float64(with.HeapAlloc-without.HeapAlloc) / n
	countsTheHeap(t, "size", "a document", counted, heap, 0.95, 1.2)
}

func TestStampsStayWithinTheirBoundAndWhatIsStampedAfreshIsNotOlderThanTheirForgetting(t *testing.T) {
	f := historyOf(t, 90)
	const limit = 4 << 10 // a few dozen paths
	f.srv.maxStampBytes = limit
	everyDocument(t, f)
	f.srv.mu.Lock()
	held := 0
	for k, st := range f.srv.stamps {
		held += stampBytes(k, st.etag)
	}
	counted, n, started := f.srv.stampBytes, len(f.srv.stamps), f.srv.started
	f.srv.mu.Unlock()
	if held != counted || held > limit || n == 0 {
		t.Errorf("%d stamps hold %d bytes (counted %d), want some within %d", n, held, counted, limit)
	}
	if d := f.srv.stamped("/not/stamped/yet", newDocument([]byte("x"), typeText, day("2023-01-01"))); d.modified.Before(started) {
		t.Errorf("Last-Modified %v after the stamps were forgotten at %v", d.modified, started)
	}
}

func TestStampBytesIsWhatAStampTakesFromTheHeap(t *testing.T) {
	s := &Server{now: time.Now, stamps: map[string]stamp{}, maxStampBytes: 1 << 30}
	const n = 1000
	etag := newDocument([]byte("x"), typeText, time.Now()).etag
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("/updates/%d", 100000+i)
	}
	etags := make([]string, n) // each document's own, which its stamp keeps
	for i := range etags {
		etags[i] = strings.Clone(etag)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.GC() // and what the pools held
	runtime.ReadMemStats(&before)
	for i, k := range keys {
		s.stamped(k, &document{etag: etags[i]})
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/n + float64(len(keys[0])) + 48
	counted := float64(stampBytes(keys[0], etag))
	countsTheHeap(t, "stampBytes", "a stamp", counted, heap, 0.7, 1.4)
	runtime.KeepAlive(keys)
	runtime.KeepAlive(etags)
	runtime.KeepAlive(s)
}

func TestTheCurrentFeedsHoldTheirBytesOnceAsTheirGzip(t *testing.T) {
	f := historyOf(t, 90)
	st := f.srv.site.Load()
	if len(st.docs) == 0 {
		t.Fatal("no current feeds")
	}
	for path, d := range st.docs {
		if sp := st.spliced[path]; sp == nil || sp.body != nil || len(sp.at) == 0 {
			t.Errorf("%s: the entries' places %v hold bytes of their own", path, sp != nil && sp.body != nil)
		}
		if r := f.get(path, "Accept-Encoding", "identity"); len(r.body) != d.rawLen || d.size() > d.rawLen/2 {
			t.Errorf("%s: %d bytes served, %d held", path, len(r.body), d.size())
		}
	}
}

func TestADocumentHoldsNoSpareCapacity(t *testing.T) {
	body := make([]byte, 1000, 4096)
	d := newDocument(body, typeText, time.Time{})
	if gz := d.gzipped(); cap(gz) != len(gz) {
		t.Errorf("gzip %d/%d bytes used/held", len(gz), cap(gz))
	}
}

func TestAnArchiveShowsOnlyItsMonth(t *testing.T) {
	f := historyOf(t, 90)
	h := f.srv.site.Load().history(view{}, f.cfg.FeedSize)
	feb, _ := h.month("2023-02")
	if len(feb) != 28 || cap(feb) != 28 {
		t.Fatalf("February holds %d reports (capacity %d), want 28", len(feb), cap(feb))
	}
	for _, u := range feb {
		if archiveMonth(&u) != "2023-02" {
			t.Errorf("February's archive holds the report of %s", u.Date.Format(time.DateOnly))
		}
	}
	body := f.get("/archive/2023-02.atom").body
	if n := strings.Count(body, "<entry"); n != 28 {
		t.Errorf("/archive/2023-02.atom has %d entries, want 28", n)
	}
}

func TestRefreshesDuringARenderShareOneRender(t *testing.T) {
	f := newFixture(t, Options{})
	renders := 0
	started, release := make(chan struct{}), make(chan struct{})
	f.srv.onRender = func() {
		renders++
		if renders == 1 {
			close(started)
			<-release
		}
	}
	if _, err := f.store.IngestBatch(isw, []fetch.Item{original("2023-03-29", "<p>Report.</p>")}); err != nil {
		t.Fatal(err)
	}
	first := make(chan error)
	go func() { first <- f.srv.Refresh() }()
	<-started
	// Four more sources' batches arrive while the first render runs.
	for i, src := range []fetch.Item{german(401, "2023-03-29", "<p>Lage.</p>"), original("2023-03-30", "<p>Next.</p>")} {
		source := spa
		if i == 1 {
			source = isw
		}
		if _, err := f.store.IngestBatch(source, []fetch.Item{src}); err != nil {
			t.Fatal(err)
		}
	}
	others := make(chan error, 4)
	for range 4 {
		go func() { others <- f.srv.Refresh() }()
	}
	for waiting := 0; waiting < 4; {
		f.srv.refreshMu.Lock()
		waiting = f.srv.waiting
		f.srv.refreshMu.Unlock()
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if err := <-others; err != nil {
			t.Fatal(err)
		}
	}
	if renders != 2 {
		t.Errorf("five refreshes made %d renders, want 2: the first and one for the four that came during it", renders)
	}
	if !strings.Contains(f.get("/feed.atom").body, "Next.") || !strings.Contains(f.get("/de/feed.atom").body, "Lage.") {
		t.Error("the shared render misses a batch")
	}
}

func TestRefreshWithoutAWriteReadsNothing(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	before := f.srv.site.Load()
	if err := f.srv.Refresh(); err != nil {
		t.Fatal(err)
	}
	if f.srv.site.Load() != before {
		t.Error("a refresh without a write rendered a new site")
	}
	f.ingest(isw, original("2023-03-29", "<p>March 29 report.</p>"))
	if f.srv.site.Load() != before {
		t.Error("a batch that changed nothing rendered a new site")
	}
}

func TestAReportInOneLanguageRendersOnlyTheFeedsThatShowIt(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	before := f.srv.site.Load().docs
	f.ingest(isw, original("2023-03-30", "<p>March 30 report.</p>"))
	after := f.srv.site.Load().docs
	for path, doc := range after {
		rendered := doc != before[path]
		if want := !strings.HasPrefix(path, "/de/"); rendered != want {
			t.Errorf("%s rendered again: %v, want %v", path, rendered, want)
		}
	}
	if !strings.Contains(f.get("/feed.atom").body, "March 30 report.") {
		t.Error("the merged feed lacks the new report")
	}
}

func TestStartServesTheCurrentFeedsFromTheNewestReports(t *testing.T) {
	f := historyOf(t, 90)
	full := f.srv.site.Load()
	fresh := New(f.cfg, f.store, f.srv.log, Options{})
	st, ok, err := fresh.newestSite()
	if err != nil || !ok {
		t.Fatalf("newestSite: ok %v, err %v", ok, err)
	}
	if len(st.updates) >= len(full.updates) {
		t.Errorf("the newest reports are %d of %d: the whole history", len(st.updates), len(full.updates))
	}
	if err := fresh.renderCurrent(&site{}, st); err != nil {
		t.Fatal(err)
	}
	for path, doc := range full.docs {
		if got := st.docs[path]; got == nil || got.etag != doc.etag {
			t.Errorf("%s from the newest reports differs from the one of the whole history", path)
		}
	}
}

func TestStartServesTheMergedFeedFirstAndTheOtherFeedsWaitForTheirRender(t *testing.T) {
	f := newFixture(t, Options{}, func(c *config.Config) { c.FeedSize = 5 })
	var en, de []fetch.Item
	for i := range 60 {
		date := day("2023-01-29").AddDate(0, 0, i).Format(time.DateOnly)
		en = append(en, original(date, "<p>Russian forces continued offensive operations.</p>"))
		de = append(de, german(341+i, date, "<p>Russische Streitkräfte setzten ihre Offensive fort.</p>"))
	}
	f.ingest(isw, en...)
	f.ingest(spa, de...)
	full := f.srv.site.Load()
	if full.docs["/de/feed.atom"] == nil {
		t.Fatal("no German feed to ask for")
	}
	f.srv = New(f.cfg, f.store, f.srv.log, Options{})
	held, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	f.srv.onRender = func() { once.Do(func() { close(held); <-release }) }
	if err := f.srv.Start(); err != nil {
		t.Fatal(err)
	}
	f.web.Config.Handler = f.srv
	<-held
	if got := slices.Sorted(maps.Keys(f.srv.site.Load().docs)); !slices.Equal(got, []string{"/feed.atom", "/feed.json", "/feed.rss"}) {
		t.Errorf("Start rendered %v before serving, want the merged feed alone", got)
	}
	if r := f.get("/feed.atom"); r.StatusCode != 200 || r.Header.Get("ETag") != full.docs["/feed.atom"].etag {
		t.Errorf("/feed.atom while the other feeds render: %d, ETag %s, want the whole history's", r.StatusCode, r.Header.Get("ETag"))
	}
	got := make(chan *http.Response, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, f.web.URL+"/de/feed.atom", nil)
		req.Header.Set("Accept-Encoding", "identity")
		resp, err := f.web.Client().Do(req)
		if err != nil {
			got <- &http.Response{StatusCode: 0}
			return
		}
		resp.Body.Close()
		got <- resp
	}()
	time.Sleep(20 * time.Millisecond) // most likely asked before the render goes on; either way it must get the feed
	close(release)
	if r := <-got; r.StatusCode != 200 || r.Header.Get("ETag") != full.docs["/de/feed.atom"].etag {
		t.Errorf("/de/feed.atom asked during the render: %d, ETag %s, want 200 with the whole history's", r.StatusCode, r.Header.Get("ETag"))
	}
}

func TestArchivesWaitForTheHistoryAfterStart(t *testing.T) {
	f := historyOf(t, 90)
	f.srv = New(f.cfg, f.store, f.srv.log, Options{})
	if err := f.srv.Start(); err != nil {
		t.Fatal(err)
	}
	f.web.Config.Handler = f.srv
	if r := f.get("/feed.atom"); r.StatusCode != 200 {
		t.Fatalf("/feed.atom after Start: %d", r.StatusCode)
	}
	if r := f.get("/archive/2023-01.atom"); r.StatusCode != 200 || strings.Count(r.body, "<entry") != 31 {
		t.Errorf("/archive/2023-01.atom after Start: %d, %d entries", r.StatusCode, strings.Count(r.body, "<entry"))
	}
	if r := f.get("/api/updates?limit=500"); r.StatusCode != 200 || strings.Count(r.body, `"date"`) != 90 {
		t.Errorf("/api/updates after Start: %d, %d updates", r.StatusCode, strings.Count(r.body, `"date"`))
	}
}

func TestRecentSanitisedUpdatesStayWithinTheirBound(t *testing.T) {
	f := historyOf(t, 90)
	const limit = 20 << 10 // about five reports
	f.srv.recent.limit = limit
	everyDocument(t, f)
	if held := recentHeld(t, &f.srv.recent); held > limit {
		t.Errorf("recent holds %d bytes, want at most %d", held, limit)
	}
}

// recentHeld checks that r's count is what its updates hold and returns it.
func recentHeld(t *testing.T, r *recentUpdates) int {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	held := 0
	for e := r.order.Front(); e != nil; e = e.Next() {
		held += heldBytes(e.Value.(*dedupe.Update))
	}
	if held != r.bytes || len(r.byID) != r.order.Len() || r.order.Len() == 0 {
		t.Errorf("recent holds %d bytes in %d updates (%d by id), counted %d", held, r.order.Len(), len(r.byID), r.bytes)
	}
	return held
}

func TestHeldBytesIsWhatAKeptUpdateTakesFromTheHeap(t *testing.T) {
	f := historyOf(t, 3)
	if err := f.srv.Refresh(); err != nil {
		t.Fatal(err)
	}
	u := f.srv.site.Load().updates[0]
	const n = 500
	var counted float64
	// The median of five measures: goroutines that earlier tests left (a
	// server shutting down, a render finishing) can free or take memory
	// during one of them.
	heaps := make([]float64, 5)
	for i := range heaps {
		kept := make([]*dedupe.Update, 0, n)
		for range n {
			c, err := f.srv.sanitised(u)
			if err != nil {
				t.Fatal(err)
			}
			kept = append(kept, c)
		}
		counted = float64(heldBytes(kept[0]) - keptOverhead)
		var with, without runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&with)
		runtime.KeepAlive(kept)
		kept = nil
		runtime.GC()
		runtime.ReadMemStats(&without)
		heaps[i] = (float64(with.HeapAlloc) - float64(without.HeapAlloc)) / n
	}
	slices.Sort(heaps)
	countsTheHeap(t, "heldBytes", "an update", counted, heaps[len(heaps)/2], 0.8, 1.25)
}

// countsTheHeap checks that a count of what one thing holds, counted, is
// within lo..hi times what it took from the heap.
func countsTheHeap(t *testing.T, count, thing string, counted, heap, lo, hi float64) {
	t.Helper()
	t.Logf("%s: counted %.0f, heap %.0f", count, counted, heap)
	if counted < lo*heap || counted > hi*heap {
		t.Errorf("%s counts %.0f bytes of %s that takes %.0f from the heap", count, counted, thing, heap)
	}
}

// append rounds a slice's capacity up to what the heap gives it.
func TestAllocatedIsAppendsRounding(t *testing.T) {
	for _, c := range sizeClasses[1:] {
		for _, n := range []int{int(c) - 1, int(c), int(c) + 1} {
			if got := cap(append([]byte(nil), make([]byte, n)...)); allocated(n) != got {
				t.Fatalf("allocated(%d) = %d, the heap gives %d", n, allocated(n), got)
			}
		}
	}
}

func TestPlainAnswersAreKeptWithinTheirBoundAndAreTheDocumentsBytes(t *testing.T) {
	f := historyOf(t, 90)
	const limit = 48 << 10 // a few archives
	f.srv.plain.limit = limit
	for range 2 { // the second time from the cache, what it kept
		for _, g := range f.srv.exportPlan() {
			for _, d := range g {
				r := f.get(d.path)
				doc, err := f.srv.documentAt(t.Context(), d.path)
				if err != nil {
					t.Fatal(err)
				}
				if r.StatusCode != 200 || r.body != string(doc.bytes()) {
					t.Fatalf("%s: %d, %d bytes, want the document's %d", d.path, r.StatusCode, len(r.body), doc.rawLen)
				}
			}
		}
	}
	c := &f.srv.plain
	c.mu.Lock()
	defer c.mu.Unlock()
	held := 0
	for tag, e := range c.byTag {
		held += plainSize(tag, e.bytes)
	}
	if held != c.held || held > limit || len(c.byTag) < 2 {
		t.Errorf("the plain cache holds %d documents of %d bytes (counted %d), want some within %d", len(c.byTag), held, c.held, limit)
	}
}
