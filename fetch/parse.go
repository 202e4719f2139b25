package fetch

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/rss"
	"golang.org/x/net/html/charset"

	"iswfeed/config"
)

// parsed is a feed body turned into normalised items.
type parsed struct {
	items []Item
	// ttl is the RSS <ttl>: how long the publisher asks readers to wait.
	ttl time.Duration
	// dropped counts the items past maxItems; truncated counts the items
	// whose content was cut to maxContentBytes.
	dropped, truncated int
}

// Bounds on what one feed hands on, far above what real feeds carry (ISW
// feeds have 10 to 50 items of 50 to 150 KB). A feed past them is cut rather
// than refused: its first items are usually its newest.
const (
	maxItems        = 10_000
	maxContentBytes = 2 << 20
)

// Parse turns a feed body into normalised items (see Item): UTF-8 text,
// http(s) links, relative URLs resolved against xml:base, else the item's own
// link, else base (the URL the feed was fetched from, after redirects, less
// its user-info and query), an ID and a Published date always set. contentType is the HTTP
// Content-Type; it is used only for a charset the body does not declare.
// Items without a date of their own are dated fetched. Only the first
// maxItems items are kept, and content is cut to maxContentBytes.
func Parse(src config.Source, body []byte, contentType string, base *url.URL, fetched time.Time) ([]Item, error) {
	p, err := parse(src, body, contentType, base, fetched)
	if err != nil {
		return nil, err
	}
	return p.items, nil
}

func parse(src config.Source, body []byte, contentType string, base *url.URL, fetched time.Time) (parsed, error) {
	var p parsed
	body = trimLeading(toUTF8(body, contentType, src.Lang))
	if len(body) == 0 {
		return parsed{}, failure(src.Name, ErrEmpty, "the server answered 200 with no feed", nil)
	}
	body = stripControlBytes(body)
	body = controlRefs.ReplaceAll(body, nil)
	switch gofeed.DetectFeedType(bytes.NewReader(body[:min(len(body), 4096)])) {
	case gofeed.FeedTypeUnknown:
		if looksLikeHTML(body) {
			return parsed{}, failure(src.Name, ErrNotFeed, "the server sent an HTML page", nil)
		}
		return parsed{}, failure(src.Name, ErrNotFeed, "neither RSS, Atom nor JSON Feed", nil)
	case gofeed.FeedTypeRSS, gofeed.FeedTypeAtom:
		if err := checkXMLShape(body); err != nil {
			return parsed{}, failure(src.Name, ErrParse, err.Error(), nil)
		}
	case gofeed.FeedTypeJSON:
		if err := checkJSONShape(body); err != nil {
			return parsed{}, failure(src.Name, ErrParse, err.Error(), nil)
		}
		body, p.dropped = firstJSONItems(body, maxItems)
	}
	fp := gofeed.NewParser()
	fp.KeepOriginalFeed = true
	// Item.Image goes unused, and finding it builds an HTML tree of each item.
	fp.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	feed, err := fp.Parse(bytes.NewReader(body))
	if err != nil {
		return parsed{}, failure(src.Name, ErrParse, err.Error(), err)
	}
	if len(feed.Items) > maxItems {
		p.dropped += len(feed.Items) - maxItems
		feed.Items = feed.Items[:maxItems]
	}
	p.items = make([]Item, 0, len(feed.Items))
	if rf, ok := feed.OriginalFeed().(*rss.Feed); ok {
		if mins, err := strconv.Atoi(strings.TrimSpace(rf.TTL)); err == nil && mins > 0 {
			p.ttl = time.Duration(mins) * time.Minute
		}
	}
	base = publicBase(base)
	feedTitle := oneLine(feed.Title, maxTitleBytes)
	for _, fi := range feed.Items {
		if fi != nil {
			it := normalise(src, base, fi, fetched)
			it.FeedTitle = feedTitle
			if it.Truncated {
				p.truncated++
			}
			p.items = append(p.items, it)
		}
	}
	return p, nil
}

// publicBase is the feed's URL as the base of relative URLs: without the
// user-info and query that may hold the source's secrets, so that no URL
// resolved against it carries them into public output.
func publicBase(u *url.URL) *url.URL {
	if u == nil {
		return nil
	}
	public, err := url.Parse(config.PublicURL(u.String()))
	if err != nil || !public.IsAbs() {
		return nil
	}
	return public
}

// Bounds on the shape of an XML feed, far above what real feeds need. gofeed's
// pull parser copies every namespace binding in scope at each element, resolves
// xml:base and URL attributes against the whole base chain, and recurses once
// per level inside extension elements; past these bounds a body of a few
// megabytes takes minutes, or gigabytes, or overflows the goroutine stack.
// It also builds an HTML tree of each Atom text construct of type html or
// xhtml, at some microseconds and a kilobyte per tag.
const (
	maxDepth      = 100
	maxElements   = 100_000
	maxNamespaces = 32      // namespace declarations in scope at one element
	maxBaseLen    = 1024    // bytes of xml:base along one chain of ancestors
	maxHTMLTags   = 250_000 // start tags in the text of elements typed html
)

