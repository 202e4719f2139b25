package dedupe

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"iswfeed/config"
)

// Update is one report of one series, with every version of it that the
// sources carry. Its ID is minted from the series and report date, so it never
// changes once the report exists; its Number is what the calendar knows.
type Update struct {
	ID     string
	Series string
	// Number is 0 while the calendar does not know the report's number.
	Number int
	// Date is the report's date (US Eastern day) at 00:00 UTC.
	Date time.Time
	// Published is when iswfeed first saw the report.
	Published time.Time
	// Updated is when a variant last arrived, changed or left.
	Updated time.Time
	// ISWURL is the address of ISW's original: the original variant's link
	// when there is one, else the ISW report page the translations name
	// (normalised), else another ISW address they name (a short link, a PDF);
	// empty when nothing names one.
	ISWURL string
	// Variants are shared by every update that Store.Updates and
	// Store.ChangesSince return for the same stored report, so that a daemon
	// holds its reports' metadata once: change them in a copy
	// (slices.Clone), never in place.
	Variants []Variant
}

// Variant is one version of a report: the original or one translation, one per
// (language, source).
type Variant struct {
	Lang   string
	Source string
	Role   string
	Title  string
	URL    string
	ItemID string
	// FeedTitle is the title of the source's feed when the item was stored.
	FeedTitle string
	// Content is the source's HTML, unsanitised; it is filled only by calls
	// that say so, since it is large.
	Content   string
	Published time.Time
	// Changed is when this variant last arrived or changed.
	Changed time.Time
}

// Original returns the original's variant, if the update has one.
func (u *Update) Original() (Variant, bool) {
	for _, v := range u.Variants {
		if v.Role == config.RoleOriginal {
			return v, true
		}
	}
	return Variant{}, false
}

// Lead returns the variant whose content stands for the update: the original,
// else the earliest translation.
func (u *Update) Lead() Variant {
	if v, ok := u.Original(); ok {
		return v
	}
	if len(u.Variants) == 0 {
		return Variant{}
	}
	return slices.MinFunc(u.Variants, func(a, b Variant) int {
		return cmp.Or(a.Published.Compare(b.Published), cmp.Compare(a.Source, b.Source))
	})
}

// InLang returns the update's variant in lang, preferring the original.
func (u *Update) InLang(lang string) (Variant, bool) {
	found := false
	var best Variant
	for _, v := range u.Variants {
		if v.Lang != lang {
			continue
		}
		if !found || v.Role == config.RoleOriginal {
			best, found = v, true
		}
	}
	return best, found
}

// Langs returns the languages the update is available in, original first.
func (u *Update) Langs() []string {
	var langs []string
	for _, v := range u.Variants {
		if !slices.Contains(langs, v.Lang) {
			langs = append(langs, v.Lang)
		}
	}
	return langs
}

// sortVariants orders variants original first, then by language and source.
func sortVariants(vs []Variant) {
	slices.SortFunc(vs, func(a, b Variant) int {
		ao, bo := a.Role == config.RoleOriginal, b.Role == config.RoleOriginal
		if ao != bo {
			if ao {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Lang, b.Lang), cmp.Compare(a.Source, b.Source))
	})
}

// originalURL is an update's ISWURL: the original variant's link, else the
// address most of named (the ISW addresses the translations name) give, ISW
// report pages before its other forms (short links, PDFs), the least on a tie.
func originalURL(vs []Variant, named []string) string {
	for _, v := range vs {
		if v.Role == config.RoleOriginal && v.URL != "" {
			return v.URL
		}
	}
	pages, others := map[string]int{}, map[string]int{}
	for _, u := range named {
		n := normaliseISWURL(u)
		if isReportPage(n) {
			pages[n]++
		} else {
			others[n]++
		}
	}
	switch {
	case len(pages) > 0:
		return pickMost(pages, strings.Compare)
	case len(others) > 0:
		return pickMost(others, strings.Compare)
	}
	return ""
}
