package dedupe

import "strings"

// Cheap scans in front of the date patterns (datePattern.admits). Each
// checks, in one pass over the bytes, a shape that every match of its
// pattern has, so that a title or slug without it skips the regexp: Go's
// backtracker tries every starting position, and a slug is searched with
// fifteen patterns. A scan may admit more than its pattern matches, never
// less. \d and \s are ASCII in Go's regexps; a letter is an ASCII letter or
// any byte past ASCII (see letter).

func isLetterByte(c byte) bool { return c >= 0x80 || 'a' <= c|0x20 && c|0x20 <= 'z' }

// isDateSpace is \s, and "." and "-" that may stand between a number and a
// word ("März. 29", "29.März", "29-го").
func isDateSpace(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\f', '\r', '.', '-':
		return true
	}
	return false
}

// letterThenDigit admits monthFirstDate: a letter, then perhaps a dot and
// spaces, then a digit.
func letterThenDigit(s string) bool {
	for i := 1; i < len(s); i++ {
		if !isDigit(s[i]) {
			continue
		}
		j := i - 1
		for j > 0 && isDateSpace(s[j]) {
			j--
		}
		if isLetterByte(s[j]) {
			return true
		}
	}
	return false
}

// digitThenLetter admits dayFirstDate: a digit, then perhaps a dot, a
// hyphen and spaces, then a letter (of a suffix, "of", "de" or the month).
func digitThenLetter(s string) bool {
	for i := 0; i < len(s)-1; i++ {
		if !isDigit(s[i]) {
			continue
		}
		j := i + 1
		for j < len(s)-1 && isDateSpace(s[j]) {
			j++
		}
		if isLetterByte(s[j]) {
			return true
		}
	}
	return false
}

// digitThenSeparator admits numericDate: a digit right before ".", "/" or "-".
func digitThenSeparator(s string) bool { return digitBefore(s, "./-") }

// digitDotDigit admits shortDate: "29.3.".
func digitDotDigit(s string) bool {
	for i := strings.IndexByte(s, '.'); i >= 0; {
		if i > 0 && i+1 < len(s) && isDigit(s[i-1]) && isDigit(s[i+1]) {
			return true
		}
		next := strings.IndexByte(s[i+1:], '.')
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}

// digitThenMonthCap admits militaryDate: a digit right before the first
// letter of an upper-case month abbreviation ("16JAN2024").
func digitThenMonthCap(s string) bool { return digitBefore(s, "JFMASOND") }

// digitBefore reports whether a digit stands right before one of next's bytes.
func digitBefore(s, next string) bool {
	for i := 0; i < len(s)-1; i++ {
		if isDigit(s[i]) && strings.IndexByte(next, s[i+1]) >= 0 {
			return true
		}
	}
	return false
}

// fourDigitsAt returns the start of the first run of four digits at or after
// byte from, or -1.
func fourDigitsAt(s string, from int) int {
	run := 0
	for i := from; i < len(s); i++ {
		if !isDigit(s[i]) {
			run = 0
			continue
		}
		if run++; run == 4 {
			return i - 3
		}
	}
	return -1
}

// hasFourDigits admits the patterns with a four-digit year (yearFirstDate, isoDate).
func hasFourDigits(s string) bool { return fourDigitsAt(s, 0) >= 0 }

func hasGada(s string) bool  { return strings.Contains(s, "gada") && hasFourDigits(s) }
func hasThang(s string) bool { return strings.Contains(s, "tháng") }

// spacedYearLast admits spacedDate, "30 3 2023": four digits after a space
// after a digit.
func spacedYearLast(s string) bool {
	for i := fourDigitsAt(s, 0); i >= 0; i = fourDigitsAt(s, i+1) {
		if i >= 2 && s[i-1] == ' ' && isDigit(s[i-2]) {
			return true
		}
	}
	return false
}

// spacedYearFirst admits spacedISODate, "2023 03 30": four digits, a space, a digit.
func spacedYearFirst(s string) bool {
	for i := fourDigitsAt(s, 0); i >= 0; i = fourDigitsAt(s, i+1) {
		if i+5 < len(s) && s[i+4] == ' ' && isDigit(s[i+5]) {
			return true
		}
	}
	return false
}

// spacedShortEnd admits spacedShortDate, "… 29 3 23" at the end: a digit, a
// space and two digits close the text.
func spacedShortEnd(s string) bool {
	n := len(s)
	return n >= 4 && isDigit(s[n-1]) && isDigit(s[n-2]) && s[n-3] == ' ' && isDigit(s[n-4])
}
