package main

import (
	"math"
	"runtime/debug"
)

// memoryLimit is the soft limit serve holds the Go runtime's memory to
// (debug.SetMemoryLimit) unless the operator set GOMEMLIMIT. Without one the
// collector lets the heap grow to twice what is live (GOGC=100) before it
// collects, and RSS follows; under the limit it collects sooner instead. At
// 10,000 reports in five languages about 33 MB are live after start-up and
// 45 MB once every document was requested (the caches full): 48 MiB, with
// the binary's and the store's file pages, keeps RSS at about 60 MiB after
// start-up and 70 MiB after a crawl, the collector running often then. It
// is a soft limit: a daemon whose live heap outgrows it keeps running, with
// the collector taking at most half the CPU, and GOMEMLIMIT raises it.
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
