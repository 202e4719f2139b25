//go:build race

package fetch

// raceSlowdown is how much slower the race detector makes parsing; deadlines
// in tests are multiplied by it.
const raceSlowdown = 10
