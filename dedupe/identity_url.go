package dedupe

import (
	"net/url"
	"regexp"
	"strings"
	"time"
)

// iswSlugDate is the date at the end of an ISW or criticalthreats.org slug:
// "march-29-2023", "august-24" (2022, no year), "...-2023-0" (a duplicate).
var iswSlugDate = regexp.MustCompile(`(?i)(?:^|-)(` + alternation(englishMonths) + `)-(\d{1,2})(?:-(\d{4}))?(-\d)?$`)

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

// lastSegment returns the last non-empty segment of a URL path.
func lastSegment(path string) string {
	path = strings.TrimRight(path, "/")
	return path[strings.LastIndexByte(path, '/')+1:]
}

// slugDay reads the date at the end of an ISW slug; Year is 0 when the slug has none.
func slugDay(slug string) (calendarDay, bool) {
	m := iswSlugDate.FindStringSubmatch(slug)
	if m == nil {
		return calendarDay{}, false
	}
	return named(m[1], m[2], m[3])
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
	d, ok := slugDay(slug)
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
	if m := iswSlugDate.FindStringSubmatchIndex(path); m != nil && m[8] >= 0 {
		path = path[:m[8]]
	}
	return (&url.URL{Scheme: "https", Host: host, Path: path}).String()
}
