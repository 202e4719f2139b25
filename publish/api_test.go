package publish

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"iswfeed/config"
	"iswfeed/fetch"
)

func TestAPIUpdates(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	var page struct {
		Updates []UpdateView
		Next    string
	}
	r := f.get("/api/updates")
	if err := json.Unmarshal([]byte(r.body), &page); err != nil {
		t.Fatalf("/api/updates: %v\n%s", err, r.body)
	}
	if len(page.Updates) != 3 || page.Next != "" {
		t.Fatalf("/api/updates: %d updates, next %q", len(page.Updates), page.Next)
	}
	u := page.Updates[0]
	if u.Number != 401 || u.Date != "2023-03-29" || u.Series != "russian-offensive" || u.ID != "urn:iswfeed:russian-offensive:2023-03-29" ||
		u.Page != "https://feeds.example.org/updates/401" || u.API != "https://feeds.example.org/api/updates/401" ||
		strings.Join(u.Langs, ",") != "en,de" {
		t.Errorf("first update: %+v", u)
	}
	if v := u.Variants[1]; v.Lang != "de" || v.Source != "spartanat" || v.Role != "translation" || v.Title != "Ukraine: Die Lage 401" || v.URL == "" || v.ContentHTML != "" {
		t.Errorf("German variant: %+v (the list leaves content out)", v)
	}

	t.Run("limit pages with next", func(t *testing.T) {
		json.Unmarshal([]byte(f.get("/api/updates?limit=1").body), &page)
		if len(page.Updates) != 1 || page.Next != "https://feeds.example.org/api/updates/before/russian-offensive/2023-03-29?limit=1" {
			t.Errorf("limit=1: %d updates, next %q", len(page.Updates), page.Next)
		}
	})
	t.Run("before takes a number", func(t *testing.T) {
		json.Unmarshal([]byte(f.get("/api/updates?before=401").body), &page)
		if len(page.Updates) != 2 || page.Updates[0].Date != "2023-03-28" {
			t.Errorf("before=401: %+v", page.Updates)
		}
	})
	t.Run("before takes a date", func(t *testing.T) {
		json.Unmarshal([]byte(f.get("/api/updates?before=2023-03-28").body), &page)
		if len(page.Updates) != 1 || page.Updates[0].Date != "2023-02-26" {
			t.Errorf("before=2023-03-28: %+v", page.Updates)
		}
	})
	t.Run("lang keeps updates in that language", func(t *testing.T) {
		json.Unmarshal([]byte(f.get("/api/updates?lang=de").body), &page)
		if len(page.Updates) != 1 || page.Updates[0].Number != 401 {
			t.Errorf("lang=de: %+v", page.Updates)
		}
	})
	t.Run("before takes a series and date", func(t *testing.T) {
		json.Unmarshal([]byte(f.get("/api/updates?before=russian-offensive/2023-03-28").body), &page)
		if len(page.Updates) != 1 || page.Updates[0].Date != "2023-02-26" {
			t.Errorf("before=russian-offensive/2023-03-28: %+v", page.Updates)
		}
	})
	for _, q := range []string{"limit=0", "limit=501", "limit=ten", "before=yesterday", "before=999", "lang=fr", "before=nothing/2023-03-28"} {
		t.Run("bad "+q+" is 400", func(t *testing.T) {
			r := f.get("/api/updates?" + q)
			var e struct{ Error string }
			if r.StatusCode != http.StatusBadRequest || json.Unmarshal([]byte(r.body), &e) != nil || e.Error == "" {
				t.Errorf("%s: %d %s", q, r.StatusCode, r.body)
			}
		})
	}
}

func TestAPIUpdateHasEveryVersionWithSanitisedContent(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	for _, p := range []string{"/api/updates/401", "/api/updates/2023-03-29", "/api/updates/russian-offensive/2023-03-29"} {
		var u UpdateView
		r := f.get(p)
		if err := json.Unmarshal([]byte(r.body), &u); err != nil {
			t.Fatalf("%s: %v %s", p, err, r.body)
		}
		if u.Number != 401 || len(u.Variants) != 2 || u.Variants[1].ContentHTML != "<p>Die Lage am 29. März.</p>" {
			t.Errorf("%s: %+v", p, u)
		}
	}
}

