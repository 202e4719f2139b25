package dedupe

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"iswfeed/config"
	"iswfeed/fetch"
)

// The series the tests and the reader name; config.BuiltinSeries lists them all.
const (
	seriesDaily       = config.DefaultSeries
	seriesIran        = "iran-update"
	seriesIranSpecial = "iran-update-special-report"
	seriesChinaTaiwan = "china-taiwan-update"
	seriesOccupation  = "russian-occupation-update"
)

// identity is what an item says about the report it carries. A zero Series
// means the item is not a report of any known series.
type identity struct {
	Series string
	// Number is the translators' update number, 0 when the item does not give one.
	Number int
	// Weak says a weak pattern read Number ("Update 54", "№ 12"): words
	// that someone else's own series use too, so it teaches only once its
	// source has proven to agree (see learn.go).
	Weak bool
	// Date is the report's US Eastern date at 00:00 UTC, zero when unknown.
	Date time.Time
	// ISWURL is the ISW original the item is or links to, as written there;
	// compare through normaliseISWURL.
	ISWURL string
}

// sourceReader reads identities from the items of one source.
type sourceReader struct {
	original bool
	number   *regexp.Regexp
}

// newSourceReader returns a reader for src: its role decides whether items are
// ISW's own reports or translations, and src.Number, when set, is an extra
// pattern whose first group is the update number.
func newSourceReader(src config.Source) (*sourceReader, error) {
	r := &sourceReader{}
	switch src.Role {
	case config.RoleOriginal:
		r.original = true
	case config.RoleTranslation, "":
	default:
		return nil, fmt.Errorf("dedupe: source %q: unknown role %q", src.Name, src.Role)
	}
	if src.Number != "" {
		re, err := regexp.Compile(src.Number)
		if err != nil {
			return nil, fmt.Errorf("dedupe: source %q: number pattern: %w", src.Name, err)
		}
		if re.NumSubexp() < 1 {
			return nil, fmt.Errorf("dedupe: source %q: number pattern %q has no group around the number", src.Name, src.Number)
		}
		r.number = re
	}
	return r, nil
}

// Read returns the identity of it. The report date comes from what the item
// writes (title, slug, ISW link), never from its publication date, which
// only supplies the year where the text gives none.
func (r *sourceReader) Read(it fetch.Item) identity {
	id := r.readTranslation
	if r.original {
		id = r.readOriginal
	}
	return settle(id(it))
}

// settle applies what ISW's list of series says to an identity: a series
// that translators do not number has no update number (the 10 of "Ukraine
// Conflict Update 10" is ISW's), and a series' title on a date after ISW
// ended it is someone else's series.
func settle(id identity) identity {
	i := slices.IndexFunc(config.BuiltinSeries, func(s config.ISWSeries) bool { return s.Name == id.Series })
	if i < 0 {
		return id
	}
	sr := config.BuiltinSeries[i]
	if !sr.Numbered {
		id.Number = 0
	}
	if !sr.Until.IsZero() && id.Date.After(sr.Until) {
		return identity{}
	}
	return id
}

// readOriginal reads an item of ISW's own feed: the series from its title or
// slug, the date from the same, else from ISW's byline in its text, and the
// item itself as the ISW URL. Its content links to earlier reports, so its
// links are not read.
func (r *sourceReader) readOriginal(it fetch.Item) identity {
	title := foldTitle(it.Title)
	id := identity{}
	if _, ok := iswURL(it.Link); ok {
		id.ISWURL = it.Link // not a reader's redirect (news.google.com) to it
	}
	if hits := seriesIn(title); len(hits) > 0 {
		id.Series = hits[0].series
	} else {
		id.Series = seriesOfISWURL(it.Link)
	}
	if id.Series == "" {
		return identity{}
	}
	ref := referenceTime(it)
	linkDay, dated := iswDay(it.Link)
	if dates := resolve(datesIn(title), ref); len(dates) > 0 {
		id.Date = dates[0]
	} else if dated {
		id.Date, _ = linkDay.near(ref)
	} else if it.Content != "" {
		// The page's own dateline and byline ("February 22, 4:00 pm ET"),
		// the year from the publication, else from the page.
		text := readContent(it.Content).text
		if ref.IsZero() {
			ref = writtenYear(text)
		}
		if id.Date = iswByline(strings.ToLower(text), ref); id.Date.IsZero() {
			id.Date = statedDate(text, ref)
		}
	}
	id.Number = plausible(numberBy(r.number, title), ref)
	if !dated && seriesOfISWURL(it.Link) == "" && isISWArchive(it.Link) || isISWHome(it.Link) {
		id.ISWURL = "" // a month's archive or the home page lists the report, it is not its page
	}
	return id
}

