package ui

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
)

// Ways to sign, in the person's words: the radio group's options, which
// its selection is compared with (the language is the app's for its life).
func methodLocal() string         { return i18n.T("ui.method.local") }
func methodEParaksts() string     { return i18n.T("ui.method.eparaksts") }
func methodRemoteSigning() string { return i18n.T("ui.method.remotesigning") }
func methodCMD() string           { return i18n.T("ui.method.cmd") }

// signerPanel chooses how and with which certificate to sign.
type signerPanel struct {
	app    *App
	method *widget.RadioGroup

	mu       sync.Mutex // guards choices and files
	choices  []flow.KeyChoice
	files    []flow.KeyChoice // PKCS#12 files the person added
	selected string           // Ref of the chosen certificate
	listErr  error

	list      *widget.List
	empty     *widget.Label
	detailBtn *widget.Button
	local     *fyne.Container
	remote    *remoteForms
	aadhaar   *aadhaarForm
	certeu    *certEuropeForm
}

func newSignerPanel(app *App) *signerPanel {
	s := &signerPanel{app: app}
	s.list = widget.NewList(s.length, s.create, s.update)
	s.list.OnSelected = func(id widget.ListItemID) {
		if c, ok := s.choice(id); ok {
			s.mu.Lock()
			s.selected = c.Ref
			s.mu.Unlock()
			s.detailBtn.Enable()
			s.app.updateSignButton()
			if s.app.options != nil {
				s.app.options.refreshPreview() // the signer's name on the signature to be
			}
		}
	}
	s.empty = widget.NewLabel("")
	s.empty.Wrapping = fyne.TextWrapWord
	s.detailBtn = widget.NewButtonWithIcon(i18n.T("ui.cert_details"), theme.InfoIcon(), s.showDetails)
	s.detailBtn.Disable()
	addFile := widget.NewButtonWithIcon(i18n.T("ui.add_key_file"), theme.ContentAddIcon(), s.addFileDialog)
	height := canvas.NewRectangle(color.Transparent)
	height.SetMinSize(fyne.NewSize(0, 370)) // room for five certificates
	listBox := container.NewStack(height, s.list, container.NewCenter(s.empty))
	s.local = container.NewVBox(listBox, container.NewHBox(s.detailBtn, addFile))
	s.remote = newRemoteForms(app)
	s.aadhaar = newAadhaarForm(app)
	s.certeu = newCertEuropeForm(app)
	s.method = widget.NewRadioGroup([]string{methodLocal(), methodEParaksts(), methodRemoteSigning(), methodCMD(), methodAadhaar(), methodCertEurope()}, s.methodChanged)
	s.method.Required = true
	s.method.SetSelected(methodLocal())
	return s
}

func (s *signerPanel) view() fyne.CanvasObject {
	return container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("ui.sign_with"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.method, s.local, s.remote.eparaksts, s.remote.remoteSigning, s.remote.cmd, s.aadhaar.box, s.certeu.box)
}

func (s *signerPanel) methodChanged(m string) {
	if s.local == nil {
		return
	}
	s.local.Hide()
	s.remote.eparaksts.Hide()
	s.remote.remoteSigning.Hide()
	s.remote.cmd.Hide()
	s.aadhaar.box.Hide()
	s.certeu.box.Hide()
	switch m {
	case methodLocal():
		s.local.Show()
	case methodEParaksts():
		s.local.Show() // the card signs; eParaksts prepares and finalizes
		s.remote.eparaksts.Show()
	case methodRemoteSigning():
		s.remote.remoteSigning.Show()
	case methodCMD():
		s.remote.cmd.Show()
	case methodAadhaar():
		s.aadhaar.box.Show()
	case methodCertEurope():
		s.certeu.box.Show()
	}
	if s.app.options != nil {
		s.app.options.methodChanged(m)
	}
	s.app.updateSignButton()
}

func (s *signerPanel) all() []flow.KeyChoice {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(slices.Clone(s.choices), s.files...)
}

func (s *signerPanel) length() int { return len(s.all()) }

