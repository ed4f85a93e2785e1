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

// TestRenderAsMeasured: the page drawn is the page PageFacts measures
// (its CropBox, turned by /Rotate), so the preview's marks and the
// signature's placement land where a viewer shows them.
func TestRenderAsMeasured(t *testing.T) {
	pdfcheck.Require(t, "pdftoppm")
	path := filepath.Join(t.TempDir(), "turned.pdf")
	if err := testpdf.WriteFile(path, testpdf.Options{PageEntries: "/Rotate 90 /CropBox [0 0 595 400]"}); err != nil {
		t.Fatal(err)
	}
	size, _, err := PageFacts(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	if size.Width != 400 || size.Height != 595 {
		t.Fatalf("PageFacts: %v × %v points, want 400 × 595 (cropped, then turned)", size.Width, size.Height)
	}
	img, err := RenderPage(context.Background(), path, 1, 400)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if got, want := float64(b.Dx())/float64(b.Dy()), size.Width/size.Height; got < want*0.98 || got > want*1.02 {
		t.Errorf("rendered %d×%d pixels, not in the page's proportions (%v × %v points)", b.Dx(), b.Dy(), size.Width, size.Height)
	}
}
