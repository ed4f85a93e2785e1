package ui

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/asice"
	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
)

// showReport shows the verification of a document's signatures in words:
// who, when, at which level, what holds and what does not.
func (a *App) showReport(e *docEntry) {
	a.docs.mu.Lock()
	info := e.info
	a.docs.mu.Unlock()
	title := filepath.Base(e.path)
	var body fyne.CanvasObject
	switch {
	case info == nil:
		body = widget.NewLabel(i18n.T("ui.still_reading"))
	case info.Err != nil:
		body = a.errorContent(info.Err)
	case info.Locked:
		body = a.lockedContent(e)
	case info.Other:
		body = widget.NewLabel(info.Verdict())
	case info.Container != nil:
		body = a.containerView(info.Container)
	case info.Report == nil || len(info.Report.Signatures) == 0:
		body = widget.NewLabel(i18n.T("ui.no_signatures"))
	default:
		body = a.reportView(info.Report)
	}
	scroll := container.NewVScroll(body)
	a.reportScroll = scroll // the tour scrolls it to its end
	holder := container.NewStack(scroll)
	d := dialog.NewCustom(i18n.T("ui.verification_of", map[string]any{"Name": title}), i18n.T("ui.close"), holder, a.win)
	shownReport := flow.Verification{File: e.path}
	if info != nil && info.Err == nil {
		shownReport.Report, shownReport.Container = info.Report, info.Container
	}
	save := widget.NewButtonWithIcon(i18n.T("ui.save_report"), theme.DocumentSaveIcon(), func() { a.saveReport(shownReport) })
	if shownReport.Report == nil && shownReport.Container == nil {
		save.Disable()
	}
	buttons := []fyne.CanvasObject{save, widget.NewButton(i18n.T("ui.close"), d.Hide)}
	d.SetButtons(buttons)
	if info != nil && info.Report != nil && len(info.Report.Signatures) > 0 && unknownRevocation(info.Report) {
		var online *widget.Button
		online = widget.NewButtonWithIcon(i18n.T("ui.check_revocation"), theme.SearchIcon(), func() {
			online.Disable()
			online.SetText(i18n.T("ui.checking"))
			opts := a.verifyOptions()
			opts.Online = true
			fetching := *opts.Issuers
			fetching.Offline = false
			opts.Issuers = &fetching
			a.run(func() {
				doc := flow.InspectDocument(context.Background(), e.path, opts)
				a.do(func() {
					online.Hide()
					if doc.Err != nil {
						holder.Objects = []fyne.CanvasObject{a.errorContent(doc.Err)}
					} else {
						shownReport.Report = doc.Report
						holder.Objects = []fyne.CanvasObject{container.NewVScroll(a.reportView(doc.Report))}
					}
					holder.Refresh()
				})
			})
		})
		d.SetButtons(append([]fyne.CanvasObject{online}, buttons...))
	}
	size := a.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(size.Width-20, 760), min(size.Height-20, 560)))
	a.keyed(d, nil)
	a.mu.Lock()
	a.report, a.reportPath = body, e.path
	a.mu.Unlock()
}

// unknownRevocation tells a report with a revocation status not known
// from the file: an online check can settle it.
func unknownRevocation(r *pdf.Report) bool {
	for _, s := range r.Signatures {
		for _, c := range s.Checks {
			if c.Name == "revocation" && c.Status == pdf.Unknown {
				return true
			}
		}
	}
	return false
}