// isISWArchive reports whether u is an ISW listing by date ("/2022/02/").
func isISWArchive(u string) bool {
	p, ok := iswURL(u)
	return ok && archivePath.MatchString(p.Path)
}

var archivePath = regexp.MustCompile(`^/20\d\d/(?:\d\d/)?$`)

// isISWHome reports whether u is the home page of an ISW host.
func isISWHome(u string) bool {
	p, ok := iswURL(u)
	return ok && strings.Trim(p.Path, "/") == ""
}

// readTranslation reads a translator's post. It is a report when it names a
// series, links an ISW report, gives an update number in a form that only the
// daily report uses ("Die Lage 401", "Звіт ISW №401"), or speaks of ISW in
// its title, slug or text: on a translation source, a post that names ISW is
// that source's version of the day's report ("ISW: <headline>", "— звіт
// ISW"), even when it states no date (the store may learn the source's lag).
// Index and tag pages are never reports.
func (r *sourceReader) readTranslation(it fetch.Item) identity {
	post := readContent(it.Content)
	// Numbers are checked against the publication only; year-less dates
	// may also take their year from the text (writtenYear).
	published := referenceTime(it)
	ref := published
	if ref.IsZero() {
		ref = writtenYear(post.text)
	}
	title, slug := foldTitle(it.Title), slugText(it.Link)
	titleDates, slugDates := datesIn(title), slugDatesIn(slug)
	// The title's date wins over the slug's: a title is corrected after
	// publication, a slug stays as it was first saved.
	dates := resolve(titleDates, ref)
	if len(dates) == 0 {
		dates = resolve(slugDates, ref)
	}

	series := firstSeries(title, slug)
	link, linked := chooseLink(reportLinks(post.links, it.Link, ref), series, dates)
	textSeries, textDate := sourceLine(post.text, ref)
	strong, weak := r.numbers(title, titleDates, slug, slugDates, post.text)
	strong, weak = recent(plausible(strong, published), published), recent(plausible(weak, published), published)
	if countsDays(title, strong) || countsDays(title, weak) {
		strong, weak = 0, 0
	}
	// A title that names ISW makes a report of a post, unless the post is
	// on another theatre and not on Ukraine ("E68: ISW Analysts Discuss
	// Iraq").
	titled := mentionsISW(title) || mentionsISW(slug)
	marked := titled && !elsewhereThanUkraine(title, slug, post.text)
	// Read only when the cases below need it: a post's text is long.
	textISW := func() bool {
		_, m := post.lowerText()
		return len(m) > 0 || opensWithTakeaways(post.text)
	}
	if isIndexPage(it.Link) || isInterview(title) || isInterview(slug) || othersHeadline(it.Content, title) {
		return identity{}
	}

	switch {
	case series != "":
	case linked:
		series = link.series
	case textSeries != "":
		series = textSeries
	case strong > 0,
		weak > 0 && (marked || mentionsUkraine(title)):
		series = seriesDaily
	case marked && len(dates) > 0,
		// A dated situation report, or a dated report about Ukraine, that
		// credits ISW in its text; "Update 2: new pistol" citing ISW is not.
		len(dates) > 0 && textISW() &&
			(situationWordIn(title) || mentionsUkraine(title) && (weak > 0 || reportWordIn(title))),
		marked,
		// An undated post whose text credits ISW about the war; a dated
		// title is judged by the rules above ("Analyse: Leopard 2, 29.03.2023"
		// citing ISW is none), and "Laut ISW ist die Nachfrage gestiegen"
		// under a stock sale is no report.
		len(dates) == 0 && textISW() && speaksOfTheWar(title, slug, post.text):
		if aboutISW(title, slug, &post) || isOpinion(it.Link) || forecasts(title, published, it.Link) {
			return identity{}
		}
		series = seriesDaily
	case (marked || textISW()) && topicSeries(title, slug, post.text) != "":
		// ISW on Iran, or on China and Taiwan, and not on the war: a
		// version of that series' update.
		if aboutISW(title, slug, &post) || isOpinion(it.Link) {
			return identity{}
		}
		series = topicSeries(title, slug, post.text)
	default:
		return identity{}
	}

	id := identity{Series: series, Number: cmp.Or(strong, weak), Weak: strong == 0 && weak > 0}
	// ISW's byline in a repost of its text dates the report over a
	// title's date, which may be someone else's ("UPDATE (08 August 2024)"
	// over ISW's "December 14, 2023, 10:25pm ET").
	var stamp time.Time
	if !linked {
		stamp = iswByline(post.lowerCase(), ref)
	}
	if linked {
		id.ISWURL = link.url
	}
	switch {
	case linked && !link.date.IsZero():
		id.Date = link.date
	case !stamp.IsZero():
		id.Date = stamp
	case len(dates) > 0:
		id.Date = dates[0]
	case !textDate.IsZero():
		id.Date = textDate
	default:
		if id.Date = statedDate(post.text, ref); id.Date.IsZero() && !published.IsZero() {
			lower, _ := post.lowerText()
			id.Date = bareDayNearISW(lower, published)
		}
	}
	return id
}

