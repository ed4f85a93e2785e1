// Command fyneidle is the smallest Fyne app: one window, one label. It is
// the floor scripts/idle-cpu.sh compares Signet's idle CPU with: what
// Fyne itself costs while nothing happens.
package main

import (
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.New()
	w := a.NewWindow("idle")
	w.SetContent(widget.NewLabel("Nothing happens here."))
	w.ShowAndRun()
}
