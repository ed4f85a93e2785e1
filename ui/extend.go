package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2/dialog"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

// extendForArchive extends the selected signed document to B-LTA into a
// copy named like signed copies ("-extended"; on a B-LTA file this is a
// renewal: fresh validation data and a new document timestamp), asks
// before replacing an earlier copy, and shows the result like a
// signing's.
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
	verify := a.verifyOptions()
	opts := flow.ExtendOptions{Level: pdf.LevelBLTA, Timestamper: tsaFor(url),
		LTV: pdf.LTVOptions{Roots: keys.SystemPoolWith(verify.ExtraRoots)}, Verify: verify, Passwords: a.prompter}
	begin := func(overwrite bool) {
		opts.Overwrite = overwrite
		a.setBusy(true)
		a.run(func() {
			results := flow.ExtendPDFs(context.Background(), []flow.Job{job}, opts)
			rows := a.resultRows(results)
			a.do(func() {
				a.setBusy(false)
				a.showResults(rows)
			})
		})
	}
	if _, err := os.Stat(job.Output); err != nil {
		begin(false)
		return
	}
	dialog.ShowConfirm(i18n.T("ui.replace_extended"), filepath.Base(job.Output)+" exists already. Replace it?", func(ok bool) {
		if ok {
			begin(true)
		}
	}, a.win)
}
