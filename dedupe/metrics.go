package dedupe

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
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

// storeCollector shows the store's figures (Store.Figures) when Prometheus
// scrapes: a scrape costs the reports written since the last one, not the
// history.
type storeCollector struct {
	store *Store
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- updatesDesc
	ch <- variantsDesc
	ch <- langDesc
	ch <- heldDesc
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	f, err := c.store.Figures()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(updatesDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(updatesDesc, prometheus.GaugeValue, float64(f.Updates))
	ch <- prometheus.MustNewConstMetric(variantsDesc, prometheus.GaugeValue, float64(f.Variants))
	ch <- prometheus.MustNewConstMetric(heldDesc, prometheus.GaugeValue, float64(f.Held))
	for lang, n := range f.ByLang {
		ch <- prometheus.MustNewConstMetric(langDesc, prometheus.GaugeValue, float64(n), lang)
	}
}