func TestAPISources(t *testing.T) {
	last := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f := newFixture(t, Options{Sources: func() ([]SourceStatus, error) {
		return []SourceStatus{{Name: "isw", URL: isw.URL, Lang: "en", Role: "original", LastAttempt: last, LastSuccess: last,
			LastStatus: 304, Count200: 3, Count304: 7}}, nil
	}})
	var got struct{ Sources []map[string]any }
	r := f.get("/api/sources")
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || len(got.Sources) != 1 {
		t.Fatalf("/api/sources: %v %s", err, r.body)
	}
	for _, key := range []string{"name", "url", "lang", "role", "last_attempt", "last_success", "last_status", "last_error",
		"consecutive_failures", "count_200", "count_304", "count_errors"} {
		if _, ok := got.Sources[0][key]; !ok {
			t.Errorf("/api/sources lacks %q: %s", key, r.body)
		}
	}
	if got.Sources[0]["last_attempt"] != "2026-03-01T12:00:00Z" || got.Sources[0]["count_304"] != 7.0 {
		t.Errorf("/api/sources values: %v", got.Sources[0])
	}
	if r2 := f.get("/api/sources", "If-None-Match", r.Header.Get("ETag")); r2.StatusCode != 304 {
		t.Errorf("/api/sources revalidation: %d", r2.StatusCode)
	}
}

func TestHTMLPages(t *testing.T) {
	f := newFixture(t, Options{Sources: func() ([]SourceStatus, error) {
		return []SourceStatus{{Name: "spartanat", URL: spa.URL, Lang: "de", Role: "translation", LastStatus: 503, LastError: "upstream said 503", ConsecutiveFailures: 2}}, nil
	}})
	threeReports(f)
	for path, wants := range map[string][]string{
		"/": {"Update 401", "March 29, 2023", `hreflang="de"`, ">Deutsch<", ">English<", `href="/updates/401"`,
			`href="/archive/2023-02.atom"`, `href="/de/feed.atom"`},
		"/updates/401": {"Update 401: March 29, 2023", `lang="de"`, "<p>Die Lage am 29. März.</p>", "<p>March 29 report.</p>",
			"Ukraine: Die Lage 401", `<link rel="alternate" hreflang="de"`},
		"/status": {"spartanat", "upstream said 503", "3 reports"},
	} {
		r := f.get(path)
		if r.StatusCode != 200 {
			t.Errorf("%s: %d", path, r.StatusCode)
			continue
		}
		wants = append(wants, `<meta name="viewport" content="width=device-width, initial-scale=1">`, `<html lang="en">`)
		for _, w := range wants {
			if !strings.Contains(r.body, w) {
				t.Errorf("%s lacks %s", path, w)
			}
		}
		if strings.Contains(r.body, "<script") {
			t.Errorf("%s has a script", path)
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
	}
}

func TestExportWritesWhatHTTPServes(t *testing.T) {
	f := newFixture(t, Options{}, func(c *config.Config) { c.Hubs = []string{"https://hub.example.org/"} })
	threeReports(f)
	dir := t.TempDir()
	if err := Export(context.Background(), f.cfg, f.store, dir); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"feed.atom": "/feed.atom", "feed.rss": "/feed.rss", "feed.json": "/feed.json",
		"de/feed.atom": "/de/feed.atom", "en/feed.json": "/en/feed.json",
		"archive/2023-02.atom": "/archive/2023-02.atom", "archive/en/2023-02.rss": "/archive/en/2023-02.rss",
		"index.html": "/", "updates/401.html": "/updates/401", "updates/russian-offensive/2023-03-28.html": "/updates/russian-offensive/2023-03-28",
		"api/updates.json": "/api/updates", "api/updates/401.json": "/api/updates/401", "icon.svg": "/icon.svg",
	}
	for name, path := range files {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("export lacks %s: %v", name, err)
			continue
		}
		r := f.get(path)
		if string(b) != r.body {
			t.Errorf("%s differs from what HTTP serves at %s", name, path)
		}
		gz, err := os.ReadFile(filepath.Join(dir, name+".gz"))
		if err != nil || gunzip(t, string(gz)) != r.body {
			t.Errorf("%s.gz missing or not the gzip of %s: %v", name, name, err)
		}
		// A current feed's gzip is deflated in one stream in an export, and
		// in pieces that the next render copies by the server: other bytes,
		// of the same document (checked above).
		if zr := f.get(path, "Accept-Encoding", "gzip"); zr.body != string(gz) && !strings.Contains(path, "feed.") {
			t.Errorf("%s.gz differs from the gzip HTTP serves", name)
		}
	}
	// The export is a server of its own, started after f's: its Last-Modified
	// times are not before f's.
	if fi, err := os.Stat(filepath.Join(dir, "archive/2023-02.atom")); err == nil {
		if lm, _ := http.ParseTime(f.get("/archive/2023-02.atom").Header.Get("Last-Modified")); fi.ModTime().Before(lm) {
			t.Errorf("archive mtime %v, before the Last-Modified %v HTTP sent", fi.ModTime(), lm)
		}
	}
}

