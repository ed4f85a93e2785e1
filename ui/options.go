package ui

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/pdf"
)

// Levels as offered, in the person's words.
func levelBB() string   { return i18n.T("ui.level.bb") }
func levelBT() string   { return i18n.T("ui.level.bt") }
func levelBLT() string  { return i18n.T("ui.level.blt") }
func levelBLTA() string { return i18n.T("ui.level.blta") }

// signOptions are the choices of how the signature looks and how long it
// lasts; the same feed local and remote signing.
type signOptions struct {
	app      *App
	level    *widget.Select
	levelBox *fyne.Container
	// tsaNote says, where the level is chosen, that B-T and above need a
	// timestamp service the settings do not name, with a way there.
	tsaNote  *fyne.Container
	method   string
	reason   *widget.Entry
	location *widget.Entry
	visible  *widget.Check
	place    *widget.Button
	where    *widget.Label
	image    *widget.Button
	lines    *widget.Entry
	// asContainer signs the PDFs into one new container (.edoc) too;
	// files that are not PDFs go into one always.
	asContainer *widget.Check

	// looks are the reason, place and visible signature; serviceNote
	// says why a service that makes them itself does not offer them.
	looks       *fyne.Container
	serviceNote *widget.Label

	// appearance is the placed rectangle; nil until placed.
	appearance *pdf.Appearance
	imageData  []byte
	imageName  string
}

func newSignOptions(app *App) *signOptions {
	o := &signOptions{app: app}
	o.level = newSelect([]string{levelBB(), levelBT(), levelBLT(), levelBLTA()}, nil)
	o.level.SetSelected(levelBB())
	o.reason = widget.NewEntry()
	o.reason.SetPlaceHolder(i18n.T("ui.ph.reason"))
	o.location = widget.NewEntry()
	o.location.SetPlaceHolder(i18n.T("ui.ph.location"))
	o.where = widget.NewLabel("")
	o.where.Wrapping = fyne.TextWrapWord
	o.place = widget.NewButtonWithIcon(i18n.T("ui.place_on_page"), theme.ViewFullScreenIcon(), o.showPlacement)
	o.image = widget.NewButtonWithIcon(i18n.T("ui.image"), theme.FileImageIcon(), o.chooseImage)
	o.lines = widget.NewMultiLineEntry()
	o.lines.SetPlaceHolder(i18n.T("ui.ph.lines"))
	o.lines.SetMinRowsVisible(2)
	o.visible = widget.NewCheck(i18n.T("ui.visible_signature"), func(on bool) {
		if on {
			o.place.Enable()
			o.image.Enable()
			o.lines.Enable()
			if o.appearance == nil {
				o.appearance = &pdf.Appearance{Page: 1, Rect: [4]float64{36, 36, 256, 96}}
			}
		} else {
			o.place.Disable()
			o.image.Disable()
			o.lines.Disable()
		}
		o.describePlacement()
	})
	o.visible.SetChecked(false)
	o.place.Disable()
	o.image.Disable()
	o.lines.Disable()
	note := widget.NewLabel(i18n.T("ui.level.needs_tsa"))
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.WarningImportance
	o.tsaNote = container.NewVBox(note, container.NewHBox(widget.NewButtonWithIcon(i18n.T("ui.level.set_tsa"), theme.SettingsIcon(), func() {
		app.showSettings()
		app.mu.Lock()
		v := app.settings
		app.mu.Unlock()
		if v != nil && v.tabs != nil {
			v.tabs.SelectIndex(2) // Signing, where the timestamp service is
			app.win.Canvas().Focus(v.tsa)
		}
	})))
	o.level.OnChanged = func(string) { o.updateTSANote() }
	// The signature drawn in the preview follows its words.
	for _, e := range []*widget.Entry{o.reason, o.location, o.lines} {
		e.OnChanged = func(string) { o.refreshPreview() }
	}
	o.levelBox = container.NewVBox(widget.NewLabel(i18n.T("ui.level")), o.level, o.tsaNote)
	o.updateTSANote()
	o.asContainer = widget.NewCheck(i18n.T("ui.sign_as_container"), nil)
	o.describePlacement()
	return o
}

