package publish

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"slices"
	"strings"
	"syscall"
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
// Every write, rename and removal stays inside dir (an os.Root): a symbolic
// link or a crafted manifest line cannot lead outside it. Anything in dir
// that is not a regular file where a document goes (a FIFO, a link, a
// directory) is left alone and named in the error, and a dir that other users
// may write to is refused. Cancelling ctx stops the export between two files.
func Export(ctx context.Context, cfg *config.Config, store *dedupe.Store, dir string) error {
	root, err := openExportRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
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
	before, err := readManifest(root)
	if err != nil {
		return err
	}
	// Until the stale files are gone, the manifest names them and the new ones,
	// so that an export cut short leaves nothing it cannot delete next time.
	if err := writeManifest(root, append(slices.Clone(before), written...)); err != nil {
		return err
	}
	var skipped []string
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("publish: export stopped: %w", err)
		}
		if err := s.exportOne(ctx, root, p); errors.Is(err, errNotRegular) {
			skipped = append(skipped, exportName(p))
		} else if err != nil {
			return err
		}
	}
	if err := removeStale(root, before, written); err != nil {
		return err
	}
	if err := writeManifest(root, written); err != nil {
		return err
	}
	if len(skipped) > 0 {
		return fmt.Errorf("publish: export: left alone, since they are not regular files: %s", strings.Join(skipped, ", "))
	}
	return nil
}

// openExportRoot opens dir, creating it, for an export: a directory that
// users other than its owner may write to is refused, since one of them could
// swap a file for a link while export writes.
func openExportRoot(dir string) (*os.Root, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("publish: export: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("publish: export: %w", err)
	}
	info, err := root.Stat(".")
	if err == nil && info.Mode().Perm()&0o002 != 0 {
		err = fmt.Errorf("%s can be written by every user (mode %v); export into a directory only its owner writes (chmod o-w %s)", dir, info.Mode().Perm(), dir)
	}
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("publish: export: %w", err)
	}
	return root, nil
}

// manifestName lists, one a line, the files the last export wrote.
const manifestName = ".iswfeed-export"

func readManifest(root *os.Root) ([]string, error) {
	b, err := readRegular(root, manifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("publish: export: %w", err)
	}
	var names []string
	for _, name := range strings.Split(string(b), "\n") {
		// The root refuses names outside it; these are not even tried.
		if name != "" && fs.ValidPath(name) {
			names = append(names, name)
		}
	}
	return names, nil
}

func writeManifest(root *os.Root, names []string) error {
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	_, err := writeIfChanged(root, manifestName, []byte(strings.Join(names, "\n")+"\n"), time.Time{})
	return err
}

// removeStale deletes the regular files of before that are not in written,
// and the directories that leaves empty.
func removeStale(root *os.Root, before, written []string) error {
	keep := map[string]bool{}
	for _, name := range written {
		keep[name] = true
	}
	for _, name := range before {
		if keep[name] {
			continue
		}
		if info, err := root.Lstat(name); err != nil || !info.Mode().IsRegular() {
			continue
		}
		if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("publish: export: %w", err)
		}
		removeEmptyDirs(root, path.Dir(name))
	}
	return nil
}

// removeEmptyDirs removes d and its parents below the root while they are
// empty: Remove fails on a directory that is not, which ends it.
func removeEmptyDirs(root *os.Root, d string) {
	for d != "." && root.Remove(d) == nil {
		d = path.Dir(d)
	}
}

// exportPaths lists the paths of every static document.
func (s *Server) exportPaths() []string {
	st := s.site.Load()
	paths := []string{"/", "/icon.svg", "/api", "/api/updates"}
	for _, v := range st.views() {
		for _, f := range formats {
			paths = append(paths, v.feedPath(f))
		}
	}
	// Month by month, each month's archives before its reports' pages, so
	// that each report is sanitised once for every document that shows it.
	month := ""
	for i := range st.updates {
		u := &st.updates[i]
		if m := archiveMonth(u); m != month {
			month = m
			for _, v := range st.views() {
				if _, ok := st.history(v, s.cfg.FeedSize).byMonth[m]; ok {
					for _, f := range formats {
						paths = append(paths, v.archivePath(m, f))
					}
				}
			}
		}
		p := updatePath(u)
		paths = append(paths, p, "/api"+p)
	}
	// The pages that /api/updates's next links lead to, at the default limit.
	for i := defaultAPILimit; i < len(st.updates); i += defaultAPILimit {
		paths = append(paths, cursorOf(&st.updates[i-1]).path())
	}
	return paths
}

// exportOne writes p's document and its gzip. The gzip is compressed only
// when the document's bytes changed or it is missing.
func (s *Server) exportOne(ctx context.Context, root *os.Root, p string) error {
	doc, err := s.documentAt(ctx, p)
	if err != nil {
		return fmt.Errorf("publish: export %s: %w", p, err)
	}
	name := exportName(p)
	changed, err := writeIfChanged(root, name, doc.body, doc.fileTime())
	if err != nil {
		return err
	}
	if !changed {
		if info, err := root.Lstat(name + ".gz"); err == nil && info.Mode().IsRegular() && info.Size() > 0 {
			return nil
		}
	}
	_, err = writeIfChanged(root, name+".gz", doc.gzipped(), doc.fileTime())
	return err
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

// errNotRegular marks a name where something other than a regular file
// stands: export neither reads it nor replaces it.
var errNotRegular = errors.New("not a regular file")

// readRegular reads name in root if it is a regular file. It never opens a
// FIFO or a device (which could block for ever) nor follows a link.
func readRegular(root *os.Root, name string) ([]byte, error) {
	info, err := root.Lstat(name)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", name, errNotRegular)
	}
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", name, errNotRegular)
	}
	return io.ReadAll(f)
}

// writeIfChanged replaces name in root with b and reports whether it did. A
// file that holds b already is left alone, so that its mtime, which nginx
// sends as Last-Modified and puts in its ETag, moves only when its bytes do.
// A size that differs tells without reading the file.
func writeIfChanged(root *os.Root, name string, b []byte, mtime time.Time) (bool, error) {
	info, err := root.Lstat(name)
	switch {
	case err == nil && !info.Mode().IsRegular():
		return false, fmt.Errorf("publish: export %s: %w", name, errNotRegular)
	case err == nil && info.Size() == int64(len(b)):
		old, err := readRegular(root, name)
		if err != nil {
			return false, fmt.Errorf("publish: export %s: %w", name, err)
		}
		if bytes.Equal(old, b) {
			return false, nil
		}
	}
	if err := writeAtomic(root, name, b, mtime); err != nil {
		return false, fmt.Errorf("publish: export %s: %w", name, err)
	}
	return true, nil
}

// writeAtomic writes b to a new file beside name and renames it into place,
// so that a reader sees the old bytes or the new, never half.
func writeAtomic(root *os.Root, name string, b []byte, mtime time.Time) error {
	if err := root.MkdirAll(path.Dir(name), 0o755); err != nil {
		return err
	}
	var random [8]byte
	rand.Read(random[:])
	tmp := path.Join(path.Dir(name), ".export-"+hex.EncodeToString(random[:]))
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer root.Remove(tmp)
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := root.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if !mtime.IsZero() {
		root.Chtimes(tmp, mtime, mtime)
	}
	return root.Rename(tmp, name)
}
