package publish

import (
	"net/http"
	"sync"
	"time"

	"iswfeed/dedupe"
)

type langCount struct {
	Name  string
	Count int
}

// statusCache keeps /status between changes, and the store's figures it
// shows between changes of the store.
type statusCache struct {
	mu      sync.Mutex
	site    *site
	gen     uint64
	at      time.Time
	doc     *document
	figures storeFigures
}

// statusMaxAge is how long /status may lag behind a change.
const statusMaxAge = time.Second

// cachedStatus serves /status as last rendered while the store and the poll
// states are as they were then (always for up to statusMaxAge), and renders
// it again otherwise. Concurrent requests wait for one render.
func (s *Server) cachedStatus(st *site, r *http.Request) (*document, error) {
	var gen uint64
	if s.opts.Generation != nil {
		gen = s.opts.Generation()
	}
	c := &s.status
	c.mu.Lock()
	defer c.mu.Unlock()
	unchanged := s.opts.Generation != nil && c.gen == gen
	if c.doc != nil && c.site == st && (unchanged || s.now().Sub(c.at) < statusMaxAge) {
		return c.doc, nil
	}
	doc, err := s.statusPage(st, r, &c.figures)
	if err != nil {
		return nil, err
	}
	c.site, c.gen, c.at, c.doc = st, gen, s.now(), doc
	return doc, nil
}

// statusPage renders /status from live state: the sources' as they are, the
// store's figures as fig keeps them.
func (s *Server) statusPage(st *site, r *http.Request, fig *storeFigures) (*document, error) {
	data := struct {
		page
		Sources      []SourceStatus
		SourcesError string
		Stats        dedupe.Stats
		Langs        []langCount
		Unnumbered   int
		Gaps         dedupe.Gaps
	}{page: s.layout(st, "Status")}
	var err error
	if data.Sources, err = s.sources(); err != nil {
		data.SourcesError = err.Error()
	}
	if err := fig.catchUp(s.store); err != nil {
		return nil, err
	}
	data.Stats, data.Unnumbered, data.Gaps = fig.figures.Stats, fig.figures.Unnumbered, fig.waiting
	for _, l := range st.langs {
		data.Langs = append(data.Langs, langCount{langName(l), data.Stats.ByLang[l]})
	}
	return s.htmlDocument(r.URL.Path, "status", data, time.Time{})
}

// storeFigures are what /status shows of the store: its figures
// (dedupe.Store.Figures, kept from its changes), and the gaps that read no
// report (Waiting), read again only when the store has written.
type storeFigures struct {
	known   bool // the gaps have been read once
	figures dedupe.Figures
	waiting dedupe.Gaps // Unplaced, Conflicts, Numbering
}

// catchUp brings the figures to the store as it is now.
func (f *storeFigures) catchUp(store *dedupe.Store) error {
	figures, err := store.Figures()
	if err != nil {
		return err
	}
	if f.known && figures.Generation == f.figures.Generation {
		f.figures = figures
		return nil
	}
	waiting, err := store.Waiting()
	if err != nil {
		f.known = false // read again next time, rather than keep stale gaps
		return err
	}
	for i := range waiting.Unplaced {
		waiting.Unplaced[i].URL = webURL(waiting.Unplaced[i].URL)
	}
	f.known, f.figures, f.waiting = true, figures, waiting
	return nil
}
