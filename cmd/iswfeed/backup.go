package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
)

// backupDeadline bounds how long a backup client may take to read the copy:
// one that stops reading is cut off rather than kept for ever.
const backupDeadline = 10 * time.Minute

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("backup", "", stderr)
	path := fs.String("config", "", "config file naming the store")
	out := fs.String("o", "", "write the backup to this file (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := required(fs, "o", *out); err != nil {
		return err
	}
	cfg, acc, err := openConfigAccess(*path)
	if err != nil {
		return err
	}
	defer acc.Close()
	if err := writeFileAtomic(*out, "", func(w io.Writer) error { return acc.backup(ctx, w) }); err != nil {
		return err
	}
	if err := checkStoreFile(*out); err != nil {
		return fmt.Errorf("the backup does not verify: %w", err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s (verified)\n", cfg.Database, *out)
	return nil
}

// backup writes a consistent copy of the store to w, from the file or
// through the daemon.
func (a *storeAccess) backup(ctx context.Context, w io.Writer) error {
	if a.local != nil {
		return writeCopy(a.local.db, w)
	}
	resp, err := a.get(ctx, "/backup")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(w, resp.Body)
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = fmt.Errorf("backup cut short: %d of %d bytes", n, resp.ContentLength)
	}
	return err
}

func writeCopy(db *bolt.DB, w io.Writer) error {
	return db.View(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(w)
		return err
	})
}

// serveBackup sends a consistent copy of the store. The copy is taken into a
// temporary file first, so that the read transaction lasts as long as the
// disk takes to write it, not as long as the client takes to read: a held
// read transaction would stop the store from growing, and so every poll.
func (a *app) serveBackup(w http.ResponseWriter, r *http.Request) {
	// Beside the store, where there is room for it; /tmp may be memory.
	tmp, err := os.CreateTemp(filepath.Dir(a.cfg.Load().Database), ".iswfeed-backup-*")
	if err != nil {
		tmp, err = os.CreateTemp("", "iswfeed-backup-*")
	}
	if err != nil {
		a.backupFailed(w, err)
		return
	}
	os.Remove(tmp.Name()) // the open file stays readable, and nothing is left behind
	defer tmp.Close()
	if err := writeCopy(a.db, tmp); err != nil {
		a.backupFailed(w, err)
		return
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = tmp.Seek(0, io.SeekStart)
	}
	if err != nil {
		a.backupFailed(w, err)
		return
	}
	http.NewResponseController(w).SetWriteDeadline(time.Now().Add(backupDeadline))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	if _, err := io.Copy(w, tmp); err != nil {
		a.log.Warn("backup: the client stopped reading", "err", err)
	}
}

func (a *app) backupFailed(w http.ResponseWriter, err error) {
	a.log.Error("backup failed", "err", err)
	http.Error(w, "backup failed: "+err.Error(), http.StatusInternalServerError)
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
	if _, err := os.Stat(cfg.Database); err == nil {
		if err := keepCurrent(cfg.Database, stdout); err != nil {
			return err
		}
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

// keepCurrent copies the store about to be replaced beside it. It takes the
// store's lock first, which proves that no daemon uses it; a damaged store
// cannot be opened, and is kept all the same: it is what restore replaces.
func keepCurrent(database string, stdout io.Writer) error {
	db, err := openReadOnly(database)
	if errors.Is(err, errInUse) {
		return stopDaemonFirst(err)
	}
	if err == nil {
		defer db.Close()
	}
	keep := database + ".before-restore"
	if err := copyFile(database, keep); err != nil {
		return fmt.Errorf("unable to keep the current store: %w", err)
	}
	fmt.Fprintf(stdout, "kept the current store as %s\n", keep)
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

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeFileAtomic(to, from, func(w io.Writer) error { _, err := io.Copy(w, in); return err })
}

// snapshot returns the store a command may read at leisure: a itself when it
// reads the file, and otherwise (a daemon holds the file) a consistent copy
// taken through the daemon, in a temporary file removed on Close.
func snapshot(ctx context.Context, cfg *config.Config, a *storeAccess) (*storeAccess, error) {
	if a.local != nil {
		return a, nil
	}
	tmp, err := os.CreateTemp("", "iswfeed-snapshot-*.db")
	if err != nil {
		return nil, err
	}
	path := tmp.Name()
	err = a.backup(ctx, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	var copied *storeAccess
	if err == nil {
		copied, err = openLocal(cfg, path)
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("unable to copy the store from the daemon: %w", err)
	}
	copied.remove = path
	return copied, nil
}
