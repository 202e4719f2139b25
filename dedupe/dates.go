package dedupe

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Month names as they appear in titles and slugs, lower-case. Slugs spell
// März as maerz or marz; Ukrainian, Russian and Polish dates use the genitive.
var (
	englishMonths = map[string]time.Month{
		"january": 1, "jan": 1, "february": 2, "feb": 2, "febuary": 2, "feburary": 2, "march": 3, "mar": 3,
		"april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7,
		"august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
		"october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
	}
	otherMonths = map[string]time.Month{
		// German and Austrian
		"januar": 1, "jänner": 1, "jaenner": 1, "janner": 1, "februar": 2, "feber": 2,
		"jän": 1, "märz": 3, "maerz": 3, "marz": 3, "mär": 3, "mrz": 3, "mai": 5, "juni": 6, "juli": 7,
		"oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
		// French
		"janvier": 1, "janv": 1, "février": 2, "fevrier": 2, "févr": 2, "fevr": 2, "mars": 3,
		"avril": 4, "avr": 4, "juin": 6, "juillet": 7, "juil": 7, "août": 8, "aout": 8,
		"septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12, "déc": 12,
		// Ukrainian
		"січня": 1, "лютого": 2, "березня": 3, "квітня": 4, "травня": 5, "червня": 6,
		"липня": 7, "серпня": 8, "вересня": 9, "жовтня": 10, "листопада": 11, "грудня": 12,
		"січ": 1, "лют": 2, "бер": 3, "берез": 3, "квіт": 4, "трав": 5, "черв": 6, "лип": 7,
		"серп": 8, "вер": 9, "верес": 9, "жовт": 10, "листоп": 11, "груд": 12,
		// Russian
		"января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6,
		"июля": 7, "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
		"янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8,
		"сен": 9, "сент": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12,
		// Polish
		"stycznia": 1, "lutego": 2, "marca": 3, "kwietnia": 4, "maja": 5, "czerwca": 6,
		"lipca": 7, "sierpnia": 8, "września": 9, "wrzesnia": 9, "października": 10,
		"pazdziernika": 10, "listopada": 11, "grudnia": 12,
		// Italian
		"gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7, "agosto": 8, "settembre": 9, "ottobre": 10, "dicembre": 12,
		// Spanish
		"enero": 1, "febrero": 2, "abril": 4, "mayo": 5, "junio": 6, "julio": 7, "septiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
		// Portuguese
		"janeiro": 1, "fevereiro": 2, "março": 3, "maio": 5, "junho": 6, "julho": 7, "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
		// Czech and Slovak
		"ledna": 1, "února": 2, "března": 3, "dubna": 4, "května": 5, "června": 6, "července": 7, "srpna": 8, "září": 9, "října": 10, "listopadu": 11, "prosince": 12,
		// Lithuanian
		"sausio": 1, "vasario": 2, "kovo": 3, "balandžio": 4, "gegužės": 5, "birželio": 6, "liepos": 7, "rugpjūčio": 8, "rugsėjo": 9, "spalio": 10, "lapkričio": 11, "gruodžio": 12,
		// Dutch
		"januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8,
	}
)

// translitMonths are the Ukrainian and Russian genitives as slugs spell them
// in Latin letters ("…-29-bereznya-2023", "…-31-marta"); only slugs are read
// with them, as "Marta" or "Maya" in a title may be a name.
var translitMonths = map[string]time.Month{
	"sichnya": 1, "lyutogo": 2, "lyutoho": 2, "bereznya": 3, "kvitnya": 4, "travnya": 5,
	"chervnya": 6, "lypnya": 7, "lipnya": 7, "serpnya": 8, "veresnya": 9, "zhovtnya": 10,
	"lystopada": 11, "listopada": 11, "grudnya": 12, "hrudnya": 12,
	"yanvarya": 1, "fevralya": 2, "marta": 3, "aprelya": 4, "maya": 5, "iyunya": 6, "iyulya": 7,
	"avgusta": 8, "sentyabrya": 9, "oktyabrya": 10, "noyabrya": 11, "dekabrya": 12,
}

// monthOf returns the month a name (any case, any known language) stands for.
func monthOf(name string) (time.Month, bool) {
	name = strings.ToLower(name)
	if m, ok := englishMonths[name]; ok {
		return m, true
	}
	if m, ok := otherMonths[name]; ok {
		return m, true
	}
	m, ok := worldMonth[name]
	return m, ok
}

