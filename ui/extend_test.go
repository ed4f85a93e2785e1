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
// at B-B writes a B-LTA copy and shows it verified.
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
	rows := h.results()
	if len(rows) != 1 || rows[0].Err != nil || !strings.HasSuffix(rows[0].Output, "contract-extended.pdf") || !strings.HasSuffix(rows[0].Verdict, "valid") {
		t.Fatalf("%+v %v", rows, h.lastError())
	}
	rep, err := pdf.VerifyFile(context.Background(), rows[0].Output, pdf.VerifyOptions{Roots: pki.Roots()})
	if err != nil || rep.Signatures[0].Level != "B-LTA" {
		t.Fatalf("%v %+v", err, rep)
	}
}
