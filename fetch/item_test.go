package fetch

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"testing"
)

// rssItem is a one-item RSS feed; fields are XML-escaped by the caller.
func rssItem(title, link, author, content string) []byte {
	return fmt.Appendf(nil, `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>
<item><title>%s</title><link>%s</link><dc:creator>%s</dc:creator><guid>g1</guid><description>%s</description></item></channel></rss>`,
		title, link, author, content)
}

func TestItemLinksAreHTTPOnly(t *testing.T) {
	base := mustURL(t, "https://www.spartanat.com/feed/")
	tests := []struct{ name, link, want string }{
		{"an https link is kept", "https://www.spartanat.com/2023/03/lage-401/", "https://www.spartanat.com/2023/03/lage-401/"},
		{"a relative link resolves against the feed", "/2023/03/lage-401/", "https://www.spartanat.com/2023/03/lage-401/"},
		{"javascript: is no link", "javascript:alert(1)", ""},
		{"JavaScript: in any case is no link", " JaVaScRiPt:alert(1)", ""},
		{"an entity-encoded javascript: is a harmless relative link", "javascript&amp;#58;alert(1)", "https://www.spartanat.com/feed/javascript&#58;alert(1)"},
		{"data: is no link", "data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;", ""},
		{"vbscript: is no link", "vbscript:msgbox(1)", ""},
		{"a tab inside the scheme is no link", "java&#9;script:alert(1)", ""},
		{"ftp: is no link", "ftp://www.spartanat.com/file", ""},
		{"a scheme without a host is no link", "http:foo", ""},
		{"user-info is dropped", "https://user:pw@www.spartanat.com/x", "https://www.spartanat.com/x"},
		{"a link past 2 KiB is no link", "https://www.spartanat.com/" + strings.Repeat("a", maxURLBytes), ""},
		{"quotes, spaces and angle brackets in the query are escaped", `https://www.spartanat.com/?q=&lt;img src="x"&gt;'`, "https://www.spartanat.com/?q=%3Cimg%20src=%22x%22%3E%27"},
		{"quotes and angle brackets are escaped", `https://www.spartanat.com/"&gt;&lt;script&gt;`, "https://www.spartanat.com/%22%3E%3Cscript%3E"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse(spartanat, rssItem("Die Lage 401", tt.link, "a", "c"), "", base, fetchedAt)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 {
				t.Fatalf("the item was not kept: %d items", len(items))
			}
			if got := items[0].Link; got != tt.want {
				t.Errorf("Link = %q, want %q", got, tt.want)
			}
			if items[0].ID != "g1" {
				t.Errorf("ID = %q, want the guid", items[0].ID)
			}
		})
	}
}

func TestTitlesAndAuthorsAreOneCappedLine(t *testing.T) {
	base := mustURL(t, "https://www.spartanat.com/feed/")
	tests := []struct{ name, title, author, wantTitle, wantAuthor string }{
		{"line breaks and tabs fold to one space", "Ukraine:\r\n\tDie Lage\r401", "Redaktion\nSPARTANAT", "Ukraine: Die Lage 401", "Redaktion SPARTANAT"},
		{"DEL, C1 controls (CSI among them) and line separators fold too", "Die&#127;Lage\u009b401&#x2028;x", "a\u0085b", "Die Lage 401 x", "a b"},
		{"a 5 MB title is cut to 1 KiB", strings.Repeat("Lage ", 1<<20), "a", strings.TrimSpace(strings.Repeat("Lage ", 1<<20)[:maxTitleBytes]), "a"},
		{"a long author is cut to 256 bytes", "t", strings.Repeat("ж", 1000), "t", strings.Repeat("ж", maxAuthorBytes/2)},
		{"a cut never splits a character", strings.Repeat("ж", 600), "a", strings.Repeat("ж", maxTitleBytes/2), "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := Parse(spartanat, rssItem(tt.title, "/x", tt.author, "c"), "", base, fetchedAt)
			if err != nil {
				t.Fatal(err)
			}
			it := items[0]
			if it.Title != tt.wantTitle {
				t.Errorf("Title = %.80q (%d bytes), want %.80q (%d bytes)", it.Title, len(it.Title), tt.wantTitle, len(tt.wantTitle))
			}
			if it.Author != tt.wantAuthor {
				t.Errorf("Author = %.80q, want %.80q", it.Author, tt.wantAuthor)
			}
		})
	}
}

