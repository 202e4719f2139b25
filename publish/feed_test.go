package publish

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"iswfeed/config"
)

func parseFeed(t *testing.T, body string) *gofeed.Feed {
	t.Helper()
	feed, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("feed does not parse: %v\n%s", err, body)
	}
	return feed
}

// nextSecond waits until the wall clock enters a new second, so that a
// change shows in second-precision timestamps.
func nextSecond() {
	now := time.Now()
	time.Sleep(now.Truncate(time.Second).Add(time.Second).Sub(now))
}

func TestTranslationArrivingAfterOriginalKeepsEntryIDAndMovesUpdated(t *testing.T) {
	f := newFixture(t, Options{})
	f.ingest(isw, original("2023-03-29", "<p>March 29 report.</p>"))
	before := parseFeed(t, f.get("/feed.atom").body)
	if len(before.Items) != 1 {
		t.Fatalf("%d entries before the translation, want 1", len(before.Items))
	}
	nextSecond()
	f.ingest(spa, german(401, "2023-03-29", "<p>Die Lage am 29. März.</p>"))
	body := f.get("/feed.atom").body
	after := parseFeed(t, body)
	if len(after.Items) != 1 {
		t.Fatalf("translation made %d entries, want the one entry of update 401:\n%s", len(after.Items), body)
	}
	b, a := before.Items[0], after.Items[0]
	if a.GUID != b.GUID {
		t.Errorf("entry id changed from %s to %s", b.GUID, a.GUID)
	}
	if !a.UpdatedParsed.After(*b.UpdatedParsed) {
		t.Errorf("updated did not move: %v -> %v", b.Updated, a.Updated)
	}
	if !a.PublishedParsed.Equal(*b.PublishedParsed) {
		t.Errorf("published moved: %v -> %v; it is when the report was first seen", b.Published, a.Published)
	}
	if a.Title != b.Title || a.Title != "Russian Offensive Campaign Assessment, March 29, 2023" {
		t.Errorf("title %q became %q; it names the report's date and never changes", b.Title, a.Title)
	}
	if len(a.Categories) != 1 || a.Categories[0] != "Update 401" || !strings.Contains(a.Content, "<strong>Update 401</strong>") {
		t.Errorf("the number is not a category and the content's first line: %v\n%s", a.Categories, a.Content)
	}
	if !strings.Contains(a.Content, "March 29 report.") {
		t.Errorf("content is not the original's: %q", a.Content)
	}
	if !strings.Contains(body, `hreflang="de"`) || !strings.Contains(body, `hreflang="en"`) {
		t.Errorf("entry lacks an alternate per language:\n%s", body)
	}
}

func TestTranslationStandsInUntilTheOriginalArrives(t *testing.T) {
	f := newFixture(t, Options{})
	f.ingest(spa, german(401, "2023-03-29", "<p>Die Lage am 29. März.</p>"))
	first := parseFeed(t, f.get("/feed.atom").body)
	if len(first.Items) != 1 || !strings.Contains(first.Items[0].Content, "Die Lage am 29. März.") {
		t.Fatalf("before the original, the entry shows the translation: %+v", first.Items)
	}
	f.ingest(isw, original("2023-03-29", "<p>March 29 report.</p>"))
	then := parseFeed(t, f.get("/feed.atom").body)
	if len(then.Items) != 1 || then.Items[0].GUID != first.Items[0].GUID {
		t.Fatalf("the original made a second entry or a new id: %+v", then.Items)
	}
	if !strings.Contains(then.Items[0].Content, "March 29 report.") {
		t.Errorf("once the original is seen, the entry shows it: %q", then.Items[0].Content)
	}
}

func TestMergedFeedHoldsTheLatestFeedSizeReportsNewestFirst(t *testing.T) {
	f := newFixture(t, Options{}, func(c *config.Config) { c.FeedSize = 2 })
	f.ingest(isw, original("2023-01-30", "<p>a</p>"), original("2023-02-26", "<p>b</p>"),
		original("2023-02-27", "<p>c</p>"), original("2023-02-28", "<p>d</p>"))
	for _, format := range formats {
		feed := parseFeed(t, f.get("/feed."+format).body)
		var got []string
		for _, it := range feed.Items {
			got = append(got, it.Title)
		}
		// February is the open month, so all of it stays in the current feed.
		want := []string{"Russian Offensive Campaign Assessment, February 28, 2023", "Russian Offensive Campaign Assessment, February 27, 2023", "Russian Offensive Campaign Assessment, February 26, 2023"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: entries %q, want %q", format, got, want)
		}
	}
}

