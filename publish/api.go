package publish

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// APIVersion is the version of the public JSON: every document of the HTTP
// API and every -json output of the command line carries it as api_version.
// Within a version fields are only added; a field that changes meaning or
// goes away makes the next version.
const APIVersion = 1

// UpdateView is an update as the public JSON shows it: in /api/updates, in
// /api/updates/{number} and in iswfeed updates -json and show -json. It is
// built from the store's dedupe.Update and never stored.
type UpdateView struct {
	ID     string `json:"id"`
	Series string `json:"series"`
	// Number is left out while the calendar does not know it.
	Number int `json:"number,omitempty"`
	// Date is the report's date, YYYY-MM-DD (US Eastern).
	Date string `json:"date"`
	// Title is the report's title as the feeds show it.
	Title string `json:"title"`
	// LeadTitle is the title of the version that stands for the update: the
	// original's, else the earliest translation's.
	LeadTitle string `json:"lead_title"`
	// ISWURL is the address of ISW's original; empty when not known.
	ISWURL    string        `json:"isw_url"`
	Published time.Time     `json:"published"`
	Updated   time.Time     `json:"updated"`
	Page      string        `json:"page"`
	API       string        `json:"api"`
	Langs     []string      `json:"langs"`
	Variants  []VariantView `json:"variants"`
}

