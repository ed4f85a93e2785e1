package cli

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
)

// TestEncryptedCLI: sign, verify and extend documents qpdf encrypted,
// with --password-file; permissions name what they forbid.
func TestEncryptedCLI(t *testing.T) {
	pdfcheck.Require(t, "qpdf")
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	ltv, err := testtsa.StartLTV(pki)
	if err != nil {
		t.Fatal(err)
	}
	defer ltv.Close()
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "João Conceição", ltv.Issue)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "key.p12")
	pfx, err := pki.PKCS12(e, "pw")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	root, _ := pki.WriteRootPEM(dir)
	plain := filepath.Join(dir, "plain.pdf")
	if err := testpdf.WriteFile(plain, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	encrypt := func(name string, args ...string) string {
		out := filepath.Join(dir, name)
		if b, err := exec.Command("qpdf", append(args, plain, out)...).CombinedOutput(); err != nil {
			t.Fatalf("qpdf: %v\n%s", err, b)
		}
		return out
	}
	locked := encrypt("locked.pdf", "--encrypt", "utilizador", "dono", "256", "--")
	restricted := encrypt("restricted.pdf", "--encrypt", "", "dono", "256", "--annotate=n", "--form=n", "--")
	sign := []string{"sign", "--key", key, "--pin-file", pinFile(t, "pw"), "--tsa", ltv.TSA.URL}

	signed := filepath.Join(dir, "locked-signed.pdf")
	code, stdout, stderr := run(t, append(sign, "--password-file", pinFile(t, "wrong"), "-o", signed, locked)...)
	if code != 1 || !strings.Contains(stderr, "the password does not open this PDF") {
		t.Fatalf("wrong password: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, append(sign, "--password-file", pinFile(t, "utilizador"), "-o", signed, locked)...)
	if code != 0 {
		t.Fatalf("sign: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "verify", "--trust", root, "--password-file", pinFile(t, "utilizador"), signed)
	if code != 3 || !strings.Contains(stdout, "? valid, not fully checked") || !strings.Contains(stdout, "the document is encrypted (AES-256)") {
		t.Fatalf("verify: exit %d\n%s%s", code, stdout, stderr)
	}
	lta := filepath.Join(dir, "lta.pdf")
	code, stdout, stderr = run(t, "extend", "--tsa", ltv.TSA.URL, "--trust", root, "--password-file", pinFile(t, "dono"), "-o", lta, signed)
	if code != 0 {
		t.Fatalf("extend: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "verify", "--trust", root, "--password-file", pinFile(t, "dono"), lta)
	if code != 0 || !strings.Contains(stdout, "PAdES B-LTA") {
		t.Fatalf("verify B-LTA: exit %d\n%s%s", code, stdout, stderr)
	}

	out := filepath.Join(dir, "restricted-signed.pdf")
	code, stdout, stderr = run(t, append(sign, "--password-file", pinFile(t, ""), "-o", out, restricted)...)
	if code != 1 || !strings.Contains(stderr, "filling in form fields") || !strings.Contains(stderr, "owner password") {
		t.Fatalf("restricted without the owner password: exit %d\n%s%s", code, stdout, stderr)
	}
	// Issue 31, 19: opened with the empty password and no terminal to ask
	// the owner password on, the error says first what the permissions
	// forbid and that the owner password lifts them.
	saved := openTTY
	openTTY = func() (*os.File, error) { return nil, errors.New("no controlling terminal") }
	code, _, stderr = run(t, append(sign, "-o", out, restricted)...)
	openTTY = saved
	if code == 0 || !strings.Contains(stderr, "its permissions forbid filling in forms and annotating, which adding a signature needs; its owner password lifts them (no terminal") {
		t.Errorf("restricted, no terminal: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr = run(t, append(sign, "--password-file", pinFile(t, "dono"), "-o", out, restricted)...)
	if code != 0 {
		t.Fatalf("restricted with the owner password: exit %d\n%s%s", code, stdout, stderr)
	}
}
