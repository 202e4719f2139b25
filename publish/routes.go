package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
)

const defaultSeries = config.DefaultSeries

// patternOf is the pattern the mux routes a GET of path by.
func (s *Server) patternOf(path string) string {
	_, pattern := s.mux.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: path}})
	return pattern
}

// routes maps every path the server answers. ServeMux answers unknown paths
// with 404 and other methods with 405 and an Allow header. Every document's
// route is a route value, so that documentAt finds a path's document through
// the same table.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, f := range formats {
		path := view{}.feedPath(f)
		mux.Handle("GET "+path, s.current(func(*http.Request) (string, error) { return path, nil }))
	}
	mux.Handle("GET /{lang}/{doc}", s.current(s.langFeedPath))
	mux.Handle("GET /archive/{file}", s.lazy(s.archive))
	mux.Handle("GET /archive/{lang}/{file}", s.lazy(s.archive))
	mux.Handle("GET /{$}", s.lazy(s.indexPage))
	mux.Handle("GET /updates/{key}", s.lazy(s.updatePage))
	mux.Handle("GET /updates/{series}/{key}", s.lazy(s.updatePage))
	mux.Handle("GET /status", s.dynamic(s.cachedStatus))
	mux.Handle("GET /api", s.lazy(s.apiIndex))
	listing := route{s: s, resolve: s.apiUpdates, cache: s.cacheControl}
	mux.Handle("GET /api/updates", listing)
	mux.Handle("GET /api/updates/before/{key}", listing)
	mux.Handle("GET /api/updates/before/{series}/{key}", listing)
	mux.Handle("GET /api/updates/{key}", s.lazy(s.apiUpdate))
	mux.Handle("GET /api/updates/{series}/{key}", s.lazy(s.apiUpdate))
	mux.Handle("GET /api/sources", s.dynamic(s.apiSources))
	mux.Handle("GET /icon.svg", s.static(iconDoc))
	mux.HandleFunc("GET /healthz", s.healthz)
	if s.opts.Registry != nil {
		mux.Handle("GET /metrics", s.metrics.handler(s.opts.Registry))
	}
	return mux
}

// route serves the document that resolve finds or renders for a request,
// with Cache-Control cache.
type route struct {
	s       *Server
	resolve func(r *http.Request) (*document, error)
	cache   []string
}

func (rt route) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	doc, err := rt.resolve(r)
	if c, ok := w.(*capture); ok {
		c.doc, c.err = doc, err
		return
	}
	if err != nil {
		rt.s.fail(w, r, err)
		return
	}
	doc.serve(w, r, rt.cache)
}

// documentAt returns the document a GET of path (no query) answers with,
// routed by the mux as a request is, wildcards and all, without serving it.
func (s *Server) documentAt(ctx context.Context, path string) (*document, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	var c capture
	s.mux.ServeHTTP(&c, r)
	if c.doc == nil && c.err == nil {
		return nil, fmt.Errorf("publish: %s is not a document", path)
	}
	return c.doc, c.err
}

// capture is the ResponseWriter documentAt routes with: a route hands it what
// it resolved instead of serving it, and anything else is dropped.
type capture struct {
	doc    *document
	err    error
	header http.Header
}

func (c *capture) Header() http.Header {
	if c.header == nil {
		c.header = http.Header{}
	}
	return c.header
}

func (c *capture) Write(b []byte) (int, error) { return len(b), nil }

func (c *capture) WriteHeader(int) {}

// current serves one of the eagerly rendered current feeds.
func (s *Server) current(path func(*http.Request) (string, error)) route {
	return route{s: s, cache: s.cacheControl, resolve: func(r *http.Request) (*document, error) {
		p, err := path(r)
		if err != nil {
			return nil, err
		}
		doc, ok := s.currentDoc(r.Context(), p)
		if !ok {
			return nil, &statusError{http.StatusServiceUnavailable, "not rendered yet"}
		}
		return doc, nil
	}}
}

// langFeedPath checks /{lang}/{doc} and /{lang}+/{doc} against the languages
// there are.
func (s *Server) langFeedPath(r *http.Request) (string, error) {
	format, ok := strings.CutPrefix(r.PathValue("doc"), "feed.")
	if !ok || !slices.Contains(formats, format) {
		return "", notFound("404 page not found")
	}
	v, err := s.site.Load().viewOf(r.PathValue("lang"))
	if err != nil {
		return "", err
	}
	return v.feedPath(format), nil
}

// renderer renders a document for a request from one site.
type renderer func(st *site, r *http.Request) (*document, error)

// lazy serves documents rendered on first request and kept until the next
// change, keyed by routedPath: these renderers read no query, so a query
// string neither renders nor keeps another copy.
func (s *Server) lazy(render renderer) route {
	return route{s: s, cache: s.cacheControl, resolve: func(r *http.Request) (*document, error) {
		st, err := s.whole(r.Context())
		if err != nil {
			return nil, err
		}
		return st.cached(routedPath(r), func() (*document, error) { return render(st, r) })
	}}
}

