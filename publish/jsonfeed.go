package publish

import (
	"io"
	"time"

	"github.com/gorilla/feeds"
)

// jsonItem is feeds.JSONItem with JSON Feed 1.1's language and iswfeed's
// extension listing the report's versions.
type jsonItem struct {
	feeds.JSONItem
	Language string       `json:"language,omitempty"`
	Ext      *jsonItemExt `json:"_iswfeed,omitempty"`
}

// jsonItemExt is the _iswfeed extension of an item.
type jsonItemExt struct {
	About    string        `json:"about"`
	Series   string        `json:"series"`
	Number   int           `json:"number,omitempty"`
	Date     string        `json:"date"`
	ISWURL   string        `json:"isw_url,omitempty"`
	Variants []jsonVariant `json:"variants"`
}

type jsonVariant struct {
	Lang   string `json:"lang"`
	Source string `json:"source"`
	Role   string `json:"role"`
	Title  string `json:"title"`
	URL    string `json:"url"`
}

// jsonFeedExt is the _iswfeed extension of a feed: RFC 5005's archive
// relations, which JSON Feed has no names for beyond next_url.
type jsonFeedExt struct {
	About       string `json:"about"`
	Archive     bool   `json:"archive,omitempty"`
	Current     string `json:"current,omitempty"`
	PrevArchive string `json:"prev_archive,omitempty"`
	NextArchive string `json:"next_archive,omitempty"`
}

type jsonFeed struct {
	feeds.JSONFeed
	Items []*jsonItem  `json:"items"`
	Ext   *jsonFeedExt `json:"_iswfeed"`
}

func writeJSONFeed(w io.Writer, d *feedDoc) error {
	f := &jsonFeed{
		JSONFeed: feeds.JSONFeed{
			Version: "https://jsonfeed.org/version/1.1", Title: d.Title, Language: d.Lang,
			HomePageUrl: d.Home, FeedUrl: d.Self, Description: d.Subtitle, Icon: d.Icon, Favicon: d.Icon,
			// next_url pages to older items: the newest archive.
			NextUrl: d.PrevArchive,
		},
		Items: []*jsonItem{},
		Ext:   &jsonFeedExt{About: d.About, Archive: d.Archive, Current: d.Current, PrevArchive: d.PrevArchive, NextArchive: d.NextArchive},
	}
	for _, h := range d.Hubs {
		f.Hubs = append(f.Hubs, &feeds.JSONHub{Type: "WebSub", Url: h})
	}
	for i := range d.Entries {
		f.Items = append(f.Items, newJSONItem(&d.Entries[i], d.About))
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := encodeIndented(buf, f, "", "  ", false); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func newJSONItem(e *entry, about string) *jsonItem {
	published, updated := e.Published.UTC(), e.Updated.UTC()
	it := &jsonItem{
		JSONItem: feeds.JSONItem{
			Id: e.ID, Url: e.Link, Title: e.Title, ContentHTML: e.Content,
			PublishedDate: &published, ModifiedDate: &updated,
			Authors: []*feeds.JSONAuthor{{Name: e.Author, Url: e.AuthorURI}},
			Tags:    e.Categories,
		},
		Language: e.Lang,
	}
	u := e.Update
	if isw := iswURL(u); isw != e.Link {
		it.ExternalUrl = isw
	}
	ext := &jsonItemExt{About: about, Series: u.Series, Number: u.Number, Date: u.Date.Format(time.DateOnly), ISWURL: iswURL(u), Variants: []jsonVariant{}}
	for _, v := range u.Variants {
		ext.Variants = append(ext.Variants, jsonVariant{Lang: v.Lang, Source: v.Source, Role: v.Role, Title: plainText(v.Title), URL: linkOf(v)})
	}
	it.Ext = ext
	return it
}
