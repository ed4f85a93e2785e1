package flow

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/eparaksts"
	"github.com/signet-sign/signet/remote/eparaksts/fake"
)

type eparakstsEnv struct {
	env    *softhsmtest.Env
	mods   *Modules
	server *fake.Server
	client *eparaksts.Client
	v      *pdfcheck.Validators
	verify pdf.VerifyOptions
}

func newEParaksts(t *testing.T) *eparakstsEnv {
	t.Helper()
	env, mods := openToken(t)
	tsa, err := testtsa.Start(env.PKI)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tsa.Close)
	server, err := fake.Start("signet-client", "s3cret", []*x509.Certificate{env.PKI.Intermediate.Cert}, &pdf.TSAClient{URL: tsa.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(server.Close)
	client, err := eparaksts.New(eparaksts.Config{
		Endpoints: eparaksts.Endpoints{API: server.URL, Auth: server.URL},
		ClientID:  "signet-client", ClientSecret: "s3cret",
	})
	if err != nil {
		t.Fatal(err)
	}
	return &eparakstsEnv{env: env, mods: mods, server: server, client: client,
		v: pdfcheck.New(t, env.PKI), verify: pdf.VerifyOptions{Roots: env.PKI.Roots()}}
}

// sign runs the flow with the key labelled label and its card's
// authentication certificate.
func (e *eparakstsEnv) sign(t *testing.T, label string, p prompt.Prompter, jobs []Job, opts EParakstsOptions) []EParakstsResult {
	t.Helper()
	signer := signerFor(t, e.mods, label, p)
	auth, err := AuthCertificate(signer)
	if err != nil {
		t.Fatal(err)
	}
	if keys.CertificatePurpose(auth) != keys.PurposeAuthentication {
		t.Fatalf("AuthCertificate gave a %v certificate", keys.CertificatePurpose(auth))
	}
	opts.Verify = e.verify
	return SignWithEParaksts(context.Background(), e.client, signer, auth, jobs, opts)
}

func requireAll(t *testing.T, results []EParakstsResult) {
	t.Helper()
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("%s: %v", r.Input, r.Err)
		}
	}
}

func noOutputs(t *testing.T, results []EParakstsResult) {
	t.Helper()
	for _, r := range results {
		if r.Err != nil {
			if _, err := os.Stat(r.Output); !os.IsNotExist(err) {
				t.Errorf("%s failed but %s exists", r.Input, r.Output)
			}
		}
	}
}

func TestEParakstsSign(t *testing.T) {
	e := newEParaksts(t)

	t.Run("ok single RSA, verified by Signet and pdfsig", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		results := e.sign(t, "RSA-2048 signing", prompttest.WithPIN(softhsmtest.PIN), jobs, EParakstsOptions{})
		requireAll(t, results)
		if s := results[0].Signature; s == nil || !s.Valid || s.Level != "B-T" {
			t.Errorf("local verification: %+v", s)
		}
		e.v.Check(t, jobs[0].Output, 1)
	})

	t.Run("ok batch of 3 with an eID key: one signature PIN per document", func(t *testing.T) {
		p := prompttest.WithPIN(softhsmtest.PIN)
		jobs := jobsFor(writeDocs(t, 3), t.TempDir())
		var shown []ToSign
		results := e.sign(t, "P-256 eID signature", p, jobs, EParakstsOptions{Confirm: func(_ context.Context, items []ToSign) error {
			shown = items
			return nil
		}})
		requireAll(t, results)
		if len(shown) != 3 || shown[0].Algorithm != "SHA-256" || len(shown[0].Digest) != 32 {
			t.Errorf("confirmation showed %+v", shown)
		}
		want := []prompt.Kind{prompt.TokenPIN, prompt.SignaturePIN, prompt.SignaturePIN, prompt.SignaturePIN}
		if got := p.Kinds(); !slices.Equal(got, want) {
			t.Errorf("asked %v, want %v", got, want)
		}
		for _, j := range jobs {
			e.v.Check(t, j.Output, 1)
		}
	})

	t.Run("ok archive timestamp", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		results := e.sign(t, "P-256 signing", prompttest.WithPIN(softhsmtest.PIN), jobs, EParakstsOptions{Archive: true})
		requireAll(t, results)
		rep, err := pdf.VerifyFile(context.Background(), jobs[0].Output, e.verify)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Signatures) != 2 || !rep.Valid() || !slices.Contains(rep.Signatures[0].ChangesAfter, "document timestamps") {
			for _, s := range rep.Signatures {
				t.Errorf("archived document: %s valid=%v changes=%v checks=%+v", s.Field, s.Valid, s.ChangesAfter, s.Checks)
			}
		}
	})

	t.Run("fail declined confirmation asks no PIN", func(t *testing.T) {
		p := prompttest.WithPIN(softhsmtest.PIN)
		jobs := jobsFor(writeDocs(t, 2), t.TempDir())
		results := e.sign(t, "RSA-2048 signing", p, jobs, EParakstsOptions{Confirm: func(context.Context, []ToSign) error { return prompt.ErrCancelled }})
		for _, r := range results {
			if !errors.Is(r.Err, prompt.ErrCancelled) {
				t.Errorf("%s: %v", r.Input, r.Err)
			}
		}
		if len(p.Requests()) != 0 {
			t.Error("a PIN was asked after the person declined")
		}
		noOutputs(t, results)
	})
}

