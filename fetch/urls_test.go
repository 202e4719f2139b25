package fetch

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func TestAbsoluteHTML(t *testing.T) {
	base := mustURL(t, "https://www.spartanat.com/2023/03/lage-401/")
	tests := []struct{ name, in, want string }{
		{"relative href and src resolve against the base",
			`<p><a href="../archiv/">Archiv</a> <img src="/karte.png" alt="Karte"></p>`,
			`<p><a href="https://www.spartanat.com/2023/03/archiv/">Archiv</a> <img src="https://www.spartanat.com/karte.png" alt="Karte"></p>`},
		{"poster, cite, action and data resolve too",
			`<video poster="p.jpg"></video><blockquote cite="q"></blockquote><form action="f"></form><object data="o.svg"></object>`,
			`<video poster="https://www.spartanat.com/2023/03/lage-401/p.jpg"></video><blockquote cite="https://www.spartanat.com/2023/03/lage-401/q"></blockquote><form action="https://www.spartanat.com/2023/03/lage-401/f"></form><object data="https://www.spartanat.com/2023/03/lage-401/o.svg"></object>`},
		{"every srcset candidate resolves and keeps its descriptor",
			`<img srcset="/a.png 1x,b.png 2x, https://cdn.example/c.png 640w">`,
			`<img srcset="https://www.spartanat.com/a.png 1x, https://www.spartanat.com/2023/03/lage-401/b.png 2x, https://cdn.example/c.png 640w">`},
		{"unquoted and upper-case attributes resolve, other attributes keep their values",
			`<A HREF=x class='note' title="a &amp; b">x</A>`,
			`<a href="https://www.spartanat.com/2023/03/lage-401/x" class="note" title="a &amp; b">x</A>`},
		{"an ampersand in a URL stays escaped",
			`<a href="?p=1&amp;lang=de">x</a>`,
			`<a href="https://www.spartanat.com/2023/03/lage-401/?p=1&amp;lang=de">x</a>`},
		{"self-closing tags stay self-closing",
			`<img src="k.png"/>`,
			`<img src="https://www.spartanat.com/2023/03/lage-401/k.png"/>`},
		{"script and style contents are untouched",
			`<script>document.write('<a href="x">')</script><style>a[href="y"]{}</style>`,
			`<script>document.write('<a href="x">')</script><style>a[href="y"]{}</style>`},
		{"text, comments and unclosed elements pass through byte for byte",
			"<p>Stra&szlig;e &amp; <b>Weg\r\n<!-- <a href=\"c\"> --><i><a href=x>eins<u>",
			"<p>Stra&szlig;e &amp; <b>Weg\r\n<!-- <a href=\"c\"> --><i><a href=\"https://www.spartanat.com/2023/03/lage-401/x\">eins<u>"},
		{"absolute URLs leave the fragment as it came",
			`<P><a href="https://www.understandingwar.org/">ISW</a></P>`,
			`<P><a href="https://www.understandingwar.org/">ISW</a></P>`},
		{"a tag cut off at the end is left as it came",
			`<p>Text</p><a href="x`,
			`<p>Text</p><a href="x`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := absoluteHTML(base, tt.in); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestKeepsURLsAnswersAsTheTokenizerWould(t *testing.T) {
	base := mustURL(t, "https://www.spartanat.com/2023/03/lage-401/")
	tests := []struct {
		name, in string
		keeps    bool
	}{
		{"absolute links only", `<p class="x"><a href="https://www.understandingwar.org/">ISW</a> <img alt=Karte src='https://cdn.example/k.png'></p>`, true},
		{"no attributes", `<p>Lage &amp; Bewertung</p>`, true},
		{"a relative href", `<p><a href="https://a.example/">a</a><a href="/b">b</a></p>`, false},
		{"an upper-case, spaced, unquoted relative href", `<A HREF = x>x</A>`, false},
		{"an href right after a quoted value", `<a title="t"href="x">x</a>`, false},
		{"a relative srcset candidate", `<img srcset="https://a.example/a.png 1x, b.png 2x">`, false},
		{"an absolute URL that absolute writes otherwise", `<a href="HTTPS://a.example/x/../y">x</a>`, false},
		{"a character reference in a URL", `<a href="https://a.example/?a=1&amp;b=2">x</a>`, false},
		{"a URL with spaces around it", `<a href=" https://a.example/ ">x</a>`, false},
		{"an attribute that holds no URL", `<p data-x="y" style="a:b">`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keepsURLs(base, tt.in); got != tt.keeps {
				t.Errorf("keepsURLs = %v, want %v", got, tt.keeps)
			}
			if tt.keeps && rewriteURLs(base, tt.in) != tt.in {
				t.Errorf("keepsURLs says yes, but the tokens give %s", rewriteURLs(base, tt.in))
			}
		})
	}
}

// FuzzKeepsURLs checks the shortcut against the tokenizer: a fragment that
// keepsURLs keeps, rewriteURLs leaves as it came.
func FuzzKeepsURLs(f *testing.F) {
	f.Add(`<p><a href="https://a.example/">x</a><img srcset="https://a.example/a 1x"/><a title='t'href=x>`)
	f.Add(`<a x="1"href="rel"><img SRC = y><a href=>`)
	f.Add(iswReport(1 << 10))
	base := mustURL(f, "https://www.spartanat.com/2023/03/lage-401/")
	f.Fuzz(func(t *testing.T, fragment string) {
		if keepsURLs(base, fragment) && rewriteURLs(base, fragment) != fragment {
			t.Fatalf("keepsURLs kept %q, which the tokens rewrite to %q", fragment, rewriteURLs(base, fragment))
		}
	})
}

// iswReport returns HTML shaped like an ISW report of about size bytes:
// paragraphs with relative links, footnote anchors and map images.
func iswReport(size int) string {
	const para = `<p>Russian forces continued offensive operations near <a href="/backgrounder/bakhmut">Bakhmut</a> and <strong>Avdiivka</strong> on March 29. ` +
		`<img src="/wp-content/uploads/2023/03/map-401.png" srcset="/map-401-800.png 800w, /map-401.png 1600w" alt="map"> ` +
		`Ukrainian officials reported that Russian forces conducted 62 attacks.<sup><a href="#_ftn1">[1]</a></sup></p>` + "\n"
	return strings.Repeat(para, max(size/len(para), 1))
}

// heavyHTML returns about size bytes of elements nested without end, the
// shape that makes a tree-building HTML parser use a hundred times that.
func heavyHTML(size int) string {
	const unit = `<p><b><i><u><a href=x>`
	return strings.Repeat(unit, size/len(unit))
}

func BenchmarkAbsoluteHTML(b *testing.B) {
	base := mustURL(b, "https://www.understandingwar.org/feed/")
	for _, bb := range []struct {
		name     string
		fragment string
	}{
		{"ISW report of 100 KB", iswReport(100 << 10)},
		{"nested tags, 2 MiB", heavyHTML(2 << 20)},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(bb.fragment)))
			b.ReportAllocs()
			for b.Loop() {
				absoluteHTML(base, bb.fragment)
			}
		})
	}
}

// FuzzAbsoluteHTML checks that rewriting URLs changes start tags only: the
// output has the same tokens, and every token but a start tag is unchanged.
func FuzzAbsoluteHTML(f *testing.F) {
	f.Add(`<p><a href="../x">x</a><img srcset="a 1x, b 2x"/><script>'<a href=y>'</script><!-- c -->`)
	f.Add(heavyHTML(200))
	base := mustURL(f, "https://www.spartanat.com/2023/03/lage-401/")
	f.Fuzz(func(t *testing.T, fragment string) {
		in, out := outsideTags(fragment), outsideTags(absoluteHTML(base, fragment))
		if strings.Join(in, "") != strings.Join(out, "") {
			t.Fatalf("tokens outside start tags changed:\n%q\n%q", in, out)
		}
	})
}

// outsideTags lists the raw tokens of an HTML fragment, with each start tag
// replaced by its type.
func outsideTags(fragment string) []string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var tokens []string
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			return tokens
		case html.StartTagToken, html.SelfClosingTagToken:
			tokens = append(tokens, tt.String())
		default:
			tokens = append(tokens, string(z.Raw()))
		}
	}
}