// numbers returns the strongest update numbers the post gives: from the
// source's own pattern, the title, the slug, then the source line of its
// text ("Russian Offensive Update 401").
func (r *sourceReader) numbers(title string, titleDates []dateHit, slug string, slugDates []dateHit, text string) (strong, weak int) {
	if n := numberBy(r.number, title); n > 0 {
		return n, 0
	}
	strong, weak = numberIn(title, titleDates)
	if strong > 0 {
		return strong, 0
	}
	slugStrong, slugWeak := numberIn(slug, slugDates)
	if slugStrong > 0 {
		return slugStrong, 0
	}
	if n := numberBy(r.number, text); n > 0 {
		return n, 0
	}
	if n := sourceNumber(text); n > 0 {
		return n, 0
	}
	if weak == 0 && slugWeak > 0 && titleUnnumbers(title, slug, slugWeak) {
		slugWeak = 0
	}
	return 0, cmp.Or(weak, slugWeak)
}

// titleUnnumbers reports whether the title writes the report word that
// stands before the slug's number n without a number: "Ukraine Invasion
// Update 2/26" over "…-ukraine-invasion-update-9" names its update by date,
// and the slug's 9 counts the site's posts.
func titleUnnumbers(title, slug string, n int) bool {
	for _, p := range numberPlaces("", slug) {
		if word := strings.TrimSuffix(strings.TrimPrefix(p.At, "slug: "), " N"); p.Number == n && word != "^" {
			return wordIn(title, []string{word}, nil)
		}
	}
	return false
}

// numberEpoch is well before ISW's first daily report on the invasion
// (February 2022). Translators number one report a day at most, so no update
// number exceeds the days since: "Die Lage 2023" in 2023 names a year.
var numberEpoch = time.Date(2021, 11, 1, 0, 0, 0, 0, time.UTC)

// plausible returns n, or 0 when an item published at ref cannot carry it.
func plausible(n int, ref time.Time) int {
	if ref.IsZero() || n <= int(ref.Sub(numberEpoch)/(24*time.Hour)) {
		return n
	}
	return 0
}

// invasion is the day the numbering of the daily reports counts from.
var invasion = time.Date(2022, 2, 24, 0, 0, 0, 0, time.UTC)

// recent returns an update number n, or 0 when it is far
// below the numbers of the reports of the time: translators number about one
// report a day, so by 2026 no report is "24", but "ISW report 24/7" is a post.
func recent(n int, ref time.Time) int {
	if ref.IsZero() || n >= int(ref.Sub(invasion)/(24*time.Hour))/2 {
		return n
	}
	return 0
}

// referenceTime is the time a year-less date is placed near.
func referenceTime(it fetch.Item) time.Time {
	if !it.Published.IsZero() {
		return it.Published
	}
	return it.Updated
}

