package publish

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// Options are what the daemon lends the server beyond the store.
type Options struct {
	// Sources reports the sources' poll state for /api/sources and /status.
	Sources func() ([]SourceStatus, error)
	// Health gives /healthz its JSON body and whether to answer 200 or 503.
	Health func() (any, bool)
	// Registry, when set, is served on /metrics and holds the HTTP and WebSub
	// counters.
	Registry *prometheus.Registry
	// Client sends WebSub pings; nil means a client with a 10 s timeout.
	Client *http.Client
	// Generation, when set, names the state of the store and the poll states:
	// it moves whenever either changes, so /status is rendered again only
	// then. Without it /status is rendered at most once a second.
	Generation func() uint64
	// StartCause is what Start's renders count as: RenderStartup when empty,
	// RenderReload for the server that a config reload builds.
	StartCause string
}

// SourceStatus is one source's poll state as the public JSON shows it: in
// /api/sources and iswfeed sources -json. Times are left out until they
// happen.
type SourceStatus struct {
	Name                string    `json:"name"`
	URL                 string    `json:"url"`
	Lang                string    `json:"lang"`
	Role                string    `json:"role"`
	LastAttempt         time.Time `json:"last_attempt,omitzero"`
	LastSuccess         time.Time `json:"last_success,omitzero"`
	LastStatus          int       `json:"last_status"`
	LastError           string    `json:"last_error"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	NextPoll            time.Time `json:"next_poll,omitzero"`
	Count200            int       `json:"count_200"`
	Count304            int       `json:"count_304"`
	CountErrors         int       `json:"count_errors"`
	// NetworkDown says the last poll failed while every source failed, so
	// the failure was not counted against this one.
	NetworkDown bool `json:"network_down,omitempty"`
}

// Server serves the feeds, pages and API from documents rendered once per
// change of the store.
type Server struct {
	cfg     *config.Config
	store   *dedupe.Store
	log     *slog.Logger
	opts    Options
	metrics *metrics
	mux     *http.ServeMux // the routes, for documentAt
	// feedCounters and langFeedCounters count the current feeds that
	// ServeHTTP answers without the mux, under the patterns the mux routes
	// them by: the merged feed's, by path, and the languages' (one pattern).
	feedCounters     []feedCounters
	langFeedCounters *routeCounters
	handler          http.Handler
	now              func() time.Time
	// started is the second after New: later than any Last-Modified an
	// earlier server on the store sent, unless it ran in the same second.
	started time.Time

	// refreshMu guards rendering, next and waiting: whether a render runs,
	// the one that calls made meanwhile wait for, and how many wait.
	refreshMu sync.Mutex
	rendering bool
	next      *round
	waiting   int
	// onRender, when set (by tests), runs as each render starts.
	onRender func()
	site     atomic.Pointer[site]

	mu sync.Mutex
	// entries holds, while the current feeds are rendered, the sanitised
	// updates they show, by id, so that the views share one sanitising of
	// each; between renders, spliced entries need no content, and the
	// updates are among the recent ones. Other updates are sanitised per
	// render: their documents are cached instead.
	entries map[string]*dedupe.Update
	recent  recentUpdates    // the others, within maxRecentBytes
	shown   map[string]bool  // ids of the updates the current feeds being rendered show
	stamps  map[string]stamp // last ETag and Last-Modified by path
	// stampBytes is what stamps holds (stampBytes), within maxStampBytes.
	stampBytes, maxStampBytes int
	// lazyBytes bounds each site's cache of documents rendered on request.
	lazyBytes int
	// keepBytes keeps each document rendered from here on with its bytes as
	// well as its gzip (document.body): an export writes both.
	keepBytes bool
	// cacheControl is what documents kept until the next change send.
	cacheControl []string
	// plain keeps the bytes of the documents last served without gzip.
	plain plainCache

	pings sync.WaitGroup
	// encoded counts the feed entries encoded, and fullReads the refreshes
	// that read every report: what a change costs, for tests.
	encoded, fullReads atomic.Int64

	status statusCache
}

// site is everything rendered from one state of the store.
type site struct {
	generation atomic.Uint64   // the store's generation when its updates were read
	updates    []dedupe.Update // published updates, newest first, without content
	langs      []string
	origLang   string               // the merged feed's language, which has no "+" view
	docs       map[string]*document // the current feeds, rendered eagerly
	// spliced tells where each entry sits in the current feeds' bytes, by
	// path, so that the next site copies the entries that did not change.
	spliced map[string]*spliced
	// partial marks a site of the newest reports only, made by Start;
	// complete is closed when a site of the whole history replaces it.
	partial  bool
	complete chan struct{}
	// rendered, on the site Start serves first, is closed when a site with
	// every view's current feeds replaces it (see currentDoc).
	rendered chan struct{}
	// shows fingerprints what each view's current feed shows, so that the
	// next site can tell which views it must render again.
	shows map[view][sha256.Size]byte

	rendering singleflight.Group
	mu        sync.Mutex
	lazy      map[string]*document // everything else, rendered on first request
	lazyBytes int                  // the bytes lazy's documents hold
	maxBytes  int                  // lazyBytes' bound; 0 means maxLazyBytes
	histories map[view]*history    // each view's split, made on first use
	keys      map[string]entryKey  // each update's entry key by id, made on first use
	numbers   map[seriesNumber]int // each numbered update's place, made on first use (find)
}

// stamp remembers a path's last bytes so Last-Modified moves only when they do.
type stamp struct {
	etag     string
	modified time.Time
}

// New returns a server for store's published updates; call Refresh before
// serving.
func New(cfg *config.Config, store *dedupe.Store, log *slog.Logger, opts Options) *Server {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{cfg: cfg, store: store, log: log, opts: opts, now: time.Now,
		started: time.Now().UTC().Truncate(time.Second).Add(time.Second),
		metrics: newMetrics(opts.Registry), entries: map[string]*dedupe.Update{}, stamps: map[string]stamp{},
		lazyBytes: maxLazyBytes, maxStampBytes: maxStampBytes, cacheControl: cacheControl(cfg.CacheMaxAge)}
	s.recent.limit, s.plain.limit = maxRecentBytes, maxPlainBytes
	s.site.Store(&site{docs: map[string]*document{}, lazy: map[string]*document{}})
	s.mux = s.routes()
	for _, f := range formats {
		p := view{}.feedPath(f)
		s.feedCounters = append(s.feedCounters, feedCounters{p, s.metrics.route(s.patternOf(p))})
	}
	s.langFeedCounters = s.metrics.route(s.patternOf(view{lang: "en"}.feedPath("atom")))
	s.handler = s.metrics.instrument(s.mux)
	return s
}

// ServeHTTP serves the feeds, pages and API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if doc, counters := s.currentFeed(r); doc != nil {
		counters.count(doc.serve(w, r, s.cacheControl))
		return
	}
	s.handler.ServeHTTP(w, r)
}

// currentFeed finds a GET or HEAD of a current feed, the requests subscribers
// make most, without the mux, and returns it with the counters of the route
// the mux would count it under. A path spelled with escapes is left to the
// mux, which routes an escaped slash ("/de%2Ffeed.atom") elsewhere.
func (s *Server) currentFeed(r *http.Request) (*document, *routeCounters) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || r.URL.RawPath != "" {
		return nil, nil
	}
	doc := s.site.Load().docs[r.URL.Path]
	if doc == nil {
		return nil, nil
	}
	for _, fc := range s.feedCounters {
		if fc.path == r.URL.Path {
			return doc, fc.counters
		}
	}
	return doc, s.langFeedCounters
}

type feedCounters struct {
	path     string
	counters *routeCounters
}

// Refresh re-renders the current feeds after the store changed. It returns at
// once when the store has not written since the last render or the published
// updates are as they were, and pings the WebSub hubs for each feed whose
// bytes changed. The daemon calls it once per poll round; calls that arrive
// while a render runs share the one render that starts after it, and every
// call returns after a render that began after it was made. A render it
// makes counts as RenderRound.
func (s *Server) Refresh() error { return s.RefreshFor(RenderRound) }

// RefreshFor is Refresh, counting the render it makes under cause (see
// RenderRound and the others); calls that share a render count it under the
// first one's cause.
func (s *Server) RefreshFor(cause string) error {
	s.refreshMu.Lock()
	if s.rendering {
		if s.next == nil {
			s.next = &round{done: make(chan struct{}), cause: cause}
		}
		r := s.next
		s.waiting++
		s.refreshMu.Unlock()
		<-r.done
		return r.err
	}
	s.rendering = true
	s.refreshMu.Unlock()
	err := s.refresh(cause)
	for {
		s.refreshMu.Lock()
		r := s.next
		s.next, s.waiting = nil, 0
		if r == nil {
			s.rendering = false
			s.refreshMu.Unlock()
			return err
		}
		s.refreshMu.Unlock()
		r.err = s.refresh(r.cause)
		close(r.done)
	}
}

// newSite is a site of ups, nothing rendered yet.
func (s *Server) newSite(ups []dedupe.Update) *site {
	return s.siteOf(ups, sortedLangs(s.cfg, ups))
}

// siteOf is a site of ups in langs, nothing rendered yet.
func (s *Server) siteOf(ups []dedupe.Update, langs []string) *site {
	return &site{updates: ups, langs: langs, origLang: originalLang(s.cfg),
		docs: map[string]*document{}, spliced: map[string]*spliced{}, lazy: map[string]*document{}, maxBytes: s.lazyBytes}
}

// round is a render that calls made during another wait for.
type round struct {
	done  chan struct{}
	err   error
	cause string // the first call's
}

// refresh renders the site if the store changed, counting it under cause.
func (s *Server) refresh(cause string) error {
	if s.onRender != nil {
		s.onRender()
	}
	old := s.site.Load()
	// Read before the updates: a write after this is seen by the next refresh.
	generation := s.store.Generation()
	if old.updates != nil && !old.partial && old.generation.Load() == generation {
		return nil
	}
	next, err := s.nextSite(old, generation)
	if err != nil || next == nil {
		return err
	}
	s.keepCurrent(next)
	defer s.releaseCurrent()
	if err := s.renderCurrent(old, next); err != nil {
		return err
	}
	s.site.Store(next)
	s.metrics.rendered(cause)
	switch {
	case old.partial:
		close(old.complete)
	case old.updates != nil:
		s.notify(changedFeeds(old, next))
	}
	return nil
}

// renderCurrent renders next's current feeds, taking the documents of a view
// whose current feed shows the same as in old from old: a report in one
// language re-renders the merged feed and that language's.
func (s *Server) renderCurrent(old, next *site) error {
	next.shows = map[view][sha256.Size]byte{}
	for _, v := range next.views() {
		if err := s.renderView(old, next, v); err != nil {
			return err
		}
	}
	return nil
}

// renderView renders the current feeds of one view of next, or takes them
// from old when they show the same there.
func (s *Server) renderView(old, next *site, v view) error {
	shows := next.showing(v, s.cfg.FeedSize)
	next.shows[v] = shows
	if prev, ok := old.shows[v]; ok && prev == shows {
		for _, f := range formats {
			path := v.feedPath(f)
			next.docs[path], next.spliced[path] = old.docs[path], old.spliced[path]
		}
		return nil
	}
	for _, f := range formats {
		path := v.feedPath(f)
		doc, sp, err := s.renderDoc(next, v, f, "", previous{old.docs[path], old.spliced[path]}, deflateParts)
		if err != nil {
			return err
		}
		next.docs[path], next.spliced[path] = doc, sp
	}
	return nil
}

// showing fingerprints what a view's current feed shows: its updates and the
// archive it links to.
func (st *site) showing(v view, size int) [sha256.Size]byte {
	current, older := st.currentOf(v, size)
	return fingerprint(current, older, strings.Join(st.langs, ","))
}

// publishedSeries lists the series the config publishes.
func (s *Server) publishedSeries() []string {
	series := []string{}
	for name := range s.cfg.Series {
		if s.cfg.Published(name) {
			series = append(series, name)
		}
	}
	if s.cfg.Published(config.DefaultSeries) && !slices.Contains(series, config.DefaultSeries) {
		series = append(series, config.DefaultSeries)
	}
	return series
}

// published reads the updates of the series the config publishes.
func (s *Server) published() ([]dedupe.Update, error) {
	series := s.publishedSeries()
	if len(series) == 0 {
		return []dedupe.Update{}, nil
	}
	ups, err := s.store.Updates(dedupe.Query{Series: series})
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	if ups == nil {
		ups = []dedupe.Update{}
	}
	return ups, nil
}

// fingerprint covers everything of the updates that the documents show
// without content (content changes move Updated), and extra strings.
func fingerprint(ups []dedupe.Update, extra ...string) [sha256.Size]byte {
	h := sha256.New()
	var buf []byte
	for _, x := range extra {
		buf = append(append(buf, x...), 0)
	}
	for i := range ups {
		u := &ups[i]
		buf = append(buf, u.ID...)
		buf = binary.BigEndian.AppendUint64(buf, uint64(u.Number))
		buf = binary.BigEndian.AppendUint64(buf, uint64(u.Updated.UnixNano()))
		for _, v := range u.Variants {
			for _, f := range []string{v.Lang, v.Source, v.Title, v.URL} {
				buf = append(append(buf, 0), f...)
			}
			buf = binary.BigEndian.AppendUint64(append(buf, 0), uint64(v.Changed.UnixNano()))
		}
		buf = append(buf, 1)
		h.Write(buf)
		buf = buf[:0]
	}
	h.Write(buf)
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// changedFeeds lists the current feeds whose bytes differ between two sites.
func changedFeeds(old, next *site) []string {
	var paths []string
	for path, doc := range next.docs {
		if prev, ok := old.docs[path]; !ok || prev.etag != doc.etag {
			paths = append(paths, path)
		}
	}
	slices.Sort(paths)
	return paths
}

// withContent returns ups with their variants' content sanitised. Those the
// current feeds show are sanitised once per change of the update and kept for
// the next render; the others (archives, pages) are kept among the recent
// ones, within a bound.
func (s *Server) withContent(ups []dedupe.Update) ([]dedupe.Update, error) {
	out := make([]dedupe.Update, len(ups))
	for i, u := range ups {
		s.mu.Lock()
		c, ok := s.entries[u.ID]
		s.mu.Unlock()
		if !ok || !c.Updated.Equal(u.Updated) {
			c, ok = s.recent.get(u.ID, u)
		}
		if !ok {
			var err error
			if c, err = s.sanitised(u); err != nil {
				return nil, err
			}
			s.remember(c)
		}
		out[i] = *c
		out[i].Number = u.Number
	}
	return out, nil
}

// sanitised reads u's content from the store and sanitises it.
func (s *Server) sanitised(u dedupe.Update) (*dedupe.Update, error) {
	full, found, err := s.store.UpdateOn(u.Series, u.Date)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	if !found {
		full = u
	}
	sanitizeVariants(full.Variants)
	return &full, nil
}

// sanitizeVariants makes each variant's content safe to serve, in place.
func sanitizeVariants(vs []dedupe.Variant) {
	for i := range vs {
		vs[i].Content = sanitize(unblockEmbeds(vs[i].Content))
	}
}

// remember keeps u's sanitised content: with the current feeds' if they show
// it, else among the recent ones.
func (s *Server) remember(u *dedupe.Update) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.shown[u.ID] {
		s.recent.put(u)
		return
	}
	s.entries[u.ID] = u
}

// keepCurrent makes the updates that st's current feeds show the ones whose
// sanitised content is kept until releaseCurrent, and moves the others'
// among the recent ones.
func (s *Server) keepCurrent(st *site) {
	keep := map[string]bool{}
	for _, v := range st.views() {
		current, _ := st.currentOf(v, s.cfg.FeedSize)
		for _, u := range current {
			keep[u.ID] = true
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shown = keep
	for id, u := range s.entries {
		if !keep[id] {
			delete(s.entries, id)
			s.recent.put(u)
		}
	}
}

// releaseCurrent ends what keepCurrent began, once the current feeds are
// rendered: their updates join the recent ones, within those's bound.
func (s *Server) releaseCurrent() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shown = nil
	for id, u := range s.entries {
		delete(s.entries, id)
		s.recent.put(u)
	}
}

// document wraps rendered bytes, keeping the path's Last-Modified while its
// bytes stay the same and moving it forward when they change. A path this
// server has not stamped yet may have served other bytes before a restart or
// reload (a new title, a new template), so its Last-Modified is at least the
// server's start: If-Modified-Since never gets a 304 for bytes it has not seen.
// The document may keep body (keepBytes), which must not change afterwards.
func (s *Server) document(key string, body []byte, contentType string, updated time.Time) *document {
	d := newDocument(body, contentType, updated)
	if s.keepBytes {
		d.body = body
	}
	return s.stamped(key, d)
}

// stamped gives d, the document at key, its Last-Modified as document says,
// and the server's cache of plain answers.
func (s *Server) stamped(key string, d *document) *document {
	d.plain = &s.plain
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, ok := s.stamps[key]
	switch {
	case ok && prev.etag == d.etag:
		d.setModified(prev.modified)
	case ok:
		d.setModified(latest(d.modified, s.now().UTC().Truncate(time.Second), prev.modified.Add(time.Second)))
	case d.hasModified():
		d.setModified(latest(d.modified, s.started))
	}
	size := stampBytes(key, d.etag)
	if !ok && s.stampBytes+size > s.maxStampBytes {
		// Forgetting the stamps forgets their high-water marks: what is
		// stamped afresh must not date from before now.
		clear(s.stamps)
		s.stampBytes = 0
		s.started = s.now().UTC().Truncate(time.Second).Add(time.Second)
		ok = false
	}
	if !ok {
		s.stampBytes += size
	}
	s.stamps[key] = stamp{etag: d.etag, modified: d.modified}
	return d
}

// stampBytes is what remembering a path's stamp holds: its strings (the
// ETag outlives its document), the stamp and its map entry.
func stampBytes(key, etag string) int {
	return len(key) + len(etag) + int(unsafe.Sizeof(stamp{})) + 48
}

const (
	// maxStampBytes bounds the memory of the stamps a server keeps: about
	// twelve thousand paths.
	maxStampBytes = 2 << 20
	// maxLazyBytes bounds the documents rendered on request that a site
	// keeps, counted as the memory they hold (their gzip): about ten
	// months' archives of 10,000 reports in five languages, or a hundred
	// report pages. A crawl fills it with documents asked for once; with
	// 4 MiB its live heap sat at serve's soft limit (cmd/iswfeed/memory.go).
	maxLazyBytes = 2 << 20
)

// cached returns the site's document for key, rendering it on first use.
// Concurrent requests for one key render once, outside the site's lock, so
// that a slow render holds up no other key; past maxLazyBytes, random
// documents make room (see keep). Errors are not kept.
func (st *site) cached(key string, render func() (*document, error)) (*document, error) {
	if d, ok := st.lookup(key); ok {
		return d, nil
	}
	v, err, _ := st.rendering.Do(key, func() (any, error) {
		if d, ok := st.lookup(key); ok {
			return d, nil
		}
		d, err := render()
		if err != nil {
			return nil, err
		}
		st.keep(key, d)
		return d, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*document), nil
}

func (st *site) lookup(key string) (*document, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	d, ok := st.lazy[key]
	return d, ok
}

// keep caches d under key, making room by dropping random documents, so the
// cache never holds more than its bound; a document larger than the bound is
// served but not kept.
func (st *site) keep(key string, d *document) {
	st.mu.Lock()
	defer st.mu.Unlock()
	limit := cmp.Or(st.maxBytes, maxLazyBytes)
	size := d.size()
	if size > limit {
		return
	}
	for k, old := range st.lazy {
		if st.lazyBytes+size <= limit {
			break
		}
		st.lazyBytes -= old.size()
		delete(st.lazy, k)
	}
	st.lazy[key] = d
	st.lazyBytes += size
}

// statusError is a request the server cannot answer, with a short message.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

func notFound(format string, args ...any) error {
	return &statusError{http.StatusNotFound, fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) error {
	return &statusError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// fail answers err as plain text, or as {"error": ...} under /api/.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := http.StatusInternalServerError, "internal error"
	var se *statusError
	if errors.As(err, &se) {
		code, msg = se.code, se.msg
	} else {
		s.log.Error("publish: request failed", "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Cache-Control", "no-store")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, code, map[string]string{"error": msg})
		return
	}
	w.Header().Set("Content-Type", typeText)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	fmt.Fprintln(w, msg)
}