func TestEParakstsFailures(t *testing.T) {
	e := newEParaksts(t)
	pin := func() *prompttest.Prompter { return prompttest.WithPIN(softhsmtest.PIN) }

	t.Run("ok session error inside a batch fails that document only", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 3), t.TempDir())
		e.server.SessionErrorNext(1)
		results := e.sign(t, "RSA-2048 signing", pin(), jobs, EParakstsOptions{})
		var se *eparaksts.SessionError
		if results[0].Err != nil || results[2].Err != nil || !errors.As(results[1].Err, &se) {
			t.Fatalf("results: %v / %v / %v", results[0].Err, results[1].Err, results[2].Err)
		}
		noOutputs(t, results)
	})

	t.Run("ok expired token is fetched again once", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		e.server.ExpireTokens()
		requireAll(t, e.sign(t, "P-256 signing", pin(), jobs, EParakstsOptions{}))
	})

	for _, tc := range []struct {
		name   string
		inject func()
		check  func(error) bool
	}{
		{"fail 403 on CalculateDigest", func() { e.server.FailNext("CalculateDigest", http.StatusForbidden, "ACCESS_DENIED") },
			func(err error) bool { var ae *eparaksts.Error; return errors.As(err, &ae) && ae.HTTPStatus == 403 }},
		{"fail 5xx on finalize is not retried", func() { e.server.FailNext("finalizeSigning", http.StatusBadGateway, "") },
			func(err error) bool { var ae *eparaksts.Error; return errors.As(err, &ae) && ae.HTTPStatus == 502 }},
		{"fail malformed JSON", func() { e.server.MalformedNext("CalculateDigest") },
			func(err error) bool { return errors.Is(err, eparaksts.ErrBadResponse) }},
		{"fail digest of the wrong length", func() { e.server.ShortDigestNext() },
			func(err error) bool { return errors.Is(err, eparaksts.ErrBadResponse) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.server.Requests["POST /api-sign/v1.0/finalizeSigning"]
			jobs := jobsFor(writeDocs(t, 2), t.TempDir())
			tc.inject()
			results := e.sign(t, "RSA-2048 signing", pin(), jobs, EParakstsOptions{})
			for _, r := range results {
				if !tc.check(r.Err) {
					t.Errorf("%s: %v", r.Input, r.Err)
				}
			}
			noOutputs(t, results)
			if n := e.server.Requests["POST /api-sign/v1.0/finalizeSigning"] - before; n > 1 {
				t.Errorf("finalizeSigning sent %d times", n)
			}
		})
	}

	t.Run("fail wrong PIN finalizes nothing", func(t *testing.T) {
		before := e.server.Requests["POST /api-sign/v1.0/finalizeSigning"]
		p := prompttest.WithPIN("000000")
		jobs := jobsFor(writeDocs(t, 3), t.TempDir())
		results := e.sign(t, "P-384 authentication", p, jobs, EParakstsOptions{})
		var pinErr *pkcs11.PINError
		if !errors.As(results[0].Err, &pinErr) || !errors.Is(results[1].Err, ErrStopped) || !errors.Is(results[2].Err, ErrStopped) {
			t.Fatalf("results: %v / %v / %v", results[0].Err, results[1].Err, results[2].Err)
		}
		if len(p.Requests()) != 1 {
			t.Errorf("PIN asked %d times", len(p.Requests()))
		}
		if e.server.Requests["POST /api-sign/v1.0/finalizeSigning"] != before {
			t.Error("finalizeSigning was called without signatures")
		}
		noOutputs(t, results)
	})

	t.Run("fail token removed mid-batch", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 3), t.TempDir())
		signer := signerFor(t, e.mods, "RSA-2048 signing", pin())
		auth, err := AuthCertificate(signer)
		if err != nil {
			t.Fatal(err)
		}
		removed := &removedAfter{Signer: signer, left: 1}
		results := SignWithEParaksts(context.Background(), e.client, removed, auth, jobs, EParakstsOptions{Verify: e.verify})
		if results[0].Err != nil || !errors.Is(results[1].Err, pkcs11.ErrTokenRemoved) || !errors.Is(results[2].Err, ErrStopped) {
			t.Fatalf("results: %v / %v / %v", results[0].Err, results[1].Err, results[2].Err)
		}
		e.v.Check(t, jobs[0].Output, 1)
		noOutputs(t, results)
	})
}