// VariantView is one version of an update: the original or a translation.
type VariantView struct {
	Lang      string    `json:"lang"`
	Source    string    `json:"source"`
	Role      string    `json:"role"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Published time.Time `json:"published"`
	Changed   time.Time `json:"changed"`
	// ContentHTML is the sanitised content, given for one update only.
	ContentHTML string `json:"content_html,omitempty"`
}

// UpdateList is a page of /api/updates and the output of iswfeed updates
// -json; Next is the URL of the following page.
type UpdateList struct {
	APIVersion int          `json:"api_version"`
	Updates    []UpdateView `json:"updates"`
	Next       string       `json:"next,omitempty"`
}

// UpdateDoc is one update with its content: /api/updates/{number} and
// iswfeed show -json.
type UpdateDoc struct {
	APIVersion int `json:"api_version"`
	UpdateView
}

// SourceList is /api/sources and iswfeed sources -json.
type SourceList struct {
	APIVersion int            `json:"api_version"`
	Sources    []SourceStatus `json:"sources"`
	// Numbering is what each translation source taught of its numbering
	// (iswfeed sources only; /status and gaps show it too).
	Numbering []dedupe.Numbering `json:"numbering,omitempty"`
}

// GapsDoc is iswfeed gaps -json: what the store could not complete, as
// dedupe.Gaps documents it.
type GapsDoc struct {
	APIVersion int `json:"api_version"`
	dedupe.Gaps
}

// ViewOf returns the public view of u for the site at cfg's base_url, with
// its variants' content, if it was read, sanitised.
func ViewOf(cfg *config.Config, u *dedupe.Update) UpdateView {
	clean := *u
	clean.Variants = slices.Clone(u.Variants)
	sanitizeVariants(clean.Variants)
	return viewOf(cfg, &clean)
}

// viewOf returns the public view of u, whose content is sanitised already.
func viewOf(cfg *config.Config, u *dedupe.Update) UpdateView {
	page := updatePath(u)
	a := UpdateView{
		ID: u.ID, Series: u.Series, Number: u.Number, Date: u.Date.Format(time.DateOnly), Title: reportTitle(u),
		LeadTitle: plainText(u.Lead().Title), Published: firstPublished(u).UTC(), Updated: u.Updated.UTC(),
		Page: absURL(cfg, page), API: absURL(cfg, "/api"+page), ISWURL: iswURL(u), Langs: u.Langs(), Variants: []VariantView{},
	}
	for _, v := range u.Variants {
		a.Variants = append(a.Variants, VariantView{Lang: v.Lang, Source: v.Source, Role: v.Role, Title: plainText(v.Title),
			URL: linkOf(v), Published: v.Published.UTC(), Changed: v.Changed.UTC(), ContentHTML: v.Content})
	}
	return a
}

// absURL makes a server path absolute against cfg's base_url.
func absURL(cfg *config.Config, path string) string {
	return strings.TrimSuffix(cfg.BaseURL, "/") + path
}

const (
	defaultAPILimit = 50
	maxAPILimit     = 500
)

// listing is one page of /api/updates, validated and normalised: equal
// listings share one cached document, whatever URL asked for them.
type listing struct {
	lang  string
	limit int
	after cursor
}

// cursor is a place in the listing's order: newest report date first, then
// series by name. A page holds the updates after it, so paging never skips
// or repeats an update, whichever series share a date.
type cursor struct {
	date   time.Time // zero: before the first update
	series string    // "": after every update of date
}

// cursorOf is the place of u in the listing.
func cursorOf(u *dedupe.Update) cursor { return cursor{date: u.Date, series: u.Series} }

// precedes reports whether c comes before u in the listing.
func (c cursor) precedes(u *dedupe.Update) bool {
	switch {
	case c.date.IsZero():
		return true
	case !u.Date.Equal(c.date):
		return u.Date.Before(c.date)
	}
	return c.series != "" && u.Series > c.series
}

// path is where the page after c is served: /api/updates/before/{series}/{date}.
func (c cursor) path() string {
	if c.date.IsZero() {
		return "/api/updates"
	}
	if c.series == "" {
		return "/api/updates/before/" + c.date.Format(time.DateOnly)
	}
	return "/api/updates/before/" + c.series + "/" + c.date.Format(time.DateOnly)
}

// listingOf reads a listing from /api/updates?lang=&limit=&before= or
// /api/updates/before/{key} and /api/updates/before/{series}/{date}, where a
// key is an update number or a YYYY-MM-DD date. Other parameters are ignored.
func (s *Server) listingOf(st *site, r *http.Request) (listing, error) {
	q := r.URL.Query()
	l := listing{lang: q.Get("lang"), limit: defaultAPILimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxAPILimit {
			return l, badRequest("limit must be a number from 1 to %d", maxAPILimit)
		}
		l.limit = n
	}
	if l.lang != "" && !slices.Contains(st.langs, l.lang) {
		return l, badRequest("no updates in language %q; languages: %s", l.lang, listOr(st.langs, "none yet"))
	}
	key, series := r.PathValue("key"), r.PathValue("series")
	if key == "" {
		key = q.Get("before")
		if before, date, ok := strings.Cut(key, "/"); ok {
			series, key = before, date
		}
	}
	if key == "" {
		return l, nil
	}
	var err error
	if l.after, err = s.cursorAt(st, series, key); err != nil {
		return l, badRequest("before must be an update number, a date (YYYY-MM-DD) or {series}/{date}: %v", err)
	}
	return l, nil
}

// cursorAt reads a cursor: a number names its daily report, which must be
// known; a date alone stands after every report of that day; a series and a
// date need no report, so that a next link stays valid.
func (s *Server) cursorAt(st *site, series, key string) (cursor, error) {
	if series != "" && !s.cfg.Published(series) {
		return cursor{}, notFound("no series %q is published", series)
	}
	if n, err := strconv.Atoi(key); err == nil && series == "" {
		u, err := st.find(defaultSeries, strconv.Itoa(n))
		if err != nil {
			return cursor{}, err
		}
		return cursorOf(u), nil
	}
	d, err := time.Parse(time.DateOnly, key)
	if err != nil {
		return cursor{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", key)
	}
	return cursor{date: d, series: series}, nil
}

// page returns the listing's updates and the cursor after the last, or the
// zero cursor when there are no more. The first page holds the newest limit
// updates. A page after a cursor holds at most limit and ends at an anchor:
// an update whose place, counted from the oldest shown, is a multiple of
// limit. So a newer report changes the first page and the one after it, and
// every later page keeps its updates, its path and its bytes: an export
// rewrites two pages, and a client's next link stays the page it was. The
// listing's cursor moves back to just after the update before the first
// shown, so that cursors that differ but show the same page share one key.
func (l *listing) page(st *site) (ups []dedupe.Update, next cursor) {
	shown := func(u *dedupe.Update) bool {
		_, ok := u.InLang(l.lang)
		return l.lang == "" || ok
	}
	// Walked in place: a copy of a language's updates would cost the history.
	var before *dedupe.Update
	i := 0
	for ; i < len(st.updates) && !l.after.precedes(&st.updates[i]); i++ {
		if shown(&st.updates[i]) {
			before = &st.updates[i]
		}
	}
	size := l.limit
	l.after = cursor{}
	if before != nil {
		l.after = cursorOf(before)
		older := 0
		for j := i; j < len(st.updates); j++ {
			if shown(&st.updates[j]) {
				older++
			}
		}
		// The first shown is the oldest but older-1: the page ends at the
		// nearest multiple of limit at or below that place.
		size = (older-1)%l.limit + 1
	}
	for ; i < len(st.updates); i++ {
		if !shown(&st.updates[i]) {
			continue
		}
		if len(ups) == size {
			next = cursorOf(&ups[len(ups)-1])
			break
		}
		ups = append(ups, st.updates[i])
	}
	return ups, next
}

// url is the listing's canonical path and query.
func (l listing) url() string {
	q := url.Values{}
	if l.lang != "" {
		q.Set("lang", l.lang)
	}
	if l.limit != defaultAPILimit {
		q.Set("limit", strconv.Itoa(l.limit))
	}
	if len(q) == 0 {
		return l.after.path()
	}
	return l.after.path() + "?" + q.Encode()
}

// apiUpdates answers /api/updates and the pages after a cursor: newest
// first, filtered by ?lang=, at most ?limit=, with the URL of the next page.
// Equal listings share one cached document, whatever URL asked for them.
func (s *Server) apiUpdates(r *http.Request) (*document, error) {
	st, err := s.whole(r.Context())
	if err != nil {
		return nil, err
	}
	l, err := s.listingOf(st, r)
	if err != nil {
		return nil, err
	}
	ups, next := l.page(st)
	return st.cached(l.url(), func() (*document, error) { return s.renderListing(l, ups, next) })
}

func (s *Server) renderListing(l listing, ups []dedupe.Update, next cursor) (*document, error) {
	out := UpdateList{APIVersion: APIVersion, Updates: []UpdateView{}}
	var modified time.Time
	for i := range ups {
		out.Updates = append(out.Updates, viewOf(s.cfg, &ups[i]))
		modified = latest(modified, ups[i].Updated)
	}
	if !next.date.IsZero() {
		l.after = next
		out.Next = s.abs(l.url())
	}
	return s.jsonDocument(l.url(), out, modified)
}

// apiUpdate answers /api/updates/{number} and /api/updates/{series}/{date}
// with every variant's sanitised content.
func (s *Server) apiUpdate(st *site, r *http.Request) (*document, error) {
	u, err := s.fullUpdate(st, r)
	if err != nil {
		return nil, err
	}
	return s.jsonDocument(r.URL.Path, UpdateDoc{APIVersion: APIVersion, UpdateView: viewOf(s.cfg, u)}, u.Updated)
}

// apiSources answers /api/sources from the daemon's poll state.
func (s *Server) apiSources(_ *site, r *http.Request) (*document, error) {
	sources, err := s.sources()
	if err != nil {
		return nil, err
	}
	return s.jsonDocument(r.URL.Path, SourceList{APIVersion: APIVersion, Sources: sources}, time.Time{})
}

// sources lists the sources as /status and /api/sources show them: their
// addresses without user-info and query, which may hold secrets.
func (s *Server) sources() ([]SourceStatus, error) {
	if s.opts.Sources == nil {
		out := []SourceStatus{}
		for _, src := range s.cfg.Sources {
			out = append(out, SourceStatus{Name: src.Name, URL: config.PublicURL(src.URL), Lang: src.Lang, Role: src.Role})
		}
		return out, nil
	}
	sources, err := s.opts.Sources()
	if sources == nil {
		sources = []SourceStatus{}
	}
	for i := range sources {
		sources[i].URL = config.PublicURL(sources[i].URL)
		sources[i].LastError = publicText(sources[i].LastError)
	}
	return sources, err
}

// addressIn matches what looks like an absolute URL in text, such as the
// address a poll error quotes.
var addressIn = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`)

