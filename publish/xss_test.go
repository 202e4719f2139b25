package publish

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"iswfeed/config"
)

// xssVectors reads the XSS corpus, one vector a line, with every address of
// the placeholder host http://127.0.0.1:1 pointed at beacon, so that a
// request from a browser to it shows that active content survived.
func xssVectors(t testing.TB, beacon string) []string {
	t.Helper()
	b, err := os.ReadFile("../fetch/testdata/xss.txt")
	if err != nil {
		t.Fatal(err)
	}
	var vs []string
	for line := range strings.Lines(string(b)) {
		if line = strings.TrimRight(line, "\r\n"); line != "" {
			vs = append(vs, strings.ReplaceAll(line, "http://127.0.0.1:1", beacon))
		}
	}
	if len(vs) < 150 {
		t.Fatalf("the corpus has %d vectors, want at least 150", len(vs))
	}
	if raceDetector {
		// Every vector runs without -race; under it, every tenth still tests
		// the pipeline's concurrency in every field.
		sample := vs[:0]
		for i := 0; i < len(vs); i += 10 {
			sample = append(sample, vs[i])
		}
		vs = sample
	}
	return vs
}

// xssChunk is how many vectors one poll's feed carries; the feed's own title
// is those vectors, so each vector is a feed title once.
const xssChunk = 20

// reportDay is the report date of the corpus's item i.
func reportDay(i int) time.Time {
	return time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)
}

func esc(s string) string { return html.EscapeString(s) }

// rssCorpus is an RSS feed whose item i carries vector i in every field a
// source controls: title, link, guid, author, category, enclosure, comments,
// content:encoded (every other item) and description.
func rssCorpus(vs []string, from int) string {
	var b strings.Builder
	to := min(from+xssChunk, len(vs))
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>%s</title><link>%s</link><description>%s</description>`, esc(strings.Join(vs[from:to], " ")), esc(vs[from]), esc(vs[from]))
	for i := from; i < to; i++ {
		v, d := vs[i], reportDay(i)
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s</link><guid isPermaLink="false">rss-%d %s</guid>
<pubDate>%s</pubDate><dc:creator>%s</dc:creator><author>%s</author><category domain="%s">%s</category>
<enclosure url="%s" length="1" type="text/html"/><comments>%s</comments><source url="%s">%s</source>`,
			esc("Russian Offensive Campaign Assessment, "+d.Format("January 2, 2006")+" "+v), esc(v), i, esc(v),
			d.Add(23*time.Hour).Format(time.RFC1123Z), esc(v), esc(v), esc(v), esc(v), esc(v), esc(v), esc(v), esc(v))
		if i%2 == 0 {
			fmt.Fprintf(&b, `<content:encoded>%s</content:encoded>`, esc("<p>Report.</p>"+v+"<p>End.</p>"))
		}
		fmt.Fprintf(&b, "<description>%s</description></item>\n", esc(v))
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

