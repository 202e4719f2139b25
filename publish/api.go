package publish

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"iswfeed/dedupe"
)

// apiUpdate is an update as the JSON API shows it.
type apiUpdate struct {
	ID        string       `json:"id"`
	Series    string       `json:"series"`
	Number    int          `json:"number,omitempty"`
	Date      string       `json:"date"`
	Title     string       `json:"title"`
	Published time.Time    `json:"published"`
	Updated   time.Time    `json:"updated"`
	Page      string       `json:"page"`
	API       string       `json:"api"`
	Langs     []string     `json:"langs"`
	Variants  []apiVariant `json:"variants"`
}

type apiVariant struct {
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

func (s *Server) apiUpdateOf(u *dedupe.Update) apiUpdate {
	page := updatePath(u)
	a := apiUpdate{
		ID: u.ID, Series: u.Series, Number: u.Number, Date: u.Date.Format(time.DateOnly), Title: reportTitle(u),
		Published: u.Published.UTC(), Updated: u.Updated.UTC(), Page: s.abs(page), API: s.abs("/api" + page),
		Langs: u.Langs(), Variants: []apiVariant{},
	}
	for _, v := range u.Variants {
		a.Variants = append(a.Variants, apiVariant{Lang: v.Lang, Source: v.Source, Role: v.Role, Title: plainText(v.Title),
			URL: v.URL, Published: v.Published.UTC(), Changed: v.Changed.UTC(), ContentHTML: v.Content})
	}
	return a
}

const (
	defaultAPILimit = 50
	maxAPILimit     = 500
)

// listing is what /api/updates reads from its query, validated and
// normalised, so that equal listings share one cached document.
type listing struct {
	lang   string
	limit  int
	before time.Time
}

// listingOf reads ?lang=, ?limit= (1..500, default 50) and ?before= (an
// update number or a YYYY-MM-DD date); other parameters are ignored.
func listingOf(st *site, r *http.Request) (listing, error) {
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
	if v := q.Get("before"); v != "" {
		u, err := st.find(defaultSeries, v)
		if err != nil {
			return l, badRequest("before must be an update number or a date (YYYY-MM-DD) of a known update: %v", err)
		}
		l.before = u.Date
	}
	return l, nil
}

// key is the listing's canonical URL path and query.
func (l listing) key() string {
	q := url.Values{}
	if !l.before.IsZero() {
		q.Set("before", l.before.Format(time.DateOnly))
	}
	if l.lang != "" {
		q.Set("lang", l.lang)
	}
	if l.limit != defaultAPILimit {
		q.Set("limit", strconv.Itoa(l.limit))
	}
	if len(q) == 0 {
		return "/api/updates"
	}
	return "/api/updates?" + q.Encode()
}

// apiUpdates answers /api/updates: newest first, filtered by ?lang=, at most
// ?limit=, older than ?before=, with the URL of the next page.
func (s *Server) apiUpdates(w http.ResponseWriter, r *http.Request) {
	st := s.site.Load()
	l, err := listingOf(st, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.serveCached(w, r, st, l.key(), func() (*document, error) { return s.renderListing(st, l) })
}

func (s *Server) renderListing(st *site, l listing) (*document, error) {
	out := struct {
		Updates []apiUpdate `json:"updates"`
		Next    string      `json:"next,omitempty"`
	}{Updates: []apiUpdate{}}
	ups := st.inView(view{lang: l.lang})
	var modified time.Time
	for i := range ups {
		u := &ups[i]
		if !l.before.IsZero() && !u.Date.Before(l.before) {
			continue
		}
		if len(out.Updates) == l.limit {
			next := listing{lang: l.lang, limit: l.limit, before: ups[i-1].Date}
			out.Next = s.abs(next.key())
			break
		}
		out.Updates = append(out.Updates, s.apiUpdateOf(u))
		modified = latest(modified, u.Updated)
	}
	return s.jsonDocument(l.key(), out, modified)
}

// apiUpdate answers /api/updates/{number} and /api/updates/{series}/{date}
// with every variant's sanitised content.
func (s *Server) apiUpdate(st *site, r *http.Request) (*document, error) {
	u, err := s.fullUpdate(st, r)
	if err != nil {
		return nil, err
	}
	return s.jsonDocument(r.URL.Path, s.apiUpdateOf(u), u.Updated)
}

// apiSources answers /api/sources from the daemon's poll state.
func (s *Server) apiSources(_ *site, r *http.Request) (*document, error) {
	sources, err := s.sources()
	if err != nil {
		return nil, err
	}
	return s.jsonDocument(r.URL.Path, map[string]any{"sources": sources}, time.Time{})
}

func (s *Server) sources() ([]SourceStatus, error) {
	if s.opts.Sources == nil {
		out := []SourceStatus{}
		for _, src := range s.cfg.Sources {
			out = append(out, SourceStatus{Name: src.Name, URL: src.URL, Lang: src.Lang, Role: src.Role})
		}
		return out, nil
	}
	sources, err := s.opts.Sources()
	if sources == nil {
		sources = []SourceStatus{}
	}
	return sources, err
}

// apiIndex answers /api: what the API and the feeds' extension offer.
func (s *Server) apiIndex(st *site, r *http.Request) (*document, error) {
	doc := map[string]any{
		"updates":        s.abs("/api/updates") + "{?lang,limit,before}",
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
