//go:build nogui

package main

// A build with -tags nogui is the command line alone, without Fyne: for
// servers and CI images without X libraries, and for the tests that
// measure the CLI's own memory (a race-instrumented test binary's is not
// the product's).

import (
	"fmt"
	"os"
	"time"
)

func init() {
	runApp = func(time.Time, bool, int) int {
		fmt.Fprintln(os.Stderr, "signet: this build has no app (built with -tags nogui); 'signet --help' lists the commands")
		return 2
	}
}
