package main

import (
	"math"
	"runtime/debug"
)

// memoryLimit is the soft limit serve holds the Go runtime's memory to
// (debug.SetMemoryLimit) unless the operator set GOMEMLIMIT. Without one the
// collector lets the heap grow to twice what is live (GOGC=100) before it
// collects, and RSS follows; under the limit it collects sooner instead. At
// 10,000 reports in five languages about 33 MB are live after start-up, most
// of it the reports' metadata (about 21 MB), and 40 MB while a crawler asks
// for every document (the caches full): then the limit binds, the heap goal
// sits at what is live, and the collector takes about 55 % of the daemon's
// CPU (CPU profiles of such a crawl); RSS stays at about 68 MiB, 16 MiB of
// it the binary's pages. It is a soft limit: a daemon whose live heap
// outgrows it keeps running, with the collector taking at most half the
// CPU, and GOMEMLIMIT raises it.
const memoryLimit = 48 << 20

// limitMemory sets the runtime's soft memory limit to limit unless one is
// in force already (GOMEMLIMIT, read by the runtime at start), and returns
// the limit in force.
func limitMemory(limit int64) int64 {
	if current := debug.SetMemoryLimit(-1); current != math.MaxInt64 {
		return current
	}
	debug.SetMemoryLimit(limit)
	return limit
}