// containerView shows a container: its files, one card per signature,
// and what its structure shows.
func (a *App) containerView(c *flow.ContainerReport) fyne.CanvasObject {
	box := container.NewVBox()
	var s *widget.Label
	if len(c.Signatures) == 0 {
		s = widget.NewLabelWithStyle(i18n.T("ui.no_signatures"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	} else {
		s = summaryLabel(c.Indication())
	}
	files := widget.NewLabel(i18n.T("report.files", map[string]any{"Files": escape.List(c.Files, 50)}))
	files.Wrapping = fyne.TextWrapWord
	box.Add(s)
	box.Add(files)
	for _, sig := range c.Signatures {
		box.Add(a.containerSignatureCard(sig))
	}
	if len(c.Checks) > 0 {
		box.Add(widget.NewCard(i18n.T("verify.container"), "", checkList(c.Checks)))
	}
	return box
}

// containerSignatureCard is one XAdES signature of a container.
func (a *App) containerSignatureCard(s asice.SignatureReport) fyne.CanvasObject {
	_, verdict := flow.Verdict(s.Indication)
	var facts []string
	if s.ProvenTime != nil {
		facts = append(facts, i18n.T("report.signed_proven", map[string]any{"Time": *s.ProvenTime}))
	}
	if s.Level != "" {
		facts = append(facts, i18n.T("verify.level_xades", map[string]any{"Level": s.Level}))
	}
	facts = append(facts, i18n.T("report.files", map[string]any{"Files": escape.List(s.Covers, 50)}))
	head := widget.NewLabel(strings.Join(facts, " · "))
	head.Wrapping = fyne.TextWrapWord
	who := shown(s.SignerName)
	if who == "" {
		who = shown(s.ID)
	}
	var signer fyne.CanvasObject = widget.NewLabel("")
	if s.Signer != nil {
		signer = a.signerLine(pdf.SignerOf(s.Signer), []*x509.Certificate{s.Signer})
	}
	return widget.NewCard(who+" — "+verdict, shown(s.File), container.NewVBox(head, checkList(s.Checks), signer))
}

// summaryLabel is the report's first line: one of the three outcomes,
// in green, amber or red.
func summaryLabel(i pdf.Indication) *widget.Label {
	// Green only for what passed: anything else unknown reads as failed.
	summary, importance := i18n.T("report.some_invalid"), widget.DangerImportance
	switch i {
	case pdf.TotalPassed:
		summary, importance = i18n.T("report.all_valid"), widget.SuccessImportance
	case pdf.Indeterminate:
		summary, importance = i18n.T("report.not_fully_checked"), widget.WarningImportance
	}
	l := widget.NewLabelWithStyle(summary, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	l.Importance = importance
	return l
}

// signerLine names the signer's certificate and its issuer, with a button
// that opens the certificate and its chain.
func (a *App) signerLine(s *pdf.Signer, chain []*x509.Certificate) fyne.CanvasObject {
	l := widget.NewLabel(shown(s.Subject) + "\n" + i18n.T("report.issued_by", map[string]any{"Issuer": shown(s.Issuer), "Serial": shown(s.Serial)}))
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	if len(chain) == 0 {
		return l
	}
	open := widget.NewButtonWithIcon(i18n.T("ui.certificate_open"), theme.AccountIcon(), func() { a.showChain(chain) })
	open.Importance = widget.LowImportance
	return container.NewBorder(nil, nil, nil, open, l)
}

// showChain shows a certificate and its issuers, one card each: who,
// issued by whom, serial, validity, fingerprint.
func (a *App) showChain(chain []*x509.Certificate) {
	box := container.NewVBox()
	for i, c := range chain {
		title := i18n.T("ui.cert.signer")
		if i > 0 {
			title = i18n.T("ui.cert.issuer")
		}
		sum := sha256.Sum256(c.Raw)
		rows := widget.NewForm(certRows(keys.Summarize(c))...)
		rows.Append(i18n.T("ui.cert.fingerprint"), wrapped(strings.ToUpper(hex.EncodeToString(sum[:]))))
		box.Add(widget.NewCard(shown(c.Subject.CommonName), title, rows))
	}
	d := dialog.NewCustom(i18n.T("ui.cert.title"), i18n.T("ui.close"), container.NewVScroll(box), a.win)
	d.Resize(fyne.NewSize(min(a.win.Canvas().Size().Width-20, 720), min(a.win.Canvas().Size().Height-20, 520)))
	a.keyed(d, nil)
}

// wrapped is a label that wraps at word boundaries.
func wrapped(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapBreak
	return l
}

// saveReport asks where to save the report as text, and saves it.
func (a *App) saveReport(v flow.Verification) {
	fd := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		// The dialog made the file; the report replaces it whole.
		w.Close()
		if err := flow.SaveVerification(path, v); err != nil {
			a.showError(i18n.T("ui.report_not_saved"), err)
			return
		}
		a.setStatus("%s", i18n.T("ui.report_saved", map[string]any{"Path": path}))
	}, a.win)
	fd.SetFileName(strings.TrimSuffix(filepath.Base(v.File), filepath.Ext(v.File)) + "-" + i18n.T("ui.report_file") + ".txt")
	if l, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(v.File))); err == nil {
		fd.SetLocation(l)
	}
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".txt"}))
	fd.Resize(a.dialogSize())
	fd.Show()
}

