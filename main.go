// Command signet signs with smart cards, eID cards, USB tokens, HSMs and
// PKCS#12 files. With no arguments it opens the desktop app; with a command
// it runs that command (see 'signet --help').
package main

import (
	"os"

	"github.com/signet-sign/signet/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
