package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestLimitMemorySetsTheDefaultUnlessTheOperatorSetOne(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	debug.SetMemoryLimit(math.MaxInt64) // no GOMEMLIMIT
	if got := limitMemory(memoryLimit); got != memoryLimit || debug.SetMemoryLimit(-1) != memoryLimit {
		t.Errorf("without GOMEMLIMIT the limit in force is %d (returned %d), want %d", debug.SetMemoryLimit(-1), got, memoryLimit)
	}
	const operators = 1 << 30 // as GOMEMLIMIT=1GiB sets it
	debug.SetMemoryLimit(operators)
	if got := limitMemory(memoryLimit); got != operators || debug.SetMemoryLimit(-1) != operators {
		t.Errorf("with GOMEMLIMIT=1GiB the limit in force is %d (returned %d), want the operator's", debug.SetMemoryLimit(-1), got)
	}
}
