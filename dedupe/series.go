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
	// The same, as word sets: matchesAt finds them in one pass of a text.
	seriesStartSet, seriesEndSet = newWordSet(seriesStarts), newWordSet(seriesEnds)
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
		"russian offensive campaign", "campaign assessment", "russian offensive update", "вивчення війни", "изучения войны",
		"étude de la guerre", "etude de la guerre", "kriegsstudien", "studiów nad wojną", "наступальної кампанії",
		"наступательной кампании", "campagne offensive russe", "offensivkampagne", "kampanii ofensywnej",
		// ISW's name as translators write it
		"studi di guerra", "studio della guerra", "estudio de la guerra", "estudo da guerra",
		"badań nad wojną", "studiów nad wojną", "studia války", "studium války", "štúdium vojny",
		"studie van oorlog", "studiet af krig", "krigsstudier", "전쟁연구소", "戦争研究所", "study of war",
		"战争研究所", "戰爭研究所", "دراسة الحرب", "دراسات الحرب", "مطالعات جنگ", "לחקר המלחמה", "לחקר מלחמה",
		"savaş araştırmaları", "savaş çalışmaları", "háborútanulmányi", "háború tanulmányozás", "háborúkutató",
		"studiul războiului", "μελέτη του πολέμου", "μελέτης του πολέμου", "изследване на войната",
		"проучавање рата", "proučavanje rata", "изучавање рата", "karo studijų", "kara izpētes", "sõjauuringute",
		"sodan tutkimuksen", "studier av krig", "вывучэння вайны", "ომის შესწავლის", "nghiên cứu chiến tranh",
		"studi perang", "kajian perang", "študij vojne", "preučevanje vojne", "studie van de oorlog",
		"स्टडी ऑफ वॉर", "स्टडी फॉर द वार", "स्टडी ऑफ द वॉर", "युद्ध अध्ययन संस्थान",
		"institut für kriegsforschung", "instituts für kriegsforschung", "sotatutkimuksen instituut",
		// the daily report's title as translators write it
		"러시아 공세 캠페인 평가", "ロシアの攻勢作戦評価",
	}
	iswMarkSet   = newWordSet(iswMarks)
	ukraineMarks = []string{"ukrain", "україн", "украин"}
	// warMarks name the war's other side or Ukraine in more languages.
	warMarks = []string{"russ", "rosj", "rusk", "rusi", "rusa", "ruso", "ucran", "росі", "росси", "россий", "рф", "kreml", "кремл",
		"putin", "путін", "путин", "ukrajin", "oekra", "ucrain", "ucrân", "ukraiń", "우크라", "러시아",
		"ウクライナ", "ロシア", "front",
		"orosz", "rusya", "ukrayn", "русия", "украйн", "русиј", "украјин", "ρωσ", "ουκραν", "რუსეთ", "უკრაინ",
		"乌克兰", "烏克蘭", "俄罗斯", "俄羅斯", "俄军", "俄軍", "普京", "روسيا", "أوكرانيا", "اوكرانيا", "روسیه", "اوکراین",
		"רוסיה", "אוקראינה", "moskau", "moscow", "moskva", "moscou", "mosca", "moscú", "moskwa", "москв",
		"kyiv", "kiev", "kijów", "kiew", "київ", "киев", "रूस", "यूक्रेन", "乌军", "烏軍", "库尔斯克", "庫爾斯克"}
	// otherTheatres are the other wars Russia fights or ISW follows: a text
	// on Russia there, and not on Ukraine, is no daily report's.
	otherTheatres = []string{"syria", "сирі", "сири", "سوريا", "suriye", "syrien", "syrie", "siria", "syrii",
		"シリア", "시리아", "叙利亚", "敘利亞", "iraq", "irak", "ірак", "ирак", "العراق", "イラク", "이라크", "伊拉克",
		"afghan", "afgan", "афган", "أفغانستان", "libya", "libyen", "лівія", "ливия", "ليبيا"}
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
	for j := range indexAll(lower, "isw") {
		if wordBounded(lower, j, j+3) {
			spans = append(spans, [2]int{j, j + 3})
		}
	}
	spans = iswMarkSet.appendSpans(spans, lower)
	slices.SortFunc(spans, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	return spans
}

// speaksOfTheWar reports whether any of texts names Ukraine, Russia or the
// Kremlin in a translator's language.
func speaksOfTheWar(texts ...string) bool {
	war := false
	for _, s := range texts {
		lower := strings.ToLower(s)
		if containsAny(lower, ukraineMarks) {
			return true
		}
		war = war || warMarkSet.has(lower)
	}
	return war && !elsewhereThanUkraine(texts...)
}

