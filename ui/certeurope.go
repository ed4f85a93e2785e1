package ui

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/certeurope"
)

func methodCertEurope() string { return i18n.T("ui.method.certeurope") }

// certEuropeOTPs are the settings' values of the OTP channels, in the
// form's order; unset is SMS (a code confirms what the holder signs: the
// safer default), "none" no code.
var certEuropeOTPs = []string{"none", "sms", "email"}

func certEuropeOTPNames() []string {
	return []string{i18n.T("ui.ce.otp_none"), i18n.T("ui.ce.otp_sms"), i18n.T("ui.ce.otp_email")}
}

// certEuropeOTP is the channel chosen in the form, as the service takes
// it ("" for no code).
func (f *certEuropeForm) certEuropeOTP() string {
	if v := certEuropeOTPs[max(f.otp.SelectedIndex(), 0)]; v != "none" {
		return v
	}
	return ""
}

// certEuropeForm is the holder a one-time certificate is issued to and
// how they confirm; kept in the settings.
type certEuropeForm struct {
	box                                 *fyne.Container
	first, last, email, mobile, country *widget.Entry
	otp                                 *widget.Select
}

func newCertEuropeForm(app *App) *certEuropeForm {
	s := app.cfg.Settings
	f := &certEuropeForm{}
	entry := func(text, placeholder string, save func(string)) *widget.Entry {
		e := widget.NewEntry()
		e.SetText(text)
		e.SetPlaceHolder(placeholder)
		e.OnChanged = func(v string) { save(strings.TrimSpace(v)) }
		return e
	}
	f.first = entry(s.CertEuropeFirstname, i18n.T("ui.ce.first_name"), func(v string) { s.CertEuropeFirstname = v })
	f.last = entry(s.CertEuropeLastname, i18n.T("ui.ce.last_name"), func(v string) { s.CertEuropeLastname = v })
	f.email = entry(s.CertEuropeEmail, i18n.T("ui.ce.email"), func(v string) { s.CertEuropeEmail = v })
	f.mobile = entry(s.CertEuropeMobile, i18n.T("ui.ce.mobile"), func(v string) { s.CertEuropeMobile = v })
	country := s.CertEuropeCountry
	if country == "" {
		country = "FR"
	}
	f.country = entry(country, "FR", func(v string) { s.CertEuropeCountry = v })
	f.otp = newSelect(certEuropeOTPNames(), func(string) { s.CertEuropeOTP = certEuropeOTPs[max(f.otp.SelectedIndex(), 0)] })
	chosen := slices.Index(certEuropeOTPs, s.CertEuropeOTP)
	if chosen < 0 {
		chosen = 1 // unset: a code by SMS
	}
	f.otp.SetSelectedIndex(chosen)
	note := widget.NewLabel(i18n.T("ui.certeurope.intro"))
	note.Wrapping = fyne.TextWrapWord
	f.box = container.NewVBox(widget.NewForm(
		widget.NewFormItem(i18n.T("ui.holder"), container.NewGridWithColumns(2, f.first, f.last)),
		widget.NewFormItem(i18n.T("ui.contact"), container.NewGridWithColumns(2, f.email, f.mobile)),
		widget.NewFormItem(i18n.T("ui.ce.country"), f.country),
		widget.NewFormItem(i18n.T("ui.confirm_with"), f.otp)), note)
	f.box.Hide()
	return f
}

// signCertEurope signs through SignAPI with the settings' client
// certificate (its PIN or password asked the usual way).
func (a *App) signCertEurope(ctx context.Context, r signRequest, progress func(int, int, string)) ([]flow.Result, error) {
	s := a.cfg.Settings
	f := a.signer.certeu
	holder := certeurope.Holder{Firstname: f.first.Text, Lastname: f.last.Text, Email: f.email.Text, Mobile: f.mobile.Text, Country: f.country.Text}
	if holder.Firstname == "" || holder.Lastname == "" || holder.Email == "" || holder.Mobile == "" || holder.Country == "" {
		return nil, i18n.Errorf("ui.ce.err_holder", nil)
	}
	if s.CertEuropeClientKey == "" {
		return nil, i18n.Errorf("ui.ce.err_client", nil)
	}
	cas, err := keys.LoadCertificates(nonEmpty(s.CertEuropeServerCA))
	if err != nil {
		return nil, err
	}
	signer, err := flow.OpenSigner(ctx, a.modules(), s.CertEuropeClientKey, a.prompter)
	if err != nil {
		return nil, err
	}
	defer signer.Close()
	tlsCfg, err := certeurope.TLSConfig(signer, cas)
	if err != nil {
		return nil, err
	}
	c, err := certeurope.New(certeurope.Config{URL: s.CertEuropeURL, TLS: tlsCfg})
	if err != nil {
		return nil, err
	}
	level := r.level
	if level == "" {
		level = pdf.LevelBT
	}
	opts := flow.CertEuropeOptions{Holder: holder, OTP: f.certEuropeOTP(), Level: level, Appearance: r.pdf.Appearance,
		Verify: a.verifyOptions(), Overwrite: r.overwrite}
	if a.aadhaarPoll > 0 {
		opts.Poll = a.aadhaarPoll
	}
	progress(0, len(r.jobs), r.jobs[0].Input)
	res := flow.SignWithCertEurope(ctx, c, a.prompter, r.jobs, opts)
	progress(len(r.jobs), len(r.jobs), "")
	return res, nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
