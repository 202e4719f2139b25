package dedupe

// Text folding: what feeds put in titles and text (entities, decomposed
// letters, odd spaces and dashes) folded into plain forms, and the cheap
// searches the patterns run over folded text.

import (
	"html"
	"iter"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldTitle is foldText for titles and slugs, which may also carry
// decomposed umlauts ("Ma\u0308rz") and HTML entities.
func foldTitle(s string) string {
	// Feeds escape twice and leave "&#8211;" or "&amp;nbsp;" in a title.
	for range 2 {
		if strings.IndexByte(s, '&') < 0 {
			break
		}
		s = html.UnescapeString(s)
	}
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	return foldText(s)
}

// foldText folds what feeds put in text (no-break and thin spaces,
// typographic dashes, soft hyphens, control characters) into plain forms.
func foldText(s string) string {
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
	return mapPlain(s)
}

// mapPlain is strings.Map(plainRune, s).
func mapPlain(s string) string { return mapRunes(s, &plainASCII, plainRune) }

// toLower is strings.ToLower(s).
func toLower(s string) string { return mapRunes(s, &lowerASCII, unicode.ToLower) }

// plainASCII and lowerASCII mark the ASCII bytes that plainRune and
// unicode.ToLower leave as they are.
var plainASCII, lowerASCII = keptASCII(plainRune), keptASCII(unicode.ToLower)

func keptASCII(f func(rune) rune) (kept [utf8.RuneSelf]bool) {
	for c := range kept {
		kept[c] = f(rune(c)) == rune(c)
	}
	return kept
}

// mapRunes is strings.Map(f, s), invalid bytes becoming U+FFFD, where kept
// marks the ASCII bytes f leaves as they are: most of a post's text is
// ASCII, and a table look-up costs less than decoding it and calling f.
func mapRunes(s string, kept *[utf8.RuneSelf]bool, f func(rune) rune) string {
	var b strings.Builder
	done := 0 // s[:done] is in b once b is in use
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && kept[c] {
			i++
			continue
		}
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		m := f(r)
		if m == r && (r != utf8.RuneError || size > 1) {
			i += size
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[done:i])
		if m >= 0 {
			b.WriteRune(m)
		}
		i += size
		done = i
	}
	if b.Cap() == 0 {
		return s
	}
	b.WriteString(s[done:])
	return b.String()
}

// plainRune maps one rune for foldText without Unicode table look-ups:
// it runs over every byte of a post's text.
func plainRune(r rune) rune {
	switch {
	case r < 0x20 || r == 0x7f:
		return ' '
	case r < 0x80:
		return r
	case r == '\u00ad' || r == '\ufeff' || r >= '\u200b' && r <= '\u200d':
		return -1
	case r <= 0xa0 || r == '\u1680' || r >= '\u2000' && r <= '\u200a' ||
		r == '\u2028' || r == '\u2029' || r == '\u202f' || r == '\u205f' || r == '\u3000':
		return ' ' // C1 controls, no-break and other spaces
	case r >= '\u2010' && r <= '\u2015' || r == '\u2212':
		return '-'
	}
	return r
}

// matchesAt returns the matches of the anchored pattern re that start, in s,
// at a word that begins with one of the lower-case ASCII starts and whose
// next span bytes hold one of needs. Go's regexp has no fast path for
// case-insensitive patterns; trying them only where a match can be keeps a
// post's long text cheap.
func matchesAt(re *regexp.Regexp, s string, starts, needs *wordSet, span int) [][]int {
	lower := asciiLower(s)
	var at []int
	for _, sp := range starts.appendSpans(nil, lower) {
		if j := sp[0]; !letterBefore(s, j) && needs.has(lower[j:min(len(lower), j+span)]) {
			at = append(at, j)
		}
	}
	slices.Sort(at)
	var locs [][]int
	for _, i := range at {
		loc := re.FindStringSubmatchIndex(s[i:min(len(s), i+span)])
		if loc == nil {
			continue
		}
		for k := range loc {
			if loc[k] >= 0 {
				loc[k] += i
			}
		}
		locs = append(locs, loc)
	}
	return locs
}

// asciiLower lower-cases ASCII letters only, so that byte offsets stay put.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// asciiWordIn reports whether one of the lower-case ASCII words stands in s
// with no ASCII letter on either side, without a regexp over s.
func asciiWordIn(s string, words ...string) bool {
	isLetter := func(i int) bool { return i >= 0 && i < len(s) && 'a' <= s[i]|0x20 && s[i]|0x20 <= 'z' }
	for _, w := range words {
		for j := range indexAll(s, w) {
			if !isLetter(j-1) && !isLetter(j+len(w)) {
				return true
			}
		}
	}
	return false
}

