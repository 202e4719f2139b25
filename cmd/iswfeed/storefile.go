package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"

	"iswfeed/config"
	"iswfeed/dedupe"
)

// The store is one bbolt file. bbolt locks it for the writer's whole life, so
// a second writer, or a reader while the daemon writes, waits lockTimeout and
// is then told who holds it; serve waits longer, for a daemon that stops (see
// waitForStore). Every command opens it through openWritable or
// openReadOnly, which check it before bbolt reads it: bbolt crashes on a
// truncated file rather than report it.

// lockTimeout is how long opening the store waits for another process's lock.
const lockTimeout = 2 * time.Second

// serveLockWait is how long serve waits for the lock of a daemon that still
// holds the store: one that stops lets go within stopWait, and systemd kills
// one that does not after TimeoutStopSec (15 s in contrib/iswfeed.service).
const serveLockWait = 30 * time.Second

// lockTry is how long a first try at the lock takes when it is held; bbolt
// tries every 50 ms.
const lockTry = 100 * time.Millisecond

// errInUse says the store's lock is held: a running iswfeed writes it.
var errInUse = errors.New("in use by a running iswfeed")

// openWritable opens the store file at path for the one process that changes
// it, creating it if it does not exist. A store held by a running iswfeed is
// errInUse; a damaged or read-only one is refused, never repaired.
func openWritable(path string) (*bolt.DB, error) { return openWritableWithin(path, lockTimeout) }

// waitForStore opens the store for serve. While another iswfeed holds it (a
// daemon that is stopping, as at a restart), it says so and tries again
// every lockTry, up to serveLockWait or until ctx ends.
func waitForStore(ctx context.Context, path string, log *slog.Logger) (*bolt.DB, error) {
	start := time.Now()
	for waited := false; ; waited = true {
		db, err := openWritableWithin(path, lockTry)
		switch {
		case err == nil && waited:
			log.Info("the store is free: opened it", "database", path, "waited", time.Since(start).Round(time.Millisecond))
			return db, nil
		case !errors.Is(err, errInUse), ctx.Err() != nil, time.Since(start) >= serveLockWait:
			return db, err
		case !waited:
			log.Warn("the store is locked by another iswfeed; waiting for it to stop", "database", path, "wait_at_most", serveLockWait)
		}
	}
}

// openWritableWithin is openWritable waiting up to timeout for the lock.
func openWritableWithin(path string, timeout time.Duration) (*bolt.DB, error) {
	if info, err := os.Stat(path); err == nil {
		if !info.Mode().IsRegular() {
			return nil, storeFault(path, errors.New("not a regular file"))
		}
		// Read-only first: bbolt reads the freelist of a writable handle
		// at once, and faults if the file was cut short.
		db, err := openReadOnlyWithin(path, timeout)
		if err != nil {
			return nil, err
		}
		db.Close()
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	if err != nil {
		return nil, storeFault(path, err)
	}
	return db, nil
}

// openReadOnly opens the store file at path for reading. A store held by a
// running iswfeed is errInUse; a damaged one is refused.
func openReadOnly(path string) (*bolt.DB, error) { return openReadOnlyWithin(path, lockTimeout) }

// openReadOnlyWithin is openReadOnly waiting up to timeout for the lock.
func openReadOnlyWithin(path string, timeout time.Duration) (*bolt.DB, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, storeFault(path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, storeFault(path, errors.New("not a regular file"))
	}
	if info.Size() == 0 {
		return nil, storeFault(path, errors.New("the file is empty"))
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	if err != nil {
		return nil, storeFault(path, err)
	}
	if err := checkLength(db, info.Size()); err != nil {
		db.Close()
		return nil, storeFault(path, err)
	}
	return db, nil
}

// checkLength compares the size the store's meta page claims with the file's:
// reading a page past the end of the file would crash the process.
func checkLength(db *bolt.DB, size int64) error {
	return db.View(func(tx *bolt.Tx) error {
		if want := tx.Size(); want > size {
			return fmt.Errorf("the file is cut short: %d of %d bytes", size, want)
		}
		return nil
	})
}

// storeFault words an error opening the store at path so that it names the
// file and says what to do.
func storeFault(path string, err error) error {
	switch {
	case errors.Is(err, bolt.ErrTimeout):
		return fmt.Errorf("the store %s is %w", path, errInUse)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("no store at %s (run iswfeed serve or poll first, or pass -config): %w", path, err)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return fmt.Errorf("the store %s cannot be opened (%w): serve, poll, import and restore need write access to it and its directory; updates, show and backup need to read it", path, err)
	case isDamage(err):
		return fmt.Errorf("the store %s is damaged (%w); it was left as it is: restore a backup (iswfeed restore -i FILE) and see what is wrong with iswfeed check -store %s",
			path, err, path)
	}
	return fmt.Errorf("unable to open the store %s: %w", path, err)
}

// isDamage reports whether bbolt refused the file for what is in it rather
// than for what the system said.
func isDamage(err error) bool {
	var pathErr *fs.PathError
	var errno syscall.Errno
	return !errors.As(err, &pathErr) && !errors.As(err, &errno)
}

// stopDaemonFirst adds the advice for a command that needs the store alone.
func stopDaemonFirst(err error) error {
	if errors.Is(err, errInUse) {
		return fmt.Errorf("%w; stop it first (systemctl stop iswfeed): the reading commands, such as iswfeed sources, work while it runs", err)
	}
	return err
}

// openStoreForWriting opens the store for a command that changes it; a running
// daemon holds it, so the command asks the operator to stop it first.
func openStoreForWriting(cfg *config.Config) (*dedupe.Store, func() error, error) {
	db, err := openWritable(cfg.Database)
	if err != nil {
		return nil, nil, stopDaemonFirst(err)
	}
	store, err := dedupe.Open(db, cfg)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return store, db.Close, nil
}

// checkStoreFile runs bbolt's consistency check and dedupe's schema check on a file.
func checkStoreFile(path string) error {
	db, err := openReadOnly(path)
	if errors.Is(err, errInUse) {
		return fmt.Errorf("%w; check a backup of it instead (iswfeed backup -o FILE)", err)
	}
	if err != nil {
		return err
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