// atomCorpus is an Atom feed whose entry i carries vector i in every field:
// title and summary typed html, content typed html (every other entry),
// links (alternate and enclosure), id, author, category.
func atomCorpus(vs []string, from int) string {
	var b strings.Builder
	to := min(from+xssChunk, len(vs))
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">%s</title><subtitle type="html">%s</subtitle><id>urn:x</id><updated>2024-01-01T00:00:00Z</updated>
<link rel="alternate" href="%s"/><icon>%s</icon><logo>%s</logo>`, esc(strings.Join(vs[from:to], " ")), esc(vs[from]), esc(vs[from]), esc(vs[from]), esc(vs[from]))
	for i := from; i < to; i++ {
		v, d := vs[i], reportDay(i)
		fmt.Fprintf(&b, `<entry><title type="html">%s</title><id>atom-%d %s</id><updated>%s</updated>
<link rel="alternate" href="%s"/><link rel="enclosure" href="%s" type="text/html" length="1"/>
<author><name>%s</name><uri>%s</uri><email>%s</email></author><category term="%s" label="%s" scheme="%s"/>
<summary type="html">%s</summary>`,
			esc("Russian Offensive Campaign Assessment, "+d.Format("January 2, 2006")+" "+v), i, esc(v),
			d.Add(47*time.Hour).Format(time.RFC3339), esc(v), esc(v), esc(v), esc(v), esc(v), esc(v), esc(v), esc(v), esc(v))
		if i%2 == 1 {
			fmt.Fprintf(&b, `<content type="html">%s</content>`, esc("<p>Bericht.</p>"+v+"<p>Ende.</p>"))
		}
		b.WriteString("</entry>\n")
	}
	b.WriteString("</feed>")
	return b.String()
}

// corpusSite polls an RSS source (the original, en) and an Atom source (a
// translation, de) that carry the corpus, chunk by chunk, into a pipeline.
func corpusSite(t testing.TB, vs []string) *pipeline {
	t.Helper()
	var chunk atomic.Int64
	rss := serveFeed(t, "application/rss+xml", func(*http.Request) string { return rssCorpus(vs, int(chunk.Load())) })
	atom := serveFeed(t, "application/atom+xml", func(*http.Request) string { return atomCorpus(vs, int(chunk.Load())) })
	p := newPipeline(t, []config.Source{
		{Name: "isw", URL: rss.URL + "/feed/", Lang: "en", Role: config.RoleOriginal},
		{Name: "spartanat", URL: atom.URL + "/feed/", Lang: "de", Role: config.RoleTranslation},
	}, func(c *config.Config) { c.FeedSize = len(vs) })
	for from := 0; from < len(vs); from += xssChunk {
		chunk.Store(int64(from))
		for _, r := range p.poll() {
			if r.Err != nil {
				t.Fatalf("poll of %s at vector %d: %v", r.Source, from, r.Err)
			}
		}
	}
	return p
}

// crawl gets every document of the site reachable from the entry points
// through the links in its pages, feeds and API answers.
func (p *pipeline) crawl() map[string]response {
	p.t.Helper()
	queue := []string{"/", "/status", "/api", "/api/sources", "/api/updates?limit=500", "/feed.atom", "/feed.rss", "/feed.json",
		"/en/feed.atom", "/en/feed.rss", "/en/feed.json", "/de/feed.atom", "/de/feed.rss", "/de/feed.json"}
	seen := map[string]response{}
	for len(queue) > 0 && len(seen) < 5000 {
		path := queue[0]
		queue = queue[1:]
		if _, ok := seen[path]; ok {
			continue
		}
		r := p.get(path, "Accept-Encoding", "identity")
		seen[path] = r
		if r.StatusCode != http.StatusOK {
			continue
		}
		for _, l := range linksIn(r.body) {
			if rest, ok := strings.CutPrefix(l, p.cfg.BaseURL); ok {
				queue = append(queue, "/"+rest)
			} else if strings.HasPrefix(l, "/") && !strings.HasPrefix(l, "//") {
				queue = append(queue, l)
			}
		}
	}
	return seen
}

// linksIn finds the href values and quoted addresses in a body of any type.
func linksIn(body string) []string {
	var links []string
	for _, field := range strings.FieldsFunc(body, func(r rune) bool { return r == '"' || r == '\'' || r == '<' || r == '>' || r == ' ' }) {
		field = html.UnescapeString(field)
		if strings.HasPrefix(field, "http") || strings.HasPrefix(field, "/") {
			links = append(links, strings.SplitN(field, "#", 2)[0])
		}
	}
	return links
}

// runnable lists what in an HTML tree a browser would run or that would take
// the page elsewhere: script, frames, plugins, <base>, <meta http-equiv>,
// SVG and MathML, forms, event handlers, unsafe URLs and active styles.
func runnable(n *xhtml.Node) []string {
	var found []string
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode {
			found = append(found, runnableElement(n)...)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return found
}

var bannedElements = []string{"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
	"svg", "math", "form", "input", "button", "textarea", "select", "keygen", "isindex", "xss", "handler", "template", "noscript"}

var urlAttributes = []string{"href", "src", "action", "formaction", "data", "poster", "background", "cite",
	"longdesc", "dynsrc", "lowsrc", "ping", "codebase", "code", "xlink:href", "usemap", "manifest", "icon"}

func runnableElement(n *xhtml.Node) []string {
	var found []string
	name := n.Data
	if slices.Contains(bannedElements, name) {
		found = append(found, "<"+name+">")
	}
	if name == "style" && n.FirstChild != nil && activeStyle(n.FirstChild.Data) {
		found = append(found, "<style>"+n.FirstChild.Data)
	}
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		switch {
		case strings.HasPrefix(key, "on"):
			found = append(found, fmt.Sprintf("<%s %s=%q>", name, key, a.Val))
		case key == "srcdoc", key == "http-equiv", key == "style" && activeStyle(a.Val):
			found = append(found, fmt.Sprintf("<%s %s=%q>", name, key, a.Val))
		case name == "link" && key == "rel" && !slices.Contains([]string{"alternate", "icon", "self", "related", "via", "nofollow noreferrer"}, a.Val):
			found = append(found, fmt.Sprintf("<link rel=%q>", a.Val))
		case slices.Contains(urlAttributes, key) && unsafeURL(a.Val):
			found = append(found, fmt.Sprintf("<%s %s=%q>", name, key, a.Val))
		case key == "srcset" && slices.ContainsFunc(strings.Split(a.Val, ","), unsafeURL):
			found = append(found, fmt.Sprintf("<%s srcset=%q>", name, a.Val))
		}
	}
	return found
}

// unsafeURL reports a URL a browser would run or that carries a document:
// any scheme but http(s), mailto, tag and urn, read as browsers read it
// (tabs and line breaks dropped, leading controls and spaces trimmed).
func unsafeURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	v = strings.ToLower(strings.TrimLeftFunc(v, func(r rune) bool { return r <= ' ' }))
	scheme, _, ok := strings.Cut(v, ":")
	if !ok || strings.ContainsAny(scheme, "/?#") {
		return false
	}
	return !slices.Contains([]string{"http", "https", "mailto", "tag", "urn"}, scheme)
}

// activeStyle reports CSS that runs script or loads from an unsafe URL.
func activeStyle(css string) bool {
	c := strings.ToLower(strings.NewReplacer(" ", "", "\\", "", "/**/", "").Replace(css))
	for _, bad := range []string{"expression(", "javascript:", "vbscript:", "behavior:", "-moz-binding", "@import", "url(data:", "url('data:", `url("data:`} {
		if strings.Contains(c, bad) {
			return true
		}
	}
	return false
}

