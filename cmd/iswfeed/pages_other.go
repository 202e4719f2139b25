//go:build !linux

package main

import bolt "go.etcd.io/bbolt"

// releasePages does nothing where madvise's MADV_DONTNEED is not known to
// leave a shared file mapping intact.
func releasePages(*bolt.DB) error { return nil }
