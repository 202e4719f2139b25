package publish

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRendersAreCountedWhenTheSiteChanges(t *testing.T) {
	reg := prometheus.NewRegistry()
	f := newFixture(t, Options{Registry: reg})
	renders := func() float64 { return testutil.ToFloat64(f.srv.metrics.renders) }
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
	if n, err := testutil.GatherAndCount(reg, "iswfeed_feed_renders_total"); err != nil || n != 1 {
		t.Errorf("/metrics has %d iswfeed_feed_renders_total (%v)", n, err)
	}
	// A reload's server counts on in the same collector.
	next := New(f.cfg, f.store, f.srv.log, Options{Registry: reg})
	if next.metrics.renders != f.srv.metrics.renders {
		t.Error("a second server on the registry counts its renders apart")
	}
}
