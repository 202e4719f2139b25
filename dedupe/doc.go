// Package dedupe owns a report's identity: reading series, update number,
// report date and the translated ISW URL from an item; the number↔date
// calendar; and the bbolt store of updates and their variants. It never does HTTP.
//
// # Reports, numbers and dates
//
// Subscribers and the API name an update by (series, number): translators
// number the reports, ISW does not. Inside the store a report is keyed by
// (series, report date) instead, because the date is the one thing every
// source can give or imply (ISW's title and slug, a translator's slug or its
// "Quelle:" line), and because a number is only as good as the calendar that
// maps it to a date. Keying by date means a report never has to move when the
// calendar learns or corrects a number: the number is not stored with the
// report but looked up in the calendar each time the report is read.
//
// The merged entry's id is minted once from the key, as
// "urn:iswfeed:<series>:<YYYY-MM-DD>": whichever item arrives first, the id is
// the same, and it never changes. Update.Published is when the report was
// first stored; Update.Updated moves when a variant arrives, changes or leaves,
// and only then.
//
// # The calendar
//
// Per series, the calendar pairs numbers and dates. It is derived, never
// stored: from the observations of the items currently stored (each item that
// yields both a number and a date, its own or its ISW link's, see below) and
// from the operator's anchors in config (series.<name>.calendar). So it does not depend on the order in which items
// arrived, and a corrected item takes its wrong observation away with it.
//
//   - An anchor decides its number and its date, whatever the items say.
//   - Elsewhere, number n and date d are paired when d is the date most items
//     give n and n is the number most items give d (ties: the earliest date,
//     the smallest number), leaving out dates and numbers that anchors assign
//     elsewhere. The calendar is therefore one-to-one: a number that loses on
//     its date is left unknown rather than put on another number's report.
//   - Every disagreement (one number given several dates, one date given
//     several numbers, items against an anchor, two anchors on one date) is
//     listed by Gaps as a Conflict with what the calendar chose.
//
// # Placing items
//
// An item that yields a date is placed at the report of that date at once; if
// it yields no number, the report is "held under its date": it is published
// without a number (Gaps lists it as unnumbered) and gains its number as soon
// as the calendar pairs that date, with nothing to move. An item that yields a
// number but no date is placed through the calendar; while the calendar knows
// no date for the number it is held in dedupe.held (Gaps lists it as unplaced,
// Update(series, n) finds nothing) and moved to its report in the same
// transaction that teaches the calendar its date, by the item or any other.
// An item that matches no series is kept in dedupe.skipped and counted.
//
// An item that names the ISW original it translates but states no date takes
// the date that the stored items naming the same link state (most items, then
// the earliest date): the ISW original itself states it. Only stated dates
// count, so there are no chains; when they change, the items waiting on the
// link are placed again in the same transaction, and an item whose link no
// stored item dates is handled as if it named none.
//
// Within a report each (language, source) holds one variant: of the items of
// one source placed there, the one with the latest updated (else published)
// time, then the greatest id, so a re-post under a new guid replaces the
// earlier post's variant. A later copy of an item (same source and id)
// replaces the stored one unless it is older; copies of one item in one batch
// are reduced to the newest first. An edit may change the item's series,
// number or date: its old observation and placement are removed, a report left
// without items is deleted, so a corrected number leaves no phantom update.
//
// # What each source teaches
//
// Each translation source's numbering and lag are derived, like the
// calendar, from its stored items (dedupe.numbering keeps, per item, the
// integers of its title and slug with their places, the date it states or
// writes, and its publication day). A place ("title: aggiornamento N")
// becomes the source's pattern when at least 3 dated items carry there the
// number that the anchors and the other sources give their date, and none
// another; it then numbers the source's items that the built-in words leave
// without a number, dated or not (NumberBy "learned"; SeriesBy "learned" when
// the number alone makes the item a report, which then also keeps the date
// it writes). The lag (days from a report to the source's dated versions) is
// learned when at least 3 agree and none differs, or set by the source's
// lag: key; it dates the source's daily-report items that state no date,
// number or ISW link (LagDate). Whenever a batch changes the pattern or the
// lag, every item of the source is derived again in the same transaction.
// What the items teach is counted as they come and go, not read again from
// every stored item on each batch: dedupe.tally keeps, per source, how many
// dated items agree and disagree at each place and how many show each lag,
// and a batch adds and takes away its own items and recounts the items dated
// on the days whose numbers it (or a new anchor) changed, so the counts are
// always what reading every item would give (tested against that reading)
// and a batch costs what it changes. Gaps still reads every item of a source,
// to list its conflicts item by item.
// A source with an operator's number: pattern learns no pattern. Items whose
// numbers disagree at a numbering place are listed (Numbering.Conflicts,
// shown in Gaps) and teach nothing.
//
// A number that the built-in words read by a weak pattern ("Update 54",
// "№ 12", NumberBy "weak") is what someone else's own series looks like, so it
// teaches the calendar and places its item only where the source has proven
// that place (at least 3 agreeing items, none disagreeing) and the other
// sources give its date no other number; until then it is held back
// (Unproven, the item stays at its own date or unplaced), and when it
// disagrees it is listed as a conflict. A source whose integers disagree with
// the calendar therefore never teaches it, and none of its numbers is published.
//
// Update.ISWURL is the original variant's link, else the ISW report page the
// translations name most (normalised), else another ISW address they name
// (a short link, a PDF); it is set when the report is rebuilt and, for
// reports stored before it existed, filled from the original on read.
//
// # Transactions
//
// IngestBatch reads its items on every core (reading is most of a batch's
// cost), then, in a read transaction, which items are new or changed; if
// none are, it writes nothing at all. Otherwise the changed items' content
// is compressed, again on every core, and one read-write transaction, which
// holds only the writes and what they decide, stores the changed items, settles the calendar entries they
// touched (re-placing number-only items whose number or whose dates' numbers
// changed), and rebuilds the touched reports. Feeding the same batch twice
// changes nothing. Store.Generation counts the writes one Store has
// committed, so a reader (publish) can tell without reading that nothing
// changed; reading every report decodes only those whose bytes changed since
// this Store last decoded them, and every reader shares what it decoded (an
// update's Variants are read-only; the strings that recur in every report,
// series, languages, sources, roles and feed titles, are held once), so a
// daemon holds its reports' metadata once. Store.ChangesSince tells a reader that holds
// the reports as of one generation which reports the writes since touched, so
// that it reads those, not the history (see the change log below); Store.Figures
// keeps the counts that /status and the metrics show from them, once per Store. Open takes no ownership of the *bolt.DB: the caller
// (cmd/iswfeed) opens it, shares it with other packages' buckets, and closes
// it; Store has no Close. On a handle opened with bolt.Options.ReadOnly, Open
// creates and migrates nothing and every read method works.
//
// # bbolt layout (schema 4)
//
// Keys join their parts with a 0x00 byte. A number is 8 bytes big-endian, so
// keys sort by number; a date is "YYYY-MM-DD", so keys sort by date. An item
// key is "<source> 0x00 <item id>" (fetch guarantees an id). Series names are
// config names, which never contain 0x00.
//
//	dedupe.meta         "schema" → ASCII decimal layout version ("4");
//	                    "tally.anchors" → JSON {date: number} of the daily
//	                    series' anchors the tallies were counted with (absent:
//	                    none); "reader" → ASCII decimal ReaderVersion the
//	                    items were read with (absent: before versions were kept)
//	dedupe.items        item key → JSON of the item as read: source, role, lang,
//	                    id, title, link, published, updated, series, number,
//	                    date (stated), isw_url, link_date (taken from its ISW
//	                    link, when it states no date), hash (SHA-256 of all it
//	                    said, content included), changed (when it last
//	                    changed), place (the report key it is placed at,
//	                    absent while held), number_by and series_by
//	                    ("learned", "weak"), unproven (a weak number held
//	                    back), lag_date (the date its source's lag gives),
//	                    undated (its feed gave no date: published is its
//	                    first fetch), input (SHA-256 of the item as fetched
//	                    and of the rules that read it, ReaderVersion among
//	                    them: a copy fetched with the same input is not read
//	                    again; absent on items stored before it was kept,
//	                    which are read as before)
//	dedupe.content      item key → the item's HTML as the source gave it, as
//	                    one zstd frame (a value without zstd's magic number
//	                    is uncompressed HTML, as schema 2 kept it)
//	dedupe.skipped      item key → title, for items of no series
//	dedupe.obs.number   series 0 number(8) 0 date 0 item key → empty
//	dedupe.obs.date     series 0 date 0 number(8) 0 item key → empty
//	dedupe.reports      series 0 date → JSON reportRecord (record.go): id, series, date,
//	                    published, updated, variants (lang, source, role,
//	                    title, url, item_id, published, changed); no number,
//	                    no content (both are filled on read)
//	dedupe.placed       series 0 date 0 item key → empty
//	dedupe.held         series 0 number(8) 0 item key → empty (number 0 for
//	                    an item of a series with neither number nor date)
//	dedupe.numonly      series 0 number(8) 0 item key → empty, for every
//	                    item with a number and no date, placed or held
//	dedupe.links        series 0 link 0 item key → the date the item states
//	                    for its ISW link
//	dedupe.bylink       series 0 link 0 item key → empty, for items that
//	                    name an ISW link and state no date
//	dedupe.numbering    item key → JSON {d: date, pub: day published, p:
//	                    [{at: place, n: number}], r: weak number read}, for translation items
//	                    of the daily series or of none (filled from the
//	                    stored items when Open creates it)
//	dedupe.numbering.date date 0 item key → number(8) that the anchors, else
//	                    the other sources, gave the date when the item's
//	                    record was counted (0: none), for records with a date
//	dedupe.tally        source 0 "a" 0 place → count(8) of the source's
//	                    dated records whose number at place agrees with that
//	                    number; source 0 "d" 0 place → count(8) of those that
//	                    disagree; source 0 "l" 0 lag(8, two's complement) →
//	                    count(8) of the records published lag days after
//	                    their date; no key holds a zero count
//
// A link in a key is normalised: lower case, without scheme, "www." or a
// trailing slash.
//
// The change log is not in the file: each Store keeps, in memory, the report
// keys that each of its committed writes touched (changes.go), joined to the
// write's generation in one step when bbolt commits it. A write touches the
// reports it rebuilt (written or deleted) and those whose number the calendar
// may have moved: the dates whose observations changed, and every date still
// observed for a number whose observations changed (a report's number moves
// only when one of those two does). The log holds at most 65,536 keys,
// forgetting its oldest writes; new anchors (Configure) may renumber any
// report. In both cases ChangesSince answers not ok, and the reader reads
// every report again. Writes by another Store or process are not logged.
// The two observation buckets are the calendar's indexes, one per direction.
// Reports are read newest first by walking each series' key range backwards,
// so a feed of the newest N reports costs N decodes however many are stored.
//
// # Schema versions and migration
//
// Open reads dedupe.meta/schema. A version newer than SchemaVersion fails with
// ErrSchema and touches nothing (read-only or not). An older one is migrated in
// the same transaction that creates missing buckets, step by step, and the new
// version is written last, so a crash leaves the old version and the old data.
// Version 1 kept content inside the item record and had no link index;
// migrating to 2 moves content to dedupe.content and fills dedupe.links.
// Version 2 kept content uncompressed; migrating to 3 compresses it, a chunk
// of keys at a time (HTML takes four to six times less room, and most items
// then fit a page instead of taking overflow pages). Version 3 kept no
// tallies; migrating to 4 counts every record of dedupe.numbering, without
// anchors, and the same Open then recounts the anchored dates (the counts
// note the anchors they were made with, so new anchors recount their dates
// on the next write). A future change adds a
// step to migrate, bumps SchemaVersion and updates this table.
//
// # Reading again after the rules change
//
// The rules that read an item's series, number, date and ISW link have a
// version of their own, ReaderVersion, which a store remembers in
// dedupe.meta/reader. When Open finds another (or none), it reads every
// stored item again from its title, link, dates and content, in the same
// transaction: an item that now reads differently is taken out of its report
// and placed anew, keeping when it last changed, and each source learns again
// from what its items now say (Store.Reread counts them). An item a feed no
// longer lists is thus read by today's rules as well as one it still lists,
// which a poll reads again anyway. TestReaderVersionFollowsTheRules holds the
// version to the rules: testdata/reader.golden records what each rule table
// case and each real item read as, and a change to any of them without a new
// version fails.
package dedupe
