//go:build !race

package pdf

// raceSlowdown: see race_on_test.go.
const raceSlowdown = 1
