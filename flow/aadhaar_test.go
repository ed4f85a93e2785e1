package flow

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/aadhaar"
	afake "github.com/signet-sign/signet/remote/aadhaar/fake"
)

type aadhaarEnv struct {
	srv    *afake.Server
	client *aadhaar.Client
	v      *pdfcheck.Validators
}

func newAadhaar(t *testing.T) *aadhaarEnv {
	t.Helper()
	srv, err := afake.Start("client-1", "secret-1", "instance-1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	c, err := aadhaar.New(aadhaar.Config{URL: srv.URL, ClientID: "client-1", ClientSecret: "secret-1", ProductInstanceID: "instance-1"})
	if err != nil {
		t.Fatal(err)
	}
	return &aadhaarEnv{srv: srv, client: c, v: pdfcheck.New(t, srv.PKI)}
}

func (e *aadhaarEnv) opts() AadhaarOptions {
	return AadhaarOptions{RedirectURL: "https://portal.example.in/signed", Poll: 10 * time.Millisecond, MaxPoll: 40 * time.Millisecond,
		Deadline: 20 * time.Second, Verify: pdf.VerifyOptions{Roots: e.srv.PKI.Roots()}}
}

var twoSigners = []AadhaarSigner{
	{Name: "Ananya Rao", ID: "999941057058", BirthYear: "1990", Place: &aadhaar.Rect{Page: 1, X1: 40, Y1: 40, X2: 220, Y2: 100}},
	{Name: "Vikram Singh", ID: "999971658847", Place: &aadhaar.Rect{Page: -1, X1: 360, Y1: 40, X2: 540, Y2: 100}},
}

func TestAadhaar(t *testing.T) {
	e := newAadhaar(t)
	ctx := context.Background()
	twoPages := func(t *testing.T) (string, string) {
		in := writeDocs(t, 2)[1] // doc2.pdf has two pages
		return in, filepath.Join(t.TempDir(), "signed.pdf")
	}

	t.Run("ok two signers in two places, proven and written", func(t *testing.T) {
		in, out := twoPages(t)
		r, err := StartAadhaar(ctx, e.client, in, twoSigners, e.opts())
		if err != nil {
			t.Fatal(err)
		}
		// The signing config: Signet's pages 1 and last (2) as 0 and 1.
		var cfg aadhaar.SigningConfig
		if err := json.Unmarshal(e.srv.LastConfig(), &cfg); err != nil || len(cfg.Signers) != 2 ||
			cfg.Signers[0].SignRectangles[0].Pages[0] != 0 || cfg.Signers[1].SignRectangles[0].Pages[0] != 1 ||
			cfg.Signers[1].SignRectangles[0].Coordinate.LowerLeftX != 360 {
			t.Fatalf("config %s: %v", e.srv.LastConfig(), err)
		}
		for _, sg := range r.Signers {
			if !strings.Contains(sg.URL, "/signature/preview?requestId="+r.ID) {
				t.Errorf("signer %s has no signing URL: %q", sg.DisplayName, sg.URL)
			}
		}
		var seen []string
		opts := e.opts()
		opts.OnStatus = func(r *aadhaar.Request) { seen = append(seen, r.Status) }
		go func() {
			e.srv.Open(r.ID, 0)
			e.srv.Sign(r.ID, 0)
			e.srv.Sign(r.ID, 1)
		}()
		done, err := WaitAadhaar(ctx, e.client, r.ID, opts)
		if err != nil || done.Status != aadhaar.StatusComplete {
			t.Fatalf("%v %+v", err, done)
		}
		orig, _ := os.ReadFile(in)
		rep, err := FetchAadhaar(ctx, e.client, done, orig, out, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Signatures) != 2 || !rep.Valid() || rep.Signatures[1].Signer.Name != "Vikram Singh" {
			t.Fatalf("report %+v", rep)
		}
		if len(seen) == 0 || seen[len(seen)-1] != aadhaar.StatusComplete {
			t.Errorf("statuses seen: %v", seen)
		}
		e.v.QPDF(t, out)
		e.v.PDFSig(t, out, 2)
	})
	t.Run("fail a signer declines: said, nothing written", func(t *testing.T) {
		in, out := twoPages(t)
		r, err := StartAadhaar(ctx, e.client, in, twoSigners, e.opts())
		if err != nil {
			t.Fatal(err)
		}
		e.srv.Sign(r.ID, 0)
		e.srv.Fail(r.ID, 1, "signer_declined")
		got, err := WaitAadhaar(ctx, e.client, r.ID, e.opts())
		if !errors.Is(err, aadhaar.ErrDeclined) || !strings.Contains(err.Error(), "Vikram Singh: the signer declined to sign") {
			t.Fatalf("%v", err)
		}
		if got == nil || got.Status != aadhaar.StatusPending {
			t.Errorf("status %+v", got)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Error("something was written")
		}
	})
	t.Run("ok OTP retries exceeded are reported, the signer tries again", func(t *testing.T) {
		in, out := twoPages(t)
		r, err := StartAadhaar(ctx, e.client, in, twoSigners[:1], e.opts())
		if err != nil {
			t.Fatal(err)
		}
		e.srv.Fail(r.ID, 0, "exceeded_otp_retries")
		var said []string
		var once sync.Once
		opts := e.opts()
		opts.OnStatus = func(r *aadhaar.Request) {
			if code := r.Signers[0].ErrCode; code != "" {
				said = append(said, aadhaar.SignerErrorText(code))
				once.Do(func() { go e.srv.Sign(r.ID, 0) })
			}
		}
		done, err := WaitAadhaar(ctx, e.client, r.ID, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(said) == 0 || !strings.Contains(said[0], "too many wrong OTPs") {
			t.Errorf("said %q", said)
		}
		if _, err := FetchAadhaar(ctx, e.client, done, nil, out, opts); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ok an expired download link is asked for again", func(t *testing.T) {
		in, out := twoPages(t)
		r, err := StartAadhaar(ctx, e.client, in, twoSigners[:1], e.opts())
		if err != nil {
			t.Fatal(err)
		}
		e.srv.Sign(r.ID, 0)
		e.srv.ExpiredLinks = 1
		before := e.srv.Calls("GET /api/signature/{id}/download")
		orig, _ := os.ReadFile(in)
		if _, err := FetchAadhaar(ctx, e.client, &aadhaar.Request{ID: r.ID, Signers: r.Signers}, orig, out, e.opts()); err != nil {
			t.Fatal(err)
		}
		if n := e.srv.Calls("GET /api/signature/{id}/download") - before; n != 2 {
			t.Errorf("%d download calls, want 2", n)
		}
	})
	t.Run("fail a tampered document is kept aside with its report", func(t *testing.T) {
		in, out := twoPages(t)
		r, err := StartAadhaar(ctx, e.client, in, twoSigners[:1], e.opts())
		if err != nil {
			t.Fatal(err)
		}
		e.srv.Sign(r.ID, 0)
		e.srv.Tamper = true
		defer func() { e.srv.Tamper = false }()
		orig, _ := os.ReadFile(in)
		_, err = FetchAadhaar(ctx, e.client, r, orig, out, e.opts())
		var rej *RejectedError
		if !errors.As(err, &rej) {
			t.Fatalf("%v, want a rejection", err)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Error("the tampered document was written as signed")
		}
		report, err := os.ReadFile(rej.Report)
		if err != nil || !strings.Contains(string(report), `"reasons"`) {
			t.Errorf("report %s: %v", report, err)
		}
		if _, err := os.Stat(rej.Kept); err != nil {
			t.Error("the document was not kept aside")
		}
	})
	t.Run("fail without the provider's CA the signatures are not trusted", func(t *testing.T) {
		in, out := twoPages(t)
		r, err := StartAadhaar(ctx, e.client, in, twoSigners[:1], e.opts())
		if err != nil {
			t.Fatal(err)
		}
		e.srv.Sign(r.ID, 0)
		opts := e.opts()
		opts.Verify = pdf.VerifyOptions{}
		_, err = FetchAadhaar(ctx, e.client, r, nil, out, opts)
		if err == nil || !strings.Contains(err.Error(), "--trust") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("fail request errors in words with the trace id", func(t *testing.T) {
		e.srv.FailNext("POST /api/signature", 400, "invalid_redirect_url", "redirectUrl is not valid")
		in, _ := twoPages(t)
		_, err := StartAadhaar(ctx, e.client, in, twoSigners, e.opts())
		var ae *aadhaar.Error
		if !errors.As(err, &ae) || ae.TraceID == "" || !strings.Contains(err.Error(), "publicly hosted URL") || !strings.Contains(err.Error(), "trace id "+ae.TraceID) {
			t.Fatalf("%v", err)
		}
		if _, err := e.client.GetRequest(ctx, "no-such-id"); !errors.As(err, &ae) || !ae.NotFound() {
			t.Fatalf("unknown request: %v", err)
		}
		bad, _ := aadhaar.New(aadhaar.Config{URL: e.srv.URL, ClientID: "client-1", ClientSecret: "wrong", ProductInstanceID: "instance-1"})
		if _, err := bad.GetRequest(ctx, "x"); err == nil || !strings.Contains(err.Error(), "credentials") {
			t.Fatalf("wrong secret: %v", err)
		}
	})
	t.Run("ok webhooks twice and out of order: one download", func(t *testing.T) {
		dir := t.TempDir()
		var mu sync.Mutex
		var results []error
		l := &AadhaarListener{Client: e.client, Opts: e.opts(),
			Output: func(r *aadhaar.Request) string { return filepath.Join(dir, r.ID+".pdf") },
			Done: func(_ *aadhaar.Request, _ string, _ *pdf.Report, err error) {
				mu.Lock()
				results = append(results, err)
				mu.Unlock()
			}}
		hook := httptest.NewServer(l)
		defer hook.Close()
		lctx, stop := context.WithCancel(ctx)
		defer stop()
		go l.Run(lctx)
		e.srv.Webhook, e.srv.Duplicates, e.srv.Stale = hook.URL, true, true
		defer func() { e.srv.Webhook, e.srv.Duplicates, e.srv.Stale = "", false, false }()
		in, _ := twoPages(t)
		r, err := StartAadhaar(ctx, e.client, in, twoSigners, e.opts())
		if err != nil {
			t.Fatal(err)
		}
		before := e.srv.Calls("GET /api/signature/{id}/download")
		e.srv.Sign(r.ID, 0)
		e.srv.Sign(r.ID, 1)
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			n := len(results)
			mu.Unlock()
			if n > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // late duplicates
		mu.Lock()
		defer mu.Unlock()
		if len(results) != 1 || results[0] != nil {
			t.Fatalf("downloads: %v", results)
		}
		if n := e.srv.Calls("GET /api/signature/{id}/download") - before; n != 1 {
			t.Errorf("%d download calls, want 1", n)
		}
		if _, err := os.Stat(filepath.Join(dir, r.ID+".pdf")); err != nil {
			t.Error(err)
		}
	})
}

func TestParseAadhaarSigner(t *testing.T) {
	for in, want := range map[string]AadhaarSigner{
		"Ananya Rao,999941057058,1990": {Name: "Ananya Rao", ID: "999941057058", BirthYear: "1990"},
		" Vikram Singh , 8847 ":        {Name: "Vikram Singh", ID: "8847"},
	} {
		got, err := ParseAadhaarSigner(in)
		if err != nil || got.Name != want.Name || got.ID != want.ID || got.BirthYear != want.BirthYear {
			t.Errorf("%q: %+v %v", in, got, err)
		}
	}
	for _, bad := range []string{"Ananya", ",123,1990", "A,1,90", "A,1,1990,x"} {
		if _, err := ParseAadhaarSigner(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
