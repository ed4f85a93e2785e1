package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-sign/signet/i18n"
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

// TestErrorsInTheLanguage: what the commands say while they run, their
// errors, warnings and hints included, comes in the person's language;
// an error from below the catalogue keeps its English words as details.
// English stays word for word what it was.
func TestErrorsInTheLanguage(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	_, p12 := keyFile(t, pki, testpki.RSA2048, "Acme SIA", "seal-pass")
	dir := t.TempDir()
	doc, out := filepath.Join(dir, "doc.pdf"), filepath.Join(dir, "doc-signed.pdf")
	if err := testpdf.WriteFile(doc, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	pin := pinFile(t, "seal-pass")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"usage error and hint in Latvian", []string{"--lang", "lv", "sign", "--key", p12}, 2,
			[]string{"signet: kļūda: nav dokumentu: nosauciet tos vai norādiet --from FAILS\n", "signet: padoms: skatiet 'signet --help'"}},
		{"usage error in English, as it was", []string{"--lang", "en", "sign", "--key", p12}, 2,
			[]string{"signet: error: no documents: name them, or give --from FILE\n"}},
		{"a value in a French usage error", []string{"--lang", "fr", "extend", "--level", "B-X", "--tsa", "http://127.0.0.1:9/", doc}, 2,
			[]string{"--level « B-X » : utilisez B-LT ou B-LTA (ou --renew)"}},
		{"a library's error said, its English kept as details", []string{"--lang", "lv", "sign", "--key", p12, "--pin-file", pin, "-o", out, doc}, 1,
			[]string{"signet: neizdevās: " + doc + ": izvades fails jau pastāv (Detaļas: ", "output file exists"}},
		{"a file's error wrapped in a Vietnamese sentence", []string{"--lang", "vi", "sign", "--key", p12, "--pin-file", filepath.Join(dir, "missing"), doc}, 1,
			[]string{"signet: lỗi: đọc tệp PIN: stat ", "no such file or directory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := run(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
	if got, _ := os.ReadFile(out); string(got) != "kept" {
		t.Errorf("the existing output was touched: %q", got)
	}
}

// TestYesAnswer: y and yes in any language, and the language's own words.
func TestYesAnswer(t *testing.T) {
	t.Cleanup(func() { i18n.Set("en") })
	for _, tc := range []struct {
		lang, line string
		want       bool
	}{
		{"en", "y\n", true}, {"en", " YES ", true}, {"en", "\n", false}, {"en", "n", false}, {"en", "oui", false},
		{"lv", "jā\n", true}, {"lv", "y", true}, {"lv", "nē", false},
		{"fr", "Oui", true}, {"fr", "o", true}, {"fr", "non", false},
	} {
		i18n.Set(tc.lang)
		if got := yesAnswer(tc.line); got != tc.want {
			t.Errorf("%s %q: %v, want %v", tc.lang, tc.line, got, tc.want)
		}
	}
}
