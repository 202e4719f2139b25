package publish

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"iswfeed/config"
)

// What a subscriber sees in a feed reader (issue 12): icons, dates, authors,
// discovery.

func TestIconIsAnImageTypeWithoutCharsetAndEveryFeedNamesIt(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	if ct := f.get("/icon.svg").Header.Get("Content-Type"); ct != "image/svg+xml" {
		t.Errorf("/icon.svg is sent as %q; readers such as Miniflux want exactly image/svg+xml", ct)
	}
	icon := "https://feeds.example.org/icon.svg"
	for path, wants := range map[string][]string{
		"/feed.atom":    {"<icon>" + icon + "</icon>", "<logo>" + icon + "</logo>"},
		"/de/feed.atom": {"<icon>" + icon + "</icon>", "<logo>" + icon + "</logo>"},
		"/feed.rss":     {"<image>", "<url>" + icon + "</url>", "<link>https://feeds.example.org/</link>"},
		"/feed.json":    {`"icon": "` + icon + `"`, `"favicon": "` + icon + `"`},
	} {
		body := f.get(path).body
		for _, want := range wants {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s:\n%.600s", path, want, body)
			}
		}
	}
}

func TestEntryIsPublishedWhenItsSourcesFirstPostedIt(t *testing.T) {
	f := newFixture(t, Options{})
	// Ingested today, as after a fresh install or an import: ISW posted it
	// on 29 March 2023 at 23:00 UTC, the translator two days later.
	threeReports(f)
	isw := day("2023-03-29").Add(23 * time.Hour)
	for _, path := range []string{"/feed.atom", "/feed.rss", "/feed.json", "/en/feed.atom", "/archive/2023-02.atom"} {
		feed := parseFeed(t, f.get(path).body)
		it := feed.Items[0]
		want := isw
		if strings.HasPrefix(path, "/archive/") {
			want = day("2023-02-26").Add(23 * time.Hour)
		}
		if it.PublishedParsed == nil || !it.PublishedParsed.Equal(want) {
			t.Errorf("%s: %q published %v, want %v: when its source posted it, not when iswfeed saw it", path, it.Title, it.PublishedParsed, want)
		}
	}
	de := parseFeed(t, f.get("/de/feed.atom").body).Items[0]
	if want := day("2023-03-29").Add(48 * time.Hour); !de.PublishedParsed.Equal(want) {
		t.Errorf("the German entry is published %v, want the translator's %v", de.PublishedParsed, want)
	}
	if page := f.get("/updates/401").body; !strings.Contains(page, "First published 2023-03-29 23:00 UTC") {
		t.Errorf("the update page does not say when the report was first published:\n%s", page)
	}
}

func TestAuthorIsTheSourcesDisplayNameInEveryFormat(t *testing.T) {
	f := newFixture(t, Options{}, func(c *config.Config) {
		c.Sources[0].Title = "Institute for the Study of War"
	})
	it := german(401, "2023-03-29", "<p>Die Lage.</p>")
	it.FeedTitle = "SPARTANAT – Das Magazin"
	f.ingest(isw, original("2023-03-29", "<p>March 29.</p>"))
	f.ingest(spa, it)

	atom := f.get("/feed.atom").body
	for _, want := range []string{"<name>Institute for the Study of War</name>", "<title>Institute for the Study of War</title>"} {
		if !strings.Contains(atom, want) {
			t.Errorf("the merged Atom entry lacks %s (author, atom:source):\n%s", want, atom)
		}
	}
	de := f.get("/de/feed.atom").body
	if !strings.Contains(de, "<name>SPARTANAT – Das Magazin</name>") {
		t.Errorf("without a config title, the German entry's author is not the feed's own title:\n%s", de)
	}
	rss := parseFeed(t, f.get("/de/feed.rss").body)
	if a := rss.Items[0].Authors; len(a) == 0 || a[0].Name != "SPARTANAT – Das Magazin" {
		t.Errorf("RSS item authors %v, want dc:creator with the display name", a)
	}
	var jf struct {
		Items []struct {
			Authors []struct{ Name string } `json:"authors"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(f.get("/feed.json").body), &jf); err != nil {
		t.Fatal(err)
	}
	if a := jf.Items[0].Authors; len(a) == 0 || a[0].Name != "Institute for the Study of War" {
		t.Errorf("JSON Feed authors %v, want the display name", a)
	}
}

func TestIndexAdvertisesEveryFormatOfEveryFeedNamingItsLanguage(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	page := f.get("/").body
	for _, want := range []string{
		`<link rel="alternate" type="application/atom+xml" title="All languages (Atom)" href="/feed.atom">`,
		`<link rel="alternate" type="application/rss+xml" title="All languages (RSS)" href="/feed.rss">`,
		`<link rel="alternate" type="application/feed+json" title="All languages (JSON Feed)" href="/feed.json">`,
		`<link rel="alternate" type="application/rss+xml" title="Deutsch (RSS)" href="/de/feed.rss" hreflang="de">`,
		`<link rel="alternate" type="application/feed+json" title="English (JSON Feed)" href="/en/feed.json" hreflang="en">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("/ does not advertise %s:\n%s", want, page)
		}
	}
}

