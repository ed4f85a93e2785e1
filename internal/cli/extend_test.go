package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
	"github.com/signet-sign/signet/pdf"
)

// TestExtendCommand: files someone signed at B-B are extended to B-LTA,
// in place with a backup, renewed, and verify says when to renew.
func TestExtendCommand(t *testing.T) {
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
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Archive Signer", withOCSP)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	root, _ := pki.WriteRootPEM(dir)
	doc := filepath.Join(dir, "doc.pdf")
	testpdf.WriteFile(doc, testpdf.Options{})
	var signed []string
	for _, name := range []string{"a.pdf", "b.pdf"} {
		p := filepath.Join(dir, name)
		if err := pdf.SignFile(context.Background(), doc, p, e.Key, pki.Chain(e.Cert), pdf.Options{}); err != nil {
			t.Fatal(err)
		}
		signed = append(signed, p)
	}
	code, stdout, stderr := run(t, append([]string{"extend", "--tsa", tsa.URL, "--trust", root}, signed...)...)
	if code != 0 || strings.Count(stdout, "signed  ") != 2 || !strings.Contains(stdout, "a-extended.pdf") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	// verify: B-LTA, and when to renew; within the window, a warning.
	lta := filepath.Join(dir, "a-extended.pdf")
	code, stdout, stderr = run(t, "verify", "--trust", root, lta)
	if code != 0 || !strings.Contains(stdout, "PAdES B-LTA") || !strings.Contains(stdout, "archive: renew before") || strings.Contains(stderr, "warning") {
		t.Fatalf("verify: exit %d\n%s%s", code, stdout, stderr)
	}
	// What the level rests on, said under the signature: the document
	// timestamp that covers it (it had none of its own).
	if !strings.Contains(stdout, "B-LTA: its time is proven by the document timestamp of") || !strings.Contains(stdout, "(document timestamp)") {
		t.Errorf("verify does not say the time proof:\n%s", stdout)
	}
	t.Logf("verify of the extended file:\n%s", stdout)
	_, stdout, _ = run(t, "verify", "--trust", root, signed[0])
	if !strings.Contains(stdout, "B-B: nothing proves when it was signed") || !strings.Contains(stdout, "for B-T: a signature timestamp, or a document timestamp over the signature") {
		t.Errorf("verify of a B-B file does not say what B-T lacks:\n%s", stdout)
	}
	_, _, stderr = run(t, "verify", "--trust", root, "--renew-within", "100000h", lta)
	if !strings.Contains(stderr, "warning: "+lta+": the newest document timestamp's certificate expires on") {
		t.Fatalf("no renewal warning: %s", stderr)
	}
	// Renewal: a second document timestamp.
	renewed := filepath.Join(dir, "renewed.pdf")
	if code, stdout, stderr := run(t, "extend", "--renew", "--tsa", tsa.URL, "--trust", root, "-o", renewed, lta); code != 0 {
		t.Fatalf("renew: exit %d\n%s%s", code, stdout, stderr)
	}
	rep, err := pdf.VerifyFile(context.Background(), renewed, pdf.VerifyOptions{Roots: pki.Roots()})
	// The signature, its time proof, the archive timestamp, the
	// renewal's.
	if err != nil || len(rep.Signatures) != 4 || !rep.Valid() || rep.Signatures[0].Level != "B-LTA" {
		t.Fatalf("renewed: %v %+v", err, rep)
	}
	if code, _, stderr := run(t, "extend", "--renew", "--tsa", tsa.URL, "--trust", root, "-o", filepath.Join(dir, "x.pdf"), signed[1]); code != 1 || !strings.Contains(stderr, "only a B-LTA file can be renewed") {
		t.Fatalf("renewing a B-B file: exit %d %s", code, stderr)
	}
	// In place, with the original kept.
	orig, _ := os.ReadFile(signed[1])
	if code, stdout, stderr := run(t, "extend", "--in-place", "--level", "B-LT", "--tsa", tsa.URL, "--trust", root, signed[1]); code != 0 {
		t.Fatalf("in place: exit %d\n%s%s", code, stdout, stderr)
	}
	if kept, _ := os.ReadFile(signed[1] + ".orig"); string(kept) != string(orig) {
		t.Error("the original was not kept as .orig")
	}
	if code, _, stderr := run(t, "extend", "--in-place", "-o", "x.pdf", "--tsa", tsa.URL, signed[1]); code != 2 || !strings.Contains(stderr, "no -o") {
		t.Errorf("--in-place with -o: exit %d %s", code, stderr)
	}
}
