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
	ingest(t, s, spa, german("sp-ad", "Neu im Test: Rucksack", "https://www.spartanat.com/2022/04/rucksack/", "2022-04-06"))
	counts := `
# HELP iswfeed_items_held_total Stored items of a source that the calendar could not place yet.
# TYPE iswfeed_items_held_total counter
iswfeed_items_held_total{source="isw"} 0
iswfeed_items_held_total{source="spartanat"} 0
# HELP iswfeed_items_ingested_total Items of a source that were new or changed and were stored.
# TYPE iswfeed_items_ingested_total counter
iswfeed_items_ingested_total{source="isw"} 1
iswfeed_items_ingested_total{source="spartanat"} 2
# HELP iswfeed_items_skipped_total Items of a source that belong to no series, repeats included.
# TYPE iswfeed_items_skipped_total counter
iswfeed_items_skipped_total{source="isw"} 0
iswfeed_items_skipped_total{source="spartanat"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(counts), "iswfeed_items_held_total",
		"iswfeed_items_ingested_total", "iswfeed_items_skipped_total"); err != nil {
		t.Error(err)
	}
}

func TestTwoStoresCountApart(t *testing.T) {
	a, b := openStore(t, nil), openStore(t, nil)
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	if err := RegisterMetrics(regA, a); err != nil {
		t.Fatal(err)
	}
	if err := RegisterMetrics(regB, b); err != nil {
		t.Fatal(err)
	}
	ingest(t, a, isw, original("2022-04-04", "Russian Offensive Campaign Assessment, April 4, 2022"))
	if n, err := testutil.GatherAndCount(regB, "iswfeed_items_ingested_total"); err != nil || n != 0 {
		t.Errorf("the second store's registry counts %d series (%v), want none", n, err)
	}
	if n, err := testutil.GatherAndCount(regA, "iswfeed_items_ingested_total"); err != nil || n != 1 {
		t.Errorf("the first store's registry counts %d series (%v), want 1", n, err)
	}
}
