package publish

import (
	"maps"
	"net/http"
	"strings"
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
	data.Stats, data.Unnumbered, data.Gaps = fig.stats(), fig.unnumbered(), fig.waiting
	for _, l := range st.langs {
		data.Langs = append(data.Langs, langCount{langName(l), data.Stats.ByLang[l]})
	}
	return s.htmlDocument(r.URL.Path, "status", data, time.Time{})
}

// storeFigures are what /status shows of the store: the counts of reports of
// every series, kept from the store's changes (dedupe.Store.ChangesSince), so
// that a render reads the reports written since the last one, not the
// history; and the counts of items and the gaps that read no report
// (ItemCounts, Waiting), read again only when the store has written.
type storeFigures struct {
	generation uint64 // the store's, as of the figures
	known      bool   // the figures have been read once
	reports    map[reportAt]reportFigure
	langSets   map[string]string // one copy of each reportFigure.langs
	updates    int
	variants   int
	byLang     map[string]int
	// withNumber and withoutNumber count each series' reports with and
	// without a number: a series that has numbers misses those it lacks.
	withNumber, withoutNumber map[string]int
	items                     dedupe.Stats // Items, Held, Skipped
	waiting                   dedupe.Gaps  // Unplaced, Conflicts, Numbering
	// read counts the reports read, and fullReads the reads of every
	// report: what a render costs, for tests.
	read, fullReads int
}

// reportAt names a stored report: its series and date.
type reportAt struct {
	series string
	date   string
}

// reportFigure is what one report adds to the counts.
type reportFigure struct {
	variants int
	langs    string // its languages, joined by commas
	numbered bool
}

// catchUp brings the figures to the store as it is now.
func (f *storeFigures) catchUp(store *dedupe.Store) error {
	generation := store.Generation() // before the reports: a write after it is seen next time
	if f.known && generation == f.generation {
		return nil
	}
	if err := f.readReports(store, generation); err != nil {
		return err
	}
	counts, err := store.ItemCounts()
	var waiting dedupe.Gaps
	if err == nil {
		waiting, err = store.Waiting()
	}
	if err != nil {
		f.known = false // read everything next time, rather than keep stale counts
		return err
	}
	f.items, f.waiting = counts, waiting
	for i := range f.waiting.Unplaced {
		f.waiting.Unplaced[i].URL = webURL(f.waiting.Unplaced[i].URL)
	}
	return nil
}

// readReports counts the reports the store's writes since the figures'
// generation touched, or every report when the store cannot tell them.
func (f *storeFigures) readReports(store *dedupe.Store, generation uint64) error {
	if f.known {
		ch, ok, err := store.ChangesSince(f.generation)
		if err != nil {
			return err
		}
		if ok {
			for _, g := range ch.Gone {
				f.remove(reportAt{g.Series, g.Date})
			}
			for i := range ch.Updates {
				f.put(&ch.Updates[i])
			}
			f.read += len(ch.Updates)
			f.generation = ch.Generation
			return nil
		}
	}
	ups, err := store.Updates(dedupe.Query{})
	if err != nil {
		return err
	}
	*f = storeFigures{generation: generation, known: true, reports: map[reportAt]reportFigure{}, langSets: map[string]string{},
		byLang: map[string]int{}, withNumber: map[string]int{}, withoutNumber: map[string]int{},
		read: f.read + len(ups), fullReads: f.fullReads + 1}
	for i := range ups {
		f.put(&ups[i])
	}
	return nil
}

// put counts u in place of what the figures counted of its report.
func (f *storeFigures) put(u *dedupe.Update) {
	at := reportAt{u.Series, u.Date.Format(time.DateOnly)}
	f.remove(at)
	langs := strings.Join(u.Langs(), ",")
	if held, ok := f.langSets[langs]; ok {
		langs = held
	} else {
		f.langSets[langs] = langs
	}
	fig := reportFigure{variants: len(u.Variants), langs: langs, numbered: u.Number > 0}
	f.reports[at] = fig
	f.count(at.series, fig, 1)
}

// remove takes what the figures counted of the report at away.
func (f *storeFigures) remove(at reportAt) {
	if fig, ok := f.reports[at]; ok {
		f.count(at.series, fig, -1)
		delete(f.reports, at)
	}
}

func (f *storeFigures) count(series string, fig reportFigure, sign int) {
	f.updates += sign
	f.variants += sign * fig.variants
	for l := range strings.SplitSeq(fig.langs, ",") {
		if l == "" {
			continue
		}
		if f.byLang[l] += sign; f.byLang[l] == 0 {
			delete(f.byLang, l)
		}
	}
	if fig.numbered {
		f.withNumber[series] += sign
	} else {
		f.withoutNumber[series] += sign
	}
}

// stats are the figures as dedupe.Store.Stats counts them.
func (f *storeFigures) stats() dedupe.Stats {
	st := f.items
	st.Updates, st.Variants = f.updates, f.variants
	st.ByLang = maps.Clone(f.byLang)
	return st
}

// unnumbered counts the reports without a number in a series that has
// numbers, as dedupe.Store.Gaps lists them.
func (f *storeFigures) unnumbered() int {
	n := 0
	for series, without := range f.withoutNumber {
		if f.withNumber[series] > 0 {
			n += without
		}
	}
	return n
}