// elsewhereThanUkraine reports whether texts speak of one of ISW's other
// theatres (Syria, Iraq …) and not of Ukraine.
func elsewhereThanUkraine(texts ...string) bool {
	elsewhere := false
	for _, s := range texts {
		lower := strings.ToLower(s)
		if containsAny(lower, ukraineMarks) {
			return false
		}
		elsewhere = elsewhere || otherTheatreSet.has(lower)
	}
	return elsewhere
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
	for _, loc := range matchesAt(seriesNamesAt, s, seriesStartSet, seriesEndSet, 80) {
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

// An item may name ISW and still be no version of one of its reports: a
// piece about ISW itself, about another of its publications, or about its
// data over years. How the item introduces ISW tells: its title, its slug,
// and the first sentence of its text that names ISW.
var (
	// aboutMarks speak of ISW's work in general: as a habit, in the plural,
	// or of its standing as a source.
	aboutMarks = []string{
		"every morning", "each morning", "every day", "each day", "every evening", "on a daily basis",
		"varje morgon", "varje dag", "hver morgen", "hver dag", "jeden morgen", "jeden tag", "chaque matin",
		"chaque jour", "ogni mattina", "ogni giorno", "cada mañana", "cada día", "każdego dnia", "каждое утро",
		"каждый день", "в ежедневном режиме", "в щоденному режимі",
		"longstanding", "long-standing", "dlouhodobě", "dlhodobo",
		"reports of the", "assessments of the", "analyses of the",
		"source of information", "zdrojom informácií", "zdrojem informací", "источником информации",
		"джерелом інформації", "źródłem informacji", "informationsquelle", "fonte di informazioni",
		"fuente de información", "source d'information",
		// what ISW is and who runs it, since when: a piece about the institute
		"non-profit", "nonprofit", "некоммерческ", "неприбутков", "gemeinnützig", "sans but lucratif",
		"senza scopo di lucro", "sin fines de lucro", "非営利", "非营利", "비영리",
		"founded", "founder", "основал", "основател", "заснув", "засновни", "gegründet", "gründer", "założ",
		"fondé", "fondateur", "fondato", "fondatore", "fundado", "fundada", "fundador", "設立", "创立", "創立",
		"kimberly kagan", "кимберли каган", "кімберлі каган", "キンバリー・ケーガン", "president of", "所長",
		"キーパーソン", "key person", "立ち位置", "連日", "毎日", "毎朝",
		"made a name", "einen namen", "reliable information", "verlässliche informationen",
		"most important source", "wichtigsten quellen", "quellen für", "one of the main sources",
		"с самого начала", "з самого початку", "von beginn", "since the very beginning", "od samego początku",
		"seit beginn",
		// ISW among other sources: "sahen auch die Militärexperten des ISW"
		" auch die", " auch der", " auch das",
		// who pays for ISW, what its name stands for
		"funded by", "funders", "funding", "rahoittaj", "finanziert", "финансир", "фінансу", "finansowan",
		"stands for", "abbreviation", "lyhenne", "abkürzung", "аббревиатур", "абревіатур",
		// ISW's people quoted, ISW explained, its reports in general
		"an analyst for", "an analyst at", "analyst with the", "told the", "told reporters",
		"breaking down", "how to read", "explainer", "a guide to",
		"daily isw", "daily reports", "daily assessments", "daily updates", "täglichen berichte",
		"ежедневные отчеты", "ежедневные сводки", "щоденні звіти", "codzienne raporty",
		// a report days old
		"a few days ago", "несколько дней", "кілька днів", "vor einigen tagen", "kilka dni temu", "il y a quelques jours",
	}
	// habitAdverbs say ISW does its work every day, as a habit: beside its
	// name, or beside "the institute" of a text that names it.
	habitAdverbs = []string{"щодня", "ежедневно ", "täglich ", "codziennie", "quotidiennement", "todos los días",
		"diariamente"}
	instituteWords = []string{"інститут", "институт", "institute", "institut", "instytut", "istituto", "instituto"}
	// otherISWs are other institutes that go by "ISW", in lower case:
	// Poland's Institute of War Losses.
	otherISWs = []string{"strat wojennych"}
	// otherProducts name an ISW publication that is not a daily report.
	otherProducts = []string{
		"special report", "separate statement", "별도 성명", "특별 보고서", "spezialbericht", "sonderbericht",
		"rapport spécial", "informe especial", "rapporto speciale", "raport specjalny", "zvláštní zpráva",
		"спецдоклад", "специальный доклад", "спеціальний звіт",
		"order of battle", "ordre de bataille", "orden de batalla", "ordine di battaglia", "schlachtordnung",
		"fact sheet", "factsheet", "podcast",
		"animated map", "mappa animata", "animierte karte", "анимированн", "анімован", "timelapse", "time-lapse",
	}
	// oneReport words, beside ISW's name, speak of one report of it ("the
	// latest reports of the ISW"), however they speak of the others.
	oneReport = []string{"latest", "newest", "recent", "fresh", "today", "свіж", "останн", "последн", "свеж",
		"najnowsz", "ostatni", "neuest", "jüngst", "dernier", "ultim", "últim", "senaste", "nyeste"}
	// iswPage marks a copy of an ISW publication's page: the byline of
	// every page ("April 8, 2022 - ISW Press") or its copyright line
	// ("©2024 by the Institute for the Study of War"), in lower case. The
	// daily report's page also names its series.
	iswPage  = regexp.MustCompile(`-\s*(?:isw\s+press|press\s+isw)\b|(?:©|copyright)\s*(?:20\d\d\s+)?(?:by\s+)?(?:the\s+)?institute\s+for\s+the\s+study\s+of\s+war`)
	yearWord = regexp.MustCompile(`(?:^|[^\d])(20\d\d)(?:[^\d]|$)`)
)

// aboutISW reports whether an item that names ISW is about ISW, another of
// its publications, or its data over years, rather than a version of one
// report; or whether its text copies the page of an ISW publication of no
// series.
func aboutISW(title, slug string, post *content) bool {
	title, slug = strings.ToLower(title), strings.ToLower(slug)
	text, mentions := post.lowerText()
	if containsAny(text, otherISWs) || containsAny(title, otherISWs) {
		return true
	}
	named := iswSentences(text, mentions, 3)
	first := ""
	if len(named) > 0 {
		first = named[0]
	}
	for _, s := range []string{title, slug, sentenceHead(text), first} {
		if otherProductSet.has(s) {
			return true
		}
	}
	if isInterview(first) && aroundISW(first, interviewSet) {
		return true
	}
	if !mentionsISW(title) && !mentionsISW(slug) && isDigest(text, mentions) {
		return true
	}
	for _, s := range append([]string{title, slug}, named...) {
		if aroundISW(s, aboutMarkSet) || aroundISW(s, habitAdverbSet) || mentionsISW(s) && comparesYears(s) {
			return true
		}
	}
	if len(mentions) > 0 && habitOfTheInstitute(text) {
		return true
	}

	return containsAny(text, []string{"press", "©", "copyright"}) && iswPage.MatchString(text) &&
		len(seriesIn(title)) == 0 && len(seriesIn(text)) == 0
}

// aroundISW reports whether one of marks is written close to where the
// lower-case sentence s names ISW: "the reports of the Institute for
// the Study of War", "ISW dlouhodobě usuzuje", unless they speak of one
// report ("the latest reports of ISW"). Further on, the words are the
// report's ("long-standing Russian information operations").
func aroundISW(s string, marks *wordSet) bool {
	for _, m := range iswMentions(s) {
		around := s[max(0, m[0]-aroundBefore):min(len(s), m[1]+aroundAfter)]
		if marks.has(around) && !oneReportSet.has(around) {
			return true
		}
	}
	return false
}

const aroundBefore, aroundAfter = 100, 60

// iswSentences returns the first n sentences of the lower-case text that
// name ISW (at m, its mentions), each once.
func iswSentences(lower string, m [][2]int, n int) []string {
	var out []string
	for _, at := range m {
		if len(out) == n {
			break
		}
		if s := sentenceAt(lower, at[0]); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// indexBullet is strings.IndexAny(s, "•·") without decoding every rune of
// s: both are multi-byte runes whose first byte starts no other rune's tail.
func indexBullet(s string) int {
	i, j := strings.Index(s, "•"), strings.Index(s, "·")
	if i < 0 || j >= 0 && j < i {
		return j
	}
	return i
}

// sentenceEnds end a sentence or a list item.
var sentenceEnds = []string{". ", "] ", "! ", "? ", "•", "·", "。"}

// sentenceAt returns the sentence (or list item) of lower that holds byte i.
func sentenceAt(lower string, i int) string {
	s := sentenceHead(lower[sentenceStart(lower, i):])
	if j := indexBullet(s); j >= 0 {
		s = s[:j]
	}
	return s
}

// sentenceStart returns where the sentence that holds byte i of s starts:
// after the end of one of sentenceEnds that ends last before i, else 0. It
// reads back from i, not the whole text before it for every end: a post
// names ISW many times.
func sentenceStart(s string, i int) int {
	longest := 0
	for _, end := range sentenceEnds {
		longest = max(longest, len(end))
	}
	start := 0
	for j := i - 1; j >= 0 && j+longest > start; j-- {
		if !sentenceEndFirst[s[j]] {
			continue
		}
		for _, end := range sentenceEnds {
			if j+len(end) <= i && j+len(end) > start && strings.HasPrefix(s[j:], end) {
				start = j + len(end)
			}
		}
	}
	return start
}

// sentenceEndFirst marks the bytes a sentence end starts with.
var sentenceEndFirst = func() (first [256]bool) {
	for _, end := range sentenceEnds {
		first[end[0]] = true
	}
	return first
}()

// comparesYears reports whether s speaks of two or more whole years and of
// no day: "more territory in 2024 than in 2023" is a trend, no day's report.
func comparesYears(s string) bool {
	if !mayMatch(yearWord, s) {
		return false
	}
	years := map[string]bool{}
	for _, m := range yearWord.FindAllStringSubmatch(s, -1) {
		years[m[1]] = true
	}
	return len(years) >= 2 && len(datesIn(s)) == 0
}

// topicMarks name the subject of ISW's other daily and weekly series.
var topicMarks = []struct {
	series string
	marks  []string
}{
	{seriesIran, []string{"iran", "irán", "иран", "іран", "イラン", "이란", "tehran", "teheran", "khamenei"}},
	{seriesChinaTaiwan, []string{"taiwan", "tajwan", "taïwan", "тайван", "台湾", "臺灣", "대만"}},
}

// topicSeries returns the series whose subject texts speak of when they do
// not speak of the war in Ukraine, "" otherwise.
func topicSeries(texts ...string) string {
	if speaksOfTheWar(texts...) {
		return ""
	}
	for _, t := range topicMarks {
		for _, s := range texts {
			if containsAny(strings.ToLower(s), t.marks) {
				return t.series
			}
		}
	}
	return ""
}

// opensWithTakeaways reports whether text opens with the heading of ISW's
// daily report, "Key Takeaways": a repost of it, even where it does not name ISW.
func opensWithTakeaways(text string) bool {
	t := strings.TrimSpace(text)
	head := strings.ToLower(t[:min(len(t), len("key takeaways")+1)])
	return strings.HasPrefix(head, "key takeaways") && !letterAt(head, len("key takeaways")) && speaksOfTheWar(t)
}

// bullets mark the points of a list in a post's text.
var bullets = []string{"▶", "►", "•", "■", "●", "▪", "🔹", "🔸", "🔴", "⚡", "✅", "👉"}

// isDigest reports whether the lower-case text is a list of the day's news
// of which one point credits ISW: two points or more, ISW named in one
// of them only and not before them ("Головне за день. ▶ 1. … (ISW). ▶ 2.
// США …"). A repost of ISW's key takeaways names ISW before its points.
func isDigest(text string, mentions [][2]int) bool {
	if len(mentions) == 0 {
		return false
	}
	var marks []int
	for _, b := range bullets {
		marks = slices.AppendSeq(marks, indexAll(text, b))
	}
	if len(marks) < 2 {
		return false
	}
	slices.Sort(marks)
	point := func(at int) int { // the point that holds byte at: 0 before the first
		n, _ := slices.BinarySearch(marks, at+1)
		return n
	}
	p := point(mentions[0][0])
	if p == 0 {
		return false
	}
	for _, m := range mentions[1:] {
		if point(m[0]) != p {
			return false
		}
	}
	return true
}

// habitOfTheInstitute reports whether the lower-case text says "the
// institute" does its work every day ("інститут, що щодня публікує аналіз").
// All the institute's names are found in one pass (instituteSet), as an
// Index loop per name would find them.
func habitOfTheInstitute(text string) bool {
	for _, at := range instituteSet.appendSpans(nil, text) {
		if habitAdverbSet.has(text[at[0]:min(len(text), at[1]+40)]) {
			return true
		}
	}
	return false
}

// The word lists aroundISW and habitOfTheInstitute look for, as word sets.
var (
	instituteSet   = newWordSet(instituteWords)
	aboutMarkSet   = newWordSet(aboutMarks)
	habitAdverbSet = newWordSet(habitAdverbs)
	interviewSet   = newWordSet(interviewWords)
	oneReportSet   = newWordSet(oneReport)
	// The long lists of speaksOfTheWar, elsewhereThanUkraine and aboutISW.
	warMarkSet      = newWordSet(warMarks)
	otherTheatreSet = newWordSet(otherTheatres)
	otherProductSet = newWordSet(otherProducts)
)
