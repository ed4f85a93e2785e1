package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/aadhaar"
)

const keyringAadhaar = "signet-aadhaar"

func methodAadhaar() string { return i18n.T("ui.method.aadhaar") }

// aadhaarForm lists the people asked to sign with Aadhaar eSign.
type aadhaarForm struct {
	app  *App
	box  *fyne.Container
	list *fyne.Container
	rows []*aadhaarRow
	add  *widget.Button
}

// aadhaarRow is one signer: name, identifier, birth year and where the
// signature goes.
type aadhaarRow struct {
	name, id, year *widget.Entry
	place          *pdf.Appearance
	placeBtn       *widget.Button
	box            *fyne.Container
}

func newAadhaarForm(app *App) *aadhaarForm {
	f := &aadhaarForm{app: app, list: container.NewVBox()}
	f.add = widget.NewButtonWithIcon(i18n.T("ui.aadhaar.add_signer"), theme.ContentAddIcon(), func() { f.addRow() })
	note := widget.NewLabel(i18n.T("ui.aadhaar.intro"))
	note.Wrapping = fyne.TextWrapWord
	f.box = container.NewVBox(f.list, f.add, note)
	f.addRow()
	f.box.Hide()
	return f
}

func (f *aadhaarForm) addRow() *aadhaarRow {
	r := &aadhaarRow{name: widget.NewEntry(), id: widget.NewEntry(), year: widget.NewEntry()}
	r.name.SetPlaceHolder(i18n.T("ui.ph.aadhaar_name"))
	r.id.SetPlaceHolder(i18n.T("ui.ph.aadhaar_number"))
	r.year.SetPlaceHolder(i18n.T("ui.ph.birth_year"))
	r.placeBtn = widget.NewButtonWithIcon(i18n.T("ui.place"), theme.ViewFullScreenIcon(), func() { f.placeRow(r) })
	remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { f.removeRow(r) })
	// The name on a line of its own, the number and year below: three
	// fields side by side cut their placeholders in a narrow column.
	r.box = container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(r.placeBtn, remove), r.name),
		container.NewGridWithColumns(2, r.id, r.year), widget.NewSeparator())
	f.rows = append(f.rows, r)
	f.list.Add(r.box)
	if len(f.rows) >= aadhaar.MaxSigners {
		f.add.Disable()
	}
	return r
}

func (f *aadhaarForm) removeRow(r *aadhaarRow) {
	if len(f.rows) == 1 {
		r.name.SetText("")
		r.id.SetText("")
		r.year.SetText("")
		r.place = nil
		return
	}
	for i, x := range f.rows {
		if x == r {
			f.rows = append(f.rows[:i], f.rows[i+1:]...)
			break
		}
	}
	f.list.Remove(r.box)
	f.add.Enable()
}

// placeRow places a signer's signature on the first document's page.
func (f *aadhaarForm) placeRow(r *aadhaarRow) {
	docs := f.app.docs.all()
	if len(docs) == 0 {
		f.app.showError(i18n.T("ui.err.no_document"), errors.New(i18n.T("ui.err.no_document_why")))
		return
	}
	start := r.place
	if start == nil {
		d := aadhaar.DefaultRect(max(slices.Index(f.rows, r), 0))
		start = &pdf.Appearance{Page: d.Page, Rect: [4]float64{d.X1, d.Y1, d.X2, d.Y2}}
	}
	f.app.placementDialog(docs[0].path, start, func(a *pdf.Appearance) {
		r.place = a
		r.placeBtn.SetText(pageWord(a.Page))
	})
}

// pageWord names the page a signature goes on.
func pageWord(p int) string {
	if p < 0 {
		return capitalize(i18n.T("ui.place.last_page"))
	}
	return capitalize(i18n.T("ui.place.page", map[string]any{"N": max(p, 1)}))
}

// signers reads the rows.
func (f *aadhaarForm) signers() ([]flow.AadhaarSigner, error) {
	var out []flow.AadhaarSigner
	for i, r := range f.rows {
		line := strings.Join([]string{r.name.Text, r.id.Text, r.year.Text}, ",")
		if strings.Trim(line, ", ") == "" {
			continue
		}
		sg, err := flow.ParseAadhaarSigner(line)
		if err != nil {
			return nil, i18n.Errorf("ui.aa.err_signer", map[string]any{"N": i + 1})
		}
		if r.place != nil {
			sg.Place = &aadhaar.Rect{Page: r.place.Page, X1: r.place.Rect[0], Y1: r.place.Rect[1], X2: r.place.Rect[2], Y2: r.place.Rect[3]}
		}
		out = append(out, sg)
	}
	if len(out) == 0 {
		return nil, i18n.Errorf("ui.aa.err_none", nil)
	}
	return out, nil
}