// routedPath is the path as the mux routes it: the escaped path's segments,
// each unescaped and escaped again one way. Two requests share it only when
// the mux gives them one route and the same path values, so that it keys
// what was rendered for them; the unescaped path does not, as an escaped
// slash ("/archive/en%2F2023-02.atom", one segment) unescapes to another
// route's path ("/archive/en/2023-02.atom", two).
func routedPath(r *http.Request) string {
	if r.URL.RawPath == "" {
		return r.URL.EscapedPath() // the standard escaping: no slash escaped, nothing to split
	}
	segs := strings.Split(r.URL.EscapedPath(), "/")
	for i, seg := range segs {
		if u, err := url.PathUnescape(seg); err == nil {
			segs[i] = url.PathEscape(u)
		}
	}
	return strings.Join(segs, "/")
}

// dynamic serves documents that show live state (the sources' health): they
// are rendered per request, still with an ETag so that polling is cheap.
func (s *Server) dynamic(render renderer) route {
	return route{s: s, cache: revalidate, resolve: func(r *http.Request) (*document, error) {
		return render(s.site.Load(), r)
	}}
}

func (s *Server) static(doc *document) route {
	return route{s: s, cache: cacheControl(24 * time.Hour), resolve: func(*http.Request) (*document, error) { return doc, nil }}
}

// archive renders /archive/{yyyy-mm}.{format} and /archive/{lang}/{yyyy-mm}.{format}.
func (s *Server) archive(st *site, r *http.Request) (*document, error) {
	v := view{}
	if dir := r.PathValue("lang"); dir != "" {
		var err error
		if v, err = st.viewOf(dir); err != nil {
			return nil, err
		}
	}
	month, format, ok := strings.Cut(r.PathValue("file"), ".")
	if _, err := time.Parse("2006-01", month); !ok || err != nil || !slices.Contains(formats, format) {
		return nil, notFound("archives are named YYYY-MM.atom, YYYY-MM.rss or YYYY-MM.json")
	}
	return s.renderFeed(st, v, format, month)
}

// find resolves an update by number (the daily report) or by date, within
// the published series: a number through the site's index of numbers, a date
// by a binary search of its updates, which are in newestFirst's order.
func (st *site) find(series, key string) (*dedupe.Update, error) {
	if series == "" {
		series = defaultSeries
	}
	// Only the canonical spelling of a number ("404", not "0404" or "+404"),
	// so that one report has one URL and one cache entry.
	if n, err := strconv.Atoi(key); err == nil && n > 0 && strconv.Itoa(n) == key {
		if i, ok := st.numbered()[seriesNumber{series, n}]; ok {
			return &st.updates[i], nil
		}
		return nil, notFound("no update %d", n)
	}
	d, err := time.Parse(time.DateOnly, key)
	if err != nil {
		return nil, badRequest("%q is neither an update number nor a date (YYYY-MM-DD)", key)
	}
	if i, ok := slices.BinarySearchFunc(st.updates, dedupe.Update{Series: series, Date: d}, newestFirst); ok {
		return &st.updates[i], nil
	}
	return nil, notFound("no %s report of %s", series, key)
}

// seriesNumber names a numbered update.
type seriesNumber struct {
	series string
	number int
}

// numbered is the site's index of its numbered updates' places, made on
// first use; of two updates with one number, the newer has it, as a search
// from the newest would find.
func (st *site) numbered() map[seriesNumber]int {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.numbers != nil {
		return st.numbers
	}
	st.numbers = map[seriesNumber]int{}
	for i := range st.updates {
		u := &st.updates[i]
		if k := (seriesNumber{u.Series, u.Number}); u.Number > 0 {
			if _, ok := st.numbers[k]; !ok {
				st.numbers[k] = i
			}
		}
	}
	return st.numbers
}

// fullUpdate is the update at the request's path, with sanitised content.
func (s *Server) fullUpdate(st *site, r *http.Request) (*dedupe.Update, error) {
	u, err := st.find(r.PathValue("series"), r.PathValue("key"))
	if err != nil {
		return nil, err
	}
	full, err := s.withContent([]dedupe.Update{*u})
	if err != nil {
		return nil, err
	}
	return &full[0], nil
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	var body any = map[string]string{"status": "ok"}
	ok := true
	if s.opts.Health != nil {
		body, ok = s.opts.Health()
	}
	code := http.StatusOK
	if !ok {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, code, body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", typeJSON)
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// marshalJSON is json.MarshalIndent(v, "", "  ") and a newline.
func marshalJSON(v any) ([]byte, error) {
	buf := getBuffer()
	defer putBuffer(buf)
	if err := encodeIndented(buf, v, "", "  ", true); err != nil {
		return nil, err
	}
	return copyExact(buf.Bytes()), nil
}
