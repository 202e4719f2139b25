package fetch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"

	"iswfeed/config"
)

// Item is one entry of a source's feed, normalised on the way in: UTF-8 text
// without control characters, absolute http(s) links, lengths within the caps
// below, an ID and a Published date always set.
type Item struct {
	// Source is the config name of the source the item came from.
	Source string
	// Lang is the source's language from the config.
	Lang string
	// ID is the item's guid, else its link, else "sha256:" and a hash of
	// title and content. A guid longer than maxIDBytes is replaced by
	// "sha256:" and its hash.
	ID string
	// Title is one line of at most maxTitleBytes: line breaks, tabs and
	// control characters are folded to spaces.
	Title string
	// Link is an absolute http(s) URL of at most maxURLBytes without
	// user-info, resolved against xml:base and the URL the feed was fetched
	// from after redirects; "" when the item's link was anything else
	// (javascript:, data:, garbage).
	Link string
	// Content is the item's HTML (content:encoded, else description),
	// unsanitised, with URL attributes made absolute, and at most 2 MiB
	// before that (then Truncated is set).
	Content string
	// Author is one line of at most maxAuthorBytes, folded as Title is.
	Author string
	// FeedTitle is the title of the feed the item came from, folded and
	// capped as Title is.
	FeedTitle string
	// Published is the item's published date, else its updated date, else
	// the time of the fetch (then Undated is set: the same item fetched again
	// gets a later date, so keep the first one seen).
	Published time.Time
	// Updated is the item's updated date, else Published.
	Updated time.Time
	Undated bool
	// Truncated is set when Content was cut to its first 2 MiB.
	Truncated bool
}

// Caps on an item's text and links, far above any real one (ISW's longest
// titles are under 100 bytes) and low enough that a hostile source cannot
// make every feed, page and terminal carry megabytes per item. A title or
// author past its cap is cut; a link past its cap is dropped, since a cut URL
// leads nowhere.
const (
	maxTitleBytes  = 1 << 10
	maxAuthorBytes = 256
	maxURLBytes    = 2 << 10
	maxIDBytes     = 2 << 10
)

// normalise turns one gofeed item into an Item. base is the URL the feed was
// fetched from, already stripped of user-info and query (see parse).
func normalise(src config.Source, base *url.URL, fi *gofeed.Item, fetched time.Time) Item {
	it := Item{
		Source:  src.Name,
		Lang:    src.Lang,
		ID:      stripControls(fi.GUID),
		Title:   oneLine(fi.Title, maxTitleBytes),
		Link:    httpLink(base, fi.Link),
		Content: stripControls(fi.Content),
	}
	if it.Content == "" {
		it.Content = stripControls(fi.Description)
	}
	it.Content, it.Truncated = truncateUTF8(it.Content, maxContentBytes)
	it.Content = absoluteHTML(contentBase(base, it.Link), it.Content)
	if len(fi.Authors) > 0 && fi.Authors[0] != nil {
		it.Author = oneLine(fi.Authors[0].Name, maxAuthorBytes)
	}
	it.Published, it.Updated, it.Undated = dates(fi, fetched)
	it.ID = itemID(it)
	return it
}

// dates gives an item's published and updated dates, each falling back on
// the other and then on the time of the fetch (undated).
func dates(fi *gofeed.Item, fetched time.Time) (published, updated time.Time, undated bool) {
	if fi.PublishedParsed != nil {
		published = fi.PublishedParsed.UTC()
	}
	if fi.UpdatedParsed != nil {
		updated = fi.UpdatedParsed.UTC()
	}
	if published.IsZero() {
		published = updated
	}
	if published.IsZero() {
		published, undated = fetched.UTC().Truncate(time.Second), true
	}
	if updated.IsZero() {
		updated = published
	}
	return published, updated, undated
}

// itemID is the item's guid, else its link, else a hash of title and content;
// a guid past maxIDBytes becomes a hash of itself.
func itemID(it Item) string {
	switch {
	case len(it.ID) > maxIDBytes:
		return hashID(it.ID)
	case it.ID != "":
		return it.ID
	case it.Link != "":
		return it.Link
	}
	return hashID(it.Title + "\x00" + it.Content)
}

func hashID(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// contentBase is what relative URLs in an item's content resolve against once
// gofeed has applied any xml:base: the item's own link, as feed readers do,
// else the URL the feed came from. A source whose feed lives on another host
// than its articles writes its images relative to the articles.
func contentBase(feed *url.URL, link string) *url.URL {
	if u, err := url.Parse(link); link != "" && err == nil {
		return u
	}
	return feed
}

// httpLink is ref resolved against base when it is then an http(s) URL with a
// host and at most maxURLBytes long, without user-info; otherwise "". It is
// the one check every link a source gives passes before anything writes it:
// javascript:, data:, vbscript: and unparseable links become no link.
func httpLink(base *url.URL, ref string) string {
	ref = stripControls(ref)
	if ref == "" || len(ref) > maxURLBytes {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.User = nil
	u.RawQuery = escapeQuery(u.RawQuery)
	if s := u.String(); len(s) <= maxURLBytes {
		return s
	}
	return ""
}

// escapeQuery percent-encodes what RFC 3986 does not allow in a query (space,
// quotes, angle brackets...), which url.URL.String leaves as it came, so that
// a link is one well-formed URL wherever it is written.
func escapeQuery(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c < 0x80 && (isAlnum(c) || strings.IndexByte("-._~!$&'()*+,;=:@/?%", c) >= 0) && c != '\'' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// stripControls trims s, drops control characters (also those that arrive
// as character references such as &#1;), and replaces invalid UTF-8.
func stripControls(s string) string {
	s = strings.TrimSpace(s)
	if cleanText(s) {
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

// cleanText reports whether s is valid UTF-8 without control characters,
// decoding only what is not ASCII: an item's content is tens of kilobytes.
func cleanText(s string) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if isControlRune(rune(c)) {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || isControlRune(r) {
			return false
		}
		i += size
	}
	return true
}

// oneLine makes s a single line of at most n bytes: every run of white space
// and control characters (CR and LF among them, which would reach terminals
// through the CLI) becomes one space, and invalid UTF-8 is replaced.
func oneLine(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(min(len(s), n+utf8.UTFMax))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || isControlRune(r) || r == '\u2028' || r == '\u2029' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		if b.Len() >= n {
			break
		}
	}
	out, _ := truncateUTF8(b.String(), n)
	return out
}
