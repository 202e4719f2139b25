package fetch

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"iswfeed/config"
)

var (
	spartanat = config.Source{Name: "spartanat", URL: "https://www.spartanat.com/feed/", Lang: "de", Role: config.RoleTranslation}
	fetchedAt = time.Date(2023, 3, 31, 12, 0, 0, 0, time.UTC)
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParseWordPressRSS(t *testing.T) {
	p, err := parse(spartanat, fixture(t, "wordpress.rss"), "application/rss+xml; charset=UTF-8", mustURL(t, "https://www.spartanat.com/feed/"), fetchedAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.items) != 3 {
		t.Fatalf("got %d items, want 3", len(p.items))
	}
	first, second, third := p.items[0], p.items[1], p.items[2]
	t.Run("guid is the id", func(t *testing.T) {
		if first.ID != "https://www.spartanat.com/?p=123401" {
			t.Errorf("ID = %q", first.ID)
		}
	})
	t.Run("relative link is resolved against the feed URL", func(t *testing.T) {
		if first.Link != "https://www.spartanat.com/2023/03/ukraine-die-lage-401-29-maerz-2023/" {
			t.Errorf("Link = %q", first.Link)
		}
	})
	t.Run("content:encoded is the content and its relative URLs resolve against the item's link", func(t *testing.T) {
		for _, want := range []string{
			`src="https://www.spartanat.com/wp-content/uploads/2023/03/karte-401.png"`,
			`href="https://www.spartanat.com/2023/03/archiv/"`,
			`href="https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023"`,
		} {
			if !strings.Contains(first.Content, want) {
				t.Errorf("content lacks %s:\n%s", want, first.Content)
			}
		}
	})
	t.Run("pubDate is the published date in UTC", func(t *testing.T) {
		if want := time.Date(2023, 3, 30, 17, 45, 0, 0, time.UTC); !first.Published.Equal(want) || first.Undated {
			t.Errorf("Published = %v (undated %v), want %v", first.Published, first.Undated, want)
		}
	})
	t.Run("item without guid takes its link as id", func(t *testing.T) {
		if second.ID != second.Link || second.ID == "" {
			t.Errorf("ID = %q, Link = %q", second.ID, second.Link)
		}
		if !strings.Contains(second.Content, `href="https://www.spartanat.com/2023/03/karte-400/"`) {
			t.Errorf("description links not absolute: %s", second.Content)
		}
	})
	t.Run("item without guid or link gets a hash id and the fetch time", func(t *testing.T) {
		if !strings.HasPrefix(third.ID, "sha256:") || len(third.ID) != len("sha256:")+64 {
			t.Errorf("ID = %q", third.ID)
		}
		if !third.Published.Equal(fetchedAt) || !third.Undated {
			t.Errorf("Published = %v, Undated = %v", third.Published, third.Undated)
		}
		again, _ := parse(spartanat, fixture(t, "wordpress.rss"), "", mustURL(t, "https://www.spartanat.com/feed/"), fetchedAt.Add(time.Hour))
		if again.items[2].ID != third.ID {
			t.Errorf("hash id changed between polls: %q then %q", third.ID, again.items[2].ID)
		}
	})
	t.Run("source name and language are carried", func(t *testing.T) {
		if first.Source != "spartanat" || first.Lang != "de" {
			t.Errorf("Source, Lang = %q, %q", first.Source, first.Lang)
		}
	})
	t.Run("ttl is read", func(t *testing.T) {
		if p.ttl != 3*time.Hour {
			t.Errorf("ttl = %v, want 3h", p.ttl)
		}
	})
}

func TestParseAtomXMLBase(t *testing.T) {
	items, err := Parse(spartanat, fixture(t, "xmlbase.atom"), "application/atom+xml", mustURL(t, "https://mirror.example.net/feeds/uk.atom"), fetchedAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("got %d items", len(items))
	}
	tests := []struct{ name, got, want string }{
		{"entry link resolves against the feed's xml:base", items[0].Link, "https://translations.example.org/uk/reports/401/"},
		{"entry link resolves against the entry's own relative xml:base", items[1].Link, "https://translations.example.org/archive/2023/400.html"},
		{"title stays UTF-8", items[0].Title, "Звіт ISW №401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	t.Run("relative URLs in content resolve against xml:base", func(t *testing.T) {
		for _, want := range []string{`href="https://translations.example.org/uk/reports/400/"`, `src="https://translations.example.org/img/401.png"`} {
			if !strings.Contains(items[0].Content, want) {
				t.Errorf("content lacks %s: %s", want, items[0].Content)
			}
		}
	})
	t.Run("published falls back to updated only when missing", func(t *testing.T) {
		if !items[0].Published.Equal(time.Date(2023, 3, 31, 8, 0, 0, 0, time.UTC)) {
			t.Errorf("first Published = %v", items[0].Published)
		}
		if !items[1].Published.Equal(time.Date(2023, 3, 30, 8, 0, 0, 0, time.UTC)) {
			t.Errorf("second Published = %v", items[1].Published)
		}
	})
}

func TestParseMessyBodies(t *testing.T) {
	rss := string(fixture(t, "wordpress.rss"))
	base := mustURL(t, "https://www.spartanat.com/feed/")
	tests := []struct {
		name        string
		body        []byte
		contentType string
		wantTitle   string
		wantErr     error
	}{
		{name: "UTF-8 BOM with leading whitespace is parsed", body: []byte("\n \xEF\xBB\xBF\n  " + rss), wantTitle: "Ukraine: Die Lage 401"},
		{name: "control characters in titles are dropped", body: []byte(strings.Replace(rss, "Die Lage 401", "Die\x01 Lage\x0b 401\x7f", 1)), wantTitle: "Die Lage 401"},
		{name: "control characters as character references are dropped", body: []byte(strings.Replace(rss, "Die Lage 401", "Die&#1; Lage 401", 1)), wantTitle: "Ukraine: Die Lage 401"},
		{name: "windows-1251 declared in the prolog becomes UTF-8", body: fixture(t, "windows-1251.rss"), contentType: "application/rss+xml", wantTitle: "Отчёт ISW за 29 марта 2023 года"},
		{name: "ISO-8859-1 declared in the prolog becomes UTF-8", body: fixture(t, "iso-8859-1.rss"), contentType: "text/xml; charset=utf-8", wantTitle: "Ukraine: Die Lage 401 - 29. März 2023"},
		{name: "windows-1251 named only in Content-Type becomes UTF-8", body: []byte(strings.Replace(string(fixture(t, "windows-1251.rss")), ` encoding="windows-1251"`, "", 1)), contentType: "application/rss+xml; charset=windows-1251", wantTitle: "Отчёт ISW за 29 марта 2023 года"},
		{name: "valid RSS served as text/html is parsed", body: []byte(rss), contentType: "text/html; charset=UTF-8", wantTitle: "Ukraine: Die Lage 401"},
		{name: "empty body is ErrEmpty", body: []byte(" \n"), wantErr: ErrEmpty},
		{name: "HTML page is ErrNotFeed", body: fixture(t, "page.html"), contentType: "text/html", wantErr: ErrNotFeed},
		{name: "plain text is ErrNotFeed", body: []byte("Service temporarily unavailable"), wantErr: ErrNotFeed},
		{name: "truncated XML is ErrParse", body: fixture(t, "truncated.rss"), wantErr: ErrParse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse(spartanat, tt.body, tt.contentType, base, fetchedAt)
			if tt.wantErr != nil {
				wantErr(t, err, tt.wantErr)
				if !strings.HasPrefix(err.Error(), "fetch: spartanat: ") {
					t.Errorf("message %q does not name the source", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(items) == 0 {
				t.Fatal("no items")
			}
			if !strings.Contains(items[0].Title, tt.wantTitle) {
				t.Errorf("title = %q, want %q", items[0].Title, tt.wantTitle)
			}
		})
	}
}

func TestParseBillionLaughsDoesNotExpand(t *testing.T) {
	start := time.Now()
	items, err := Parse(spartanat, fixture(t, "billion-laughs.xml"), "application/rss+xml", mustURL(t, "https://evil.example/"), fetchedAt)
	if time.Since(start) > 2*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}
	if err != nil {
		return // refusing the document is as good as not expanding it
	}
	for _, it := range items {
		if len(it.Title)+len(it.Content) > 1000 {
			t.Fatalf("entities were expanded: title of %d bytes", len(it.Title))
		}
	}
}

func TestParseHostileBodiesEndQuickly(t *testing.T) {
	base := mustURL(t, "https://www.spartanat.com/feed/")
	rep := strings.Repeat
	tests := []struct {
		name      string
		body      string
		wantErr   error // nil: the feed parses and its first title is wantTitle
		wantTitle string
	}{
		{name: "extension elements nested a million deep are ErrParse, not a stack overflow",
			body: `<rss xmlns:x="urn:x"><channel><item>` + rep("<x:a>", 1_000_000) + rep("</x:a>", 1_000_000) + "</item></channel></rss>", wantErr: ErrParse},
		{name: "unclosed elements nested a million deep are ErrParse",
			body: "<rss><channel>" + rep("<a>", 1_000_000), wantErr: ErrParse},
		{name: "thousands of namespace declarations over a million elements are ErrParse, not hours of copying",
			body: "<rss><channel" + namespaces(10_000) + ">" + rep("<a/>", 1_000_000) + "</channel></rss>", wantErr: ErrParse},
		{name: "a million sibling elements are ErrParse",
			body: "<rss><channel>" + rep("<a/>", 1_000_000) + "</channel></rss>", wantErr: ErrParse},
		{name: "a long xml:base over many links is ErrParse, not gigabytes of URLs",
			body: `<feed xmlns="http://www.w3.org/2005/Atom"><entry xml:base="https://a.example/` + rep("b", 4096) + `/">` + rep(`<link href="x"/>`, 600_000) + "</entry></feed>", wantErr: ErrParse},
		{name: "xml:base nested deep is ErrParse",
			body: "<rss><channel>" + rep(`<a xml:base="b/">`, 500_000) + "</channel></rss>", wantErr: ErrParse},
		{name: "unterminated comment is ErrParse", body: "<rss><channel><!-- " + rep("a", 64<<10), wantErr: ErrParse},
		{name: "unterminated CDATA is ErrParse", body: "<rss><channel><item><description><![CDATA[" + rep("a", 64<<10), wantErr: ErrParse},
		{name: "unterminated processing instruction is ErrParse", body: "<rss><channel><?x " + rep("a", 64<<10), wantErr: ErrParse},
		{name: "a mebibyte of < is ErrNotFeed", body: rep("<", 1<<20), wantErr: ErrNotFeed},
		{name: "a DOCTYPE whose internal subset hides the root is ErrNotFeed",
			body: `<?xml version="1.0"?><!DOCTYPE rss [` + rep(`<!ENTITY a "b">`, 100_000) + `]><rss/>`, wantErr: ErrNotFeed},
		{name: "invalid UTF-8 in element names is ErrParse",
			body: "<rss><channel><item>" + rep("<\xff\xc3 \xfe='\x80'/>", 100_000) + "</item></channel></rss>", wantErr: ErrParse},
		{name: "an unknown charset in the XML declaration of a UTF-8 body is UTF-8",
			body: `<?xml version="1.0" encoding="x-bogus"?><rss><channel><item><title>t</title></item></channel></rss>`, wantTitle: "t"},
		{name: "JSON Feed nested a million deep is ErrParse",
			body: `{"version":"https://jsonfeed.org/version/1.1","items":[` + rep("[", 1<<20), wantErr: ErrParse},
		{name: "8 MB of nested HTML tags in an RSS item's content parses",
			body: `<rss><channel><item><title>Ukraine</title><description><![CDATA[` + heavyHTML(8<<20) + `]]></description></item></channel></rss>`, wantTitle: "Ukraine"},
		{name: "8 MB of nested HTML tags in a JSON Feed item's content parses",
			body: `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"Ukraine","content_html":"` + heavyHTML(8<<20) + `"}]}`, wantTitle: "Ukraine"},
		{name: "8 MB of nested HTML tags in an Atom html text is ErrParse, not gigabytes of HTML tree",
			body: `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/"><entry><title>Ukraine</title><content type="html"><![CDATA[` + heavyHTML(8<<20) + `]]></content></entry></feed>`, wantErr: ErrParse},
		{name: "a JSON Feed of 900,000 items parses",
			body: `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"Ukraine"}` + rep(`,{"id":"1"}`, 900_000) + "]}", wantTitle: "Ukraine"},
		{name: "a JSON Feed item of 3 million authors is ErrParse",
			body: `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","authors":[{}` + rep(`,{}`, 3_000_000) + "]}]}", wantErr: ErrParse},
		{name: "a feed at the bounds (32 namespaces, 100 levels, a 922-byte xml:base) still parses",
			body: string(fixture(t, "at-the-bounds.rss")), wantTitle: "Ukraine: Die Lage 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := parseWithin(t, 5*time.Second, []byte(tt.body), "application/rss+xml", base)
			if tt.wantErr != nil {
				wantErr(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(items) == 0 || !strings.Contains(items[0].Title, tt.wantTitle) {
				t.Fatalf("got %d items, want the first titled %q", len(items), tt.wantTitle)
			}
		})
	}
}

func TestParseCutsFeedsToBounds(t *testing.T) {
	base := mustURL(t, "https://www.spartanat.com/feed/")
	rssItems := func(n int, content string) []byte {
		return []byte(`<rss><channel>` + strings.Repeat(`<item><title>Lage</title><description><![CDATA[`+content+`]]></description></item>`, n) + `</channel></rss>`)
	}
	jsonItems := func(n int) []byte {
		return []byte(`{"version":"https://jsonfeed.org/version/1.1","Items":[{"id":"1"}` + strings.Repeat(`,{"id":"1"}`, n-1) + `]}`)
	}
	tests := []struct {
		name             string
		body             []byte
		wantItems        int
		wantDropped      int
		wantContentBytes int // of the first item, before URLs are made absolute
		wantTruncated    int
	}{
		{"an RSS feed of 10,001 items keeps the first 10,000", rssItems(10_001, "x"), 10_000, 1, 1, 0},
		{"a JSON Feed of 12,000 items keeps the first 10,000", jsonItems(12_000), 10_000, 2_000, 0, 0},
		{"content of 2 MiB is kept whole", rssItems(2, strings.Repeat("x", maxContentBytes)), 2, 0, maxContentBytes, 0},
		{"content over 2 MiB is cut before the character that crosses the bound", rssItems(2, strings.Repeat("x", maxContentBytes-1)+"ä"), 2, 0, maxContentBytes - 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parse(spartanat, tt.body, "", base, fetchedAt)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.items) != tt.wantItems || p.dropped != tt.wantDropped || p.truncated != tt.wantTruncated {
				t.Fatalf("got %d items, %d dropped, %d truncated; want %d, %d, %d", len(p.items), p.dropped, p.truncated, tt.wantItems, tt.wantDropped, tt.wantTruncated)
			}
			first := p.items[0]
			if len(first.Content) != tt.wantContentBytes || !utf8Valid(first.Content) || first.Truncated != (tt.wantTruncated > 0) {
				t.Errorf("content of %d bytes (valid UTF-8 %v, truncated %v), want %d", len(first.Content), utf8Valid(first.Content), first.Truncated, tt.wantContentBytes)
			}
		})
	}
}

// namespaces returns n namespace declarations for a start tag.
func namespaces(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, ` xmlns:p%d="urn:p%d"`, i, i)
	}
	return b.String()
}

