package dedupe

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// hrefsOf returns every href of an <a> in doc, as written.
func hrefsOf(doc string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(doc))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		if tok := z.Token(); (tt == html.StartTagToken || tt == html.SelfClosingTagToken) && tok.Data == "a" {
			for _, a := range tok.Attr {
				if a.Key == "href" {
					out = append(out, a.Val)
					break
				}
			}
		}
	}
	return out
}

// slowLinks is walk's reading of the ISW hrefs before the memo and the
// host scan: every href parsed.
func slowLinks(doc string) []string {
	var out []string
	for _, h := range hrefsOf(doc) {
		h = strings.TrimSpace(h)
		if _, ok := iswSlug(h); ok {
			out = append(out, h)
		}
	}
	return out
}

// TestHrefScanNeverHidesAnISWLink: every address iswSlug accepts passes
// mayBeISW, among the hrefs and written addresses of the identity cases and
// real items and some made to catch it out.
func TestHrefScanNeverHidesAnISWLink(t *testing.T) {
	urls := []string{
		"HTTPS://UnderstandingWar.ORG/backgrounder/x", "https://www.criticalthreats.org/analysis/y",
		"https://isw.pub/UkrWar070425", "https://iswresearch.blogspot.com/2022/03/z.html",
		"https://megalodon.jp/ref/2023/https://understandingwar.org:443/research/a",
		"https://understandingwar%2Eorg/b", "https://example.com/%68ttps://understandingwar.org/c",
		"https://web.archive.org/web/2023/https://www.understandingwar.org/d", " https://isw.pub/x ",
		"https://example.com/understanding-war", "mailto:press@understandingwar.org",
	}
	var docs []string
	for _, c := range identityCases {
		content := c.content
		if strings.HasPrefix(content, "@") {
			content = fixture(t, content[1:])
		}
		docs = append(docs, content)
		urls = append(urls, c.link)
	}
	textURLs := regexp.MustCompile(`https?://[^\s"'<>]+`)
	for _, it := range readRealItems(t) {
		urls = append(urls, it.Link)
		urls = append(urls, textURLs.FindAllString(it.Text, -1)...)
	}
	for _, d := range docs {
		urls = append(urls, hrefsOf(d)...)
	}
	var m hrefMemo
	accepted := 0
	for _, u := range urls {
		if _, ok := iswSlug(strings.TrimSpace(u)); ok {
			accepted++
			if !m.mayBeISW(u) {
				t.Errorf("mayBeISW(%q) = false, but iswSlug accepts it", u)
			}
		}
	}
	if accepted < 50 {
		t.Errorf("only %d ISW addresses checked", accepted)
	}
	if m.mayBeISW("https://www.spiegel.de/ausland/ukraine") {
		t.Error("mayBeISW admits an address with no ISW host in it")
	}
}

// TestReadContentLinksAsBefore: the memo and the scan leave the links
// readContent collects as every href parsed gives them.
func TestReadContentLinksAsBefore(t *testing.T) {
	para := `<p>Laut <a href="https://understandingwar.org/">ISW</a> und <a href="https://example.com/x">anderen</a>` +
		` <a href=" https://understandingwar.org/ ">ISW</a> <a href="https://www.criticalthreats.org/analysis/a">CTP</a></p>`
	docs := []string{strings.Repeat(para, 30), para + `<a href="https://isw.pub/UkrWar070425">isw.pub</a>` + para}
	for _, c := range identityCases {
		if strings.HasPrefix(c.content, "@") {
			docs = append(docs, fixture(t, c.content[1:]))
		} else {
			docs = append(docs, c.content)
		}
	}
	for _, d := range docs {
		if !containsAny(d, []string{"understandingwar.", "criticalthreats.", "iswresearch.", "isw.pub"}) {
			continue
		}
		got := readContent(d).links
		want := append(slowLinks(d), textLinks(readContent(d).text)...)
		if !slices.Equal(got, want) {
			t.Errorf("links of %.60q… = %q, want %q", d, got, want)
		}
	}
}

// TestReportLinksReadEachOnce: reading each address once gives the links
// that reading every one gives, repeats and order kept.
func TestReportLinksReadEachOnce(t *testing.T) {
	ref := time.Date(2023, 3, 30, 0, 0, 0, 0, time.UTC)
	var hrefs []string
	for _, c := range identityCases {
		content := c.content
		if strings.HasPrefix(content, "@") {
			content = fixture(t, content[1:])
		}
		hrefs = append(hrefs, readContent(content).links...)
		hrefs = append(hrefs, c.link)
	}
	hrefs = append(hrefs, hrefs...)
	var want []reportLink
	for _, u := range append(slices.Clone(hrefs), "https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023") {
		if l := readReportLink(u, ref); l != nil {
			want = append(want, *l)
		}
	}
	got := reportLinks(hrefs, "https://understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023", ref)
	if !slices.Equal(got, want) || len(want) < 20 {
		t.Errorf("reportLinks gave %d links, reading each gives %d: %v", len(got), len(want), got)
	}
}
