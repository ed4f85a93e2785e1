package flow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testocsp"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
)

func TestMain(m *testing.M) { os.Exit(softhsmtest.Main(m)) }

func openToken(t testing.TB) (*softhsmtest.Env, *Modules) {
	t.Helper()
	env := softhsmtest.Require(t)
	mods := LoadModules([]string{env.Module}, nil)
	if len(mods.Failed) > 0 {
		t.Fatalf("load SoftHSM2: %v", mods.Failed)
	}
	t.Cleanup(mods.Close)
	return env, mods
}

func keyURI(label string) string {
	return pkcs11.NewURI().Set("token", softhsmtest.MainToken).Set("object", label).String()
}

// signerFor opens the main token's key with that label.
func signerFor(t testing.TB, mods *Modules, label string, p prompt.Prompter) keys.Signer {
	t.Helper()
	signer, err := OpenSigner(context.Background(), mods, keyURI(label), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { signer.Close() })
	return signer
}

// jobsFor makes jobs for docs with outputs in dir ("" = beside them).
func jobsFor(docs []string, dir string) []Job {
	var jobs []Job
	for _, d := range docs {
		jobs = append(jobs, Job{Input: d, Output: OutputPath(d, dir)})
	}
	return jobs
}

func writeDocs(t *testing.T, n int) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("doc%d.pdf", i+1))
		if err := testpdf.WriteFile(p, testpdf.Options{Pages: i + 1}); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestSignPDFOnToken signs with every signing mechanism of every key kind
// on SoftHSM2 and has the independent validators check each file.
func TestSignPDFOnToken(t *testing.T) {
	env, mods := openToken(t)
	v := pdfcheck.New(t, env.PKI)
	tsa, err := testtsa.Start(env.PKI)
	if err != nil {
		t.Fatal(err)
	}
	defer tsa.Close()
	for _, tc := range []struct {
		label string
		pss   bool
	}{
		{"RSA-2048 signing", false},
		{"RSA-2048 signing", true},
		{"RSA-3072 authentication", true},
		{"P-256 signing", false},
		{"P-384 authentication", false},
		{"P-256 eID signature", false},
	} {
		t.Run(fmt.Sprintf("ok %s pss=%v", tc.label, tc.pss), func(t *testing.T) {
			p := prompttest.WithPIN(softhsmtest.PIN)
			signer, err := OpenSigner(context.Background(), mods, keyURI(tc.label), p)
			if err != nil {
				t.Fatal(err)
			}
			defer signer.Close()
			in := writeDocs(t, 1)[0]
			out := OutputPath(in, "")
			res := SignPDFs(context.Background(), signer, []Job{{Input: in, Output: out}}, BatchOptions{PDF: pdf.Options{PSS: tc.pss, Timestamper: &pdf.TSAClient{URL: tsa.URL}}})
			if res[0].Err != nil {
				t.Fatal(res[0].Err)
			}
			if keys.CertificatePurpose(signer.Certificate()) == keys.PurposeSigning {
				v.Check(t, out, 1)
			} else {
				// NSS (pdfsig) rightly refuses a clientAuth-only
				// certificate for document signing; the CMS and the
				// file are still checked.
				v.QPDF(t, out)
				v.OpenSSL(t, out, 1)
			}
			if !p.AllZeroed() {
				t.Error("a PIN was not zeroed")
			}
		})
	}
}