// aadhaarStatus is the shown "waiting for the signers" dialog.
type aadhaarStatus struct {
	dialog  dialog.Dialog
	request *widget.Label
	rows    *fyne.Container
	// states are the signers' status lines, for tests.
	states []*widget.Label
	links  []*widget.Button
	urls   []string
}

// signAadhaar has the signers sign each document through the service,
// one request per document, and writes each signed PDF once proven.
func (a *App) signAadhaar(ctx context.Context, r signRequest, progress func(int, int, string)) ([]flow.Result, error) {
	signers, err := a.signer.aadhaar.signers()
	if err != nil {
		return nil, err
	}
	s := a.cfg.Settings
	if s.AadhaarRedirectURL == "" {
		return nil, i18n.Errorf("ui.aa.err_redirect", nil)
	}
	c, err := aadhaar.New(aadhaar.Config{URL: s.AadhaarURL, ClientID: a.secret(keyringAadhaar, "client-id"),
		ClientSecret: a.secret(keyringAadhaar, "client-secret"), ProductInstanceID: a.secret(keyringAadhaar, "product-instance-id")})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st := a.showAadhaarStatus(cancel)
	defer a.do(st.dialog.Hide)
	opts := flow.AadhaarOptions{RedirectURL: s.AadhaarRedirectURL, Verify: a.verifyOptions(), Overwrite: r.overwrite,
		OnStatus: func(req *aadhaar.Request) { a.do(func() { st.update(a, req) }) }}
	if a.aadhaarPoll > 0 {
		opts.Poll = a.aadhaarPoll
	}
	return flow.SignWithAadhaar(ctx, c, r.jobs, signers, opts, progress), nil
}

// showAadhaarStatus opens the dialog that follows the signers.
func (a *App) showAadhaarStatus(stop func()) *aadhaarStatus {
	st := &aadhaarStatus{}
	a.do(func() {
		st.request = widget.NewLabel(i18n.T("ui.uploading"))
		st.request.Wrapping = fyne.TextWrapWord
		st.rows = container.NewVBox()
		stopBtn := widget.NewButtonWithIcon(i18n.T("ui.stop_waiting"), theme.CancelIcon(), stop)
		st.dialog = dialog.NewCustomWithoutButtons(i18n.T("ui.aadhaar.waiting"), container.NewVBox(st.request, st.rows, stopBtn), a.win)
		st.dialog.Resize(fyne.NewSize(560, 0))
		st.dialog.Show()
		a.mu.Lock()
		a.aadhaarDlg = st
		a.mu.Unlock()
	})
	return st
}

// update shows a request's signers: status, the reason of a failed
// attempt, and their signing link.
func (st *aadhaarStatus) update(a *App, r *aadhaar.Request) {
	st.request.SetText(i18n.T("ui.aa.request", map[string]any{"ID": r.ID, "Progress": flow.AadhaarProgress(r)}))
	for len(st.states) < len(r.Signers) {
		i := len(st.states)
		state := widget.NewLabel("")
		state.Wrapping = fyne.TextWrapWord
		link := widget.NewButtonWithIcon(i18n.T("ui.open_link"), theme.ComputerIcon(), nil)
		copyBtn := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), nil)
		st.states, st.links, st.urls = append(st.states, state), append(st.links, link), append(st.urls, "")
		st.rows.Add(container.NewBorder(nil, nil, nil, container.NewHBox(link, copyBtn), state))
		link.OnTapped = func() {
			if u, err := url.Parse(st.urls[i]); err == nil && st.urls[i] != "" {
				_ = a.fyne.OpenURL(u)
			}
		}
		copyBtn.OnTapped = func() { a.fyne.Clipboard().SetContent(st.urls[i]) }
	}
	for i, sg := range r.Signers {
		text := fmt.Sprintf("%s — %s", sg.DisplayName, signerWords(sg.Status))
		if sg.ErrCode != "" && sg.Status != aadhaar.SignerSigned {
			text += ": " + aadhaar.SignerErrorText(sg.ErrCode)
		}
		st.states[i].SetText(text)
		if sg.URL != "" {
			st.urls[i] = sg.URL
		}
		if sg.Status == aadhaar.SignerSigned || st.urls[i] == "" {
			st.links[i].Disable()
		} else {
			st.links[i].Enable()
		}
	}
}

func signerWords(status string) string {
	switch status {
	case aadhaar.SignerSigned:
		return i18n.T("ui.aa.signed")
	case aadhaar.SignerInProgress:
		return i18n.T("ui.aa.signing_now")
	}
	return i18n.T("ui.aa.waiting")
}
