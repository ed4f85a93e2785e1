package flow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/testocsp"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
	"github.com/signet-sign/signet/remote/cmd"
	cmdfake "github.com/signet-sign/signet/remote/cmd/fake"
)

const cmdPhone = "+351 912345678"

type cmdEnv struct {
	*cmdfake.Env
	citizen *cmdfake.Citizen
	client  *cmd.Client
	v       *pdfcheck.Validators
	ocsp    string // the OCSP responder the citizen's certificate names
}

func newCMD(t *testing.T) *cmdEnv {
	t.Helper()
	env, err := cmdfake.StartEnv("signet-test", "app", "app-pass")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	responder, err := testocsp.Start(env.PKI)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(responder.Close)
	env.Issue = testpki.IssueOptions{OCSPServer: responder.URL}
	citizen, err := env.NewCitizen("Maria da Silva Exemplo", cmdPhone, "4321")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := cmd.CipherFor(env.Cifra, cmd.PKCS1v15)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cmd.New(cmd.Config{URL: env.URL, ApplicationID: "signet-test", Username: "app", Password: "app-pass", Cipher: ci})
	if err != nil {
		t.Fatal(err)
	}
	return &cmdEnv{Env: env, citizen: citizen, client: c, v: pdfcheck.New(t, env.PKI), ocsp: responder.URL}
}

func (e *cmdEnv) opts() CMDOptions {
	return CMDOptions{UserID: cmdPhone,
		PDF:    pdf.Options{Timestamper: &pdf.TSAClient{URL: e.TSA.URL}},
		Verify: pdf.VerifyOptions{Roots: e.PKI.Roots()}}
}

// person answers the PIN with pin and security codes with the fake's,
// after wrong ones; before answering a code it runs beforeOTP (nil: no).
func (e *cmdEnv) person(pin string, wrong int, beforeOTP func(n int) error) *prompttest.Prompter {
	var n atomic.Int32
	return &prompttest.Prompter{Answer: func(req prompt.Request) ([]byte, error) {
		if req.Kind == prompt.AccountPIN {
			return []byte(pin), nil
		}
		k := int(n.Add(1))
		if beforeOTP != nil {
			if err := beforeOTP(k); err != nil {
				return nil, err
			}
		}
		if k <= wrong {
			return []byte("000000"), nil
		}
		return []byte(e.LastOTP()), nil
	}}
}

func kindsAsked(p *prompttest.Prompter, kind prompt.Kind) []prompt.Request {
	var out []prompt.Request
	for _, r := range p.Requests() {
		if r.Kind == kind {
			out = append(out, r)
		}
	}
	return out
}

func allFail(t *testing.T, results []Result, target error) {
	t.Helper()
	for _, r := range results {
		if !errors.Is(r.Err, target) {
			t.Errorf("%s: %v, want %v", r.Input, r.Err, target)
		}
	}
	noFiles(t, results)
}

// noLeftovers: nothing but the signed files in the output directory.
func noLeftovers(t *testing.T, dir string, want int) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	if len(entries) != want {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("%s holds %v, want %d signed files", dir, names, want)
	}
}

