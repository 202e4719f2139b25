package dedupe

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Update numbers. A strong pattern names the daily report by itself; a weak
// one ("Update 3", "№ 12") only counts in an item that is a report for other
// reasons or speaks of Ukraine. A bare "Nr. 371" is never a number: DESIGN
// lists it among the day-of-war counters, so "Nr." counts only after a
// report word (Lage, Bericht, Update, ISW, Звіт …).
var (
	strongNumbers = []*regexp.Regexp{
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])lage\s*[:(]?\s*(?:nr\.?|nummer|no\.?|#|№)?\s*(\d{1,4})(?:[^\p{N}]|$)`),
		regexp.MustCompile(`(?i)` + offensiveNumber),
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])isw[\s-]*(?:` + reportWords + `)?\s*(?:nr\.?|nummer|no\.?|#|№|n[°º])\s*(\d{1,4})(?:[^\p{N}]|$)`),
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])isw[\s-]*(?:` + reportWords + `)\s*(\d{1,4})(?:[^\p{N}]|$)`),
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:` + reportWords + `)[\s-]*isw\s*(?:nr\.?|nummer|no\.?|#|№|n[°º])?\s*(\d{1,4})(?:[^\p{N}]|$)`),
	}
	weakNumbers = []*regexp.Regexp{
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:` + reportWords + `)\s*(?:nr\.?|nummer|no\.?|#|№|n[°º])?\s*(\d{1,4})(?:[^\p{N}]|$)`),
		// A bare "#45" is left out: "Ukraine-Podcast #45" is no report.
		regexp.MustCompile(`(?i)(?:№|(?:^|[^\p{L}])n[°º])\s*(\d{1,4})(?:[^\p{N}]|$)`),
	}
	// Day-of-war counters: "Tag 466", "466. Tag", "Day 403", "день 403",
	// "403-й день", "403 dzień", "Jour 403", "403e jour".
	dayCounters = []*regexp.Regexp{
		regexp.MustCompile(`(?i)(?:^|[^\p{L}])(?:kriegstag|tag|day|jour|день|дня|доба|dzień|dzien)\s*(?:nr\.?|no\.?|№|#|n[°º])?\s*\d{1,4}`),
		// "D+54", the military count of days from the invasion.
		regexp.MustCompile(`(?:^|[^\p{L}])D\s?\+\s?\d{1,4}`),
		regexp.MustCompile(`(?i)\d{1,4}(?:\.\s*(?:kriegs)?tag|(?:st|nd|rd|th)\s+day|(?:-?й|-?ий|-?го)?\s*(?:день|дня|доба)|\.?\s*(?:dzień|dzien)|\s*(?:e|er|ème|eme)\s+jour)`),
	}
)

// offensiveNumber is "Russian Offensive Update 401", as spartanat ends its posts.
const offensiveNumber = `russian\s+offensive\s+(?:campaign\s+)?(?:update|assessment)\s*(?:nr\.?|no\.?|#|№|n[°º])?\s*(\d{1,4})(?:[^\p{N}]|$)`

var slashPair = regexp.MustCompile(`\d+\s?/\s?\d+`)

// russianWord and offensiveWord are where sourceNumber looks for offensiveNumberAt.
var russianWord, offensiveWord = newWordSet([]string{"russian"}), newWordSet([]string{"offensive"})

var offensiveNumberAt = regexp.MustCompile(`(?i)^` + offensiveNumber)

const reportWords = `update|lagebericht|bericht|report|rapport|raport|звіт|огляд|сводка|отчёт|отчет|обзор|zvit|svodka`

// numberIn returns the update numbers written in s outside the dates and
// day-of-war counters, by a strong and by a weak pattern.
func numberIn(s string, dates []dateHit) (strong, weak int) {
	if !strings.ContainsFunc(s, unicode.IsDigit) {
		return 0, 0
	}
	masked := []byte(s)
	for _, d := range dates {
		blank(masked, d.start, d.end)
	}
	// "2/26" and "24/7" are a day or a fraction, no update number.
	for _, loc := range slashPair.FindAllIndex(masked, -1) {
		blank(masked, loc[0], loc[1])
	}
	blankDayCounters(masked)
	if n := firstNumber(strongNumbers, masked); n > 0 {
		return n, 0
	}
	return 0, firstNumber(weakNumbers, masked)
}

// blank overwrites b[start:end] with spaces, keeping the offsets of the rest.
func blank(b []byte, start, end int) {
	for i := start; i < end; i++ {
		b[i] = ' '
	}
}

// blankDayCounters blanks the day-of-war counters in b.
func blankDayCounters(b []byte) {
	s := string(b)
	for _, re := range dayCounters {
		if !mayMatch(re, s) {
			continue
		}
		locs := re.FindAllIndex(b, -1)
		for _, loc := range locs {
			blank(b, loc[0], loc[1])
		}
		if len(locs) > 0 {
			s = string(b)
		}
	}
}

// countsDays reports whether a day counter in s counts n: "Update 54 vom
// 20. April (D+54)" is a blog's own day series, not update 54.
func countsDays(s string, n int) bool {
	for _, re := range dayCounters {
		if !mayMatch(re, s) {
			continue
		}
		for _, m := range re.FindAllString(s, -1) {
			if lastInt([]byte(m)) == n {
				return true
			}
		}
	}
	return false
}

// lastInt returns the last run of digits in b as a number.
func lastInt(b []byte) int {
	end := len(b)
	for end > 0 && (b[end-1] < '0' || b[end-1] > '9') {
		end--
	}
	start := end
	for start > 0 && b[start-1] >= '0' && b[start-1] <= '9' {
		start--
	}
	n, _ := strconv.Atoi(string(b[start:end]))
	return n
}

// sourceNumber returns the number of a post's source line ("Das vollständige
// Russian Offensive Update 401 gibt es direkt bei UNDERSTANDING WAR").
func sourceNumber(text string) int {
	for _, loc := range matchesAt(offensiveNumberAt, text, russianWord, offensiveWord, 80) {
		if n, _ := strconv.Atoi(text[loc[2]:loc[3]]); n > 0 {
			return n
		}
	}
	return 0
}

func firstNumber(res []*regexp.Regexp, b []byte) int {
	s := string(b)
	for _, re := range res {
		if !mayMatch(re, s) {
			continue
		}
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
