package ui

import (
	"context"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/asice"
	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/escape"
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
		body = containerView(info.Container)
	case info.Report == nil || len(info.Report.Signatures) == 0:
		body = widget.NewLabel(i18n.T("ui.no_signatures"))
	default:
		body = reportView(info.Report)
	}
	scroll := container.NewVScroll(body)
	a.reportScroll = scroll // the tour scrolls it to its end
	holder := container.NewStack(scroll)
	d := dialog.NewCustom(i18n.T("ui.verification_of", map[string]any{"Name": title}), i18n.T("ui.close"), holder, a.win)
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
						holder.Objects = []fyne.CanvasObject{container.NewVScroll(reportView(doc.Report))}
					}
					holder.Refresh()
				})
			})
		})
		d.SetButtons([]fyne.CanvasObject{online, widget.NewButton(i18n.T("ui.close"), d.Hide)})
	}
	d.Resize(fyne.NewSize(760, 560))
	d.Show()
	a.mu.Lock()
	a.report = body
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
func containerView(c *flow.ContainerReport) fyne.CanvasObject {
	box := container.NewVBox()
	summary := i18n.T("report.all_valid")
	importance := widget.SuccessImportance
	switch {
	case len(c.Signatures) == 0:
		summary, importance = i18n.T("ui.no_signatures"), widget.MediumImportance
	case !c.Valid():
		summary, importance = i18n.T("report.some_invalid"), widget.DangerImportance
	}
	s := widget.NewLabelWithStyle(summary, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.Importance = importance
	files := widget.NewLabel(i18n.T("report.files", map[string]any{"Files": escape.List(c.Files, 50)}))
	files.Wrapping = fyne.TextWrapWord
	box.Add(s)
	box.Add(files)
	for _, sig := range c.Signatures {
		box.Add(containerSignatureCard(sig))
	}
	if len(c.Checks) > 0 {
		box.Add(widget.NewCard(i18n.T("verify.container"), "", checkList(c.Checks)))
	}
	return box
}

// containerSignatureCard is one XAdES signature of a container.
func containerSignatureCard(s asice.SignatureReport) fyne.CanvasObject {
	verdict := i18n.T("verify.valid")
	if !s.Valid {
		verdict = i18n.T("verify.not_valid")
	}
	var facts []string
	if s.ProvenTime != nil {
		facts = append(facts, i18n.T("report.signed_proven", map[string]any{"Time": i18n.DateTime(s.ProvenTime.Local())}))
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
		sum := pdf.SignerOf(s.Signer)
		l := widget.NewLabel(shown(sum.Subject) + "\n" + i18n.T("report.issued_by", map[string]any{"Issuer": shown(sum.Issuer), "Serial": shown(sum.Serial)}))
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = theme.SizeNameCaptionText
		signer = l
	}
	return widget.NewCard(who+" — "+verdict, shown(s.File), container.NewVBox(head, checkList(s.Checks), signer))
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
		checks.Add(container.NewBorder(nil, nil, container.NewHBox(widget.NewIcon(icon), name), nil, detail))
	}
	return checks
}

// reportView is one card per signature.
func reportView(r *pdf.Report) fyne.CanvasObject {
	box := container.NewVBox()
	summary := i18n.T("report.all_valid")
	if !r.Valid() {
		summary = i18n.T("report.some_invalid")
	}
	s := widget.NewLabelWithStyle(summary, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if !r.Valid() {
		s.Importance = widget.DangerImportance
	} else {
		s.Importance = widget.SuccessImportance
	}
	box.Add(s)
	for _, sig := range r.Signatures {
		box.Add(signatureCard(sig))
	}
	return box
}

func signatureCard(s pdf.SignatureReport) fyne.CanvasObject {
	who := capitalize(shown(s.Who()))
	verdict := i18n.T("verify.valid")
	if !s.Valid {
		verdict = i18n.T("verify.not_valid")
	}
	var facts []string
	if t, proven, ok := s.When(); ok {
		when := map[string]any{"Time": i18n.DateTime(t.Local())}
		if proven {
			facts = append(facts, i18n.T("report.signed_proven", when))
		} else {
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
		facts = append(facts, i18n.T("report.changed_after", map[string]any{"Changes": strings.Join(s.ChangesAfter, ", ")}))
	}
	head := widget.NewLabel(strings.Join(facts, " · "))
	head.Wrapping = fyne.TextWrapWord
	checks := checkList(s.Checks)
	var signer fyne.CanvasObject = widget.NewLabel("")
	if s.Signer != nil {
		l := widget.NewLabel(shown(s.Signer.Subject) + "\n" + i18n.T("report.issued_by", map[string]any{"Issuer": shown(s.Signer.Issuer), "Serial": shown(s.Signer.Serial)}))
		l.Wrapping = fyne.TextWrapWord
		l.SizeName = theme.SizeNameCaptionText
		signer = l
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
					shown = reportView(doc.Report)
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
