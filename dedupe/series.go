package dedupe

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"iswfeed/config"
)

// The series patterns are built from config.BuiltinSeries, the one list of
// ISW's series and their titles. Titles are tried longest first, so that
// "Iran Update Special Report" is never read as "Iran Update".
var (
	seriesNamesAt, seriesOfGroup = seriesPattern(config.BuiltinSeries)
	seriesStarts, seriesEnds     = seriesWords(config.BuiltinSeries)
)

// misspelt are the ways ISW mistypes a series' title ("Russian Offensive
// Campaing Assesment"), as patterns.
var misspelt = map[string][]string{
	config.DefaultSeries: {`russian\s+offensive\s+cam[a-z]{3,6}\s+as+es+[a-z]*`},
}

// seriesSep is what ISW puts between a title's words: "China-Taiwan",
// "China & Taiwan", "Iran Update: Special Report".
const seriesSep = `[\s,:&-]+`

// titleWords splits a series title into its words.
func titleWords(title string) []string {
	return strings.FieldsFunc(strings.ToLower(title), func(r rune) bool { return r == ' ' || r == '-' || r == '&' })
}

// seriesPattern is one anchored alternation of every title, each in a group,
// with the series each group stands for. A name must end at a word's end and
// must not go on to "Updates": "Iran Updates" and "Russian Offensive Campaign
// Assessment Updates" are index pages.
func seriesPattern(all []config.ISWSeries) (*regexp.Regexp, []string) {
	type alt struct{ re, series string }
	var alts []alt
	for _, sr := range all {
		for _, t := range sr.Titles {
			words := titleWords(t)
			for i, w := range words {
				words[i] = regexp.QuoteMeta(w)
			}
			alts = append(alts, alt{strings.Join(words, seriesSep), sr.Name})
		}
		for _, re := range misspelt[sr.Name] {
			alts = append(alts, alt{re, sr.Name})
		}
	}
	slices.SortStableFunc(alts, func(a, b alt) int { return cmp.Compare(len(b.re), len(a.re)) })
	groups := make([]string, len(alts))
	series := make([]string, len(alts))
	for i, a := range alts {
		groups[i], series[i] = "("+a.re+")", a.series
	}
	re := regexp.MustCompile(`(?i)^(?:` + strings.Join(groups, "|") + `)(?:[^\p{L}]|$)`)
	return re, series
}

// seriesWords returns the lower-case first and last words of every title,
// where a series name can start and what it must hold.
func seriesWords(all []config.ISWSeries) (starts, ends []string) {
	for _, sr := range all {
		for _, t := range sr.Titles {
			w := titleWords(t)
			starts, ends = append(starts, w[0]), append(ends, w[len(w)-1])
		}
	}
	ends = append(ends, "offensive") // the misspelt titles end in a typo
	slices.Sort(starts)
	slices.Sort(ends)
	return slices.Compact(starts), slices.Compact(ends)
}

// indexTail follows a series name on an index page: "… Updates Page".
var indexTail = regexp.MustCompile(`(?i)^` + seriesSep + `updates(?:[^\p{L}]|$)`)

var (
	// iswMarks are what a text that speaks of ISW or its daily report says,
	// in the translators' languages, lower-case.
	iswMarks = []string{
		"understanding war", "understandingwar", "study of war", "study of the war",
		"russian offensive", "campaign assessment", "вивчення війни", "изучения войны",
		"étude de la guerre", "etude de la guerre", "kriegsstudien", "studiów nad wojną", "наступальної кампанії",
		"наступательной кампании", "campagne offensive russe", "offensivkampagne", "kampanii ofensywnej",
		// ISW's name as translators write it
		"studi di guerra", "studio della guerra", "estudio de la guerra", "estudo da guerra",
		"badań nad wojną", "studiów nad wojną", "studia války", "studium války", "štúdium vojny",
		"studie van oorlog", "studiet af krig", "krigsstudier", "전쟁연구소", "戦争研究所", "study of war",
		// the daily report's title as translators write it
		"러시아 공세 캠페인 평가", "ロシアの攻勢作戦評価",
	}
	ukraineMarks = []string{"ukrain", "україн", "украин"}
	// warMarks name the war's other side or Ukraine in more languages.
	warMarks = []string{"russ", "rosj", "rusk", "rusi", "rusa", "ruso", "ucran", "росі", "росси", "россий", "рф", "kreml", "кремл",
		"putin", "путін", "путин", "ukrajin", "oekra", "ucrain", "ucrân", "ukraiń", "우크라", "러시아",
		"ウクライナ", "ロシア", "front"}
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
func mentionsISW(s string) bool { return len(iswMentions(strings.ToLower(s))) > 0 }

// iswMentions returns where, in the lower-case text lower, ISW is named
// ("ISW" as a word, or one of iswMarks), as [start, end) byte spans in order.
func iswMentions(lower string) [][2]int {
	var spans [][2]int
	for i := 0; ; {
		j := strings.Index(lower[i:], "isw")
		if j < 0 {
			break
		}
		j += i
		if !letterBefore(lower, j) && !letterAt(lower, j+3) {
			spans = append(spans, [2]int{j, j + 3})
		}
		i = j + 3
	}
	for _, m := range iswMarks {
		for i := 0; ; {
			j := strings.Index(lower[i:], m)
			if j < 0 {
				break
			}
			spans = append(spans, [2]int{i + j, i + j + len(m)})
			i += j + len(m)
		}
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	return spans
}

// speaksOfTheWar reports whether any of texts names Ukraine, Russia or the
// Kremlin in a translator's language.
func speaksOfTheWar(texts ...string) bool {
	for _, s := range texts {
		if lower := strings.ToLower(s); containsAny(lower, ukraineMarks) || containsAny(lower, warMarks) {
			return true
		}
	}
	return false
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
	for _, loc := range matchesAt(seriesNamesAt, s, seriesStarts, seriesEnds, 80) {
		for g, series := range seriesOfGroup {
			if end := loc[3+2*g]; end >= 0 {
				if !indexTail.MatchString(s[end:]) {
					hits = append(hits, seriesHit{series, end})
				}
				break
			}
		}
	}
	return hits
}