// publicText is text with every address in it shown as config.PublicURL
// shows it.
func publicText(s string) string {
	return addressIn.ReplaceAllStringFunc(s, func(addr string) string {
		if public := config.PublicURL(addr); public != "" {
			return public
		}
		return "[address]"
	})
}

// apiIndex answers /api: what the API and the feeds' extension offer.
func (s *Server) apiIndex(st *site, r *http.Request) (*document, error) {
	doc := map[string]any{
		"api_version":    APIVersion,
		"updates":        s.abs("/api/updates") + "{?lang,limit,before}; each page's next is " + s.abs("/api/updates/before/") + "{series}/{date}{?lang,limit}",
		"update":         s.abs("/api/updates/") + "{number} or {series}/{date}",
		"sources":        s.abs("/api/sources"),
		"languages":      st.langs,
		"feeds":          s.abs("/feed.atom") + " (and .rss, .json; /{lang}/feed.atom for one language)",
		"archives":       s.abs("/archive/") + "{yyyy-mm}.atom (and /archive/{lang}/{yyyy-mm}.atom; RFC 5005)",
		"json_extension": "_iswfeed in JSON Feed items: series, number, date and variants (lang, source, role, title, url); in the feed: archive, current, prev_archive, next_archive",
	}
	return s.jsonDocument(r.URL.Path, doc, time.Time{})
}

func (s *Server) jsonDocument(key string, v any, modified time.Time) (*document, error) {
	body, err := marshalJSON(v)
	if err != nil {
		return nil, err
	}
	return s.document(key, body, typeJSON, modified), nil
}
