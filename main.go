// Command signet is Signet's command line and its agent: with a command
// it runs that command (see 'signet --help'); with none it opens Signet's
// window, the signet-app program installed beside it.
//
// This program links no GUI toolkit (TestNoFyne): a command starts as
// fast as poppler's tools, and the agent waits in the tray without a
// toolkit's event loop ticking.
package main

import (
	"os"

	"github.com/signet-sign/signet/internal/cli"
)

func main() {
	if len(os.Args) == 1 {
		os.Exit(cli.OpenApp(os.Stderr))
	}
	// signet FILE…: the file manager's "Open with Signet".
	if files := cli.FilesToOpen(os.Args[1:]); files != nil {
		os.Exit(cli.OpenApp(os.Stderr, files...))
	}
	os.Exit(cli.Main())
}
