package dedupe

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"iswfeed/config"
)

// iswHosts serve ISW's reports: its site, Critical Threats (which carries
// the same reports), its Blogger mirror and its short links.
var iswHosts = [...]string{"understandingwar.org", "criticalthreats.org", "iswresearch.org",
	"iswresearch.blogspot.com", "isw.pub"}

// isISWHost reports whether host serves ISW's reports, with or without a
// subdomain.
func isISWHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, h := range iswHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	return false
}

// iswURL returns u, or the ISW address inside it when u is an archive's
// copy ("https://megalodon.jp/ref/…/https://understandingwar.org:443/…").
func iswURL(u string) (*url.URL, bool) {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil {
		return nil, false
	}
	if isISWHost(p.Hostname()) {
		return p, true
	}
	if i := strings.Index(p.Path[min(1, len(p.Path)):], "http"); i >= 0 {
		return iswURL(p.Path[i+1:])
	}
	return nil, false
}

// iswSlug returns the last path segment of an ISW address, unescaped and
// without a file's extension (".html", ".pdf").
func iswSlug(u string) (string, bool) {
	p, ok := iswURL(u)
	if !ok {
		return "", false
	}
	return slugOf(p), true
}

// slugOf is iswSlug for an address already parsed by iswURL.
func slugOf(p *url.URL) string {
	slug := lastSegment(p.Path)
	for _, ext := range []string{".html", ".htm", ".pdf"} {
		if len(slug) > len(ext) && strings.EqualFold(slug[len(slug)-len(ext):], ext) {
			slug = slug[:len(slug)-len(ext)]
		}
	}
	return slug
}

// iswDay reads the report date an ISW address carries: the end of its slug
// ("…-march-29-2023"), an uploaded file's ISO prefix ("2025-04-28-PDF-…"),
// or a short link's MMDDYY ("isw.pub/UkrWar070425"). A slug without a year
// takes it from the address's /YYYY/MM/ path, where Blogger puts it.
func iswDay(u string) (calendarDay, bool) {
	p, ok := iswURL(u)
	if !ok {
		return calendarDay{}, false
	}
	slug := slugOf(p)
	if d, ok := shortLinkDay(p, slug); ok {
		return d, true
	}
	if m := isoPrefix.FindStringSubmatch(slug); m != nil {
		return numeric(m[1], m[2], m[3])
	}
	d, _, ok := slugDay(slug)
	if !ok {
		// A file named after the report: "Russian Offensive Campaign
		// Assessment March 29, 2023.pdf".
		if dates := datesIn(slugSpaces.Replace(slug)); len(dates) > 0 && dates[len(dates)-1].day.Year != 0 {
			return dates[len(dates)-1].day, true
		}
	}
	if ok && d.Year == 0 {
		if m := pathYear.FindStringSubmatch(p.Path); m != nil {
			d.Year, _ = strconv.Atoi(m[1])
		}
	}
	return d, ok
}

var (
	isoPrefix = regexp.MustCompile(`^(20\d\d)-(\d\d)-(\d\d)(?:[^\d]|$)`)
	pathYear  = regexp.MustCompile(`^/(20\d\d)/\d\d/`)
	shortLink = regexp.MustCompile(`^([A-Za-z]+)(\d\d)(\d\d)(\d\d)$`)
)

// shortLinkDay reads ISW's short link "isw.pub/UkrWar070425": MMDDYY.
func shortLinkDay(p *url.URL, slug string) (calendarDay, bool) {
	if !isShortLinkHost(p.Hostname()) {
		return calendarDay{}, false
	}
	m := shortLink.FindStringSubmatch(slug)
	if m == nil {
		return calendarDay{}, false
	}
	return numeric("20"+m[4], m[2], m[3])
}

// shortLinkSeries are the words of ISW's short links' prefixes ("UkrWar")
// and the series they stand for.
var shortLinkSeries = []struct{ word, series string }{
	{"ukr", seriesDaily}, {"rus", seriesDaily}, {"iran", seriesIran}, {"china", seriesChinaTaiwan}, {"taiwan", seriesChinaTaiwan},
}

// isShortLinkHost reports whether host is ISW's link shortener.
func isShortLinkHost(host string) bool {
	return strings.EqualFold(strings.TrimPrefix(host, "www."), "isw.pub")
}

// isReportPage reports whether u is a page of an ISW host, not one of the
// files it serves (a PDF) nor a short link. It reads the path itself: the
// slug has lost its extension.
func isReportPage(u string) bool {
	p, ok := iswURL(u)
	if !ok || isShortLinkHost(p.Hostname()) {
		return false
	}
	return !strings.HasSuffix(strings.ToLower(lastSegment(p.Path)), ".pdf")
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

// seriesOfISWURL returns the series an ISW address names, "" when it names
// none: by its slug's words, or by a short link's prefix.
func seriesOfISWURL(u string) string {
	p, ok := iswURL(u)
	if !ok {
		return ""
	}
	slug := slugOf(p)
	if isShortLinkHost(p.Hostname()) {
		// A short link names a report with its date ("UkrWar070425");
		// without one it names a feed, a map or an index ("UkraineRSS").
		m := shortLink.FindStringSubmatch(slug)
		if m == nil {
			return ""
		}
		lower := strings.ToLower(m[1])
		for _, s := range shortLinkSeries {
			if strings.HasPrefix(lower, s.word) {
				return s.series
			}
		}
		return ""
	}
	words := slugSpaces.Replace(slug)
	if hits := seriesIn(words); len(hits) > 0 {
		if isSeriesName(words) {
			return "" // the series' own page, which lists its reports
		}
		return hits[0].series
	}
	return ""
}

// isSeriesName reports whether the slug's words s are only a series'
// title ("iran update"), which is the address of the series' page.
func isSeriesName(s string) bool {
	for _, series := range config.BuiltinSeries {
		for _, title := range series.Titles {
			if strings.EqualFold(strings.TrimSpace(s), slugSpaces.Replace(strings.ToLower(title))) {
				return true
			}
		}
	}
	return false
}

// normaliseISWURL returns the form of an ISW or criticalthreats.org report
// URL under which copies compare equal: https, no "www.", no query, fragment
// or trailing slash, and no duplicate suffix ("-0") after the slug's date.
// The old /backgrounder/ and new /research/… paths, and the two sites, stay
// distinct; compare those by series and date. Other URLs come back as given.
func normaliseISWURL(u string) string {
	p, ok := iswURL(u)
	if !ok {
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
