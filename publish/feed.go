package publish

import (
	"fmt"
	"strings"
	"time"

	"github.com/gorilla/feeds"
	"github.com/microcosm-cc/bluemonday"

	"iswfeed/config"
	"iswfeed/dedupe"
)

var policy = bluemonday.UGCPolicy()

// entryTitle names the report's number and date.
func entryTitle(u *dedupe.Update) string {
	date := u.Date.Format("January 2, 2006")
	if u.Number > 0 {
		return fmt.Sprintf("Update %d: %s", u.Number, date)
	}
	return "Report of " + date
}

// buildFeed turns updates into gorilla/feeds' model.
func buildFeed(cfg *config.Config, updates []dedupe.Update) *feeds.Feed {
	f := &feeds.Feed{
		Title:       cfg.Title,
		Link:        &feeds.Link{Href: cfg.BaseURL},
		Description: cfg.Subtitle,
		Id:          strings.TrimSuffix(cfg.BaseURL, "/") + "/feed.atom",
	}
	for i := range updates {
		u := &updates[i]
		lead := u.Lead()
		f.Items = append(f.Items, &feeds.Item{
			Id:      u.ID,
			Title:   entryTitle(u),
			Link:    &feeds.Link{Href: lead.URL},
			Content: policy.Sanitize(lead.Content),
			Created: u.Published,
			Updated: u.Updated,
		})
		if f.Updated.Before(u.Updated) {
			f.Updated = u.Updated
		}
	}
	if f.Updated.IsZero() {
		f.Updated = time.Unix(0, 0).UTC()
	}
	return f
}
