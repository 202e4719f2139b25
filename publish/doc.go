// Package publish owns what iswfeed serves: the merged Atom, RSS and JSON
// feeds, one feed per language, their monthly archives, the HTML pages, the
// JSON API, HTTP caching, WebSub pings and the static export. It never fetches
// and never decides what an item is.
//
// # URLs
//
//	/feed.atom, /feed.rss, /feed.json      merged feed: one entry per report, newest first
//	/{lang}/feed.atom|rss|json             one language: that language's content, a link to the original
//	/{lang}+/feed.atom|rss|json            every report: lang's version once there is one, else the original
//	/archive/{yyyy-mm}.atom|rss|json       RFC 5005 archive of one month of the merged feed
//	/archive/{lang}/{yyyy-mm}.atom|rss|json  the same for one language, and for /{lang}+/ as {lang}+
//	/                                      HTML index of the current reports
//	/updates/{number}                      HTML page of a daily report, with every version
//	/updates/{series}/{yyyy-mm-dd}         the same for any report, numbered or not
//	/status                                HTML: the sources' health, the store's counts and gaps
//	/api                                   JSON: what the API offers
//	/api/updates?lang=&limit=&before=      JSON list, newest report date first, then series by name;
//	                                       limit 1..500 (default 50); before is an update number,
//	                                       a YYYY-MM-DD date (every report older than that day)
//	                                       or {series}/{yyyy-mm-dd}; the first page holds the
//	                                       newest limit, a page after a cursor at most limit, ending
//	                                       at an anchor counted from the oldest (a multiple of limit),
//	                                       so that a newer report changes only the first two pages
//	/api/updates/before/{series}/{yyyy-mm-dd}?lang=&limit=  the page after that report: what
//	                                       next links to, so that a static export can hold it
//	/api/updates/before/{number|yyyy-mm-dd}  the same, from a number or date
//	/api/updates/{number}, /api/updates/{series}/{yyyy-mm-dd}  one update with sanitised content
//	/api/sources                           JSON: each source's poll state
//	/healthz, /metrics, /icon.svg
//
// # JSON views
//
// The API's documents are view types, apart from the store's records:
// UpdateList (/api/updates and its pages), UpdateDoc (/api/updates/{number},
// with sanitised content), SourceList (/api/sources) and GapsDoc. The
// command line's -json prints the same views, built with ViewOf, so that a
// script sees one shape wherever it asks. Each document carries
// api_version (APIVersion); within a version fields are only added.
//
// # Feeds
//
// Feeds are built from gorilla/feeds' format structs, embedded in this
// package's types where they cannot say something (several links with
// hreflang, xml:lang, atom:source, RSS's atom:link, RFC 5005's fh:archive,
// JSON Feed's language and the _iswfeed extension), and written through its
// XmlFeed interface.
//
// An entry's id is the update's (a language feed appends ":{lang}", and the
// feed of a language else the original ":{lang}+", since their content
// differs). The merged entry's title names the report's series and date and
// never changes; the number is a category and the content's first line.
// Language feeds keep the translator's title, and say every label in their
// language (labels.go holds them all); published is the report's first publication by its
// sources (the earliest version's date, never later than when iswfeed first
// saw it; in a language feed, that version's date), so an import or a fresh
// install dates old reports as they were, and updated is when a variant last
// arrived or changed. Authors are the sources' display names (config title:,
// else the source feed's own title, else its name); RSS carries them as
// dc:creator. Every source's HTML, whose URLs fetch has already made
// absolute, is sanitised by one bluemonday policy; titles are plain text.
// Before that, the placeholders that consent plugins (Borlabs Cookie,
// Complianz, Embed Privacy, WP YouTube Lyte, Cookiebot) put in place of
// embedded tweets and videos become a plain link to what they embed, or go
// where their markup does not name it (embeds.go). A source's address is
// shown as config.PublicURL shows it (no user-info, no query), on /status,
// /api/sources and in feeds' source elements.
//
// # Archives
//
// Months are by report date. The month of the newest report is open: all of
// it stays in the current document, which holds at least feed_size reports.
// Every older month has an archive document, linked from the current one by
// prev-archive and from each other by prev-archive and next-archive, so that
// the current document and the archives hold every report. An archive's bytes,
// and so its ETag and Last-Modified, stay the same unless a report of that
// month changes (a translation that arrives late, a corrected original) or a
// month with reports appears before or after it, which changes its links.
//
// # Caching
//
// Cost follows the change. Refresh returns at once when the store has not
// written since the last render (dedupe.Store.Generation); otherwise it reads
// the reports that the writes since touched (dedupe.Store.ChangesSince) and
// patches its index of the published updates with them, reading every report
// only when the store cannot tell (the first render, new anchors, a log
// outgrown). When something the documents show has changed, it renders the
// current feeds of the views whose current feed shows something else (to
// know which bytes changed, and to ping WebSub hubs for those only, in the
// background); the other views keep their documents. A feed document is a
// head, its entries and a tail (splice.go): each entry is encoded alone, as
// the document nests it, and deflated alone, and the next render of the same
// feed copies the deflated bytes of every entry whose update is unchanged
// (by a hash of all an entry shows) from the document before, so a new
// report encodes and compresses one entry per feed that shows it; an archive
// copies those it shares with its view's current feed. The bytes are those of
// encoding the whole document at once, and the entries cost no memory beyond
// the current documents that hold them. A document holds its bytes only as
// their gzip, a feed's joined from its entries' pieces, each deflated
// against the entry before it (gzipjoin.go; 2-3% larger than one gzip of the
// same bytes at 10k); a request without gzip inflates it, and the server
// keeps the bytes it inflated last within 4 MiB, by ETag (inflate.go).
// The daemon calls Refresh once per poll round that stored something (when
// every poll of the round has answered, or fetch.round_wait after the first
// brought items: see fetch.RoundSink), so one report in five languages costs
// one render; calls that arrive during a render share one render after it.
// iswfeed_feed_renders_total counts the renders by cause (RenderRound,
// RenderStartup, RenderReload, RenderRetry). Everything else is rendered
// on first request and kept until the next change, in a cache bounded by the
// bytes its documents hold (4 MiB per site); an archive is a slice of its
// view's history (for one language's view, the places of its reports in the
// site's), split once per site, so it costs its month. Sanitised content is
// kept while the current feeds are rendered for the updates they show, so
// that the views share one sanitising; between renders, spliced entries need
// none, and sanitised updates are kept most recently used first within
// 4 MiB, counting every byte they hold. The stamps that keep Last-Modified
// are bounded by their bytes too (2 MiB). Start, the daemon's first render, reads only each view's newest
// reports, so the current feeds are served before the history is read in the
// background; it renders the merged feed before it returns and the other
// views' current feeds just after (a request for one waits for them);
// archives, pages and the API wait for the history. /status, /api/sources and /healthz show live state and are rendered
// per request. Each document has a strong ETag from its bytes (a feed's
// from its head's, each entry's and its tail's hashes) and another for its
// gzip; Last-Modified moves only when the bytes do. A server does not know
// what one before it sent (a restart, a reload with a new title), so a path's
// first Last-Modified is no earlier than the server's start: clients that
// revalidate with If-Modified-Since alone fetch each document once more after
// a restart rather than miss a change. An export finds each document through
// the server's own routes (documentAt), so the files are the bytes HTTP
// serves; it rewrites only the files whose bytes changed, so nginx's
// Last-Modified and ETag stay put for the rest, and it writes only inside
// its directory (an os.Root). Its manifest records, per document, a digest
// of the inputs it was rendered from (the program, the config, the site's
// languages, the stored metadata of each report it shows, and an archive's
// neighbouring months); the next export neither renders nor reads a document
// whose inputs are the same and whose files are there, so one new report
// costs the current feeds, its month and the API's first two listing pages.
package publish
