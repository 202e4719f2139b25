package dedupe

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Month names as they appear in titles and slugs, lower-case. Slugs spell
// März as maerz or marz; Ukrainian, Russian and Polish dates use the genitive.
var (
	englishMonths = map[string]time.Month{
		"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
		"april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
		"august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
		"october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
	}
	otherMonths = map[string]time.Month{
		// German and Austrian
		"januar": 1, "jänner": 1, "jaenner": 1, "janner": 1, "februar": 2, "feber": 2,
		"märz": 3, "maerz": 3, "marz": 3, "mär": 3, "mrz": 3, "mai": 5, "juni": 6, "juli": 7,
		"oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
		// French
		"janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3,
		"avril": 4, "avr": 4, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8,
		"septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
		// Ukrainian
		"січня": 1, "лютого": 2, "березня": 3, "квітня": 4, "травня": 5, "червня": 6,
		"липня": 7, "серпня": 8, "вересня": 9, "жовтня": 10, "листопада": 11, "грудня": 12,
		// Russian
		"января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6,
		"июля": 7, "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
		// Polish
		"stycznia": 1, "lutego": 2, "marca": 3, "kwietnia": 4, "maja": 5, "czerwca": 6,
		"lipca": 7, "sierpnia": 8, "września": 9, "wrzesnia": 9, "października": 10,
		"pazdziernika": 10, "listopada": 11, "grudnia": 12,
	}
)

// monthOf returns the month a name (any case, any known language) stands for.
func monthOf(name string) (time.Month, bool) {
	name = strings.ToLower(name)
	if m, ok := englishMonths[name]; ok {
		return m, true
	}
	m, ok := otherMonths[name]
	return m, ok
}

// alternation joins names longest first, so "marz" is tried before "mar".
func alternation(sets ...map[string]time.Month) string {
	var names []string
	for _, set := range sets {
		for n := range set {
			names = append(names, regexp.QuoteMeta(n))
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b))
	})
	return strings.Join(names, "|")
}

// Dates. Each pattern may consume one boundary character on either side:
// Go's \b only knows ASCII letters, which would break on "березня".
var (
	monthFirstDate = regexp.MustCompile(`(?i)(?:^|[^\p{L}])(` + alternation(englishMonths) +
		`)\.?\s*(\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(\d{4}))?(?:[^\p{N}]|$)`)
	dayFirstDate = regexp.MustCompile(`(?i)(?:^|[^\p{N}])(\d{1,2})(?:\.|er|st|nd|rd|th)?\s*(` +
		alternation(englishMonths, otherMonths) + `)(?:\.?,?\s*(\d{4})(?:[^\p{N}]|$)|[^\p{L}]|$)`)
	numericDate = regexp.MustCompile(`(?:^|[^\p{N}.])(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:[^\p{N}]|$)`)
	isoDate     = regexp.MustCompile(`(?:^|[^\p{N}])(\d{4})-(\d{2})-(\d{2})(?:[^\p{N}]|$)`)
)

// calendarDay is a date as written: Year is 0 when the text gives none.
type calendarDay struct {
	Year  int
	Month time.Month
	Day   int
}

// yearGrace is how far after an item's publication a year-less date may fall:
// a report is dated US Eastern, its item may be stamped a little earlier.
const yearGrace = 3 * 24 * time.Hour

// In returns the day as 00:00 UTC. A year-less day takes the year that puts it
// latest but not after ref (plus yearGrace): a Dec 31 report translated on
// Jan 2 belongs to the year before.
func (d calendarDay) In(ref time.Time) (time.Time, bool) {
	if d.Year != 0 {
		return d.valid(d.Year)
	}
	if ref.IsZero() {
		return time.Time{}, false
	}
	limit := ref.Add(yearGrace)
	for y := ref.Year() + 1; y >= ref.Year()-1; y-- {
		if t, ok := d.valid(y); ok && !t.After(limit) {
			return t, true
		}
	}
	return time.Time{}, false
}

