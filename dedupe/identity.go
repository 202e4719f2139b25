package dedupe

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"iswfeed/config"
	"iswfeed/fetch"
)

// Identity is what an item says about the report it carries. A zero Series
// means the item is not a report of any known series.
type Identity struct {
	Series string
	// Number is the translators' update number, 0 when the item does not give one.
	Number int
	// Date is the report's US Eastern date at 00:00 UTC, zero when unknown.
	Date time.Time
	// ISWURL is the ISW original the item links to or is, when known.
	ISWURL string
}

// Reader reads identities from the items of one source.
type Reader struct {
	src    config.Source
	number *regexp.Regexp
}

// NewReader returns a reader for src, with its extra number pattern if any.
func NewReader(src config.Source) (*Reader, error) {
	r := &Reader{src: src}
	if src.Number != "" {
		re, err := regexp.Compile(src.Number)
		if err != nil {
			return nil, err
		}
		r.number = re
	}
	return r, nil
}

var (
	englishTitle = regexp.MustCompile(`(?i)^Russian Offensive Campaign Assessment,?\s+([A-Za-z]+)\.?\s+(\d{1,2}),?\s*(\d{4})?`)
	germanNumber = regexp.MustCompile(`(?i)\b(?:Die Lage|Update)\s+(\d{1,4})\b`)
	slugDate     = regexp.MustCompile(`-(\d{1,2})-([a-z]+)-(\d{4})/?$`)
)

var months = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "maerz": 3, "marz": 3, "märz": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

// Read returns the identity of it.
func (r *Reader) Read(it fetch.Item) Identity {
	var id Identity
	if m := englishTitle.FindStringSubmatch(it.Title); m != nil {
		id.Series = config.DefaultSeries
		id.ISWURL = it.Link
		year := it.Published.Year()
		if m[3] != "" {
			year, _ = strconv.Atoi(m[3])
		}
		if mon, ok := months[strings.ToLower(m[1])]; ok {
			day, _ := strconv.Atoi(m[2])
			id.Date = time.Date(year, mon, day, 0, 0, 0, 0, time.UTC)
		}
		return id
	}
	if r.number != nil {
		if m := r.number.FindStringSubmatch(it.Title); m != nil {
			id.Number, _ = strconv.Atoi(m[1])
		}
	}
	if id.Number == 0 {
		if m := germanNumber.FindStringSubmatch(it.Title); m != nil {
			id.Number, _ = strconv.Atoi(m[1])
		}
	}
	if id.Number == 0 {
		return Identity{}
	}
	id.Series = config.DefaultSeries
	if m := slugDate.FindStringSubmatch(it.Link); m != nil {
		if mon, ok := months[m[2]]; ok {
			day, _ := strconv.Atoi(m[1])
			year, _ := strconv.Atoi(m[3])
			id.Date = time.Date(year, mon, day, 0, 0, 0, 0, time.UTC)
		}
	}
	return id
}
