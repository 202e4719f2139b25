package dedupe

// Go's regexp tries an unanchored pattern at every byte of a text, and most
// of the reading's patterns (dates, numbers, day counters) are run over
// texts that cannot hold a match. A prefilter, derived from the pattern
// itself, names literals of which every match holds one; a text that holds
// none is not searched at all. It never changes what a pattern matches.

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// mayMatch reports whether re can match s: false only when s holds none of
// the literals every match of re holds.
func mayMatch(re *regexp.Regexp, s string) bool {
	return prefilterOf(re).admits(s)
}

var prefilters sync.Map // *regexp.Regexp → *prefilter

func prefilterOf(re *regexp.Regexp) *prefilter {
	if p, ok := prefilters.Load(re); ok {
		return p.(*prefilter)
	}
	p, _ := prefilters.LoadOrStore(re, newPrefilter(re.String()))
	return p.(*prefilter)
}

// prefilter holds the literals of which every match holds one; none means
// the pattern requires nothing that can be checked cheaply.
type prefilter struct {
	lits []literal
	none bool
}

// literal is a string a match holds, compared case-folded (as (?i) does:
// every rune of a rune's fold orbit) when fold is set.
type literal struct {
	s    string
	fold bool
	// firsts has the bit of every byte that a rune folding to the first
	// rune of s starts with.
	firsts [256 / 64]uint64
}

// maxClassRunes is the largest character class read as a set of literals.
const maxClassRunes = 16

func newPrefilter(expr string) *prefilter {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return &prefilter{none: true}
	}
	lits, ok := required(re.Simplify())
	if !ok || len(lits) == 0 {
		return &prefilter{none: true}
	}
	for _, l := range lits {
		if strings.ContainsRune(l.s, utf8.RuneError) {
			return &prefilter{none: true} // a pattern's U+FFFD matches any invalid byte
		}
	}
	for i := range lits {
		lits[i].index()
	}
	return &prefilter{lits: lits}
}

func (p *prefilter) admits(s string) bool {
	if p.none {
		return true
	}
	for i := range p.lits {
		if p.lits[i].in(s) {
			return true
		}
	}
	return false
}

// required returns literals of which every match of re holds one, and false
// when it knows none.
func required(re *syntax.Regexp) ([]literal, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, false
		}
		return []literal{{s: string(re.Rune), fold: re.Flags&syntax.FoldCase != 0}}, true
	case syntax.OpCharClass:
		return classLiterals(re.Rune)
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []literal
		found := false
		for _, sub := range re.Sub {
			if lits, ok := required(sub); ok && (!found || better(lits, best)) {
				best, found = lits, true
			}
		}
		return best, found
	case syntax.OpAlternate:
		var all []literal
		for _, sub := range re.Sub {
			lits, ok := required(sub)
			if !ok {
				return nil, false
			}
			all = append(all, lits...)
		}
		return all, true
	}
	return nil, false
}

// classLiterals reads a small character class as one literal per rune.
func classLiterals(ranges []rune) ([]literal, bool) {
	n := 0
	for i := 0; i+1 < len(ranges); i += 2 {
		n += int(ranges[i+1]-ranges[i]) + 1
		if n > maxClassRunes {
			return nil, false
		}
	}
	var lits []literal
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			lits = append(lits, literal{s: string(r)})
		}
	}
	return lits, len(lits) > 0
}

// better reports whether the literals a are the rarer requirement: longer
// at their shortest, then fewer.
func better(a, b []literal) bool {
	la, lb := shortest(a), shortest(b)
	if la != lb {
		return la > lb
	}
	return len(a) < len(b)
}

func shortest(lits []literal) int {
	n := -1
	for _, l := range lits {
		if n < 0 || len(l.s) < n {
			n = len(l.s)
		}
	}
	return n
}

func (l *literal) index() {
	first, _ := utf8.DecodeRuneInString(l.s)
	l.mark(first)
	if !l.fold {
		return
	}
	for r := unicode.SimpleFold(first); r != first; r = unicode.SimpleFold(r) {
		l.mark(r)
	}
}

func (l *literal) mark(r rune) {
	var buf [utf8.UTFMax]byte
	utf8.EncodeRune(buf[:], r)
	l.firsts[buf[0]/64] |= 1 << (buf[0] % 64)
}

// in reports whether s holds the literal.
func (l *literal) in(s string) bool {
	if !l.fold {
		return strings.Contains(s, l.s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; l.firsts[c/64]&(1<<(c%64)) != 0 && hasPrefixFold(s[i:], l.s) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s starts with prefix, rune by rune within
// each rune's fold orbit, as a (?i) literal matches.
func hasPrefixFold(s, prefix string) bool {
	for _, r := range prefix {
		c, size := utf8.DecodeRuneInString(s)
		if size == 0 || c != r && !sameFold(c, r) {
			return false
		}
		s = s[size:]
	}
	return true
}

func sameFold(c, r rune) bool {
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f == c {
			return true
		}
	}
	return false
}