// runnableInHTMLText parses text as a reader would render it, as HTML.
func runnableInHTMLText(text string) []string {
	if !strings.ContainsAny(text, "<&:") {
		return nil
	}
	nodes, err := xhtml.ParseFragment(strings.NewReader(text), &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return []string{"unparseable HTML: " + err.Error()}
	}
	var found []string
	for _, n := range nodes {
		found = append(found, runnable(n)...)
	}
	return found
}

// urlishField names the fields of the feeds and API that hold one address.
func urlishField(name string) bool {
	name = strings.ToLower(name)
	return slices.Contains([]string{"href", "src", "url", "uri", "link", "comments", "docs", "icon", "logo", "image", "favicon", "avatar", "domain"}, name) ||
		strings.HasSuffix(name, "_url")
}

// runnableInXML reads a feed as a reader might: addresses in attributes and
// text must be safe, and every text must be safe when rendered as HTML.
func runnableInXML(body string) []string {
	d := xml.NewDecoder(strings.NewReader(body))
	var found []string
	var stack []string
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				found = append(found, "invalid XML: "+err.Error())
			}
			return found
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			for _, a := range t.Attr {
				if urlishField(a.Name.Local) && unsafeURL(a.Value) {
					found = append(found, fmt.Sprintf("<%s %s=%q>", t.Name.Local, a.Name.Local, a.Value))
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			text := string(t)
			if len(stack) > 0 && urlishField(stack[len(stack)-1]) && unsafeURL(strings.TrimSpace(text)) {
				found = append(found, fmt.Sprintf("<%s>%s", stack[len(stack)-1], text))
			}
			found = append(found, runnableInHTMLText(text)...)
		}
	}
}

// runnableInJSON reads every string of a JSON document as runnableInXML does.
func runnableInJSON(body string) []string {
	var doc any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return []string{"invalid JSON: " + err.Error()}
	}
	var found []string
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				walk(k, c)
			}
		case []any:
			for _, c := range v {
				walk(key, c)
			}
		case string:
			if urlishField(key) && unsafeURL(v) {
				found = append(found, fmt.Sprintf("%q: %q", key, v))
			}
			found = append(found, runnableInHTMLText(v)...)
		}
	}
	walk("", doc)
	return found
}

func runnableInResponse(r response) []string {
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.HasPrefix(ct, "text/html"):
		doc, err := xhtml.Parse(strings.NewReader(r.body))
		if err != nil {
			return []string{"unparseable HTML: " + err.Error()}
		}
		return runnable(doc)
	case strings.Contains(ct, "json"):
		return runnableInJSON(r.body)
	case strings.Contains(ct, "xml"):
		return runnableInXML(r.body)
	}
	return nil
}

func TestXSSCorpusRunsNowhere(t *testing.T) {
	vs := xssVectors(t, "http://127.0.0.1:1")
	p := corpusSite(t, vs)
	docs := p.crawl()
	counts := map[string]int{}
	for path, r := range docs {
		if r.StatusCode != http.StatusOK {
			if r.StatusCode >= 500 {
				t.Errorf("%s: %d", path, r.StatusCode)
			}
			continue
		}
		ct := r.Header.Get("Content-Type")
		counts[strings.SplitN(ct, ";", 2)[0]]++
		if strings.HasPrefix(ct, "text/html") && !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("%s has no strict Content-Security-Policy: %q", path, r.Header.Get("Content-Security-Policy"))
		}
		if found := runnableInResponse(r); len(found) > 0 {
			t.Errorf("%s (%s) carries what a browser or reader would run:\n  %s", path, ct, strings.Join(found[:min(len(found), 10)], "\n  "))
		}
	}
	var ups struct {
		Updates []struct{ Variants []json.RawMessage }
	}
	if err := json.Unmarshal([]byte(p.get("/api/updates?limit=500").body), &ups); err != nil {
		t.Fatal(err)
	}
	variants := 0
	for _, u := range ups.Updates {
		variants += len(u.Variants)
	}
	if len(ups.Updates) != len(vs) || variants != 2*len(vs) {
		t.Errorf("/api/updates lists %d updates and %d versions, want one update per vector (%d) in both sources: an item was lost",
			len(ups.Updates), variants, len(vs))
	}
	t.Logf("%d vectors × 2 sources (RSS, Atom); %d documents checked: %v", len(vs), len(docs), counts)
}