func (s *signerPanel) choice(i int) (flow.KeyChoice, bool) {
	all := s.all()
	if i < 0 || i >= len(all) {
		return flow.KeyChoice{}, false
	}
	return all[i], true
}

// choiceSigns reports whether the selected key may sign documents: true
// for key files (their certificate shows once open, and is checked then)
// and when nothing is selected yet.
func (s *signerPanel) choiceSigns() bool {
	c, ok := s.chosen()
	return !ok || c.Cert == nil || keys.CheckSigning(c.Cert) == nil
}

// chosen is the selected certificate.
func (s *signerPanel) chosen() (flow.KeyChoice, bool) {
	s.mu.Lock()
	ref := s.selected
	s.mu.Unlock()
	for _, c := range s.all() {
		if c.Ref == ref {
			return c, true
		}
	}
	return flow.KeyChoice{}, false
}

func (s *signerPanel) create() fyne.CanvasObject { return newRow(theme.AccountIcon()) }

func (s *signerPanel) update(i widget.ListItemID, o fyne.CanvasObject) {
	c, ok := s.choice(i)
	if !ok {
		return
	}
	icon := theme.AccountIcon()
	if c.Token == "" {
		icon = theme.FileIcon()
	}
	setRow(o, icon, choiceTitle(c), choiceDetails(c))
}

// certRows are what a certificate says of itself, a form's rows: whose,
// issued by whom, its serial, validity, key and uses (names from the
// certificate escaped, within a line).
func certRows(c keys.CertificateSummary) []*widget.FormItem {
	return []*widget.FormItem{
		widget.NewFormItem(i18n.T("ui.cert.subject"), wrapped(shown(c.Subject))),
		widget.NewFormItem(i18n.T("ui.cert.issued_by"), wrapped(shown(c.Issuer))),
		widget.NewFormItem(i18n.T("ui.cert.serial"), wrapped(c.Serial)),
		widget.NewFormItem(i18n.T("ui.cert.valid"), wrapped(i18n.T("ui.cert.valid_range", map[string]any{"From": c.NotBefore, "To": c.NotAfter}))),
		widget.NewFormItem(i18n.T("ui.cert.key"), wrapped(keyWords(c))),
		widget.NewFormItem(i18n.T("ui.cert.key_usage"), wrapped(strings.Join(append(slices.Clone(c.KeyUsage), c.ExtKeyUsage...), ", "))),
	}
}

// keyWords names the key: "RSA 2048", "EC P-256".
func keyWords(c keys.CertificateSummary) string {
	if strings.HasPrefix(c.KeyType, "EC") || c.KeySize == 0 {
		return c.KeyType
	}
	return fmt.Sprintf("%s %d", c.KeyType, c.KeySize)
}

func choiceTitle(c flow.KeyChoice) string {
	if c.Name != "" {
		return c.Name
	}
	return c.Label
}

func choiceDetails(c flow.KeyChoice) string {
	if c.Token == "" {
		return i18n.T("ui.choice.key_file")
	}
	parts := []string{c.Purpose.Words(), keyWords(c.CertificateSummary), c.Token + " / " + c.Label}
	if c.PINPerSignature {
		parts = append(parts, i18n.T("ui.choice.pin_per_signature"))
	}
	if c.Pinpad {
		parts = append(parts, i18n.T("ui.choice.pinpad"))
	}
	if time.Now().After(c.NotAfter) {
		parts = append(parts, i18n.T("ui.choice.expired"))
	}
	return strings.Join(parts, " · ")
}

// refresh lists the tokens' certificates again; safe on any goroutine.
func (s *signerPanel) refresh() {
	var choices []flow.KeyChoice
	var err error
	if mods := s.app.modules(); mods != nil {
		choices, err = mods.KeyChoices()
	}
	s.mu.Lock()
	same := err == nil && s.listErr == nil && sameRefs(s.choices, choices)
	if !same {
		s.choices, s.listErr = choices, err
	}
	s.mu.Unlock()
	if same {
		return
	}
	s.app.do(s.refreshView)
}

