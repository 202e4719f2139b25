package dedupe

import (
	"net/url"
	"strings"
	"time"
)

// isISWHost reports whether host serves ISW's reports: understandingwar.org
// or criticalthreats.org, with or without a subdomain.
func isISWHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range [...]string{"understandingwar.org", "criticalthreats.org"} {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// iswSlug returns the last path segment of an ISW or criticalthreats.org URL.
func iswSlug(u string) (string, bool) {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || !isISWHost(p.Hostname()) {
		return "", false
	}
	return lastSegment(p.Path), true
}

// isReportPage reports whether u is a page of an ISW host, not one of the
// files it serves (a PDF).
func isReportPage(u string) bool {
	slug, ok := iswSlug(u)
	return ok && !strings.HasSuffix(strings.ToLower(slug), ".pdf")
}

// lastSegment returns the last non-empty segment of a URL path.
func lastSegment(path string) string {
	path = strings.TrimRight(path, "/")
	return path[strings.LastIndexByte(path, '/')+1:]
}

// slugDay reads the date at the end of an ISW slug: "…-march-29-2023",
// "…-august-24" (2022, no year), "…-2023-0" (a duplicate). Year is 0 when
// the slug has none; keep is the length of the slug without the duplicate's
// suffix.
func slugDay(slug string) (d calendarDay, keep int, ok bool) {
	parts := strings.Split(slug, "-")
	if d, ok := partsDay(parts); ok {
		return d, len(slug), true
	}
	if n := len(parts); n > 1 && len(parts[n-1]) == 1 && isDigits(parts[n-1]) {
		if d, ok := partsDay(parts[:n-1]); ok {
			return d, len(slug) - 2, true
		}
	}
	return calendarDay{}, 0, false
}

// partsDay reads month-day or month-day-year from the end of parts.
func partsDay(parts []string) (calendarDay, bool) {
	n := len(parts)
	if n >= 3 && len(parts[n-1]) == 4 && isDigits(parts[n-1]) && len(parts[n-2]) <= 2 && isDigits(parts[n-2]) {
		return named(englishMonths, parts[n-3], parts[n-2], parts[n-1])
	}
	if n >= 2 && len(parts[n-1]) <= 2 && isDigits(parts[n-1]) {
		return named(englishMonths, parts[n-2], parts[n-1], "")
	}
	return calendarDay{}, false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// DateFromISWURL returns the report date carried by the slug of an ISW or
// criticalthreats.org URL ("…-march-29-2023", "…-march-29-2023-0"), as 00:00
// UTC. Slugs without a year (most of 2022: "…-august-24") report false: only
// an item's date can tell their year, so Reader.Read resolves them and puts
// the result in Identity.Date.
func DateFromISWURL(u string) (time.Time, bool) {
	slug, ok := iswSlug(u)
	if !ok {
		return time.Time{}, false
	}
	d, _, ok := slugDay(slug)
	if !ok || d.Year == 0 {
		return time.Time{}, false
	}
	return d.In(time.Time{})
}

// seriesOfISWURL returns the series an ISW or criticalthreats.org URL's slug
// names, "" when it names none.
func seriesOfISWURL(u string) string {
	slug, ok := iswSlug(u)
	if !ok {
		return ""
	}
	hits := seriesIn(strings.ReplaceAll(slug, "-", " "))
	if len(hits) == 0 {
		return ""
	}
	return hits[0].series
}

// NormaliseISWURL returns the form of an ISW or criticalthreats.org report
// URL under which copies compare equal: https, no "www.", no query, fragment
// or trailing slash, and no duplicate suffix ("-0") after the slug's date.
// The old /backgrounder/ and new /research/… paths, and the two sites, stay
// distinct; compare those by series and date. Other URLs come back as given.
func NormaliseISWURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || !isISWHost(p.Hostname()) {
		return u
	}
	host := strings.TrimPrefix(strings.ToLower(p.Hostname()), "www.")
	path := strings.TrimRight(p.Path, "/")
	if slug := lastSegment(path); slug != "" {
		if _, keep, ok := slugDay(slug); ok {
			path = path[:len(path)-len(slug)+keep]
		}
	}
	return (&url.URL{Scheme: "https", Host: host, Path: path}).String()
}
