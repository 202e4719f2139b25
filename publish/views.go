package publish

import (
	"bytes"
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
	h := splitHistory(st.inView(v), size)
	if st.histories == nil {
		st.histories = map[view]*history{}
	}
	st.histories[v] = &h
	return &h
}

// history splits a view's updates into the current document and monthly
// archives. The newest report's month stays open in the current document;
// every older month is archived, so current and archives together hold every
// report.
type history struct {
	current []dedupe.Update
	months  []string // archived months, newest first
	byMonth map[string][]dedupe.Update
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
	h := history{byMonth: map[string][]dedupe.Update{}}
	if len(ups) == 0 {
		return h
	}
	open := &ups[0]
	n := 0
	for n < len(ups) && (n < size || sameMonth(&ups[n], open)) {
		n++
	}
	h.current = ups[:n]
	start := 0
	for start < len(ups) && sameMonth(&ups[start], open) {
		start++
	}
	for start < len(ups) {
		end := start + 1
		for end < len(ups) && sameMonth(&ups[end], &ups[start]) {
			end++
		}
		m := archiveMonth(&ups[start])
		h.months = append(h.months, m)
		h.byMonth[m] = ups[start:end:end]
		start = end
	}
	return h
}

var contentTypes = map[string]string{"atom": typeAtom, "rss": typeRSS, "json": typeFeed}

var writers = map[string]func(io.Writer, *feedDoc) error{"atom": writeAtom, "rss": writeRSS, "json": writeJSONFeed}

// renderFeed renders a view's current document (month "") or the archive of
// one month in a format.
func (s *Server) renderFeed(st *site, v view, format, month string) (*document, error) {
	h := st.history(v, s.cfg.FeedSize)
	d := s.feedDoc(v, format)
	ups := h.current
	if month == "" {
		if len(h.months) > 0 {
			d.PrevArchive = s.abs(v.archivePath(h.months[0], format))
		}
	} else {
		i := slices.Index(h.months, month)
		if i < 0 {
			return nil, notFound("no archive for %s; archived months are %s", month, listOr(h.months, "none yet"))
		}
		ups = h.byMonth[month]
		d.Archive, d.Current, d.Hubs = true, d.Self, nil
		d.Self = s.abs(v.archivePath(month, format))
		if i+1 < len(h.months) {
			d.PrevArchive = s.abs(v.archivePath(h.months[i+1], format))
		}
		if i > 0 {
			d.NextArchive = s.abs(v.archivePath(h.months[i-1], format))
		}
	}
	full, err := s.withContent(ups)
	if err != nil {
		return nil, err
	}
	for i := range full {
		d.Entries = append(d.Entries, s.entryIn(v, &full[i]))
	}
	d.Updated = newest(d.Entries)
	var buf bytes.Buffer
	if err := writers[format](&buf, d); err != nil {
		return nil, err
	}
	path := v.feedPath(format)
	if month != "" {
		path = v.archivePath(month, format)
	}
	doc := s.document(path, buf.Bytes(), contentTypes[format], d.Updated)
	doc.header = http.Header{}
	for _, hub := range d.Hubs {
		doc.header.Add("Link", "<"+hub+`>; rel="hub"`)
	}
	doc.header.Add("Link", "<"+d.Self+`>; rel="self"`)
	return doc, nil
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
