package dedupe

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"iswfeed/config"
	"iswfeed/fetch"
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

// walkedGauges are the store gauges, in the exposition format, as a full
// Stats walk counts them.
func walkedGauges(t *testing.T, s *Store) string {
	t.Helper()
	st, err := s.Stats()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# HELP iswfeed_updates Updates (reports) stored, all series.\n# TYPE iswfeed_updates gauge\niswfeed_updates %d\n", st.Updates)
	fmt.Fprintf(&b, "# HELP iswfeed_variants Variants (original or translation) stored.\n# TYPE iswfeed_variants gauge\niswfeed_variants %d\n", st.Variants)
	fmt.Fprintf(&b, "# HELP iswfeed_unplaced_items Items held until the calendar can place them.\n# TYPE iswfeed_unplaced_items gauge\niswfeed_unplaced_items %d\n", st.Held)
	if len(st.ByLang) > 0 {
		b.WriteString("# HELP iswfeed_updates_by_lang Updates available in a language.\n# TYPE iswfeed_updates_by_lang gauge\n")
	}
	for _, l := range slices.Sorted(maps.Keys(st.ByLang)) {
		fmt.Fprintf(&b, "iswfeed_updates_by_lang{lang=%q} %d\n", l, st.ByLang[l])
	}
	return b.String()
}

var gaugeNames = []string{"iswfeed_updates", "iswfeed_variants", "iswfeed_unplaced_items", "iswfeed_updates_by_lang"}

// TestGaugesAreWhatStatsCountsWithoutWalkingTheStore scrapes after every
// batch of sources that agree, disagree and re-date their items, and after
// an item is held:
// the gauges are what a walk over the store counts, and only the first
// scrape walked it.
func TestGaugesAreWhatStatsCountsWithoutWalkingTheStore(t *testing.T) {
	s := openTallyStore(t, tallyConfig(map[int]config.Date{401: {Time: isoDay("2023-03-29")}}), false)
	reg := prometheus.NewRegistry()
	c := &storeCollector{store: s}
	reg.MustRegister(c)
	for _, b := range learningBatches() {
		if err := testutil.GatherAndCompare(reg, strings.NewReader(walkedGauges(t, s)), gaugeNames...); err != nil {
			t.Errorf("before %s's batch the gauges are not what Stats counts: %v", b.src.Name, err)
		}
		if _, err := s.IngestBatch(b.src, b.items); err != nil {
			t.Fatal(err)
		}
	}
	// An item the calendar cannot place yet.
	ingest(t, s, tallyFi, fetch.Item{Source: "fi", Lang: "fi", ID: "fi-held", Title: "Päivitys 460",
		Link: "https://fi.example/?p=999", Content: "<p>…</p>", Published: isoDay("2023-05-20")})
	// A report whose one item moves to another date is gone.
	moved := original("2023-06-01", "Russian Offensive Campaign Assessment, June 1, 2023")
	moved.ID = "isw-moved"
	ingest(t, s, isw, moved)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(walkedGauges(t, s)), gaugeNames...); err != nil {
		t.Errorf("after a new report the gauges are not what Stats counts: %v", err)
	}
	moved = original("2023-06-02", "Russian Offensive Campaign Assessment, June 2, 2023")
	moved.ID, moved.Updated = "isw-moved", moved.Published.Add(time.Hour)
	ingest(t, s, isw, moved)
	want := walkedGauges(t, s)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), gaugeNames...); err != nil {
		t.Errorf("after a report moved the gauges are not what Stats counts: %v", err)
	}
	if strings.Contains(want, "iswfeed_unplaced_items 0") || strings.Count(want, "lang=") < 4 {
		t.Errorf("Stats counts\n%s\nno held item or too few languages: the test tests little", want)
	}
	if s.figures.fullReads != 1 {
		t.Errorf("the scrapes read every report %d times, want once", s.figures.fullReads)
	}
}
