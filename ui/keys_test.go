package ui

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"github.com/signet-sign/signet/internal/softhsmtest"
)

// TestKeyboard (issue 31, 9): every action of the window is in its main
// menu with a shortcut (main-menu shortcuts reach the window while a
// text field has focus); dialogs answer Escape and Enter, the PIN field
// too.
func TestKeyboard(t *testing.T) {
	h := newHarness(t, nil, nil)
	shortcuts := map[string]*fyne.MenuItem{}
	for _, m := range h.app.menu.Items {
		for _, it := range m.Items {
			if s, ok := it.Shortcut.(*desktop.CustomShortcut); ok {
				shortcuts[s.ShortcutName()] = it
			}
		}
	}
	ctrl := fyne.KeyModifierShortcutDefault
	for _, want := range []*desktop.CustomShortcut{
		{KeyName: fyne.KeyO, Modifier: ctrl}, {KeyName: fyne.KeyO, Modifier: ctrl | fyne.KeyModifierShift},
		{KeyName: fyne.KeyReturn, Modifier: ctrl}, {KeyName: fyne.KeyR, Modifier: ctrl},
		{KeyName: fyne.KeyE, Modifier: ctrl}, {KeyName: fyne.KeyComma, Modifier: ctrl},
	} {
		if shortcuts[want.ShortcutName()] == nil {
			t.Errorf("no menu item for %s", want.ShortcutName())
		}
	}
	overlays := func() int { return len(h.app.win.Canvas().Overlays().List()) }
	key := func(k fyne.KeyName) { h.app.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: k}) }

	// An error dialog: Escape closes it, and so does Enter.
	for _, k := range []fyne.KeyName{fyne.KeyEscape, fyne.KeyReturn} {
		h.app.showError("Something", errors.New("went wrong"))
		if overlays() != 1 {
			t.Fatalf("%d overlays", overlays())
		}
		key(k)
		if overlays() != 0 {
			t.Errorf("%s leaves the error dialog open", k)
		}
	}

	// Ctrl+Enter signs; in the PIN field Escape cancels: nothing signed.
	h.docs("a.pdf")
	h.choose(softhsmtest.MainToken, "P-256 signing")
	shortcuts[(&desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: ctrl}).ShortcutName()].Action()
	pin := h.secretDialog()
	test.Type(pin.entry, "12")
	pin.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	h.idle()
	h.waitFor("the signing to end", func() bool { return !h.app.isBusy() })
	out := filepath.Join(h.dir, "a-signed.pdf")
	if _, err := os.Stat(out); err == nil {
		t.Fatal("Escape in the PIN field signed")
	}

	// The replace question: Enter says yes, and the copy is replaced.
	os.WriteFile(out, []byte("an earlier copy"), 0o644)
	h.app.mu.Lock()
	h.app.lastResults, h.app.lastError = nil, nil
	h.app.mu.Unlock()
	test.Tap(h.app.signBtn)
	if overlays() != 1 {
		t.Fatalf("no replace question")
	}
	key(fyne.KeyReturn)
	h.answer(softhsmtest.PIN)
	if rows := h.results(); len(rows) != 1 || !rows[0].OK {
		t.Fatalf("rows %+v (%v)", rows, h.lastError())
	}
	key(fyne.KeyEscape) // the results close
	if overlays() != 0 {
		t.Errorf("Escape leaves the results open")
	}
}

// secretDialog waits for the secret dialog and returns it unanswered.
func (h *harness) secretDialog() *secretDialog {
	h.t.Helper()
	var sd *secretDialog
	h.waitFor("a secret dialog", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		sd = h.app.secretDlg
		return sd != nil
	})
	return sd
}
