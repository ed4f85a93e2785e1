package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"

	"github.com/signet-sign/signet/prompt"
)

// TourDocs are the files the tour works with: Signed is a signed PDF (its
// report is shown), Plain an unsigned one, Broken a file that is not a
// PDF.
type TourDocs struct {
	Signed, Plain, Broken string
	// Token and Label choose the certificate; PIN is typed for it.
	Token, Label, PIN string
}

// Tour drives the running app through its main screens and calls shot
// with a name for each, for the README's screenshots (make screenshots
// runs the real app under Xvfb and captures the screen). It runs off the
// UI goroutine and returns when done.
func (a *App) Tour(d TourDocs, capture func(name string) error) error {
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
	fyne.DoAndWait(func() { a.closeTop() })

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
		a.secretDlg = a.newSecretDialog(prompt.Request{Kind: prompt.TokenPIN, Token: d.Token, Key: "Zoë Ørsted", TriesLeft: -1, TriesLow: true}, func([]byte) {})
	})
	if err := shot("5-pin-dialog"); err != nil {
		return err
	}
	fyne.DoAndWait(func() { a.secretDlg.dialog.Hide(); a.secretDlg = nil })

	// 5. A batch of three, one of them broken, and its results.
	fyne.DoAndWait(func() {
		a.options.reason.SetText("Apstiprinu")
		a.options.location.SetText("Rīga")
		a.startSigning()
	})
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
	return shot("6-batch-results")
}

// closeTop hides the topmost dialog.
func (a *App) closeTop() {
	if top := a.win.Canvas().Overlays().Top(); top != nil {
		a.win.Canvas().Overlays().Remove(top)
	}
}
