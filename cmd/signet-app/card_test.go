package main

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbinani/screenshot"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/internal/config"
	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testcard"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testx"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/ui"
)

// TestCardApp runs the real app (Fyne's desktop driver) under Xvfb on the
// virtual card: the tour picks the card's key, types its PIN in the PIN
// dialog and signs; the documents it signed are valid, with the chain
// from the caIssuers URL.
func TestCardApp(t *testing.T) {
	s := testcard.Require(t)
	pdfcheck.Require(t, "Xvfb", "pdfsig")
	display := testx.StartXvfb(t)
	dir := t.TempDir()
	plain := filepath.Join(dir, "Iesniegums.pdf")
	signedIn := filepath.Join(dir, "Rēķins (parakstīts).pdf")
	broken := filepath.Join(dir, "bojāts.pdf")
	for _, p := range []string{plain, signedIn} {
		if err := testpdf.WriteFile(p, testpdf.Options{Pages: 2}); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(broken, []byte("%PDF-1.7\n% truncated\n"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0])
	root, err := s.PKI.WriteRootPEM(dir)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "SIGNET_TEST_RUN_TOUR="+dir, "SIGNET_TEST_TOUR_ROOT="+root, "DISPLAY="+display,
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-bus"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
		"SIGNET_CONFIG="+filepath.Join(dir, "settings.toml"), "LANG=C", "LC_ALL=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the app: %v\n%s", err, out)
	}
	v := pdfcheck.NewRootOnly(t, s.PKI)
	for _, in := range []string{plain, signedIn} {
		out := strings.TrimSuffix(in, ".pdf") + "-signed.pdf"
		v.PDFSig(t, out, 1)
		if certs := pdfcheck.CMSCertificates(t, out); len(certs) != 1 || len(certs[0]) != 2 {
			t.Errorf("%s: the CMS does not carry the signer's chain", filepath.Base(out))
		}
	}
}

// runCardTour is the app of TestCardApp, in a process of its own (the
// test binary started again with SIGNET_TEST_RUN_TOUR=DIR): the tour on
// the documents in DIR, with OpenSC's module and the card.
func runCardTour(dir string) int {
	mods := flow.LoadModules([]string{testcard.Module}, nil)
	defer mods.Close()
	roots, err := keys.LoadCertificates([]string{os.Getenv("SIGNET_TEST_TOUR_ROOT")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		return 1
	}
	err = ui.RunTour(ui.Config{Modules: mods, Settings: &config.Config{}, Poll: -1, Roots: roots},
		ui.TourDocs{Signed: filepath.Join(dir, "Rēķins (parakstīts).pdf"), Plain: filepath.Join(dir, "Iesniegums.pdf"), Broken: filepath.Join(dir, "bojāts.pdf"),
			Token: testcard.TokenLabel, Label: testcard.KeyLabel, PIN: testcard.PIN},
		func(name string) error {
			// SIGNET_TEST_TOUR_SHOTS=DIR keeps a picture of each screen,
			// to look at by hand.
			shots := os.Getenv("SIGNET_TEST_TOUR_SHOTS")
			if shots == "" {
				return nil
			}
			img, err := screenshot.CaptureDisplay(0)
			if err != nil {
				return err
			}
			f, err := os.Create(filepath.Join(shots, name+".png"))
			if err != nil {
				return err
			}
			defer f.Close()
			return png.Encode(f, img)
		})
	if err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		return 1
	}
	return 0
}