func TestReExportKeepsTheTimesOfFilesWhoseBytesDidNotChange(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	dir := t.TempDir()
	if err := Export(context.Background(), f.cfg, f.store, dir); err != nil {
		t.Fatal(err)
	}
	mtime := func(name string) time.Time {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return fi.ModTime()
	}
	archive, page := mtime("archive/2023-02.atom"), mtime("updates/401.html")
	nextSecond()
	f.ingest(spa, german(401, "2023-03-29", "<p>Die Lage, berichtigt.</p>"))
	nextSecond()
	if err := Export(context.Background(), f.cfg, f.store, dir); err != nil {
		t.Fatal(err)
	}
	if got := mtime("archive/2023-02.atom"); !got.Equal(archive) {
		t.Errorf("unchanged archive's mtime moved from %v to %v: nginx would send it again to every subscriber", archive, got)
	}
	if got := mtime("updates/401.html"); !got.After(page) {
		t.Errorf("changed page's mtime %v, not after %v", got, page)
	}
}

// iswItem is an ISW post of any series, titled as ISW titles it.
func iswItem(title, slug, date string) fetch.Item {
	d := day(date)
	return fetch.Item{Source: "isw", Lang: "en", ID: "isw-" + slug + "-" + date,
		Title:   title + ", " + d.Format("January 2, 2006"),
		Link:    "https://understandingwar.org/research/" + slug + "-" + strings.ToLower(d.Format("January-2-2006")) + "/",
		Content: "<p>" + title + "</p>", Published: d.Add(23 * time.Hour)}
}

