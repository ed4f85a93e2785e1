//go:build !nogui

package main

import (
	"os"
	"time"

	"github.com/signet-sign/signet/ui"
)

func init() {
	runApp = func(started time.Time, agent bool, port int) int { return ui.Main(started, os.Stderr, agent, port) }
}