func TestMergedTitleNeverChangesWhenTheNumberIsLearnedLater(t *testing.T) {
	f := newFixture(t, Options{})
	f.ingest(isw, original("2023-04-01", "<p>April 1 report.</p>"))
	before := parseFeed(t, f.get("/feed.atom").body).Items[0]
	f.ingest(spa, german(404, "2023-04-01", "<p>Die Lage am 1. April.</p>"))
	for _, format := range formats {
		after := parseFeed(t, f.get("/feed."+format).body).Items[0]
		if after.Title != before.Title || after.Title != "Russian Offensive Campaign Assessment, April 1, 2023" {
			t.Errorf("%s: title %q became %q once the number was learned", format, before.Title, after.Title)
		}
		if len(after.Categories) != 1 || after.Categories[0] != "Update 404" {
			t.Errorf("%s: categories %v, want the number", format, after.Categories)
		}
		if content := after.Content + after.Description; !strings.HasPrefix(content, "<p><strong>Update 404</strong> · Versions:") {
			t.Errorf("%s: the content's first line does not give the number:\n%.300s", format, content)
		}
	}
	if de := parseFeed(t, f.get("/de/feed.atom").body).Items[0]; de.Title != "Ukraine: Die Lage 404" {
		t.Errorf("the German feed's title is %q, want the translator's", de.Title)
	}
	if page := f.get("/updates/404").body; !strings.Contains(page, "<h1>Update 404: April 1, 2023</h1>") {
		t.Errorf("the update page does not keep the number in its title:\n%s", page)
	}
}

func TestLanguageFeedsSayEverythingInTheirLanguage(t *testing.T) {
	f := newFixture(t, Options{})
	threeReports(f)
	de := f.get("/de/feed.atom").body
	for _, want := range []string{"Fassungen:", "English (Original)", "Deutsch (unten)",
		"<subtitle>Die Tagesberichte des Institute for the Study of War auf Deutsch.</subtitle>"} {
		if !strings.Contains(de, want) {
			t.Errorf("the German feed lacks %q:\n%s", want, de)
		}
	}
	for _, english := range []string{"Versions:", "(original)", "(below)", "daily reports, one entry"} {
		if strings.Contains(de, english) {
			t.Errorf("the German feed says %q in English", english)
		}
	}
	merged := parseFeed(t, f.get("/feed.atom").body).Items[0].Content
	for _, want := range []string{"Versions:", "English (original, below)", "Deutsch</a>"} {
		if !strings.Contains(merged, want) {
			t.Errorf("the merged feed lacks %q; its labels are English", want)
		}
	}
}

func TestLabelsCoverEveryLanguageWeCarry(t *testing.T) {
	march29 := map[string]string{
		"en": "March 29, 2023", "de": "29. März 2023", "uk": "29 березня 2023",
		"ru": "29 марта 2023", "fr": "29 mars 2023", "pl": "29 marca 2023",
	}
	for lang, want := range march29 {
		t.Run(lang, func(t *testing.T) {
			l, ok := labelsByLang[lang]
			if !ok {
				t.Fatalf("no labels for %s", lang)
			}
			if got := l.date(day("2023-03-29")); got != want {
				t.Errorf("date %q, want %q", got, want)
			}
			for name, s := range map[string]string{"Versions": l.Versions, "Original": l.Original, "Below": l.Below,
				"OriginalAtISW": l.OriginalAtISW, "AllLanguages": l.AllLanguages, "ElseOriginal": l.ElseOriginal,
				"Update": l.update(404), "Report": l.Report, "Subtitle": l.Subtitle, "OrOriginal": l.OrOriginal} {
				if s == "" || strings.Contains(s, "%!") {
					t.Errorf("label %s is %q", name, s)
				}
			}
			if lang != "en" && l.Versions == labelsByLang["en"].Versions && l.Below == labelsByLang["en"].Below {
				t.Errorf("labels of %s are English", lang)
			}
		})
	}
	if labelsFor("de-AT").Versions != "Fassungen:" || labelsFor("xx").Versions != "Versions:" {
		t.Errorf("de-AT does not get German labels, or an unknown language not English")
	}
}

