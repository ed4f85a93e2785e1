package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/biometrid"
	"github.com/signet-sign/signet/remote/cmd"
	"github.com/signet-sign/signet/remote/eparaksts"
	"github.com/signet-sign/signet/remote/remotesigning"
)

// Keyring entries, the same the CLI reads.
const (
	keyringEParaksts     = "signet-eparaksts"
	keyringRemoteSigning = "signet-remotesigning"
	keyringCMD           = "signet-cmd"
	keyringBiometrid     = "signet-biometrid"
)

// The services that sign with the Chave Móvel Digital.
const (
	cmdViaAMA       = 0 // AMA: only the documents' hashes are sent
	cmdViaBiometrid = 1 // biometrid: the whole document is sent
)

// remoteForms are the short forms of the signing services.
type remoteForms struct {
	app           *App
	eparaksts     *fyne.Container
	profile       *widget.RadioGroup
	remoteSigning *fyne.Container
	agreement     *widget.Entry
	authMode      *widget.Select
	cmd           *fyne.Container
	phone         *widget.Entry
	cmdVia        *widget.RadioGroup
	cmdNote       *widget.Label
}

// authModes are the ways to authorize, in the order the form shows them.
var authModes = []string{remotesigning.AuthPIN, remotesigning.AuthOTPSMS, remotesigning.AuthOTPEmail}

func newRemoteForms(app *App) *remoteForms {
	f := &remoteForms{app: app}
	prep, prod := i18n.T("ui.eparaksts.prep"), i18n.T("ui.eparaksts.prod")
	f.profile = widget.NewRadioGroup([]string{prep, prod}, func(s string) {
		p := "prod"
		if s == prep {
			p = "prep"
		}
		app.cfg.Settings.EParakstsProfile = p
	})
	f.profile.Horizontal = true
	if app.cfg.Settings.EParakstsProfile == "prep" {
		f.profile.SetSelected(prep)
	} else {
		f.profile.SetSelected(prod)
	}
	note := widget.NewLabel(i18n.T("ui.eparaksts.intro"))
	note.Wrapping = fyne.TextWrapWord
	f.eparaksts = container.NewVBox(widget.NewForm(widget.NewFormItem(i18n.T("ui.service"), f.profile)), note)
	f.eparaksts.Hide()

	f.agreement = widget.NewEntry()
	f.agreement.SetPlaceHolder(i18n.T("ui.ph.agreement"))
	f.agreement.SetText(app.cfg.Settings.RemoteSigningAgreement)
	f.agreement.OnChanged = func(s string) { app.cfg.Settings.RemoteSigningAgreement = strings.TrimSpace(s) }
	f.authMode = newSelect([]string{i18n.T("ui.rs.passcode"), i18n.T("ui.rs.otp_sms"), i18n.T("ui.rs.otp_email")}, nil)
	f.authMode.SetSelectedIndex(0)
	rsNote := widget.NewLabel(i18n.T("ui.remotesigning.intro"))
	rsNote.Wrapping = fyne.TextWrapWord
	f.remoteSigning = container.NewVBox(widget.NewForm(
		widget.NewFormItem(i18n.T("ui.agreement"), f.agreement),
		widget.NewFormItem(i18n.T("ui.authorize_with"), f.authMode)), rsNote)
	f.remoteSigning.Hide()

	f.phone = widget.NewEntry()
	f.phone.SetPlaceHolder("912 345 678")
	f.phone.SetText(app.cfg.Settings.CMDPhone)
	f.phone.OnChanged = func(s string) { app.cfg.Settings.CMDPhone = strings.TrimSpace(s) }
	f.cmdNote = widget.NewLabel("")
	f.cmdNote.Wrapping = fyne.TextWrapWord
	via := []string{i18n.T("ui.cmd.via_ama"), i18n.T("ui.cmd.via_biometrid")}
	f.cmdVia = widget.NewRadioGroup(via, func(s string) {
		if s == via[cmdViaBiometrid] {
			app.cfg.Settings.CMDVia = "biometrid"
			f.cmdNote.Importance = widget.WarningImportance
			f.cmdNote.SetText(i18n.T("ui.cmd.biometrid_note"))
		} else {
			app.cfg.Settings.CMDVia = ""
			f.cmdNote.Importance = widget.MediumImportance
			f.cmdNote.SetText(i18n.T("ui.cmd.note"))
		}
		if app.options != nil {
			app.options.methodChanged(methodCMD())
		}
	})
	f.cmdVia.Required = true
	if app.cfg.Settings.CMDVia == "biometrid" {
		f.cmdVia.SetSelected(via[cmdViaBiometrid])
	} else {
		f.cmdVia.SetSelected(via[cmdViaAMA])
	}
	f.cmd = container.NewVBox(widget.NewForm(
		widget.NewFormItem(i18n.T("ui.phone"), f.phone),
		widget.NewFormItem(i18n.T("ui.service"), f.cmdVia)), f.cmdNote)
	f.cmd.Hide()
	return f
}

