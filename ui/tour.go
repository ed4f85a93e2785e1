package ui

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"

	"github.com/signet-sign/signet/agent"
	"github.com/signet-sign/signet/assets"
	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/aadhaar"
)

// TourDocs are the files the tour works with: Signed is a signed PDF (its
// report is shown), Plain an unsigned one, Broken a file that is not a
// PDF.
type TourDocs struct {
	Signed, Plain, Broken string
	// Valid holds every check (B-LT); Changed was changed after signing:
	// the report's other two outcomes.
	Valid, Changed string
	// Token and Label choose the certificate; PIN is typed for it.
	Token, Label, PIN string
}

// RunTour opens the real app (Fyne's desktop driver) on cfg, walks it
// through its main screens once the window is up, hands each to capture,
// and quits: make screenshots runs it under Xvfb.
func RunTour(cfg Config, d TourDocs, capture func(name string) error) error {
	a := app.NewWithID("io.github.signet-sign.signet.screenshots") // not the person's preferences
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	if th := languageTheme(); th != nil {
		a.Settings().SetTheme(th)
	}
	w := New(a, cfg)
	defer w.Close()
	w.win.Resize(windowSize()) // as Main sizes it
	done := make(chan error, 1)
	a.Lifecycle().SetOnStarted(func() {
		go func() {
			done <- w.Tour(d, capture)
			fyne.Do(a.Quit)
		}()
	})
	w.win.ShowAndRun()
	select {
	case err := <-done:
		return err
	default:
		return errors.New("the window closed before the tour ended")
	}
}

