package publish

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// Export writes every document the server would serve from store into dir,
// each with a .gz beside it, so that a static server (nginx with gzip_static,
// a CDN) can serve any number of subscribers. Paths without an extension get
// .html (pages) or .json (API). The live /status, /api/sources, /healthz and
// /metrics are not exported, nor /api/updates with a query: its pages at the
// default limit are, as /api/updates/before/{series}/{date}, where next leads.
//
// Files that an earlier export wrote and this one does not (a corrected
// update number, an unpublished series) are deleted; the list of what export
// wrote is kept in dir/.iswfeed-export, and no other file is ever touched.
func Export(cfg *config.Config, store *dedupe.Store, dir string) error {
	s := New(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err := s.Refresh(); err != nil {
		return err
	}
	paths := s.exportPaths()
	written := make([]string, 0, 2*len(paths))
	for _, p := range paths {
		name := exportName(p)
		written = append(written, name, name+".gz")
	}
	before, err := readManifest(dir)
	if err != nil {
		return err
	}
	// Until the stale files are gone, the manifest names them and the new ones,
	// so that an export cut short leaves nothing it cannot delete next time.
	if err := writeManifest(dir, append(slices.Clone(before), written...)); err != nil {
		return err
	}
	for _, p := range paths {
		if err := s.exportOne(dir, p); err != nil {
			return err
		}
	}
	if err := removeStale(dir, before, written); err != nil {
		return err
	}
	return writeManifest(dir, written)
}

// manifestName lists, one a line, the files the last export wrote.
const manifestName = ".iswfeed-export"

func readManifest(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("publish: export: %w", err)
	}
	var names []string
	for _, name := range strings.Split(string(b), "\n") {
		// Only names inside dir: a damaged manifest must not delete elsewhere.
		if name != "" && filepath.IsLocal(filepath.FromSlash(name)) {
			names = append(names, name)
		}
	}
	return names, nil
}

func writeManifest(dir string, names []string) error {
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	return writeFileAtomic(filepath.Join(dir, manifestName), []byte(strings.Join(names, "\n")+"\n"), time.Time{})
}

// removeStale deletes the files of before that are not in written, and the
// directories that leaves empty.
func removeStale(dir string, before, written []string) error {
	keep := map[string]bool{}
	for _, name := range written {
		keep[name] = true
	}
	for _, name := range before {
		if keep[name] {
			continue
		}
		file := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("publish: export: %w", err)
		}
		removeEmptyDirs(dir, filepath.Dir(file))
	}
	return nil
}

// removeEmptyDirs removes d and its parents below root while they are empty:
// Remove fails on a directory that is not, which ends it.
func removeEmptyDirs(root, d string) {
	for d != filepath.Clean(root) && os.Remove(d) == nil {
		d = filepath.Dir(d)
	}
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
	if err := writeFileAtomic(name, doc.body, doc.fileTime()); err != nil {
		return err
	}
	return writeFileAtomic(name+".gz", doc.gzipped(), doc.fileTime())
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
	d, ok := st.lookup(p)
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

// fileTime is the time to give the document's files: nginx sends a file's
// mtime as Last-Modified. Zero leaves the time of writing.
func (d *document) fileTime() time.Time {
	if d.hasModified() {
		return d.modified
	}
	return time.Time{}
}

// writeFileAtomic replaces name with b. A file that holds b already is left
// alone, so that its mtime, which nginx sends as Last-Modified and puts in its
// ETag, moves only when its bytes do.
func writeFileAtomic(name string, b []byte, mtime time.Time) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, b) {
		return nil
	}
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
	if !mtime.IsZero() {
		os.Chtimes(tmp.Name(), mtime, mtime)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("publish: export %s: %w", name, err)
	}
	return nil
}
