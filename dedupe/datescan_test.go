package dedupe

import (
	"reflect"
	"testing"
)

// withoutScans is patterns with their admits scans removed: the slow path.
func withoutScans(patterns []datePattern) []datePattern {
	out := make([]datePattern, len(patterns))
	for i, p := range patterns {
		p.admits = nil
		out[i] = p
	}
	return out
}

var dateSamples = []string{
	"Die Lage 401 - 29.03.2023", "Stand 24.08.", "March 29, 2023", "29 березня 2023", "29-го марта",
	"16JAN2024", "2023年3月29日", "2024년 8월 26일", "3月29日", "2023. március 29.", "2023 m. kovo 29 d.",
	"2023. gada 29. marts", "29 tháng 3 năm 2023", "ngày 29 tháng 3", "2023-03-29", "2023/3/29",
	"ukraine die lage 401 30 3 2023", "lage 2023 03 30", "raport isw 29 3 23", "1 de diciembre de 2024",
	"24th of February", "Feb. 24", "Feb.\t24", "29. 3. 23", "29/03/2023", "03/29/2023",
}

// TestDateAdmitsNeverHidesADate: the scans change no date found in the
// identity cases, the real items or the samples, as titles, slugs and texts.
func TestDateAdmitsNeverHidesADate(t *testing.T) {
	slowText, slowSlug := withoutScans(textDates), withoutScans(slugDates)
	texts := append(readingTexts(t), dateSamples...)
	found := 0
	for _, s := range texts {
		for _, c := range []struct{ fast, slow []datePattern }{{textDates, slowText}, {slugDates, slowSlug}} {
			got, want := findDates(s, c.fast), findDates(s, c.slow)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("findDates(%q) = %v with the scans, %v without", s, got, want)
			}
			found += len(want)
		}
	}
	if found < 100 {
		t.Errorf("only %d dates in the texts: the comparison proves little", found)
	}
}

// TestDateAdmitsSkip: each scan refuses a text without its shape, so that
// the fast path is taken at all.
func TestDateAdmitsSkip(t *testing.T) {
	for _, c := range []struct {
		name string
		scan func(string) bool
		s    string
		want bool
	}{
		{"letterThenDigit", letterThenDigit, "401 - 2023", false},
		{"letterThenDigit", letterThenDigit, "März. 29", true},
		{"digitThenLetter", digitThenLetter, "lage 401", false},
		{"digitThenLetter", digitThenLetter, "29-го", true},
		{"digitThenSeparator", digitThenSeparator, "lage 401 - x", false},
		{"digitDotDigit", digitDotDigit, "29. 3", false},
		{"digitThenMonthCap", digitThenMonthCap, "16jan2024", false},
		{"hasFourDigits", hasFourDigits, "lage 401 24", false},
		{"spacedYearLast", spacedYearLast, "ukraine die lage 1 24 february 2022", false},
		{"spacedYearLast", spacedYearLast, "lage 30 3 2023", true},
		{"spacedYearFirst", spacedYearFirst, "ukraine die lage 1 24 february 2022", false},
		{"spacedYearFirst", spacedYearFirst, "2023 3 30", true},
		{"spacedShortEnd", spacedShortEnd, "lage 29 3 2023", false},
		{"spacedShortEnd", spacedShortEnd, "lage 29 3 23", true},
	} {
		if got := c.scan(c.s); got != c.want {
			t.Errorf("%s(%q) = %v, want %v", c.name, c.s, got, c.want)
		}
	}
}

func FuzzDateAdmits(f *testing.F) {
	for _, s := range dateSamples {
		f.Add(s)
	}
	slowText, slowSlug := withoutScans(textDates), withoutScans(slugDates)
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := findDates(s, textDates), findDates(s, slowText); !reflect.DeepEqual(got, want) {
			t.Errorf("datesIn(%q) = %v with the scans, %v without", s, got, want)
		}
		if got, want := findDates(s, slugDates), findDates(s, slowSlug); !reflect.DeepEqual(got, want) {
			t.Errorf("slugDatesIn(%q) = %v with the scans, %v without", s, got, want)
		}
	})
}
