package flow

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/prompt"
)

// TestSignPlan: a PDF, two containers and a text file signed with an eID
// signature key (a PIN before every signature): the PDF gets a PAdES
// signature, each container a second signature, the text file a new
// .edoc; the signature PIN is asked once per signature; every output
// verifies.
func TestSignPlan(t *testing.T) {
	env, mods := openToken(t)
	dir := t.TempDir()
	docs := writeDocs(t, 1)
	text := filepath.Join(dir, "piezīmes.txt")
	os.WriteFile(text, []byte("Apstiprinu."), 0o644)

	// Two containers, each signed once already by another key.
	seal := signerFor(t, mods, "RSA-2048 signing", prompttest.WithPIN(softhsmtest.PIN))
	var containers []string
	for _, name := range []string{"a.edoc", "b.asice"} {
		out := filepath.Join(dir, name)
		if err := SignContainer(context.Background(), seal, []string{text}, out, ContainerOptions{}); err != nil {
			t.Fatal(err)
		}
		containers = append(containers, out)
	}

	p := prompttest.WithPIN(softhsmtest.PIN)
	signer := signerFor(t, mods, "P-256 eID signature", p)
	plan := PlanSigning(append(append([]string{docs[0]}, containers...), text), false, "", "")
	if len(plan.PDFs) != 1 || len(plan.Containers) != 2 || plan.New == nil || plan.New.Output != filepath.Join(dir, "piezīmes-signed.edoc") ||
		plan.Containers[1].Output != filepath.Join(dir, "b-signed.asice") {
		t.Fatalf("plan %+v", plan)
	}
	results := SignPlan(context.Background(), signer, plan, BatchOptions{})
	if len(results) != 4 {
		t.Fatalf("%d results", len(results))
	}
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("%s: %v", r.Input, r.Err)
		}
	}
	// The token is logged in already (the seal's signatures above): the
	// signature PIN alone, before each of the four signatures.
	want := []prompt.Kind{prompt.SignaturePIN, prompt.SignaturePIN, prompt.SignaturePIN, prompt.SignaturePIN}
	if got := p.Kinds(); !slices.Equal(got, want) {
		t.Errorf("asked %v, want %v", got, want)
	}
	verify := pdf.VerifyOptions{Roots: env.PKI.Roots()}
	for i, r := range results[1:] {
		rep, err := VerifyContainer(context.Background(), r.Output, verify)
		wantSigs := 2
		if i == 2 {
			wantSigs = 1 // the new container
		}
		if err != nil || !rep.Valid() || len(rep.Signatures) != wantSigs {
			t.Errorf("%s: %v %+v", r.Output, err, rep)
		}
	}
	if d := InspectDocument(context.Background(), results[0].Output, verify); d.Report == nil || !d.Report.Valid() {
		t.Errorf("the PDF: %+v", d)
	}

	// A PDF saved without its extension is still a PDF.
	scan := filepath.Join(dir, "skenējums")
	if b, err := os.ReadFile(docs[0]); err != nil || os.WriteFile(scan, b, 0o644) != nil {
		t.Fatal(err)
	}
	if plan := PlanSigning([]string{scan, text}, false, "", ""); len(plan.PDFs) != 1 || plan.PDFs[0].Input != scan || plan.New == nil || len(plan.New.Files) != 1 {
		t.Errorf("plan %+v", plan)
	}
	if d := InspectDocument(context.Background(), scan, verify); d.Other || d.Pages == 0 {
		t.Errorf("the PDF without extension: %+v", d)
	}

	// Asked for a container, the PDF goes in it with the text file.
	plan = PlanSigning([]string{docs[0], text}, true, t.TempDir(), "")
	if len(plan.PDFs) != 0 || plan.New == nil || len(plan.New.Files) != 2 {
		t.Errorf("plan %+v", plan)
	}
}