func TestFeedLevelLinks(t *testing.T) {
	f := newFixture(t, Options{}, func(c *config.Config) { c.Hubs = []string{"https://hub.example.org/"} })
	threeReports(f)
	atom := f.get("/feed.atom").body
	for _, want := range []string{
		`<link href="https://feeds.example.org/feed.atom" rel="self" type="application/atom+xml">`,
		`<link href="https://feeds.example.org/" rel="alternate" type="text/html">`,
		`<link href="https://hub.example.org/" rel="hub">`,
		`<link href="https://feeds.example.org/archive/2023-02.atom" rel="prev-archive"`,
		`<generator uri="https://feeds.example.org/">iswfeed</generator>`,
		`<icon>https://feeds.example.org/icon.svg</icon>`,
		`<subtitle>`, `xml:lang="en"`, `<source>`,
	} {
		if !strings.Contains(atom, want) {
			t.Errorf("feed.atom lacks %s", want)
		}
	}
	rss := f.get("/feed.rss").body
	for _, want := range []string{
		`xmlns:atom="http://www.w3.org/2005/Atom"`,
		`<atom:link href="https://feeds.example.org/feed.rss" rel="self" type="application/rss+xml">`,
		`<atom:link href="https://hub.example.org/" rel="hub">`,
		`<language>en</language>`, `<generator>iswfeed</generator>`,
		`<guid isPermaLink="false">urn:iswfeed:russian-offensive:2023-03-29</guid>`,
		`<source url="https://www.understandingwar.org/feed/">isw</source>`,
	} {
		if !strings.Contains(rss, want) {
			t.Errorf("feed.rss lacks %s", want)
		}
	}
	var jf struct {
		Version, Language, FeedURL string
		Hubs                       []struct{ Type, URL string }
		Items                      []struct {
			ID       string
			Language string
			Authors  []struct{ Name string }
			Ext      struct {
				Number   int
				Variants []struct{ Lang, URL string }
			} `json:"_iswfeed"`
		}
	}
	if err := json.Unmarshal([]byte(f.get("/feed.json").body), &jf); err != nil {
		t.Fatal(err)
	}
	if jf.Version != "https://jsonfeed.org/version/1.1" || jf.Language != "en" || len(jf.Hubs) != 1 {
		t.Errorf("feed.json top level: %+v", jf)
	}
	if it := jf.Items[0]; it.Ext.Number != 401 || len(it.Ext.Variants) != 2 || it.Language != "en" || len(it.Authors) != 1 {
		t.Errorf("feed.json first item: %+v", it)
	}
}

func TestLanguageFeedHasThatLanguagesContentAndALinkToTheOriginal(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	for _, format := range formats {
		r := f.get("/de/feed." + format)
		if r.StatusCode != 200 {
			t.Fatalf("/de/feed.%s: %d", format, r.StatusCode)
		}
		feed := parseFeed(t, r.body)
		if len(feed.Items) != 1 {
			t.Fatalf("/de/feed.%s has %d entries, want the one German translation", format, len(feed.Items))
		}
		it := feed.Items[0]
		if it.Title != "Ukraine: Die Lage 401" || !strings.Contains(it.Content+it.Description, "Die Lage am 29. März.") {
			t.Errorf("/de/feed.%s entry: %q %q", format, it.Title, it.Content)
		}
		if !strings.Contains(r.body, "russian-offensive-campaign-assessment-march-29-2023") {
			t.Errorf("/de/feed.%s does not link the original", format)
		}
		if feed.Language != "de" {
			t.Errorf("/de/feed.%s language = %q", format, feed.Language)
		}
	}
}

func TestUnknownLanguageIs404ListingTheLanguages(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	r := f.get("/fr/feed.atom")
	if r.StatusCode != 404 || !strings.Contains(r.body, "en, de") {
		t.Errorf("/fr/feed.atom: %d %q, want 404 naming en, de", r.StatusCode, r.body)
	}
	if r := f.get("/de/nothing.atom"); r.StatusCode != 404 {
		t.Errorf("/de/nothing.atom: %d", r.StatusCode)
	}
}

