package flow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
)

// sameDocs writes n copies of a one-page PDF; broken names the ones that
// are not PDFs.
func sameDocs(t *testing.T, n int, broken ...int) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("doc%03d.pdf", i))
		if err := testpdf.WriteFile(p, testpdf.Options{}); err != nil {
			t.Fatal(err)
		}
		for _, b := range broken {
			if b == i {
				os.WriteFile(p, []byte("%PDF-1.7\nnot a PDF body\n"), 0o644)
			}
		}
		paths = append(paths, p)
	}
	return paths
}

// TestParallelBatch: 50 documents over two sessions, one of them broken:
// 49 signed, 1 reported, results and progress in input order, one PIN.
func TestParallelBatch(t *testing.T) {
	env, mods := openToken(t)
	p := prompttest.WithPIN(softhsmtest.PIN)
	signer := signerFor(t, mods, "P-256 signing", p)
	docs := sameDocs(t, 50, 17)
	jobs := jobsFor(docs, t.TempDir())
	var mu sync.Mutex
	var progress []int
	var reported []string
	results := SignPDFs(context.Background(), signer, jobs, BatchOptions{
		Jobs: 2,
		Progress: func(done, total int, current string) {
			mu.Lock()
			defer mu.Unlock()
			progress = append(progress, done)
		},
		OnResult: func(r Result) {
			mu.Lock()
			defer mu.Unlock()
			reported = append(reported, r.Input)
		},
		Notice: func(s string) { t.Errorf("notice %q for a key that signs in parallel", s) },
	})
	if c := signer.(*pkcs11.Key).Concurrency(); c < 2 {
		t.Errorf("the key signs %d at a time", c)
	}
	for i, r := range results {
		if r.Input != docs[i] {
			t.Fatalf("result %d is %s, want %s", i, r.Input, docs[i])
		}
		if i == 17 {
			if !errors.Is(r.Err, pdf.ErrBrokenPDF) || ErrorCode(r.Err) != "damaged_pdf" {
				t.Errorf("the broken document: %v (%s)", r.Err, ErrorCode(r.Err))
			}
			if _, err := os.Stat(r.Output); !errors.Is(err, os.ErrNotExist) {
				t.Error("an output was written for the broken document")
			}
			continue
		}
		if r.Err != nil || r.Took <= 0 {
			t.Fatalf("%s: %v (took %v)", r.Input, r.Err, r.Took)
		}
	}
	for i, d := range progress {
		if d != i {
			t.Fatalf("progress %v is not in order", progress)
		}
	}
	if len(progress) != 51 || strings.Join(reported, "\n") != strings.Join(docs, "\n") {
		t.Errorf("progress %d calls; results reported %d, in order %v", len(progress), len(reported), strings.Join(reported, "\n") == strings.Join(docs, "\n"))
	}
	if n := len(p.Requests()); n != 1 {
		t.Errorf("%d PIN prompts, want 1", n)
	}
	v := pdfcheck.New(t, env.PKI)
	for _, i := range []int{0, 25, 49} {
		v.PDFSig(t, results[i].Output, 1)
	}
}

// TestParallelAlwaysAuthenticate: a key that asks a PIN per signature
// signs one document at a time, and the batch says so.
func TestParallelAlwaysAuthenticate(t *testing.T) {
	_, mods := openToken(t)
	p := prompttest.WithPIN(softhsmtest.PIN)
	signer := signerFor(t, mods, "P-256 eID signature", p)
	docs := sameDocs(t, 4)
	var notices []string
	results := SignPDFs(context.Background(), signer, jobsFor(docs, t.TempDir()), BatchOptions{
		Jobs:   2,
		Notice: func(s string) { notices = append(notices, s) },
	})
	resultsOK(t, results)
	if len(notices) != 1 || !strings.Contains(notices[0], "one at a time") {
		t.Errorf("notices %q", notices)
	}
	sig := 0
	for _, k := range p.Kinds() {
		if k == prompt.SignaturePIN {
			sig++
		}
	}
	if sig != 4 {
		t.Errorf("%d signature PINs for 4 documents: %v", sig, p.Kinds())
	}
}

// TestParallelTokenRemoved: the token goes away in the middle of a
// parallel batch: what was signed is valid, nothing is half-written, the
// rest is reported with the token's error.
func TestParallelTokenRemoved(t *testing.T) {
	const token = "signet-flow-removed"
	env := softhsmtest.Require(t)
	if err := env.AddToken(t.TempDir(), token, softhsmtest.KeySpec{ID: []byte{1}, Label: "seal", Alg: testpki.P256, Profile: testpki.Signing, CN: "Seal"}); err != nil {
		t.Fatal(err)
	}
	mods := LoadModules([]string{env.Module}, nil)
	defer mods.Close()
	uri := pkcs11.NewURI().Set("token", token).Set("object", "seal").String()
	signer, err := OpenSigner(context.Background(), mods, uri, prompttest.WithPIN(softhsmtest.PIN))
	if err != nil {
		t.Fatal(err)
	}
	defer signer.Close()
	docs := sameDocs(t, 200)
	out := t.TempDir()
	var once sync.Once
	results := SignPDFs(context.Background(), signer, jobsFor(docs, out), BatchOptions{
		Jobs: 2,
		Progress: func(done, total int, current string) {
			if done == 20 {
				once.Do(func() {
					if err := env.RemoveToken(token); err != nil {
						t.Error(err)
					}
				})
			}
		},
	})
	signed, failed := 0, 0
	var keyErr error
	for _, r := range results {
		switch {
		case r.Err == nil:
			signed++
			// The token holds no intermediate: the chain is not the
			// point, the signed bytes and the signature are.
			rep, err := pdf.VerifyFile(context.Background(), r.Output, pdf.VerifyOptions{Roots: env.PKI.Roots()})
			if err != nil || len(rep.Signatures) != 1 {
				t.Fatalf("%s: %v", r.Output, err)
			}
			for _, c := range rep.Signatures[0].Checks {
				if (c.Name == "byte range" || c.Name == "document digest" || c.Name == "signature") && c.Status != pdf.Passed {
					t.Errorf("%s: %s %s", r.Output, c.Name, c.Detail)
				}
			}
		default:
			failed++
			if !errors.Is(r.Err, ErrStopped) && keyErr == nil {
				keyErr = r.Err
			}
			if _, err := os.Stat(r.Output); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s: an output exists for a document not signed", r.Output)
			}
		}
	}
	if signed < 20 || failed == 0 {
		t.Fatalf("%d signed, %d failed", signed, failed)
	}
	if !KeyFailure(keyErr) || ErrorCode(keyErr) != "token_removed" {
		t.Errorf("the token's error: %v (%s)", keyErr, ErrorCode(keyErr))
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != signed {
		t.Errorf("%d files in the output folder, %d signed (a temporary file left?)", len(entries), signed)
	}
}
