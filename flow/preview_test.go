package flow

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testpdf"
)

// TestRenderBounded: a page's render is bounded by its longer side, so a
// freak page (10 × 3000 pt) cannot ask for an image of gigabytes; an
// upright A4 page comes out about as wide as asked.
func TestRenderBounded(t *testing.T) {
	pdfcheck.Require(t, "pdftoppm")
	dir := t.TempDir()
	for _, tc := range []struct {
		box        string
		maxW, maxH int
		minW       int
	}{
		{"[0 0 10 3000]", 10, 600, 1},
		{"", 440, 600, 380},
	} {
		path := filepath.Join(dir, "p.pdf")
		if err := testpdf.WriteFile(path, testpdf.Options{InheritedBox: tc.box}); err != nil {
			t.Fatal(err)
		}
		img, err := RenderPage(context.Background(), path, 1, 400)
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() > tc.maxW || b.Dy() > tc.maxH || b.Dx() < tc.minW {
			t.Errorf("box %q: %d×%d", tc.box, b.Dx(), b.Dy())
		}
	}
}
