// Command signet signs with smart cards, eID cards, USB tokens, HSMs and
// PKCS#12 files. With no arguments it opens the desktop app; with a command
// it runs that command (see 'signet --help').
package main

import (
	"os"
	"time"

	"github.com/signet-sign/signet/internal/cli"
	"github.com/signet-sign/signet/ui"
)

func main() {
	started := time.Now()
	if len(os.Args) == 1 {
		os.Exit(ui.Main(started, os.Stderr, false, 0))
	}
	cli.RunApp = func(agent bool, port int) int { return ui.Main(started, os.Stderr, agent, port) }
	os.Exit(cli.Main())
}