func TestArchives(t *testing.T) {
	f := newFixture(t, Options{})
	f.ingest(isw, original("2023-01-30", "<p>January.</p>"), original("2023-02-26", "<p>February.</p>"),
		original("2023-03-28", "<p>March 28.</p>"), original("2023-03-29", "<p>March 29.</p>"))
	current := f.get("/feed.atom").body
	if !strings.Contains(current, `href="https://feeds.example.org/archive/2023-02.atom" rel="prev-archive"`) {
		t.Fatalf("current feed lacks prev-archive to February:\n%s", current)
	}
	feb := f.get("/archive/2023-02.atom")
	if feb.StatusCode != 200 {
		t.Fatalf("/archive/2023-02.atom: %d %s", feb.StatusCode, feb.body)
	}
	for _, want := range []string{
		`xmlns:fh="http://purl.org/syndication/history/1.0"`, `<fh:archive></fh:archive>`,
		`href="https://feeds.example.org/feed.atom" rel="current"`,
		`href="https://feeds.example.org/archive/2023-01.atom" rel="prev-archive"`,
		`href="https://feeds.example.org/archive/2023-02.atom" rel="self"`,
		"Russian Offensive Campaign Assessment, February 26, 2023",
	} {
		if !strings.Contains(feb.body, want) {
			t.Errorf("February archive lacks %s", want)
		}
	}
	jan := f.get("/archive/2023-01.atom").body
	if !strings.Contains(jan, `href="https://feeds.example.org/archive/2023-02.atom" rel="next-archive"`) || strings.Contains(jan, "prev-archive") {
		t.Errorf("January archive: want next-archive to February and no prev-archive:\n%s", jan)
	}
	for _, p := range []string{"/archive/2023-02.rss", "/archive/2023-02.json", "/archive/en/2023-02.atom"} {
		if r := f.get(p); r.StatusCode != 200 || !strings.Contains(r.body, "February 26, 2023") {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
	for path, code := range map[string]int{
		"/archive/2023-03.atom":    404, // the open month lives in the current feed
		"/archive/2022-12.atom":    404,
		"/archive/2023-02.html":    404,
		"/archive/march.atom":      404,
		"/archive/fr/2023-02.atom": 404,
	} {
		if r := f.get(path); r.StatusCode != code {
			t.Errorf("%s: %d, want %d", path, r.StatusCode, code)
		}
	}

	t.Run("an archive's bytes stay the same when another month changes", func(t *testing.T) {
		nextSecond()
		f.ingest(spa, german(401, "2023-03-29", "<p>Die Lage.</p>"))
		again := f.get("/archive/2023-02.atom")
		if again.body != feb.body || again.Header.Get("ETag") != feb.Header.Get("ETag") ||
			again.Header.Get("Last-Modified") != feb.Header.Get("Last-Modified") {
			t.Errorf("February archive changed after a March translation")
		}
	})
	t.Run("a new month archives the previous one", func(t *testing.T) {
		f.ingest(isw, original("2023-04-01", "<p>April.</p>"))
		if r := f.get("/archive/2023-03.atom"); r.StatusCode != 200 || !strings.Contains(r.body, "March 29, 2023") {
			t.Errorf("/archive/2023-03.atom after April's first report: %d", r.StatusCode)
		}
		if !strings.Contains(f.get("/feed.atom").body, `archive/2023-03.atom" rel="prev-archive"`) {
			t.Errorf("current feed's prev-archive does not point to March")
		}
	})
}

func TestSanitisation(t *testing.T) {
	cases := []struct {
		name, html string
		banned     []string
		want       string
	}{
		{"script is removed", `<p>a</p><script>alert(1)</script>`, []string{"<script", "alert(1)"}, "<p>a</p>"},
		{"event handler is removed", `<img src="https://x.org/a.png" onerror="alert(1)">`, []string{"onerror"}, `src="https://x.org/a.png"`},
		{"javascript: URL is removed", `<a href="javascript:alert(1)">x</a>`, []string{"javascript:"}, "x"},
		{"iframe is removed", `<iframe src="https://evil.example/"></iframe><p>b</p>`, []string{"<iframe", "evil.example"}, "<p>b</p>"},
		{"style expression is removed", `<p style="width: expression(alert(1))">c</p><style>p{x:expression(alert(2))}</style>`, []string{"expression", "style="}, "<p>c</p>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, Options{})
			f.ingest(isw, original("2023-03-29", c.html))
			for _, p := range []string{"/feed.atom", "/feed.rss", "/feed.json", "/en/feed.atom", "/updates/russian-offensive/2023-03-29", "/api/updates/russian-offensive/2023-03-29"} {
				body := f.get(p).body
				content := body
				if strings.HasSuffix(p, ".atom") || strings.HasSuffix(p, ".rss") || strings.HasSuffix(p, ".json") {
					feed := parseFeed(t, body)
					content = feed.Items[0].Content + feed.Items[0].Description
				}
				if strings.HasPrefix(p, "/api/") {
					var u UpdateView
					json.Unmarshal([]byte(body), &u)
					content = u.Variants[0].ContentHTML
				}
				for _, b := range c.banned {
					if strings.Contains(content, b) {
						t.Errorf("%s contains %q:\n%s", p, b, content)
					}
				}
				if !strings.Contains(content, c.want) {
					t.Errorf("%s lacks %q:\n%s", p, c.want, content)
				}
			}
		})
	}
}

func TestTitlesArePlainText(t *testing.T) {
	f := newFixture(t, Options{})
	it := german(401, "2023-03-29", "<p>x</p>")
	it.Title = `Ukraine: Die Lage 401 <script>alert(1)</script><b>fett</b> & mehr`
	f.ingest(spa, it)
	feed := parseFeed(t, f.get("/de/feed.atom").body)
	if got := feed.Items[0].Title; got != "Ukraine: Die Lage 401 fett & mehr" {
		t.Errorf("title = %q", got)
	}
}
