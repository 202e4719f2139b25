package fetch

import (
	"crypto/sha256"
	"encoding/hex"
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
	maxURLBytes    = config.MaxLinkBytes
	maxIDBytes     = 2 << 10
)

// normalise turns one gofeed item into an Item. base is the URL the feed was
// fetched from, already stripped of user-info and query (see parse).
func normalise(src config.Source, base *url.URL, fi *gofeed.Item, fetched time.Time) Item {
	it := Item{
		Source:  src.Name,
		Lang:    src.Lang,
		ID:      config.DropControls(fi.GUID),
		Title:   oneLine(fi.Title, maxTitleBytes),
		Link:    httpLink(base, fi.Link),
		Content: config.DropControls(fi.Content),
	}
	if it.Content == "" {
		it.Content = config.DropControls(fi.Description)
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

// httpLink is config.WebLink: the one check every link a source gives
// passes before anything writes it.
func httpLink(base *url.URL, ref string) string { return config.WebLink(base, ref) }

// oneLine makes s a single line of at most n bytes: every run of white space
// and control characters (CR and LF among them, which would reach terminals
// through the CLI) becomes one space, and invalid UTF-8 is replaced.
func oneLine(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(min(len(s), n+utf8.UTFMax))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || config.IsControl(r) || r == '\u2028' || r == '\u2029' {
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
