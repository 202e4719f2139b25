package publish

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

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
