package fetch

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	pollsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "iswfeed_polls_total",
		Help: "Polls of a source by outcome: ok, not_modified or error.",
	}, []string{"source", "outcome"})
	pollDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "iswfeed_poll_duration_seconds",
		Help:    "Time one poll of a source took, from request to stored items.",
		Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"source"})
	fetchedBytes = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "iswfeed_fetched_bytes_total",
		Help: "Bytes of feed bodies received from a source, after decompression.",
	}, []string{"source"})
	itemsSeen = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "iswfeed_items_seen_total",
		Help: "Items parsed from a source's feed and handed on, repeats included.",
	}, []string{"source"})
)

// RegisterMetrics registers fetch's collectors with reg.
func RegisterMetrics(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{pollsTotal, pollDuration, fetchedBytes, itemsSeen} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("fetch: registering metrics: %w", err)
		}
	}
	return nil
}

func observe(r Result) {
	outcome := "ok"
	switch {
	case r.Err != nil:
		outcome = "error"
	case r.NotModified:
		outcome = "not_modified"
	}
	pollsTotal.WithLabelValues(r.Source, outcome).Inc()
	pollDuration.WithLabelValues(r.Source).Observe(r.Duration.Seconds())
	fetchedBytes.WithLabelValues(r.Source).Add(float64(r.Bytes))
	itemsSeen.WithLabelValues(r.Source).Add(float64(r.Items))
}
