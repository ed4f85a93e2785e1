package flow

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/biometrid"
	bfake "github.com/signet-sign/signet/remote/biometrid/fake"
)

func TestBiometrid(t *testing.T) {
	env, err := bfake.StartEnv("client-key", "client-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if _, err := env.CMD.NewCitizen("João Exemplo", cmdPhone, "4321"); err != nil {
		t.Fatal(err)
	}
	v := pdfcheck.New(t, env.CMD.PKI)
	c, err := biometrid.New(biometrid.Config{URL: env.URL, Key: "client-key", Secret: "client-secret"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := BiometridOptions{UserID: cmdPhone, Verify: pdf.VerifyOptions{Roots: env.CMD.PKI.Roots()}}
	person := func() *prompttest.Prompter {
		return &prompttest.Prompter{Answer: func(req prompt.Request) ([]byte, error) {
			if req.Kind == prompt.AccountPIN {
				return []byte("4321"), nil
			}
			return []byte(env.LastOTP()), nil
		}}
	}
	job := func(t *testing.T) Job { return jobsFor(writeDocs(t, 1), t.TempDir())[0] }

	t.Run("ok signed document proven and written", func(t *testing.T) {
		j := job(t)
		p := person()
		rep, err := SignWithBiometrid(ctx, c, p, j, opts)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Signer == nil || rep.Signer.Name != "João Exemplo" || !rep.CoversWholeFile {
			t.Errorf("report: %+v", rep)
		}
		if !p.AllZeroed() {
			t.Error("the PIN or the code was not cleared")
		}
		orig, _ := os.ReadFile(j.Input)
		signed, _ := os.ReadFile(j.Output)
		if !bytes.HasPrefix(signed, orig) {
			t.Error("the written file does not start with the original")
		}
		v.Check(t, j.Output, 1)
	})
	t.Run("fail each documented error in words", func(t *testing.T) {
		for code, words := range map[string]string{
			"MISSING_CODE":                                  "PIN was not sent",
			"NO_FILES_OR_INVALID_FORMATS":                   "got no document",
			"INVALID_IDENTIFIER":                            "phone number",
			"AUTHENTICATION_HEADERS_MISSING":                "key and secret were not sent",
			"INVALID_AUTHENTICATION_HEADERS":                "refused the application's key or secret",
			"CLIENT_NOT_FOUND/CHECK_AUTHENTICATION_HEADERS": "knows no client with this key",
		} {
			env.Fail(code)
			j := job(t)
			_, err := SignWithBiometrid(ctx, c, person(), j, opts)
			var be *biometrid.Error
			if !errors.As(err, &be) || be.Code != code || !strings.Contains(err.Error(), words) {
				t.Errorf("%s: %v, want it in words (%q)", code, err, words)
			}
			noFiles(t, []Result{{Job: j}})
		}
	})
	t.Run("fail real header errors", func(t *testing.T) {
		for _, tc := range []struct{ key, secret, code string }{
			{"other", "client-secret", "CLIENT_NOT_FOUND/CHECK_AUTHENTICATION_HEADERS"},
			{"client-key", "other", "INVALID_AUTHENTICATION_HEADERS"},
		} {
			bad, err := biometrid.New(biometrid.Config{URL: env.URL, Key: tc.key, Secret: tc.secret})
			if err != nil {
				t.Fatal(err)
			}
			_, err = SignWithBiometrid(ctx, bad, person(), job(t), opts)
			var be *biometrid.Error
			if !errors.As(err, &be) || be.Code != tc.code {
				t.Errorf("key %q secret %q: %v, want %s", tc.key, tc.secret, err, tc.code)
			}
		}
		o := opts
		o.UserID = "+351 999999999"
		var be *biometrid.Error
		if _, err := SignWithBiometrid(ctx, c, person(), job(t), o); !errors.As(err, &be) || be.Code != "INVALID_IDENTIFIER" {
			t.Errorf("unknown number: %v", err)
		}
	})
	t.Run("fail a signed document that does not verify is not written", func(t *testing.T) {
		env.Tamper = true
		defer func() { env.Tamper = false }()
		j := job(t)
		// An older file in the output's place stays as it was.
		if err := os.WriteFile(j.Output, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		o := opts
		o.Overwrite = true
		if _, err := SignWithBiometrid(ctx, c, person(), j, o); err == nil {
			t.Fatal("a tampered document was accepted")
		}
		if b, _ := os.ReadFile(j.Output); string(b) != "old" {
			t.Error("the older output was replaced")
		}
	})
	t.Run("fail the service signed another document", func(t *testing.T) {
		env.Rewrite = true
		defer func() { env.Rewrite = false }()
		j := job(t)
		if _, err := SignWithBiometrid(ctx, c, person(), j, opts); !errors.Is(err, ErrServiceChanged) {
			t.Fatalf("%v, want ErrServiceChanged", err)
		}
		noFiles(t, []Result{{Job: j}})
	})
	t.Run("fail a wrong PIN stops a batch: it is not sent again", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 2), t.TempDir())
		wrong := &prompttest.Prompter{Answer: func(req prompt.Request) ([]byte, error) { return []byte("0000"), nil }}
		before := env.Uploads()
		results := SignFilesWithBiometrid(ctx, c, wrong, jobs, opts, nil)
		if results[0].Err == nil || !errors.Is(results[1].Err, ErrStopped) {
			t.Fatalf("%v / %v", results[0].Err, results[1].Err)
		}
		if n := len(wrong.Requests()); n != 1 {
			t.Errorf("the PIN was asked %d times, want once", n)
		}
		if env.Uploads() != before {
			t.Error("a document was accepted with a wrong PIN")
		}
	})
	t.Run("fail not a PDF: nothing is sent", func(t *testing.T) {
		j := job(t)
		os.WriteFile(j.Input, []byte("hello"), 0o644)
		before := env.Uploads()
		if _, err := SignWithBiometrid(ctx, c, person(), j, opts); err == nil || env.Uploads() != before {
			t.Fatalf("%v; uploads %d → %d", err, before, env.Uploads())
		}
	})
	t.Run("fail the assumed code step has another shape here", func(t *testing.T) {
		other, err := biometrid.New(biometrid.Config{URL: env.URL, Key: "client-key", Secret: "client-secret",
			OTP: biometrid.OTPStep{Path: "/api/1.1/document/otp", ProcessIDField: "processId", CodeField: "otp", DocumentField: "file"}})
		if err != nil {
			t.Fatal(err)
		}
		j := job(t)
		_, err = SignWithBiometrid(ctx, other, person(), j, opts)
		var be *biometrid.Error
		if !errors.As(err, &be) || be.HTTPStatus != 404 {
			t.Fatalf("%v, want a 404 refusal", err)
		}
		// Told the fake's shape, the client follows it.
		env.OTP = bfake.OTPStep{Path: "/api/1.1/document/otp", ProcessIDField: "processId", CodeField: "otp", DocumentField: "file"}
		defer func() {
			env.OTP = bfake.OTPStep{Path: "/api/1.1/document/validateOTP", ProcessIDField: "processId", CodeField: "code", DocumentField: "document"}
		}()
		if _, err := SignWithBiometrid(ctx, other, person(), j, opts); err != nil {
			t.Fatal(err)
		}
	})
}
