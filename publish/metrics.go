package publish

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics counts requests by route and status (so the share of 304s is
// requests{status="304"} over all requests of a route) and WebSub pings.
type metrics struct {
	requests *prometheus.CounterVec
	pings    *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iswfeed_http_requests_total",
			Help: "HTTP requests served, by route pattern and status code; status=\"304\" over all gives the not-modified ratio.",
		}, []string{"route", "status"}),
		pings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iswfeed_websub_pings_total",
			Help: "WebSub publish pings sent, by hub and outcome (ok, rejected, error).",
		}, []string{"hub", "outcome"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.pings)
	}
	return m
}

func (m *metrics) handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// instrument counts each request under the mux pattern that served it.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
