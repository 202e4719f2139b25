package fetch

import "time"

// Item is one entry of a source's feed, normalised on the way in: UTF-8 text
// without control characters, absolute URLs, an ID and a Published date always set.
type Item struct {
	// Source is the config name of the source the item came from.
	Source string
	// Lang is the source's language from the config.
	Lang string
	// ID is the item's guid, else its link, else "sha256:" and a hash of
	// title and content.
	ID    string
	Title string
	// Link is absolute, resolved against xml:base and the URL the feed was
	// fetched from after redirects.
	Link string
	// Content is the item's HTML (content:encoded, else description),
	// unsanitised, with URL attributes made absolute, and at most 2 MiB
	// before that (then Truncated is set).
	Content string
	Author  string
	// FeedTitle is the title of the feed the item came from.
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
