package fetch

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are one poller's Prometheus collectors.
type metrics struct {
	polls        *prometheus.CounterVec
	pollDuration *prometheus.HistogramVec
	fetchedBytes *prometheus.CounterVec
	itemsSeen    *prometheus.CounterVec
	articles     *prometheus.CounterVec
	rounds       *prometheus.CounterVec
}

// newMetrics builds a poller's collectors and registers them on reg, when set.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iswfeed_polls_total",
			Help: "Polls of a source by outcome: ok, not_modified or error.",
		}, []string{"source", "outcome"}),
		pollDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "iswfeed_poll_duration_seconds",
			Help:    "Time one poll of a source took, from request to stored items.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
		}, []string{"source"}),
		fetchedBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iswfeed_fetched_bytes_total",
			Help: "Bytes of feed bodies received from a source, after decompression.",
		}, []string{"source"}),
		itemsSeen: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iswfeed_items_seen_total",
			Help: "Items parsed from a source's feed and handed on, repeats included.",
		}, []string{"source"}),
		articles: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iswfeed_full_text_fetches_total",
			Help: "Article pages fetched for full_text sources by outcome: ok, not_modified or error.",
		}, []string{"source", "outcome"}),
		rounds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iswfeed_poll_rounds_total",
			Help: "Poll rounds by how they ended: answered (every poll of it), deadline (fetch.round_wait after its first poll stored items) or stopped; counted once the sink has acted on it.",
		}, []string{"end"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.polls, m.pollDuration, m.fetchedBytes, m.itemsSeen, m.articles, m.rounds} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("fetch: registering metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) observe(r Result) {
	m.polls.WithLabelValues(r.Source, outcome(r.Err, r.NotModified)).Inc()
	m.pollDuration.WithLabelValues(r.Source).Observe(r.Duration.Seconds())
	m.fetchedBytes.WithLabelValues(r.Source).Add(float64(r.Bytes))
	m.itemsSeen.WithLabelValues(r.Source).Add(float64(r.Items))
}

func outcome(err error, notModified bool) string {
	switch {
	case err != nil:
		return "error"
	case notModified:
		return "not_modified"
	}
	return "ok"
}
