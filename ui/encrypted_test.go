package ui

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpdf"
)

// buttonIn finds the button labelled text in o.
func buttonIn(o fyne.CanvasObject, text string) *widget.Button {
	switch w := o.(type) {
	case *widget.Button:
		if w.Text == text {
			return w
		}
	case *fyne.Container:
		for _, c := range w.Objects {
			if b := buttonIn(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}

// TestEncryptedDocumentsInTheApp: a document locked with a password asks
// it in a dialog (again when wrong), one whose permissions forbid a
// signature asks the owner password, both are signed, and the report of
// the locked copy opens with its password.
func TestEncryptedDocumentsInTheApp(t *testing.T) {
	pdfcheck.Require(t, "qpdf")
	h := newHarness(t, nil, nil)
	plain := filepath.Join(t.TempDir(), "plain.pdf")
	if err := testpdf.WriteFile(plain, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	encrypt := func(name string, args ...string) string {
		out := filepath.Join(h.dir, name)
		if b, err := exec.Command("qpdf", append(args, plain, out)...).CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v\n%s", err, b)
		}
		return out
	}
	locked := encrypt("slēgts.pdf", "--encrypt", "parole", "īpašnieks", "256", "--")
	restricted := encrypt("ierobežots.pdf", "--encrypt", "", "īpašnieks", "128", "--use-aes=y", "--annotate=n", "--form=n", "--")
	h.add(locked, restricted)
	if got := describeDocument(h.app.docs.entry(0)).details; got != "encrypted: its password opens it" {
		t.Errorf("the locked document's row says %q", got)
	}
	if got := describeDocument(h.app.docs.entry(1)).details; !strings.HasPrefix(got, "1 page") {
		t.Errorf("the restricted document's row says %q", got)
	}

	h.choose(softhsmtest.MainToken, "P-256 signing")
	test.Tap(h.app.signBtn)
	// The document opens before the key is used: its password first.
	sd := h.answer("Parole")
	if sd.title != "Document password" || !strings.Contains(secretExplanation(sd.req), "slēgts.pdf is protected by a password") {
		t.Errorf("password dialog %q: %q", sd.title, secretExplanation(sd.req))
	}
	sd = h.answer("parole")
	if sd.warning != "That password does not open the document." {
		t.Errorf("the second password dialog warns %q", sd.warning)
	}
	h.answer(softhsmtest.PIN)
	sd = h.answer("īpašnieks")
	if sd.title != "Owner password" || !strings.Contains(secretExplanation(sd.req), "forbid filling in forms and annotating") {
		t.Errorf("owner password dialog %q: %q", sd.title, secretExplanation(sd.req))
	}
	rows := h.results()
	if len(rows) != 2 || !rows[0].OK || !rows[1].OK {
		t.Fatalf("results %+v (error %v)", rows, h.lastError())
	}
	if rows[0].Verdict != "signed, encrypted with its password" || rows[1].Verdict != "1 signature, valid, not fully checked" {
		t.Errorf("verdicts %q, %q", rows[0].Verdict, rows[1].Verdict)
	}
	v := pdfcheck.New(t, h.env.PKI)
	v.Password = "parole"
	v.QPDF(t, rows[0].Output)
	v.PDFSig(t, rows[0].Output, 1)

	// The report of the locked copy asks its password.
	h.add(rows[0].Output)
	h.app.showReport(h.app.docs.entry(2))
	h.app.mu.Lock()
	body := h.app.report
	h.app.mu.Unlock()
	open := buttonIn(body, "Enter the password…")
	if open == nil {
		t.Fatalf("the locked report offers no password: %s", texts(body))
	}
	test.Tap(open)
	h.answer("parole")
	h.waitFor("the report", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		return strings.Contains(texts(h.app.report), "No signature failed, but not everything could be checked")
	})
}
