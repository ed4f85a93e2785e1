package flow

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
)

func TestExtend(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	ltv, err := testtsa.StartLTV(pki)
	if err != nil {
		t.Fatal(err)
	}
	defer ltv.Close()
	tsa, withOCSP := ltv.TSA, ltv.Issue
	v := pdfcheck.New(t, pki)
	ctx := context.Background()
	verify := pdf.VerifyOptions{Roots: pki.Roots()}
	opts := func(level pdf.Level) ExtendOptions {
		return ExtendOptions{Level: level, Timestamper: &pdf.TSAClient{URL: tsa.URL}, LTV: pdf.LTVOptions{Roots: pki.Roots()}, Verify: verify}
	}
	dir := t.TempDir()
	doc := writeDocs(t, 1)[0]
	// A Signet B-B file, and one signed by poppler's pdfsig.
	signer, err := pki.NewEntity(testpki.P256, testpki.Signing, "Signet Signer", withOCSP)
	if err != nil {
		t.Fatal(err)
	}
	bb := filepath.Join(dir, "signet-bb.pdf")
	if err := pdf.SignFile(ctx, doc, bb, signer.Key, pki.Chain(signer.Cert), pdf.Options{}); err != nil {
		t.Fatal(err)
	}
	other, err := pki.NewEntity(testpki.RSA2048, testpki.Signing, "Other Tool", withOCSP)
	if err != nil {
		t.Fatal(err)
	}
	popplerSigned := filepath.Join(dir, "pdfsig.pdf")
	v.SignWithPDFSig(t, other, doc, popplerSigned)

	levelOfFile := func(t *testing.T, path string) (*pdf.Report, string) {
		t.Helper()
		rep, err := pdf.VerifyFile(ctx, path, verify)
		if err != nil {
			t.Fatal(err)
		}
		return rep, levelOf(rep)
	}
	for _, in := range []string{bb, popplerSigned} {
		for _, level := range []pdf.Level{pdf.LevelBLT, pdf.LevelBLTA} {
			name := filepath.Base(in) + " to " + string(level)
			t.Run("ok "+name, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out.pdf")
				resultsOK(t, ExtendPDFs(ctx, []Job{{Input: in, Output: out}}, opts(level)))
				rep, got := levelOfFile(t, out)
				want := string(level)
				if in == popplerSigned {
					want = "" // not a PAdES signature: no PAdES level
				}
				if got != want || !rep.Valid() {
					t.Fatalf("level %q valid %v: %+v", got, rep.Valid(), rep)
				}
				// Validation data and (the signer's time proven) a
				// document timestamp for both kinds.
				stamps := 0
				for _, s := range rep.Signatures {
					if s.SubFilter == "ETSI.RFC3161" {
						stamps++
					}
				}
				if stamps == 0 || rep.Revisions < 3 {
					t.Errorf("%d document timestamps, %d revisions", stamps, rep.Revisions)
				}
				v.QPDF(t, out)
				// pdfsig checks the signature, not document timestamps.
				v.PDFSig(t, out, 1)
			})
		}
	}
	t.Run("ok renewal adds a second document timestamp over the first", func(t *testing.T) {
		lta := filepath.Join(t.TempDir(), "lta.pdf")
		resultsOK(t, ExtendPDFs(ctx, []Job{{Input: bb, Output: lta}}, opts(pdf.LevelBLTA)))
		renewed := filepath.Join(t.TempDir(), "renewed.pdf")
		o := opts("")
		o.Renew = true
		resultsOK(t, ExtendPDFs(ctx, []Job{{Input: lta, Output: renewed}}, o))
		rep, got := levelOfFile(t, renewed)
		var stamps []pdf.SignatureReport
		for _, s := range rep.Signatures {
			if s.SubFilter == "ETSI.RFC3161" {
				stamps = append(stamps, s)
			}
		}
		// B-B extended to B-LTA: the time proof and the archive
		// timestamp; the renewal adds a third over them.
		if got != "B-LTA" || !rep.Valid() || len(stamps) != 3 {
			t.Fatalf("level %s, %d document timestamps: %+v", got, len(stamps), rep)
		}
		if !strings.Contains(strings.Join(stamps[1].ChangesAfter, ","), "document timestamps") ||
			!strings.Contains(strings.Join(stamps[1].ChangesAfter, ","), "validation data") {
			t.Errorf("after the archive timestamp: %v, want fresh validation data and a document timestamp", stamps[1].ChangesAfter)
		}
	})
	t.Run("fail renewal of a file that is not an archive", func(t *testing.T) {
		o := opts("")
		o.Renew = true
		r := ExtendPDFs(ctx, []Job{{Input: bb, Output: filepath.Join(t.TempDir(), "x.pdf")}}, o)[0]
		if !errors.Is(r.Err, ErrNotArchive) || !strings.Contains(r.Err.Error(), "is B-B") {
			t.Fatalf("%v", r.Err)
		}
	})
	t.Run("ok in place with a backup", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "doc.pdf")
		orig, _ := os.ReadFile(bb)
		os.WriteFile(path, orig, 0o644)
		o := opts(pdf.LevelBLT)
		o.Backup = ".orig"
		resultsOK(t, ExtendPDFs(ctx, []Job{{Input: path, Output: path}}, o))
		if b, _ := os.ReadFile(path + ".orig"); !bytes.Equal(b, orig) {
			t.Error("the backup is not the original")
		}
		if _, got := levelOfFile(t, path); got != "B-LT" {
			t.Errorf("in place: %s", got)
		}
		// A second run would overwrite the backup: refused.
		if r := ExtendPDFs(ctx, []Job{{Input: path, Output: path}}, o)[0]; r.Err == nil || !strings.Contains(r.Err.Error(), "backup") {
			t.Errorf("%v", r.Err)
		}
	})
	t.Run("ok the expiry warning fires in the window", func(t *testing.T) {
		lta := filepath.Join(t.TempDir(), "lta.pdf")
		resultsOK(t, ExtendPDFs(ctx, []Job{{Input: bb, Output: lta}}, opts(pdf.LevelBLTA)))
		rep, _ := levelOfFile(t, lta)
		exp := rep.ArchiveExpires()
		if exp.IsZero() {
			t.Fatal("no expiry for a B-LTA file")
		}
		window := 90 * 24 * time.Hour
		if w := ArchiveWarning(rep, exp.Add(-30*24*time.Hour), window); w == nil || !strings.Contains(w.Error(), "in 30 days") {
			t.Errorf("30 days before: %v", w)
		}
		if w := ArchiveWarning(rep, exp.Add(-200*24*time.Hour), window); w != nil {
			t.Errorf("200 days before: %v", w)
		}
		if w := ArchiveWarning(rep, exp.Add(time.Hour), window); w == nil || !strings.Contains(w.Error(), "expired on "+exp.UTC().Format(time.DateOnly)) {
			t.Errorf("after: %v", w)
		}
	})
}
