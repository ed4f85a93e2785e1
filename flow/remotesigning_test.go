package flow

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/remotesigning"
	"github.com/signet-sign/signet/remote/remotesigning/fake"
)

type remoteEnv struct {
	pki    *testpki.PKI
	server *fake.Server
	client *remotesigning.Client
	v      *pdfcheck.Validators
	tsa    *testtsa.TSA
}

func newRemote(t *testing.T) *remoteEnv {
	t.Helper()
	env, err := fake.StartEnv("rp-user", "rp-pass", "TEST")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	pki, tsa, srv := env.PKI, env.TSA, env.Server
	for uuid, expired := range map[string]bool{"agreement-1": false, "agreement-expired": true} {
		ag, err := fake.NewAgreement(pki, "Nguyễn Văn Đức", "246810")
		if err != nil {
			t.Fatal(err)
		}
		ag.Expired = expired
		srv.Add(uuid, ag)
	}
	c, err := remotesigning.New(remotesigning.Config{URL: srv.URL, Username: "rp-user", Password: "rp-pass", RPCode: "TEST"})
	if err != nil {
		t.Fatal(err)
	}
	return &remoteEnv{pki: pki, server: srv, client: c, v: pdfcheck.New(t, pki), tsa: tsa}
}

func (r *remoteEnv) opts(mode string) RemoteSigningOptions {
	return RemoteSigningOptions{
		Agreement: "agreement-1", AuthMode: mode,
		PDF:    pdf.Options{Timestamper: &pdf.TSAClient{URL: r.tsa.URL}},
		Chain:  []*x509.Certificate{r.pki.Intermediate.Cert},
		Verify: pdf.VerifyOptions{Roots: r.pki.Roots()},
	}
}

// otp answers one-time codes from the fake, the passcode for passcodes.
func (r *remoteEnv) otp(wrong int) *prompttest.Prompter {
	return &prompttest.Prompter{Answer: func(req prompt.Request) ([]byte, error) {
		if req.Kind == prompt.Passcode {
			return []byte("246810"), nil
		}
		if wrong > 0 {
			wrong--
			return []byte("000000"), nil
		}
		return []byte(r.server.LastOTP()), nil
	}}
}

func resultsOK(t *testing.T, results []Result) {
	t.Helper()
	for _, res := range results {
		if res.Err != nil {
			t.Fatalf("%s: %v", res.Input, res.Err)
		}
	}
}

func noFiles(t *testing.T, results []Result) {
	t.Helper()
	for _, res := range results {
		if _, err := os.Stat(res.Output); !os.IsNotExist(err) {
			t.Errorf("%s exists after a failure", res.Output)
		}
	}
}

