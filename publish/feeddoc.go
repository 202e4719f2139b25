package publish

import "time"

// feedDoc is one feed document before it takes a format: the current feed of
// a view or one of its monthly archives.
type feedDoc struct {
	Title, Subtitle string
	Lang            string
	// ID names the logical feed (the current Atom document's URL), shared by
	// its archives; Self is this document's own URL.
	ID, Self string
	Home     string
	Icon     string
	// About documents the _iswfeed JSON Feed extension.
	About string
	Hubs  []string
	// Archive marks an RFC 5005 archive document; Current links the current
	// document of the same format from it.
	Archive                  bool
	Current                  string
	PrevArchive, NextArchive string
	Entries                  []entry
	Updated                  time.Time
}

const (
	generatorName = "iswfeed"
	historyNS     = "http://purl.org/syndication/history/1.0"
	atomNS        = "http://www.w3.org/2005/Atom"
	xmlNS         = "http://www.w3.org/XML/1998/namespace"
	dcNS          = "http://purl.org/dc/elements/1.1/"
)