func TestPagingThroughSeriesSharingDatesShowsEachUpdateOnce(t *testing.T) {
	yes := true
	f := newFixture(t, Options{}, func(c *config.Config) {
		c.Series = map[string]config.Series{"iran-update": {Publish: &yes}}
	})
	threeReports(f)
	f.ingest(isw,
		iswItem("Iran Update", "iran-update", "2023-03-29"), // shares a date with update 401
		iswItem("Iran Update", "iran-update", "2023-03-27"), // a date without a Russian report
	)
	listing := func(path string) (ids []string) {
		for path != "" {
			r := f.get(path)
			var page struct {
				Updates []UpdateView
				Next    string
			}
			if r.StatusCode != 200 || json.Unmarshal([]byte(r.body), &page) != nil {
				t.Fatalf("%s: %d %s", path, r.StatusCode, r.body)
			}
			for _, u := range page.Updates {
				ids = append(ids, u.Series+" "+u.Date)
			}
			path = strings.TrimPrefix(page.Next, "https://feeds.example.org")
		}
		return ids
	}
	want := []string{"iran-update 2023-03-29", "russian-offensive 2023-03-29", "russian-offensive 2023-03-28",
		"iran-update 2023-03-27", "russian-offensive 2023-02-26"}
	for _, limit := range []string{"1", "2", "3"} {
		if got := listing("/api/updates?limit=" + limit); !slices.Equal(got, want) {
			t.Errorf("paging by %s:\n got %v\nwant %v", limit, got, want)
		}
	}
	t.Run("a date from people means every report older than that day", func(t *testing.T) {
		if got := listing("/api/updates/before/2023-03-29"); !slices.Equal(got, want[2:]) {
			t.Errorf("before 2023-03-29: %v", got)
		}
		if got := listing("/api/updates?before=2023-03-28"); !slices.Equal(got, want[3:]) {
			t.Errorf("before=2023-03-28: %v", got)
		}
	})
	t.Run("a number from people means the reports after that one", func(t *testing.T) {
		if got := listing("/api/updates?before=401"); !slices.Equal(got, want[2:]) {
			t.Errorf("before=401: %v", got)
		}
	})
	t.Run("cursors that show the same page share one document", func(t *testing.T) {
		a := f.get("/api/updates/before/iran-update/2023-03-27")
		b := f.get("/api/updates/before/2023-03-27")
		if a.body != b.body || a.Header.Get("ETag") != b.Header.Get("ETag") {
			t.Errorf("two cursors of one page differ:\n%s\n%s", a.body, b.body)
		}
	})
}

func TestExportedAPIPagesLeadFromOneToTheNext(t *testing.T) {
	f := newFixture(t, Options{})
	n := defaultAPILimit*2 + 3
	dailyOriginals(f, n)
	dir := t.TempDir()
	if err := Export(context.Background(), f.cfg, f.store, dir); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	pages := 0
	// As nginx's try_files $uri.json does: the path, ignoring any query.
	for p := "/api/updates"; p != ""; pages++ {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(exportName(p))))
		if err != nil {
			t.Fatalf("next leads to %s, which the export lacks: %v", p, err)
		}
		if r := f.get(p); r.body != string(b) {
			t.Errorf("%s differs from what HTTP serves", p)
		}
		var page struct {
			Updates []UpdateView
			Next    string
		}
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Updates {
			if seen[u.ID] {
				t.Fatalf("page %d of the export repeats %s", pages+1, u.ID)
			}
			seen[u.ID] = true
		}
		p = strings.TrimPrefix(page.Next, "https://feeds.example.org")
	}
	if len(seen) != n || pages != 3 {
		t.Errorf("following next through the export: %d updates on %d pages, want %d on 3", len(seen), pages, n)
	}
}

