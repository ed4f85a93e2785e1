package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/pdf"
)

// TestSignFromReport: documents read from stdin (paths and JSON lines
// with their own reason and output), signed two at a time, reported as
// JSON lines in input order; a broken one is reported, the rest signed.
func TestSignFromReport(t *testing.T) {
	env := softhsmtest.Require(t)
	dir := t.TempDir()
	outDir := filepath.Join(dir, "out")
	os.Mkdir(outDir, 0o755)
	var from strings.Builder
	var inputs []string
	for i := range 12 {
		p := filepath.Join(dir, fmt.Sprintf("d%02d.pdf", i))
		if i == 5 {
			os.WriteFile(p, []byte("%PDF-1.7\nbroken\n"), 0o644)
		} else if err := testpdf.WriteFile(p, testpdf.Options{}); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, p)
		switch i % 3 {
		case 0:
			fmt.Fprintln(&from, p)
		case 1:
			fmt.Fprintf(&from, "{\"input\": %q, \"reason\": \"Rēķins %d\"}\n\n", p, i)
		case 2:
			fmt.Fprintf(&from, "{\"input\": %q, \"output\": %q, \"location\": \"Lisboa\"}\n", p, filepath.Join(dir, fmt.Sprintf("custom%02d.pdf", i)))
		}
	}
	var stdout, stderr bytes.Buffer
	t.Setenv("SIGNET_CONFIG", filepath.Join(t.TempDir(), "none.toml"))
	code := RunWithInput([]string{"--module", env.Module, "sign", "--key", "pkcs11:token=signet-test;object=P-256 signing",
		"--pin-file", pinFile(t, softhsmtest.PIN), "--jobs", "2", "--reason", "Batch", "--from", "-", "--report", "jsonl", "--out-dir", outDir},
		strings.NewReader(from.String()), &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one document not signed)\n%s%s", code, stdout.String(), stderr.String())
	}
	var lines []reportLine
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var l reportLine
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("report line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if len(lines) != 12 {
		t.Fatalf("%d report lines, want 12:\n%s", len(lines), stdout.String())
	}
	for i, l := range lines {
		if l.Input != inputs[i] {
			t.Fatalf("line %d is %s, want %s (input order)", i, l.Input, inputs[i])
		}
		if i == 5 {
			if l.Status != "failed" || l.Code != "damaged_pdf" || l.Message == "" || l.Output != "" {
				t.Errorf("the broken document's line: %+v", l)
			}
			continue
		}
		if l.Status != "signed" || l.Level != "B-B" || l.Code != "" {
			t.Fatalf("line %d: %+v", i, l)
		}
		want := filepath.Join(outDir, filepath.Base(l.Input))
		reason, location := "Batch", ""
		switch i % 3 {
		case 1:
			reason = fmt.Sprintf("Rēķins %d", i)
		case 2:
			want, location = filepath.Join(dir, fmt.Sprintf("custom%02d.pdf", i)), "Lisboa"
		}
		if l.Output != want {
			t.Errorf("line %d output %s, want %s", i, l.Output, want)
		}
		rep, err := pdf.VerifyFile(context.Background(), l.Output, pdf.VerifyOptions{Roots: env.PKI.Roots()})
		if err != nil || !rep.Valid() || rep.Signatures[0].Reason != reason || rep.Signatures[0].Location != location {
			t.Errorf("%s: %v; reason %q location %q", l.Output, err, rep.Signatures[0].Reason, rep.Signatures[0].Location)
		}
	}

	// A line that is not understood stops before anything is signed.
	stdout.Reset()
	stderr.Reset()
	code = RunWithInput([]string{"--module", env.Module, "sign", "--key", "pkcs11:token=signet-test;object=P-256 signing",
		"--pin-file", pinFile(t, softhsmtest.PIN), "--from", "-", "--out-dir", outDir},
		strings.NewReader(inputs[0]+"\n{\"input\": \"x.pdf\", \"reasn\": \"typo\"}\n"), &stdout, &stderr)
	if code != 2 || !strings.Contains(stderr.String(), "--from line 2") || !strings.Contains(stderr.String(), "reasn") {
		t.Errorf("bad line: exit %d: %s", code, stderr.String())
	}
}
