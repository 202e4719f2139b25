package main

import (
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// releasePages tells the kernel that the process no longer needs the pages of
// db's memory map that reads have touched (MADV_DONTNEED). bbolt maps the
// file read-only and shared, so the pages stay in the page cache and a later
// read faults them back in; meanwhile they leave the daemon's RSS, which
// would otherwise grow to the file's size as requests read the history. The
// read transaction keeps bbolt from remapping the file meanwhile.
func releasePages(db *bolt.DB) error {
	return db.View(func(tx *bolt.Tx) error {
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, tx.DB().Info().Data, uintptr(tx.Size()), syscall.MADV_DONTNEED); errno != 0 {
			return errno
		}
		return nil
	})
}
