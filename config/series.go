package config

import "time"

// ISWSeries is one of ISW's series that iswfeed knows without configuration:
// its name in the config and the titles ISW gives it. This table is the one
// list of series: config accepts these names, dedupe recognises these titles.
type ISWSeries struct {
	Name string
	// Titles are the series' names as ISW writes them (any case; words may be
	// joined by spaces or hyphens), the current one first.
	Titles []string
	// Until is the last day ISW published the series, zero while it runs: a
	// later date under its title is someone else's series.
	Until time.Time
	// Numbered says that translators number the series' reports; the numbers
	// in the titles of ISW's own unnumbered-by-translators series are ISW's.
	Numbered bool
}

// DefaultSeries is the built-in series of ISW's daily Russian report.
const DefaultSeries = "russian-offensive"

// BuiltinSeries are ISW's series, the daily Russian report first. The daily
// report's early-2022 name ("Russia-Ukraine Warning Update") is one of its
// titles; ISW's pre-invasion "Ukraine Conflict Update N" is its own series.
var BuiltinSeries = []ISWSeries{
	{Name: DefaultSeries, Numbered: true, Titles: []string{"Russian Offensive Campaign Assessment",
		"Russia-Ukraine Warning Update", "Russian Offensive Campaign Update", "Russian Offensive Update",
		"Russian Campaign Assessment"}},
	{Name: "iran-update", Titles: []string{"Iran Update", "Iran Crisis Update"}},
	{Name: "iran-update-special-report", Titles: []string{"Iran Update Special Report",
		"Iran Update Morning Special Report", "Iran Update Evening Special Report"}},
	{Name: "china-taiwan-update", Titles: []string{"China-Taiwan Weekly Update", "China-Taiwan Update", "China & Taiwan Update"}},
	{Name: "russian-occupation-update", Titles: []string{"Russian Occupation Update"}},
	// ISW numbered these beside the daily report into March 2022: Update 16
	// is of March 6 (dedupe/testdata/real/fourth-reposts.jsonl), and the
	// International Surfing Association's "Ukraine Conflict Update" of March
	// 21 (negatives.jsonl) is not ISW's. The last seen, plus a week.
	{Name: "ukraine-conflict-update", Titles: []string{"Ukraine Conflict Update"},
		Until: time.Date(2022, 3, 13, 0, 0, 0, 0, time.UTC)},
	{Name: "adversary-entente-task-force-update", Titles: []string{"Adversary Entente Task Force Update"}},
	{Name: "russian-force-generation-and-technological-adaptations-update", Titles: []string{
		"Russian Force Generation and Technological Adaptations Update",
		"Russian Force Generation Technological Adaptations Update"}},
	{Name: "russia-in-review", Titles: []string{"Russia in Review"}},
}

// KnownSeries are the names of BuiltinSeries, the series a config may name.
var KnownSeries = seriesNames()

func seriesNames() []string {
	names := make([]string, len(BuiltinSeries))
	for i, s := range BuiltinSeries {
		names[i] = s.Name
	}
	return names
}
