//go:build race

package publish

// raceDetector says the tests run under the race detector, which makes the
// XSS corpus tests take minutes; they then run on a sample of it.
const raceDetector = true