// checkXMLShape reports an XML body whose nesting, element count, namespace
// declarations, xml:base chain or HTML in text exceed the bounds above. It stops quietly at a
// syntax error: gofeed stops there too, and says why in its own words. A
// plain feed within the bounds is passed by one scan of its bytes
// (shapeWithin); anything else is read as encoding/xml's tokens (tokenShape).
func checkXMLShape(body []byte) error {
	if shapeWithin(body) {
		return nil
	}
	return tokenShape(body)
}

// tokenShape is checkXMLShape over encoding/xml's raw tokens.
func tokenShape(body []byte) error {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	type scope struct {
		namespaces, baseLen int
		html                bool
	}
	stack := []scope{{}}
	elements, htmlTags := 0, 0
	for {
		tok, err := d.RawToken()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			s := stack[len(stack)-1]
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns", a.Name.Space == "" && a.Name.Local == "xmlns":
					s.namespaces++
				case a.Name.Space == "xml" && a.Name.Local == "base":
					s.baseLen += len(a.Value)
				case a.Name.Space == "" && a.Name.Local == "type":
					s.html = s.html || strings.Contains(strings.ToLower(a.Value), "html")
				}
			}
			stack = append(stack, s)
			elements++
			switch {
			case len(stack)-1 > maxDepth:
				return fmt.Errorf("elements nested deeper than %d levels", maxDepth)
			case elements > maxElements:
				return fmt.Errorf("more than %d elements", maxElements)
			case s.namespaces > maxNamespaces:
				return fmt.Errorf("more than %d namespace declarations in scope", maxNamespaces)
			case s.baseLen > maxBaseLen:
				return fmt.Errorf("xml:base longer than %d bytes", maxBaseLen)
			}
		case xml.EndElement:
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case xml.CharData:
			if !stack[len(stack)-1].html {
				continue
			}
			if htmlTags += startTags(t); htmlTags > maxHTMLTags {
				return fmt.Errorf("more than %d HTML tags in text typed html", maxHTMLTags)
			}
		}
	}
}

// truncateUTF8 cuts s to at most n bytes without splitting a character, and
// reports whether it cut. A tag cut in two is left for the sanitiser to drop.
func truncateUTF8(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// firstJSONItems cuts the items of a JSON Feed to the first n and returns the
// body and how many items it dropped. gofeed decodes every item, and JSON,
// unlike the XML formats, has no element bound before it. A body that is not
// a JSON object is returned as is, for gofeed to refuse in its own words.
func firstJSONItems(body []byte, n int) ([]byte, int) {
	var feed map[string]json.RawMessage
	if err := json.Unmarshal(body, &feed); err != nil {
		return body, 0
	}
	dropped := 0
	for key, raw := range feed {
		var items []json.RawMessage
		// encoding/json, and so gofeed, matches keys regardless of case.
		if !strings.EqualFold(key, "items") || json.Unmarshal(raw, &items) != nil || len(items) <= n {
			continue
		}
		dropped += len(items) - n
		feed[key], _ = json.Marshal(items[:n])
	}
	if dropped == 0 {
		return body, 0
	}
	out, err := json.Marshal(feed)
	if err != nil {
		return body, 0
	}
	return out, dropped
}

// maxJSONContainers bounds the objects and arrays of a JSON Feed. gofeed
// allocates one for each (3.5 million empty authors take 3 s and 340 MB);
// ten thousand items of a real feed need a few tens of thousands.
const maxJSONContainers = 1_000_000

// checkJSONShape reports a JSON body with more than maxJSONContainers objects
// and arrays. Syntax is left to the JSON decoder.
func checkJSONShape(body []byte) error {
	n, inString := 0, false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case !inString && (c == '{' || c == '['):
			if n++; n > maxJSONContainers {
				return fmt.Errorf("more than %d JSON objects and arrays", maxJSONContainers)
			}
		}
	}
	return nil
}

// startTags counts what looks like an HTML start tag: "<" and a letter.
func startTags(text []byte) int {
	n := 0
	for i := bytes.IndexByte(text, '<'); i >= 0 && i+1 < len(text); {
		if c := text[i+1] | 0x20; 'a' <= c && c <= 'z' {
			n++
		}
		next := bytes.IndexByte(text[i+1:], '<')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return n
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// trimLeading drops a UTF-8 byte order mark and the whitespace around it:
// an XML declaration must come first, and some servers print blank lines.
func trimLeading(b []byte) []byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	b = bytes.TrimPrefix(b, utf8BOM)
	return bytes.TrimLeft(b, " \t\r\n")
}

// stripControlBytes removes C0 control bytes, which XML forbids and which make
// encoding/xml give up on the whole feed. They are the same byte in every
// ASCII-compatible encoding, so this is safe before charset conversion.
func stripControlBytes(b []byte) []byte {
	first := slices.IndexFunc(b, isC0)
	if first < 0 {
		return b
	}
	out := make([]byte, first, len(b))
	copy(out, b)
	for _, c := range b[first:] {
		if !isC0(c) {
			out = append(out, c)
		}
	}
	return out
}

// isC0 reports whether c is a C0 control byte that XML forbids.
func isC0(c byte) bool { return c < 0x20 && c != '\t' && c != '\n' && c != '\r' }

// controlRefs are character references to C0 controls (&#1;, &#x1F;), which
// encoding/xml refuses as firmly as the raw bytes.
var controlRefs = regexp.MustCompile(`&#(0*([0-8]|1[124-9]|2[0-9]|3[01])|[xX]0*([0-8bBcCeEfF]|1[0-9a-fA-F]));`)