func TestFeedOfALanguageElseTheOriginalSwapsInTheTranslationUnderTheSameID(t *testing.T) {
	f := newFixture(t, Options{}, func(c *config.Config) { c.FeedSize = 2 })
	f.ingest(isw, original("2023-02-26", "<p>February report.</p>"),
		original("2023-03-28", "<p>March 28 report.</p>"), original("2023-03-29", "<p>March 29 report.</p>"))
	f.ingest(spa, german(370, "2023-02-26", "<p>Die Lage im Februar.</p>"))
	before := parseFeed(t, f.get("/de+/feed.atom").body)
	if len(before.Items) != 2 || !strings.Contains(before.Items[0].Content, "March 29 report.") {
		t.Fatalf("before the translation, /de+/feed.atom has the originals: %+v", before.Items)
	}
	nextSecond()
	f.ingest(spa, german(401, "2023-03-29", "<p>Die Lage am 29. März.</p>"))
	body := f.get("/de+/feed.atom").body
	after := parseFeed(t, body)
	if len(after.Items) != 2 {
		t.Fatalf("%d entries after the translation, want the same 2:\n%s", len(after.Items), body)
	}
	b, a := before.Items[0], after.Items[0]
	if a.GUID != b.GUID || a.Title != b.Title || a.Title != "ISW-Lagebericht vom 29. März 2023" {
		t.Errorf("id or title changed: %s %q -> %s %q", b.GUID, b.Title, a.GUID, a.Title)
	}
	if !strings.Contains(a.Content, "Die Lage am 29. März.") || strings.Contains(a.Content, "March 29 report.") {
		t.Errorf("the translation did not replace the original's content:\n%s", a.Content)
	}
	if !a.UpdatedParsed.After(*b.UpdatedParsed) || !a.PublishedParsed.Equal(*b.PublishedParsed) {
		t.Errorf("updated %v -> %v, published %v -> %v: updated moves, published stays", b.Updated, a.Updated, b.Published, a.Published)
	}
	if after.Items[1].GUID != before.Items[1].GUID || !strings.Contains(after.Items[1].Content, "March 28 report.") {
		t.Errorf("the untranslated report changed: %+v", after.Items[1])
	}
	for _, path := range []string{"/de+/feed.rss", "/de+/feed.json", "/archive/de+/2023-02.atom", "/archive/de+/2023-02.json"} {
		if r := f.get(path); r.StatusCode != 200 || !strings.Contains(r.body, "Die Lage") {
			t.Errorf("%s: %d\n%.300s", path, r.StatusCode, r.body)
		}
	}
	if r := f.get("/en+/feed.atom"); r.StatusCode != 404 {
		t.Errorf("/en+/feed.atom: %d; the original's language has the merged feed", r.StatusCode)
	}
	for _, page := range []string{"/", "/status"} {
		if body := html.UnescapeString(f.get(page).body); !strings.Contains(body, `href="/de+/feed.atom"`) || !strings.Contains(body, "Deutsch, else the original") {
			t.Errorf("%s does not link the feed of German else the original:\n%s", page, body)
		}
	}
	dir := t.TempDir()
	if err := Export(context.Background(), f.cfg, f.store, dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"de+/feed.atom", "de+/feed.json", "archive/de+/2023-02.rss"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("export lacks %s: %v", name, err)
		}
	}
}

