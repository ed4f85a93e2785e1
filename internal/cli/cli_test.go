package cli

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/agentd"
	"github.com/signet-sign/signet/internal/autostart"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testocsp"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/internal/version"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/eparaksts/fake"
)

func TestMain(m *testing.M) { os.Exit(softhsmtest.Main(m)) }

// run runs the CLI in-process and returns its exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("SIGNET_CONFIG", filepath.Join(t.TempDir(), "none.toml"))
	var stdout, stderr bytes.Buffer
	code := Run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// keyFile is a new signing certificate of pki, and its key in a .p12
// file that password opens.
func keyFile(t *testing.T, pki *testpki.PKI, kind testpki.KeyAlg, name, password string) (testpki.Entity, string) {
	t.Helper()
	e, err := pki.NewEntity(kind, testpki.Signing, name, testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := pki.PKCS12(e, password)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.p12")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return e, path
}

func pinFile(t *testing.T, pin string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(path, []byte(pin+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func verifySig(cert *x509.Certificate, h crypto.Hash, digest, sig []byte, pss bool) error {
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if pss {
			return rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.VerifyPKCS1v15(pub, h, digest, sig)
	case *ecdsa.PublicKey:
		if ecdsa.VerifyASN1(pub, digest, sig) {
			return nil
		}
		return errors.New("ECDSA signature does not verify")
	}
	return fmt.Errorf("key type %T", cert.PublicKey)
}

// TestCertsURIsSign is the acceptance loop: every certificate that
// 'signet certs' lists has a URI that 'signet sign-digest --key' accepts,
// and the signature verifies with that certificate's key.
func TestCertsURIsSign(t *testing.T) {
	env := softhsmtest.Require(t)
	pin := pinFile(t, softhsmtest.PIN)
	code, out, stderr := run(t, "--module", env.Module, "certs", "--all", "--json")
	if code != 0 {
		t.Fatalf("certs: exit %d: %s", code, stderr)
	}
	var certs []certJSON
	if err := json.Unmarshal([]byte(out), &certs); err != nil {
		t.Fatalf("certs --json: %v\n%s", err, out)
	}
	if want := len(softhsmtest.Keys) + 1; len(certs) != want {
		t.Fatalf("certs listed %d certificates, want %d", len(certs), want)
	}
	digest := sha512.Sum384([]byte("signet sign-digest"))
	for _, c := range certs {
		der, err := base64.StdEncoding.DecodeString(c.Certificate)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		_, isRSA := cert.PublicKey.(*rsa.PublicKey)
		variants := [][]string{nil}
		if isRSA {
			variants = append(variants, []string{"--pss"})
		}
		for _, extra := range variants {
			name := c.Label + " " + strings.Join(extra, " ")
			t.Run(name, func(t *testing.T) {
				args := append([]string{"--module", env.Module, "sign-digest", "--key", c.URI,
					"--alg", "sha384", "--digest", hex.EncodeToString(digest[:]), "--pin-file", pin}, extra...)
				code, out, stderr := run(t, args...)
				if c.Label == softhsmtest.CALabel {
					// Listed with --all, selected by its URI, but it has
					// no key: a clear error, not a crash.
					if code != 1 || !strings.Contains(stderr, "no private key for certificate") {
						t.Fatalf("CA: exit %d, stderr %q", code, stderr)
					}
					return
				}
				if code != 0 {
					t.Fatalf("sign-digest --key %s: exit %d: %s", c.URI, code, stderr)
				}
				sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(out))
				if err != nil {
					t.Fatalf("output %q is not base64: %v", out, err)
				}
				if err := verifySig(cert, crypto.SHA384, digest[:], sig, len(extra) > 0); err != nil {
					t.Fatalf("signature from %s: %v", c.URI, err)
				}
			})
		}
	}
}

func TestSignDigestPKCS12(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	seal, p12 := keyFile(t, pki, testpki.RSA2048, "Acme SIA", "seal-pass")
	digest := sha256.Sum256([]byte("seal"))
	code, out, stderr := run(t, "sign-digest", "--key", p12, "--digest", base64.StdEncoding.EncodeToString(digest[:]),
		"--pin-file", pinFile(t, "seal-pass"), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res signatureJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(res.Signature)
	if err := verifySig(seal.Cert, crypto.SHA256, digest[:], sig, false); err != nil {
		t.Fatal(err)
	}
	if len(res.Chain) != 2 || res.Algorithm != "RSA PKCS#1 v1.5 with SHA-256" {
		t.Errorf("chain of %d, algorithm %q", len(res.Chain), res.Algorithm)
	}

	code, _, stderr = run(t, "sign-digest", "--key", p12, "--digest", hex.EncodeToString(digest[:]), "--pin-file", pinFile(t, "nope"))
	if code != 1 || !strings.Contains(stderr, "wrong password") || !strings.Contains(stderr, "hint: check the key file's password") {
		t.Errorf("wrong password: exit %d, stderr %q", code, stderr)
	}
}

func TestDecodeDigest(t *testing.T) {
	d := sha256.Sum256([]byte("x"))
	for _, tc := range []struct {
		name, in string
		h        crypto.Hash
		ok       bool
	}{
		{"ok hex", hex.EncodeToString(d[:]), crypto.SHA256, true},
		{"ok hex upper", strings.ToUpper(hex.EncodeToString(d[:])), crypto.SHA256, true},
		{"ok base64", base64.StdEncoding.EncodeToString(d[:]), crypto.SHA256, true},
		{"ok base64 raw url", base64.RawURLEncoding.EncodeToString(d[:]), crypto.SHA256, true},
		{"ok spaces around", " " + hex.EncodeToString(d[:]) + "\n", crypto.SHA256, true},
		{"fail hex read as base64 for longer alg", hex.EncodeToString(d[:]), crypto.SHA384, false},
		{"fail odd hex", hex.EncodeToString(d[:])[1:], crypto.SHA256, false},
		{"fail short", base64.StdEncoding.EncodeToString(d[:31]), crypto.SHA256, false},
		{"fail garbage", "not a digest!", crypto.SHA256, false},
		{"fail empty", "", crypto.SHA256, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeDigest(tc.in, tc.h)
			if tc.ok != (err == nil) {
				t.Fatalf("decodeDigest: %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && !bytes.Equal(got, d[:]) {
				t.Errorf("got %x, want %x", got, d)
			}
		})
	}
}

func TestHints(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"final try", &pkcs11.PINError{Token: "t", Status: pkcs11.PINStatus{FinalTry: true}}, "one more wrong PIN locks it"},
		{"locked by this try", &pkcs11.PINError{Token: "t", Status: pkcs11.PINStatus{Locked: true}}, "PUK"},
		{"locked", &pkcs11.Error{Op: "log in", Err: pkcs11.ErrPINLocked}, "PUK"},
		{"wrong", &pkcs11.PINError{Token: "t"}, "never retries"},
		{"removed", &pkcs11.Error{Op: "sign", Err: pkcs11.ErrTokenRemoved}, "insert the card"},
		{"mechanism", fmt.Errorf("x: %w", pkcs11.ErrMechanism), "PKCS#1 v1.5"},
		{"password", keys.ErrWrongPassword, "password"},
		{"cancelled", prompt.ErrCancelled, ""},
	} {
		if got := hint(tc.err); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: hint = %q, want it to contain %q", tc.name, got, tc.want)
		}
	}
}

func TestNoArgsShowsHelp(t *testing.T) {
	code, out, stderr := run(t)
	if code != 0 || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"sign-digest", "certs", "tokens", "agent"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestAgentCommand(t *testing.T) {
	var got *agentd.Options
	runAgent = func(o agentd.Options) int { got = &o; return 3 }
	defer func() { runAgent = agentd.Run }()
	code, _, _ := run(t, "agent", "--port", "28000")
	if got == nil || got.Port != 28000 || code != 3 || got.Window == nil || got.Tray == nil {
		t.Errorf("options %+v exit=%d", got, code)
	}
	code, _, stderr := run(t, "agent", "--port", "70000")
	if code != 2 || !strings.Contains(stderr, "--port takes 1 to 65535") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

func TestVerifyExitCodes(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	// A responder answers for the signer's certificate: with --online
	// every check is decided (0); without, its revocation is unknown
	// (valid, not fully checked: 3).
	responder, err := testocsp.Start(pki)
	if err != nil {
		t.Fatal(err)
	}
	defer responder.Close()
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Zoë Ørsted", testpki.IssueOptions{OCSPServer: responder.URL})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	unsigned := filepath.Join(dir, "unsigned.pdf")
	if err := testpdf.WriteFile(unsigned, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	signed := filepath.Join(dir, "signed.pdf")
	if err := pdf.SignFile(context.Background(), unsigned, signed, e.Key, pki.Chain(e.Cert), pdf.Options{}); err != nil {
		t.Fatal(err)
	}
	root, err := pki.WriteRootPEM(dir)
	if err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.pdf")
	os.WriteFile(garbage, []byte("not a pdf"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"ok valid", []string{"verify", "--online", "--trust", root, signed}, 0},
		{"not fully checked", []string{"verify", "--trust", root, signed}, 3},
		{"fail untrusted", []string{"verify", signed}, 1},
		{"fail wins over not fully checked", []string{"verify", "--trust", root, signed, unsigned}, 1},
		{"fail unsigned", []string{"verify", "--trust", root, unsigned}, 1},
		{"fail unreadable", []string{"verify", "--trust", root, garbage}, 2},
		{"fail unreadable wins", []string{"verify", signed, garbage}, 2},
		{"fail usage", []string{"verify"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, out, stderr := run(t, tc.args...); code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, out, stderr)
			}
		})
	}
}

func TestEParakstsCLI(t *testing.T) {
	env := softhsmtest.Require(t)
	tsa, err := testtsa.Start(env.PKI)
	if err != nil {
		t.Fatal(err)
	}
	defer tsa.Close()
	srv, err := fake.Start("cli-id", "cli-secret", []*x509.Certificate{env.PKI.Intermediate.Cert}, &pdf.TSAClient{URL: tsa.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	doc := filepath.Join(dir, "līgums.pdf")
	if err := testpdf.WriteFile(doc, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	conn := []string{"--api-url", srv.URL, "--auth-url", srv.URL}
	key := "pkcs11:token=signet-test;object=RSA-2048%20signing"

	t.Run("fail without credentials", func(t *testing.T) {
		t.Setenv("SIGNET_EPARAKSTS_CLIENT_ID", "")
		t.Setenv("SIGNET_EPARAKSTS_CLIENT_SECRET", "")
		code, _, stderr := run(t, append([]string{"eparaksts", "status"}, conn...)...)
		if code != 1 || !strings.Contains(stderr, "client id and secret are not set") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
	t.Setenv("SIGNET_EPARAKSTS_CLIENT_ID", "cli-id")
	t.Setenv("SIGNET_EPARAKSTS_CLIENT_SECRET", "cli-secret")

	t.Run("ok status", func(t *testing.T) {
		code, out, stderr := run(t, append([]string{"eparaksts", "status"}, conn...)...)
		if code != 0 || !strings.Contains(out, "credentials accepted") || !strings.Contains(out, "maxFileSize") {
			t.Errorf("exit %d: %s%s", code, out, stderr)
		}
	})
	t.Run("ok sign shows the digests and writes a verified file", func(t *testing.T) {
		args := append([]string{"--module", env.Module, "eparaksts", "sign", "--key", key, "--yes", "--pin-file", pinFile(t, softhsmtest.PIN)}, conn...)
		code, out, stderr := run(t, append(args, doc)...)
		if code != 0 {
			t.Fatalf("exit %d: %s%s", code, out, stderr)
		}
		if !strings.Contains(stderr, "eParaksts asks Jānis Bērziņš to sign") || !strings.Contains(stderr, "līgums.pdf  SHA-256 ") {
			t.Errorf("no confirmation shown: %s", stderr)
		}
		signed := filepath.Join(dir, "līgums-signed.pdf")
		rep, err := pdf.VerifyFile(context.Background(), signed, pdf.VerifyOptions{Roots: env.PKI.Roots()})
		if err != nil || !rep.Valid() || rep.Signatures[0].Level != "B-T" {
			t.Fatalf("signed file: %v %+v", err, rep)
		}
	})
	t.Run("fail no confirmation without a terminal", func(t *testing.T) {
		args := append([]string{"--module", env.Module, "eparaksts", "sign", "--key", key, "--pin-file", pinFile(t, softhsmtest.PIN), "-o", filepath.Join(dir, "x.pdf")}, conn...)
		code, _, stderr := run(t, append(args, doc)...)
		if code != 1 || !strings.Contains(stderr, "add --yes") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
	t.Run("ok seal and archive", func(t *testing.T) {
		seal, err := env.PKI.NewEntity(testpki.RSA2048, testpki.Signing, "Acme SIA", testpki.IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		auth, err := env.PKI.NewEntity(testpki.P256, testpki.Authentication, "Acme SIA auth", testpki.IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pfx, err := env.PKI.PKCS12(seal, "seal-pw")
		if err != nil {
			t.Fatal(err)
		}
		pfxPath, authPath := filepath.Join(dir, "seal.p12"), filepath.Join(dir, "auth.pem")
		if err := os.WriteFile(pfxPath, pfx, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(authPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: auth.Cert.Raw}), 0o644); err != nil {
			t.Fatal(err)
		}
		sealed := filepath.Join(dir, "sealed.pdf")
		args := append([]string{"eparaksts", "seal", "--pfx", pfxPath, "--auth-cert", authPath, "--pin-file", pinFile(t, "seal-pw"), "-o", sealed}, conn...)
		if code, out, stderr := run(t, append(args, doc)...); code != 0 {
			t.Fatalf("seal: exit %d: %s%s", code, out, stderr)
		}
		archived := filepath.Join(dir, "archived.pdf")
		args = append([]string{"eparaksts", "archive", "--auth-cert", authPath, "-o", archived}, conn...)
		if code, out, stderr := run(t, append(args, sealed)...); code != 0 {
			t.Fatalf("archive: exit %d: %s%s", code, out, stderr)
		}
		rep, err := pdf.VerifyFile(context.Background(), archived, pdf.VerifyOptions{Roots: env.PKI.Roots()})
		if err != nil || len(rep.Signatures) != 2 || !rep.Valid() || rep.Signatures[0].Signer.Name != "Acme SIA" {
			t.Fatalf("sealed and archived: %v %+v", err, rep)
		}
	})
	t.Run("fail plain http to a remote host", func(t *testing.T) {
		code, _, stderr := run(t, "eparaksts", "status", "--api-url", "http://signapi.eparaksts.lv", "--auth-url", srv.URL)
		if code != 1 || !strings.Contains(stderr, "loopback addresses only") {
			t.Errorf("exit %d: %s", code, stderr)
		}
	})
}

// TestSignPartlyLongTerm: --level B-LT that signs at B-T but cannot gather
// validation data says what is true (signed at B-T, written, not extended,
// why) and ends with exit 3, "partly done"; the B-T file is there.
func TestSignPartlyLongTerm(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	tsa, err := testtsa.Start(pki)
	if err != nil {
		t.Fatal(err)
	}
	defer tsa.Close()
	// No OCSP responder and no CRL in the certificate: no validation data.
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Zoë Ørsted", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := pki.PKCS12(e, "pw")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "seal.p12")
	in := filepath.Join(dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	root, err := pki.WriteRootPEM(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := testpdf.WriteFile(in, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	args := []string{"sign", "--key", key, "--pin-file", pinFile(t, "pw"), "--tsa", tsa.URL, "--level", "B-LT", "--trust", root, "-o", out, in}
	code, stdout, stderr := run(t, args...)
	if code != 3 {
		t.Fatalf("exit %d, want 3 (partly done)\n%s%s", code, stdout, stderr)
	}
	if want := "signed  " + in + " → " + out + " (B-T, not B-LT)"; !strings.Contains(stdout, want) {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	for _, want := range []string{
		"signet: warning: " + in + ": signed at B-T and written to " + out + ", but not extended to B-LT: ",
		"1 of 1 document signed at a lower level than asked",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q, want %q", stderr, want)
		}
	}
	if strings.Contains(stderr, "not signed") {
		t.Errorf("stderr says the document was not signed: %q", stderr)
	}
	rep, err := pdf.VerifyFile(context.Background(), out, pdf.VerifyOptions{Roots: pki.Roots()})
	if err != nil || !rep.Valid() || rep.Signatures[0].Level != "B-T" {
		t.Fatalf("the B-T output: %v %+v", err, rep)
	}

	// The same in JSON: the output, the level reached and the warning.
	code, stdout, _ = run(t, append([]string{"sign", "--json", "--force"}, args[1:]...)...)
	var res []signResultJSON
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != 3 {
		t.Fatalf("exit %d, %v: %s", code, err, stdout)
	}
	if len(res) != 1 || res[0].Output != out || res[0].Level != "B-T" || res[0].Warning == "" || res[0].Error != "" {
		t.Errorf("JSON %+v", res)
	}
}

// TestAgentAutostart: --install-autostart writes the XDG autostart entry
// that runs this program's agent, --remove-autostart deletes it; a
// temporary build (go run) is refused, its path would go.
func TestAgentAutostart(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	exe := filepath.Join(t.TempDir(), "bin", "signet")
	executable = func() (string, error) { return "/usr/local/bin/signet", nil }
	defer func() { executable = os.Executable }()
	if code, stdout, _ := run(t, "agent", "--remove-autostart"); code != 0 || !strings.Contains(stdout, "was not set to start") {
		t.Errorf("removing what is not there: exit %d %s", code, stdout)
	}
	code, stdout, stderr := run(t, "agent", "--install-autostart")
	entry := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "autostart", autostart.FileName)
	data, err := os.ReadFile(entry)
	if code != 0 || err != nil || !strings.Contains(string(data), "\nExec=/usr/local/bin/signet agent\n") || !strings.Contains(stdout, entry) {
		t.Fatalf("install: exit %d %v\n%s%s\n%s", code, err, stdout, stderr, data)
	}
	if code, _, stderr := run(t, "agent", "--remove-autostart"); code != 0 || autostart.Installed() {
		t.Fatalf("remove: exit %d %s", code, stderr)
	}
	executable = func() (string, error) { return exe, nil } // t.TempDir is under os.TempDir
	if code, _, stderr := run(t, "agent", "--install-autostart"); code != 1 || !strings.Contains(stderr, "in the temporary directory") || autostart.Installed() {
		t.Errorf("a temporary build: exit %d %s", code, stderr)
	}
	if code, _, _ := run(t, "agent", "--install-autostart", "--remove-autostart"); code != 2 {
		t.Errorf("both: exit %d, want 2", code)
	}
}

// TestVersion (issue 31, 16): --version says Signet's version and the
// build's.
func TestVersion(t *testing.T) {
	code, stdout, _ := run(t, "--version")
	if code != 0 || !strings.HasPrefix(stdout, "Signet "+version.Signet+"\n") || !strings.Contains(stdout, "built with: go") {
		t.Errorf("exit %d:\n%s", code, stdout)
	}
}

// TestUnquotedURI (issue 31, 21): --key pkcs11:token=X;object=Y without
// quotes reaches signet as pkcs11:token=X and no documents (the shell
// ended the command at ';'): the hint says to quote it.
func TestUnquotedURI(t *testing.T) {
	code, _, stderr := run(t, "sign", "--key", "pkcs11:token=My eID")
	if code != 2 || !strings.Contains(stderr, "must be quoted") || !strings.Contains(stderr, "--key 'pkcs11:token=My eID;object=Signing'") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	// A URI with its ';' arrived whole: the plain usage error.
	if code, _, stderr := run(t, "sign", "--key", "pkcs11:token=a;object=b"); code != 2 || strings.Contains(stderr, "quoted") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
}

// TestCertEuropePinFile (issue 31, 18): certeurope's seal (made for
// batches) reads the client key's .p12 password from --pin-file: with no
// terminal it gets as far as the service (here nothing answers) instead
// of stopping at "no terminal".
func TestCertEuropePinFile(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	_, key := keyFile(t, pki, testpki.P256, "Signet Demo Seal", "s3al")
	dir := t.TempDir()
	pw, doc := filepath.Join(dir, "pw"), filepath.Join(dir, "a.pdf")
	os.WriteFile(pw, []byte("s3al\n"), 0o600)
	if err := testpdf.WriteFile(doc, testpdf.Options{Pages: 1}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "certeurope", "seal", "--client-key", key, "--pin-file", pw, "--api-url", "http://127.0.0.1:9", doc)
	if code == 0 || strings.Contains(stderr, "terminal") || strings.Contains(stderr, "password") || !strings.Contains(stderr, "127.0.0.1:9") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	os.WriteFile(pw, []byte("wrong\n"), 0o600)
	if code, _, stderr := run(t, "certeurope", "seal", "--client-key", key, "--pin-file", pw, "--api-url", "http://127.0.0.1:9", doc); code == 0 || !strings.Contains(stderr, "password") {
		t.Errorf("a wrong password in the file: exit %d:\n%s", code, stderr)
	}
}

// TestFilesToOpen (issue 32): signet FILE… (a file manager's "Open with
// Signet") opens the window with the files; a command, a flag or a name
// that is no file is the command line's.
func TestFilesToOpen(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.pdf"), filepath.Join(dir, "sign")
	os.WriteFile(a, []byte("%PDF"), 0o644)
	os.WriteFile(b, []byte("%PDF"), 0o644)
	if got := FilesToOpen([]string{a}); len(got) != 1 || got[0] != a {
		t.Errorf("a file: %q", got)
	}
	for _, args := range [][]string{{"sign", a}, {"--version"}, {a, "--lang", "lv"}, {filepath.Join(dir, "missing.pdf")}, {dir}, {}} {
		if got := FilesToOpen(args); got != nil {
			t.Errorf("%q: %q", args, got)
		}
	}
}
