package dedupe

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	itemsSkipped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "iswfeed_items_skipped_total",
		Help: "Items of a source that belong to no series, repeats included.",
	}, []string{"source"})
	itemsIngested = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "iswfeed_items_ingested_total",
		Help: "Items of a source that were new or changed and were stored.",
	}, []string{"source"})
	itemsHeld = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "iswfeed_items_held_total",
		Help: "Stored items of a source that the calendar could not place yet.",
	}, []string{"source"})

	updatesDesc  = prometheus.NewDesc("iswfeed_updates", "Updates (reports) stored, all series.", nil, nil)
	variantsDesc = prometheus.NewDesc("iswfeed_variants", "Variants (original or translation) stored.", nil, nil)
	langDesc     = prometheus.NewDesc("iswfeed_updates_by_lang", "Updates available in a language.", []string{"lang"}, nil)
	heldDesc     = prometheus.NewDesc("iswfeed_unplaced_items", "Items held until the calendar can place them.", nil, nil)
)

func observe(source string, rep Report) {
	itemsSkipped.WithLabelValues(source).Add(float64(rep.Skipped))
	itemsIngested.WithLabelValues(source).Add(float64(rep.Changed))
	itemsHeld.WithLabelValues(source).Add(float64(rep.Held))
}

// RegisterMetrics registers dedupe's counters, and gauges of what store
// holds (read at each scrape), with reg.
func RegisterMetrics(reg prometheus.Registerer, store *Store) error {
	for _, c := range []prometheus.Collector{itemsSkipped, itemsIngested, itemsHeld, storeCollector{store}} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("dedupe: registering metrics: %w", err)
		}
	}
	return nil
}

// storeCollector reads the store's counts when Prometheus scrapes.
type storeCollector struct{ store *Store }

func (c storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- updatesDesc
	ch <- variantsDesc
	ch <- langDesc
	ch <- heldDesc
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	st, err := c.store.Stats()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(updatesDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(updatesDesc, prometheus.GaugeValue, float64(st.Updates))
	ch <- prometheus.MustNewConstMetric(variantsDesc, prometheus.GaugeValue, float64(st.Variants))
	ch <- prometheus.MustNewConstMetric(heldDesc, prometheus.GaugeValue, float64(st.Held))
	for lang, n := range st.ByLang {
		ch <- prometheus.MustNewConstMetric(langDesc, prometheus.GaugeValue, float64(n), lang)
	}
}
