package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/dedupe"
	"iswfeed/fetch"
	"iswfeed/publish"
)

// viewFlags are the flags of every command that reads the store.
type viewFlags struct {
	config *string
	json   *bool
}

func addViewFlags(fs *flag.FlagSet) viewFlags {
	return viewFlags{
		config: fs.String("config", "", "config file naming the store (default ./iswfeed.yaml, else the embedded default)"),
		json:   fs.Bool("json", false, "print JSON for scripts instead of a table"),
	}
}

func (f viewFlags) open() (*config.Config, storeView, error) { return openConfigView(*f.config) }

// openConfigView loads the config at path and opens a view of its store.
func openConfigView(path string) (*config.Config, storeView, error) {
	cfg, err := loadConfig(path)
	if err != nil {
		return nil, nil, err
	}
	v, err := openView(cfg)
	return cfg, v, err
}

// required reports a missing required flag as a usage error.
func required(fs *flag.FlagSet, name, value string) error {
	if value != "" {
		return nil
	}
	fmt.Fprintf(fs.Output(), "%s: -%s is required\n", fs.Name(), name)
	fs.Usage()
	return errUsage
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runUpdates(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("updates", "", stderr)
	vf := addViewFlags(fs)
	lang := fs.String("lang", "", "only updates available in this language")
	limit := fs.Int("limit", 20, "at most this many updates, newest first (0: all)")
	series := fs.String("series", config.DefaultSeries, "series to list (all: every series)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_, v, err := vf.open()
	if err != nil {
		return err
	}
	defer v.Close()
	q := dedupe.Query{Lang: *lang, Limit: *limit}
	if *series != "all" {
		q.Series = []string{*series}
	}
	updates, err := v.Updates(q)
	if err != nil {
		return err
	}
	if *vf.json {
		return printJSON(stdout, updates)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tDATE\tSERIES\tLANGUAGES\tTITLE")
	for _, u := range updates {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", numberText(u.Number), u.Date.Format(time.DateOnly), u.Series,
			strings.Join(u.Langs(), " "), u.Lead().Title)
	}
	return tw.Flush()
}

func numberText(n int) string {
	if n == 0 {
		return "?"
	}
	return strconv.Itoa(n)
}

func runShow(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("show", "NUMBER|YYYY-MM-DD", stderr)
	vf := addViewFlags(fs)
	series := fs.String("series", config.DefaultSeries, "series of the update")
	if err := fs.Parse(args); err != nil {
		return errUsageOrHelp(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	_, v, err := vf.open()
	if err != nil {
		return err
	}
	defer v.Close()
	u, ok, err := lookup(v, *series, fs.Arg(0))
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no update %s in series %s (iswfeed updates lists them)", fs.Arg(0), *series)
	}
	if *vf.json {
		return printJSON(stdout, u)
	}
	fmt.Fprintf(stdout, "Update %s of %s (%s)\nid:        %s\npublished: %s\nupdated:   %s\n\n",
		numberText(u.Number), u.Date.Format(time.DateOnly), u.Series, u.ID,
		u.Published.Format(time.RFC3339), u.Updated.Format(time.RFC3339))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LANG\tSOURCE\tROLE\tTITLE\tURL")
	for _, va := range u.Variants {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", va.Lang, va.Source, va.Role, va.Title, va.URL)
	}
	return tw.Flush()
}

// lookup finds an update by number or by report date.
func lookup(v storeView, series, arg string) (dedupe.Update, bool, error) {
	if n, err := strconv.Atoi(arg); err == nil && n > 0 {
		return v.Update(series, n)
	}
	d, err := time.Parse(time.DateOnly, arg)
	if err != nil {
		return dedupe.Update{}, false, fmt.Errorf("%q is neither an update number nor a date (YYYY-MM-DD)", arg)
	}
	updates, err := v.Updates(dedupe.Query{Series: []string{series}, After: d.AddDate(0, 0, -1), Before: d.AddDate(0, 0, 1), Content: true})
	if err != nil || len(updates) == 0 {
		return dedupe.Update{}, false, err
	}
	return updates[0], true, nil
}

func runSources(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sources", "", stderr)
	vf := addViewFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, v, err := vf.open()
	if err != nil {
		return err
	}
	defer v.Close()
	states, err := v.Sources()
	if err != nil {
		return err
	}
	if *vf.json {
		return printJSON(stdout, states)
	}
	byName := map[string]fetch.State{}
	for _, s := range states {
		byName[s.Name] = s
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tLANG\tSTATUS\tLAST SUCCESS\tNEXT POLL\tFAILURES\t200/304/ERR\tLAST ERROR")
	for _, src := range cfg.Sources {
		s, polled := byName[src.Name]
		if !polled {
			fmt.Fprintf(tw, "%s\t%s\tnever polled\t-\t-\t0\t0/0/0\t\n", src.Name, src.Lang)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d/%d/%d\t%s\n", src.Name, src.Lang, health(s),
			ago(s.LastSuccess), ago(s.NextPoll), s.ConsecutiveFailures, s.OKCount, s.NotModifiedCount, s.ErrorCount, s.LastError)
	}
	return tw.Flush()
}

// health sums a source's state up in a word or two.
func health(s fetch.State) string {
	switch {
	case s.NetworkDown:
		return "network down"
	case s.ConsecutiveFailures > 0:
		return fmt.Sprintf("failing (%d)", s.LastStatus)
	default:
		return fmt.Sprintf("ok (%d)", s.LastStatus)
	}
}

// ago writes a time relative to now, e.g. "5m ago" or "in 25m".
func ago(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := time.Until(t).Round(time.Second)
	if d < 0 {
		return (-d).String() + " ago"
	}
	return "in " + d.String()
}

func runGaps(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("gaps", "", stderr)
	vf := addViewFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	_, v, err := vf.open()
	if err != nil {
		return err
	}
	defer v.Close()
	g, err := v.Gaps(nil)
	if err != nil {
		return err
	}
	if *vf.json {
		return printJSON(stdout, g)
	}
	printGaps(stdout, g)
	return nil
}

func printGaps(w io.Writer, g dedupe.Gaps) {
	fmt.Fprintln(w, "Reports without a translation, per language:")
	if len(g.Missing) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for lang, refs := range g.Missing {
		names := make([]string, 0, len(refs))
		for _, r := range refs {
			names = append(names, refName(r))
		}
		fmt.Fprintf(w, "  %s (%d): %s\n", lang, len(refs), strings.Join(names, ", "))
	}
	fmt.Fprintln(w, "\nReports whose number is not known yet:")
	if len(g.Unnumbered) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, r := range g.Unnumbered {
		fmt.Fprintf(w, "  %s %s\n", r.Series, r.Date)
	}
	fmt.Fprintln(w, "\nItems that could not be placed:")
	if len(g.Unplaced) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, u := range g.Unplaced {
		fmt.Fprintf(w, "  %s: %q (number %s) %s\n", u.Source, u.Title, numberText(u.Number), u.URL)
	}
	fmt.Fprintln(w, "\nCalendar conflicts:")
	if len(g.Conflicts) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, c := range g.Conflicts {
		subject := "number " + strconv.Itoa(c.Number)
		if c.Date != "" {
			subject = "date " + c.Date
		}
		how := "most items"
		if c.Anchored {
			how = "the operator's anchor"
		}
		fmt.Fprintf(w, "  %s %s: items say %s; using %s (%s)\n", c.Series, subject, strings.Join(c.Claims, ", "), c.Chosen, how)
	}
}

func refName(r dedupe.Ref) string {
	if r.Number > 0 {
		return strconv.Itoa(r.Number)
	}
	return r.Date
}

func runBackup(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", "", stderr)
	path := fs.String("config", "", "config file naming the store")
	out := fs.String("o", "", "write the backup to this file (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required(fs, "o", *out); err != nil {
		return err
	}
	cfg, v, err := openConfigView(*path)
	if err != nil {
		return err
	}
	defer v.Close()
	if err := writeFileAtomic(*out, "", v.Backup); err != nil {
		return err
	}
	if err := checkStoreFile(*out); err != nil {
		return fmt.Errorf("the backup does not verify: %w", err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s (verified)\n", cfg.Database, *out)
	return nil
}

// writeFileAtomic writes through a temporary file and renames it into place.
// The file takes the owner and mode of like when like exists (so a store
// restored by root stays the service user's), else mode 0600.
func writeFileAtomic(path, like string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("unable to write beside %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := takeOwnerAndMode(tmp.Name(), like); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func takeOwnerAndMode(path, like string) error {
	info, err := os.Stat(like)
	if like == "" || err != nil {
		return os.Chmod(path, 0o600)
	}
	if err := os.Chmod(path, info.Mode().Perm()); err != nil {
		return err
	}
	if st, ok := info.Sys().(*syscall.Stat_t); ok && (int(st.Uid) != os.Getuid() || int(st.Gid) != os.Getgid()) {
		if err := os.Chown(path, int(st.Uid), int(st.Gid)); err != nil {
			return fmt.Errorf("unable to give %s the owner of %s: %w", path, like, err)
		}
	}
	return nil
}

// checkStoreFile runs bbolt's consistency check and dedupe's schema check on a file.
func checkStoreFile(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return fmt.Errorf("%s is locked by a running iswfeed; check a backup of it instead (iswfeed backup -o FILE)", path)
	}
	if err != nil {
		return fmt.Errorf("%s is not a bbolt store: %w", path, err)
	}
	defer db.Close()
	var problems []error
	err = db.View(func(tx *bolt.Tx) error {
		for e := range tx.Check() {
			problems = append(problems, e)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s fails the consistency check: %w", path, errors.Join(problems...))
	}
	if _, err := dedupe.Open(db, &config.Config{}); err != nil {
		return err
	}
	return nil
}

func runRestore(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("restore", "", stderr)
	path := fs.String("config", "", "config file naming the store to replace")
	in := fs.String("i", "", "the backup file to restore (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required(fs, "i", *in); err != nil {
		return err
	}
	cfg, err := loadConfig(*path)
	if err != nil {
		return err
	}
	if err := checkStoreFile(*in); err != nil {
		return fmt.Errorf("refusing to restore: %w", err)
	}
	// Holding the store's lock proves no daemon uses it while it is replaced.
	if _, err := os.Stat(cfg.Database); err == nil {
		db, err := bolt.Open(cfg.Database, 0o600, &bolt.Options{Timeout: time.Second})
		if errors.Is(err, bolt.ErrTimeout) {
			return fmt.Errorf("%s is in use by a running iswfeed; stop it first", cfg.Database)
		}
		if err == nil {
			defer db.Close()
		}
		keep := cfg.Database + ".before-restore"
		if err := copyFile(cfg.Database, keep); err != nil {
			return fmt.Errorf("unable to keep the current store: %w", err)
		}
		fmt.Fprintf(stdout, "kept the current store as %s\n", keep)
	}
	src, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := writeFileAtomic(cfg.Database, cfg.Database, func(w io.Writer) error { _, err := io.Copy(w, src); return err }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s\n", cfg.Database, *in)
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeFileAtomic(to, from, func(w io.Writer) error { _, err := io.Copy(w, in); return err })
}

// openStoreForWriting opens the store for a command that changes it; a running
// daemon holds it, so the command asks the operator to stop it first.
func openStoreForWriting(cfg *config.Config) (*dedupe.Store, func() error, error) {
	db, err := bolt.Open(cfg.Database, 0o600, &bolt.Options{Timeout: time.Second})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, nil, fmt.Errorf("%s is in use by a running iswfeed; stop it first (systemctl stop iswfeed)", cfg.Database)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("unable to open the store %s: %w", cfg.Database, err)
	}
	store, err := dedupe.Open(db, cfg)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return store, db.Close, nil
}

func runExport(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", "", stderr)
	path := fs.String("config", "", "config file naming the store")
	dir := fs.String("dir", "", "write the documents under this directory (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required(fs, "dir", *dir); err != nil {
		return err
	}
	cfg, v, err := openConfigView(*path)
	if err != nil {
		return err
	}
	defer v.Close()
	local, err := snapshot(cfg, v)
	if err != nil {
		return err
	}
	defer local.Close()
	if err := publish.Export(cfg, local.Store, *dir); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported the feeds, pages and API of %s to %s\n", cfg.Database, *dir)
	return nil
}

// snapshot returns v itself when it reads the store file, and otherwise (a
// daemon holds the file) a consistent copy taken through the daemon, in a
// temporary file removed on Close.
func snapshot(cfg *config.Config, v storeView) (*localView, error) {
	if local, ok := v.(*localView); ok {
		return local, nil
	}
	tmp, err := os.CreateTemp("", "iswfeed-snapshot-*.db")
	if err != nil {
		return nil, err
	}
	path := tmp.Name()
	err = v.Backup(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("unable to copy the store from the daemon: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	store, err := dedupe.Open(db, cfg)
	if err != nil {
		db.Close()
		os.Remove(path)
		return nil, err
	}
	return &localView{Store: store, db: db, remove: path}, nil
}