// indexAll yields where sub starts in s, left to right, each occurrence
// after the end of the one before.
func indexAll(s, sub string) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; ; {
			j := strings.Index(s[i:], sub)
			if j < 0 || !yield(i+j) {
				return
			}
			i += j + len(sub)
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func letterBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return i > 0 && unicode.IsLetter(r)
}

func letterAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return i < len(s) && unicode.IsLetter(r)
}

// spacedLetter reports whether r is a letter of a script that puts spaces
// between words: in Japanese, Chinese and Korean a Latin abbreviation
// touches the next word ("ISWさん", "ISW는"), and still stands on its own.
func spacedLetter(r rune) bool {
	return unicode.IsLetter(r) && !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// wordBounded reports whether s[i:j] has no letter of a spaced script on
// either side.
func wordBounded(s string, i, j int) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[j:])
	return (i == 0 || !spacedLetter(before)) && (j >= len(s) || !spacedLetter(after))
}

func wordIn(s string, words, stems []string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if slices.Contains(words, w) {
			return true
		}
		for _, stem := range stems {
			if strings.HasPrefix(w, stem) {
				return true
			}
		}
	}
	return false
}

// wordSet finds every word of a list in a text in one pass over the text,
// not one pass per word: a post's text is searched for dozens of ISW's names.
type wordSet struct {
	words []string
	// pairs has the bit of each pair of bytes a word starts with (a
	// one-byte word: its byte and any other), first the words that start so.
	pairs   pairBits
	byFirst [256][]int
	// thirds has the bit of the third and fourth bytes of each word of
	// four bytes or more, short the first pair of each shorter word: a
	// place whose first pair only a long word starts with is tried only
	// when its next pair is a long word's too. In prose a pair such as
	// "st" or "ca" starts a word every few bytes; four bytes seldom match.
	thirds, short pairBits
}

// pairBits is a set of pairs of bytes.
type pairBits [1 << 16 / 64]uint64

func (b *pairBits) set(x, y byte) {
	p := uint16(x)<<8 | uint16(y)
	b[p/64] |= 1 << (p % 64)
}

func (b *pairBits) has(x, y byte) bool {
	p := uint16(x)<<8 | uint16(y)
	return b[p/64]&(1<<(p%64)) != 0
}

func newWordSet(words []string) *wordSet {
	ws := &wordSet{words: words}
	for i, w := range words {
		if w == "" {
			panic("dedupe: empty word in a word set")
		}
		ws.byFirst[w[0]] = append(ws.byFirst[w[0]], i)
		switch {
		case len(w) == 1:
			for c := range 256 {
				ws.pairs.set(w[0], byte(c))
				ws.short.set(w[0], byte(c))
			}
		case len(w) < 4:
			ws.pairs.set(w[0], w[1])
			ws.short.set(w[0], w[1])
		default:
			ws.pairs.set(w[0], w[1])
			ws.thirds.set(w[2], w[3])
		}
	}
	return ws
}

// mayStart reports whether a word of the set may start at s[i]: its first
// two bytes start one, and so do its third and fourth unless a short word
// starts with the first two.
func (ws *wordSet) mayStart(s string, i int) bool {
	second := byte(0)
	if i+1 < len(s) {
		second = s[i+1]
	}
	if !ws.pairs.has(s[i], second) {
		return false
	}
	return ws.short.has(s[i], second) || (i+3 < len(s) && ws.thirds.has(s[i+2], s[i+3]))
}

// has reports whether s holds one of the words, as containsAny(s, words)
// does, in one pass over s.
func (ws *wordSet) has(s string) bool {
	for i := 0; i < len(s); i++ {
		if !ws.mayStart(s, i) {
			continue
		}
		for _, w := range ws.byFirst[s[i]] {
			if strings.HasPrefix(s[i:], ws.words[w]) {
				return true
			}
		}
	}
	return false
}

// appendSpans appends to out, word by word in the list's order, the
// occurrences of each word in s from left to right that do not overlap the
// word's previous one, as [start, end) spans: what a strings.Index loop per
// word finds.
func (ws *wordSet) appendSpans(out [][2]int, s string) [][2]int {
	type hit struct{ word, at int }
	var hits []hit
	var next []int
	for i := 0; i < len(s); i++ {
		if !ws.mayStart(s, i) {
			continue
		}
		for _, w := range ws.byFirst[s[i]] {
			if next == nil {
				next = make([]int, len(ws.words))
			}
			if i >= next[w] && strings.HasPrefix(s[i:], ws.words[w]) {
				hits = append(hits, hit{w, i})
				next[w] = i + len(ws.words[w])
			}
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return a.word - b.word })
	for _, h := range hits {
		out = append(out, [2]int{h.at, h.at + len(ws.words[h.word])})
	}
	return out
}
