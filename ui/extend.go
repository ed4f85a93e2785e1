package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

// extendForArchive asks to what level to extend the selected signed
// document and says what will happen (a copy named like signed copies,
// "-extended"; the validation data and a document timestamp from the
// configured service; an earlier copy replaced), then extends it and
// shows the result like a signing's. On a B-LTA file the one choice is a
// renewal: fresh validation data and a new document timestamp.
func (a *App) extendForArchive(e *docEntry) {
	if a.isBusy() {
		return
	}
	url := a.cfg.Settings.TSAURL
	if url == "" {
		a.showError(i18n.T("ui.err.no_tsa"), errors.New(i18n.T("ui.err.no_tsa_extend")))
		return
	}
	job := flow.Job{Input: e.path, Output: flow.OutputPathSuffix(e.path, a.cfg.Settings.OutputDir, "-extended")}
	a.docs.mu.Lock()
	var report *pdf.Report
	if e.info != nil {
		report = e.info.Report
	}
	a.docs.mu.Unlock()
	current, levels := flow.ExtendChoices(report)
	choice := newSelect(levelNames(levels), nil)
	choice.SetSelectedIndex(len(levels) - 1)
	explain := widget.NewLabel(i18n.T("ui.extend.explain", map[string]any{"Name": filepath.Base(job.Output), "TSA": url}))
	explain.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{explain, widget.NewForm(widget.NewFormItem(i18n.T("ui.extend.level"), choice))}
	if current == pdf.LevelBLTA {
		renew := widget.NewLabel(i18n.T("ui.extend.renew"))
		renew.Wrapping = fyne.TextWrapWord
		items = append(items, renew)
	}
	_, statErr := os.Stat(job.Output)
	exists := statErr == nil
	if exists {
		replace := widget.NewLabel(i18n.T("ui.extend.replace", map[string]any{"Name": filepath.Base(job.Output)}))
		replace.Wrapping = fyne.TextWrapWord
		replace.Importance = widget.WarningImportance
		items = append(items, replace)
	}
	d := dialog.NewCustomConfirm(i18n.T("ui.extend.title", map[string]any{"Name": filepath.Base(e.path)}), i18n.T("ui.extend.go"), i18n.T("ui.cancel"),
		container.NewVBox(items...), func(ok bool) {
			if !ok {
				return
			}
			a.extend(job, levels[max(choice.SelectedIndex(), 0)], exists)
		}, a.win)
	d.Resize(fyne.NewSize(min(a.win.Canvas().Size().Width-20, 560), 0))
	a.keyed(d, d.Confirm)
	a.mu.Lock()
	a.extendChoice = choice
	a.mu.Unlock()
}

// extend extends job to level in the background and shows the result.
func (a *App) extend(job flow.Job, level pdf.Level, overwrite bool) {
	verify := a.verifyOptions()
	opts := flow.ExtendOptions{Level: level, Timestamper: tsaFor(a.cfg.Settings.TSAURL), Overwrite: overwrite,
		LTV: pdf.LTVOptions{Roots: keys.SystemPoolWith(verify.ExtraRoots)}, Verify: verify, Passwords: a.prompter}
	a.setBusy(true)
	a.run(func() {
		results := flow.ExtendPDFs(context.Background(), []flow.Job{job}, opts)
		rows := a.resultRows(results)
		a.do(func() {
			a.setBusy(false)
			a.showResults(rows, resultsExtended)
		})
	})
}

// levelNames are the levels as the choice shows them: the level and what
// it adds.
func levelNames(levels []pdf.Level) []string {
	var out []string
	for _, l := range levels {
		out = append(out, string(l)+" — "+levelAdds(l))
	}
	return out
}

func levelAdds(l pdf.Level) string {
	switch l {
	case pdf.LevelBT:
		return i18n.T("ui.extend.adds_bt")
	case pdf.LevelBLT:
		return i18n.T("ui.extend.adds_blt")
	}
	return i18n.T("ui.extend.adds_blta")
}
