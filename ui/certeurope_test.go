package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/signet-sign/signet/internal/config"
	cefake "github.com/signet-sign/signet/remote/certeurope/fake"
)

// TestCertEuropeWorkflow2 drives SignAPI's OTP workflow through the app:
// the client certificate's password, the holder kept in the settings, a
// wrong OTP (tries shown) then the right one, and the result verified.
func TestCertEuropeWorkflow2(t *testing.T) {
	srv, err := cefake.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ent, err := srv.NewClient("Acme Intégration")
	if err != nil {
		t.Fatal(err)
	}
	p12, _ := srv.PKI.PKCS12(ent, "client-pw")
	key := filepath.Join(t.TempDir(), "client.p12")
	if err := os.WriteFile(key, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	serverCA := writePEM(t, "server-ca.pem", srv.ServerCA().Raw)
	anchors := writePEM(t, "ca.pem", srv.PKI.Root.Cert.Raw)
	h := newHarness(t, &config.Config{CertEuropeURL: srv.URL, CertEuropeClientKey: key, CertEuropeServerCA: serverCA,
		CertEuropeFirstname: "Jeanne", CertEuropeLastname: "Martin", CertEuropeEmail: "jeanne@example.fr",
		CertEuropeMobile: "0612345678", CertEuropeOTP: "sms", TrustAnchors: []string{anchors}}, nil)
	h.app.aadhaarPoll = 20 * time.Millisecond
	h.docs("contrat.pdf")
	h.app.signer.method.SetSelected(methodCertEurope())
	f := h.app.signer.certeu
	if f.box.Hidden || f.first.Text != "Jeanne" || f.certEuropeOTP() != "sms" || f.country.Text != "FR" {
		t.Fatalf("the holder from the settings is not shown: %q, %q", f.first.Text, f.otp.Selected)
	}
	h.app.options.level.SetSelected(levelBT())
	test.Tap(h.app.signBtn)
	pw := h.answer("client-pw")
	if pw.title != "Key file password" {
		t.Errorf("first dialog %q", pw.title)
	}
	first := h.answer("000000")
	if first.title != "One-time code" {
		t.Errorf("OTP dialog %q", first.title)
	}
	second := h.answerWith(srv.LastOTP)
	if second.warning != "2 tries remaining." {
		t.Errorf("after a wrong code the dialog warns %q", second.warning)
	}
	rows := h.results()
	if len(rows) != 1 || rows[0].Err != nil || !strings.HasSuffix(rows[0].Verdict, "valid, not fully checked") {
		t.Fatalf("%+v %v", rows, h.lastError())
	}
}

// TestCertEuropeConfirmDefault (issue 31, 15): unset, the holder confirms
// with a code by SMS; "No code" is kept as "none" and sends none.
func TestCertEuropeConfirmDefault(t *testing.T) {
	h := newHarness(t, nil, nil)
	f := newCertEuropeForm(h.app)
	if f.otp.SelectedIndex() != 1 || f.certEuropeOTP() != "sms" {
		t.Errorf("unset: %q (%q)", f.otp.Selected, f.certEuropeOTP())
	}
	f.otp.SetSelectedIndex(0)
	if h.app.cfg.Settings.CertEuropeOTP != "none" || f.certEuropeOTP() != "" {
		t.Errorf("no code: kept %q, sent %q", h.app.cfg.Settings.CertEuropeOTP, f.certEuropeOTP())
	}
	if g := newCertEuropeForm(h.app); g.otp.SelectedIndex() != 0 {
		t.Errorf("no code not kept: %q", g.otp.Selected)
	}
}
