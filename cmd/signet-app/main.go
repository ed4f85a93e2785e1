// Command signet-app is Signet's window (Fyne): started by 'signet' with
// no command, by the desktop file, or by the agent when a web page's
// question needs a person. The command line and the agent are the signet
// program, which links no GUI toolkit.
package main

import (
	"os"
	"time"

	"github.com/signet-sign/signet/ui"
)

func main() {
	started := time.Now()
	restoreLocale()
	os.Exit(ui.Main(started, os.Stderr, os.Args[1:]))
}