func TestRemoteSigning(t *testing.T) {
	r := newRemote(t)
	ctx := context.Background()

	t.Run("ok passcode mode", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		resultsOK(t, SignWithRemoteSigning(ctx, r.client, r.otp(0), jobs, r.opts(remotesigning.AuthPIN)))
		r.v.Check(t, jobs[0].Output, 1)
	})
	t.Run("ok OTP-SMS batch of 3 in one request", func(t *testing.T) {
		p := r.otp(0)
		jobs := jobsFor(writeDocs(t, 3), t.TempDir())
		before := len(r.server.HashRequests())
		resultsOK(t, SignWithRemoteSigning(ctx, r.client, p, jobs, r.opts(remotesigning.AuthOTPSMS)))
		if n := len(p.Requests()); n != 1 {
			t.Errorf("one-time code asked %d times for one batch", n)
		}
		if reqs := r.server.HashRequests()[before:]; len(reqs) != 1 || reqs[0] != 3 {
			t.Errorf("signing/hash requests carried %v hashes, want one request of 3 (hashs)", reqs)
		}
		for _, j := range jobs {
			r.v.Check(t, j.Output, 1)
			rep, err := pdf.VerifyFile(ctx, j.Output, pdf.VerifyOptions{Roots: r.pki.Roots()})
			if err != nil || rep.Signatures[0].Level != "B-T" {
				t.Errorf("%s: %v %+v", j.Output, err, rep)
			}
		}
	})
	for _, h := range []crypto.Hash{crypto.SHA384, crypto.SHA512} {
		t.Run("ok "+h.String(), func(t *testing.T) {
			o := r.opts(remotesigning.AuthPIN)
			o.PDF.Hash = h
			jobs := jobsFor(writeDocs(t, 1), t.TempDir())
			resultsOK(t, SignWithRemoteSigning(ctx, r.client, r.otp(0), jobs, o))
			rep, err := pdf.VerifyFile(ctx, jobs[0].Output, pdf.VerifyOptions{Roots: r.pki.Roots()})
			if err != nil || !rep.Valid() || rep.Signatures[0].DigestAlgorithm != h.String() {
				t.Errorf("%v %+v", err, rep)
			}
		})
	}
	t.Run("ok wrong OTP shows the tries left, then the right one", func(t *testing.T) {
		p := r.otp(1)
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		resultsOK(t, SignWithRemoteSigning(ctx, r.client, p, jobs, r.opts(remotesigning.AuthOTPEmail)))
		reqs := p.Requests()
		if len(reqs) != 2 || reqs[0].TriesLeft != -1 || reqs[1].TriesLeft != 2 {
			t.Errorf("requests %+v, want the second to show 2 tries left", reqs)
		}
	})
	t.Run("fail blocked after three wrong codes", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		res := SignWithRemoteSigning(ctx, r.client, r.otp(3), jobs, r.opts(remotesigning.AuthOTPSMS))
		if !errors.Is(res[0].Err, remotesigning.ErrBlocked) || !strings.Contains(res[0].Err.Error(), "blocked") {
			t.Fatalf("err = %v", res[0].Err)
		}
		noFiles(t, res)
		r.server.Add("agreement-1", mustAgreement(t, r)) // unblock for the next cases
	})
	t.Run("fail OTP timeout", func(t *testing.T) {
		p := &prompttest.Prompter{Answer: func(prompt.Request) ([]byte, error) {
			r.server.ExpireBills()
			return []byte(r.server.LastOTP()), nil
		}}
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		res := SignWithRemoteSigning(ctx, r.client, p, jobs, r.opts(remotesigning.AuthOTPSMS))
		if !errors.Is(res[0].Err, remotesigning.ErrCodeExpired) {
			t.Fatalf("err = %v", res[0].Err)
		}
		noFiles(t, res)
	})
	t.Run("ok expired credentials log in again", func(t *testing.T) {
		r.server.ExpireCredentials()
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		resultsOK(t, SignWithRemoteSigning(ctx, r.client, r.otp(0), jobs, r.opts(remotesigning.AuthPIN)))
	})
	t.Run("fail agreement not found", func(t *testing.T) {
		o := r.opts(remotesigning.AuthPIN)
		o.Agreement = "nobody"
		res := SignWithRemoteSigning(ctx, r.client, r.otp(0), jobsFor(writeDocs(t, 1), t.TempDir()), o)
		if !errors.Is(res[0].Err, remotesigning.ErrAgreement) || !strings.Contains(res[0].Err.Error(), "agreement UUID") {
			t.Fatalf("err = %v", res[0].Err)
		}
	})
	t.Run("fail certificate expired", func(t *testing.T) {
		o := r.opts(remotesigning.AuthPIN)
		o.Agreement = "agreement-expired"
		res := SignWithRemoteSigning(ctx, r.client, r.otp(0), jobsFor(writeDocs(t, 1), t.TempDir()), o)
		if !errors.Is(res[0].Err, remotesigning.ErrCertificate) {
			t.Fatalf("err = %v", res[0].Err)
		}
		noFiles(t, res)
	})
	t.Run("fail a signature that does not verify against the certificate", func(t *testing.T) {
		r.server.RawHashSigning = true
		defer func() { r.server.RawHashSigning = false }()
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		res := SignWithRemoteSigning(ctx, r.client, r.otp(0), jobs, r.opts(remotesigning.AuthPIN))
		if !errors.Is(res[0].Err, ErrServiceSignature) || !strings.Contains(res[0].Err.Error(), "DigestInfo") {
			t.Fatalf("err = %v", res[0].Err)
		}
		noFiles(t, res)
	})
	t.Run("fail wrong relying-party credentials", func(t *testing.T) {
		bad, _ := remotesigning.New(remotesigning.Config{URL: r.server.URL, Username: "rp-user", Password: "nope", RPCode: "TEST"})
		res := SignWithRemoteSigning(ctx, bad, r.otp(0), jobsFor(writeDocs(t, 1), t.TempDir()), r.opts(remotesigning.AuthPIN))
		if !errors.Is(res[0].Err, remotesigning.ErrAuth) || strings.Contains(res[0].Err.Error(), "nope") {
			t.Fatalf("err = %v", res[0].Err)
		}
	})
}