func (d calendarDay) valid(year int) (time.Time, bool) {
	if year < 100 {
		year += 2000
	}
	t := time.Date(year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	if year < 2000 || year > 2200 || t.Day() != d.Day || t.Month() != d.Month {
		return time.Time{}, false
	}
	return t, true
}

// dateHit is a date found in a text, with the bytes it covers.
type dateHit struct {
	day        calendarDay
	start, end int
}

// datesIn returns the dates written in s, in order. Where two readings
// overlap ("Lage 12 March 29, 2023") the longer one wins.
func datesIn(s string) []dateHit {
	if !strings.ContainsFunc(s, unicode.IsDigit) {
		return nil
	}
	var hits []dateHit
	add := func(re *regexp.Regexp, read func(m []string) (calendarDay, bool)) {
		for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = s[loc[2*i]:loc[2*i+1]]
				}
			}
			if d, ok := read(m); ok {
				hits = append(hits, dateHit{d, loc[0], loc[1]})
			}
		}
	}
	add(monthFirstDate, func(m []string) (calendarDay, bool) { return named(m[1], m[2], m[3]) })
	add(dayFirstDate, func(m []string) (calendarDay, bool) { return named(m[2], m[1], m[3]) })
	add(numericDate, func(m []string) (calendarDay, bool) { return numeric(m[3], m[2], m[1]) })
	add(isoDate, func(m []string) (calendarDay, bool) { return numeric(m[1], m[2], m[3]) })
	slices.SortFunc(hits, func(a, b dateHit) int { return cmp.Compare(a.start, b.start) })
	return hits[:keepLongest(hits)]
}

// keepLongest drops every hit that overlaps a longer (or, at equal length,
// an earlier) one and returns how many remain at the front of hits.
func keepLongest(hits []dateHit) int {
	beaten := func(i int) bool {
		h := hits[i]
		for j, o := range hits {
			if i != j && h.start < o.end && o.start < h.end &&
				(o.end-o.start > h.end-h.start || (o.end-o.start == h.end-h.start && j < i)) {
				return true
			}
		}
		return false
	}
	keep := make([]bool, len(hits))
	for i := range hits {
		keep[i] = !beaten(i)
	}
	n := 0
	for i, h := range hits {
		if keep[i] {
			hits[n] = h
			n++
		}
	}
	return n
}

func named(month, day, year string) (calendarDay, bool) {
	m, ok := monthOf(month)
	if !ok {
		return calendarDay{}, false
	}
	d, _ := strconv.Atoi(day)
	y, _ := strconv.Atoi(year)
	cd := calendarDay{Year: y, Month: m, Day: d}
	_, ok = cd.valid(2024) // a leap year, so that Feb 29 is accepted without a year
	if y != 0 {
		_, ok = cd.valid(y)
	}
	return cd, ok
}

func numeric(year, month, day string) (calendarDay, bool) {
	y, _ := strconv.Atoi(year)
	m, _ := strconv.Atoi(month)
	d, _ := strconv.Atoi(day)
	cd := calendarDay{Year: y, Month: time.Month(m), Day: d}
	_, ok := cd.valid(y)
	return cd, ok
}

// Update numbers. A strong pattern names the daily report by itself; a weak
// one ("Update 3", "№ 12") only counts in an item that is a report for other
// reasons or speaks of Ukraine. A bare "Nr. 371" is never a number: DESIGN
// lists it among the day-of-war counters, so "Nr." counts only after a
// report word (Lage, Bericht, Update, ISW, Звіт …).
var (
	strongNumbers = []*regexp.Regexp{
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])lage\s*(?:nr\.?|nummer|no\.?|#|№)?\s*(\d{1,4})(?:[^\p{N}]|$)`),
		regexp.MustCompile(`(?i)russian\s+offensive\s+(?:campaign\s+)?(?:update|assessment)\s*(?:nr\.?|no\.?|#|№|n[°º])?\s*(\d{1,4})(?:[^\p{N}]|$)`),
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])isw[\s-]*(?:` + reportWords + `)?\s*(?:nr\.?|nummer|no\.?|#|№|n[°º])\s*(\d{1,4})(?:[^\p{N}]|$)`),
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])isw[\s-]*(?:` + reportWords + `)\s*(\d{1,4})(?:[^\p{N}]|$)`),
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:` + reportWords + `)[\s-]*isw\s*(?:nr\.?|nummer|no\.?|#|№|n[°º])?\s*(\d{1,4})(?:[^\p{N}]|$)`),
	}
	weakNumbers = []*regexp.Regexp{
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:` + reportWords + `)\s*(?:nr\.?|nummer|no\.?|#|№|n[°º])?\s*(\d{1,4})(?:[^\p{N}]|$)`),
		regexp.MustCompile(`(?i)(?:№|(?:^|[^\p{L}])n[°º])\s*(\d{1,4})(?:[^\p{N}]|$)`),
	}
	// Day-of-war counters: "Tag 466", "466. Tag", "Day 403", "день 403",
	// "403-й день", "403 dzień", "Jour 403", "403e jour".
	dayCounters = []*regexp.Regexp{
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:kriegstag|tag|day|jour|день|дня|доба|dzień|dzien)\s*(?:nr\.?|no\.?|№|#|n[°º])?\s*\d{1,4}`),
		regexp.MustCompile(`(?i)\d{1,4}(?:\.\s*(?:kriegs)?tag|(?:st|nd|rd|th)\s+day|(?:-?й|-?ий|-?го)?\s*(?:день|дня|доба)|\.?\s*(?:dzień|dzien)|\s*(?:e|er|ème|eme)\s+jour)`),
	}
)

