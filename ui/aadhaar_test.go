package ui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/aadhaar"
	afake "github.com/signet-sign/signet/remote/aadhaar/fake"
)

// TestAadhaarTwoSigners drives a two-signer request through the app: the
// signer list, a placement for the second signer, the live status of
// each signer, and the verified result.
func TestAadhaarTwoSigners(t *testing.T) {
	srv, err := afake.Start("ui-client", "ui-secret", "ui-instance")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	anchors := writePEM(t, "esp-ca.pem", srv.PKI.Root.Cert.Raw)
	h := newHarness(t, &config.Config{AadhaarURL: srv.URL, AadhaarRedirectURL: "https://portal.example.in/done",
		TrustAnchors: []string{anchors}}, nil)
	sec := h.app.cfg.Secrets
	_ = sec.Set(keyringAadhaar, "client-id", "ui-client")
	_ = sec.Set(keyringAadhaar, "client-secret", "ui-secret")
	_ = sec.Set(keyringAadhaar, "product-instance-id", "ui-instance")
	h.app.aadhaarPoll = 20 * time.Millisecond
	h.docs("anubandh.pdf")
	h.app.signer.method.SetSelected(methodAadhaar())
	form := h.app.signer.aadhaar
	if form.box.Hidden || !h.app.options.levelBox.Hidden {
		t.Fatal("the signer list is not shown, or the level is (the service makes the signatures)")
	}
	first := form.rows[0]
	first.name.SetText("Ananya Rao")
	first.id.SetText("999941057058")
	first.year.SetText("1990")
	test.Tap(form.add)
	second := form.rows[1]
	second.name.SetText("Vikram Singh")
	second.id.SetText("999971658847")
	test.Tap(second.placeBtn)
	h.app.mu.Lock()
	v := h.app.placement
	h.app.mu.Unlock()
	if v == nil {
		t.Fatal("no placement dialog for the second signer")
	}
	// The default place is the last page; on this one-page document the
	// dialog opens on page 1 (it once waited for a "last" it did not offer).
	h.waitFor("the page to place on", func() bool { return v.placer != nil })
	v.dialog.Confirm()
	if second.place == nil || second.placeBtn.Text != "Page 1" {
		t.Fatalf("second signer's place %+v, button %q", second.place, second.placeBtn.Text)
	}
	test.Tap(h.app.signBtn)

	var st *aadhaarStatus
	h.waitFor("the signers' status", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		st = h.app.aadhaarDlg
		return st != nil && len(st.states) == 2 && len(srv.Requests()) == 1
	})
	id := srv.Requests()[0]
	h.off(func() { srv.Sign(id, 0) })
	h.waitFor("the first signer shown as signed", func() bool {
		return strings.Contains(st.states[0].Text, "Ananya Rao — signed") && strings.Contains(st.states[1].Text, "waiting")
	})
	if st.links[0].Disabled() == false || st.links[1].Disabled() {
		t.Error("the signed signer's link is open, or the waiting one's is not")
	}
	h.off(func() { srv.Sign(id, 1) })
	rows := h.results()
	if len(rows) != 1 || rows[0].Err != nil || !strings.HasSuffix(rows[0].Verdict, "valid, not fully checked") {
		t.Fatalf("%+v %v", rows, h.lastError())
	}
	rep, err := pdf.VerifyFile(context.Background(), rows[0].Output, pdf.VerifyOptions{Roots: srv.PKI.Roots()})
	if err != nil || len(rep.Signatures) != 2 || !rep.Valid() {
		t.Fatalf("%v %+v", err, rep)
	}
	var cfg aadhaar.SigningConfig
	if err := json.Unmarshal(srv.LastConfig(), &cfg); err != nil || len(cfg.Signers) != 2 {
		t.Fatalf("config %s", srv.LastConfig())
	}
}
