// Command signet signs with smart cards, eID cards, USB tokens, HSMs and
// PKCS#12 files. With no arguments it opens the desktop app; with a command
// it runs that command (see 'signet --help').
package main

import (
	"os"
	"time"

	"github.com/signet-sign/signet/internal/cli"
)

// runApp opens the desktop app (app.go), or says the build has none
// (app_nogui.go).
var runApp func(started time.Time, agent bool, port int) int

func main() {
	started := time.Now()
	restoreLocale()
	if len(os.Args) == 1 {
		os.Exit(runApp(started, false, 0))
	}
	cli.RunApp = func(agent bool, port int) int { return runApp(started, agent, port) }
	os.Exit(cli.Main())
}