func BenchmarkParse(b *testing.B) {
	body := fixture(b, "wordpress.rss")
	base := mustURL(b, "https://www.spartanat.com/feed/")
	for b.Loop() {
		if _, err := Parse(spartanat, body, "", base, fetchedAt); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParse runs each input under a deadline, so an input that makes parsing
// hang is saved as a failure. Each run takes about a millisecond and the
// fuzzer minimises every new input for up to -fuzzminimizetime (60s), during
// which it reports 0 execs/sec; run it with -fuzzminimizetime=5s.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"wordpress.rss", "xmlbase.atom", "windows-1251.rss", "iso-8859-1.rss", "truncated.rss", "billion-laughs.xml", "page.html"} {
		f.Add(fixture(f, name))
	}
	for _, body := range xssFeeds(f) {
		f.Add(body)
	}
	base := mustURL(f, "https://www.spartanat.com/feed/")
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := parseWithin(t, 2*time.Second, body, "", base)
		if err != nil {
			return
		}
		for _, it := range items {
			if it.ID == "" || it.Published.IsZero() {
				t.Fatalf("item without id or date: %+v", it)
			}
			if strings.IndexFunc(it.Title, config.IsControl) >= 0 || !utf8Valid(it.Title) {
				t.Fatalf("title not clean UTF-8: %q", it.Title)
			}
			if len(it.Title) > maxTitleBytes || len(it.Author) > maxAuthorBytes || strings.ContainsAny(it.Title+it.Author, "\r\n\t") {
				t.Fatalf("title or author not one capped line: %.200q, %.200q", it.Title, it.Author)
			}
			if it.Link != "" && (httpLink(nil, it.Link) != it.Link) {
				t.Fatalf("link %.200q is not an http(s) link that passes its own check again", it.Link)
			}
		}
	})
}

// parseWithin parses body and fails the test, naming the input, if that takes
// longer than limit (longer under the race detector): a parse that never
// returns would wedge a source's poll.
func parseWithin(t *testing.T, limit time.Duration, body []byte, contentType string, base *url.URL) ([]Item, error) {
	t.Helper()
	limit *= raceSlowdown
	type result struct {
		items []Item
		err   error
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		items, err := Parse(spartanat, body, contentType, base, fetchedAt)
		done <- result{items, err}
	}()
	select {
	case r := <-done:
		return r.items, r.err
	case <-time.After(limit):
		t.Fatalf("parse of %d bytes still running after %v; input begins %q", len(body), time.Since(start), body[:min(len(body), 200)])
		return nil, nil
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }
