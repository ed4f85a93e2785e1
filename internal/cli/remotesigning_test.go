package cli

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/remotesigning"
	rsfake "github.com/signet-sign/signet/remote/remotesigning/fake"
)

// TestRemoteSigningCLI drives the commands against a fake deployment
// named with --api-url, credentials from the environment.
func TestRemoteSigningCLI(t *testing.T) {
	env, err := rsfake.StartEnv("rp", "rp-secret", "RP")
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	pki, tsa, srv := env.PKI, env.TSA, env.Server
	srv.DownloadOnly = true
	ag, err := rsfake.NewAgreement(pki, "Trần Thị Lan", "9999")
	if err != nil {
		t.Fatal(err)
	}
	srv.Add("ag-7", ag)
	t.Setenv("SIGNET_REMOTESIGNING_USERNAME", "rp")
	t.Setenv("SIGNET_REMOTESIGNING_PASSWORD", "rp-secret")
	t.Setenv("SIGNET_REMOTESIGNING_RPCODE", "RP")
	dir := t.TempDir()
	doc := filepath.Join(dir, "hợp đồng.pdf")
	if err := testpdf.WriteFile(doc, testpdf.Options{Pages: 2}); err != nil {
		t.Fatal(err)
	}
	conn := []string{"--api-url", srv.URL, "--agreement", "ag-7"}
	rootFile := filepath.Join(dir, "chain.pem")
	if err := os.WriteFile(rootFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.Intermediate.Cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	verified := func(t *testing.T, path string) {
		t.Helper()
		rep, err := pdf.VerifyFile(context.Background(), path, pdf.VerifyOptions{Roots: pki.Roots()})
		if err != nil || !rep.Valid() || rep.Signatures[0].Signer.Name != "Trần Thị Lan" || rep.Signatures[0].Level != "B-T" {
			t.Fatalf("%s: %v %+v", path, err, rep)
		}
	}

	t.Run("ok sign-file, then download by the bill code", func(t *testing.T) {
		out := filepath.Join(dir, "file.pdf")
		args := append([]string{"remotesigning", "sign-file", "--pin-file", pinFile(t, "9999"), "--visible", "40,40,240,100", "-o", out}, conn...)
		code, stdout, stderr := run(t, append(args, doc)...)
		if code != 0 {
			t.Fatalf("exit %d: %s%s", code, stdout, stderr)
		}
		verified(t, out)
		m := regexp.MustCompile(`bill code (\w+)`).FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("no bill code in %q", stdout)
		}
		again := filepath.Join(dir, "again.pdf")
		code, stdout, stderr = run(t, append([]string{"remotesigning", "download", m[1], "-o", again}, conn...)...)
		if code != 0 {
			t.Fatalf("download: exit %d: %s%s", code, stdout, stderr)
		}
		a, _ := os.ReadFile(out)
		b, _ := os.ReadFile(again)
		if !bytes.Equal(a, b) {
			t.Error("the downloaded file differs")
		}
	})
	t.Run("ok sign with a one-time code from --otp-file, chain embedded", func(t *testing.T) {
		otp := filepath.Join(dir, "otp")
		srv.Notify = func(code string) { _ = os.WriteFile(otp, []byte(code+"\n"), 0o600) }
		defer func() { srv.Notify = nil }()
		out := filepath.Join(dir, "hash.pdf")
		args := append([]string{"remotesigning", "sign", "--auth", "otp-sms", "--otp-file", otp, "--tsa", tsa.URL, "--chain", rootFile, "-o", out}, conn...)
		code, stdout, stderr := run(t, append(args, doc)...)
		if code != 0 {
			t.Fatalf("exit %d: %s%s", code, stdout, stderr)
		}
		verified(t, out)
		if _, err := os.Stat(otp); !os.IsNotExist(err) {
			t.Error("the used one-time code was left in its file")
		}
	})
	t.Run("fail a wrong one-time code from a file is not sent again", func(t *testing.T) {
		otp := filepath.Join(dir, "otp-wrong")
		srv.Notify = func(string) { _ = os.WriteFile(otp, []byte("000000\n"), 0o600) }
		defer func() { srv.Notify = nil }()
		out := filepath.Join(dir, "wrong.pdf")
		args := append([]string{"remotesigning", "sign", "--auth", "otp-sms", "--otp-file", otp, "--tsa", tsa.URL, "-o", out}, conn...)
		code, _, stderr := run(t, append(args, doc)...)
		if code != 1 || !strings.Contains(stderr, "(2 tries left)") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Error("output written")
		}
	})
	t.Run("fail wrong passcode says so and hints", func(t *testing.T) {
		args := append([]string{"remotesigning", "sign", "--pin-file", pinFile(t, "1111"), "--tsa", tsa.URL, "-o", filepath.Join(dir, "x.pdf")}, conn...)
		code, _, stderr := run(t, append(args, doc)...)
		if code != 1 || !strings.Contains(stderr, "passcode or one-time code is wrong") || !strings.Contains(stderr, "hint: check the code") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		srv.Add("ag-7", ag) // counter back to full
	})
	t.Run("ok cert as JSON", func(t *testing.T) {
		code, stdout, stderr := run(t, append([]string{"remotesigning", "cert", "--json"}, conn...)...)
		if code != 0 || !strings.Contains(stdout, `"agreement": "ag-7"`) || !strings.Contains(stdout, "BEGIN CERTIFICATE") {
			t.Fatalf("exit %d: %s%s", code, stdout, stderr)
		}
	})
	t.Run("fail unknown agreement", func(t *testing.T) {
		code, _, stderr := run(t, "remotesigning", "cert", "--api-url", srv.URL, "--agreement", "nobody")
		if code != 1 || !strings.Contains(stderr, "no such signing agreement") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
	t.Run("fail refused credentials are not echoed", func(t *testing.T) {
		t.Setenv("SIGNET_REMOTESIGNING_PASSWORD", "hunter2")
		code, _, stderr := run(t, "remotesigning", "login", "--api-url", srv.URL)
		if code != 1 || !strings.Contains(stderr, "login failed") || strings.Contains(stderr, "hunter2") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
}

// TestRemoteSigningIncompleteChain: the agreement's certificate names a
// CA server that does not answer. By default the document is signed and
// the warning names the certificate, the missing issuer, the URL and
// --chain; with --require-chain nothing is signed.
func TestRemoteSigningIncompleteChain(t *testing.T) {
	env, err := rsfake.StartEnv("rp", "rp-secret", "RP")
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	e, err := env.PKI.NewEntity(testpki.RSA2048, testpki.Signing, "Lê Văn Tám", testpki.IssueOptions{IssuerURL: down.URL + "/ca.crt"})
	if err != nil {
		t.Fatal(err)
	}
	env.Server.Add("ag-aia", &rsfake.Agreement{Key: e.Key.(*rsa.PrivateKey), Cert: e.Cert, Passcode: "1357", AuthModes: []string{remotesigning.AuthPIN}})
	t.Setenv("SIGNET_REMOTESIGNING_USERNAME", "rp")
	t.Setenv("SIGNET_REMOTESIGNING_PASSWORD", "rp-secret")
	t.Setenv("SIGNET_REMOTESIGNING_RPCODE", "RP")
	dir := t.TempDir()
	doc := filepath.Join(dir, "in.pdf")
	if err := testpdf.WriteFile(doc, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	args := []string{"remotesigning", "sign", "--api-url", env.Server.URL, "--agreement", "ag-aia", "--pin-file", pinFile(t, "1357"), "--tsa", env.TSA.URL}

	out := filepath.Join(dir, "warned.pdf")
	code, stdout, stderr := run(t, append(args, "-o", out, doc)...)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		`signet: warning: the certificate chain is incomplete: the issuer of "Lê Văn Tám"`,
		"Intermediate", down.URL + "/ca.crt", "--chain",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr %q does not say %q", stderr, want)
		}
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("not written: %v", err)
	}

	out = filepath.Join(dir, "refused.pdf")
	code, stdout, stderr = run(t, append(args, "--require-chain", "-o", out, doc)...)
	if code != 1 || !strings.Contains(stderr, "the certificate chain is incomplete") {
		t.Fatalf("exit %d, want 1 naming the chain: %s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("--require-chain wrote %s", out)
	}
}

// TestOTPFile: a code written to the file is read once and the file
// removed; "resend" asks for a new code where the service can send one;
// after a wrong code the file is not read again.
func TestOTPFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "code.txt")
	p := &otpFilePrompter{path: path, wait: 2 * time.Second}
	ctx := context.Background()
	os.WriteFile(path, []byte("123456\n"), 0o600)
	code, err := p.Secret(ctx, prompt.Request{Kind: prompt.OTP, TriesLeft: -1, CanResend: true})
	if err != nil || string(code) != "123456" {
		t.Fatalf("%q %v", code, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Error("the code file was not removed")
	}
	os.WriteFile(path, []byte("resend\n"), 0o600)
	if _, err := p.Secret(ctx, prompt.Request{Kind: prompt.OTP, TriesLeft: -1, CanResend: true}); !errors.Is(err, prompt.ErrResend) {
		t.Fatalf("resend: %v", err)
	}
	os.WriteFile(path, []byte("resend\n"), 0o600)
	if code, err := p.Secret(ctx, prompt.Request{Kind: prompt.OTP, TriesLeft: -1}); err != nil || string(code) != "resend" {
		t.Fatalf("without CanResend the file is the code: %q %v", code, err)
	}
	if _, err := p.Secret(ctx, prompt.Request{Kind: prompt.OTP, TriesLeft: 2}); err == nil || !strings.Contains(err.Error(), "2 tries left") {
		t.Fatalf("after a wrong code: %v", err)
	}
}
