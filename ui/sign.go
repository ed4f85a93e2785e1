package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
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
	docs := a.docs.signable()
	if len(docs) == 0 {
		return
	}
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
	dialog.ShowConfirm(i18n.T("ui.replace_existing"), msg, func(ok bool) {
		if ok {
			begin(true)
			return
		}
		// No: the batch ends, and says so.
		a.setStatus("%s", i18n.T("ui.status.kept_existing"))
	}, a.win)
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
				pv.current.SetText(fmt.Sprintf("Document %d of %d: %s", done+1, total, filepath.Base(current)))
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
			a.showResults(rows)
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
				rows[i].Verdict, rows[i].OK = "signed, encrypted with its password", r.Err == nil
			}
			if d.Err != nil {
				rows[i].Err = d.Err
			}
		}()
	}
	wg.Wait()
	return rows
}

// showResults lists each document's outcome with a way to its folder.
func (a *App) showResults(rows []resultRow) {
	a.mu.Lock()
	a.lastResults = rows
	a.mu.Unlock()
	signed := 0
	box := container.NewVBox()
	for _, r := range rows {
		var icon fyne.Resource
		var title, detail string
		var partly *flow.PartlySignedError
		switch {
		case r.Err == nil:
			signed++
			icon, title = theme.ConfirmIcon(), filepath.Base(r.Output)
			detail = "signed · " + r.Verdict
		case errors.As(r.Err, &partly):
			signed++
			icon, title = theme.WarningIcon(), filepath.Base(r.Output)
			detail = fmt.Sprintf("signed at %s, not %s · %s — not extended: %v", partly.Reached, partly.Wanted, r.Verdict, partly.Err)
		default:
			icon, title = theme.ErrorIcon(), filepath.Base(r.Input)
			detail = "not signed: " + strings.TrimPrefix(escape.Text(r.Err.Error()), "not signed: ")
			if h := flow.Hint(r.Err); h != "" {
				detail += " — " + h
			}
		}
		t := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		d := widget.NewLabel(detail)
		d.Wrapping = fyne.TextWrapWord
		d.SizeName = theme.SizeNameCaptionText
		var action fyne.CanvasObject
		if r.Err == nil || partly != nil {
			dir := filepath.Dir(r.Output)
			action = container.NewCenter(widget.NewButtonWithIcon(i18n.T("ui.show_in_folder"), theme.FolderOpenIcon(), func() {
				if err := a.fyne.OpenURL(&url.URL{Scheme: "file", Path: dir}); err != nil {
					a.showError(i18n.T("ui.err.open_folder"), err)
				}
			}))
		}
		box.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), action, container.NewVBox(t, d)))
	}
	title := fmt.Sprintf("%d of %d signed", signed, len(rows))
	a.setStatus("%s", title)
	d := dialog.NewCustom(title, i18n.T("ui.close"), container.NewVScroll(box), a.win)
	d.Resize(fyne.NewSize(620, 200+float32(min(len(rows), 6))*70))
	d.Show()
}