// writtenYear is the reference time of an item that carries no publication
// date: the first full date its text writes ("October 9th, 2022"), else the
// end of the year on ISW's PDF header ("The Critical Threats Project 2022",
// "©2024 by the Institute"), else the end of the only year the text names.
// Where it names more, a bare year ("since October 2022") may be any event's.
func writtenYear(text string) time.Time {
	for _, h := range datesIn(text) {
		if t, ok := h.day.In(time.Time{}); ok {
			return t
		}
	}
	m := headerYear.FindStringSubmatch(text)
	if m == nil {
		// The one year a text names, when it names one only and on its
		// own ("the second such aircraft shot down in 2024"): its dates are
		// of that year. A month's year ("since October 2022") is an
		// event's, and may be any.
		years := map[string]bool{}
		for _, y := range yearWord.FindAllStringSubmatchIndex(text, -1) {
			year := text[y[2]:y[3]]
			if monthBefore(strings.TrimRight(text[:y[2]], " ,."), len(strings.TrimRight(text[:y[2]], " ,."))) {
				return time.Time{}
			}
			years[year] = true
		}
		// Two years in a row ("the record of 2024, faster than in all of
		// 2023") speak of the later one as the text's own.
		ys := slices.Sorted(maps.Keys(years))
		if len(ys) == 0 || len(ys) > 2 || len(ys) == 2 && atoi(ys[1])-atoi(ys[0]) != 1 {
			return time.Time{}
		}
		m = []string{"", ys[len(ys)-1]}
	}
	return time.Date(atoi(m[1]), 12, 31, 0, 0, 0, 0, time.UTC)
}

var headerYear = regexp.MustCompile(`(?i)(?:critical threats project|©)\s*(20\d\d)\b`)

// resolve turns dates as written into days, dropping those it cannot place.
func resolve(hits []dateHit, ref time.Time) []time.Time {
	var days []time.Time
	for _, h := range hits {
		if t, ok := h.day.near(ref); ok {
			days = append(days, t)
		}
	}
	return days
}

var slugSpaces = strings.NewReplacer("-", " ", "_", " ")

// slugText returns the last path segment of link with its hyphens as spaces.
func slugText(link string) string {
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return ""
	}
	return foldTitle(slugSpaces.Replace(lastSegment(u.Path)))
}

// firstSeries returns the first series named in any of texts.
func firstSeries(texts ...string) string {
	for _, s := range texts {
		if hits := seriesIn(s); len(hits) > 0 {
			return hits[0].series
		}
	}
	return ""
}

// reportLink is a link to an ISW report of a known series.
type reportLink struct {
	url    string
	series string
	date   time.Time
}

// reportLinks returns the hrefs that point at ISW reports, in order, with
// the item's own link last when it is one.
// A post links the same page again and again; each address is read once.
func reportLinks(hrefs []string, itemLink string, ref time.Time) []reportLink {
	var links []reportLink
	read := map[string]*reportLink{} // nil: no report
	for _, u := range append(hrefs, itemLink) {
		l, seen := read[u]
		if !seen {
			l = readReportLink(u, ref)
			read[u] = l
		}
		if l != nil {
			links = append(links, *l)
		}
	}
	return links
}

// readReportLink returns the report u links to, nil for none.
func readReportLink(u string, ref time.Time) *reportLink {
	series := seriesOfISWURL(u)
	if series == "" {
		return nil
	}
	l := &reportLink{url: u, series: series}
	if d, ok := iswDay(u); ok {
		l.date, _ = d.In(ref)
	}
	return l
}

// chooseLink picks the ISW report a post translates. Where the post writes a
// date, only a link to that date's report qualifies: the others are its
// references to earlier reports. Otherwise the last link wins, as posts name
// their source at the end.
func chooseLink(links []reportLink, series string, dates []time.Time) (reportLink, bool) {
	for _, l := range slices.Backward(links) {
		if series != "" && l.series != series {
			continue
		}
		if len(dates) > 0 && !slices.ContainsFunc(dates, l.date.Equal) {
			continue
		}
		return l, true
	}
	return reportLink{}, false
}

// sourceLine returns the last series a post's text names and the date written
// right after the last such name ("Quelle: Russian Offensive Campaign
// Assessment, August 24").
func sourceLine(text string, ref time.Time) (string, time.Time) {
	hits := seriesIn(text)
	if len(hits) == 0 {
		return "", time.Time{}
	}
	last := hits[len(hits)-1]
	for _, h := range slices.Backward(hits) {
		if h.series != last.series {
			continue
		}
		rest := text[h.end:min(len(text), h.end+40)]
		rest = strings.TrimLeft(rest, " ,:;-–(")
		for _, d := range datesIn(rest) {
			if d.start > 1 {
				break
			}
			if t, ok := d.day.In(ref); ok {
				return last.series, t
			}
		}
	}
	return last.series, time.Time{}
}

