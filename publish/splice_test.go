package publish

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
)

// wholeFeed renders a document as it was before splicing: every entry
// encoded with the document, by gorilla/feeds' writer or encoding/json, from
// the view's history split anew.
func wholeFeed(t *testing.T, s *Server, st *site, v view, format, month string) string {
	t.Helper()
	h := splitHistory(st.inView(v), s.cfg.FeedSize)
	d := s.feedDoc(v, format)
	ups := h.current
	if month == "" {
		if len(h.months) > 0 {
			d.PrevArchive = s.abs(v.archivePath(h.months[0], format))
		}
	} else {
		ups, _ = h.month(month)
		s.linkArchive(d, v, format, h.months, slices.Index(h.months, month))
	}
	full, err := s.withContent(ups)
	if err != nil {
		t.Fatal(err)
	}
	for i := range full {
		d.Entries = append(d.Entries, s.entryIn(v, &full[i]))
	}
	d.Updated = newest(d.Entries)
	var buf bytes.Buffer
	if err := writers[format](&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// checkWhole compares every current feed and every archive the server serves
// with a whole render of the same site.
func checkWhole(t *testing.T, f *fixture, after string) {
	t.Helper()
	st := f.srv.site.Load()
	for _, v := range st.views() {
		h := splitHistory(st.inView(v), f.cfg.FeedSize)
		for _, format := range formats {
			paths := map[string]string{v.feedPath(format): ""}
			for _, m := range h.months {
				paths[v.archivePath(m, format)] = m
			}
			for path, month := range paths {
				got := f.get(path).body
				want := wholeFeed(t, f.srv, st, v, format, month)
				if got != want {
					t.Errorf("after %s, %s differs from a whole render:\n got %q\nwant %q", after, path, got, want)
				}
				if zipped := f.get(path, "Accept-Encoding", "gzip"); string(gunzipOne(t, []byte(zipped.body))) != want {
					t.Errorf("after %s, the gzip of %s inflates to other bytes than a whole render", after, path)
				}
			}
		}
	}
}

// edit is it edited an hour after it was posted, with new content.
func edit(it fetch.Item, content string) fetch.Item {
	it.Content, it.Updated = content, it.Published.Add(time.Hour)
	return it
}

func TestSplicedFeedsAreTheBytesOfAWholeRender(t *testing.T) {
	f := newFixture(t, Options{}, func(c *config.Config) { c.FeedSize = 2; c.Hubs = []string{"https://hub.example/"} })
	steps := []struct {
		name   string
		change func()
	}{
		{"three reports and a translation", func() { threeReports(f) }},
		{"a new report in the open month", func() { f.ingest(isw, original("2023-03-30", "<p>March 30 &amp; more.</p>")) }},
		{"a translation that teaches a number", func() { f.ingest(spa, german(400, "2023-03-28", "<p>Die Lage am 28. März.</p>")) }},
		{"an edit of an original's content", func() { f.ingest(isw, edit(original("2023-03-28", ""), "<p>March 28, corrected.</p>")) }},
		{"a report that opens a month", func() { f.ingest(isw, original("2023-04-01", "<p>April report.</p>")) }},
		{"a translation of an archived report", func() { f.ingest(spa, german(372, "2023-02-26", "<p>Februar.</p>")) }},
	}
	for _, step := range steps {
		step.change()
		checkWhole(t, f, step.name)
	}
	if n := f.srv.fullReads.Load(); n != 1 {
		t.Errorf("%d refreshes read every report; want only the first", n)
	}
	// A restart renders every entry afresh: the same bytes, and so the same
	// ETags, so that subscribers' copies stay valid.
	fresh := New(f.cfg, f.store, f.srv.log, Options{})
	if err := fresh.Refresh(); err != nil {
		t.Fatal(err)
	}
	for path, doc := range f.srv.site.Load().docs {
		again := fresh.site.Load().docs[path]
		if again == nil || !bytes.Equal(again.bytes(), doc.bytes()) {
			t.Errorf("%s: a fresh server renders other bytes", path)
		} else if again.etag != doc.etag {
			t.Errorf("%s: a fresh server gives ETag %s, the running one %s", path, again.etag, doc.etag)
		}
	}
}

func TestNewReportEncodesOneEntryPerFeedThatShowsIt(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	before := f.srv.encoded.Load()
	f.ingest(isw, original("2023-03-30", "<p>March 30 report.</p>"))
	// The merged feed, English's and German's with the original standing in,
	// in three formats each; German's own feed does not show it.
	if n := f.srv.encoded.Load() - before; n != 9 {
		t.Errorf("a new English report encoded %d entries, want 9: one per feed that shows it", n)
	}
	checkWhole(t, f, "the new report")
}

func TestIncrementalIndexHoldsWhatTheStoreHolds(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	wrong := german(402, "2023-03-31", "<p>Die Lage 402.</p>")
	f.ingest(spa, wrong)
	corrected := german(402, "2023-03-30", "<p>Die Lage 402, korrigiert.</p>")
	corrected.ID, corrected.Updated = wrong.ID, wrong.Published.Add(time.Hour)
	f.ingest(spa, corrected)
	f.ingest(isw, original("2023-03-30", "<p>March 30 report.</p>"))
	all, err := f.store.Updates(dedupe.Query{Series: f.srv.publishedSeries()})
	if err != nil {
		t.Fatal(err)
	}
	got := f.srv.site.Load().updates
	if len(got) != len(all) {
		t.Fatalf("the index holds %d reports, the store %d", len(got), len(all))
	}
	for i := range all {
		if keyOf(&got[i]) != keyOf(&all[i]) {
			t.Errorf("report %d: the index holds %s #%d with %d variants, the store %s #%d with %d",
				i, got[i].ID, got[i].Number, len(got[i].Variants), all[i].ID, all[i].Number, len(all[i].Variants))
		}
	}
	if _, ok := f.srv.site.Load().find(config.DefaultSeries, "2023-03-31"); ok == nil {
		t.Error("the report the correction left is still published")
	}
	if n := f.srv.fullReads.Load(); n != 1 {
		t.Errorf("%d refreshes read every report; want only the first", n)
	}
	if ids := f.srv.site.Load().langs; !slices.Equal(ids, []string{"en", "de"}) {
		t.Errorf("languages %v, want [en de]", ids)
	}
}

// An export writes each document's bytes as it rendered them, beside its
// gzip: they must be what the gzip inflates to, for every kind of document.
func TestDocumentsKeptForExportHoldTheBytesOfTheirGzip(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	f.ingest(isw, original("2023-04-01", "<p>April &amp; report.</p>"))
	// A site without its current feeds, as an export's, so that archives
	// encode every entry.
	s := New(f.cfg, f.store, f.srv.log, Options{})
	s.keepBytes = true
	ups, err := s.published()
	if err != nil {
		t.Fatal(err)
	}
	s.site.Store(s.newSite(ups))
	paths := []string{"/archive/2023-02.atom", "/archive/2023-03.json", "/archive/en/2023-03.rss",
		"/archive/de+/2023-03.atom", "/archive/de+/2023-02.json", "/updates/401", "/api/updates/401", "/api/updates"}
	for _, p := range paths {
		doc, err := s.documentAt(context.Background(), p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if doc.body == nil {
			t.Errorf("%s keeps no bytes", p)
			continue
		}
		if got := gunzipOne(t, doc.gzipped()); !bytes.Equal(doc.body, got) {
			t.Errorf("%s keeps other bytes than its gzip holds:\n kept %q\n gzip %q", p, doc.body, got)
		}
	}
}
