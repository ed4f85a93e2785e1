package flow

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/certeurope"
	cefake "github.com/signet-sign/signet/remote/certeurope/fake"
)

type certEuropeEnv struct {
	srv    *cefake.Server
	client *certeurope.Client
	v      *pdfcheck.Validators
}

// clientFromP12 connects with a client certificate delivered as PKCS#12.
func clientFromP12(t *testing.T, srv *cefake.Server) *certeurope.Client {
	t.Helper()
	ent, err := srv.NewClient("Acme Intégration")
	if err != nil {
		t.Fatal(err)
	}
	p12, err := srv.PKI.PKCS12(ent, "pw")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := keys.LoadPKCS12(p12, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	return certEuropeClient(t, srv, signer)
}

func certEuropeClient(t *testing.T, srv *cefake.Server, signer keys.Signer) *certeurope.Client {
	t.Helper()
	cfg, err := certeurope.TLSConfig(signer, []*x509.Certificate{srv.ServerCA()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := certeurope.New(certeurope.Config{URL: srv.URL, TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newCertEurope(t *testing.T) *certEuropeEnv {
	t.Helper()
	srv, err := cefake.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return &certEuropeEnv{srv: srv, client: clientFromP12(t, srv), v: pdfcheck.New(t, srv.PKI)}
}

var jeanne = certeurope.Holder{Firstname: "Jeanne", Lastname: "Martin", Email: "jeanne.martin@example.fr", Mobile: "0612345678", Country: "FR"}

func (e *certEuropeEnv) opts() CertEuropeOptions {
	return CertEuropeOptions{Holder: jeanne, Poll: 20 * time.Millisecond, Deadline: 20 * time.Second,
		Verify: pdf.VerifyOptions{Roots: e.srv.PKI.Roots()}}
}

// otpAnswers answers OTP prompts: wrong codes first, then the fake's.
func (e *certEuropeEnv) otpAnswers(wrong int) *prompttest.Prompter {
	var n atomic.Int32
	return &prompttest.Prompter{Answer: func(req prompt.Request) ([]byte, error) {
		if int(n.Add(1)) <= wrong {
			return []byte("000000"), nil
		}
		return []byte(e.srv.LastOTP()), nil
	}}
}

func TestCertEurope(t *testing.T) {
	e := newCertEurope(t)
	ctx := context.Background()

	t.Run("ok workflow 1, client certificate from PKCS#12, visible on page 2", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 2)[1:], t.TempDir()) // two pages
		opts := e.opts()
		opts.Appearance = &pdf.Appearance{Page: 2, Rect: [4]float64{60, 60, 300, 120}, Lines: []string{"Jeanne Martin", "Lu et approuvé"}}
		resultsOK(t, SignWithCertEurope(ctx, e.client, prompttest.WithPIN("unused"), jobs, opts))
		out := jobs[0].Output
		e.v.Check(t, out, 1)
		text, err := pdfcheck.PageText(out, 2)
		if err != nil || !strings.Contains(text, "Lu et approuvé") {
			t.Errorf("page 2 text %q: %v", text, err)
		}
		if first, _ := pdfcheck.PageText(out, 1); strings.Contains(first, "Lu et approuvé") {
			t.Error("the signature is on page 1")
		}
		rep, err := pdf.VerifyFile(ctx, out, pdf.VerifyOptions{Roots: e.srv.PKI.Roots()})
		if err != nil || rep.Signatures[0].Level != "B-T" || rep.Signatures[0].Signer.Name != "Jeanne Martin" {
			t.Fatalf("%v %+v", err, rep)
		}
	})
	t.Run("ok workflow 2, OTP wrong then right, tries shown, B-LTA", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		opts := e.opts()
		opts.OTP, opts.Level = "sms", pdf.LevelBLTA
		p := e.otpAnswers(1)
		resultsOK(t, SignWithCertEurope(ctx, e.client, p, jobs, opts))
		reqs := p.Requests()
		if len(reqs) != 2 || reqs[0].TriesLeft != -1 || reqs[1].TriesLeft != 2 || !strings.Contains(reqs[1].Warning(), "2 tries") {
			t.Errorf("OTP requests %+v", reqs)
		}
		rep, err := pdf.VerifyFile(ctx, jobs[0].Output, pdf.VerifyOptions{Roots: e.srv.PKI.Roots()})
		if err != nil || rep.Signatures[0].Level != "B-LTA" {
			t.Fatalf("%v %+v", err, rep)
		}
		e.v.QPDF(t, jobs[0].Output)
	})
	t.Run("ok ASYNC with polling, and an advanced signature's proof folder", func(t *testing.T) {
		proof := filepath.Join(t.TempDir(), "piece-identite.pdf")
		os.WriteFile(proof, []byte("%PDF-1.4 identity"), 0o644)
		jobs := jobsFor(writeDocs(t, 2), t.TempDir())
		opts := e.opts()
		opts.OTP, opts.Mode, opts.ProofFiles = "sms", certeurope.ASYNC, []string{proof}
		var seen []string
		opts.OnStatus = func(_ string, s certeurope.Status) { seen = append(seen, s.Status) }
		resultsOK(t, SignWithCertEurope(ctx, e.client, e.otpAnswers(0), jobs, opts))
		if len(seen) < 2 || seen[0] != certeurope.StatusInProgress {
			t.Errorf("statuses seen %v, want SIGN_IN_PROGRESS before SIGNED", seen)
		}
		for _, j := range jobs {
			e.v.OpenSSL(t, j.Output, 1)
		}
	})
	t.Run("fail a batch with one failed and one refused document continues", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 3), t.TempDir())
		opts := e.opts()
		opts.Mode = certeurope.ASYNC
		e.srv.Outcome = func(n int) (string, string) {
			switch n {
			case 1:
				return certeurope.StatusFailed, "certificate generation failed"
			case 2:
				return certeurope.StatusRefused, ""
			}
			return "", ""
		}
		defer func() { e.srv.Outcome = nil }()
		results := SignWithCertEurope(ctx, e.client, nil, jobs, opts)
		if results[0].Err != nil {
			t.Errorf("doc1: %v", results[0].Err)
		}
		if !errors.Is(results[1].Err, ErrServiceFailed) || !strings.Contains(results[1].Err.Error(), "certificate generation failed") {
			t.Errorf("doc2: %v", results[1].Err)
		}
		if !errors.Is(results[2].Err, ErrRefused) {
			t.Errorf("doc3: %v", results[2].Err)
		}
		noFiles(t, results[1:])
	})
	t.Run("fail a tampered signed document is kept aside with its report", func(t *testing.T) {
		e.srv.Tamper = true
		defer func() { e.srv.Tamper = false }()
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		r := SignWithCertEurope(ctx, e.client, nil, jobs, e.opts())[0]
		var rej *RejectedError
		if !errors.As(r.Err, &rej) {
			t.Fatalf("%v", r.Err)
		}
		noFiles(t, []Result{r})
		if _, err := os.Stat(rej.Report); err != nil {
			t.Error("no report")
		}
	})
	t.Run("ok workflow 3, a batch sealed in one call", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 2), t.TempDir())
		before := e.srv.Calls("POST " + certeurope.DefaultCentralized.SignBatch)
		resultsOK(t, SealWithCertEurope(ctx, e.client, jobs, e.opts()))
		if e.srv.Calls("POST "+certeurope.DefaultCentralized.SignBatch) != before+1 {
			t.Error("the batch was not sealed in one call")
		}
		rep, err := pdf.VerifyFile(ctx, jobs[1].Output, pdf.VerifyOptions{Roots: e.srv.PKI.Roots()})
		if err != nil || !strings.Contains(rep.Signatures[0].Signer.Name, "cachet serveur") {
			t.Fatalf("%v %+v", err, rep)
		}
	})
	t.Run("fail what the API cannot draw is refused before sending", func(t *testing.T) {
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		opts := e.opts()
		opts.Appearance = &pdf.Appearance{Page: 1, Rect: [4]float64{60, 60, 300, 120}, Lines: []string{"Nguyễn Văn Đức"}}
		before := e.srv.Calls("POST /ephemeral/orders")
		r := SignWithCertEurope(ctx, e.client, nil, jobs, opts)[0]
		if !errors.Is(r.Err, certeurope.ErrCannotDraw) || e.srv.Calls("POST /ephemeral/orders") != before {
			t.Fatalf("%v", r.Err)
		}
	})
}

