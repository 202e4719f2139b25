package publish

import (
	"maps"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"iswfeed/fetch"
)

func TestRendersAreCountedWhenTheSiteChanges(t *testing.T) {
	reg := prometheus.NewRegistry()
	f := newFixture(t, Options{Registry: reg})
	renders := func() float64 { return testutil.ToFloat64(f.srv.metrics.renders.WithLabelValues(RenderRound)) }
	threeReports(f)
	base := renders()
	if err := f.srv.Refresh(); err != nil {
		t.Fatal(err)
	}
	f.ingest(isw, original("2023-03-29", "<p>March 29 report.</p>"))
	if got := renders() - base; got != 0 {
		t.Errorf("refreshes that changed nothing counted %v renders", got)
	}
	f.ingest(isw, original("2023-03-30", "<p>March 30 report.</p>"))
	if got := renders() - base; got != 1 {
		t.Errorf("a new report counted %v renders, want 1", got)
	}
	if n, err := testutil.GatherAndCount(reg, "iswfeed_feed_renders_total"); err != nil || n != len(renderCauses) {
		t.Errorf("/metrics has %d iswfeed_feed_renders_total, want one per cause (%v)", n, err)
	}
	// A reload's server counts on in the same collector.
	next := New(f.cfg, f.store, f.srv.log, Options{Registry: reg})
	if next.metrics.renders != f.srv.metrics.renders {
		t.Error("a second server on the registry counts its renders apart")
	}
}

func TestRendersAreCountedByCause(t *testing.T) {
	reg := prometheus.NewRegistry()
	f := newFixture(t, Options{Registry: reg})
	threeReports(f)
	count := func() map[string]float64 {
		got := map[string]float64{}
		for _, c := range renderCauses {
			got[c] = testutil.ToFloat64(f.srv.metrics.renders.WithLabelValues(c))
		}
		return got
	}
	want := count()
	check := func(what string) {
		t.Helper()
		if got := count(); !maps.Equal(got, want) {
			t.Errorf("after %s: renders by cause %v, want %v", what, got, want)
		}
	}

	started := New(f.cfg, f.store, f.srv.log, Options{Registry: reg})
	if err := started.Start(); err != nil {
		t.Fatal(err)
	}
	want[RenderStartup]++
	check("a daemon's start")

	reloaded := New(f.cfg, f.store, f.srv.log, Options{Registry: reg, StartCause: RenderReload})
	if err := reloaded.Start(); err != nil {
		t.Fatal(err)
	}
	want[RenderReload]++
	check("a reload's start")

	f.srv = reloaded
	f.ingest(isw, original("2023-03-30", "<p>March 30 report.</p>"))
	want[RenderRound]++
	check("a round that stored a report")

	if _, err := f.store.IngestBatch(isw, []fetch.Item{original("2023-03-31", "<p>March 31 report.</p>")}); err != nil {
		t.Fatal(err)
	}
	if err := reloaded.RefreshFor(RenderRetry); err != nil {
		t.Fatal(err)
	}
	want[RenderRetry]++
	check("a retried render")
}
