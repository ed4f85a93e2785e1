// Command hostilegen writes the hostile containers and PDFs of the test
// suite (internal/testhostilecontainer, internal/testhostile) to a
// folder, for measuring peers on the same files (scripts/hostile-peers.sh).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/signet-sign/signet/internal/testhostile"
	"github.com/signet-sign/signet/internal/testhostilecontainer"
)

func main() {
	dir := flag.String("out", "hostile", "folder to write the files to")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "hostilegen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	containers, err := testhostilecontainer.Containers()
	if err != nil {
		return err
	}
	for _, f := range containers {
		if err := os.WriteFile(filepath.Join(dir, f.Name+".asice"), f.Data, 0o644); err != nil {
			return err
		}
	}
	for _, f := range testhostile.Round2() {
		if err := os.WriteFile(filepath.Join(dir, f.Name+".pdf"), f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