// TestCertEuropeTokenClientCertificate: the client certificate's key on
// a SoftHSM2 token (its PIN asked once) authenticates the TLS session.
func TestCertEuropeTokenClientCertificate(t *testing.T) {
	env, mods := openToken(t)
	srv, err := cefake.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	srv.TrustClientCA(env.PKI.Root.Cert)
	srv.TrustClientCA(env.PKI.Intermediate.Cert)
	p := prompttest.WithPIN(softhsmtest.PIN)
	signer := signerFor(t, mods, "P-384 authentication", p)
	c := certEuropeClient(t, srv, signer)
	jobs := jobsFor(writeDocs(t, 1), t.TempDir())
	opts := CertEuropeOptions{Holder: jeanne, Verify: pdf.VerifyOptions{Roots: srv.PKI.Roots()}}
	resultsOK(t, SignWithCertEurope(context.Background(), c, p, jobs, opts))
	if n := len(p.Requests()); n != 1 {
		t.Errorf("the token PIN was asked %d times, want once", n)
	}
}

// TestCertEuropeTLS: no client certificate, another CA's, or a server
// Signet does not trust — each said plainly.
func TestCertEuropeTLS(t *testing.T) {
	e := newCertEurope(t)
	ctx := context.Background()
	if _, err := certeurope.New(certeurope.Config{URL: e.srv.URL, TLS: &tls.Config{}}); !errors.Is(err, certeurope.ErrNoClientCertificate) || !strings.Contains(err.Error(), "mutual TLS") {
		t.Fatalf("no client certificate: %v", err)
	}
	// A client certificate from another CA: the handshake fails.
	other, err := cefake.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	cfg, _ := certeurope.TLSConfig(mustP12Signer(t, other), []*x509.Certificate{e.srv.ServerCA()})
	wrongCA, _ := certeurope.New(certeurope.Config{URL: e.srv.URL, TLS: cfg})
	if _, err := wrongCA.GetOrder(ctx, certeurope.Ref{ID: "1"}); !errors.Is(err, certeurope.ErrTLS) || !strings.Contains(err.Error(), "mutual-TLS") {
		t.Fatalf("another CA's client certificate: %v", err)
	}
	// The server's certificate from a CA Signet was not told of.
	cfg, _ = certeurope.TLSConfig(mustP12Signer(t, e.srv), nil)
	distrust, _ := certeurope.New(certeurope.Config{URL: e.srv.URL, TLS: cfg})
	if _, err := distrust.GetOrder(ctx, certeurope.Ref{ID: "1"}); !errors.Is(err, certeurope.ErrTLS) || !strings.Contains(err.Error(), "not trusted") {
		t.Fatalf("wrong server CA: %v", err)
	}
}

func mustP12Signer(t *testing.T, srv *cefake.Server) keys.Signer {
	t.Helper()
	ent, err := srv.NewClient("Stranger")
	if err != nil {
		t.Fatal(err)
	}
	p12, _ := srv.PKI.PKCS12(ent, "pw")
	s, err := keys.LoadPKCS12(p12, []byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}
