package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/prompt"
)

// dialogPrompter asks for PINs, passwords and codes in dialogs. It is
// called from the signing goroutine and waits for the person.
type dialogPrompter struct {
	app *App
}

// secretDialog is a shown secret dialog, for tests to answer.
type secretDialog struct {
	req    prompt.Request
	entry  *escEntry
	dialog *dialog.ConfirmDialog
	title  string
	// warning is the tries-left line shown, "" when none.
	warning string
	// resend asks the service for a new code (req.CanResend), else nil.
	resend *widget.Button
}

func (p *dialogPrompter) Secret(ctx context.Context, req prompt.Request) ([]byte, error) {
	// One question at a time: two tokens signing at once ask in turn.
	if err := p.app.questions.Acquire(ctx); err != nil {
		return nil, fmt.Errorf("%w: %v", prompt.ErrCancelled, err)
	}
	defer p.app.questions.Release()
	answer := make(chan []byte, 1)
	resend := make(chan struct{}, 1)
	var sd *secretDialog
	// Shown before this goroutine goes on (doWait): a page that gives up
	// at once takes down a dialog that is there, not one still to come.
	p.app.doWait(func() {
		sd = p.app.newSecretDialog(req, func(secret []byte) { answer <- secret }, func() { resend <- struct{}{} })
		p.app.mu.Lock()
		p.app.secretDlg = sd
		p.app.mu.Unlock()
	})
	defer func() {
		// This question's own dialog, whatever the pointer says now.
		p.app.mu.Lock()
		if p.app.secretDlg == sd {
			p.app.secretDlg = nil
		}
		p.app.mu.Unlock()
		if sd != nil {
			p.app.do(sd.dialog.Hide)
		}
	}()
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %v", prompt.ErrCancelled, ctx.Err())
	case <-resend:
		return nil, prompt.ErrResend
	case s := <-answer:
		if s == nil {
			return nil, prompt.ErrCancelled // nothing given: nothing to say
		}
		return s, nil
	}
}

// newSecretDialog shows the question; done gets the secret, or nil when
// the person cancels; resend is called when the person asks for a new
// code (req.CanResend). The entry is emptied as soon as it is read.
func (a *App) newSecretDialog(req prompt.Request, done func([]byte), resend func()) *secretDialog {
	sd := &secretDialog{req: req, title: secretTitle(req), warning: secretWarning(req)}
	sd.entry = newEscEntry(true)
	sd.entry.SetPlaceHolder(sd.title)
	if req.Kind == prompt.OTP {
		sd.entry = newEscEntry(false) // a one-time code is read off a phone
		sd.entry.SetPlaceHolder(i18n.T("ui.ph.code"))
	}
	what := widget.NewLabel(secretExplanation(req))
	what.Wrapping = fyne.TextWrapWord
	items := []fyne.CanvasObject{what}
	if sd.warning != "" {
		w := widget.NewLabelWithStyle(sd.warning, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		w.Importance = widget.WarningImportance
		if req.TriesLeft == 1 {
			w.Importance = widget.DangerImportance
		}
		w.Wrapping = fyne.TextWrapWord
		items = append(items, container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil, w))
	}
	items = append(items, sd.entry)
	answered := false
	if req.CanResend {
		sd.resend = widget.NewButtonWithIcon(i18n.T("ui.send_new_code"), theme.MailSendIcon(), func() {
			if answered {
				return
			}
			answered = true
			sd.entry.SetText("")
			resend()
			sd.dialog.Hide()
		})
		items = append(items, container.NewHBox(sd.resend))
	}
	finish := func(ok bool) {
		if answered {
			return
		}
		answered = true
		if !ok || sd.entry.Text == "" {
			sd.entry.SetText("")
			done(nil)
			return
		}
		secret := []byte(sd.entry.Text)
		sd.entry.SetText("")
		done(secret)
	}
	sd.dialog = dialog.NewCustomConfirm(sd.title, i18n.T("ui.ok"), i18n.T("ui.cancel"), container.NewVBox(items...), finish, a.win)
	sd.entry.OnSubmitted = func(string) {
		finish(true)
		sd.dialog.Hide()
	}
	sd.entry.onEscape = sd.dialog.Hide // cancels: finish(false)
	sd.dialog.Resize(fyne.NewSize(440, 0))
	sd.dialog.Show()
	a.win.Canvas().Focus(sd.entry)
	return sd
}