func (o *signOptions) view() fyne.CanvasObject {
	form := widget.NewForm(
		widget.NewFormItem(i18n.T("ui.reason"), o.reason),
		widget.NewFormItem(i18n.T("ui.location"), o.location),
	)
	o.serviceNote = widget.NewLabel(i18n.T("ui.eparaksts.looks"))
	o.serviceNote.Wrapping = fyne.TextWrapWord
	o.serviceNote.Importance = widget.MediumImportance
	o.serviceNote.Hide()
	o.looks = container.NewVBox(form, o.visible, container.NewHBox(o.place, o.image), o.where, o.lines)
	o.methodChanged(o.method)
	return container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("ui.signature"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		o.levelBox, o.asContainer, o.serviceNote, o.looks)
}

// updateTSANote shows the note when the level chosen needs a timestamp
// service, none is set, and Signet makes the signature (CertEurope's
// service timestamps itself).
func (o *signOptions) updateTSANote() {
	if o.tsaNote == nil {
		return
	}
	if o.levelChosen() != pdf.LevelBB && o.app.cfg.Settings.TSAURL == "" && o.method != methodCertEurope() {
		o.tsaNote.Show()
	} else {
		o.tsaNote.Hide()
	}
}

// methodChanged shows the level only where Signet makes the signature.
func (o *signOptions) methodChanged(m string) {
	o.method = m
	o.updateTSANote()
	if m == methodEParaksts() || m == methodAadhaar() || m == methodCMD() && o.app.signer != nil && o.app.signer.remote.cmdUploads() {
		o.levelBox.Hide() // the service timestamps and adds validation data
	} else {
		o.levelBox.Show()
	}
	// eParaksts prepares the signature itself, with no reason, place or
	// look of the person's: not offered, and said why.
	if o.looks != nil {
		if m == methodEParaksts() {
			o.looks.Hide()
			o.serviceNote.Show()
		} else {
			o.looks.Show()
			o.serviceNote.Hide()
		}
	}
}

// refreshPreview redraws the signature to be made in the preview.
func (o *signOptions) refreshPreview() {
	if o.app.preview != nil {
		o.app.preview.refreshSignature()
	}
}

func (o *signOptions) describePlacement() {
	defer o.refreshPreview()
	if !o.visible.Checked || o.appearance == nil {
		o.where.SetText(i18n.T("ui.invisible"))
		return
	}
	a := o.appearance
	page := i18n.T("ui.place.page", map[string]any{"N": a.Page})
	if a.Page < 0 {
		page = i18n.T("ui.place.last_page")
	}
	pt := func(f float64) string { return i18n.Number(int(f+0.5), 0) }
	data := map[string]any{"Page": page, "W": pt(a.Rect[2] - a.Rect[0]), "H": pt(a.Rect[3] - a.Rect[1]), "X": pt(a.Rect[0]), "Y": pt(a.Rect[1]), "Image": o.imageName}
	if o.imageName != "" {
		o.where.SetText(i18n.T("ui.place.summary_image", data))
	} else {
		o.where.SetText(i18n.T("ui.place.summary", data))
	}
}

// pdfOptions are the signature options as chosen.
func (o *signOptions) pdfOptions() pdf.Options {
	opts := pdf.Options{Reason: o.reason.Text, Location: o.location.Text}
	if o.visible.Checked && o.appearance != nil {
		a := *o.appearance
		a.Image = o.imageData
		a.Lines = lines(o.lines.Text)
		opts.Appearance = &a
	}
	return opts
}

// levelChosen is the PAdES level chosen.
func (o *signOptions) levelChosen() pdf.Level {
	switch o.level.Selected {
	case levelBT():
		return pdf.LevelBT
	case levelBLT():
		return pdf.LevelBLT
	case levelBLTA():
		return pdf.LevelBLTA
	}
	return pdf.LevelBB
}

func (o *signOptions) chooseImage() {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		data, err := os.ReadFile(r.URI().Path())
		if err != nil {
			o.app.showError(i18n.T("ui.err.read_image"), err)
			return
		}
		o.imageData, o.imageName = data, r.URI().Name()
		o.describePlacement()
	}, o.app.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg"}))
	fd.Resize(o.app.dialogSize())
	fd.Show()
}
