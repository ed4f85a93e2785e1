//go:build race

package agent

// raceEnabled: the test binary runs under the race detector, whose shadow
// memory multiplies a process's resident size.
const raceEnabled = true