// letter is what a month name is made of, as a cheap character class: ASCII
// letters and anything beyond ASCII (foldText has turned non-ASCII spaces
// into plain ones). \p{L} is exact but makes every date pattern slow.
const letter = `A-Za-z\x{80}-\x{10FFFF}`

// Dates. A month is any word looked up in the tables above: one small
// pattern is far faster than an alternation of every month name, and Go's
// \b only knows ASCII letters, which would break on "березня". Digits
// around a match are checked in code (see digitAround).
var (
	monthFirstDate = regexp.MustCompile(`(?:^|[^` + letter + `])([` + letter + `]+)\.?\s*(\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(\d{4}))?`)
	// Spanish and Portuguese join with "de": "1 de diciembre de 2024".
	dayFirstDate = regexp.MustCompile(`(\d{1,2})(?:\.|er|st|nd|rd|th|-?го)?\s*(?:of\s+|de\s+)?([` + letter + `]+)(?:\.?,?\s*(?:de\s+)?(\d{4}))?`)
	// numericDate is day first, "29.03.2023", "29. 3. 23", "29/03/2023",
	// "29-03-2023";
	// both separators must agree, which numericDay checks.
	numericDate = regexp.MustCompile(`(\d{1,2})([./-])\s?(\d{1,2})([./-])\s?(\d{4}|\d{2})`)
	// shortDate is a German year-less "29.03." or "29.3.".
	shortDate = regexp.MustCompile(`(\d{1,2})\.(\d{1,2})\.`)
	// cjkDate is "2024년 8월 26일" or "2023年3月29日".
	cjkDate = regexp.MustCompile(`(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]`)
	// militaryDate is a date-time group's date, "16JAN2024".
	militaryDate = regexp.MustCompile(`(\d{1,2})(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(\d{4})`)
	isoDate      = regexp.MustCompile(`(\d{4})([-/])(\d{1,2})([-/])(\d{1,2})`)
	// Slugs lose their dots: "…-30-3-2023", "…-2023-03-30" read as spaced.
	spacedDate    = regexp.MustCompile(`(\d{1,2}) (\d{1,2}) (\d{4})`)
	spacedISODate = regexp.MustCompile(`(\d{4}) (\d{1,2}) (\d{1,2})`)
	// spacedShortDate is "…-29-3-23", read only at the slug's end.
	spacedShortDate = regexp.MustCompile(`(\d{1,2}) (\d{1,2}) (\d{2})$`)
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

// yearSlip is how far from an item's publication a written year must put its
// date before near suspects the year (see near).
const yearSlip = 200 * 24 * time.Hour

// near is In for the item's own date: a year mistyped at New Year
// ("January 3, 2022" published in January 2023) is taken as the year that
// puts the day within a month before ref, when that year is one off. Later
// in the year a date a year back is a retrospective and kept.
func (d calendarDay) near(ref time.Time) (time.Time, bool) {
	t, ok := d.In(ref)
	if !ok || d.Year == 0 || ref.IsZero() || ref.YearDay() > 45 || t.Sub(ref).Abs() < yearSlip {
		return t, ok
	}
	u, ok := calendarDay{Month: d.Month, Day: d.Day}.In(ref)
	if ok && ref.Sub(u) < 31*24*time.Hour && (u.Year()-t.Year() == 1 || t.Year()-u.Year() == 1) {
		return u, true
	}
	return t, true
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

// datePattern is one way of writing a date: a pattern, the bytes of which s
// must hold one for the pattern to be worth trying, and how to read a match.
type datePattern struct {
	re    *regexp.Regexp
	needs string
	read  func(m []string) (calendarDay, bool)
	// admits, when set, is a cheap scan that every text the pattern
	// matches passes: it spares the regexp where it cannot match (see
	// datescan.go; TestDateAdmitsNeverHidesADate keeps it honest).
	admits func(s string) bool
}

var (
	textDates = []datePattern{
		{monthFirstDate, "", func(m []string) (calendarDay, bool) { return named(englishMonths, m[1], m[2], m[3]) }, letterThenDigit},
		{dayFirstDate, "", func(m []string) (calendarDay, bool) { return named(nil, m[2], m[1], m[3]) }, digitThenLetter},
		{numericDate, "./-", func(m []string) (calendarDay, bool) { return dayFirst(m[1], m[2], m[3], m[4], m[5]) }, digitThenSeparator},
		{shortDate, ".", func(m []string) (calendarDay, bool) { return numeric("", m[2], m[1]) }, digitDotDigit},
		{cjkDate, "年년", func(m []string) (calendarDay, bool) { return numeric(m[1], m[2], m[3]) }, nil},
		{militaryDate, "", func(m []string) (calendarDay, bool) { return named(englishMonths, m[2], m[1], m[3]) }, digitThenMonthCap},
		{yearFirstDate, ".", func(m []string) (calendarDay, bool) { return named(nil, m[2], m[3], m[1]) }, hasFourDigits},
		{yearDayMonthDate, ".", func(m []string) (calendarDay, bool) { return named(nil, m[3], m[2], m[1]) }, hasGada},
		{vietnameseDate, "t", func(m []string) (calendarDay, bool) { return numeric(m[3], m[2], m[1]) }, hasThang},
		{cjkShortDate, "月월", func(m []string) (calendarDay, bool) { return numeric("", m[1], m[2]) }, nil},
		{isoDate, "-/", func(m []string) (calendarDay, bool) {
			if m[2] != m[4] {
				return calendarDay{}, false
			}
			return numeric(m[1], m[3], m[5])
		}, hasFourDigits},
	}
	slugDates = append(textDates[:len(textDates):len(textDates)],
		datePattern{dayFirstDate, "", func(m []string) (calendarDay, bool) { return named(translitMonths, m[2], m[1], m[3]) }, digitThenLetter},
		datePattern{spacedDate, " ", func(m []string) (calendarDay, bool) { return numeric(m[3], m[2], m[1]) }, spacedYearLast},
		datePattern{spacedISODate, " ", func(m []string) (calendarDay, bool) { return numeric(m[1], m[2], m[3]) }, spacedYearFirst},
		datePattern{spacedShortDate, " ", func(m []string) (calendarDay, bool) { return numeric(m[3], m[2], m[1]) }, spacedShortEnd},
	)
)

// datesIn returns the dates written in s, in order. Where two readings
// overlap ("Lage 12 March 29, 2023") the longer one wins.
func datesIn(s string) []dateHit { return findDates(s, textDates) }

// slugDatesIn is datesIn for a slug read as words, where "30-3-2023" has
// become "30 3 2023".
func slugDatesIn(s string) []dateHit { return findDates(s, slugDates) }

func findDates(s string, patterns []datePattern) []dateHit {
	if !strings.ContainsFunc(s, unicode.IsDigit) {
		return nil
	}
	var hits []dateHit
	// A pattern listed twice (dayFirstDate, read with two month tables in
	// slugs) is searched once.
	var searched []*regexp.Regexp
	var found [][][]int
	for _, p := range patterns {
		if p.needs != "" && !strings.ContainsAny(s, p.needs) || p.admits != nil && !p.admits(s) || !mayMatch(p.re, s) {
			continue
		}
		var locs [][]int
		if i := slices.Index(searched, p.re); i >= 0 {
			locs = found[i]
		} else {
			locs = p.re.FindAllStringSubmatchIndex(s, -1)
			searched, found = append(searched, p.re), append(found, locs)
		}
		for _, loc := range locs {
			if digitAround(s, loc[0], loc[1]) {
				continue
			}
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = s[loc[2*i]:loc[2*i+1]]
				}
			}
			if d, ok := p.read(m); ok {
				hits = append(hits, dateHit{d, loc[0], loc[1]})
			}
		}
	}
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

// digitAround reports whether s[start:end] touches a digit or a dotted
// number, so that "123 März" or "1.24.08.22" are not read as dates.
func digitAround(s string, start, end int) bool {
	isDigit := func(i int) bool { return i >= 0 && i < len(s) && '0' <= s[i] && s[i] <= '9' }
	return isDigit(start-1) || isDigit(end) ||
		(start >= 2 && s[start-1] == '.' && isDigit(start-2)) ||
		(end+1 < len(s) && s[end] == '.' && isDigit(end+1))
}

// named reads a date whose month is a name: any known language, or only the
// names in set when set is not nil.
func named(set map[string]time.Month, month, day, year string) (calendarDay, bool) {
	m, ok := monthOf(month)
	if set != nil {
		m, ok = set[strings.ToLower(month)]
	}
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

// dayFirst reads "29.03.2023" or "29/03/23", whose separators must agree. A
// date that cannot be day first ("03/29/2023", "04.27.2022") is read month
// first.
func dayFirst(day, sep1, month, sep2, year string) (calendarDay, bool) {
	if sep1 != sep2 {
		return calendarDay{}, false
	}
	if d, ok := numeric(year, month, day); ok {
		return d, ok
	}
	return numeric(year, day, month)
}
