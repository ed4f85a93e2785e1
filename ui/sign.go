package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/desktop"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

// startSigning checks the choices, asks before replacing files, and signs
// in the background.
func (a *App) startSigning() {
	if a.isBusy() {
		return
	}
	docs, skipped := a.docs.signable()
	if len(docs) == 0 {
		if len(skipped) > 0 {
			a.showError(i18n.T("ui.skip.nothing"), errors.New(skippedText(skipped)))
		}
		return
	}
	if len(skipped) == 0 {
		a.signDocuments(docs)
		return
	}
	// Signing all leaves some out: say which and why before the PIN.
	msg := i18n.N("ui.skip.confirm", len(docs), map[string]any{"Skipped": skippedText(skipped)})
	d := dialog.NewConfirm(i18n.T("ui.skip.title"), msg, func(ok bool) {
		if ok {
			a.signDocuments(docs)
		}
	}, a.win)
	a.keyed(d, d.Confirm)
}

// signDocuments signs docs with the method and key chosen, after the
// checks that need no PIN and the question before replacing files.
func (a *App) signDocuments(docs []*docEntry) {
	method := a.signer.method.Selected
	var key flow.KeyChoice
	if method != methodRemoteSigning() && method != methodCMD() && method != methodAadhaar() && method != methodCertEurope() {
		var ok bool
		if key, ok = a.signer.chosen(); !ok {
			a.showError(i18n.T("ui.err.choose_cert"), errors.New(i18n.T("ui.err.choose_cert_why")))
			return
		}
	}
	level := a.options.levelChosen()
	if method == methodEParaksts() || method == methodAadhaar() || method == methodCMD() && a.signer.remote.cmdUploads() {
		level = "" // the service makes the signature
	}
	if level != "" && level != pdf.LevelBB && a.cfg.Settings.TSAURL == "" && method != methodCertEurope() {
		a.showError(i18n.T("ui.err.no_tsa"), errors.New(i18n.T("ui.err.no_tsa_level", map[string]any{"Level": level})))
		return
	}
	var paths []string
	for _, d := range docs {
		paths = append(paths, d.path)
	}
	plan := flow.PlanSigning(paths, a.options.asContainer.Checked, a.cfg.Settings.OutputDir, a.cfg.Settings.OutputSuffix)
	if plan.NeedsOwnKey() && key.Ref == "" {
		a.showError(i18n.T("ui.err.container_method"), errors.New(i18n.T("ui.err.container_method_why")))
		return
	}
	var existing []string
	for _, out := range plan.Outputs() {
		if _, err := os.Stat(out); err == nil {
			existing = append(existing, filepath.Base(out))
		}
	}
	begin := func(overwrite bool) {
		a.sign(signRequest{method: method, key: key, jobs: plan.PDFs, plan: plan, level: level, overwrite: overwrite, pdf: a.options.pdfOptions()})
	}
	if len(existing) == 0 {
		begin(false)
		return
	}
	msg := i18n.N("ui.replace_msg", len(existing), map[string]any{"Names": strings.Join(existing, ", ")})
	d := dialog.NewConfirm(i18n.T("ui.replace_existing"), msg, func(ok bool) {
		if ok {
			begin(true)
			return
		}
		// No: the batch ends, and says so.
		a.setStatus("%s", i18n.T("ui.status.kept_existing"))
	}, a.win)
	a.keyed(d, d.Confirm)
}

// skippedText names the documents left out, each with the reason.
func skippedText(skipped []signSkip) string {
	var lines []string
	for i, s := range skipped {
		if i == 10 {
			lines = append(lines, i18n.N("ui.skip.more", len(skipped)-10))
			break
		}
		lines = append(lines, "• "+escape.Text(filepath.Base(s.entry.path))+" — "+s.why)
	}
	return strings.Join(lines, "\n")
}

type signRequest struct {
	method    string
	key       flow.KeyChoice
	jobs      []flow.Job // the PDFs, for the signing services
	plan      flow.SigningPlan
	level     pdf.Level
	overwrite bool
	pdf       pdf.Options
	// stop is closed when the person stops the batch.
	stop <-chan struct{}
}

// progressView is the progress dialog of a signing.
type progressView struct {
	dialog  dialog.Dialog
	overall *widget.ProgressBar
	current *widget.Label
	stop    *widget.Button
	cancel  context.CancelFunc
}