func TestXSSCheckerFindsWhatRuns(t *testing.T) {
	for _, bad := range []string{`<script>x</script>`, `<img src=x onerror=y>`, `<a href="java&#x09;script:x">`, `<a href=" JAVASCRIPT:x">`,
		`<iframe src=x>`, `<svg>`, `<base href=x>`, `<meta http-equiv=refresh content="0;url=x">`, `<p style="x:expression(y)">`,
		`<a href="data:text/html,x">`, `<img srcset="a.png 1x, javascript:x 2x">`} {
		if found := runnableInHTMLText(bad); len(found) == 0 {
			t.Errorf("the checker misses %s", bad)
		}
	}
	for _, good := range []string{`<a href="https://x.org/a:b">x</a>`, `<img src="/a.png">`, `javascript:alert(1) as text`, `<p>a: b</p>`} {
		if found := runnableInHTMLText(good); len(found) > 0 {
			t.Errorf("the checker flags %s: %v", good, found)
		}
	}
	var buf bytes.Buffer
	buf.WriteString(`<feed><link href="javascript:x"/><entry><link>vbscript:y</link></entry></feed>`)
	if found := runnableInXML(buf.String()); len(found) != 2 {
		t.Errorf("the XML checker found %v, want both links", found)
	}
}

// beacon counts the requests a page makes to it.
func beacon(t testing.TB) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// xssMarker is true in a page once a vector ran: the vectors call alert,
// confirm or prompt (which this test makes set window.__xss), set
// window.__xss themselves, or retitle the page "XSS".
const xssMarker = `window.__xss !== undefined || document.title === "XSS"`

func TestBrowserRunsNoScriptOfTheXSSCorpus(t *testing.T) {
	ctx, problems := browserFor(t, 5*time.Minute)
	beaconSrv, hits := beacon(t)
	p := corpusSite(t, xssVectors(t, beaconSrv.URL))
	var pages []string
	for path, r := range p.crawl() {
		if r.StatusCode == http.StatusOK && strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			pages = append(pages, path)
		}
	}
	slices.Sort(pages)
	trap := `window.alert = window.confirm = window.prompt = window.print = function () { window.__xss = 1 };`
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: trap}); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	// The pages that show every vector with their Content-Security-Policy, as
	// a visitor sees them; then every page without it, so that the sanitiser
	// alone is tested.
	for _, bypass := range []bool{false, true} {
		if _, err := chromedp.Call(ctx, cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: bypass}); err != nil {
			t.Fatal(err)
		}
		shown := pages
		if !bypass {
			shown = []string{"/", "/status"}
		}
		for _, path := range shown {
			if err := chromedp.Do(ctx, chromedp.Navigate(p.web.URL+path), chromedp.Sleep(20*time.Millisecond)); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](xssMarker))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if ran {
				t.Errorf("a vector ran on %s (CSP bypassed: %v)", path, bypass)
			}
		}
	}
	problems()
	if n := hits.Load(); n > 0 {
		t.Errorf("the pages made %d requests to the beacon the vectors name", n)
	}
	t.Logf("%d pages loaded without CSP, / and /status with it", len(pages))
}

// TestBrowserXSSMarkerWorks proves the corpus test can fail: the page CSP
// stops an unsanitised vector, and with CSP bypassed it sets the marker.
func TestBrowserXSSMarkerWorks(t *testing.T) {
	ctx, _ := browser(t)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Security-Policy", pageCSP)
		fmt.Fprint(w, `<!doctype html><title>t</title><img src=x onerror=alert(1)>`)
	}))
	t.Cleanup(page.Close)
	trap := `window.alert = function () { window.__xss = 1 };`
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: trap}); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	for _, bypass := range []bool{false, true} {
		if _, err := chromedp.Call(ctx, cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: bypass}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(page.URL), chromedp.Sleep(20*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](xssMarker))
		if err != nil {
			t.Fatal(err)
		}
		if ran == !bypass {
			t.Errorf("CSP bypassed %v: an unsanitised vector ran = %v; the corpus test would prove nothing", bypass, ran)
		}
	}
}