// secretWarning says how close the secret is to locking, as a sentence.
func secretWarning(req prompt.Request) string {
	return sentence(req.Warning())
}

func secretTitle(req prompt.Request) string {
	switch req.Kind {
	case prompt.SignaturePIN:
		return i18n.T("pin.title.signature")
	case prompt.Password:
		return i18n.T("pin.title.keyfile")
	case prompt.Passcode:
		return i18n.T("pin.title.passcode")
	case prompt.OTP:
		if req.CanResend {
			return i18n.T("pin.title.security_code")
		}
		return i18n.T("pin.title.otp")
	case prompt.AccountPIN:
		return i18n.T("pin.title.signature")
	case prompt.DocumentPassword:
		if req.Owner {
			return i18n.T("pin.title.owner")
		}
		return i18n.T("pin.title.document")
	}
	return i18n.T("pin.title.token")
}

func secretExplanation(req prompt.Request) string {
	if c := req.Certificate; c != nil && (req.Kind == prompt.SignaturePIN || req.Kind == prompt.TokenPIN || req.Kind == prompt.AccountPIN) {
		// Which of the person's keys: purpose, issuer, validity.
		req.Key = i18n.T("pin.key_described", map[string]any{"Key": req.Key, "Purpose": keys.CertificatePurpose(c).Words(),
			"Issuer": c.Issuer.CommonName, "Until": i18n.Day(c.NotAfter)})
	}
	switch req.Kind {
	case prompt.SignaturePIN:
		return i18n.T("pin.explain.signature", map[string]any{"Token": req.Token, "Key": req.Key})
	case prompt.Password:
		return i18n.T("pin.explain.password", map[string]any{"Token": req.Token})
	case prompt.Passcode:
		return i18n.T("pin.explain.passcode", map[string]any{"Token": req.Token})
	case prompt.OTP:
		if req.CanResend {
			return i18n.T("pin.explain.sms_code", map[string]any{"Token": req.Token})
		}
		return i18n.T("pin.explain.otp", map[string]any{"Token": req.Token})
	case prompt.AccountPIN:
		return i18n.T("pin.explain.account", map[string]any{"Token": req.Token, "Key": req.Key})
	case prompt.DocumentPassword:
		if req.Owner {
			return i18n.T("pin.explain.owner", map[string]any{"Token": req.Token})
		}
		return i18n.T("pin.explain.document", map[string]any{"Token": req.Token})
	}
	if req.Key != "" {
		return i18n.T("pin.explain.token_key", map[string]any{"Token": req.Token, "Key": req.Key})
	}
	return i18n.T("pin.explain.token", map[string]any{"Token": req.Token})
}

// Pinpad tells the person to use the reader's keypad until it answers.
func (p *dialogPrompter) Pinpad(_ context.Context, req prompt.Request) func() {
	var d dialog.Dialog
	p.app.doWait(func() {
		msg := i18n.T("pin.explain.pinpad", map[string]any{"Token": req.Token})
		if w := secretWarning(req); w != "" {
			msg += "\n\n" + w
		}
		l := widget.NewLabel(msg)
		l.Wrapping = fyne.TextWrapWord
		d = dialog.NewCustomWithoutButtons(i18n.T("ui.pin_on_reader"), container.NewVBox(l, widget.NewProgressBarInfinite()), p.app.win)
		d.Resize(fyne.NewSize(420, 0))
		d.Show()
	})
	return func() { p.app.do(d.Hide) }
}
