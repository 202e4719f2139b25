package dedupe

import (
	"slices"
	"strings"
	"testing"
)

// walkDocs are posts' HTML: the identity cases' and made ones that test the
// edges of plain markup.
func walkDocs(t testing.TB) []string {
	para := "<p>Russische Streitkräfte setzten ihre Offensivoperationen bei Bachmut fort &amp; machten <strong>geringe Fortschritte</strong>; " +
		"<a href=\"https://understandingwar.org/\">ISW</a> bewertet die Lage.</p>\n"
	docs := []string{
		strings.Repeat(para, 40), "", "plain text only", "a &lt;b&gt; &amp;amp; &nbsp;x&#8211;y &copy c",
		`<P CLASS=intro>Quelle: <A HREF="https://www.understandingwar.org/backgrounder/russian-offensive-campaign-assessment-march-29-2023">ISW</A></P>`,
		`<a title='x' href = 'https://isw.pub/UkrWar070425' >short</a><br/><br /><img src=x.png alt="a > b">`,
		"line\r\nbreak\rcr <b>bold</b>", `<noscript>hidden</noscript> shown <template>t</template> after`, `<template>t</template> after`,
		`<template/>shown`, `<a href="https://understandingwar.org/a&amp;b">x</a>`, `<a href=https://understandingwar.org/x>y</a>`,
		`<script>var a = "<p>";</script>after`, `<!-- c --> x`, `a < b and c <3`, `<a href="x"title="y">t</a>`,
		`<p>unclosed <b`, `</p>stray end</div >`, `<input disabled checked>x`, `<a href>empty</a>`, `<A href href="//criticalthreats.org">first is empty</a>`, "nul\x00byte",
		`<a HREF="https://understandingwar.org/one" href="https://understandingwar.org/two">two hrefs</a>`,
		`<div data-x="<a href='https://understandingwar.org/'>">quoted tag</div>`, `<br/ >x`, `<a / href="y">z</a>`,
	}
	for _, c := range identityCases {
		if strings.HasPrefix(c.content, "@") {
			docs = append(docs, fixture(t, c.content[1:]))
		} else {
			docs = append(docs, c.content)
		}
	}
	return docs
}

// compareWalks reports where plainWalk, when it reads doc, differs from tokenWalk.
func compareWalks(t *testing.T, doc string, headEnd, tailStart int) bool {
	text, links, ok := plainWalk(doc, true, headEnd, tailStart)
	if !ok {
		return false
	}
	var want []string
	wantText := tokenWalk(doc, &want, headEnd, tailStart)
	if text != wantText || !slices.Equal(links, want) {
		t.Errorf("plainWalk(%.100q, %d, %d) = %q, %q; tokenWalk gives %q, %q", doc, headEnd, tailStart, text, links, wantText, want)
	}
	return true
}

func TestPlainWalkAsTokens(t *testing.T) {
	plain := 0
	for _, d := range walkDocs(t) {
		for _, bounds := range [][2]int{{headBytes, len(d) - tailBytes}, {len(d), 0}, {40, len(d) - 60}, {0, len(d)}} {
			if compareWalks(t, d, bounds[0], bounds[1]) {
				plain++
			}
		}
	}
	if plain < 40 {
		t.Errorf("plainWalk read only %d of the documents and bounds", plain)
	}
	for _, d := range walkDocs(t)[:7] {
		if _, _, ok := plainWalk(d, true, headBytes, len(d)-tailBytes); !ok {
			t.Errorf("plainWalk leaves plain markup to the tokenizer: %.80q", d)
		}
	}
}

func FuzzPlainWalk(f *testing.F) {
	for _, d := range walkDocs(f) {
		if len(d) < 4096 {
			f.Add(d, 20, 30)
		}
	}
	f.Fuzz(func(t *testing.T, doc string, headEnd, tailStart int) {
		// walk is given a head of headBytes and a tail start that may be
		// negative; a negative head makes no sense.
		compareWalks(t, doc, max(0, headEnd), tailStart)
	})
}
