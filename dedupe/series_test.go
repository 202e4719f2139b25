package dedupe

import (
	"strings"
	"testing"
)

func FuzzSentenceStart(f *testing.F) {
	for _, s := range []string{"first. second! third? fourth", "a • b · c 。d", "no end at all", "end. ", ". ", "x] y"} {
		f.Add(s, len(s)/2)
	}
	f.Fuzz(func(t *testing.T, s string, i int) {
		if i < 0 || i > len(s) {
			return
		}
		want := 0
		for _, end := range sentenceEnds {
			if j := strings.LastIndex(s[:i], end); j >= 0 && j+len(end) > want {
				want = j + len(end)
			}
		}
		if got := sentenceStart(s, i); got != want {
			t.Errorf("sentenceStart(%q, %d) = %d, want %d", s, i, got, want)
		}
	})
}

func FuzzIndexBullet(f *testing.F) {
	for _, s := range []string{"a • b · c", "· first", "none", "bad \xe2\x80 then •", "\xc2\xb7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := indexBullet(s), strings.IndexAny(s, "•·"); got != want {
			t.Errorf("indexBullet(%q) = %d, want %d", s, got, want)
		}
	})
}
