package publish

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
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
	// The directory's files are listed while the site is read and its current
	// feeds rendered, which need none of them.
	var present map[string]bool
	walked := make(chan struct{})
	go func() {
		defer close(walked)
		present = regularFiles(root)
	}()
	defer func() { <-walked }() // before the root closes
	s := New(cfg, store, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	// Each document is written once: a cache would only hold on to it, and
	// keeps the bytes it was rendered from, which export writes beside its
	// gzip.
	s.lazyBytes, s.keepBytes = 1, true
	// The site, without its current feeds: those are rendered, as every
	// other document, only when their inputs changed.
	ups, err := s.published()
	if err != nil {
		return err
	}
	s.site.Store(s.newSite(ups))
	plan := s.exportPlan()
	var written []string
	for _, g := range plan {
		for _, d := range g {
			name := exportName(d.path)
			written = append(written, name, name+".gz")
		}
	}
	before, err := readManifest(root)
	if err != nil {
		return err
	}
	// Until the stale files are gone, the manifest names them and the new ones,
	// and no inputs, so that an export cut short leaves nothing it cannot
	// delete next time, and the next export renders everything again.
	if err := writeManifest(root, manifest{names: append(slices.Clone(before.names), written...)}); err != nil {
		return err
	}
	<-walked
	unchanged := func(d exportDoc) bool {
		name := exportName(d.path)
		return d.inputs != "" && before.inputs[name] == d.inputs && present[name] && present[name+".gz"]
	}
	dirs := &exportDirs{root: root, open: map[string]*os.Root{}}
	defer dirs.Close()
	keys, skipped, err := s.exportAll(ctx, dirs, plan, unchanged)
	if err != nil {
		return err
	}
	// Removing the directories that stale files leave empty goes through the
	// root alone.
	dirs.Close()
	if err := removeStale(root, before.names, written); err != nil {
		return err
	}
	if err := writeManifest(root, manifest{names: written, inputs: keys}); err != nil {
		return err
	}
	if len(skipped) > 0 {
		slices.Sort(skipped)
		return fmt.Errorf("publish: export: left alone, since they are not regular files: %s", strings.Join(skipped, ", "))
	}
	return nil
}