func TestTheOriginalsAddressIsInEveryFeedPageAndTheAPIBeforeISWsItemArrives(t *testing.T) {
	f := newFixture(t, Options{})
	it := german(401, "2023-03-29", `<p>Die Lage am 29. März.</p><p>Das vollständige <a href="https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023">Russian Offensive Update 401</a> gibt es direkt bei UNDERSTANDING WAR</p>`)
	f.ingest(spa, it)
	var api struct {
		ISWURL string `json:"isw_url"`
	}
	if err := json.Unmarshal([]byte(f.get("/api/updates/401").body), &api); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(api.ISWURL, "understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023") {
		t.Fatalf("/api/updates/401 isw_url = %q, want ISW's page the translation names", api.ISWURL)
	}
	orig := api.ISWURL
	atom := f.get("/feed.atom").body
	if !strings.Contains(atom, `<link href="`+orig+`" rel="related" type="text/html" hreflang="en" title="Original at ISW">`) {
		t.Errorf("the merged Atom entry has no related link to ISW's original:\n%s", atom)
	}
	var jf struct {
		Items []struct {
			ExternalURL string `json:"external_url"`
		} `json:"items"`
	}
	json.Unmarshal([]byte(f.get("/feed.json").body), &jf)
	if len(jf.Items) != 1 || jf.Items[0].ExternalURL != orig {
		t.Errorf("JSON Feed items %+v, want external_url %s", jf.Items, orig)
	}
	if de := parseFeed(t, f.get("/de/feed.atom").body).Items[0].Content; !strings.Contains(de, `hreflang="en" rel="nofollow noreferrer">Original beim ISW</a>`) {
		t.Errorf("the German entry does not link the original in German:\n%s", de)
	}
	for _, page := range []string{"/", "/updates/401"} {
		if body := f.get(page).body; !strings.Contains(body, `href="`+orig+`" hreflang="en" rel="nofollow noreferrer">Original at ISW</a>`) {
			t.Errorf("%s does not link ISW's original:\n%s", page, body)
		}
	}
	f.ingest(isw, original("2023-03-29", "<p>March 29 report.</p>"))
	if atom := f.get("/feed.atom").body; strings.Contains(atom, `title="Original at ISW"`) {
		t.Errorf("with ISW's item in, its address is linked twice, as the original and as ISW's:\n%s", atom)
	}
}

func TestBrowserShowsTheFeedsTheOriginalAndEmbedsAsLinks(t *testing.T) {
	ctx, problems := browser(t)
	f := newFixture(t, Options{})
	threeReports(f)
	placeholder, err := os.ReadFile(filepath.Join("testdata", "embeds", "borlabs2-twitter-de.html"))
	if err != nil {
		t.Fatal(err)
	}
	// A report that only spartanat has so far: its post names ISW's page.
	f.ingest(spa, german(402, "2023-03-30", string(placeholder)+
		`<p>Das vollständige Russian Offensive Update 402 gibt es direkt bei <a href="https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-30-2023">UNDERSTANDING WAR</a>.</p>`))

	if err := chromedp.Do(ctx, chromedp.Navigate(f.web.URL+"/")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	index, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	alternates, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('link[rel=alternate][type]')).map(l => l.type + " " + l.title + " " + l.getAttribute("href"))`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(f.web.URL+"/updates/402")); err != nil {
		t.Fatal(err)
	}
	update, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	iswLinks, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('a')).filter(a => a.textContent == "Original at ISW").map(a => a.href)`))
	if err != nil {
		t.Fatal(err)
	}

	for _, want := range []string{
		"application/atom+xml All languages (Atom) /feed.atom", "application/rss+xml All languages (RSS) /feed.rss",
		"application/feed+json All languages (JSON Feed) /feed.json", "application/rss+xml Deutsch (RSS) /de/feed.rss",
		"application/feed+json Deutsch, else the original (JSON Feed) /de+/feed.json",
	} {
		if !slices.Contains(alternates, want) {
			t.Errorf("/ does not advertise %q; it has %q", want, alternates)
		}
	}
	for _, want := range []string{"Deutsch, else the original: Atom · RSS · JSON Feed", "Original at ISW"} {
		if !strings.Contains(index, want) {
			t.Errorf("the index does not show %q; a person sees:\n%s", want, index)
		}
	}
	for _, want := range []string{"Update 402: March 30, 2023", "First published 2023-04-01 00:00 UTC",
		"https://twitter.com/GeneralStaffUA/status/1641005000000000000"} {
		if !strings.Contains(update, want) {
			t.Errorf("/updates/402 does not show %q; a person sees:\n%s", want, update)
		}
	}
	if strings.Contains(update, "Inhalt laden") || strings.Contains(update, "Datenschutzerklärung") {
		t.Errorf("/updates/402 shows the consent placeholder:\n%s", update)
	}
	if len(iswLinks) != 1 || !strings.Contains(iswLinks[0], "russian-offensive-campaign-assessment-march-30-2023") {
		t.Errorf("/updates/402 links the original as %q", iswLinks)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the pages caused errors:\n%s", strings.Join(p, "\n"))
	}
}
