package publish

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics counts requests by route and status (so the share of 304s is
// requests{status="304"} over all requests of a route), WebSub pings and
// renders of the current feeds.
type metrics struct {
	requests *prometheus.CounterVec
	pings    *prometheus.CounterVec
	renders  prometheus.Counter
	counters sync.Map // routeStatus → prometheus.Counter of requests
}

// newMetrics makes the counters and registers them with reg. A config reload
// builds a new Server on the same registry: it then counts on in the
// collectors already registered, so counters survive reloads.
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
		renders: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "iswfeed_feed_renders_total",
			Help: "Times the site was rendered again because the store changed what it shows: the daemon asks once per poll round that stored something.",
		}),
	}
	if reg != nil {
		m.requests = register(reg, m.requests)
		m.pings = register(reg, m.pings)
		m.renders = register(reg, m.renders)
	}
	return m
}

// register registers c with reg, or returns the collector reg already has
// under c's name. Any other error is a programmer's error.
func register[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing
		}
	}
	if err != nil {
		panic(fmt.Sprintf("publish: unable to register metrics: %v", err))
	}
	return c
}

func (m *metrics) handler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// instrument counts each request under the mux pattern that served it.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		m.counter(r.Pattern, sw.status).Inc()
	})
}

// routeStatus names one counter of requests.
type routeStatus struct {
	route  string
	status int
}

// counter returns the requests counter of a route and status, looked up in
// the vector once and then kept, so that counting a request builds no label
// strings.
func (m *metrics) counter(route string, status int) prometheus.Counter {
	k := routeStatus{route, status}
	if c, ok := m.counters.Load(k); ok {
		return c.(prometheus.Counter)
	}
	label := route
	if label == "" {
		label = "unmatched"
	}
	c, _ := m.counters.LoadOrStore(k, m.requests.WithLabelValues(label, strconv.Itoa(status)))
	return c.(prometheus.Counter)
}

// routeCounters are a route's request counters, those of 200 and 304 looked
// up once, for the requests the server answers without the mux.
type routeCounters struct {
	m               *metrics
	route           string
	ok, notModified prometheus.Counter
}

func (m *metrics) route(pattern string) *routeCounters {
	return &routeCounters{m: m, route: pattern, ok: m.counter(pattern, http.StatusOK), notModified: m.counter(pattern, http.StatusNotModified)}
}

// count counts one request answered with status.
func (rc *routeCounters) count(status int) {
	switch status {
	case http.StatusOK:
		rc.ok.Inc()
	case http.StatusNotModified:
		rc.notModified.Inc()
	default:
		rc.m.counter(rc.route, status).Inc()
	}
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
