package dedupe

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// prefiltered are the patterns the reading runs behind mayMatch.
func prefiltered() []*regexp.Regexp {
	res := []*regexp.Regexp{slashPair, yearWord}
	res = append(res, dayCounters...)
	res = append(res, strongNumbers...)
	res = append(res, weakNumbers...)
	for _, p := range slugDates {
		res = append(res, p.re)
	}
	return res
}

// readingTexts are the titles, slugs and texts of the identity cases and
// the real items, as the reading sees them, with case-folded variants.
func readingTexts(t *testing.T) []string {
	var texts []string
	for _, c := range identityCases {
		content := c.content
		if strings.HasPrefix(content, "@") {
			content = fixture(t, content[1:])
		}
		texts = append(texts, c.title, foldTitle(c.title), slugText(c.link), readContent(content).text)
	}
	for _, it := range readRealItems(t) {
		texts = append(texts, it.Title, foldTitle(it.Title), slugText(it.Link), it.Text)
	}
	for _, s := range slices.Clone(texts) {
		texts = append(texts, strings.ToUpper(s), strings.ToLower(s))
	}
	return texts
}

func TestMayMatchNeverHidesAMatch(t *testing.T) {
	texts := append(readingTexts(t),
		"\u212Ariegstag 466", "\u1c81ень 403", "ДЕНЬ 403", "403 DZIEŃ", "D+54", "Die Lage 12/3", "16JAN2024",
		"2023年3月29日", "2024년 8월 26일", "29.03.2023", "lage nr. 401", "LAGE №401", "ISW-Bericht 401")
	for _, re := range prefiltered() {
		for _, s := range texts {
			if re.MatchString(s) && !mayMatch(re, s) {
				t.Errorf("mayMatch(%q, %q) = false, but it matches", re, s)
			}
		}
	}
}

func TestMayMatchSkipsTextsWithoutTheLiterals(t *testing.T) {
	for _, c := range []struct {
		re   *regexp.Regexp
		s    string
		want bool
	}{
		{dayCounters[0], "Ukraine: Die Lage 401", false},
		{dayCounters[0], "Kriegstag 466", true},
		{dayCounters[0], "\u212Ariegs TAG 466", true}, // the Kelvin sign folds to k, as in the pattern
		{dayCounters[1], "die lage 401", false},
		{militaryDate, "ukraine die lage 401 24 february 2022", false},
		{militaryDate, "16JAN2024", true},
		{cjkDate, "Die Lage 401", false},
		{slashPair, "Update 2/26", true},
		{slashPair, "Update 226", false},
		{monthFirstDate, "a date needs a digit", false},
		{regexp.MustCompile(`x*`), "a pattern that requires nothing is always searched", true},
	} {
		if got := mayMatch(c.re, c.s); got != c.want {
			t.Errorf("mayMatch(%q, %q) = %v, want %v", c.re, c.s, got, c.want)
		}
	}
}

func FuzzMayMatch(f *testing.F) {
	for _, s := range []string{"Tag 466", "\u212Ariegstag 5", "403-й день", "D + 12", "Lage 401", "29.3.", "16JAN2024", "Звіт ISW №401"} {
		f.Add(s)
	}
	res := prefiltered()
	f.Fuzz(func(t *testing.T, s string) {
		for _, re := range res {
			if re.MatchString(s) && !mayMatch(re, s) {
				t.Errorf("mayMatch(%q, %q) = false, but it matches", re, s)
			}
		}
	})
}