func TestExportDeletesOnlyTheFilesItWroteThatAreGone(t *testing.T) {
	yes := true
	f := newFixture(t, Options{}, func(c *config.Config) {
		c.Series = map[string]config.Series{"iran-update": {Publish: &yes}}
	})
	f.ingest(isw, original("2023-03-29", "<p>x</p>"), iswItem("Iran Update", "iran-update", "2023-03-27"))
	wrong := german(402, "2023-03-29", "<p>Die Lage.</p>")
	f.ingest(spa, wrong)
	dir := t.TempDir()
	operator := []string{"robots.txt", "updates/README", "api/updates/notes.json"}
	for _, name := range operator {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Export(context.Background(), f.cfg, f.store, dir); err != nil {
		t.Fatal(err)
	}
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	for _, name := range []string{"updates/402.html", "api/updates/402.json.gz", "updates/iran-update/2023-03-27.html"} {
		if !exists(name) {
			t.Fatalf("the first export lacks %s", name)
		}
	}

	// The translator corrects the number; the operator stops publishing Iran Updates.
	right := german(401, "2023-03-29", "<p>Die Lage.</p>")
	right.ID = wrong.ID
	f.ingest(spa, right)
	f.cfg.Series = nil
	if err := Export(context.Background(), f.cfg, f.store, dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"updates/402.html", "updates/402.html.gz", "api/updates/402.json", "api/updates/402.json.gz",
		"updates/iran-update/2023-03-27.html", "updates/iran-update", "api/updates/iran-update"} {
		if exists(name) {
			t.Errorf("%s is still online after the second export", name)
		}
	}
	for _, name := range append(operator, "updates/401.html", "api/updates/401.json.gz", "feed.atom") {
		if !exists(name) {
			t.Errorf("the second export deleted %s", name)
		}
	}
}

func TestANewReportChangesOnlyTheFirstTwoAPIPages(t *testing.T) {
	f := newFixture(t, Options{})
	n := defaultAPILimit*4 + 7
	dailyOriginals(f, n)
	// pages follows next from /api/updates: each page's path and body, and
	// every update's date in the order listed.
	pages := func(query string) (paths, bodies, dates []string) {
		for p := "/api/updates" + query; p != ""; {
			r := f.get(p)
			var page struct {
				Updates []UpdateView
				Next    string
			}
			if r.StatusCode != 200 || json.Unmarshal([]byte(r.body), &page) != nil {
				t.Fatalf("%s: %d %s", p, r.StatusCode, r.body)
			}
			if len(page.Updates) == 0 || len(page.Updates) > defaultAPILimit {
				t.Fatalf("%s holds %d updates", p, len(page.Updates))
			}
			paths, bodies = append(paths, p), append(bodies, r.body)
			for _, u := range page.Updates {
				dates = append(dates, u.Date)
			}
			p = strings.TrimPrefix(page.Next, "https://feeds.example.org")
		}
		return paths, bodies, dates
	}
	paths, bodies, _ := pages("")
	dir := t.TempDir()
	if err := Export(context.Background(), f.cfg, f.store, dir); err != nil {
		t.Fatal(err)
	}
	inode := func(p string) uint64 {
		info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(exportName(p))))
		if err != nil {
			t.Fatalf("the export lacks the page %s: %v", p, err)
		}
		return info.Sys().(*syscall.Stat_t).Ino
	}
	var inodes []uint64
	for _, p := range paths {
		inodes = append(inodes, inode(p))
	}
	f.ingest(isw, original(day("2023-01-01").AddDate(0, 0, n).Format(time.DateOnly), "<p>the newest</p>"))
	if err := Export(context.Background(), f.cfg, f.store, dir); err != nil {
		t.Fatal(err)
	}
	newPaths, newBodies, dates := pages("")
	if len(dates) != n+1 || !slices.IsSortedFunc(dates, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Fatalf("paging after the new report lists %d updates, want %d newest first", len(dates), n+1)
	}
	if len(newPaths) != len(paths) {
		t.Fatalf("%d pages before the new report, %d after", len(paths), len(newPaths))
	}
	for i := 2; i < len(paths); i++ {
		if newPaths[i] != paths[i] || newBodies[i] != bodies[i] {
			t.Errorf("page %d changed with a new report: %s, was %s", i+1, newPaths[i], paths[i])
		} else if inode(paths[i]) != inodes[i] {
			t.Errorf("the export rewrote page %d, %s, whose bytes did not change", i+1, paths[i])
		}
	}
	t.Run("one language pages the same way", func(t *testing.T) {
		_, _, all := pages("?limit=7")
		if _, _, de := pages("?lang=en&limit=7"); !slices.Equal(de, all) {
			t.Errorf("lang=en&limit=7 lists %d updates, the listing without lang %d", len(de), len(all))
		}
	})
}

// dailyOriginals stores n of ISW's reports, one a day from 2023-01-01.
func dailyOriginals(f *fixture, n int) {
	f.t.Helper()
	var items []fetch.Item
	start := day("2023-01-01")
	for i := range n {
		items = append(items, original(start.AddDate(0, 0, i).Format(time.DateOnly), "<p>report</p>"))
	}
	f.ingest(isw, items...)
}
