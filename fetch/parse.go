package fetch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"mime"
	"net/url"
	"regexp"
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
}

// Parse turns a feed body into normalised items: UTF-8 text, absolute URLs
// resolved against xml:base and base (the URL the feed was fetched from, after
// redirects), an ID and a Published date always set. contentType is the HTTP
// Content-Type; it is used only for a charset the body does not declare.
// Items without a date of their own are dated fetched.
func Parse(src config.Source, body []byte, contentType string, base *url.URL, fetched time.Time) ([]Item, error) {
	p, err := parse(src, body, contentType, base, fetched)
	if err != nil {
		return nil, err
	}
	return p.items, nil
}

func parse(src config.Source, body []byte, contentType string, base *url.URL, fetched time.Time) (parsed, error) {
	body = trimLeading(body)
	if len(body) == 0 {
		return parsed{}, failure(src.Name, ErrEmpty, "the server answered 200 with no feed", nil)
	}
	body = stripControlBytes(body)
	body = controlRefs.ReplaceAll(body, nil)
	body = toUTF8(body, contentType)
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
	}
	fp := gofeed.NewParser()
	fp.KeepOriginalFeed = true
	// Item.Image goes unused, and finding it builds an HTML tree of each item.
	fp.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	feed, err := fp.Parse(bytes.NewReader(body))
	if err != nil {
		return parsed{}, failure(src.Name, ErrParse, err.Error(), err)
	}
	p := parsed{items: make([]Item, 0, len(feed.Items))}
	if rf, ok := feed.OriginalFeed().(*rss.Feed); ok {
		if mins, err := strconv.Atoi(strings.TrimSpace(rf.TTL)); err == nil && mins > 0 {
			p.ttl = time.Duration(mins) * time.Minute
		}
	}
	for _, fi := range feed.Items {
		if fi != nil {
			p.items = append(p.items, normalise(src, base, fi, fetched))
		}
	}
	return p, nil
}

func normalise(src config.Source, base *url.URL, fi *gofeed.Item, fetched time.Time) Item {
	it := Item{
		Source:  src.Name,
		Lang:    src.Lang,
		ID:      cleanText(fi.GUID),
		Title:   cleanText(fi.Title),
		Link:    absolute(base, cleanText(fi.Link)),
		Content: cleanText(fi.Content),
	}
	if it.Content == "" {
		it.Content = cleanText(fi.Description)
	}
	it.Content = absoluteHTML(base, it.Content)
	if len(fi.Authors) > 0 && fi.Authors[0] != nil {
		it.Author = cleanText(fi.Authors[0].Name)
	}
	if fi.PublishedParsed != nil {
		it.Published = fi.PublishedParsed.UTC()
	}
	if fi.UpdatedParsed != nil {
		it.Updated = fi.UpdatedParsed.UTC()
	}
	if it.Published.IsZero() {
		it.Published = it.Updated
	}
	if it.Published.IsZero() {
		it.Published = fetched.UTC().Truncate(time.Second)
		it.Undated = true
	}
	if it.Updated.IsZero() {
		it.Updated = it.Published
	}
	if it.ID == "" {
		it.ID = it.Link
	}
	if it.ID == "" {
		sum := sha256.Sum256([]byte(it.Title + "\x00" + it.Content))
		it.ID = "sha256:" + hex.EncodeToString(sum[:])
	}
	return it
}

// Bounds on the shape of an XML feed, far above what real feeds need. gofeed's
// pull parser copies every namespace binding in scope at each element, resolves
// xml:base and URL attributes against the whole base chain, and recurses once
// per level inside extension elements; past these bounds a body of a few
// megabytes takes minutes, or gigabytes, or overflows the goroutine stack.
const (
	maxDepth      = 100
	maxElements   = 100_000
	maxNamespaces = 32   // namespace declarations in scope at one element
	maxBaseLen    = 1024 // bytes of xml:base along one chain of ancestors
)

// checkXMLShape reports an XML body whose nesting, element count, namespace
// declarations or xml:base chain exceed the bounds above. It stops quietly at a
// syntax error: gofeed stops there too, and says why in its own words.
func checkXMLShape(body []byte) error {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	type scope struct{ namespaces, baseLen int }
	stack := []scope{{}}
	elements := 0
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
		}
	}
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
	if bytes.IndexFunc(b, isControlRune) < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
			out = append(out, c)
		}
	}
	return out
}

func isControlRune(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7F || (r >= 0x80 && r < 0xA0) || r == 0xFFFE || r == 0xFFFF
}

// cleanText trims s, drops control characters (also those that arrive as
// character references such as &#1;), and replaces invalid UTF-8.
func cleanText(s string) string {
	s = strings.TrimSpace(s)
	if strings.IndexFunc(s, isControlRune) < 0 && utf8.ValidString(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if isControlRune(r) {
			return -1
		}
		return r
	}, s)
}

// controlRefs are character references to C0 controls (&#1;, &#x1F;), which
// encoding/xml refuses as firmly as the raw bytes.
var controlRefs = regexp.MustCompile(`&#(0*([0-8]|1[124-9]|2[0-9]|3[01])|[xX]0*([0-8bBcCeEfF]|1[0-9a-fA-F]));`)

var xmlEncoding = regexp.MustCompile(`^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// toUTF8 converts a body whose charset comes only from the HTTP header. A
// charset in the XML declaration is left to the XML decoder, which honours it.
func toUTF8(body []byte, contentType string) []byte {
	if xmlEncoding.Match(body[:min(len(body), 256)]) {
		return body
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return body
	}
	label := strings.ToLower(strings.TrimSpace(params["charset"]))
	if label == "" || label == "utf-8" || label == "utf8" || utf8.Valid(body) {
		return body
	}
	enc, _ := charset.Lookup(label)
	if enc == nil {
		return body
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body
	}
	return out
}
