package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"codeberg.org/readeck/go-readability/v2"
	"go.etcd.io/bbolt"
	"golang.org/x/net/html/charset"

	"iswfeed/config"
)

// articleBucket holds, per source and item link, the article fetched for a
// full_text source's item: what it was fetched for, its validators and its text.
var articleBucket = []byte("fetch.articles")

// maxArticlesPerPoll bounds the pages one poll fetches; the rest keep their
// teaser until the next poll, so a feed of a thousand new items stays polite.
const maxArticlesPerPoll = 20

const acceptPages = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"

// article is what the poller remembers of one item's page.
type article struct {
	// Teaser is a hash of the item as the feed gave it when the page was
	// fetched: while it stays the same, the page is not fetched again.
	Teaser string `json:"teaser"`
	Validators
	// Content is the extracted article, "" until a fetch succeeded.
	Content  string    `json:"content,omitempty"`
	Failures int       `json:"failures,omitempty"`
	RetryAt  time.Time `json:"retry_at,omitzero"`
}

// fullText replaces each item's teaser with the article on its page. A page
// is fetched once per version of its item (conditionally when it was fetched
// before), one request at a time per host and within fetch.full_text_timeout
// and fetch.full_text_max_bytes; a page that fails leaves the teaser and is
// tried again after a backoff. The sink sees the article as the item's
// Content and sanitises it as any other.
func (p *Poller) fullText(ctx context.Context, j job, t *turn, src config.Source, items []Item) {
	links := make([]string, len(items))
	for i, it := range items {
		links[i] = it.Link
	}
	known, err := p.articles.load(src.Name, links)
	if err != nil {
		p.log.Error("full text: articles not read; the items keep their teasers", "source", src.Name, "err", err)
		return
	}
	changed := map[string]article{}
	fetched := 0
	for i := range items {
		it := &items[i]
		rec, teaser := known[it.Link], teaserOf(*it)
		switch {
		case it.Link == "": // normalise left only http(s) links
			continue
		case rec.Teaser == teaser && rec.Failures == 0 && rec.Content != "":
			it.Content = rec.Content
			continue
		case rec.Teaser == teaser && rec.Failures > 0 && time.Now().Before(rec.RetryAt):
			continue
		case fetched >= maxArticlesPerPoll:
			continue
		}
		fetched++
		rec = p.fetchArticle(ctx, j, t, src, it.Link, rec, teaser)
		changed[it.Link] = rec
		if rec.Failures == 0 && rec.Content != "" {
			it.Content = rec.Content
		}
	}
	if err := p.articles.save(src.Name, changed); err != nil {
		p.log.Error("full text: articles not saved; they are fetched again", "source", src.Name, "err", err)
	}
}

// fetchArticle fetches one item's page and extracts its article.
func (p *Poller) fetchArticle(ctx context.Context, j job, t *turn, src config.Source, link string, rec article, teaser string) article {
	ctx, cancel := context.WithTimeout(ctx, j.cfg.Fetch.FullTextTimeout)
	defer cancel()
	content, v, notModified, err := p.getArticle(ctx, j, t, src, link, rec)
	if err != nil {
		p.metrics.articles.WithLabelValues(src.Name, "error").Inc()
		p.log.Warn("full text: page failed; the item keeps its teaser", "source", src.Name, "link", link, "err", err)
		rec.Teaser, rec.Failures = teaser, rec.Failures+1
		rec.RetryAt = time.Now().Add(j.iv.backoff(rec.Failures)).UTC()
		return rec
	}
	p.metrics.articles.WithLabelValues(src.Name, outcome(nil, notModified)).Inc()
	if notModified {
		return article{Teaser: teaser, Validators: rec.Validators, Content: rec.Content}
	}
	return article{Teaser: teaser, Validators: v, Content: content}
}

// getArticle GETs a page (conditionally when its article is known) and
// returns the extracted article, the page's validators, and whether it was
// unchanged.
func (p *Poller) getArticle(ctx context.Context, j job, t *turn, src config.Source, link string, rec article) (string, Validators, bool, error) {
	if err := t.moveTo(ctx, hostOf(link)); err != nil {
		return "", Validators{}, false, failure(src.Name, ErrTimeout, "waiting for the page's host", err)
	}
	var v Validators
	if rec.Content != "" {
		v = rec.Validators
	}
	resp, err := j.fetcher.get(ctx, request{source: src.Name, url: link, accept: acceptPages, Validators: v, maxBody: j.cfg.Fetch.FullTextMaxBytes})
	if err != nil {
		return "", Validators{}, false, err
	}
	if !resp.IsModified() {
		return "", Validators{}, true, nil
	}
	content, err := extract(resp.body, resp.header.Get("Content-Type"), resp.url)
	if err != nil {
		return "", Validators{}, false, failure(src.Name, ErrNotFeed, "no article on the page: "+err.Error(), err)
	}
	return content, Validators{ETag: resp.ETag(), LastModified: resp.LastModified()}, false, nil
}

// extract finds the article in an HTML page with readability and returns it
// normalised like an item's content: UTF-8, absolute URLs, at most 2 MiB.
func extract(body []byte, contentType string, page *url.URL) (string, error) {
	r, err := charset.NewReader(bytes.NewReader(body), contentType)
	if err != nil {
		return "", err
	}
	a, err := readability.FromReader(r, page)
	if err != nil {
		return "", err
	}
	if a.Node == nil {
		return "", fmt.Errorf("readability found no content")
	}
	var b strings.Builder
	if err := a.RenderHTML(&b); err != nil {
		return "", err
	}
	content, _ := truncateUTF8(config.DropControls(b.String()), maxContentBytes)
	return absoluteHTML(page, content), nil
}

// teaserOf hashes what the feed says of an item, so a changed item is
// fetched again and an unchanged one never.
func teaserOf(it Item) string {
	sum := sha256.Sum256([]byte(it.Title + "\x00" + it.Content + "\x00" + it.Updated.UTC().Format(time.RFC3339)))
	return hex.EncodeToString(sum[:16])
}

// articleStore keeps articles in bbolt, one nested bucket per source.
type articleStore struct{ db *bbolt.DB }

func newArticleStore(db *bbolt.DB) (*articleStore, error) {
	err := db.Update(func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(articleBucket)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fetch: creating bucket %s: %w", articleBucket, err)
	}
	return &articleStore{db: db}, nil
}

// load returns what is known of the articles at links, by link.
func (s *articleStore) load(source string, links []string) (map[string]article, error) {
	out := map[string]article{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(articleBucket).Bucket([]byte(source))
		if b == nil {
			return nil
		}
		for _, link := range links {
			v := b.Get([]byte(link))
			if v == nil {
				continue
			}
			var a article
			if err := json.Unmarshal(v, &a); err != nil {
				return fmt.Errorf("article %s: %w", link, err)
			}
			out[link] = a
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("fetch: reading the articles of %s: %w", source, err)
	}
	return out, nil
}

// save writes a source's changed articles in one transaction.
func (s *articleStore) save(source string, arts map[string]article) error {
	if len(arts) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.Bucket(articleBucket).CreateBucketIfNotExists([]byte(source))
		if err != nil {
			return err
		}
		for link, a := range arts {
			v, err := json.Marshal(a)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(link), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("fetch: saving the articles of %s: %w", source, err)
	}
	return nil
}

// remove forgets the articles of sources no longer configured.
func (s *articleStore) remove(sources ...string) error {
	if len(sources) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(articleBucket)
		for _, src := range sources {
			if err := b.DeleteBucket([]byte(src)); err != nil && !errors.Is(err, bbolt.ErrBucketNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("fetch: removing articles: %w", err)
	}
	return nil
}
