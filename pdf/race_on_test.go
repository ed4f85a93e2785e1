//go:build race

package pdf

// raceSlowdown scales the fuzz targets' hang limit: the race detector
// makes a run many times slower (pdfcpu's password algorithms most), and
// a hang is a loop that never ends, not a slow run.
const raceSlowdown = 10
