package dedupe

import (
	"slices"
	"strings"
	"testing"
)

// naiveSpans is what wordSet.appendSpans replaces: a strings.Index loop per word.
func naiveSpans(words []string, s string) [][2]int {
	var spans [][2]int
	for _, w := range words {
		for i := 0; ; {
			j := strings.Index(s[i:], w)
			if j < 0 {
				break
			}
			spans = append(spans, [2]int{i + j, i + j + len(w)})
			i += j + len(w)
		}
	}
	return spans
}

func TestWordSetFindsWhatIndexFinds(t *testing.T) {
	overlapping := []string{"aa", "a", "aba", "ba", "b", "война", "й", "abcd", "abce", "bcde"}
	texts := append(readingTexts(t), "aaaa abab baaab", "ababa", "a", "", "війни война й", "understanding warunderstandingwar", "abcdabcebcde abc", "the reports of the institute every day", "ab")
	for _, words := range [][]string{iswMarks, overlapping, aboutMarks, oneReport, habitAdverbs, interviewWords, seriesStarts, seriesEnds,
		warMarks, otherTheatres, otherProducts} {
		ws := newWordSet(words)
		for _, s := range texts {
			lower := strings.ToLower(s)
			if got, want := ws.appendSpans(nil, lower), naiveSpans(words, lower); !slices.Equal(got, want) {
				t.Errorf("spans of %q in %.80q: %v, want %v", words, lower, got, want)
			}
			if got, want := ws.has(lower), containsAny(lower, words); got != want {
				t.Errorf("has(%.80q) = %v for %q, want %v", lower, got, words, want)
			}
		}
	}
}

func FuzzWordSet(f *testing.F) {
	for _, s := range []string{"aaaa abab baaab", "understanding warunderstandingwar", "study of the war", "війни война й", "abc"} {
		f.Add(s)
	}
	overlapping := []string{"aa", "a", "aba", "ba", "b", "война", "й", "abcd", "abce", "bcde"}
	sets := [][]string{iswMarks, overlapping, aboutMarks}
	ws := []*wordSet{newWordSet(iswMarks), newWordSet(overlapping), newWordSet(aboutMarks)}
	f.Fuzz(func(t *testing.T, s string) {
		for i, words := range sets {
			if got, want := ws[i].appendSpans(nil, s), naiveSpans(words, s); !slices.Equal(got, want) {
				t.Errorf("spans of %q in %q: %v, want %v", words, s, got, want)
			}
			if got, want := ws[i].has(s), containsAny(s, words); got != want {
				t.Errorf("has(%q) = %v for %q, want %v", s, got, words, want)
			}
		}
	})
}

func FuzzMapPlain(f *testing.F) {
	for _, s := range []string{"Lage\u00a0401", "März\u2013April", "soft\u00adhyphen", "bad \xff byte", "\ufffd kept", "del\x7f and\x01ctl", "ascii only", "Звіт\u202f№401", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := mapPlain(s), strings.Map(plainRune, s); got != want {
			t.Errorf("mapPlain(%q) = %q, want %q", s, got, want)
		}
	})
}

func FuzzToLower(f *testing.F) {
	for _, s := range []string{"ASCII Only", "Die LAGE März", "ЗВІТ ISW №401", "bad \xff BYTE", "\u212A KELVIN", "İstanbul", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := toLower(s), strings.ToLower(s); got != want {
			t.Errorf("toLower(%q) = %q, want %q", s, got, want)
		}
	})
}