func TestLongGUIDBecomesAHash(t *testing.T) {
	feed := strings.Replace(string(rssItem("t", "/x", "a", "c")), "<guid>g1</guid>", "<guid>"+strings.Repeat("g", 1<<20)+"</guid>", 1)
	items, err := Parse(spartanat, []byte(feed), "", mustURL(t, "https://www.spartanat.com/feed/"), fetchedAt)
	if err != nil {
		t.Fatal(err)
	}
	if id := items[0].ID; !strings.HasPrefix(id, "sha256:") || len(id) > maxIDBytes {
		t.Errorf("ID = %.80q", id)
	}
}

func TestContentResolvesAgainstXMLBaseThenItemLinkThenFeed(t *testing.T) {
	feedURL := mustURL(t, "https://user:secret@feeds.example.net/de/feed?token=x")
	atom := `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry xml:base="https://base.example.org/dir/"><id>1</id><title>a</title><link href="https://articles.example.org/2023/401/"/>
<content type="html">&lt;img src="a.png"&gt;</content></entry>
<entry><id>2</id><title>b</title><link href="https://articles.example.org/2023/400/"/>
<content type="html">&lt;img src="b.png" srcset="b2.png 2x"&gt;&lt;a href="?p=2"&gt;x&lt;/a&gt;</content></entry>
<entry><id>3</id><title>c</title><content type="html">&lt;img src="c.png"&gt;&lt;a href="#top"&gt;x&lt;/a&gt;&lt;a href="?p=3"&gt;x&lt;/a&gt;</content></entry>
</feed>`
	items, err := Parse(spartanat, []byte(atom), "", feedURL, fetchedAt)
	if err != nil {
		t.Fatal(err)
	}
	wants := [][]string{
		{`src="https://base.example.org/dir/a.png"`},
		{`src="https://articles.example.org/2023/400/b.png"`, `srcset="https://articles.example.org/2023/400/b2.png 2x"`, `href="https://articles.example.org/2023/400/?p=2"`},
		{`src="https://feeds.example.net/de/c.png"`, `href="https://feeds.example.net/de/feed#top"`, `href="https://feeds.example.net/de/feed?p=3"`},
	}
	for i, it := range items {
		for _, want := range wants[i] {
			if !strings.Contains(it.Content, want) {
				t.Errorf("item %d: content lacks %s:\n%s", i+1, want, it.Content)
			}
		}
		for _, secret := range []string{"secret", "token", "user"} {
			if strings.Contains(it.Content+it.Link+it.ID, secret) {
				t.Errorf("item %d carries the feed URL's %q: %s %s", i+1, secret, it.Link, it.Content)
			}
		}
	}
}

// xssFeeds wraps each vector of the XSS corpus (testdata/xss.txt, which
// publish's tests also place in every field) in a one-item RSS and a
// one-entry Atom feed, as seeds for FuzzParse.
func xssFeeds(t testing.TB) [][]byte {
	t.Helper()
	var feeds [][]byte
	for line := range strings.Lines(string(fixture(t, "xss.txt"))) {
		v := html.EscapeString(strings.TrimRight(line, "\r\n"))
		feeds = append(feeds, rssItem(v, v, v, v), fmt.Appendf(nil,
			`<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">%s</title><entry><id>%s</id><title type="html">%s</title><link href="%s"/><author><name>%s</name></author><content type="html">%s</content></entry></feed>`,
			v, v, v, v, v, v))
	}
	return feeds
}

func TestXSSCorpusParses(t *testing.T) {
	base := mustURL(t, "https://www.spartanat.com/feed/")
	for i, body := range xssFeeds(t) {
		items, err := Parse(spartanat, body, "", base, fetchedAt)
		if err != nil || len(items) != 1 {
			t.Errorf("feed %d: %d items, %v:\n%s", i, len(items), err, body)
			continue
		}
		if l := items[0].Link; l != "" && !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
			t.Errorf("feed %d: link %q", i, l)
		}
	}
}

func FuzzStripControlBytes(f *testing.F) {
	for _, s := range []string{"<rss>\x01</rss>", "plain", "\x00\x1f\t\r\n", "c1 \u0085 \xff", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var want []byte
		for _, c := range b {
			if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
				want = append(want, c)
			}
		}
		if got := stripControlBytes(bytes.Clone(b)); !bytes.Equal(got, want) {
			t.Errorf("stripControlBytes(%q) = %q, want %q", b, got, want)
		}
	})
}
