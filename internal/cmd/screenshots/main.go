// Command screenshots runs the real app (Fyne's desktop driver) on
// throw-away SoftHSM2 tokens and sample documents, walks it through its
// main screens and saves a PNG of each: `make screenshots` runs it under
// Xvfb and writes docs/screenshots. The app itself (and Fyne) is driven by
// ui.RunTour; this program prepares the tokens and documents and captures
// the X screen.
package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/kbinani/screenshot"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/ui"
)

func main() {
	out := flag.String("out", "docs/screenshots", "where the PNGs go")
	lang := flag.String("lang", "", "the app's language (default: SIGNET_LANG or the locale); not English: into OUT/LANG")
	flag.Parse()
	if *lang == "" {
		*lang = i18n.FromEnvironment()
	}
	i18n.Set(*lang)
	if l := i18n.Current(); l != "en" {
		*out = filepath.Join(*out, l)
	}
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	work, err := os.MkdirTemp("", "signet-screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	env, err := softhsmtest.Setup(work)
	if err != nil {
		return err
	}
	docs := filepath.Join(work, "Documents")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		return err
	}
	plain := filepath.Join(docs, "Līgums 2026-114.pdf")
	toSign := filepath.Join(docs, "Pielikums A.pdf")
	broken := filepath.Join(docs, "scan (damaged).pdf")
	for i, p := range []string{plain, toSign} {
		if err := testpdf.WriteFile(p, testpdf.Options{Pages: 2 + i}); err != nil {
			return err
		}
	}
	if err := os.WriteFile(broken, []byte("%PDF-1.7\n% truncated during upload\n"), 0o644); err != nil {
		return err
	}
	// One document signed already, so its report has something to say.
	signed := filepath.Join(docs, "Rēķins 0042 (signed).pdf")
	mods := flow.LoadModules([]string{env.Module}, nil)
	defer mods.Close()
	if err := signSample(mods, toSign, signed); err != nil {
		return err
	}
	if err := os.Remove(toSign); err != nil {
		return err
	}
	if err := testpdf.WriteFile(toSign, testpdf.Options{Pages: 3}); err != nil {
		return err
	}

	// The three outcomes of a report: fully checked (B-LT: the
	// revocation status travels in the file), not fully checked (the
	// one above: no revocation data), and not valid (changed after).
	valid, changed := filepath.Join(docs, "Akts 17 (B-LT).pdf"), filepath.Join(docs, "Akts 18 (changed).pdf")
	if err := outcomeSamples(env.PKI, docs, valid, changed); err != nil {
		return err
	}

	err = ui.RunTour(ui.Config{Modules: mods, Settings: &config.Config{}, Poll: -1, Roots: []*x509.Certificate{env.PKI.Root.Cert}},
		ui.TourDocs{Signed: signed, Plain: plain, Broken: broken, Valid: valid, Changed: changed,
			Token: softhsmtest.MainToken, Label: "P-256 signing", PIN: softhsmtest.PIN},
		func(name string) error { return capture(filepath.Join(out, name+".png")) })
	if err != nil {
		return err
	}
	fmt.Println("screenshots written to", out)
	return nil
}

// capture saves the X screen (the app's window fills it) as a PNG.
func capture(path string) error {
	img, err := screenshot.CaptureDisplay(0)
	if err != nil {
		return fmt.Errorf("capture the screen: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// outcomeSamples writes a B-LT document whose every check holds, and a
// signed one changed afterwards.
func outcomeSamples(pki *testpki.PKI, dir, valid, changed string) error {
	ltv, err := testtsa.StartLTV(pki)
	if err != nil {
		return err
	}
	defer ltv.Close()
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Anna Kalniņa", ltv.Issue)
	if err != nil {
		return err
	}
	in, bt := filepath.Join(dir, ".akts.pdf"), filepath.Join(dir, ".akts-bt.pdf")
	defer os.Remove(in)
	defer os.Remove(bt)
	if err := testpdf.WriteFile(in, testpdf.Options{Pages: 1}); err != nil {
		return err
	}
	ts := &pdf.TSAClient{URL: ltv.TSA.URL}
	if err := pdf.SignFile(context.Background(), in, bt, e.Key, pki.Chain(e.Cert), pdf.Options{Timestamper: ts, Reason: "Apstiprinu"}); err != nil {
		return err
	}
	data, err := os.ReadFile(bt)
	if err != nil {
		return err
	}
	out, err := os.Create(valid)
	if err != nil {
		return err
	}
	if err := pdf.Extend(context.Background(), bytes.NewReader(data), int64(len(data)), out, pdf.LevelBLT, ts, pdf.LTVOptions{Roots: pki.Roots()}); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	// The same signed document, one word of its page changed.
	if i := bytes.Index(data, []byte("Signet test page 1")); i >= 0 {
		data[i+7] = 'T'
	}
	return os.WriteFile(changed, data, 0o644)
}

// signSample signs in to out with the P-256 test key, visibly.
func signSample(mods *flow.Modules, in, out string) error {
	signer, err := flow.OpenSigner(context.Background(), mods,
		"pkcs11:token="+softhsmtest.MainToken+";object=P-256%20signing", prompttest.WithPIN(softhsmtest.PIN))
	if err != nil {
		return err
	}
	defer signer.Close()
	res := flow.SignPDFs(context.Background(), signer, []flow.Job{{Input: in, Output: out}}, flow.BatchOptions{
		PDF: pdf.Options{Reason: "Rēķins apstiprināts", Location: "Rīga",
			Appearance: &pdf.Appearance{Page: 1, Rect: [4]float64{330, 40, 560, 100}}}})
	if res[0].Err != nil {
		return res[0].Err
	}
	return nil
}
