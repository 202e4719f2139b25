package dedupe

import (
	"bytes"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Only the start and the end of a post's text are read: translators name
// their source there ("Quelle: …", "Das vollständige Russian Offensive
// Update 401 gibt es direkt bei UNDERSTANDING WAR"), and a long body in
// between would cost every poll for nothing.
const (
	headBytes = 2 << 10
	tailBytes = 8 << 10
)

// content is what a post's HTML says about the report it translates.
type content struct {
	// links are the hrefs to ISW or criticalthreats.org pages, in order.
	links []string
	// text is the visible text of the post's head and tail.
	text string
	// lower is text in lower case once lowerCase has been called, and
	// mentions where it names ISW once lowerText has.
	lower              string
	mentions           [][2]int
	lowered, mentioned bool
}

// lowerCase returns the text in lower case, folded once however many rules ask.
func (c *content) lowerCase() string {
	if !c.lowered {
		c.lower = toLower(c.text)
		c.lowered = true
	}
	return c.lower
}

// lowerText returns the text in lower case and where it names ISW, read
// once however many rules ask; a rule that needs only the case pays for
// no search of ISW's names (lowerCase).
func (c *content) lowerText() (string, [][2]int) {
	lower := c.lowerCase()
	if !c.mentioned {
		c.mentions = iswMentions(lower)
		c.mentioned = true
	}
	return lower, c.mentions
}

// readContent walks the HTML once. Links are collected only when the post
// mentions an ISW host at all, which keeps posts without one cheap.
func readContent(doc string) content {
	var c content
	if doc == "" {
		return c
	}
	wantLinks := containsAny(doc, []string{"understandingwar.", "criticalthreats.", "iswresearch.", "isw.pub"})
	if !wantLinks && len(doc) > headBytes+tailBytes {
		tail := doc[len(doc)-tailBytes:]
		if i := strings.IndexByte(tail, '<'); i >= 0 {
			tail = tail[i:]
		}
		head := doc[:headBytes]
		if i := strings.LastIndexByte(head, '>'); i >= 0 {
			head = head[:i+1]
		}
		c.text = walk(head, nil, len(head), 0) + " " + walk(tail, nil, len(tail), 0)
		return c
	}
	var links *[]string
	if wantLinks {
		links = &c.links
	}
	c.text = walk(doc, links, headBytes, len(doc)-tailBytes)
	if wantLinks {
		c.links = append(c.links, textLinks(c.text)...)
	}
	return c
}

// textURL is an address written as text ("full report:
// https://understandingwar.org/…"), not inside an <a href>.
var textURL = regexp.MustCompile(`https?://[^\s"'<>()\[\]]+`)

// textLinks returns the ISW addresses written in text, in order.
func textLinks(text string) []string {
	var links []string
	for _, u := range textURL.FindAllString(text, -1) {
		u = strings.TrimRight(u, ".,;:!?")
		if _, ok := iswSlug(u); ok {
			links = append(links, u)
		}
	}
	return links
}

// walk tokenises doc, appends ISW hrefs to links (when not nil), and returns
// the text before byte headEnd and from byte tailStart on. Plain markup is
// read by plainWalk; the rest by x/net/html's tokenizer (tokenWalk).
func walk(doc string, links *[]string, headEnd, tailStart int) string {
	if text, found, ok := plainWalk(doc, links != nil, headEnd, tailStart); ok {
		if links != nil {
			*links = append(*links, found...)
		}
		return text
	}
	return tokenWalk(doc, links, headEnd, tailStart)
}

// tokenWalk is walk over the tokens of x/net/html's tokenizer.
func tokenWalk(doc string, links *[]string, headEnd, tailStart int) string {
	var text strings.Builder
	// The text is at most about the bytes it is read from: one allocation.
	text.Grow(min(len(doc), headEnd) + max(0, len(doc)-max(tailStart, headEnd)))
	z := html.NewTokenizer(strings.NewReader(doc))
	offset, skip := 0, false
	var seen hrefMemo
	for {
		tt := z.Next()
		raw := len(z.Raw())
		switch tt {
		case html.ErrorToken:
			return foldText(text.String())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch atom.Lookup(name) {
			case atom.A:
				if links != nil && hasAttr {
					if href := seen.hrefOf(z); href != "" {
						*links = append(*links, href)
					}
				}
			case atom.Script, atom.Style, atom.Noscript, atom.Template:
				skip = tt == html.StartTagToken
			}
		case html.EndTagToken:
			skip = false
		case html.TextToken:
			if !skip && (offset < headEnd || offset+raw > tailStart) {
				text.Write(z.Text())
				text.WriteByte(' ')
			}
		}
		offset += raw
	}
}

// hrefMemo remembers the last href walk read and what it gave: a post
// links the same page over and over (every "ISW" in spartanat's text is a
// link to understandingwar.org), and reading an href parses it as a URL.
type hrefMemo struct {
	raw   string
	href  string
	lower []byte
	used  bool
}

// hrefOf returns the href of the current <a> tag when it points at an ISW host.
func (m *hrefMemo) hrefOf(z *html.Tokenizer) string {
	for {
		key, val, more := z.TagAttr()
		if string(key) == "href" {
			if m.used && string(val) == m.raw {
				return m.href
			}
			return m.hrefOfValue(string(val))
		}
		if !more {
			return ""
		}
	}
}

// hrefOfValue returns href, trimmed, when it points at an ISW host.
func (m *hrefMemo) hrefOfValue(val string) string {
	if m.used && val == m.raw {
		return m.href
	}
	m.raw, m.used, m.href = val, true, ""
	if m.mayBeISW(val) {
		href := strings.TrimSpace(val)
		if _, ok := iswSlug(href); ok {
			m.href = href
		}
	}
	return m.href
}

// iswHostWords are in every address iswURL accepts, in any case, unless
// it escapes its host or path with "%".
var iswHostWords = [][]byte{[]byte("understandingwar"), []byte("criticalthreats"), []byte("iswresearch"), []byte("isw.pub")}

// mayBeISW reports whether href may be an ISW address, without parsing it:
// one that has neither an escape nor an ISW host's name is none.
func (m *hrefMemo) mayBeISW(href string) bool {
	if strings.IndexByte(href, '%') >= 0 {
		return true
	}
	m.lower = m.lower[:0]
	for _, c := range []byte(href) {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		m.lower = append(m.lower, c)
	}
	for _, w := range iswHostWords {
		if bytes.Contains(m.lower, w) {
			return true
		}
	}
	return false
}