func sameRefs(a, b []flow.KeyChoice) bool {
	return slices.EqualFunc(a, b, func(x, y flow.KeyChoice) bool { return x.Ref == y.Ref })
}

// refreshView shows the current list; on the UI goroutine.
func (s *signerPanel) refreshView() {
	s.mu.Lock()
	err, n := s.listErr, len(s.choices)+len(s.files)
	s.mu.Unlock()
	switch {
	case n > 0:
		s.empty.Hide()
	case err != nil:
		s.empty.SetText(i18n.T("ui.no_tokens", map[string]any{"Err": err}))
		s.empty.Show()
	default:
		s.empty.SetText(i18n.T("ui.insert_card"))
		s.empty.Show()
	}
	s.list.Refresh()
	// Keep the selection on the same certificate, or pick the first
	// signing certificate when there is none.
	if c, ok := s.chosen(); ok {
		for i, x := range s.all() {
			if x.Ref == c.Ref {
				s.list.Select(i)
				return
			}
		}
	}
	s.list.UnselectAll()
	s.mu.Lock()
	s.selected = ""
	s.mu.Unlock()
	s.detailBtn.Disable()
	for i, x := range s.all() {
		if x.Purpose == keys.PurposeSigning || x.Token == "" {
			s.list.Select(i)
			return
		}
	}
}

// watch notices cards coming and going until ctx ends: every interval it
// reads the slots' presence (no session, no object listing: about 0.1 ms
// on SoftHSM2, where listing the certificates takes 2.3 ms), and lists the
// certificates again only when that changed; not while signing.
//
// C_WaitForSlotEvent is not used: miekg/pkcs11 v1.1.2 drops its return
// value (WaitForSlotEvent sends an event whatever the module answered), so
// "not supported" (SoftHSM2) and a real event look alike, and a blocked
// call ends only with C_Finalize.
func (s *signerPanel) watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	last := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s.app.isBusy() {
				continue
			}
			mods := s.app.modules()
			if mods == nil {
				continue
			}
			if p := mods.Presence(); p != last {
				last = p
				s.refresh()
			}
		}
	}
}

func (s *signerPanel) addFileDialog() {
	fd := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		s.addFile(r.URI().Path())
	}, s.app.win)
	fd.SetFilter(storage.NewExtensionFileFilter([]string{".p12", ".pfx"}))
	fd.Resize(s.app.dialogSize())
	fd.Show()
}

// addFile adds a PKCS#12 file to the list and selects it.
func (s *signerPanel) addFile(path string) {
	c, err := flow.FileChoice(path)
	if err != nil {
		s.app.showError(i18n.T("ui.err.add_key_file"), err)
		return
	}
	s.mu.Lock()
	if !slices.ContainsFunc(s.files, func(x flow.KeyChoice) bool { return x.Ref == c.Ref }) {
		s.files = append(s.files, c)
	}
	s.selected = c.Ref
	s.mu.Unlock()
	s.refreshView()
}

func (s *signerPanel) showDetails() {
	c, ok := s.chosen()
	if !ok || c.Cert == nil {
		return
	}
	form := widget.NewForm(widget.NewFormItem(i18n.T("ui.cert.name"), wrapped(c.Name)),
		widget.NewFormItem(i18n.T("ui.cert.purpose"), wrapped(c.Purpose.Words())))
	for _, it := range certRows(c.CertificateSummary) {
		form.AppendItem(it)
	}
	form.Append(i18n.T("ui.cert.token"), wrapped(c.Token))
	form.Append(i18n.T("ui.cert.object"), wrapped(c.Label))
	d := dialog.NewCustom(i18n.T("ui.cert.of", map[string]any{"Name": c.Name}), i18n.T("ui.close"), container.NewVScroll(form), s.app.win)
	size := s.app.win.Canvas().Size()
	d.Resize(fyne.NewSize(min(size.Width-20, 680), min(size.Height-20, 600)))
	s.app.keyed(d, nil)
}
