//go:build !race

package fetch

const raceSlowdown = 1