// cmdUploads tells whether the Chave Móvel Digital signs through
// biometrid, which takes the whole document and makes the signature.
func (f *remoteForms) cmdUploads() bool {
	return f.cmdVia.Selected == f.cmdVia.Options[cmdViaBiometrid]
}

// signCMD signs with the Chave Móvel Digital, through AMA's service or
// biometrid's.
func (a *App) signCMD(ctx context.Context, r signRequest, progress func(int, int, string)) ([]flow.Result, error) {
	f := a.signer.remote
	uid, err := cmd.UserID(f.phone.Text)
	if err != nil {
		return nil, err
	}
	verify := a.verifyOptions()
	if f.cmdUploads() {
		c, err := biometrid.New(biometrid.Config{URL: a.cfg.Settings.CMDURL,
			Key: a.secret(keyringBiometrid, "key"), Secret: a.secret(keyringBiometrid, "secret")})
		if err != nil {
			return nil, err
		}
		var results []flow.Result
		for _, res := range flow.SignFilesWithBiometrid(ctx, c, a.prompter, r.jobs, flow.BiometridOptions{UserID: uid, Verify: verify, Overwrite: r.overwrite}, progress) {
			results = append(results, res.Result)
		}
		return results, nil
	}
	ci, err := cmd.LoadCipher(a.cfg.Settings.CMDCifra, cmd.DefaultPadding)
	if err != nil {
		return nil, err
	}
	c, err := cmd.New(cmd.Config{URL: a.cfg.Settings.CMDURL, ApplicationID: a.secret(keyringCMD, "application-id"),
		Username: a.secret(keyringCMD, "username"), Password: a.secret(keyringCMD, "password"), Cipher: ci})
	if err != nil {
		return nil, err
	}
	opts := flow.CMDOptions{UserID: uid, PDF: r.pdf, Level: r.level, Verify: verify, Overwrite: r.overwrite,
		Progress: progress, Inform: a.inform}
	if r.level != "" && r.level != pdf.LevelBB {
		opts.PDF.Timestamper = tsaFor(a.cfg.Settings.TSAURL)
	}
	if len(verify.ExtraRoots) > 0 {
		opts.LTV.Roots = keys.SystemPoolWith(verify.ExtraRoots)
	}
	return flow.SignWithCMD(ctx, c, a.prompter, r.jobs, opts), nil
}

// inform shows what the person should know before a signing's
// questions (how many security codes will come), in a dialog that stays
// until dismissed.
func (a *App) inform(msg string) {
	a.do(func() { dialog.ShowInformation(i18n.T("ui.before_sign"), msg, a.win) })
}

// secret reads a credential from the keyring.
func (a *App) secret(service, user string) string {
	if a.cfg.Secrets == nil {
		return ""
	}
	v, err := a.cfg.Secrets.Get(service, user)
	if err != nil {
		return ""
	}
	return v
}

