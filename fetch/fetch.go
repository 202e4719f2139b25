package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"iswfeed/config"
)

// ErrStatus is wrapped by errors for answers other than 200 and 304.
var ErrStatus = errors.New("fetch: unexpected HTTP status")

// Fetcher performs one GET per source and parses the answer.
type Fetcher struct {
	Client    *http.Client
	UserAgent string
	MaxBody   int64
}

// Fetch GETs the source's feed and returns its items.
func (f *Fetcher) Fetch(ctx context.Context, src config.Source) ([]Item, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch: %s: %w", src.Name, err)
	}
	req.Header.Set("User-Agent", f.UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1")
	resp, err := f.Client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch: %s: %w", src.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s answered %s", ErrStatus, src.Name, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.MaxBody))
	if err != nil {
		return nil, fmt.Errorf("fetch: %s: unable to read response body: %w", src.Name, err)
	}
	feed, err := gofeed.NewParser().Parse(strings.NewReader(string(body)))
	if err != nil {
		return nil, fmt.Errorf("fetch: %s: unable to parse feed: %w", src.Name, err)
	}
	return normalise(src, resp.Request.URL, feed), nil
}

func normalise(src config.Source, base *url.URL, feed *gofeed.Feed) []Item {
	items := make([]Item, 0, len(feed.Items))
	for _, fi := range feed.Items {
		it := Item{
			Source:  src.Name,
			Lang:    src.Lang,
			ID:      fi.GUID,
			Title:   strings.TrimSpace(fi.Title),
			Link:    absolute(base, fi.Link),
			Content: fi.Content,
		}
		if it.Content == "" {
			it.Content = fi.Description
		}
		if fi.PublishedParsed != nil {
			it.Published = fi.PublishedParsed.UTC()
		}
		if fi.UpdatedParsed != nil {
			it.Updated = fi.UpdatedParsed.UTC()
		}
		if it.Published.IsZero() {
			it.Published = it.Updated
		}
		if it.Published.IsZero() {
			it.Published = time.Now().UTC()
		}
		if it.ID == "" {
			it.ID = it.Link
		}
		if it.ID == "" {
			sum := sha256.Sum256([]byte(it.Title + "\x00" + it.Content))
			it.ID = "sha256:" + hex.EncodeToString(sum[:])
		}
		items = append(items, it)
	}
	return items
}

func absolute(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	u, err := url.Parse(ref)
	if err != nil || base == nil {
		return ref
	}
	return base.ResolveReference(u).String()
}
