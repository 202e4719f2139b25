package publish

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// Export writes every document the server would serve from store into dir,
// each with a .gz beside it, so that a static server (nginx with gzip_static,
// a CDN) can serve any number of subscribers. Paths without an extension get
// .html (pages) or .json (API). The live /status, /api/sources, /healthz and
// /metrics are not exported, nor /api/updates with a query: its pages at the
// default limit are, as /api/updates/before/{series}/{date}, where next leads.
func Export(cfg *config.Config, store *dedupe.Store, dir string) error {
	s := New(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err := s.Refresh(); err != nil {
		return err
	}
	for _, p := range s.exportPaths() {
		if err := s.exportOne(dir, p); err != nil {
			return err
		}
	}
	return nil
}

// exportPaths lists the paths of every static document.
func (s *Server) exportPaths() []string {
	st := s.site.Load()
	paths := []string{"/", "/icon.svg", "/api", "/api/updates"}
	for _, v := range st.views() {
		h := splitHistory(st.inView(v), s.cfg.FeedSize)
		for _, f := range formats {
			paths = append(paths, v.feedPath(f))
			for _, m := range h.months {
				paths = append(paths, v.archivePath(m, f))
			}
		}
	}
	for i := range st.updates {
		p := updatePath(&st.updates[i])
		paths = append(paths, p, "/api"+p)
	}
	// The pages that /api/updates's next links lead to, at the default limit.
	for i := defaultAPILimit; i < len(st.updates); i += defaultAPILimit {
		paths = append(paths, cursorOf(&st.updates[i-1]).path())
	}
	return paths
}

// exportOne renders p through the server's own handler, so that the files
// are the bytes HTTP serves, and writes it and its gzip atomically.
func (s *Server) exportOne(dir, p string) error {
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
	if rec.Code != http.StatusOK {
		return fmt.Errorf("publish: export %s: status %d: %s", p, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	doc, err := s.exportDocument(p)
	if err != nil {
		return err
	}
	name := filepath.Join(dir, filepath.FromSlash(exportName(p)))
	if err := writeFileAtomic(name, doc.body, doc); err != nil {
		return err
	}
	return writeFileAtomic(name+".gz", doc.gz, doc)
}

// exportDocument finds the document the last request of p rendered.
func (s *Server) exportDocument(p string) (*document, error) {
	st := s.site.Load()
	if d, ok := st.docs[p]; ok {
		return d, nil
	}
	if p == "/icon.svg" {
		return iconDoc, nil
	}
	st.mu.Lock()
	d, ok := st.lazy[p]
	st.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("publish: export %s: not rendered", p)
	}
	return d, nil
}

// exportName maps a URL path to a file: / is index.html, pages without an
// extension get .html, API answers .json.
func exportName(p string) string {
	switch {
	case p == "/":
		return "index.html"
	case path.Ext(p) == "" && strings.HasPrefix(p, "/api"):
		return strings.TrimPrefix(p, "/") + ".json"
	case path.Ext(p) == "":
		return strings.TrimPrefix(p, "/") + ".html"
	}
	return strings.TrimPrefix(p, "/")
}

func writeFileAtomic(name string, b []byte, doc *document) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("publish: export: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".export-*")
	if err != nil {
		return fmt.Errorf("publish: export: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("publish: export %s: %w", name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("publish: export %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("publish: export %s: %w", name, err)
	}
	if doc.hasModified() {
		// nginx sends the file's mtime as Last-Modified.
		os.Chtimes(tmp.Name(), doc.modified, doc.modified)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("publish: export %s: %w", name, err)
	}
	return nil
}