func (a *App) signRemote(ctx context.Context, r signRequest, progress func(int, int, string)) ([]flow.Result, error) {
	f := a.signer.remote
	agreement := strings.TrimSpace(f.agreement.Text)
	if agreement == "" {
		return nil, i18n.Errorf("ui.rs.err_agreement", nil)
	}
	c, err := remotesigning.New(remotesigning.Config{URL: a.cfg.Settings.RemoteSigningURL,
		Username: a.secret(keyringRemoteSigning, "username"), Password: a.secret(keyringRemoteSigning, "password"),
		RPCode: a.secret(keyringRemoteSigning, "rp-code")})
	if err != nil {
		return nil, err
	}
	verify := a.verifyOptions()
	opts := flow.RemoteSigningOptions{Agreement: agreement, AuthMode: authModes[max(f.authMode.SelectedIndex(), 0)], PDF: r.pdf,
		Verify: verify, ChainOptions: a.chainOptions(), Overwrite: r.overwrite}
	if r.level != "" && r.level != "B-B" {
		opts.PDF.Timestamper = tsaFor(a.cfg.Settings.TSAURL)
	}
	progress(0, len(r.jobs), r.jobs[0].Input)
	res := flow.SignWithRemoteSigning(ctx, c, a.prompter, r.jobs, opts)
	progress(len(r.jobs), len(r.jobs), "")
	return res, nil
}

func (a *App) signEParaksts(ctx context.Context, r signRequest, progress func(int, int, string)) ([]flow.Result, error) {
	profile := a.cfg.Settings.EParakstsProfile
	if profile == "" {
		profile = "prod"
	}
	ends := eparaksts.Profiles[profile]
	if a.cfg.EParaksts != nil {
		ends = *a.cfg.EParaksts
	}
	c, err := eparaksts.New(eparaksts.Config{Endpoints: ends,
		ClientID: a.secret(keyringEParaksts, "client-id"), ClientSecret: a.secret(keyringEParaksts, "client-secret")})
	if err != nil {
		return nil, err
	}
	signer, err := flow.OpenSigner(ctx, a.modules(), r.key.Ref, a.prompter)
	if err != nil {
		return nil, err
	}
	defer signer.Close()
	auth, err := flow.AuthCertificate(signer)
	if err != nil {
		return nil, err
	}
	progress(0, len(r.jobs), r.jobs[0].Input)
	res := flow.SignWithEParaksts(ctx, c, signer, auth, r.jobs, flow.EParakstsOptions{
		Confirm: a.confirmDigests, Verify: a.verifyOptions(), Overwrite: r.overwrite})
	progress(len(r.jobs), len(r.jobs), "")
	out := make([]flow.Result, len(res))
	for i, x := range res {
		out[i] = x.Result
	}
	return out, nil
}

// confirmDigests shows what eParaksts asks the card to sign and waits
// for the person's yes, before any PIN.
func (a *App) confirmDigests(ctx context.Context, items []flow.ToSign) error {
	answer := make(chan bool, 1)
	a.do(func() {
		var lines []string
		for _, it := range items {
			lines = append(lines, fmt.Sprintf("%s\n  %s %X", it.Document, it.Algorithm, it.Digest))
		}
		l := widget.NewLabel(strings.Join(lines, "\n"))
		l.Wrapping = fyne.TextWrapBreak
		d := dialog.NewCustomConfirm(i18n.T("ui.eparaksts.asks"), i18n.T("ui.sign"), i18n.T("ui.cancel"),
			container.NewVScroll(l), func(ok bool) { answer <- ok }, a.win)
		d.Resize(fyne.NewSize(560, 360))
		d.Show()
		a.mu.Lock()
		a.confirmDlg = d
		a.mu.Unlock()
	})
	select {
	case <-ctx.Done():
		return ctx.Err()
	case ok := <-answer:
		if !ok {
			return i18n.Errorf("ui.eparaksts.declined", nil)
		}
		return nil
	}
}
