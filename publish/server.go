package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// document is one rendered response, kept until the next change.
type document struct {
	body        []byte
	contentType string
	etag        string
	modified    time.Time
}

// Server serves the merged feeds from documents rendered once per change.
type Server struct {
	cfg   *config.Config
	store *dedupe.Store
	log   *slog.Logger
	docs  atomic.Pointer[map[string]*document]
	mux   *http.ServeMux
}

// New returns a server for store's updates; call Refresh before serving.
func New(cfg *config.Config, store *dedupe.Store, log *slog.Logger) *Server {
	s := &Server{cfg: cfg, store: store, log: log, mux: http.NewServeMux()}
	s.docs.Store(&map[string]*document{})
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	for _, path := range []string{"/feed.atom", "/feed.rss", "/feed.json"} {
		s.mux.HandleFunc("GET "+path, s.serveDocument(path))
	}
	return s
}

// Refresh renders every document from the store.
func (s *Server) Refresh() error {
	var series []string
	for _, name := range []string{config.DefaultSeries} {
		if s.cfg.Published(name) {
			series = append(series, name)
		}
	}
	for name := range s.cfg.Series {
		if name != config.DefaultSeries && s.cfg.Published(name) {
			series = append(series, name)
		}
	}
	updates, err := s.store.Updates(dedupe.Query{Series: series, Limit: s.cfg.FeedSize, Content: true})
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	feed := buildFeed(s.cfg, updates)
	docs := map[string]*document{}
	render := func(path, contentType string, write func(*bytes.Buffer) error) error {
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return fmt.Errorf("publish: unable to render %s: %w", path, err)
		}
		sum := sha256.Sum256(buf.Bytes())
		docs[path] = &document{body: buf.Bytes(), contentType: contentType,
			etag: `"` + hex.EncodeToString(sum[:16]) + `"`, modified: feed.Updated}
		return nil
	}
	if err := render("/feed.atom", "application/atom+xml; charset=utf-8", func(b *bytes.Buffer) error { return feed.WriteAtom(b) }); err != nil {
		return err
	}
	if err := render("/feed.rss", "application/rss+xml; charset=utf-8", func(b *bytes.Buffer) error { return feed.WriteRss(b) }); err != nil {
		return err
	}
	if err := render("/feed.json", "application/feed+json; charset=utf-8", func(b *bytes.Buffer) error { return feed.WriteJSON(b) }); err != nil {
		return err
	}
	s.docs.Store(&docs)
	return nil
}

func (s *Server) serveDocument(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		doc := (*s.docs.Load())[path]
		if doc == nil {
			http.Error(w, "not rendered yet", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", doc.contentType)
		w.Header().Set("ETag", doc.etag)
		http.ServeContent(w, r, "", doc.modified, bytes.NewReader(doc.body))
	}
}

// ServeHTTP serves the feeds.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }
