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
// engine, as `signet sign --out-dir` does: ns/op is one document.
func BenchmarkSignPDFs(b *testing.B) {
	_, mods := openToken(b)
	for _, label := range []string{"RSA-2048 signing", "P-256 signing"} {
		b.Run(label, func(b *testing.B) {
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
			for _, r := range SignPDFs(context.Background(), signer, jobs, BatchOptions{}) {
				if r.Err != nil {
					b.Fatal(r.Err)
				}
			}
		})
	}
}
