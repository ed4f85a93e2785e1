package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/pdf"
)

// TestLanguages: the locale (or --lang) chooses the words of the human
// output; --json is the same in every language.
func TestLanguages(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Jānis Bērziņš", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	root, _ := pki.WriteRootPEM(dir)
	doc, signed := filepath.Join(dir, "doc.pdf"), filepath.Join(dir, "signed.pdf")
	testpdf.WriteFile(doc, testpdf.Options{})
	if err := pdf.SignFile(context.Background(), doc, signed, e.Key, pki.Chain(e.Cert), pdf.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SIGNET_LANG", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	var jsons []string
	for _, tc := range []struct {
		lang, flag, want string
	}{
		{"C", "", "? valid, not fully checked "},
		{"lv_LV.UTF-8", "", "? derīgs, pārbaudīts ne pilnībā "},
		{"pt_PT.UTF-8", "", "? válida, não totalmente verificada "},
		{"vi_VN.UTF-8", "", "? hợp lệ, chưa kiểm tra đầy đủ "},
		{"hi_IN.UTF-8", "", "? मान्य, पूरी तरह जाँचा नहीं गया "},
		{"fr_FR.UTF-8", "", "? valide, pas entièrement vérifiée "},
		{"C.UTF-8", "lv", "? derīgs, pārbaudīts ne pilnībā "},
		{"de_DE.UTF-8", "", "? valid, not fully checked "},
	} {
		t.Setenv("LANG", tc.lang)
		args := []string{"verify", "--trust", root, signed}
		if tc.flag != "" {
			args = append([]string{"--lang", tc.flag}, args...)
		}
		// No revocation data: valid, not fully checked (exit 3).
		code, stdout, stderr := run(t, args...)
		if code != 3 || !strings.Contains(stdout, tc.want) {
			t.Errorf("LANG=%s --lang %q: exit %d, want %q in\n%s%s", tc.lang, tc.flag, code, tc.want, stdout, stderr)
		}
		_, js, _ := run(t, append(args[:len(args)-1], "--json", signed)...)
		jsons = append(jsons, js)
	}
	for i := 1; i < len(jsons); i++ {
		if jsons[i] != jsons[0] {
			t.Fatalf("--json differs between languages:\n%s\n%s", jsons[0], jsons[i])
		}
	}
	// The command summaries of --help.
	t.Setenv("LANG", "lv_LV.UTF-8")
	if _, stdout, _ := run(t, "--help"); !strings.Contains(stdout, "Parakstīt PDF dokumentus") {
		t.Errorf("--help in Latvian:\n%s", stdout)
	}
	t.Setenv("LANG", "C")
}

// TestSignatureLanguage: --sig-lang chooses the words of a visible
// signature's default lines.
func TestSignatureLanguage(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "João Conceição", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pfx, _ := pki.PKCS12(e, "pw")
	dir := t.TempDir()
	key := filepath.Join(dir, "k.p12")
	os.WriteFile(key, pfx, 0o600)
	doc := filepath.Join(dir, "doc.pdf")
	testpdf.WriteFile(doc, testpdf.Options{})
	out := filepath.Join(dir, "out.pdf")
	t.Setenv("LANG", "C")
	if code, stdout, stderr := run(t, "sign", "--key", key, "--pin-file", pinFile(t, "pw"), "--visible", "300,50,560,120", "--sig-lang", "pt", "-o", out, doc); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	text := pageText(t, out)
	if !strings.Contains(text, "Assinado digitalmente por João Conceição") {
		t.Errorf("the signature's text: %q", text)
	}
}

func pageText(t *testing.T, path string) string {
	t.Helper()
	var b bytes.Buffer
	pdfcheck.Require(t, "pdftotext")
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", path, "-")
	cmd.Stdout = &b
	if err := cmd.Run(); err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return b.String()
}
