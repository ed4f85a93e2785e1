package pdf

import (
	"bytes"
	"context"
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

// encryptWithQPDF encrypts in with qpdf (an independent implementation of
// the standard security handler) into a new file.
func encryptWithQPDF(t *testing.T, dir, name, in string, args ...string) string {
	t.Helper()
	out := filepath.Join(dir, name+".pdf")
	cmd := exec.Command("qpdf", append(append([]string{"--allow-weak-crypto"}, args...), in, out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("qpdf %v: %v\n%s", args, err, b)
	}
	return out
}

func TestEncryptedDocuments(t *testing.T) {
	pdfcheck.Require(t, "qpdf", "pdfsig", "pdftotext")
	f := newFixture(t)
	ltv, err := testtsa.StartLTV(f.pki)
	if err != nil {
		t.Fatal(err)
	}
	defer ltv.Close()
	signer, err := f.pki.NewEntity(testpki.P256, testpki.Signing, "Jānis Bērziņš", ltv.Issue)
	if err != nil {
		t.Fatal(err)
	}
	tsa := &TSAClient{URL: ltv.TSA.URL}
	plain := filepath.Join(f.dir, "plain.pdf")
	if err := testpdf.WriteFile(plain, testpdf.Options{Pages: 2, Form: true, Catalog: "/Lang (lv-LV)"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, password string
		args           []string
		describe       string
	}{
		{"rc4-40", "", []string{"--encrypt", "", "owner", "40", "--"}, "RC4 40-bit"},
		{"rc4-128", "", []string{"--encrypt", "", "owner", "128", "--use-aes=n", "--"}, "RC4 128-bit"},
		{"aes-128", "", []string{"--encrypt", "", "owner", "128", "--use-aes=y", "--"}, "AES-128"},
		{"aes-256", "", []string{"--encrypt", "", "owner", "256", "--"}, "AES-256"},
		{"aes-256 object streams", "", []string{"--encrypt", "", "owner", "256", "--", "--object-streams=generate"}, "AES-256"},
		{"aes-128 user password", "lietotājs", []string{"--encrypt", "lietotājs", "owner", "128", "--use-aes=y", "--"}, "AES-128"},
		{"aes-256 user password", "utilizador", []string{"--encrypt", "utilizador", "owner", "256", "--"}, "AES-256"},
	} {
		t.Run("ok "+tc.name, func(t *testing.T) {
			in := encryptWithQPDF(t, t.TempDir(), "in", plain, tc.args...)
			before, _ := os.ReadFile(in)
			out := filepath.Join(t.TempDir(), "signed.pdf")
			e := signer
			opts := Options{
				Password: tc.password, Reason: "Apstiprinu", Location: "Rīga",
				Timestamper: tsa,
				Appearance:  &Appearance{Rect: [4]float64{320, 60, 560, 150}, Lines: []string{"Parakstīja Jānis Bērziņš", "Nguyễn Văn Đức"}},
			}
			if err := SignFile(context.Background(), in, out, e.Key, f.pki.Chain(e.Cert), opts); err != nil {
				t.Fatalf("sign: %v", err)
			}
			if after, _ := os.ReadFile(in); !bytes.Equal(before, after) {
				t.Fatal("the input changed")
			}
			signed, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			update := signed[len(before):]
			if !bytes.HasPrefix(signed, before) {
				t.Fatal("the signed file does not start with the original")
			}
			// Nothing Signet wrote is in clear text but the signature's
			// /Contents and the names: the reason, the font's
			// CIDSystemInfo strings, the ToUnicode map are encrypted.
			for _, clear := range []string{"Apstiprinu", "(Adobe)", "(Identity)", "begincmap"} {
				if bytes.Contains(update, []byte(clear)) {
					t.Errorf("the update has %q in clear text", clear)
				}
			}
			if !bytes.Contains(update, []byte("/Encrypt")) {
				t.Error("the update's trailer has no /Encrypt")
			}

			v := *f.v
			v.Password = tc.password
			v.QPDF(t, out)
			v.PDFSig(t, out, 1)
			v.OpenSSL(t, out, 1)
			args := []string{"-f", "1", "-l", "1", "-enc", "UTF-8"}
			if tc.password != "" {
				args = append(args, "-upw", tc.password)
			}
			text, err := exec.Command("pdftotext", append(args, out, "-")...).Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			if !strings.Contains(string(text), "Nguyễn Văn Đức") {
				t.Errorf("pdftotext does not find the drawn text in the appearance:\n%s", text)
			}

			rep, err := Verify(context.Background(), bytes.NewReader(signed), int64(len(signed)), VerifyOptions{Roots: f.pki.Roots(), Password: tc.password})
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if !rep.Valid() || len(rep.Signatures) != 1 {
				t.Fatalf("verify: %d signatures, valid %v: %+v", len(rep.Signatures), rep.Valid(), rep.Signatures)
			}
			s := rep.Signatures[0]
			if s.Reason != "Apstiprinu" || s.Location != "Rīga" || s.Level != "B-T" {
				t.Errorf("verify reads reason %q, location %q, level %s", s.Reason, s.Location, s.Level)
			}
			if rep.Encryption != tc.describe {
				t.Errorf("report says encryption %q, want %q", rep.Encryption, tc.describe)
			}

			// A second signature over the first, and B-LT validation
			// data in encrypted streams.
			var lt bytes.Buffer
			if err := Extend(context.Background(), bytes.NewReader(signed), int64(len(signed)), &lt, LevelBLTA, tsa, LTVOptions{Roots: f.pki.Roots(), Password: tc.password}); err != nil {
				t.Fatalf("extend to B-LTA: %v", err)
			}
			ltPath := filepath.Join(t.TempDir(), "lta.pdf")
			if err := os.WriteFile(ltPath, lt.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			v.QPDF(t, ltPath)
			rep, err = Verify(context.Background(), bytes.NewReader(lt.Bytes()), int64(lt.Len()), VerifyOptions{Roots: f.pki.Roots(), Password: tc.password})
			if err != nil {
				t.Fatalf("verify B-LTA: %v", err)
			}
			if !rep.Valid() || len(rep.Signatures) != 2 || rep.Signatures[0].Level != "B-LTA" {
				t.Errorf("verify B-LTA: %+v", rep.Signatures)
			}
		})
	}

	t.Run("fail without the user password", func(t *testing.T) {
		in := encryptWithQPDF(t, t.TempDir(), "in", plain, "--encrypt", "secret", "owner", "256", "--")
		var out bytes.Buffer
		data, _ := os.ReadFile(in)
		e := f.keys["ecdsa"]
		err := Sign(context.Background(), bytes.NewReader(data), int64(len(data)), &out, e.Key, f.pki.Chain(e.Cert), Options{})
		if !errors.Is(err, ErrPasswordRequired) {
			t.Errorf("no password: %v, want ErrPasswordRequired", err)
		}
		err = Sign(context.Background(), bytes.NewReader(data), int64(len(data)), &out, e.Key, f.pki.Chain(e.Cert), Options{Password: "Secret"})
		if !errors.Is(err, ErrWrongPassword) {
			t.Errorf("wrong password: %v, want ErrWrongPassword", err)
		}
		if _, err := Verify(context.Background(), bytes.NewReader(data), int64(len(data)), VerifyOptions{}); !errors.Is(err, ErrPasswordRequired) {
			t.Errorf("verify without a password: %v, want ErrPasswordRequired", err)
		}
		if out.Len() != 0 {
			t.Error("output written for a refused document")
		}
	})

	for _, tc := range []struct {
		name string
		args []string
	}{
		{"rc4-40 no annotations", []string{"--encrypt", "", "owner", "40", "--annotate=n", "--"}},
		{"aes-256 no forms or annotations", []string{"--encrypt", "", "owner", "256", "--annotate=n", "--form=n", "--"}},
	} {
		t.Run("permissions "+tc.name, func(t *testing.T) {
			in := encryptWithQPDF(t, t.TempDir(), "in", plain, tc.args...)
			out := filepath.Join(t.TempDir(), "signed.pdf")
			e := f.keys["rsa"]
			err := SignFile(context.Background(), in, out, e.Key, f.pki.Chain(e.Cert), Options{})
			if !errors.Is(err, ErrPermission) || !strings.Contains(err.Error(), "form fields") || !strings.Contains(err.Error(), "owner password") {
				t.Fatalf("sign without the owner password: %v, want ErrPermission naming the permission", err)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Error("an output was written for a refused document")
			}
			if err := SignFile(context.Background(), in, out, e.Key, f.pki.Chain(e.Cert), Options{Password: "owner"}); err != nil {
				t.Fatalf("sign with the owner password: %v", err)
			}
			f.v.QPDF(t, out)
			f.v.PDFSig(t, out, 1)
		})
	}
}

// TestCryptRoundTrip encrypts and decrypts strings with each algorithm:
// what the writer encrypts, the reader gives back.
func TestCryptRoundTrip(t *testing.T) {
	for _, alg := range []cryptAlg{cryptRC4, cryptAESV2, cryptAESV3} {
		s := &security{key: bytes.Repeat([]byte{7}, map[cryptAlg]int{cryptRC4: 5, cryptAESV2: 16, cryptAESV3: 32}[alg]), strings: alg, streams: alg}
		for _, plain := range []string{"", "a", "exactly sixteen!", "Nguyễn Văn Đức, Rīga"} {
			enc := s.encrypt(alg, 12, 0, []byte(plain))
			got, err := s.decrypt(alg, 12, 0, enc)
			if err != nil || string(got) != plain {
				t.Errorf("alg %d %q: got %q, %v", alg, plain, got, err)
			}
			// (Not for one byte: random IVs and key streams hold any
			// byte by chance.)
			if len(plain) > 8 && bytes.Contains(enc, []byte(plain)) {
				t.Errorf("alg %d %q: the ciphertext holds the plain text", alg, plain)
			}
			if other, err := s.decrypt(alg, 13, 0, enc); alg != cryptAESV3 && err == nil && string(other) == plain && plain != "" {
				t.Errorf("alg %d: object 13's key decrypts object 12's string", alg)
			}
		}
	}
	s := &security{key: bytes.Repeat([]byte{7}, 16), strings: cryptAESV2}
	for _, bad := range [][]byte{make([]byte, 15), make([]byte, 17), make([]byte, 32)} {
		if _, err := s.decrypt(cryptAESV2, 1, 0, bad); !errors.Is(err, ErrBrokenPDF) {
			t.Errorf("%d bytes of AES data: %v, want ErrBrokenPDF", len(bad), err)
		}
	}
}