func (a *App) sign(r signRequest) {
	a.setBusy(true)
	ctx, cancel := context.WithCancel(context.Background())
	stop := make(chan struct{})
	r.stop = stop
	pv := &progressView{overall: widget.NewProgressBar(), current: widget.NewLabel(i18n.T("ui.preparing")), cancel: cancel}
	pv.current.Truncation = fyne.TextTruncateEllipsis
	var cancelBtn *widget.Button
	cancelBtn = widget.NewButtonWithIcon(i18n.T("ui.stop_after"), theme.CancelIcon(), func() {
		close(stop)
		cancelBtn.Disable()
		pv.current.SetText(i18n.T("ui.stopping"))
	})
	pv.stop = cancelBtn
	pv.dialog = dialog.NewCustomWithoutButtons(i18n.T("ui.signing"), container.NewVBox(pv.current, pv.overall, cancelBtn), a.win)
	a.mu.Lock()
	a.progress = pv
	a.mu.Unlock()
	pv.dialog.Resize(fyne.NewSize(460, 0))
	pv.dialog.Show()
	a.signBtn.Disable()
	progress := func(done, total int, current string) {
		a.do(func() {
			pv.overall.SetValue(float64(done) / float64(max(total, 1)))
			if current != "" && !pv.stop.Disabled() {
				pv.current.SetText(i18n.T("ui.progress.document", map[string]any{"N": done + 1, "Total": total, "Name": filepath.Base(current)}))
			}
		})
	}
	a.run(func() {
		defer cancel()
		results, err := a.signWith(ctx, r, progress)
		if err == nil {
			err = flow.BatchKeyFailure(results)
		}
		var rows []resultRow
		if err == nil {
			rows = a.resultRows(results)
		}
		a.do(func() {
			pv.dialog.Hide()
			a.setBusy(false)
			a.updateSignButton()
			if err != nil {
				a.showError(i18n.T("ui.err.could_not_sign"), err)
				return
			}
			a.showResults(rows, resultsSigned)
		})
	})
}

// signWith runs the chosen flow. err is a failure before any document
// (the key could not be opened); document failures are in the results.
func (a *App) signWith(ctx context.Context, r signRequest, progress func(int, int, string)) ([]flow.Result, error) {
	switch r.method {
	case methodRemoteSigning():
		return a.signRemote(ctx, r, progress)
	case methodEParaksts():
		return a.signEParaksts(ctx, r, progress)
	case methodCMD():
		return a.signCMD(ctx, r, progress)
	case methodAadhaar():
		return a.signAadhaar(ctx, r, progress)
	case methodCertEurope():
		return a.signCertEurope(ctx, r, progress)
	}
	signer, err := flow.OpenDocumentSigner(ctx, a.modules(), r.key.Ref, a.prompter, a.chainOptions())
	if err != nil {
		return nil, err
	}
	defer signer.Close()
	if a := r.pdf.Appearance; a != nil && a.Lang == "" {
		// The default lines in the language the person reads.
		withLang := *a
		withLang.Lang = i18n.Current()
		r.pdf.Appearance = &withLang
	}
	opts := flow.BatchOptions{PDF: r.pdf, Overwrite: r.overwrite, Progress: progress, Level: r.level, Stop: r.stop, Passwords: a.prompter,
		Jobs: runtime.NumCPU(), Notice: func(s string) { a.do(func() { a.setStatus("%s", sentence(s)) }) }}
	if r.level != pdf.LevelBB {
		opts.PDF.Timestamper = &pdf.TSAClient{URL: a.cfg.Settings.TSAURL}
	}
	if roots := a.verifyOptions().ExtraRoots; len(roots) > 0 {
		opts.LTV.Roots = keys.SystemPoolWith(roots)
	}
	return flow.SignPlan(ctx, signer, r.plan, opts), nil
}

// resultRow is one line of the results: the output and its verdict, or
// the reason it failed.
type resultRow struct {
	Input, Output string
	OK            bool
	Verdict       string
	Err           error
}

// resultRows verifies each output, as the person will want to know it is
// good; off the UI goroutine.
func (a *App) resultRows(results []flow.Result) []resultRow {
	rows := make([]resultRow, len(results))
	var wg sync.WaitGroup
	verify := a.verifyOptions()
	for i, r := range results {
		rows[i] = resultRow{Input: r.Input, Output: r.Output, Err: r.Err}
		if r.Err != nil && !flow.PartlySigned(r.Err) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := flow.InspectDocument(context.Background(), r.Output, verify)
			rows[i].Verdict = d.Verdict()
			rows[i].OK = d.Err == nil && d.Signed() && r.Err == nil
			if d.Locked {
				// Signed with the password asked; the list's report
				// asks it again to show the signatures.
				rows[i].Verdict, rows[i].OK = i18n.T("ui.row.locked"), r.Err == nil
			}
			if d.Err != nil {
				rows[i].Err = d.Err
			}
		}()
	}
	wg.Wait()
	return rows
}