// isInterview reports whether s calls its post an interview: ISW's analysts
// speaking, no version of a report.
func isInterview(s string) bool { return containsAny(strings.ToLower(s), interviewWords) }

var interviewWords = []string{"interview", "interviu", "інтерв", "интервью", "wywiad",
	"rozhovor", "entrevista", "intervista", "인터뷰", "インタビュー"}

// isIndexPage reports whether link is a site's index of several posts: a
// tag, category or author page, or a page of a listing.
func isIndexPage(link string) bool {
	parts := pathSegments(link)
	for i, p := range parts {
		switch p {
		case "tag", "tags", "category", "author":
			return i < len(parts)-1
		case "feed", "rss", "atom", "feed.xml", "rss.xml", "atom.xml", "index.xml":
			return i == len(parts)-1 // a feed of posts
		case "page":
			return i < len(parts)-1 && isDigits(parts[i+1])
		}
	}
	return false
}

// othersHeadline reports whether html is a news reader's list of related
// headlines, each followed by its outlet (Google News: "Title&nbsp;&nbsp;
// Outlet" per story), of which the item's own, the first, is not ISW's:
// ISW's assessment further down is another story, not this one.
func othersHeadline(html, title string) bool {
	sep := "&nbsp;&nbsp;"
	if strings.Count(html, sep) < 2 {
		if sep = "\u00a0\u00a0"; strings.Count(html, sep) < 2 {
			return false
		}
	}
	first := readContent(html[:strings.Index(html, sep)]).text
	return !mentionsISW(title) && firstSeries(title, "") == "" && !mentionsISW(first) && len(seriesIn(first)) == 0
}

// forecasts reports whether a title speaks of a year two or more after the
// item's (its publication's, else its address's /YYYY/MM/): a piece on a
// forecast ("la minaccia della Russia entro il 2036"), no day's report.
func forecasts(title string, published time.Time, link string) bool {
	year := published.Year()
	if published.IsZero() {
		m := linkYear.FindStringSubmatch(link)
		if m == nil {
			return false
		}
		year = atoi(m[1])
	}
	for _, m := range yearWord.FindAllStringSubmatch(title, -1) {
		if atoi(m[1]) >= year+2 {
			return true
		}
	}
	return false
}

var linkYear = regexp.MustCompile(`/(20\d\d)/\d\d/`)

// opinionSections name the part of a news site where its writers and
// guests argue rather than report, as sites name it in their paths:
// "/opinion/", "/meinung/", "/nazory/", parlamentnilisty.cz's "/arena/" (its
// politicians' and readers' commentary). A blog is not among them: translators
// publish the day's report on theirs.
var opinionSections = []string{
	"opinion", "opinions", "op-ed", "oped", "opeds", "editorial", "editorials", "commentisfree",
	"columnists", "columnist", "column", "columns", "kolumne", "kolumnen", "kolumny", "felietony",
	"meinung", "meinungen", "kommentar", "kommentare", "standpunkte", "gastbeitrag", "debatte", "debatt",
	"opinie", "opinia", "opinii", "komentarze", "publicystyka", "opinioni", "commenti", "editoriali",
	"opinion-es", "opiniones", "tribuna", "tribunas", "opiniao", "tribune", "tribunes", "idees", "chroniques",
	"nazory", "názory", "komentare", "komentáře", "komentar", "komentari", "arena", "nuomones", "nuomone",
	"мнения", "мнение", "колонки", "колумнисты", "думки", "погляди", "колонка", "blogi-mneniya",
	"velemeny", "vélemény", "yazarlar", "kose-yazilari", "köşe-yazıları", "mielipide", "mielipiteet",
	"arvamus", "viedokli", "nuomonė", "apopseis", "mnenie", "mneniya", "dumky", "kolumnistika",
	"kommentarer", "ledare", "meninger", "kronikk", "debat",
}

// isOpinion reports whether link lies in a news site's opinion section: a
// piece there argues about ISW's findings, it is no version of a report.
func isOpinion(link string) bool {
	parts := pathSegments(link)
	for _, p := range parts[:max(0, len(parts)-1)] {
		if slices.Contains(opinionSections, p) {
			return true
		}
	}
	return false
}

// pathSegments returns the segments of link's path, unescaped and in
// lower case; none when link is no URL.
func pathSegments(link string) []string {
	u, err := url.Parse(link)
	if err != nil {
		return nil
	}
	return strings.Split(strings.Trim(strings.ToLower(u.Path), "/"), "/")
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