// mustAgreement makes a fresh agreement-1 (the counter reset).
func mustAgreement(t *testing.T, r *remoteEnv) *fake.Agreement {
	t.Helper()
	ag, err := fake.NewAgreement(r.pki, "Nguyễn Văn Đức", "246810")
	if err != nil {
		t.Fatal(err)
	}
	return ag
}

func seal(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 40))
	for x := range 40 {
		for y := range 40 {
			img.Set(x, y, color.RGBA{200, 30, byte(x * 6), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRemoteSigningWholeFile(t *testing.T) {
	r := newRemote(t)
	ctx := context.Background()
	visible := func(mode string) RemoteSigningOptions {
		o := r.opts(mode)
		o.PDF.Reason, o.PDF.Location = "Đồng ý", "Hà Nội"
		o.PDF.Appearance = &pdf.Appearance{Page: -1, Rect: [4]float64{50, 50, 300, 110}, Image: seal(t), ImageRight: true}
		return o
	}
	check := func(t *testing.T, out string) {
		t.Helper()
		r.v.Check(t, out, 1)
		rep, err := pdf.VerifyFile(ctx, out, pdf.VerifyOptions{Roots: r.pki.Roots()})
		if err != nil {
			t.Fatal(err)
		}
		s := rep.Signatures[0]
		if !s.Valid || s.Reason != "Đồng ý" || s.Location != "Hà Nội" || s.Level != "B-T" {
			t.Errorf("signature %+v", s)
		}
	}

	t.Run("ok visible signature, passcode mode", func(t *testing.T) {
		job := jobsFor(writeDocs(t, 3)[2:], t.TempDir())[0]
		bill, err := SignFileWithRemoteSigning(ctx, r.client, r.otp(0), job, "red", visible(remotesigning.AuthPIN))
		if err != nil || bill == "" {
			t.Fatalf("bill %q, err %v", bill, err)
		}
		check(t, job.Output)
		// The drawn signature sits on the last page, where it was asked.
		for page, want := range map[string]bool{"1": false, "3": true} {
			text, err := exec.Command("pdftotext", "-f", page, "-l", page, job.Output, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(string(text), "Nguyễn Văn Đức"); got != want {
				t.Errorf("page %s shows the signer: %v, want %v", page, got, want)
			}
		}
	})
	t.Run("ok OTP-SMS, the file downloaded by billCode", func(t *testing.T) {
		r.server.DownloadOnly = true
		defer func() { r.server.DownloadOnly = false }()
		p := r.otp(0)
		job := jobsFor(writeDocs(t, 3)[2:], t.TempDir())[0]
		bill, err := SignFileWithRemoteSigning(ctx, r.client, p, job, "", visible(remotesigning.AuthOTPSMS))
		if err != nil {
			t.Fatal(err)
		}
		if reqs := p.Requests(); len(reqs) != 1 || reqs[0].Kind != prompt.OTP {
			t.Errorf("prompts %+v, want one OTP", reqs)
		}
		check(t, job.Output)

		// The same bill fetched again, as after a lost answer.
		again := job.Output + ".again.pdf"
		if err := DownloadFromRemoteSigning(ctx, r.client, bill, again, nil, false, pdf.VerifyOptions{Roots: r.pki.Roots()}); err != nil {
			t.Fatal(err)
		}
		a, _ := os.ReadFile(job.Output)
		b, _ := os.ReadFile(again)
		if !bytes.Equal(a, b) {
			t.Error("the downloaded file differs from the signed one")
		}
	})
	t.Run("fail download of an unknown billCode", func(t *testing.T) {
		out := t.TempDir() + "/x.pdf"
		err := DownloadFromRemoteSigning(ctx, r.client, "NOSUCHBILL", out, nil, false, pdf.VerifyOptions{})
		if !errors.Is(err, remotesigning.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Error("output written after a failure")
		}
	})
	t.Run("fail custom text lines cannot be sent", func(t *testing.T) {
		o := visible(remotesigning.AuthPIN)
		o.PDF.Appearance.Lines = []string{"Approved"}
		job := jobsFor(writeDocs(t, 1), t.TempDir())[0]
		_, err := SignFileWithRemoteSigning(ctx, r.client, r.otp(0), job, "", o)
		if err == nil || !strings.Contains(err.Error(), "text lines") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("fail an existing output is not overwritten", func(t *testing.T) {
		job := jobsFor(writeDocs(t, 1), t.TempDir())[0]
		if err := os.WriteFile(job.Output, []byte("keep"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := SignFileWithRemoteSigning(ctx, r.client, r.otp(0), job, "", visible(remotesigning.AuthPIN)); err == nil {
			t.Fatal("no error")
		}
		if b, _ := os.ReadFile(job.Output); string(b) != "keep" {
			t.Error("output overwritten")
		}
	})
}

// TestRemoteSigningChainByAIA signs with an agreement whose certificate
// names its issuer's URL: with no chain given, Signet fetches it, and the
// signature chains to the root.
func TestRemoteSigningChainByAIA(t *testing.T) {
	r := newRemote(t)
	ctx := context.Background()
	down := false
	ca := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write(r.pki.Intermediate.Cert.Raw)
	}))
	defer ca.Close()
	e, err := r.pki.NewEntity(testpki.RSA2048, testpki.Signing, "Phạm Minh Châu", testpki.IssueOptions{IssuerURL: ca.URL + "/ca.crt"})
	if err != nil {
		t.Fatal(err)
	}
	r.server.Add("agreement-aia", &fake.Agreement{Key: e.Key.(*rsa.PrivateKey), Cert: e.Cert, Passcode: "246810",
		AuthModes: []string{remotesigning.AuthPIN}})
	o := r.opts(remotesigning.AuthPIN)
	o.Agreement, o.Chain = "agreement-aia", nil
	o.ChainOptions.Source.CacheDir = t.TempDir()
	jobs := jobsFor(writeDocs(t, 1), t.TempDir())
	resultsOK(t, SignWithRemoteSigning(ctx, r.client, r.otp(0), jobs, o))
	rep, err := pdf.VerifyFile(ctx, jobs[0].Output, pdf.VerifyOptions{Roots: r.pki.Roots()})
	if err != nil || !rep.Valid() {
		t.Fatalf("%v %+v", err, rep)
	}
	r.v.Check(t, jobs[0].Output, 1)

	// The issuer fetched was kept: with the CA's server down the next
	// signing completes the chain from the cache, and says nothing.
	down = true
	var warned []error
	o.ChainOptions.Warn = func(err error) { warned = append(warned, err) }
	jobs = jobsFor(writeDocs(t, 1), t.TempDir())
	resultsOK(t, SignWithRemoteSigning(ctx, r.client, r.otp(0), jobs, o))
	rep, err = pdf.VerifyFile(ctx, jobs[0].Output, pdf.VerifyOptions{Roots: r.pki.Roots()})
	if err != nil || !rep.Valid() || len(warned) != 0 {
		t.Fatalf("signed from the cache: %v, warned %v, %+v", err, warned, rep)
	}

	// With the server down and nothing cached the document is still
	// signed, and the front end hears which issuer is missing and which
	// URL failed; the verification says the chain is incomplete.
	o.ChainOptions.Source.CacheDir = t.TempDir()
	jobs = jobsFor(writeDocs(t, 1), t.TempDir())
	resultsOK(t, SignWithRemoteSigning(ctx, r.client, r.otp(0), jobs, o))
	rep, err = pdf.VerifyFile(ctx, jobs[0].Output, pdf.VerifyOptions{Roots: r.pki.Roots()})
	if err != nil || rep.Valid() {
		t.Fatalf("valid without its issuer: %v %+v", err, rep)
	}
	var ice *IncompleteChainError
	if len(warned) != 1 || !errors.As(warned[0], &ice) {
		t.Fatalf("warned %v, want one IncompleteChainError", warned)
	}
	if ice.Below != "Phạm Minh Châu" || !strings.Contains(ice.Issuer, "Intermediate") || len(ice.URLs) != 1 || ice.URLs[0] != ca.URL+"/ca.crt" {
		t.Errorf("warning %+v does not name the certificate, the missing issuer and the URL", ice)
	}

	// RequireChain refuses before any signing is asked: no code spent,
	// nothing written.
	o.ChainOptions.Require, warned = true, nil
	jobs = jobsFor(writeDocs(t, 1), t.TempDir())
	before := len(r.server.HashRequests())
	res := SignWithRemoteSigning(ctx, r.client, r.otp(0), jobs, o)
	if !errors.As(res[0].Err, &ice) {
		t.Fatalf("err = %v, want IncompleteChainError", res[0].Err)
	}
	if _, err := os.Stat(jobs[0].Output); !os.IsNotExist(err) {
		t.Error("an output was written")
	}
	if n := len(r.server.HashRequests()) - before; n != 0 {
		t.Errorf("%d signing requests sent, want none", n)
	}
}
