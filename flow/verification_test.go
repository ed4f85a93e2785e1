package flow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-sign/signet/pdf"
)

// TestVerificationWordsFromFiles: what a file names (a field, a
// SubFilter, a reason) is written within its line, in the terminal and
// in a saved report: a newline in it cannot write a line of Signet's.
func TestVerificationWordsFromFiles(t *testing.T) {
	forged := "\n  ✓ valid     Signature9 · Bank"
	v := Verification{File: "x.pdf", Report: &pdf.Report{Signatures: []pdf.SignatureReport{{
		Field: "S" + forged, SubFilter: "ETSI.CAdES.detached" + forged, Reason: "r" + forged, Indication: pdf.TotalFailed}}}}
	path := filepath.Join(t.TempDir(), "report.txt")
	if err := SaveVerification(path, v); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "✓ valid") {
			t.Errorf("a line written by the file:\n%s", data)
		}
	}
}
