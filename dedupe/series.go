package dedupe

import (
	"regexp"
	"strings"
)

// Series names as ISW writes them, and as it mistypes them ("Campaing
// Assesment"); the groups follow seriesOrder. Iran Update
// Special Report comes before Iran Update so that it is never read as one.
// The pattern is anchored: seriesIn tries it only where a name can start.
var (
	seriesNamesAt = regexp.MustCompile(`(?i)^(?:(iran\s+update[\s,:-]+special\s+report)|(iran\s+update)|` +
		`(china[\s-]+taiwan\s+update)|(russian\s+occupation\s+update)|` +
		`(russian\s+offensive\s+cam[a-z]{3,6}\s+as+es+[a-z]*|russia[\s-]+ukraine\s+warning\s+update|russian\s+offensive\s+(?:campaign\s+)?update))`)
	seriesStarts = []string{"iran", "china", "russia"}
	seriesEnds   = []string{"update", "offensive"}
	seriesOrder  = []string{
		SeriesIranUpdateSpecialReport, SeriesIranUpdate, SeriesChinaTaiwanUpdate,
		SeriesRussianOccupationUpdate, SeriesRussianOffensive,
	}
	// iswMarks are what a text that speaks of ISW or its daily report says,
	// in the translators' languages, lower-case.
	iswMarks = []string{
		"understanding war", "understandingwar", "study of war", "study of the war",
		"russian offensive", "campaign assessment", "вивчення війни", "изучения войны",
		"étude de la guerre", "etude de la guerre", "kriegsstudien", "studiów nad wojną", "наступальної кампанії",
		"наступательной кампании", "campagne offensive russe", "offensivkampagne", "kampanii ofensywnej",
	}
	ukraineMarks = []string{"ukrain", "україн", "украин"}
	// titleReportWords are the whole words a translator calls its post by, in
	// Latin script, lower-case: "Lagebericht" counts, "Lagerverkauf",
	// "Reportage" and "Niederlage" do not.
	titleReportWords = []string{
		"lage", "lagebericht", "lageupdate", "lagebild", "bericht", "update", "report", "zusammenfassung",
		"rapport", "raport", "bilan", "évaluation", "evaluation",
	}
	// reportStems start the Cyrillic words for a report, which inflect.
	reportStems = []string{"звіт", "огляд", "зведення", "сводк", "отчёт", "отчет", "обзор", "оцінк", "оценк"}
	// situationWords name a situation report on their own, without "Ukraine".
	situationWords = []string{"lagebericht", "lageupdate", "lagebild"}
	situationStems = []string{"звіт", "зведення", "сводк"}
)

// reportWordIn reports whether s names a translator's report: one of
// titleReportWords as a whole word, or a word starting with one of reportStems.
func reportWordIn(s string) bool { return wordIn(s, titleReportWords, reportStems) }

// situationWordIn reports whether s names a situation report outright
// ("Lagebericht", "Зведення"), which a report word like "Update" does not.
func situationWordIn(s string) bool { return wordIn(s, situationWords, situationStems) }

// mentionsISW reports whether s speaks of ISW or its daily report.
func mentionsISW(s string) bool {
	lower := strings.ToLower(s)
	for i := 0; ; {
		j := strings.Index(lower[i:], "isw")
		if j < 0 {
			break
		}
		j += i
		if !letterBefore(lower, j) && !letterAt(lower, j+3) {
			return true
		}
		i = j + 3
	}
	return containsAny(lower, iswMarks)
}

// mentionsUkraine reports whether s names Ukraine in a translator's language.
func mentionsUkraine(s string) bool { return containsAny(strings.ToLower(s), ukraineMarks) }

// seriesHit is a series named in a text, and where the name ends.
type seriesHit struct {
	series string
	end    int
}

// seriesIn returns the series named in s, in order.
func seriesIn(s string) []seriesHit {
	var hits []seriesHit
	for _, loc := range matchesAt(seriesNamesAt, s, seriesStarts, seriesEnds, 64) {
		for g, series := range seriesOrder {
			if loc[2+2*g] >= 0 {
				hits = append(hits, seriesHit{series, loc[1]})
				break
			}
		}
	}
	return hits
}
