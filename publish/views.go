package publish

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// view is one feed family: the merged feed (lang "") or one language's.
type view struct{ lang string }

var formats = []string{"atom", "rss", "json"}

func (v view) prefix() string {
	if v.lang == "" {
		return "/"
	}
	return "/" + v.lang + "/"
}

func (v view) feedPath(format string) string { return v.prefix() + "feed." + format }

func (v view) archivePath(month, format string) string {
	if v.lang == "" {
		return "/archive/" + month + "." + format
	}
	return "/archive/" + v.lang + "/" + month + "." + format
}

func (st *site) views() []view {
	vs := []view{{}}
	for _, l := range st.langs {
		vs = append(vs, view{lang: l})
	}
	return vs
}

// inView returns the updates a view shows, newest first.
func (st *site) inView(v view) []dedupe.Update {
	if v.lang == "" {
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

func monthOf(u *dedupe.Update) string { return u.Date.Format("2006-01") }

// splitHistory splits ups, newest first, into the current document and
// monthly archives; each month is a part of ups, not a copy.
func splitHistory(ups []dedupe.Update, size int) history {
	h := history{byMonth: map[string][]dedupe.Update{}}
	if len(ups) == 0 {
		return h
	}
	open := monthOf(&ups[0])
	n := 0
	for n < len(ups) && (n < size || monthOf(&ups[n]) == open) {
		n++
	}
	h.current = ups[:n]
	start := 0
	for start < len(ups) && monthOf(&ups[start]) == open {
		start++
	}
	for start < len(ups) {
		m, end := monthOf(&ups[start]), start+1
		for end < len(ups) && monthOf(&ups[end]) == m {
			end++
		}
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
		if v.lang == "" {
			d.Entries = append(d.Entries, s.mergedEntry(&full[i]))
		} else {
			d.Entries = append(d.Entries, s.langEntry(&full[i], v.lang))
		}
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
		d.Title += " — " + langName(v.lang)
		d.Lang = v.lang
	}
	return d
}

// abs makes a server path absolute against base_url.
func (s *Server) abs(path string) string {
	return strings.TrimSuffix(s.cfg.BaseURL, "/") + path
}

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
		return "/updates/" + itoa(u.Number)
	}
	return "/updates/" + u.Series + "/" + u.Date.Format(time.DateOnly)
}
