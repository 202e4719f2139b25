package publish

import (
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// view is one feed family: the merged feed (lang ""), one language's, or
// one language's with the original standing in until a translation arrives
// (orOriginal, served under "/{lang}+/").
type view struct {
	lang       string
	orOriginal bool
}

// dir is the view's name in paths: "", "de" or "de+".
func (v view) dir() string {
	if v.orOriginal {
		return v.lang + "+"
	}
	return v.lang
}

var formats = []string{"atom", "rss", "json"}

func (v view) prefix() string {
	if v.lang == "" {
		return "/"
	}
	return "/" + v.dir() + "/"
}

func (v view) feedPath(format string) string { return v.prefix() + "feed." + format }

func (v view) archivePath(month, format string) string {
	if v.lang == "" {
		return "/archive/" + month + "." + format
	}
	return "/archive/" + v.dir() + "/" + month + "." + format
}

// views are the site's feed families: the merged feed, and for each language
// its own feed and, but for the original's language, its feed with the
// original standing in.
func (st *site) views() []view {
	vs := []view{{}}
	for _, l := range st.langs {
		vs = append(vs, view{lang: l})
	}
	for _, l := range st.langs {
		if l != st.origLang {
			vs = append(vs, view{lang: l, orOriginal: true})
		}
	}
	return vs
}

// viewOf finds the view a path names by its dir ("de", "de+"), among the
// site's.
func (st *site) viewOf(dir string) (view, error) {
	for _, v := range st.views() {
		if v.lang != "" && v.dir() == dir {
			return v, nil
		}
	}
	return view{}, notFound("no feed %q; feeds: %s", dir, listOr(st.dirs(), "none yet"))
}

// dirs names the site's language views as paths name them.
func (st *site) dirs() []string {
	var ds []string
	for _, v := range st.views() {
		if v.lang != "" {
			ds = append(ds, v.dir())
		}
	}
	return ds
}

// inView returns the updates a view shows, newest first.
func (st *site) inView(v view) []dedupe.Update {
	if v.lang == "" || v.orOriginal {
		return st.updates
	}
	var out []dedupe.Update
	for i := range st.updates {
		if _, ok := st.updates[i].InLang(v.lang); ok {
			out = append(out, st.updates[i])
		}
	}
	return out
}

// history returns a view's history, split once per site: the documents of a
// view share it, so that an archive costs its month, not the history.
func (st *site) history(v view, size int) *history {
	st.mu.Lock()
	defer st.mu.Unlock()
	if h, ok := st.histories[v]; ok {
		return h
	}
	var h history
	if v.lang == "" || v.orOriginal {
		h = splitHistory(st.updates, size)
	} else {
		h = splitLang(st.updates, v.lang, size)
	}
	if st.histories == nil {
		st.histories = map[view]*history{}
	}
	st.histories[v] = &h
	return &h
}

// currentOf returns what a view's current document shows, as its history
// splits it, and the newest archived month ("" for none), reading the
// site's updates only as far as the current document reaches.
func (st *site) currentOf(v view, size int) ([]dedupe.Update, string) {
	if v.lang == "" || v.orOriginal {
		return currentIn(st.updates, size)
	}
	var in []dedupe.Update
	for i := range st.updates {
		u := &st.updates[i]
		if _, ok := u.InLang(v.lang); !ok {
			continue
		}
		in = append(in, *u)
		if len(in) > size && !sameMonth(u, &in[0]) {
			break
		}
	}
	return currentIn(in, size)
}

// currentIn splits the current document off ups, newest first: at least size
// updates and the whole of the newest month. It returns them and the newest
// month after them.
func currentIn(ups []dedupe.Update, size int) ([]dedupe.Update, string) {
	if len(ups) == 0 {
		return nil, ""
	}
	n := 0
	for n < len(ups) && (n < size || sameMonth(&ups[n], &ups[0])) {
		n++
	}
	older := ""
	if start := openMonth(ups); start < len(ups) {
		older = archiveMonth(&ups[start])
	}
	return ups[:n], older
}

// openMonth is the number of updates at the head of ups that are of the
// newest report's month.
func openMonth(ups []dedupe.Update) int {
	n := 0
	for n < len(ups) && sameMonth(&ups[n], &ups[0]) {
		n++
	}
	return n
}

// history splits a view's updates into the current document and monthly
// archives. The newest report's month stays open in the current document;
// every older month is archived, so current and archives together hold every
// report. It holds no copy of the site's updates: a month is a part of
// them, or, for a language's view, the places of that month's reports.
type history struct {
	current []dedupe.Update
	months  []string // archived months, newest first
	spans   map[string]span32
	ups     []dedupe.Update
	// at, for a language's view, is where its reports sit in ups; nil
	// when the view shows every report.
	at []int32
}

// span32 is where one archived month's reports sit: in history.at when it
// is set, else in history.ups.
type span32 struct{ start, end int32 }

// month returns the reports of archived month m, newest first: a part of
// the site's updates, or a copy of the month's for a language's view.
func (h *history) month(m string) ([]dedupe.Update, bool) {
	sp, ok := h.spans[m]
	if !ok {
		return nil, false
	}
	if h.at == nil {
		return h.ups[sp.start:sp.end:sp.end], true
	}
	out := make([]dedupe.Update, 0, sp.end-sp.start)
	for _, i := range h.at[sp.start:sp.end] {
		out = append(out, h.ups[i])
	}
	return out, true
}

// archiveMonth is the month, YYYY-MM, whose archive holds u.
func archiveMonth(u *dedupe.Update) string { return u.Date.Format("2006-01") }

// sameMonth reports whether two updates' reports are of one month, without
// formatting either.
func sameMonth(a, b *dedupe.Update) bool {
	ay, am, _ := a.Date.Date()
	by, bm, _ := b.Date.Date()
	return ay == by && am == bm
}

// splitHistory splits ups, newest first, into the current document and
// monthly archives; each month is a part of ups, not a copy.
func splitHistory(ups []dedupe.Update, size int) history {
	h := history{ups: ups, spans: map[string]span32{}}
	if len(ups) == 0 {
		return h
	}
	h.current, _ = currentIn(ups, size)
	h.split(len(ups), func(i int) *dedupe.Update { return &ups[i] })
	return h
}

// splitLang splits the updates of ups that have a version in lang as
// splitHistory splits all of them, holding their places, not copies.
func splitLang(ups []dedupe.Update, lang string, size int) history {
	h := history{ups: ups, spans: map[string]span32{}, at: []int32{}}
	for i := range ups {
		if _, ok := ups[i].InLang(lang); ok {
			h.at = append(h.at, int32(i))
		}
	}
	h.at = slices.Clip(h.at)
	if len(h.at) == 0 {
		return h
	}
	nth := func(i int) *dedupe.Update { return &ups[h.at[i]] }
	n := 0
	for n < len(h.at) && (n < size || sameMonth(nth(n), nth(0))) {
		n++
	}
	for i := range n {
		h.current = append(h.current, *nth(i))
	}
	h.split(len(h.at), nth)
	return h
}

// split finds the archived months of the n updates that nth gives, newest
// first: every month after the newest.
func (h *history) split(n int, nth func(int) *dedupe.Update) {
	start := 0
	for start < n && sameMonth(nth(start), nth(0)) {
		start++
	}
	for start < n {
		end := start + 1
		for end < n && sameMonth(nth(end), nth(start)) {
			end++
		}
		m := archiveMonth(nth(start))
		h.months = append(h.months, m)
		h.spans[m] = span32{int32(start), int32(end)}
		start = end
	}
}

var contentTypes = map[string]string{"atom": typeAtom, "rss": typeRSS, "json": typeFeed}

var writers = map[string]func(io.Writer, *feedDoc) error{"atom": writeAtom, "rss": writeRSS, "json": writeJSONFeed}

// renderFeed renders a view's current document (month "") or the archive of
// one month in a format. An archive takes the entries it shares with the
// view's current document from it.
func (s *Server) renderFeed(st *site, v view, format, month string) (*document, error) {
	path := v.feedPath(format)
	// No later render copies an archive's pieces.
	doc, _, err := s.renderDoc(st, v, format, month, previous{st.docs[path], st.spliced[path]}, deflateStream)
	return doc, err
}

// previous is a rendered feed document that a render copies the entries it
// shares from, and where they sit in its bytes.
type previous struct {
	doc *document
	at  *spliced
}

// of returns where the entries of ups that the previous document has sit,
// with its gzip to copy them from; nil when it has none of them.
func (p previous) of(st *site, ups []dedupe.Update) *spliced {
	if p.doc == nil || p.at == nil {
		return nil
	}
	for i := range ups {
		if _, ok := p.at.at[st.keyOf(&ups[i])]; ok {
			return &spliced{body: p.doc.gzipped(), at: p.at.at}
		}
	}
	return nil
}

// renderDoc renders a document as renderFeed does, copying the entries prev
// has from it, and returns where each entry sits in the document's gzip
// (without it: the document keeps its gzip). deflate is splice's.
func (s *Server) renderDoc(st *site, v view, format, month string, prev previous, deflate deflater) (*document, *spliced, error) {
	d := s.feedDoc(v, format)
	var ups []dedupe.Update
	if month == "" {
		var older string
		ups, older = st.currentOf(v, s.cfg.FeedSize)
		if older != "" {
			d.PrevArchive = s.abs(v.archivePath(older, format))
		}
	} else {
		h := st.history(v, s.cfg.FeedSize)
		i := slices.Index(h.months, month)
		if i < 0 {
			return nil, nil, notFound("no archive for %s; archived months are %s", month, listOr(h.months, "none yet"))
		}
		ups, _ = h.month(month)
		s.linkArchive(d, v, format, h.months, i)
	}
	body, sum, at, err := s.splice(st, d, format, ups, prev.of(st, ups), func(u *dedupe.Update) entry { return s.entryIn(v, u) }, deflate)
	if err != nil {
		return nil, nil, err
	}
	path := v.feedPath(format)
	if month != "" {
		path = v.archivePath(month, format)
	}
	doc := s.stamped(path, newDocumentSum(body, sum, contentTypes[format], d.Updated))
	doc.header = http.Header{}
	for _, hub := range d.Hubs {
		doc.header.Add("Link", "<"+hub+`>; rel="hub"`)
	}
	doc.header.Add("Link", "<"+d.Self+`>; rel="self"`)
	return doc, &spliced{at: at}, nil
}

// linkArchive makes d, a view's current document, the archive of months[i]
// (newest first), linked to its current document and its neighbours.
func (s *Server) linkArchive(d *feedDoc, v view, format string, months []string, i int) {
	d.Archive, d.Current, d.Hubs = true, d.Self, nil
	d.Self = s.abs(v.archivePath(months[i], format))
	if i+1 < len(months) {
		d.PrevArchive = s.abs(v.archivePath(months[i+1], format))
	}
	if i > 0 {
		d.NextArchive = s.abs(v.archivePath(months[i-1], format))
	}
}

// entryIn is an update's entry in a view.
func (s *Server) entryIn(v view, u *dedupe.Update) entry {
	switch {
	case v.lang == "":
		return s.mergedEntry(u)
	case v.orOriginal:
		return s.orOriginalEntry(u, v.lang)
	default:
		return s.langEntry(u, v.lang)
	}
}

// feedDoc fills the feed-level fields of a view's current document.
func (s *Server) feedDoc(v view, format string) *feedDoc {
	d := &feedDoc{
		Title: s.cfg.Title, Subtitle: s.cfg.Subtitle, Lang: originalLang(s.cfg),
		ID: s.abs(v.feedPath("atom")), Self: s.abs(v.feedPath(format)), Home: s.abs("/"),
		Icon: s.abs("/icon.svg"), About: s.abs("/api"), Hubs: s.cfg.Hubs,
	}
	if d.Subtitle == "" {
		d.Subtitle = config.DefaultSubtitle
	}
	if v.lang != "" {
		l := labelsFor(v.lang)
		d.Title += " — " + v.name(l)
		d.Lang = v.lang
		if d.Subtitle == config.DefaultSubtitle {
			d.Subtitle = l.Subtitle
			if v.orOriginal {
				d.Subtitle = l.OrOriginal
			}
		}
	}
	return d
}

// name names the view in l's words: "All languages", "Deutsch" or
// "Deutsch, else the original".
func (v view) name(l labels) string {
	switch {
	case v.lang == "":
		return l.AllLanguages
	case v.orOriginal:
		return langName(v.lang) + l.ElseOriginal
	default:
		return langName(v.lang)
	}
}

// abs makes a server path absolute against base_url.
func (s *Server) abs(path string) string { return absURL(s.cfg, path) }

func listOr(items []string, none string) string {
	if len(items) == 0 {
		return none
	}
	return strings.Join(items, ", ")
}

// updatePath is an update's page: by number for the daily report, else by
// series and date.
func updatePath(u *dedupe.Update) string {
	if u.Series == defaultSeries && u.Number > 0 {
		return "/updates/" + strconv.Itoa(u.Number)
	}
	return "/updates/" + u.Series + "/" + u.Date.Format(time.DateOnly)
}
