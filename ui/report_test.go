package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zone of Riga on any machine

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/testocsp"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/pdf"
)

// TestThreeOutcomes (issue 31, 8): a report says one of three outcomes,
// as validators do. A signature whose revocation status is unknown is
// "valid, not fully checked" in amber, with the way to settle it; checked
// online it is valid, in green; a changed document is not valid, in red,
// its failing check in red. The chain can be opened; the report saved.
//
// Times (issue 31, 10) are local, in the language's format, the zone
// shown: with the zone of Riga, a signing time reads in EET.
func TestThreeOutcomes(t *testing.T) {
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Fatal(err)
	}
	local := time.Local
	time.Local = riga
	t.Cleanup(func() { time.Local = local })
	h := newHarness(t, nil, nil)
	responder, err := testocsp.Start(h.env.PKI)
	if err != nil {
		t.Fatal(err)
	}
	defer responder.Close()
	e, err := h.env.PKI.NewEntity(testpki.P256, testpki.Signing, "Līga Ozola", testpki.IssueOptions{OCSPServer: responder.URL})
	if err != nil {
		t.Fatal(err)
	}
	doc, signed, changed := filepath.Join(h.dir, "doc.pdf"), filepath.Join(h.dir, "signed.pdf"), filepath.Join(h.dir, "changed.pdf")
	if err := testpdf.WriteFile(doc, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := pdf.SignFile(context.Background(), doc, signed, e.Key, h.env.PKI.Chain(e.Cert), pdf.Options{}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(signed)
	i := bytes.Index(data, []byte("Signet test page 1"))
	data[i] = 'Z' // signed bytes changed
	os.WriteFile(changed, data, 0o644)
	h.add(signed, changed)

	// Not fully checked: amber, said in the list too.
	if got := describeDocument(h.app.docs.entry(0)).details; !strings.HasSuffix(got, i18n.N("docs.signatures_unchecked", 1)) {
		t.Errorf("row says %q", got)
	}
	h.app.showReport(h.app.docs.entry(0))
	summary := findLabel(h.app.report, i18n.T("report.not_fully_checked"))
	if summary == nil || summary.Importance != widget.WarningImportance {
		t.Fatalf("the summary of an unknown revocation status:\n%s", texts(h.app.report))
	}
	if !strings.Contains(texts(h.app.report), "Līga Ozola — "+i18n.T("verify.valid_unchecked")) {
		t.Errorf("the signature's verdict:\n%s", texts(h.app.report))
	}
	claimed := *h.app.docs.entry(0).info.Report.Signatures[0].ClaimedTime
	if want := claimed.In(riga).Format("2006-01-02 15:04 MST"); !strings.Contains(want, "EET") || !strings.Contains(texts(h.app.report), want) {
		t.Errorf("the signing time is not %s:\n%s", want, texts(h.app.report))
	}
	if l := findLabel(h.app.report, i18n.T("verify.check.no_revocation_data")); l == nil || l.Importance != widget.WarningImportance {
		t.Errorf("the undecided check is not in amber:\n%s", texts(h.app.report))
	}
	// Checked online: valid, in green.
	online := findButton(h.app.win.Canvas().Overlays().Top(), i18n.T("ui.check_revocation"))
	if online == nil {
		t.Fatal("no online check offered")
	}
	test.Tap(online)
	h.waitFor("the online check", func() bool {
		return findLabel(h.app.win.Canvas().Overlays().Top(), i18n.T("report.all_valid")) != nil
	})
	if l := findLabel(h.app.win.Canvas().Overlays().Top(), i18n.T("report.all_valid")); l.Importance != widget.SuccessImportance {
		t.Errorf("valid is not green")
	}
	// The chain opens: the signer's certificate, then its issuers.
	test.Tap(findButton(h.app.win.Canvas().Overlays().Top(), i18n.T("ui.certificate_open")))
	chain := allTexts(h.app.win.Canvas().Overlays().Top())
	for _, want := range []string{"Līga Ozola", h.env.PKI.Intermediate.Cert.Subject.CommonName, h.env.PKI.Root.Cert.Subject.CommonName} {
		if !strings.Contains(chain, want) {
			t.Errorf("the chain lacks %q:\n%s", want, chain)
		}
	}
	h.app.win.Canvas().Overlays().Top().Hide()
	h.app.win.Canvas().Overlays().Top().Hide()

	// Not valid: red, the failing check red.
	h.app.showReport(h.app.docs.entry(1))
	if l := findLabel(h.app.report, i18n.T("report.some_invalid")); l == nil || l.Importance != widget.DangerImportance {
		t.Fatalf("the summary of a changed document:\n%s", texts(h.app.report))
	}
	if l := findLabel(h.app.report, flow.CheckName("document digest")); l == nil || l.Importance != widget.DangerImportance {
		t.Errorf("the failing digest check is not red:\n%s", texts(h.app.report))
	}
	h.app.win.Canvas().Overlays().Top().Hide()

	// The report saved as text: the outcome and the checks, in words.
	saved := filepath.Join(h.dir, "report.txt")
	if err := flow.SaveVerification(saved, flow.Verification{File: signed, Report: h.app.docs.entry(0).info.Report}); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(saved)
	for _, want := range []string{"Verification of signed.pdf by Signet", "? valid, not fully checked", "Līga Ozola", "not fully checked: what is marked unknown"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the saved report lacks %q:\n%s", want, text)
		}
	}
}

// allTexts is the text of every label under o, one a line, widgets'
// rendered parts (forms, cards) included.
func allTexts(o fyne.CanvasObject) string {
	var b strings.Builder
	walkObjects(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// findLabel is the first label under o whose text is s.
func findLabel(o fyne.CanvasObject, s string) *widget.Label {
	var found *widget.Label
	walkObjects(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && found == nil && l.Text == s {
			found = l
		}
	})
	return found
}

// findButton is the first button under o whose text is s.
func findButton(o fyne.CanvasObject, s string) *widget.Button {
	var found *widget.Button
	walkObjects(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && found == nil && b.Text == s {
			found = b
		}
	})
	return found
}

// walkObjects calls f on o and everything under it, widgets' rendered
// parts included.
func walkObjects(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	f(o)
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			walkObjects(c, f)
		}
	case *container.Scroll:
		walkObjects(w.Content, f)
	case fyne.Widget:
		r := test.WidgetRenderer(w)
		for _, c := range r.Objects() {
			walkObjects(c, f)
		}
	}
}
