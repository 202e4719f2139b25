package fetch

import "time"

// Item is one entry of a source's feed, normalised on the way in: UTF-8 text,
// absolute URLs, an ID and a Published date always set.
type Item struct {
	// Source is the config name of the source the item came from.
	Source string
	// Lang is the item's language: the feed's or the source's.
	Lang  string
	ID    string
	Title string
	Link  string
	// Content is the item's HTML (content:encoded, else description), unsanitised.
	Content   string
	Published time.Time
	Updated   time.Time
}
