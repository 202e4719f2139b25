package dedupe

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	bolt "go.etcd.io/bbolt"
)

// counters count what each source's batches did; one set per Store, made
// and registered by RegisterMetrics.
type counters struct {
	skipped, ingested, held *prometheus.CounterVec
}

func newCounters() *counters {
	return &counters{
		skipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iswfeed_items_skipped_total",
			Help: "Items of a source that belong to no series, repeats included.",
		}, []string{"source"}),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iswfeed_items_ingested_total",
			Help: "Items of a source that were new or changed and were stored.",
		}, []string{"source"}),
		held: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iswfeed_items_held_total",
			Help: "Stored items of a source that the calendar could not place yet.",
		}, []string{"source"}),
	}
}

var (
	updatesDesc  = prometheus.NewDesc("iswfeed_updates", "Updates (reports) stored, all series.", nil, nil)
	variantsDesc = prometheus.NewDesc("iswfeed_variants", "Variants (original or translation) stored.", nil, nil)
	langDesc     = prometheus.NewDesc("iswfeed_updates_by_lang", "Updates available in a language.", []string{"lang"}, nil)
	heldDesc     = prometheus.NewDesc("iswfeed_unplaced_items", "Items held until the calendar can place them.", nil, nil)
)

// observe counts one batch of source, once the store's metrics are registered.
func (s *Store) observe(source string, rep Report) {
	c := s.counters.Load()
	if c == nil {
		return
	}
	c.skipped.WithLabelValues(source).Add(float64(rep.Skipped))
	c.ingested.WithLabelValues(source).Add(float64(rep.Changed))
	c.held.WithLabelValues(source).Add(float64(rep.Held))
}

// RegisterMetrics registers store's counters, and gauges of what it holds
// (brought up to date at each scrape), with reg, the registry the daemon
// passes in.
func RegisterMetrics(reg prometheus.Registerer, store *Store) error {
	c := newCounters()
	for _, m := range []prometheus.Collector{c.skipped, c.ingested, c.held, &storeCollector{store: store}} {
		if err := reg.Register(m); err != nil {
			return fmt.Errorf("dedupe: registering metrics: %w", err)
		}
	}
	store.counters.Store(c)
	return nil
}

// storeCollector shows the store's counts when Prometheus scrapes, kept in
// figures: a scrape costs the reports written since the last one, not the
// history.
type storeCollector struct {
	store   *Store
	mu      sync.Mutex
	figures gaugeFigures
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- updatesDesc
	ch <- variantsDesc
	ch <- langDesc
	ch <- heldDesc
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := &c.figures
	if err := f.catchUp(c.store); err != nil {
		ch <- prometheus.NewInvalidMetric(updatesDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(updatesDesc, prometheus.GaugeValue, float64(f.updates))
	ch <- prometheus.MustNewConstMetric(variantsDesc, prometheus.GaugeValue, float64(f.variants))
	ch <- prometheus.MustNewConstMetric(heldDesc, prometheus.GaugeValue, float64(f.held))
	for lang, n := range f.byLang {
		ch <- prometheus.MustNewConstMetric(langDesc, prometheus.GaugeValue, float64(n), lang)
	}
}

// gaugeFigures are the counts of Stats that the gauges show (Updates,
// Variants, ByLang, Held), kept from the store's changes (ChangesSince):
// what each report adds, so that a changed or gone report is taken away
// before it is counted again.
type gaugeFigures struct {
	known      bool   // the figures have been read once
	generation uint64 // the store's, as of the figures
	reports    map[string]reportGauges
	langSets   map[string][]string // one copy of each reportGauges.langs
	updates    int
	variants   int
	byLang     map[string]int
	held       int
	// fullReads counts the reads of every report: what a scrape costs,
	// for tests.
	fullReads int
}

// reportGauges is what one report adds to the gauges.
type reportGauges struct {
	variants int
	langs    []string
}

// catchUp brings the figures to the store as it is now: nothing to read
// when it has not written since, the reports its writes touched when its
// change log reaches back, every report otherwise.
func (f *gaugeFigures) catchUp(s *Store) error {
	generation := s.Generation() // before the reads: a write after it is read next time
	if f.known && generation == f.generation {
		return nil
	}
	if f.known {
		ch, ok, err := s.ChangesSince(f.generation)
		if err != nil {
			return err
		}
		if ok {
			for _, g := range ch.Gone {
				f.remove(string(reportKey(g.Series, g.Date)))
			}
			for i := range ch.Updates {
				u := &ch.Updates[i]
				f.put(string(reportKey(u.Series, u.Date.Format(time.DateOnly))), u)
			}
			f.generation = ch.Generation
			return f.readHeld(s)
		}
	}
	if err := f.readAll(s, generation); err != nil {
		f.known = false // read everything next time, rather than keep what may be stale
		return err
	}
	return f.readHeld(s)
}

// readAll counts every report, as Stats does.
func (f *gaugeFigures) readAll(s *Store, generation uint64) error {
	*f = gaugeFigures{known: true, generation: generation, reports: map[string]reportGauges{},
		langSets: map[string][]string{}, byLang: map[string]int{}, fullReads: f.fullReads + 1}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketReports)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var u Update
			if err := decodeReport(v, &u); err != nil {
				return err
			}
			f.put(string(k), &u)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("dedupe: unable to count: %w", err)
	}
	return nil
}

// readHeld reads how many items are held: the key count of their bucket.
func (f *gaugeFigures) readHeld(s *Store) error {
	err := s.db.View(func(tx *bolt.Tx) error {
		f.held = 0
		if b := tx.Bucket(bucketHeld); b != nil {
			f.held = b.Stats().KeyN
		}
		return nil
	})
	if err != nil {
		f.known = false
		return fmt.Errorf("dedupe: unable to count: %w", err)
	}
	return nil
}

// put counts u, the report at key k, in place of what was counted of it.
func (f *gaugeFigures) put(k string, u *Update) {
	f.remove(k)
	langs := u.Langs()
	joined := strings.Join(langs, ",")
	if held, ok := f.langSets[joined]; ok {
		langs = held
	} else {
		f.langSets[joined] = langs
	}
	r := reportGauges{variants: len(u.Variants), langs: langs}
	f.reports[k] = r
	f.count(r, 1)
}

// remove takes away what was counted of the report at key k.
func (f *gaugeFigures) remove(k string) {
	if r, ok := f.reports[k]; ok {
		f.count(r, -1)
		delete(f.reports, k)
	}
}

func (f *gaugeFigures) count(r reportGauges, sign int) {
	f.updates += sign
	f.variants += sign * r.variants
	for _, l := range r.langs {
		if f.byLang[l] += sign; f.byLang[l] == 0 {
			delete(f.byLang, l)
		}
	}
}