// resultsKind says what a batch did: the results' words.
type resultsKind int

const (
	resultsSigned resultsKind = iota
	resultsExtended
)

// showResults lists each document's outcome, with what can be done with
// the new file: open it, verify it, show it in its folder.
func (a *App) showResults(rows []resultRow, kind resultsKind) {
	a.mu.Lock()
	a.lastResults = rows
	a.mu.Unlock()
	done := 0
	box := container.NewVBox()
	for _, r := range rows {
		var icon fyne.Resource
		var title, detail string
		var partly *flow.PartlySignedError
		var why string // an error's English detail, shown as such
		switch {
		case r.Err == nil:
			done++
			icon, title = theme.ConfirmIcon(), filepath.Base(r.Output)
			if kind == resultsExtended {
				detail = i18n.T("ui.row.extended", map[string]any{"Verdict": r.Verdict})
			} else {
				detail = i18n.T("ui.row.signed", map[string]any{"Verdict": r.Verdict})
			}
		case errors.As(r.Err, &partly):
			done++
			icon, title = theme.WarningIcon(), filepath.Base(r.Output)
			said, d := a.errorParts(partly.Err)
			why = d
			detail = i18n.T("ui.row.partly", map[string]any{"Reached": string(partly.Reached), "Wanted": string(partly.Wanted), "Verdict": r.Verdict, "Err": said})
		default:
			icon, title = theme.ErrorIcon(), filepath.Base(r.Input)
			said, d := a.errorParts(r.Err)
			why = d
			detail = i18n.T("ui.row.failed", map[string]any{"Err": said})
			if h := flow.Hint(r.Err); h != "" {
				detail += " — " + h
			}
		}
		t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		d := widget.NewLabel(detail)
		d.Wrapping = fyne.TextWrapWord
		d.SizeName = theme.SizeNameCaptionText
		var actions fyne.CanvasObject
		if r.Err == nil || partly != nil {
			out := r.Output
			actions = container.NewCenter(container.NewHBox(
				widget.NewButtonWithIcon(i18n.T("ui.open"), theme.FileIcon(), func() { a.openFile(out) }),
				widget.NewButtonWithIcon(i18n.T("ui.verify"), theme.ConfirmIcon(), func() { a.verifyFile(out) }),
				widget.NewButtonWithIcon(i18n.T("ui.show_in_folder"), theme.FolderOpenIcon(), func() { a.showInFolder(out) }),
			))
		}
		lines := container.NewVBox(t, d)
		if why != "" {
			lines.Add(detailLabel(why))
		}
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), actions, lines))
	}
	title := i18n.N("ui.results.signed", len(rows), map[string]any{"Done": done})
	if kind == resultsExtended {
		title = i18n.N("ui.results.extended", len(rows), map[string]any{"Done": done})
	}
	a.setStatus("%s", title)
	d := dialog.NewCustom(title, i18n.T("ui.close"), container.NewVScroll(box), a.win)
	size := a.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(size.Width-20, 720), min(size.Height-20, 200+float32(min(len(rows), 6))*70)))
	a.keyed(d, nil)
}

// openFile opens a document with the desktop's application for it.
func (a *App) openFile(path string) {
	a.run(func() {
		if err := desktop.Open(path); err != nil {
			a.do(func() { a.showError(i18n.T("ui.err.open_document"), err) })
		}
	})
}

// showInFolder shows a file in the desktop's file manager, and says
// when the desktop has none.
func (a *App) showInFolder(path string) {
	a.run(func() {
		if err := desktop.ShowInFolder(path); err != nil {
			a.do(func() { a.showError(i18n.T("ui.err.open_folder"), err) })
		}
	})
}

// verifyFile shows the verification report of a file (a signed copy),
// without adding it to the list.
func (a *App) verifyFile(path string) {
	verify := a.verifyOptions()
	a.run(func() {
		doc := flow.InspectDocument(context.Background(), path, verify)
		a.do(func() { a.showReport(&docEntry{path: path, info: &doc}) })
	})
}