// checkList is one line per check: its icon, name and what it found.
func checkList(list []pdf.Check) fyne.CanvasObject {
	checks := container.NewVBox()
	for _, c := range list {
		icon := theme.ConfirmIcon()
		switch {
		case c.Name == "level" || c.Name == "next level":
			icon = theme.InfoIcon() // what the level rests on, what the next lacks
		case c.Status == pdf.Failed:
			icon = theme.ErrorIcon()
		case c.Status == pdf.Warning:
			icon = theme.WarningIcon()
		case c.Status == pdf.Unknown:
			icon = theme.QuestionIcon()
		}
		name := widget.NewLabelWithStyle(flow.CheckName(c.Name), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		detail := widget.NewLabel(flow.CheckDetail(c))
		detail.Wrapping = fyne.TextWrapWord
		if c.Name != "level" && c.Name != "next level" {
			switch c.Status {
			case pdf.Failed:
				name.Importance, detail.Importance = widget.DangerImportance, widget.DangerImportance
			case pdf.Unknown:
				name.Importance, detail.Importance = widget.WarningImportance, widget.WarningImportance
			}
		}
		checks.Add(container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(icon), name), nil, detail))
	}
	return checks
}

// reportView is one card per signature.
func (a *App) reportView(r *pdf.Report) fyne.CanvasObject {
	box := container.NewVBox(summaryLabel(r.Indication()))
	for _, sig := range r.Signatures {
		box.Add(a.signatureCard(sig))
	}
	return box
}

func (a *App) signatureCard(s pdf.SignatureReport) fyne.CanvasObject {
	who := capitalize(shown(flow.SignatureWho(s)))
	_, verdict := flow.Verdict(s.Indication)
	var facts []string
	if t, proven, ok := s.When(); ok {
		when := map[string]any{"Time": t}
		switch {
		case proven:
			facts = append(facts, i18n.T("report.signed_proven", when))
		case s.SignedBefore != nil:
			when["Claimed"], when["Time"] = t, *s.SignedBefore
			facts = append(facts, i18n.T("verify.signed_before", when))
		default:
			facts = append(facts, i18n.T("report.signed_claimed", when))
		}
	}
	if s.Level != "" {
		facts = append(facts, i18n.T("verify.level", map[string]any{"Level": s.Level}))
	}
	if s.Reason != "" {
		facts = append(facts, i18n.T("report.reason", map[string]any{"Reason": shown(s.Reason)}))
	}
	if s.Location != "" {
		facts = append(facts, i18n.T("report.location", map[string]any{"Location": shown(s.Location)}))
	}
	if s.Certification > 0 {
		facts = append(facts, i18n.T("report.certification", map[string]any{"Level": s.Certification}))
	}
	if !s.CoversWholeFile && len(s.ChangesAfter) > 0 {
		facts = append(facts, i18n.T("report.changed_after", map[string]any{"Changes": pdf.Changes(s.ChangesAfter)}))
	}
	head := widget.NewLabel(strings.Join(facts, " · "))
	head.Wrapping = fyne.TextWrapWord
	checks := checkList(s.Checks)
	var signer fyne.CanvasObject = widget.NewLabel("")
	if s.Signer != nil {
		signer = a.signerLine(s.Signer, s.Certificates)
	}
	return widget.NewCard(who+" — "+verdict, shown(s.Field), container.NewVBox(head, checks, signer))
}

// lockedContent is the report of an encrypted document before its
// password is given: a button asks it and shows the verification.
func (a *App) lockedContent(e *docEntry) fyne.CanvasObject {
	msg := widget.NewLabel(i18n.T("ui.locked_report"))
	msg.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(msg)
	var open *widget.Button
	open = widget.NewButtonWithIcon(i18n.T("ui.enter_password"), theme.LoginIcon(), func() {
		open.Disable()
		verify := a.verifyOptions()
		a.run(func() {
			doc := flow.InspectDocumentWith(context.Background(), e.path, verify, a.prompter)
			a.do(func() {
				var shown fyne.CanvasObject
				switch {
				case doc.Err != nil:
					shown = a.errorContent(doc.Err)
				case doc.Report == nil || len(doc.Report.Signatures) == 0:
					shown = widget.NewLabel(i18n.T("ui.no_signatures"))
				default:
					shown = a.reportView(doc.Report)
				}
				box.Objects = []fyne.CanvasObject{shown}
				box.Refresh()
				a.mu.Lock()
				a.report = shown
				a.mu.Unlock()
			})
		})
	})
	box.Add(container.NewHBox(open))
	return box
}

// shown is text from a file as the report shows it: escaped (a newline
// in a name must not draw a line of Signet's own), within a line.
func shown(s string) string { return escape.Cut(escape.Text(s), 500) }
