package ui

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/signet-sign/signet/internal/config"
	bfake "github.com/signet-sign/signet/remote/biometrid/fake"
	cmdfake "github.com/signet-sign/signet/remote/cmd/fake"
)

// writePEM writes certificates' DER as one PEM file.
func writePEM(t *testing.T, name string, ders ...[]byte) string {
	t.Helper()
	var data []byte
	for _, d := range ders {
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d})...)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestChaveMovelDigital drives AMA's flow through the app's dialogs: the
// phone number as a person types it, the PIN, a new code asked for, a
// wrong code (tries shown) and the right one, for two documents in one
// request.
func TestChaveMovelDigital(t *testing.T) {
	env, err := cmdfake.StartEnv("app-ui", "ui", "ui-pass")
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if _, err := env.NewCitizen("Inês Exemplo", "+351 912345678", "2468"); err != nil {
		t.Fatal(err)
	}
	anchors := writePEM(t, "ca.pem", env.PKI.Root.Cert.Raw)
	cifra := writePEM(t, "cifra.pem", env.Cifra.Raw)
	h := newHarness(t, &config.Config{CMDURL: env.URL, CMDCifra: cifra, CMDPhone: "912 345 678",
		TSAURL: env.TSA.URL, TrustAnchors: []string{anchors}}, nil)
	sec := h.app.cfg.Secrets
	_ = sec.Set(keyringCMD, "application-id", "app-ui")
	_ = sec.Set(keyringCMD, "username", "ui")
	_ = sec.Set(keyringCMD, "password", "ui-pass")
	h.docs("contrato.pdf", "anexo.pdf")
	h.app.signer.method.SetSelected(methodCMD())
	if h.app.signer.remote.cmd.Hidden || h.app.signer.remote.phone.Text != "912 345 678" {
		t.Fatal("the Chave Móvel Digital form is not shown with the saved phone number")
	}
	h.app.options.level.SetSelected(levelBT())
	test.Tap(h.app.signBtn)

	pin := h.answer("2468")
	if pin.title != "Signature PIN" || !strings.Contains(secretExplanation(pin.req), "Inês Exemplo") {
		t.Errorf("PIN dialog %q: %q", pin.title, secretExplanation(pin.req))
	}
	// A new code instead of the first.
	var code *secretDialog
	h.waitFor("the code dialog", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		code = h.app.secretDlg
		return code != nil && code != pin && code.resend != nil
	})
	if code.title != "Security code" {
		t.Errorf("code dialog %q", code.title)
	}
	test.Tap(code.resend)
	h.waitFor("ForceSMS and a new code dialog", func() bool {
		h.app.mu.Lock()
		defer h.app.mu.Unlock()
		return env.Calls("ForceSMS") == 1 && h.app.secretDlg != nil && h.app.secretDlg != code
	})
	h.answer("000000")
	second := h.answerWith(env.LastOTP)
	if second.warning != "2 tries remaining." {
		t.Errorf("after a wrong code the dialog warns %q", second.warning)
	}
	rows := h.results()
	if len(rows) != 2 {
		t.Fatalf("%+v %v", rows, h.lastError())
	}
	for _, r := range rows {
		if r.Err != nil || !strings.HasSuffix(r.Verdict, "valid, not fully checked") {
			t.Errorf("%s: %q %v", r.Input, r.Verdict, r.Err)
		}
	}
	if sizes := env.BatchSizes(); len(sizes) != 1 || sizes[0] != 2 {
		t.Errorf("requests %v, want one of 2 documents", sizes)
	}
}

// TestChaveMovelDigitalBiometrid: the upload path says so, hides the
// level (the service signs) and writes the proven document.
func TestChaveMovelDigitalBiometrid(t *testing.T) {
	env, err := bfake.StartEnv("k", "s")
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if _, err := env.CMD.NewCitizen("Inês Exemplo", "+351 912345678", "2468"); err != nil {
		t.Fatal(err)
	}
	anchors := writePEM(t, "ca.pem", env.CMD.PKI.Root.Cert.Raw)
	h := newHarness(t, &config.Config{CMDURL: env.URL, CMDVia: "biometrid", CMDPhone: "+351 912 345 678", TrustAnchors: []string{anchors}}, nil)
	_ = h.app.cfg.Secrets.Set(keyringBiometrid, "key", "k")
	_ = h.app.cfg.Secrets.Set(keyringBiometrid, "secret", "s")
	h.docs("contrato.pdf")
	h.app.signer.method.SetSelected(methodCMD())
	if !strings.Contains(h.app.signer.remote.cmdNote.Text, "uploaded to biometrid") || !h.app.options.levelBox.Hidden {
		t.Fatalf("note %q; level shown: %v", h.app.signer.remote.cmdNote.Text, !h.app.options.levelBox.Hidden)
	}
	test.Tap(h.app.signBtn)
	h.answer("2468")
	h.answerWith(env.LastOTP)
	rows := h.results()
	if len(rows) != 1 || rows[0].Err != nil || !strings.HasSuffix(rows[0].Verdict, "valid, not fully checked") {
		t.Fatalf("%+v %v", rows, h.lastError())
	}
	if env.Uploads() != 1 {
		t.Errorf("%d uploads", env.Uploads())
	}
}
