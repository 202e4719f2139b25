package publish

import (
	"encoding/xml"
	"io"
	"time"

	"github.com/gorilla/feeds"
)

// rssAtomLink is an atom:link inside RSS: the self, hub and archive links
// RSS 2.0 has no element for, and an item's versions.
type rssAtomLink struct {
	XMLName  xml.Name `xml:"atom:link"`
	Href     string   `xml:"href,attr"`
	Rel      string   `xml:"rel,attr,omitempty"`
	Type     string   `xml:"type,attr,omitempty"`
	Hreflang string   `xml:"hreflang,attr,omitempty"`
	Title    string   `xml:"title,attr,omitempty"`
}

// rssSource is RSS 2.0's source element with its required url attribute.
type rssSource struct {
	URL  string `xml:"url,attr"`
	Name string `xml:",chardata"`
}

type rssItem struct {
	feeds.RssItem
	Categories []string      `xml:"category"`
	Creator    string        `xml:"dc:creator,omitempty"`
	Source     *rssSource    `xml:"source"`
	Links      []rssAtomLink `xml:"atom:link"`
}

type rssChannel struct {
	feeds.RssFeed
	Links   []rssAtomLink `xml:"atom:link"`
	Archive *struct{}     `xml:"fh:archive"`
	Items   []*rssItem    `xml:"item"`
}

// rssDoc is feeds.RssFeedXml with the atom (and, for archives, fh) namespace
// declared and a channel that carries atom:link.
type rssDoc struct {
	feeds.RssFeedXml
	AtomNS    string      `xml:"xmlns:atom,attr"`
	DCNS      string      `xml:"xmlns:dc,attr"`
	HistoryNS string      `xml:"xmlns:fh,attr,omitempty"`
	Channel   *rssChannel `xml:"channel"`
}

// FeedXml lets feeds.WriteXML write the extended document.
func (r *rssDoc) FeedXml() interface{} { return r }

func rssTime(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

func writeRSS(w io.Writer, d *feedDoc) error {
	ch := &rssChannel{RssFeed: feeds.RssFeed{
		Title: d.Title, Link: d.Home, Description: d.Subtitle, Language: d.Lang,
		LastBuildDate: rssTime(d.Updated), Generator: generatorName,
		Docs:  "https://www.rssboard.org/rss-specification",
		Image: &feeds.RssImage{Url: d.Icon, Title: d.Title, Link: d.Home},
	}}
	ch.Links = append(ch.Links, rssAtomLink{Rel: "self", Href: d.Self, Type: "application/rss+xml"})
	for _, l := range archiveLinks(d, "application/rss+xml") {
		ch.Links = append(ch.Links, rssAtomLink{Rel: l.Rel, Href: l.Href, Type: l.Type})
	}
	doc := &rssDoc{
		RssFeedXml: feeds.RssFeedXml{Version: "2.0", ContentNamespace: "http://purl.org/rss/1.0/modules/content/"},
		AtomNS:     atomNS, DCNS: dcNS, Channel: ch,
	}
	if d.Archive {
		doc.HistoryNS, ch.Archive = historyNS, &struct{}{}
	}
	for i := range d.Entries {
		ch.Items = append(ch.Items, newRSSItem(&d.Entries[i]))
	}
	return feeds.WriteXML(doc, w)
}

func newRSSItem(e *entry) *rssItem {
	it := &rssItem{RssItem: feeds.RssItem{
		Title: e.Title, Link: e.Link, Description: e.Content,
		Guid:    &feeds.RssGuid{Id: e.ID, IsPermaLink: "false"},
		PubDate: rssTime(e.Published),
	}, Creator: e.Author, Categories: e.Categories}
	for _, l := range e.Links {
		it.Links = append(it.Links, rssAtomLink{Rel: l.Rel, Href: l.Href, Hreflang: l.Lang, Title: l.Title, Type: "text/html"})
	}
	if e.Source != nil {
		it.Source = &rssSource{URL: e.Source.URL, Name: e.Source.Name}
	}
	return it
}