// removedAfter is a key whose token goes away after some signatures.
type removedAfter struct {
	keys.Signer
	left int
}

func (r *removedAfter) SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if r.left == 0 {
		return nil, &pkcs11.Error{Op: "sign", Token: softhsmtest.MainToken, Err: pkcs11.ErrTokenRemoved}
	}
	r.left--
	return r.Signer.SignContext(ctx, digest, opts)
}

func TestEParakstsSealAndArchive(t *testing.T) {
	e := newEParaksts(t)
	pki := e.env.PKI
	seal, err := pki.NewEntity(testpki.RSA2048, testpki.Signing, "Acme SIA zīmogs", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := pki.NewEntity(testpki.P256, testpki.Authentication, "Acme SIA auth", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pfx, err := pki.PKCS12(seal, "zīmogs")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ok seal a batch", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 2), t.TempDir())
		results := SealWithEParaksts(context.Background(), e.client, pfx, []byte("zīmogs"), auth.Cert, jobs, EParakstsOptions{Verify: e.verify})
		requireAll(t, results)
		for _, j := range jobs {
			e.v.Check(t, j.Output, 1)
		}
	})
	t.Run("fail wrong seal password", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		results := SealWithEParaksts(context.Background(), e.client, pfx, []byte("nope"), auth.Cert, jobs, EParakstsOptions{Verify: e.verify})
		if !errors.Is(results[0].Err, keys.ErrWrongPassword) {
			t.Fatalf("err = %v", results[0].Err)
		}
		noOutputs(t, results)
	})
	t.Run("ok archive a signed document", func(t *testing.T) {
		in := writeDocs(t, 1)[0]
		signed := OutputPath(in, "")
		if err := pdf.SignFile(context.Background(), in, signed, seal.Key, pki.Chain(seal.Cert), pdf.Options{}); err != nil {
			t.Fatal(err)
		}
		jobs := jobsFor([]string{signed}, t.TempDir())
		results := ArchiveWithEParaksts(context.Background(), e.client, auth.Cert, jobs, EParakstsOptions{Verify: e.verify})
		requireAll(t, results)
		rep, err := pdf.VerifyFile(context.Background(), jobs[0].Output, e.verify)
		if err != nil || len(rep.Signatures) != 2 || !rep.Valid() || rep.Signatures[1].SubFilter != "ETSI.RFC3161" {
			t.Fatalf("archived: %v %+v", err, rep)
		}
		e.v.QPDF(t, jobs[0].Output)
	})
}

func TestEParakstsContainer(t *testing.T) {
	e := newEParaksts(t)
	for _, tc := range []struct {
		label string
		docs  int
	}{
		{"RSA-2048 signing", 1},
		{"P-256 eID signature", 3},
	} {
		t.Run("ok "+tc.label, func(t *testing.T) {
			docs := writeDocs(t, tc.docs)
			dir := t.TempDir()
			var jobs []Job
			for _, d := range docs {
				jobs = append(jobs, Job{Input: d, Output: ContainerPath(d, dir)})
			}
			results := e.sign(t, tc.label, prompttest.WithPIN(softhsmtest.PIN), jobs, EParakstsOptions{Container: true})
			requireAll(t, results)
			for i, r := range results {
				want := []string{"mimetype", filepath.Base(docs[i]), "META-INF/manifest.xml", "META-INF/signatures0.xml"}
				if !slices.Equal(r.Contents, want) {
					t.Errorf("contents %v, want %v", r.Contents, want)
				}
				if filepath.Ext(r.Output) != ".edoc" {
					t.Errorf("output %s", r.Output)
				}
				// xmlsec1: the document's and the signed properties'
				// references, and the SignedInfo.
				data, err := os.ReadFile(r.Output)
				if err != nil {
					t.Fatal(err)
				}
				pdfcheck.XmlsecContainer(t, data, 2)
			}
		})
	}
}
