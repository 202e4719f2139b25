package dedupe

// Which date in a post's text is its report's: the patterns of dates.go find
// every date written; these rules pick the one that dates the report.

import (
	"regexp"
	"strings"
	"time"
	"unicode"
)

// statedDate returns the report date a post's text states for ISW's report:
// a date right after ISW's name ("сводке ISW за 14 марта", "ISW's
// assessment as of June 24") or right before it ("informe del 4 de
// diciembre, el ISW"), or ISW's own byline in a repost ("March 23,
// 5:00pm ET"). A year-less date takes the year that puts it on or before
// the post's publication.
func statedDate(text string, ref time.Time) time.Time {
	text = strings.ToLower(text)
	for _, m := range iswMentions(text) {
		rest := sentenceHead(text[m[1]:min(len(text), m[1]+statedSpan)])
		if hits := datesIn(rest); len(hits) > 0 && hits[0].start < statedSpan-12 {
			if t, ok := hits[0].day.In(ref); ok {
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
	for _, h := range datesIn(text) {
		if bylineAfter.MatchString(text[h.end:]) || bylineBefore.MatchString(text[max(0, h.start-24):h.start]) {
			if t, ok := h.day.In(ref); ok {
				return t
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