// Tour drives the running app through its main screens and calls shot
// with a name for each, for the README's screenshots (make screenshots
// runs the real app under Xvfb and captures the screen). It runs off the
// UI goroutine and returns when done.
func (a *App) Tour(d TourDocs, capture func(name string) error) error {
	a.tasks.Wait() // the tokens listed
	shot := func(name string) error {
		time.Sleep(600 * time.Millisecond) // let animations and renders settle
		return capture(name)
	}
	waitRead := func() {
		for i := 0; i < 200; i++ {
			done := true
			for _, e := range a.docs.all() {
				a.docs.mu.Lock()
				done = done && e.info != nil
				a.docs.mu.Unlock()
			}
			if done {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	chooseKey := func() {
		for i, c := range a.signer.all() {
			if c.Token == d.Token && c.Label == d.Label {
				a.signer.list.Select(i)
			}
		}
	}

	// 1. Documents, and the report of the signed one.
	fyne.DoAndWait(func() { a.AddFiles([]string{d.Signed, d.Plain, d.Broken}) })
	waitRead()
	fyne.DoAndWait(func() {
		chooseKey()
		a.docs.list.Select(0)
	})
	if err := shot("1-documents"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { a.showReport(a.docs.entry(0)) })
	if err := shot("2-verification-report"); err != nil {
		return err
	}
	// Its end: the level and what the next one lacks.
	fyne.DoAndWait(func() {
		if a.reportScroll != nil {
			a.reportScroll.ScrollToBottom()
		}
	})
	if err := shot("2b-verification-report-end"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { a.closeTop() })
	// The other two outcomes: valid, and not valid.
	for _, r := range []struct{ path, shot string }{{d.Valid, "2c-report-valid"}, {d.Changed, "2d-report-not-valid"}} {
		if r.path == "" {
			continue
		}
		fyne.DoAndWait(func() { a.verifyFile(r.path) })
		for i := 0; i < 200 && !a.reportShown(r.path); i++ {
			time.Sleep(50 * time.Millisecond)
		}
		if err := shot(r.shot); err != nil {
			return err
		}
		fyne.DoAndWait(func() { a.closeTop() })
	}

	// 2. The signer's choice with a certificate's details.
	fyne.DoAndWait(func() { a.signer.showDetails() })
	if err := shot("3-certificate-details"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { a.closeTop() })

	// 3. Visible-signature placement on the page preview.
	fyne.DoAndWait(func() {
		a.options.visible.SetChecked(true)
		a.docs.list.Select(1)
		a.options.showPlacement()
	})
	time.Sleep(1500 * time.Millisecond) // the page renders in the background
	if err := shot("4-placement"); err != nil {
		return err
	}
	fyne.DoAndWait(func() {
		if a.placement != nil {
			a.placement.dialog.Confirm()
		}
	})

	// 4. The PIN dialog, as after a wrong PIN.
	fyne.DoAndWait(func() {
		a.secretDlg = a.newSecretDialog(prompt.Request{Kind: prompt.TokenPIN, Token: d.Token, Key: "Zoë Ørsted", TriesLeft: -1, TriesLow: true}, func([]byte) {}, nil)
	})
	if err := shot("5-pin-dialog"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { a.secretDlg.dialog.Hide(); a.secretDlg = nil })

	// 5. A batch of three, one of them broken, and its results.
	fyne.DoAndWait(func() {
		a.options.reason.SetText("Apstiprinu")
		a.options.location.SetText("Rīga")
		a.docs.list.UnselectAll() // all of them, not the one selected
		a.startSigning()
	})
	// Signing all leaves the broken one out, and says so first: Enter
	// says yes.
	if err := shot("5b-left-out"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { a.typedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) })
	for i := 0; i < 200; i++ {
		a.mu.Lock()
		sd := a.secretDlg
		a.mu.Unlock()
		if sd != nil {
			fyne.DoAndWait(func() {
				sd.entry.SetText(d.PIN)
				sd.entry.OnSubmitted(d.PIN)
			})
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := 0; i < 400; i++ {
		a.mu.Lock()
		done := a.lastResults != nil || a.lastError != nil
		a.mu.Unlock()
		if done {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if a.lastError != nil {
		return fmt.Errorf("the tour's signing failed: %w", a.lastError)
	}
	if err := shot("6-batch-results"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { a.closeTop() })

	// What the person is told when a card's issuer cannot be had (its
	// CA's server down) before the signing goes on.
	a.chainOptions().Warn(&flow.IncompleteChainError{Below: "Anna Bērziņa", Issuer: "CN=Signet Test Intermediate CA,O=Signet Test,C=LV",
		URLs: []string{"http://ca.example.lv/intermediate.cer"}, Err: errors.New("HTTP 503")})
	if err := shot("6b-chain-incomplete"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { a.closeTop() })

	// Aadhaar eSign's signers as the service reports them: one signed,
	// one whose OTP expired, with the service's code said in words.
	st := a.showAadhaarStatus(func() {})
	a.doWait(func() {
		st.update(a, &aadhaar.Request{ID: "8f3c-21d0", Signers: []aadhaar.Signer{
			{DisplayName: "Asha Rao", Status: aadhaar.SignerSigned},
			{DisplayName: "Ravi Kumar", Status: aadhaar.SignerPending, ErrCode: "otp_expired", URL: "https://esign.example.in/s/2"},
		}})
	})
	if err := shot("6c-aadhaar-signers"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { a.closeTop() })

	// A web page's questions, each captured while open with its buttons
	// armed, as the person can use them.
	asked := func(name string, ask func(ctx context.Context)) error {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			ask(ctx)
		}()
		time.Sleep(armDelay)
		err := shot(name)
		cancel()
		<-done
		return err
	}
	certificate := func(match func(c flow.KeyChoice) bool) *x509.Certificate {
		for _, c := range a.signer.all() {
			if match(c) && c.Cert != nil {
				return c.Cert
			}
		}
		return nil
	}

	// 6. A web page asks, through the agent, to sign a digest.
	err := asked("7-agent-approval", func(ctx context.Context) {
		req := agent.Request{Origin: "https://portal.example.lv", Hashes: []string{"SHA-256"},
			Certificate: certificate(func(c flow.KeyChoice) bool { return c.Token == d.Token && c.Label == d.Label }),
			Digests: [][]byte{{0x3a, 0x7b, 0xd3, 0xe2, 0x36, 0x0a, 0x3d, 0x29, 0xee, 0xa4, 0x36, 0xfc, 0xfb, 0x7e, 0x44, 0xc7,
				0x35, 0xd1, 0x17, 0xc4, 0x2d, 0x1c, 0x18, 0x35, 0x42, 0x0b, 0x6b, 0x99, 0x42, 0xdd, 0x4f, 0x1b}}}
		if req.Certificate != nil {
			req.Purpose = keys.CertificatePurpose(req.Certificate) // as the agent says it
		}
		_ = agentConsent{a}.Approve(ctx, req)
	})
	if err != nil {
		return err
	}

	// 7. The same site asks, once, to sign data Signet cannot show.
	err = asked("8-agent-digest-permission", func(ctx context.Context) {
		_, _ = agentConsent{a}.Origin(ctx, agent.OriginQuestion{Origin: "https://portal.example.lv", Domain: "example.lv",
			Permission: agent.PermissionDigests})
	})
	if err != nil {
		return err
	}

	// 8. A site asks the person to log in (a Web eID token).
	err = asked("9-agent-login", func(ctx context.Context) {
		req := agent.Request{Origin: "https://portal.example.lv", Login: true, Token: d.Token, Purpose: keys.PurposeAuthentication,
			Certificate: certificate(func(c flow.KeyChoice) bool { return c.Token == d.Token && c.Purpose == keys.PurposeAuthentication })}
		_ = agentConsent{a}.Approve(ctx, req)
	})
	if err != nil {
		return err
	}

	// 9. Settings, every tab, each scrolled to its end.
	fyne.DoAndWait(func() { a.showSettings() })
	a.mu.Lock()
	v := a.settings
	a.mu.Unlock()
	for i := range v.tabs.Items {
		fyne.DoAndWait(func() {
			v.tabs.SelectIndex(i)
			if sc, ok := v.tabs.Items[i].Content.(*container.Scroll); ok {
				sc.ScrollToBottom()
			}
		})
		if err = shot(fmt.Sprintf("10%c-settings-%d", 'a'+i, i+1)); err != nil {
			return err
		}
	}
	fyne.DoAndWait(func() { a.closeTop() })
	return nil
}

// closeTop hides the topmost dialog.
func (a *App) closeTop() {
	if n := len(a.dialogs); n > 0 {
		a.dialogs[n-1].d.Hide() // as Escape would
		return
	}
	if top := a.win.Canvas().Overlays().Top(); top != nil {
		a.win.Canvas().Overlays().Remove(top)
	}
}

// reportShown tells whether the report of path is the one shown last.
func (a *App) reportShown(path string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reportPath == path
}
