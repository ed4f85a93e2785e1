package ui

import (
	"io"
	"log"
	"os"

	"fyne.io/fyne/v2"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// defaultWindow is the window's size on a screen that has room for it.
var defaultWindow = fyne.NewSize(1280, 760)

// windowSize is the default size made to fit the screen (an 800×600
// netbook, a projector), leaving room for panels and the title bar. The
// screen is asked of the X server (XWayland on Wayland); without one the
// default stands.
func windowSize() fyne.Size {
	if os.Getenv("DISPLAY") == "" {
		return defaultWindow
	}
	// xgb logs to stderr ("Could not get authority info") when there is
	// no ~/.Xauthority, as under many display managers: not for people.
	xgb.Logger = log.New(io.Discard, "", 0)
	conn, err := xgb.NewConn()
	if err != nil {
		return defaultWindow
	}
	defer conn.Close()
	screen := xproto.Setup(conn).DefaultScreen(conn)
	w, h := float32(screen.WidthInPixels), float32(screen.HeightInPixels)
	return fyne.NewSize(min(defaultWindow.Width, w), min(defaultWindow.Height, h-48))
}
