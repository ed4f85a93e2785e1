package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
)

// TestExtendForArchive: the action on a selected document someone signed
// at B-B asks to what level, says what will be written (issue 31, 13),
// writes the copy and shows it extended, with a way to open, verify and
// find it (14). A second time, it says the copy will be replaced.
func TestExtendForArchive(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	ltv, err := testtsa.StartLTV(pki)
	if err != nil {
		t.Fatal(err)
	}
	defer ltv.Close()
	tsa, withOCSP := ltv.TSA, ltv.Issue
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Archive Signer", withOCSP)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	doc, signed := filepath.Join(dir, "doc.pdf"), filepath.Join(dir, "contract.pdf")
	testpdf.WriteFile(doc, testpdf.Options{})
	if err := pdf.SignFile(context.Background(), doc, signed, e.Key, pki.Chain(e.Cert), pdf.Options{}); err != nil {
		t.Fatal(err)
	}
	anchors := writePEM(t, "root.pem", pki.Root.Cert.Raw)
	h := newHarness(t, &config.Config{TSAURL: tsa.URL, TrustAnchors: []string{anchors}}, nil)
	h.app.AddFiles([]string{signed})
	h.waitFor("the document listed", func() bool { return h.app.docs.length() == 1 })
	if !h.app.docs.extendBtn.Disabled() {
		t.Error("the action is offered with nothing selected")
	}
	h.app.docs.list.Select(0)
	test.Tap(h.app.docs.extendBtn)
	// Nothing runs before the person confirms.
	confirm := h.app.win.Canvas().Overlays().Top()
	if h.app.isBusy() || h.app.extendChoice == nil {
		t.Fatal("extending started without asking")
	}
	if got := h.app.extendChoice.Options; len(got) != 3 || !strings.HasPrefix(got[0], "B-T — ") || !strings.HasPrefix(got[2], "B-LTA — ") || h.app.extendChoice.SelectedIndex() != 2 {
		t.Errorf("levels %q, chosen %d", got, h.app.extendChoice.SelectedIndex())
	}
	if said := allTexts(confirm); !strings.Contains(said, "contract-extended.pdf") || !strings.Contains(said, tsa.URL) {
		t.Errorf("the dialog does not say what it writes:\n%s", said)
	}
	h.app.extendChoice.SetSelectedIndex(1) // B-LT
	test.Tap(findButton(confirm, "Extend"))
	rows := h.results()
	if len(rows) != 1 || rows[0].Err != nil || !strings.HasSuffix(rows[0].Output, "contract-extended.pdf") || rows[0].Verdict != "2 signatures, valid" {
		t.Fatalf("%+v %v", rows, h.lastError())
	}
	rep, err := pdf.VerifyFile(context.Background(), rows[0].Output, pdf.VerifyOptions{Roots: pki.Roots()})
	if err != nil || rep.Signatures[0].Level != "B-LT" {
		t.Fatalf("%v %+v", err, rep)
	}
	results := h.app.win.Canvas().Overlays().Top()
	if said := allTexts(results); !strings.Contains(said, "extended · 2 signatures, valid") {
		t.Errorf("the results do not say extended:\n%s", said)
	}
	for _, b := range []string{"Open", "Verify", "Show in folder"} {
		if findButton(results, b) == nil {
			t.Errorf("the results offer no %q", b)
		}
	}
	test.Tap(findButton(results, "Verify"))
	h.waitFor("the copy's report", func() bool {
		return findLabel(h.app.win.Canvas().Overlays().Top(), "All signatures are valid.") != nil
	})
	h.app.win.Canvas().Overlays().Top().Hide()
	results.Hide()

	// Again: the copy exists, the dialog says it is replaced.
	h.app.mu.Lock()
	h.app.lastResults = nil
	h.app.mu.Unlock()
	test.Tap(h.app.docs.extendBtn)
	confirm = h.app.win.Canvas().Overlays().Top()
	if said := allTexts(confirm); !strings.Contains(said, "contract-extended.pdf exists already: it will be replaced.") {
		t.Errorf("no word of replacing:\n%s", said)
	}
	test.Tap(findButton(confirm, "Extend")) // B-LTA, the default
	if rows := h.results(); len(rows) != 1 || rows[0].Err != nil {
		t.Fatalf("%+v %v", rows, h.lastError())
	}
	if rep, err := pdf.VerifyFile(context.Background(), rows[0].Output, pdf.VerifyOptions{Roots: pki.Roots()}); err != nil || rep.Signatures[0].Level != "B-LTA" {
		t.Fatalf("%v %+v", err, rep)
	}
}
