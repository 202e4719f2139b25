package dedupe

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetricsCountWhatTheStoreHolds(t *testing.T) {
	s := openStore(t, nil)
	reg := prometheus.NewRegistry()
	if err := RegisterMetrics(reg, s); err != nil {
		t.Fatal(err)
	}
	ingest(t, s, isw, original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"))
	ingest(t, s, spa, german("sp-45", "Ukraine: Die Lage 45", "https://www.spartanat.com/2022/04/ukraine-die-lage-45-4-april-2022/", "2022-04-06"),
		german("sp-ad", "Neu im Test: Rucksack", "https://www.spartanat.com/2022/04/rucksack/", "2022-04-06"))
	want := `
# HELP iswfeed_updates Updates (reports) stored, all series.
# TYPE iswfeed_updates gauge
iswfeed_updates 1
# HELP iswfeed_updates_by_lang Updates available in a language.
# TYPE iswfeed_updates_by_lang gauge
iswfeed_updates_by_lang{lang="de"} 1
iswfeed_updates_by_lang{lang="en"} 1
# HELP iswfeed_variants Variants (original or translation) stored.
# TYPE iswfeed_variants gauge
iswfeed_variants 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "iswfeed_updates", "iswfeed_variants", "iswfeed_updates_by_lang"); err != nil {
		t.Error(err)
	}
	if got := testutil.ToFloat64(itemsSkipped.WithLabelValues("spartanat")); got < 1 {
		t.Errorf("skipped counter = %v, want the unrelated post counted", got)
	}
	if got := testutil.ToFloat64(itemsIngested.WithLabelValues("spartanat")); got < 2 {
		t.Errorf("ingested counter = %v", got)
	}
}