// exportAll writes the plan's documents, a group at a time on each of up to
// GOMAXPROCS workers, but for those unchanged says are as the files hold
// them. It returns the inputs of every document the files now hold, and the
// names where something other than a regular file stands.
func (s *Server) exportAll(ctx context.Context, dirs *exportDirs, plan []exportGroup, unchanged func(exportDoc) bool) (map[string]string, []string, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	groups := make(chan exportGroup)
	var (
		mu      sync.Mutex
		keys    = map[string]string{}
		skipped []string
		wg      sync.WaitGroup
	)
	for range min(runtime.GOMAXPROCS(0), len(plan)) {
		wg.Go(func() {
			for g := range groups {
				for _, d := range g {
					if ctx.Err() != nil {
						return
					}
					name := exportName(d.path)
					err := error(nil)
					if !unchanged(d) {
						err = s.exportOne(ctx, dirs, d)
					}
					mu.Lock()
					switch {
					case errors.Is(err, errNotRegular):
						skipped = append(skipped, name)
					case err != nil:
						cancel(err)
					case d.inputs != "":
						keys[name] = d.inputs
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, g := range plan {
		select {
		case groups <- g:
		case <-ctx.Done():
		}
	}
	close(groups)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, nil, fmt.Errorf("publish: export stopped: %w", err)
		}
		return nil, nil, err
	}
	return keys, skipped, nil
}

// exportDirs opens each directory below an export's root once, for the
// files written into it: every call through a root resolves its name again,
// a directory at a time, and an export writes tens of thousands of files
// into a few directories. Each is opened through the root, so it is inside.
type exportDirs struct {
	root *os.Root
	mu   sync.Mutex
	open map[string]*os.Root // by name below root
}

// of returns the root of name's directory, made if missing, and name's base.
func (d *exportDirs) of(name string) (*os.Root, string, error) {
	dir, base := path.Split(name)
	if dir == "" {
		return d.root, base, nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if r, ok := d.open[dir]; ok {
		return r, base, nil
	}
	r, err := d.root.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err = d.root.MkdirAll(dir, 0o755); err == nil {
			r, err = d.root.OpenRoot(dir)
		}
	}
	if err != nil {
		return nil, "", err
	}
	d.open[dir] = r
	return r, base, nil
}

// Close closes the directories opened, which the next use opens again.
func (d *exportDirs) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for dir, r := range d.open {
		r.Close()
		delete(d.open, dir)
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

// manifestName lists, one a line, the files the last export wrote; a
// document's line also names the inputs it was rendered from (see
// exportPlan), after a tab.
const manifestName = ".iswfeed-export"

// manifest is what an export wrote: every file's name, and by name the
// inputs of the documents whose files it finished.
type manifest struct {
	names  []string
	inputs map[string]string
}

func readManifest(root *os.Root) (manifest, error) {
	m := manifest{inputs: map[string]string{}}
	b, err := readRegular(root, manifestName)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return m, fmt.Errorf("publish: export: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, inputs, _ := strings.Cut(line, "\t")
		// The root refuses names outside it; these are not even tried.
		if name != "" && fs.ValidPath(name) {
			m.names = append(m.names, name)
			if inputs != "" {
				m.inputs[name] = inputs
			}
		}
	}
	return m, nil
}

func writeManifest(root *os.Root, m manifest) error {
	var b strings.Builder
	for _, name := range slices.Compact(slices.Sorted(slices.Values(m.names))) {
		b.WriteString(name)
		if inputs := m.inputs[name]; inputs != "" {
			b.WriteString("\t" + inputs)
		}
		b.WriteByte('\n')
	}
	if _, err := writeIfChanged(root, manifestName, []byte(b.String()), time.Time{}); err != nil {
		return fmt.Errorf("publish: export %s: %w", manifestName, err)
	}
	return nil
}

// regularFiles lists the regular files under root, from the directories'
// entries alone.
func regularFiles(root *os.Root) map[string]bool {
	files := map[string]bool{}
	fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files[name] = true
		}
		return nil
	})
	return files
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

// exportDoc is a document an export writes: its path and, unless it is
// always rendered, its inputs: a digest of everything its bytes are made
// from, so that a document whose inputs are those its files were written
// from is neither rendered nor read. render, when set, renders it; else it
// is the document a GET of its path answers with.
type exportDoc struct {
	path, inputs string
	render       func() (*document, error)
}

// exportGroup is the documents of one month (its archives, then its reports'
// pages, so that each report is sanitised once for all of them), or those of
// no month.
type exportGroup []exportDoc

// exportPlan lists every static document, in groups. A document's inputs
// cover the program, the config as it shapes bytes (shapingConfig), the
// site's languages (what every page
// shows), its path, and the stored metadata of each report it shows, which
// moves with every change of a report's content (dedupe stamps each variant
// that arrives or changes); an archive's and a current feed's also cover the
// months they link to. The index and /api are always rendered.
//
// The plan's first groups are the current feeds, a group per view.
func (s *Server) exportPlan() []exportGroup {
	st := s.site.Load()
	in := newExportInputs(s.cfg, st)
	var plan []exportGroup
	for _, v := range st.views() {
		ups, older := st.currentOf(v, s.cfg.FeedSize)
		var g exportGroup
		for _, f := range formats {
			p := v.feedPath(f)
			g = append(g, exportDoc{path: p, inputs: in.of(p, ups, older), render: func() (*document, error) {
				// No later render copies its pieces.
				doc, _, err := s.renderDoc(st, v, f, "", previous{}, deflateStream)
				return doc, err
			}})
		}
		plan = append(plan, g)
	}
	top := exportGroup{{path: "/"}, {path: "/icon.svg"}, {path: "/api"}}
	// The pages that /api/updates's next links lead to, at the default limit.
	for l := (listing{limit: defaultAPILimit}); len(st.updates) > 0; {
		ups, next := l.page(st)
		p := l.url()
		top = append(top, exportDoc{path: p, inputs: in.of(p, ups, next.path())})
		if next.date.IsZero() {
			break
		}
		l.after = next
	}
	plan = append(plan, top)
	var g exportGroup
	month := ""
	for i := range st.updates {
		u := &st.updates[i]
		if m := archiveMonth(u); m != month {
			if len(g) > 0 {
				plan = append(plan, g)
			}
			g, month = nil, m
			for _, v := range st.views() {
				g = append(g, in.archives(st.history(v, s.cfg.FeedSize), v, m)...)
			}
		}
		p := updatePath(u)
		one := []dedupe.Update{*u}
		g = append(g, exportDoc{path: p, inputs: in.of(p, one)}, exportDoc{path: "/api" + p, inputs: in.of("/api"+p, one)})
	}
	if len(g) > 0 {
		plan = append(plan, g)
	}
	return plan
}

// exportInputs digests the inputs of documents: what all share, and each
// report's metadata once.
type exportInputs struct {
	common  []byte
	reports map[string][]byte // by update id
}

// exportVersion changes when what the inputs cover does.
const exportVersion = "1"

func newExportInputs(cfg *config.Config, st *site) *exportInputs {
	h := sha256.New()
	io.WriteString(h, exportVersion)
	program(h)
	c, err := json.Marshal(shapingConfig(cfg))
	if err != nil {
		// Inputs that no export has written: everything is rendered.
		c = []byte(rand.Text())
	}
	h.Write(c)
	writeField(h, st.origLang)
	for _, l := range st.langs {
		writeField(h, l)
	}
	in := &exportInputs{common: h.Sum(nil), reports: make(map[string][]byte, len(st.updates))}
	for i := range st.updates {
		u := &st.updates[i]
		in.reports[u.ID] = reportDigest(u)
	}
	return in
}

// shapingConfig is cfg without what never reaches a document's bytes: where
// the store and the config file are, what the daemon listens on, how and
// when it polls, what it sends as Cache-Control. The same store exported
// through another config path, or a copy of it, renders nothing again.
func shapingConfig(cfg *config.Config) config.Config {
	c := *cfg
	c.Listen, c.Database, c.Origin, c.Pprof = "", "", "", ""
	c.Schedule, c.MinInterval, c.MaxInterval, c.CacheMaxAge = "", 0, 0, 0
	c.Fetch = config.Fetch{}
	c.Sources = slices.Clone(cfg.Sources)
	for i := range c.Sources {
		c.Sources[i].Schedule = ""
	}
	return c
}

// program writes a digest of the running executable, so that a new version
// of iswfeed, which may render other bytes, renders everything again.
func program(w io.Writer) {
	exe, err := os.Executable()
	if err == nil {
		var f *os.File
		if f, err = os.Open(exe); err == nil {
			_, err = io.Copy(w, f)
			f.Close()
		}
	}
	if err != nil {
		io.WriteString(w, rand.Text())
	}
}

// of digests the inputs of the document at path showing ups, and extra.
func (in *exportInputs) of(path string, ups []dedupe.Update, extra ...string) string {
	h := sha256.New()
	h.Write(in.common)
	writeField(h, path)
	for i := range ups {
		h.Write(in.reports[ups[i].ID])
	}
	for _, x := range extra {
		writeField(h, x)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// archives are the documents of a view's archive of month m, if it has one.
func (in *exportInputs) archives(h *history, v view, m string) []exportDoc {
	ups, ok := h.month(m)
	if !ok {
		return nil
	}
	i := slices.Index(h.months, m)
	prev, next := "", ""
	if i+1 < len(h.months) {
		prev = h.months[i+1]
	}
	if i > 0 {
		next = h.months[i-1]
	}
	var docs []exportDoc
	for _, f := range formats {
		p := v.archivePath(m, f)
		docs = append(docs, exportDoc{path: p, inputs: in.of(p, ups, prev, next)})
	}
	return docs
}

// reportDigest digests every stored field of u but its content, which moves
// its variant's Changed.
func reportDigest(u *dedupe.Update) []byte {
	h := sha256.New()
	for _, f := range []string{u.ID, u.Series, strconv.Itoa(u.Number), u.ISWURL} {
		writeField(h, f)
	}
	writeTimes(h, u.Date, u.Published, u.Updated)
	for _, v := range u.Variants {
		for _, f := range []string{v.Lang, v.Source, v.Role, v.Title, v.URL, v.ItemID, v.FeedTitle} {
			writeField(h, f)
		}
		writeTimes(h, v.Published, v.Changed)
	}
	return h.Sum(nil)
}

// writeField writes s, prefixed by its length so that fields cannot run into
// each other.
func writeField(w io.Writer, s string) {
	w.Write(binary.AppendUvarint(nil, uint64(len(s))))
	io.WriteString(w, s)
}

func writeTimes(w io.Writer, ts ...time.Time) {
	var b []byte
	for _, t := range ts {
		b = binary.AppendVarint(b, t.UnixNano())
		b = append(b, t.Location().String()...)
		b = append(b, 0)
	}
	w.Write(b)
}

// exportOne writes d's document and its gzip. The gzip is written only when
// the document's bytes changed or it is missing.
func (s *Server) exportOne(ctx context.Context, dirs *exportDirs, d exportDoc) error {
	p := d.path
	render := d.render
	if render == nil {
		render = func() (*document, error) { return s.documentAt(ctx, p) }
	}
	doc, err := render()
	if err != nil {
		return fmt.Errorf("publish: export %s: %w", p, err)
	}
	name := exportName(p)
	dir, base, err := dirs.of(name)
	if err != nil {
		return fmt.Errorf("publish: export %s: %w", name, err)
	}
	changed, err := writeIfChanged(dir, base, doc.bytes(), doc.fileTime())
	if err != nil {
		return fmt.Errorf("publish: export %s: %w", name, err)
	}
	if !changed {
		if info, err := dir.Lstat(base + ".gz"); err == nil && info.Mode().IsRegular() && info.Size() > 0 {
			return nil
		}
	}
	if _, err = writeIfChanged(dir, base+".gz", doc.gzipped(), doc.fileTime()); err != nil {
		return fmt.Errorf("publish: export %s.gz: %w", name, err)
	}
	return nil
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
		return false, errNotRegular
	case err == nil && info.Size() == int64(len(b)):
		old, err := readRegular(root, name)
		if err != nil {
			return false, err
		}
		if bytes.Equal(old, b) {
			return false, nil
		}
	}
	if err := writeAtomic(root, name, b, mtime); err != nil {
		return false, err
	}
	return true, nil
}

// writeAtomic writes b to a new file beside name and renames it into place,
// so that a reader sees the old bytes or the new, never half. Its directory
// is made only when the file cannot be created without, and the file's mode
// is set through the open file: each call through the root resolves the
// path again, and an export makes tens of thousands of files.
func writeAtomic(root *os.Root, name string, b []byte, mtime time.Time) (err error) {
	var random [8]byte
	rand.Read(random[:])
	tmp := path.Join(path.Dir(name), ".export-"+hex.EncodeToString(random[:]))
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrNotExist) {
		if err := root.MkdirAll(path.Dir(name), 0o755); err != nil {
			return err
		}
		f, err = root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	}
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			root.Remove(tmp)
		}
	}()
	_, err = f.Write(b)
	if err == nil {
		// The umask may have taken bits that a static server needs.
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if !mtime.IsZero() {
		root.Chtimes(tmp, mtime, mtime)
	}
	return root.Rename(tmp, name)
}