func TestCMD(t *testing.T) {
	e := newCMD(t)
	ctx := context.Background()

	t.Run("ok one document B-T", func(t *testing.T) {
		p := e.person("4321", 0, nil)
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		before := e.Calls("SCMDSign")
		resultsOK(t, SignWithCMD(ctx, e.client, p, jobs, e.opts()))
		if e.Calls("SCMDSign") != before+1 {
			t.Error("one document was not sent with SCMDSign")
		}
		if pins := kindsAsked(p, prompt.AccountPIN); len(pins) != 1 || pins[0].Certificate == nil || pins[0].Key != "Maria da Silva Exemplo" {
			t.Errorf("PIN requests: %+v", pins)
		}
		if !p.AllZeroed() {
			t.Error("the PIN or the code was not cleared")
		}
		e.v.Check(t, jobs[0].Output, 1)
		rep, err := pdf.VerifyFile(ctx, jobs[0].Output, pdf.VerifyOptions{Roots: e.PKI.Roots()})
		if err != nil || !rep.Valid() || rep.Signatures[0].Level != "B-T" || rep.Signatures[0].Signer.Name != "Maria da Silva Exemplo" {
			t.Fatalf("signet verify: %v %+v", err, rep)
		}
	})
	t.Run("ok batch larger than the service's limit: two requests, two codes", func(t *testing.T) {
		p := e.person("4321", 0, nil)
		n := cmd.MaxDocuments + 1
		dir := t.TempDir()
		jobs := jobsFor(writeSmallDocs(t, n), dir)
		var told []string
		opts := e.opts()
		opts.PDF.Timestamper = nil // B-B: a hundred timestamps add nothing here
		opts.Inform = func(s string) { told = append(told, s) }
		before := len(e.BatchSizes())
		singles := e.Calls("SCMDSign")
		resultsOK(t, SignWithCMD(ctx, e.client, p, jobs, opts))
		if got := e.BatchSizes()[before:]; len(got) != 1 || got[0] != cmd.MaxDocuments || e.Calls("SCMDSign") != singles+1 {
			t.Errorf("requests: multiple %v and %d single, want [100] and 1", got, e.Calls("SCMDSign")-singles)
		}
		if len(told) != 1 || !strings.Contains(told[0], "2 security codes") {
			t.Errorf("the person was told %q", told)
		}
		if codes := kindsAsked(p, prompt.OTP); len(codes) != 2 {
			t.Errorf("%d codes asked, want 2", len(codes))
		}
		if pins := kindsAsked(p, prompt.AccountPIN); len(pins) != 1 {
			t.Errorf("PIN asked %d times, want once", len(pins))
		}
		e.v.Check(t, jobs[0].Output, 1)
		e.v.Check(t, jobs[n-1].Output, 1)
		noLeftovers(t, dir, n)
	})
	t.Run("fail wrong PIN asked once, never resent", func(t *testing.T) {
		p := e.person("1111", 0, nil)
		jobs := jobsFor(writeDocs(t, 2), t.TempDir())
		before := len(e.BatchSizes())
		results := SignWithCMD(ctx, e.client, p, jobs, e.opts())
		allFail(t, results, cmd.ErrWrongPIN)
		if len(e.BatchSizes()) != before+1 || len(kindsAsked(p, prompt.OTP)) != 0 {
			t.Error("after a wrong PIN the request was sent again or a code was asked")
		}
	})
	t.Run("ok wrong code then the right one, tries shown", func(t *testing.T) {
		p := e.person("4321", 1, nil)
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		resultsOK(t, SignWithCMD(ctx, e.client, p, jobs, e.opts()))
		codes := kindsAsked(p, prompt.OTP)
		if len(codes) != 2 || codes[0].TriesLeft != -1 || codes[1].TriesLeft != DefaultOTPTries-1 || !strings.Contains(codes[1].Warning(), "2 tries") {
			t.Errorf("code requests: %+v", codes)
		}
		e.v.Check(t, jobs[0].Output, 1)
	})
	t.Run("fail wrong codes until no tries are left", func(t *testing.T) {
		p := e.person("4321", 99, nil)
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		allFail(t, SignWithCMD(ctx, e.client, p, jobs, e.opts()), cmd.ErrWrongOTP)
		if n := len(kindsAsked(p, prompt.OTP)); n != DefaultOTPTries {
			t.Errorf("%d codes asked, want %d", n, DefaultOTPTries)
		}
	})
	t.Run("fail expired process", func(t *testing.T) {
		p := e.person("4321", 0, func(int) error { e.ExpireProcesses(); return nil })
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		results := SignWithCMD(ctx, e.client, p, jobs, e.opts())
		allFail(t, results, cmd.ErrProcessGone)
		if !strings.Contains(results[0].Err.Error(), "expired: start again") {
			t.Errorf("message: %v", results[0].Err)
		}
	})
	t.Run("ok new code by ForceSMS", func(t *testing.T) {
		p := e.person("4321", 0, func(n int) error {
			if n == 1 {
				return prompt.ErrResend
			}
			return nil
		})
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		before := e.Calls("ForceSMS")
		resultsOK(t, SignWithCMD(ctx, e.client, p, jobs, e.opts()))
		if e.Calls("ForceSMS") != before+1 {
			t.Error("ForceSMS was not called")
		}
		if codes := kindsAsked(p, prompt.OTP); !codes[0].CanResend {
			t.Error("the code prompt did not offer a new code")
		}
	})
	t.Run("fail SOAP fault", func(t *testing.T) {
		e.Script("SCMDSign", cmdfake.Answer{Fault: true})
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		results := SignWithCMD(ctx, e.client, e.person("4321", 0, nil), jobs, e.opts())
		var fe *cmd.FaultError
		if !errors.As(results[0].Err, &fe) {
			t.Fatalf("%v, want a SOAP fault", results[0].Err)
		}
		noFiles(t, results)
	})
	t.Run("fail service down mid-batch leaves the first request's documents whole", func(t *testing.T) {
		dir := t.TempDir()
		jobs := jobsFor(writeDocs(t, 3), dir)
		opts := e.opts()
		opts.BatchSize = 2
		e.Script("SCMDSign", cmdfake.Answer{HTTPStatus: 503})
		results := SignWithCMD(ctx, e.client, e.person("4321", 0, nil), jobs, opts)
		resultsOK(t, results[:2])
		var he *cmd.HTTPError
		if !errors.As(results[2].Err, &he) || he.Status != 503 {
			t.Fatalf("third document: %v, want HTTP 503", results[2].Err)
		}
		noFiles(t, results[2:])
		noLeftovers(t, dir, 2)
		e.v.Check(t, jobs[1].Output, 1)
	})
	t.Run("fail signature with another key is refused", func(t *testing.T) {
		e.WrongKey = true
		defer func() { e.WrongKey = false }()
		jobs := jobsFor(writeDocs(t, 2), t.TempDir())
		allFail(t, SignWithCMD(ctx, e.client, e.person("4321", 0, nil), jobs, e.opts()), ErrServiceSignature)
	})
	t.Run("fail account must change PIN: AMA's exact words", func(t *testing.T) {
		e.citizen.Code = "901"
		defer func() { e.citizen.Code = "" }()
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		results := SignWithCMD(ctx, e.client, e.person("4321", 0, nil), jobs, e.opts())
		if results[0].Err == nil || results[0].Err.Error() != cmd.MessageChangePINs {
			t.Fatalf("%v", results[0].Err)
		}
	})
	t.Run("ok B-LTA", func(t *testing.T) {
		tsa, err := testtsa.StartWith(e.PKI, testpki.IssueOptions{OCSPServer: e.ocsp})
		if err != nil {
			t.Fatal(err)
		}
		defer tsa.Close()
		opts := e.opts()
		opts.PDF.Timestamper = &pdf.TSAClient{URL: tsa.URL}
		opts.Level = pdf.LevelBLTA
		opts.LTV = pdf.LTVOptions{Roots: e.PKI.Roots()}
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		resultsOK(t, SignWithCMD(ctx, e.client, e.person("4321", 0, nil), jobs, opts))
		rep, err := pdf.VerifyFile(ctx, jobs[0].Output, pdf.VerifyOptions{Roots: e.PKI.Roots()})
		if err != nil || !rep.Valid() || rep.Signatures[0].Level != "B-LTA" {
			t.Fatalf("%v %+v", err, rep)
		}
		e.v.QPDF(t, jobs[0].Output)
	})
	t.Run("fail unknown phone number", func(t *testing.T) {
		opts := e.opts()
		opts.UserID = "+351 999999999"
		jobs := jobsFor(writeDocs(t, 1), t.TempDir())
		allFail(t, SignWithCMD(ctx, e.client, e.person("4321", 0, nil), jobs, opts), cmd.ErrNoCertificate)
	})
}

// writeSmallDocs writes n one-page documents.
func writeSmallDocs(t *testing.T, n int) []string {
	t.Helper()
	one := writeDocs(t, 1)[0]
	data, err := os.ReadFile(one)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths := make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("doc%03d.pdf", i))
		if err := os.WriteFile(paths[i], data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}
