package publish

import (
	"cmp"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// entry is one update as a feed entry, independent of the format: the merged
// entry of an update, or its entry in one language's feed.
type entry struct {
	ID        string
	Title     string
	Lang      string
	Content   string // sanitised HTML
	Link      string // the primary alternate
	Links     []entryLink
	Published time.Time
	Updated   time.Time
	Author    string
	AuthorURI string
	// Categories are shown by readers beside the title: the number.
	Categories []string
	Source     *entrySource
	Update     *dedupe.Update
}

// entryLink is a link of an entry to one version of its report.
type entryLink struct {
	Rel, Href, Lang, Title string
}

// entrySource attributes an entry's content to the feed it came from.
type entrySource struct {
	Name, URL string
}

// reportTitle is a report's title on the HTML pages: its number, where
// known, and date.
func reportTitle(u *dedupe.Update) string {
	l := labelsFor("en")
	if u.Number > 0 {
		return l.update(u.Number) + ": " + l.date(u.Date)
	}
	return "Report of " + l.date(u.Date)
}

// mergedEntry is the update's entry in the merged feed: the lead's content, an
// alternate link per language and a related link for a second source of one.
// Its title never changes once published; the number, learned perhaps later,
// is a category and the content's first line.
func (s *Server) mergedEntry(u *dedupe.Update) entry {
	lead, l := u.Lead(), labelsFor("en")
	e := entry{
		ID: u.ID, Title: l.stableTitle(u), Lang: lead.Lang, Link: linkOf(lead),
		Published: firstPublished(u), Updated: u.Updated, Update: u,
		Categories: numberCategory(l, u),
	}
	e.Content = headerHTML(l, header{number: u.Number, versions: u.Variants, shown: lead, isw: iswURL(u)}) + lead.Content
	e.Links = withISWLink(l, versionLinks(u), iswURL(u))
	s.attribute(&e, lead)
	return e
}

// langEntry is the update's entry in lang's feed: that language's content
// under its translator's title, its link and the original's. Its id is the
// update's with the language appended, since its content differs from the
// merged entry's.
func (s *Server) langEntry(u *dedupe.Update, lang string) entry {
	v, _ := u.InLang(lang)
	// A version is published when its source posted it.
	published := v.Published
	if published.IsZero() {
		published = u.Published
	}
	e := s.versionEntry(u, v, lang)
	e.ID, e.Published, e.Updated = u.ID+":"+lang, published, latest(v.Changed, published)
	if t := plainText(v.Title); t != "" {
		e.Title = t
	}
	return e
}

// orOriginalEntry is the update's entry in the feed of lang or the original:
// lang's version once there is one, else the lead's. Its id, title and
// published stay when the translation replaces the original; updated moves.
func (s *Server) orOriginalEntry(u *dedupe.Update, lang string) entry {
	v, ok := u.InLang(lang)
	if !ok {
		v = u.Lead()
	}
	published := firstPublished(u)
	e := s.versionEntry(u, v, lang)
	e.ID, e.Published, e.Updated = u.ID+":"+lang+"+", published, latest(v.Changed, published)
	e.Lang = v.Lang
	return e
}

// versionEntry is the part of a language's entry that shows version v: a
// title by the report's date, content under a line in lang's words that
// links v and the original, and the links to both.
func (s *Server) versionEntry(u *dedupe.Update, v dedupe.Variant, lang string) entry {
	l := labelsFor(lang)
	e := entry{Title: l.stableTitle(u), Lang: lang, Link: linkOf(v), Update: u}
	// Only this version and the original, so that a translation into another
	// language leaves this feed's bytes alone.
	shown := []dedupe.Variant{v}
	if o, ok := u.Original(); ok && o.Source != v.Source {
		shown = []dedupe.Variant{o, v}
	}
	// No number: learned from a translation into another language, it would
	// change this feed's bytes too.
	e.Content = headerHTML(l, header{versions: shown, shown: v, isw: iswURL(u)}) + v.Content
	if e.Link != "" {
		e.Links = append(e.Links, entryLink{Rel: "alternate", Href: e.Link, Lang: v.Lang, Title: plainText(v.Title)})
	}
	if o, ok := u.Original(); ok {
		if link := linkOf(o); link != "" && link != e.Link {
			rel := "alternate"
			if o.Lang == v.Lang {
				rel = "via"
			}
			e.Links = append(e.Links, entryLink{Rel: rel, Href: link, Lang: o.Lang, Title: plainText(o.Title)})
		}
	}
	e.Links = withISWLink(l, e.Links, iswURL(u))
	s.attribute(&e, v)
	return e
}

// versionLinks gives one alternate link per language (the preferred variant
// of it) and a related link for every further source of a language, since
// RFC 4287 allows one alternate per type and hreflang.
func versionLinks(u *dedupe.Update) []entryLink {
	var links []entryLink
	for _, lang := range u.Langs() {
		best, _ := u.InLang(lang)
		for _, v := range u.Variants {
			link := linkOf(v)
			if v.Lang != lang || link == "" {
				continue
			}
			rel := "related"
			if v.Source == best.Source {
				rel = "alternate"
			}
			links = append(links, entryLink{Rel: rel, Href: link, Lang: v.Lang, Title: plainText(v.Title)})
		}
	}
	return links
}

// numberCategory gives the report's number, where known, as a category, so
// that readers show it without a change of title.
func numberCategory(l labels, u *dedupe.Update) []string {
	if u.Number == 0 {
		return nil
	}
	return []string{l.update(u.Number)}
}

// header is what the line above an entry's content shows.
type header struct {
	number   int // 0: none
	versions []dedupe.Variant
	shown    dedupe.Variant
	isw      string // ISW's original, linked when no version is the original
}

// headerHTML is the line above the content: the report's number and a link
// to every version, since most feed readers show one link only.
func headerHTML(l labels, h header) string {
	var parts []string
	original := false
	for _, v := range h.versions {
		link := linkOf(v)
		if link == "" {
			continue
		}
		var marks []string
		if v.Role == config.RoleOriginal {
			marks, original = append(marks, l.Original), true
		}
		if v.Source == h.shown.Source && v.Lang == h.shown.Lang {
			marks = append(marks, l.Below)
		}
		label := langName(v.Lang)
		if len(marks) > 0 {
			label += " (" + strings.Join(marks, ", ") + ")"
		}
		parts = append(parts, linkHTML(link, v.Lang, label))
	}
	if !original && h.isw != "" {
		parts = append(parts, linkHTML(h.isw, "en", l.OriginalAtISW))
	}
	var line []string
	if h.number > 0 {
		line = append(line, "<strong>"+html.EscapeString(l.update(h.number))+"</strong>")
	}
	if len(parts) > 0 {
		line = append(line, html.EscapeString(l.Versions)+" "+strings.Join(parts, " · "))
	}
	if len(line) == 0 {
		return ""
	}
	return "<p>" + strings.Join(line, " · ") + "</p>\n"
}

func linkHTML(href, lang, label string) string {
	return fmt.Sprintf(`<a href="%s" hreflang="%s" rel="nofollow noreferrer">%s</a>`,
		html.EscapeString(href), html.EscapeString(lang), html.EscapeString(label))
}

// iswURL is the address of ISW's original of u, if it is a web address.
func iswURL(u *dedupe.Update) string {
	return webURL(u.ISWURL)
}

// linkOf is the address of version v as the feeds and pages write it: the
// stored link passes fetch's check once more, since an item stored by an
// older version, or before a rule existed, may carry anything.
func linkOf(v dedupe.Variant) string {
	return webURL(v.URL)
}

// withISWLink adds a related link to ISW's original, unless a link goes there
// already, so that subscribers reach it even while ISW's feed is unread.
func withISWLink(l labels, links []entryLink, isw string) []entryLink {
	if isw == "" || slices.ContainsFunc(links, func(k entryLink) bool { return k.Href == isw }) {
		return links
	}
	return append(links, entryLink{Rel: "related", Href: isw, Lang: "en", Title: l.OriginalAtISW})
}

// firstPublished is when the report first appeared at one of its sources: the
// earliest of its versions' dates, and no later than when iswfeed first saw
// it, so that a fresh install or an import dates old reports as they were.
func firstPublished(u *dedupe.Update) time.Time {
	t := u.Published
	for _, v := range u.Variants {
		if !v.Published.IsZero() && (t.IsZero() || v.Published.Before(t)) {
			t = v.Published
		}
	}
	return t
}

// sourceTitle is a version's source as readers see it: the config's title,
// else the title of the source's own feed, else the source's name.
func (s *Server) sourceTitle(v dedupe.Variant) string {
	src, _ := s.cfg.Source(v.Source)
	return cmp.Or(plainText(src.Title), plainText(v.FeedTitle), v.Source)
}

// attribute names the source of the entry's content as its author and source.
func (s *Server) attribute(e *entry, v dedupe.Variant) {
	e.Author = s.sourceTitle(v)
	src, ok := s.cfg.Source(v.Source)
	if !ok {
		return
	}
	e.Source = &entrySource{Name: e.Author, URL: config.PublicURL(src.URL)}
	if u, err := url.Parse(e.Source.URL); err == nil && u.Host != "" {
		e.AuthorURI = u.Scheme + "://" + u.Host + "/"
	}
}

// langNames are the names the pages and feeds give the languages they know;
// others show as their tag.
var langNames = map[string]string{
	"en": "English", "de": "Deutsch", "uk": "Українська", "ru": "Русский", "fr": "Français",
	"pl": "Polski", "es": "Español", "it": "Italiano", "cs": "Čeština",
}

func langName(tag string) string {
	if n, ok := langNames[strings.ToLower(tag)]; ok {
		return n
	}
	return tag
}

func latest(ts ...time.Time) time.Time {
	return slices.MaxFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
}

// newest is the latest Updated among entries, or the Unix epoch for none, so
// that an empty feed still renders the same bytes every time.
func newest(es []entry) time.Time {
	t := time.Unix(0, 0).UTC()
	for _, e := range es {
		t = latest(t, e.Updated)
	}
	return t
}

// sortedLangs lists the languages of updates, the originals' first.
func sortedLangs(cfg *config.Config, ups []dedupe.Update) []string {
	seen := map[string]bool{}
	for i := range ups {
		for _, l := range ups[i].Langs() {
			seen[l] = true
		}
	}
	return orderLangs(cfg, seen)
}

// orderLangs lists the languages of seen, the originals' first.
func orderLangs(cfg *config.Config, seen map[string]bool) []string {
	orig := originalLang(cfg)
	langs := make([]string, 0, len(seen))
	for l := range seen {
		langs = append(langs, l)
	}
	slices.SortFunc(langs, func(a, b string) int {
		return cmp.Or(-cmp.Compare(boolInt(a == orig), boolInt(b == orig)), cmp.Compare(a, b))
	})
	return langs
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// originalLang is the language of the first original source, the merged
// feed's language.
func originalLang(cfg *config.Config) string {
	for _, s := range cfg.Sources {
		if s.Role == config.RoleOriginal {
			return s.Lang
		}
	}
	return "en"
}
