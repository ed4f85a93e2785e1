package pdf

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"testing"
)

// rawPDF is a PDF of the given objects (numbered from 1) with a classic
// xref; misplaced maps an object to the one whose offset its entry takes.
func rawPDF(objs []string, misplaced map[int]int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs)+1)
	for i, o := range objs {
		offs[i+1] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for i := 1; i <= len(objs); i++ {
		off := offs[i]
		if j, ok := misplaced[i]; ok {
			off = offs[j]
		}
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

// TestUnreadableSignatureFails: a signature whose dictionary cannot be
// read is not valid, and so is the document: the outcome fails closed.
func TestUnreadableSignatureFails(t *testing.T) {
	data := rawPDF([]string{
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>",
		"<< /FT /Sig /T (Signature1) /Subtype /Widget /Rect [0 0 100 50] /P 3 0 R /V 5 0 R >>",
		"<< /Type /Sig >>",
	}, map[int]int{5: 1}) // object 5's entry points at object 1
	rep, err := Verify(context.Background(), bytes.NewReader(data), int64(len(data)), VerifyOptions{Roots: x509.NewCertPool()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Signatures) != 1 || rep.Signatures[0].Valid || rep.Signatures[0].Indication != TotalFailed || rep.Indication() != TotalFailed {
		t.Errorf("an unreadable signature: %+v, document %q", rep.Signatures, rep.Indication())
	}
	// An outcome no report should carry counts as failed.
	if got := Worst(TotalPassed, ""); got != "" || (&Report{Signatures: []SignatureReport{{Indication: "odd"}}}).Indication() != TotalFailed {
		t.Errorf("unknown outcomes: Worst %q", got)
	}
}
