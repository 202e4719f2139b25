package publish

import (
	"encoding/xml"
	"io"
	"time"

	"github.com/gorilla/feeds"
)

// atomLink is feeds.AtomLink with the hreflang and title attributes RFC 4287
// gives a link.
type atomLink struct {
	XMLName  xml.Name `xml:"link"`
	Href     string   `xml:"href,attr"`
	Rel      string   `xml:"rel,attr,omitempty"`
	Type     string   `xml:"type,attr,omitempty"`
	Hreflang string   `xml:"hreflang,attr,omitempty"`
	Title    string   `xml:"title,attr,omitempty"`
}

type atomContent struct {
	feeds.AtomContent
	Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
}

type atomGenerator struct {
	URI     string `xml:"uri,attr,omitempty"`
	Version string `xml:"version,attr,omitempty"`
	Name    string `xml:",chardata"`
}

// atomSource is the atom:source element; gorilla/feeds has it as text only.
type atomSource struct {
	ID    string     `xml:"id,omitempty"`
	Title string     `xml:"title,omitempty"`
	Links []atomLink `xml:"link"`
}

// atomCategory is RFC 4287's category, whose term is an attribute;
// gorilla/feeds has it as text.
type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	feeds.AtomEntry
	Categories []atomCategory `xml:"category"`
	Lang       string         `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Links      []atomLink     `xml:"link"`
	Content    *atomContent   `xml:"content"`
	Source     *atomSource    `xml:"source"`
}

// atomFeed extends feeds.AtomFeed with what it cannot say: xml:lang, several
// links (self, alternate, hub, archive relations), a generator and RFC 5005's
// fh:archive marker.
type atomFeed struct {
	feeds.AtomFeed
	HistoryNS string         `xml:"xmlns:fh,attr,omitempty"`
	Lang      string         `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	Archive   *struct{}      `xml:"fh:archive"`
	Generator *atomGenerator `xml:"generator"`
	Links     []atomLink     `xml:"link"`
	Entries   []*atomEntry   `xml:"entry"`
}

// FeedXml lets feeds.WriteXML write the extended feed.
func (f *atomFeed) FeedXml() interface{} { return f }

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func writeAtom(w io.Writer, d *feedDoc) error {
	f := &atomFeed{
		AtomFeed: feeds.AtomFeed{
			Xmlns: atomNS, Title: d.Title, Id: d.ID, Updated: atomTime(d.Updated),
			Subtitle: d.Subtitle, Icon: d.Icon, Logo: d.Icon,
		},
		Lang:      d.Lang,
		Generator: &atomGenerator{URI: d.Home, Name: generatorName},
	}
	f.Links = append(f.Links,
		atomLink{Rel: "self", Href: d.Self, Type: "application/atom+xml"},
		atomLink{Rel: "alternate", Href: d.Home, Type: "text/html"})
	f.Links = append(f.Links, archiveLinks(d, "application/atom+xml")...)
	if d.Archive {
		f.HistoryNS, f.Archive = historyNS, &struct{}{}
	}
	for i := range d.Entries {
		f.Entries = append(f.Entries, newAtomEntry(&d.Entries[i]))
	}
	return feeds.WriteXML(f, w)
}

// archiveLinks are the hub links and RFC 5005's current, prev-archive and
// next-archive links of a document.
func archiveLinks(d *feedDoc, typ string) []atomLink {
	var links []atomLink
	for _, h := range d.Hubs {
		links = append(links, atomLink{Rel: "hub", Href: h})
	}
	for _, l := range []struct{ rel, href string }{{"current", d.Current}, {"prev-archive", d.PrevArchive}, {"next-archive", d.NextArchive}} {
		if l.href != "" {
			links = append(links, atomLink{Rel: l.rel, Href: l.href, Type: typ})
		}
	}
	return links
}

func newAtomEntry(e *entry) *atomEntry {
	a := &atomEntry{
		AtomEntry: feeds.AtomEntry{
			Title: e.Title, Id: e.ID, Updated: atomTime(e.Updated), Published: atomTime(e.Published),
			Author: &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: e.Author, Uri: e.AuthorURI}},
		},
		Lang:    e.Lang,
		Content: &atomContent{AtomContent: feeds.AtomContent{Content: e.Content, Type: "html"}, Lang: e.Lang},
	}
	for _, c := range e.Categories {
		a.Categories = append(a.Categories, atomCategory{Term: c})
	}
	for _, l := range e.Links {
		a.Links = append(a.Links, atomLink{Rel: l.Rel, Href: l.Href, Hreflang: l.Lang, Title: l.Title, Type: "text/html"})
	}
	if e.Source != nil {
		a.Source = &atomSource{ID: e.Source.URL, Title: e.Source.Name,
			Links: []atomLink{{Rel: "self", Href: e.Source.URL}}}
	}
	return a
}
