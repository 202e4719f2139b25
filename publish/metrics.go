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

// Causes of a render, the label cause of iswfeed_feed_renders_total: a
// dashboard that summed the counter before it had the label sums it still.
const (
	// RenderRound is the render of a poll round that stored something:
	// Refresh's, and the one to count when asking how often polls change the feeds.
	RenderRound = "round"
	// RenderStartup is a server's first full render, made by Start, of the
	// store a daemon opened.
	RenderStartup = "startup"
	// RenderReload is the first render of the server that a config reload
	// builds (Options.StartCause), and the refresh after it is put in place.
	RenderReload = "reload"
	// RenderRetry is a render tried again after one failed.
	RenderRetry = "retry"
)

// renderCauses are the causes a render is counted under, each counted from
// zero so that a dashboard sees them all from the start.
var renderCauses = []string{RenderRound, RenderStartup, RenderReload, RenderRetry}

// metrics counts requests by route and status (so the share of 304s is
// requests{status="304"} over all requests of a route), WebSub pings and
// renders of the current feeds by cause.
type metrics struct {
	requests *prometheus.CounterVec
	pings    *prometheus.CounterVec
	renders  *prometheus.CounterVec
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
		renders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "iswfeed_feed_renders_total",
			Help: "Times the site was rendered again because the store changed what it shows, by cause: round (a poll round stored something; the daemon asks once per round), startup (the daemon's first render of its store), reload (a config reload's) or retry (a failed render tried again).",
		}, []string{"cause"}),
	}
	if reg != nil {
		m.requests = register(reg, m.requests)
		m.pings = register(reg, m.pings)
		m.renders = register(reg, m.renders)
	}
	for _, c := range renderCauses {
		m.renders.WithLabelValues(c)
	}
	return m
}

// rendered counts a render made for cause.
func (m *metrics) rendered(cause string) { m.renders.WithLabelValues(cause).Inc() }

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