func TestBatch(t *testing.T) {
	_, mods := openToken(t)

	t.Run("ok one token PIN, one signature PIN per document", func(t *testing.T) {
		p := prompttest.WithPIN(softhsmtest.PIN)
		signer := signerFor(t, mods, "P-256 eID signature", p)
		jobs := jobsFor(writeDocs(t, 3), "")
		var progress []int
		res := SignPDFs(context.Background(), signer, jobs, BatchOptions{Progress: func(done, total int, _ string) { progress = append(progress, done) }})
		for _, r := range res {
			if r.Err != nil {
				t.Errorf("%s: %v", r.Input, r.Err)
			}
		}
		want := []prompt.Kind{prompt.TokenPIN, prompt.SignaturePIN, prompt.SignaturePIN, prompt.SignaturePIN}
		if got := p.Kinds(); !slices.Equal(got, want) {
			t.Errorf("asked %v, want %v", got, want)
		}
		if !slices.Equal(progress, []int{0, 1, 2, 3}) {
			t.Errorf("progress %v", progress)
		}
	})

	t.Run("ok signature PIN reused for the batch when asked", func(t *testing.T) {
		p := prompttest.WithPIN(softhsmtest.PIN)
		reuse, forget := ReuseSignaturePIN(p)
		signer := signerFor(t, mods, "P-256 eID signature", reuse)
		jobs := jobsFor(writeDocs(t, 3), t.TempDir())
		for _, r := range SignPDFs(context.Background(), signer, jobs, BatchOptions{}) {
			if r.Err != nil {
				t.Fatalf("%s: %v", r.Input, r.Err)
			}
		}
		if got, want := p.Kinds(), []prompt.Kind{prompt.TokenPIN, prompt.SignaturePIN}; !slices.Equal(got, want) {
			t.Errorf("asked %v, want %v", got, want)
		}
		kept := reuse.(*reusePrompter).pin
		forget()
		if kept == nil || !bytes.Equal(kept, make([]byte, len(kept))) {
			t.Error("the kept signature PIN was not zeroed at the end of the batch")
		}
	})

	t.Run("ok a broken document does not stop the others", func(t *testing.T) {
		signer := signerFor(t, mods, "RSA-2048 signing", prompttest.WithPIN(softhsmtest.PIN))
		docs := writeDocs(t, 3)
		os.WriteFile(docs[1], []byte("%PDF-1.4 broken"), 0o644)
		jobs := jobsFor(docs, t.TempDir())
		res := SignPDFs(context.Background(), signer, jobs, BatchOptions{})
		if res[0].Err != nil || res[2].Err != nil || !errors.Is(res[1].Err, pdf.ErrBrokenPDF) {
			t.Fatalf("results: %v / %v / %v", res[0].Err, res[1].Err, res[2].Err)
		}
		if _, err := os.Stat(jobs[1].Output); !os.IsNotExist(err) {
			t.Error("an output exists for the broken document")
		}
		// Existing outputs are not overwritten unless allowed.
		again := SignPDFs(context.Background(), signer, jobs[:1], BatchOptions{})
		if !errors.Is(again[0].Err, ErrOutputExists) {
			t.Errorf("second run: %v, want ErrOutputExists", again[0].Err)
		}
	})

	t.Run("fail wrong PIN stops the batch without retrying", func(t *testing.T) {
		p := prompttest.WithPIN("000000")
		signer := signerFor(t, mods, "P-384 authentication", p)
		jobs := jobsFor(writeDocs(t, 3), "")
		res := SignPDFs(context.Background(), signer, jobs, BatchOptions{})
		var pinErr *pkcs11.PINError
		if !errors.As(res[0].Err, &pinErr) {
			t.Fatalf("first document: %v, want a PIN error", res[0].Err)
		}
		for _, r := range res[1:] {
			if !errors.Is(r.Err, ErrStopped) {
				t.Errorf("%s: %v, want ErrStopped", r.Input, r.Err)
			}
		}
		if n := len(p.Requests()); n != 1 {
			t.Errorf("PIN asked %d times, want once", n)
		}
	})
}

func TestBatchLongTerm(t *testing.T) {
	env, mods := openToken(t)
	responder, err := testocsp.Start(env.PKI)
	if err != nil {
		t.Fatal(err)
	}
	defer responder.Close()
	tsaServer, err := testtsa.StartWith(env.PKI, testpki.IssueOptions{OCSPServer: responder.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer tsaServer.Close()
	opts := BatchOptions{
		PDF:   pdf.Options{Timestamper: &pdf.TSAClient{URL: tsaServer.URL}},
		Level: pdf.LevelBLTA,
		LTV:   pdf.LTVOptions{Roots: env.PKI.Roots()},
	}

	t.Run("ok B-LTA with a seal whose certificate names an OCSP responder", func(t *testing.T) {
		seal, err := env.PKI.NewEntity(testpki.P256, testpki.Signing, "Acme SIA", testpki.IssueOptions{OCSPServer: responder.URL})
		if err != nil {
			t.Fatal(err)
		}
		pfx, err := env.PKI.PKCS12(seal, "pw")
		if err != nil {
			t.Fatal(err)
		}
		signer, err := keys.LoadPKCS12(pfx, []byte("pw"))
		if err != nil {
			t.Fatal(err)
		}
		jobs := jobsFor(writeDocs(t, 2), t.TempDir())
		for _, r := range SignPDFs(context.Background(), signer, jobs, opts) {
			if r.Err != nil {
				t.Fatalf("%s: %v", r.Input, r.Err)
			}
			rep, err := pdf.VerifyFile(context.Background(), r.Output, pdf.VerifyOptions{Roots: env.PKI.Roots()})
			if err != nil || rep.Signatures[0].Level != "B-LTA" || !rep.Valid() {
				t.Errorf("%s: %v %+v", r.Output, err, rep)
			}
		}
	})
	t.Run("fail no revocation pointer keeps the B-T file", func(t *testing.T) {
		signer := signerFor(t, mods, "P-256 signing", prompttest.WithPIN(softhsmtest.PIN))
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		r := SignPDFs(context.Background(), signer, jobs, opts)[0]
		if !errors.Is(r.Err, pdf.ErrValidationData) || !PartlySigned(r.Err) {
			t.Fatalf("err = %v, want a PartlySignedError for ErrValidationData", r.Err)
		}
		if want := "signed at B-T and written to " + r.Output + ", but not extended to B-LTA"; !strings.Contains(r.Err.Error(), want) {
			t.Errorf("%q does not say %q", r.Err, want)
		}
		rep, err := pdf.VerifyFile(context.Background(), r.Output, pdf.VerifyOptions{Roots: env.PKI.Roots()})
		if err != nil || rep.Signatures[0].Level != "B-T" {
			t.Errorf("the B-T file was not kept: %v %+v", err, rep)
		}
	})
}
