package dedupe

// Which date in a post's text is its report's: the patterns of dates.go find
// every date written; these rules pick the one that dates the report.

import (
	"cmp"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// statedDate returns the report date a post's text states for ISW's report:
// a date right after ISW's name ("сводке ISW за 14 марта", "ISW's
// assessment as of June 24") or right before it ("informe del 4 de
// diciembre, el ISW"); else ISW's own stamp in a repost (its byline, its
// note on the next report); else the day a summary's news happened, where
// the summary says so (leadDate, coveredDay). A year-less date
// takes the year that puts it on or before the post's publication.
func statedDate(text string, ref time.Time) time.Time {
	text = strings.ToLower(text)
	for _, rule := range []func(string, time.Time) time.Time{nearISW, iswStamp, reportAsOf, leadDate, coveredDay} {
		if t := rule(text, ref); !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

// nearISW returns the date written right after ISW's name, or right before
// ISW's abbreviation, in the lower-case text. A night's span ("в ночь с 17
// на 18 апреля опубликовал") is the report of its first day: ISW publishes in
// the US evening, the night after in Europe and Asia.
func nearISW(text string, ref time.Time) time.Time {
	for _, m := range iswMentions(text) {
		if tweetSignature.MatchString(text[m[1]:]) {
			continue // "— ISW (@TheStudyofWar) September 25, 2023": a tweet's time
		}
		rest := fieldHead(sentenceHead(text[m[1]:min(len(text), m[1]+statedSpan)]))
		if hits := datesIn(rest); len(hits) > 0 && hits[0].start < statedSpan-12 &&
			!isDateline(text[m[1]+hits[0].end:]) {
			d := hits[0].day
			if first, ok := nightFrom(rest[:hits[0].start]); ok && first < d.Day {
				d.Day = first
			}
			if t, ok := d.In(ref); ok {
				return t
			}
		}
		// "en su informe del domingo 4 de diciembre, el ISW"; a date before
		// a report's title ("19 February 2024 RUSSIAN OFFENSIVE …") is a
		// dateline, so only ISW's own abbreviation counts.
		if m[1]-m[0] != len("isw") {
			continue
		}
		before := sentenceTail(text[max(0, m[0]-statedSpan):m[0]])
		if hits := datesIn(before); len(hits) > 0 && len(before)-hits[len(hits)-1].end < 12 {
			if t, ok := hits[len(hits)-1].day.In(ref); ok {
				return t
			}
		}
	}
	return time.Time{}
}

// reportAsOf returns the date a text that names ISW gives its report "as
// of" ("Як йдеться у звіті, станом на 29 квітня", "the report says, as of
// April 29"), in the lower-case text.
func reportAsOf(text string, ref time.Time) time.Time {
	if len(iswMentions(text)) == 0 {
		return time.Time{}
	}
	for _, loc := range reportThenAsOf.FindAllStringIndex(text, -1) {
		if hits := datesIn(text[loc[1]:min(len(text), loc[1]+32)]); len(hits) > 0 && hits[0].start == 0 {
			if t, ok := hits[0].day.In(ref); ok {
				return t
			}
		}
	}
	return time.Time{}
}

var reportThenAsOf = regexp.MustCompile(`(?:звіт|отчет|отчёт|доклад|report|raport|bericht|rapport|informe)[^.]{0,24}?(?:станом на|по состоянию на|as of|stand|według stanu na|au|al)\s+`)

// etOrder reads a numeric date written right after US Eastern time the way
// the stamp beside it in Japan's time tells ("1700 ET 04.08.2022 (0600 JST
// 09.04.2022)": April 8, the day before, not August 4); d is how datesIn
// read it, day first, which stands when no such stamp says otherwise.
func etOrder(written, after string, d calendarDay) calendarDay {
	m := numericDate.FindStringSubmatch(written)
	jst := jstStamp.FindStringSubmatch(after)
	if m == nil || m[0] != written || jst == nil {
		return d
	}
	there, ok := numeric(jst[5], jst[3], jst[1])
	if !ok {
		return d
	}
	t, _ := there.valid(there.Year)
	for _, c := range []calendarDay{d, {}} {
		if c == (calendarDay{}) {
			if c, ok = numeric(m[5], m[1], m[3]); !ok {
				continue
			}
		}
		if ct, ok := c.valid(c.Year); ok && (ct.Equal(t) || ct.AddDate(0, 0, 1).Equal(t)) {
			return c
		}
	}
	return d
}

// jstStamp is Japan's time beside an ET stamp, its date day first.
var jstStamp = regexp.MustCompile(`(?i)^[^\d]{0,6}\d{3,4}\s*jst\s*(\d{1,2})([./-])(\d{1,2})([./-])(\d{4})`)

// isDateline reports whether what follows a date is a bare clock time
// ("2022/02/27 12:03" and then the story): a page's dateline or a post's
// stamp, not a date the text states for a report. A time said in words
// ("15 апреля, 4:30 вечера по восточному времени", "5:00pm ET") is ISW's.
func isDateline(after string) bool {
	m := clockTime.FindStringIndex(after)
	if m == nil {
		return false
	}
	next, _ := utf8.DecodeRuneInString(strings.TrimLeft(after[m[1]:], " \t\n"))
	return !unicode.IsLetter(next) && !unicode.IsDigit(next)
}

var clockTime = regexp.MustCompile(`^,?\s*\d{1,2}:\d\d(?::\d\d)?`)

// tweetSignature follows the name under an embedded tweet: its handle,
// then the tweet's date.
var tweetSignature = regexp.MustCompile(`^\s*\(@\w+\)`)

// bareDayNearISW reads a day of the month alone right after ISW's name in
// the lower-case text, as Chinese, Japanese and Korean news write the
// day's date ("ISW）9日發表", "ISW는 9일"): the latest such day on or before
// the publication.
func bareDayNearISW(text string, published time.Time) time.Time {
	for _, m := range iswMentions(text) {
		sm := bareDay.FindStringSubmatch(text[m[1]:min(len(text), m[1]+24)])
		if sm == nil {
			continue
		}
		d, _ := strconv.Atoi(sm[1])
		pub := published.UTC().Truncate(24 * time.Hour)
		for back := 0; back < 2; back++ {
			month := pub.AddDate(0, -back, 1-pub.Day())
			t := month.AddDate(0, 0, d-1)
			if t.Month() == month.Month() && !t.After(pub) {
				return t
			}
		}
	}
	return time.Time{}
}

var bareDay = regexp.MustCompile(`^[\s)）」』"']*(?:[은는이가]\s*)?(\d{1,2})\s*[日일](?:[^\d]|$)`)

// nightSpan ends the words before a date that make it a night's second
// day: "в ночь с 17 на", "у ніч з 17 на", "w nocy z 17 na", "in der Nacht
// vom 17. auf den", "on the night of 17 to".
var nightSpan = regexp.MustCompile(`(?:ночь|ніч|nocy|nacht|night)\s+(?:с|з|z|vom|of|from)?\s*(\d{1,2})\.?\s*(?:на|na|auf\s+den|to|-)\s*$`)

// nightFrom returns the first day of the night span that before ends with.
func nightFrom(before string) (int, bool) {
	m := nightSpan.FindStringSubmatch(before)
	if m == nil {
		return 0, false
	}
	d, err := strconv.Atoi(m[1])
	return d, err == nil
}

// iswStamp returns the date ISW's own words in a repost give: its byline,
// else the day before the report its closing note names.
func iswStamp(text string, ref time.Time) time.Time {
	return cmp.Or(iswByline(text, ref), nextReportEve(text, ref))
}

// iswByline returns the date of ISW's byline in the lower-case text
// ("March 23, 5:00pm ET", "2130 ET 15.09.2022", "Mar 19, 2022 - ISW Press").
// A data cut-off ("2:20pm ET on February 16") is none.
func iswByline(text string, ref time.Time) time.Time {
	if !asciiWordIn(text, "et", "est", "edt") && !strings.Contains(text, "press") {
		return time.Time{} // most posts: no need to read every date
	}
	for _, h := range datesIn(text) {
		after := bylineAfter.MatchString(text[h.end:])
		if after || bylineBefore.MatchString(text[max(0, h.start-24):h.start]) {
			d := h.day
			if !after {
				d = etOrder(text[h.start:h.end], text[h.end:min(len(text), h.end+48)], d)
			}
			if t, ok := d.In(ref); ok {
				return t
			}
		}
	}
	return time.Time{}
}

// nextReportEve returns the day before the report that ISW's closing note
// names ("ISW will cover subsequent reports in the February 17 Russian
// Offensive Campaign Assessment"): a report a day, save the days ISW skips.
func nextReportEve(text string, ref time.Time) time.Time {
	for _, loc := range nextReport.FindAllStringIndex(text, -1) {
		rest := text[loc[1]:min(len(text), loc[1]+80)]
		if hits := datesIn(rest); len(hits) > 0 && hits[0].start == 0 && len(seriesIn(rest[hits[0].end:])) > 0 {
			if t, ok := hits[0].day.In(ref.AddDate(0, 0, 1)); ok {
				return t.AddDate(0, 0, -1)
			}
		}
	}
	return time.Time{}
}

var nextReport = regexp.MustCompile(`(?i)subsequent reports? in the\s+`)

// leadDate returns the day a summary opens with ("13 травня російські
// окупанти продовжували …"), when its next sentence credits ISW with the
// first ("Про це йдеться у свіжому звіті … ISW"): the report of that day.
// Where the first sentence names ISW itself, its date is an event's. A
// dateline ("04.03.2023", "19 February 2024 RUSSIAN OFFENSIVE …", "ROMA, 16
// GEN -") writes its year or is followed by no sentence.
func leadDate(text string, ref time.Time) time.Time {
	text = strings.TrimSpace(text)
	hits := datesIn(text[:min(len(text), 40)])
	if len(hits) == 0 || hits[0].start != 0 || hits[0].day.Year != 0 || !strings.HasPrefix(text[hits[0].end:], " ") {
		return time.Time{}
	}
	if r, _ := utf8.DecodeRuneInString(text[hits[0].end+1:]); !unicode.IsLetter(r) {
		return time.Time{}
	}
	first := sentenceHead(text)
	second := sentenceHead(strings.TrimLeft(text[len(first):], ". "))
	if mentionsISW(first) || !mentionsISW(second) {
		return time.Time{}
	}
	t, _ := hits[0].day.In(ref)
	return t
}

// coveringWords say that the date after them is the day a report covers:
// "протягом доби, 11 березня", "в течение суток 11 марта".
var coveringWords = []string{"протягом доби", "за добу", "в течение суток", "за сутки", "w ciągu doby",
	"during the day", "over the past day", "in the past 24 hours", "in den letzten 24 stunden"}

// coveredDay returns the date written right after one of coveringWords.
func coveredDay(text string, ref time.Time) time.Time {
	for _, w := range coveringWords {
		for j := range indexAll(text, w) {
			i := j + len(w)
			rest := strings.TrimLeft(text[i:min(len(text), i+40)], " ,:")
			if hits := datesIn(rest); len(hits) > 0 && hits[0].start == 0 {
				if t, ok := hits[0].day.In(ref); ok {
					return t
				}
			}
		}
	}
	return time.Time{}
}

// sentenceHead cuts s at the end of its first sentence: a date in the next
// one ("(ISW). Він 17 березня заявив") is an event's, not the report's. A
// month's abbreviation ("as of Feb. 26") ends no sentence.
func sentenceHead(s string) string {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '!', '?':
			return s[:i]
		case '.':
			if i+1 < len(s) && s[i+1] == ' ' && !monthBefore(s, i) {
				return s[:i]
			}
		}
	}
	return s
}

// fieldHead is s up to the end of a field of a list or table it is written
// in ("citing ISW', '2 Jul 2026'": the next field is another's).
func fieldHead(s string) string {
	for _, sep := range []string{"', '", `", "`, " | ", "\t"} {
		if i := strings.Index(s, sep); i >= 0 {
			s = s[:i]
		}
	}
	return s
}

// monthBefore reports whether the word that ends at byte i of s is a month.
func monthBefore(s string, i int) bool {
	j := strings.LastIndexFunc(s[:i], func(r rune) bool { return !unicode.IsLetter(r) })
	_, ok := monthOf(s[j+1 : i])
	return ok
}

// sentenceTail is the part of s after its last sentence's end.
func sentenceTail(s string) string {
	if i := strings.LastIndex(s, ". "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// statedSpan is how far after ISW's name a date counts as the report's.
const statedSpan = 48

// ISW's bylines put the time after the date ("March 23, 5:00pm ET",
// "December 22, 7 pm ET") or before it ("9:00pm ET February 23, 2022",
// "2130 ET 15.09.2022"); its listings follow the date with "- ISW Press".
var (
	bylineAfter  = regexp.MustCompile(`(?i)^(?:,?\s*\d{1,2}(?::\d\d)?\s*(?:am|pm)\s*(?:ET|EST|EDT)\b|\s*-\s*(?:ISW\s+Press|Press\s+ISW)\b)`)
	bylineBefore = regexp.MustCompile(`(?i)(?:\d{1,2}(?::\d\d)?\s*(?:am|pm)|\d{4})\s*(?:ET|EST|EDT)\s*$`)
)