const reportWords = `update|lagebericht|bericht|report|rapport|raport|звіт|огляд|сводка|отчёт|отчет|обзор|zvit|svodka`

// numberIn returns the update numbers written in s outside the dates and
// day-of-war counters, by a strong and by a weak pattern.
func numberIn(s string, dates []dateHit) (strong, weak int) {
	if !strings.ContainsFunc(s, unicode.IsDigit) {
		return 0, 0
	}
	masked := []byte(s)
	blank := func(start, end int) {
		for i := start; i < end; i++ {
			masked[i] = ' '
		}
	}
	for _, d := range dates {
		blank(d.start, d.end)
	}
	for _, re := range dayCounters {
		for _, loc := range re.FindAllIndex(masked, -1) {
			blank(loc[0], loc[1])
		}
	}
	if n := firstNumber(strongNumbers, masked); n > 0 {
		return n, 0
	}
	return 0, firstNumber(weakNumbers, masked)
}

func firstNumber(res []*regexp.Regexp, b []byte) int {
	for _, re := range res {
		if m := re.FindSubmatch(b); m != nil {
			if n, _ := strconv.Atoi(string(m[1])); n > 0 {
				return n
			}
		}
	}
	return 0
}

// numberBy reads a number with a source's own pattern, group 1 being the number.
func numberBy(re *regexp.Regexp, s string) int {
	if re == nil {
		return 0
	}
	m := re.FindStringSubmatch(s)
	if m == nil || len(m) < 2 {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(m[1]))
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// Series names as ISW writes them; the groups follow seriesOrder. Iran Update
// Special Report comes before Iran Update so that it is never read as one.
var (
	seriesNames = regexp.MustCompile(`(?i)(iran\s+update[\s,:-]+special\s+report)|(iran\s+update)|` +
		`(china[\s-]+taiwan\s+update)|(russian\s+occupation\s+update)|` +
		`(russian\s+offensive\s+campaign\s+assessment|russia[\s-]+ukraine\s+warning\s+update|russian\s+offensive\s+(?:campaign\s+)?update)`)
	seriesOrder = []string{
		SeriesIranUpdateSpecialReport, SeriesIranUpdate, SeriesChinaTaiwanUpdate,
		SeriesRussianOccupationUpdate, SeriesRussianOffensive,
	}
	// iswMention marks a text that speaks of ISW or its daily report, in any of
	// the translators' languages.
	iswMention = regexp.MustCompile(`(?i)(?:^|[^\p{L}])isw(?:[^\p{L}]|$)|understanding\s*war|study\s+of\s+(?:the\s+)?war|` +
		`russian\s+offensive|campaign\s+assessment|вивчення\s+війни|изучения\s+войны|[ée]tude\s+de\s+la\s+guerre|studiów\s+nad\s+wojną|` +
		`наступальної\s+кампанії|наступательной\s+кампании|campagne\s+offensive\s+russe|offensivkampagne|kampanii\s+ofensywnej`)
	ukraine = regexp.MustCompile(`(?i)ukrain|україн|украин`)
)

// seriesHit is a series named in a text, and where the name ends.
type seriesHit struct {
	series string
	end    int
}

// seriesIn returns the series named in s, in order.
func seriesIn(s string) []seriesHit {
	var hits []seriesHit
	for _, loc := range seriesNames.FindAllStringSubmatchIndex(s, -1) {
		for g, series := range seriesOrder {
			if loc[2+2*g] >= 0 {
				hits = append(hits, seriesHit{series, loc[1]})
				break
			}
		}
	}
	return hits
}

// cleanText folds what feeds put in titles (no-break and thin spaces,
// typographic dashes, soft hyphens, decomposed umlauts) into plain forms.
func cleanText(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c < 0x20 {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u00ad' || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff':
			return -1
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || unicode.IsControl(r):
			return ' '
		case r >= '\u2010' && r <= '\u2015' || r == '\u2212':
			return '-'
		}
		return r
	}, s)
}
