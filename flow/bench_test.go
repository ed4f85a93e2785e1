package flow

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpdf"
)

// BenchmarkSignPDFs seals one-page PDFs on SoftHSM2 through the batch
// engine, as `signet sign --out-dir` does, one and two at a time: ns/op
// is one document.
func BenchmarkSignPDFs(b *testing.B) {
	_, mods := openToken(b)
	for _, bc := range []struct {
		label string
		jobs  int
	}{{"RSA-2048 signing", 1}, {"RSA-2048 signing", 2}, {"P-256 signing", 1}, {"P-256 signing", 2}} {
		label := bc.label
		b.Run(label+"/jobs="+strconv.Itoa(bc.jobs), func(b *testing.B) {
			signer := signerFor(b, mods, label, prompttest.WithPIN(softhsmtest.PIN))
			dir := b.TempDir()
			in := filepath.Join(dir, "doc.pdf")
			if err := testpdf.WriteFile(in, testpdf.Options{}); err != nil {
				b.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			os.Mkdir(out, 0o755)
			jobs := make([]Job, b.N)
			for i := range jobs {
				jobs[i] = Job{Input: in, Output: filepath.Join(out, strconv.Itoa(i)+".pdf")}
			}
			b.ResetTimer()
			for _, r := range SignPDFs(context.Background(), signer, jobs, BatchOptions{Jobs: bc.jobs}) {
				if r.Err != nil {
					b.Fatal(r.Err)
				}
			}
		})
	}
}
