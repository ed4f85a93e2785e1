package pdf

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/signet-sign/signet/assets"
	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
)

func TestSubsetTrueType(t *testing.T) {
	full, err := sfnt.Parse(assets.SignatureFont)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	gid := func(f *sfnt.Font, r rune) sfnt.GlyphIndex {
		g, err := f.GlyphIndex(&buf, r)
		if err != nil || g == 0 {
			t.Fatalf("no glyph for %q", r)
		}
		return g
	}
	var keep []uint16
	for _, r := range "Jānis Bērziņš" {
		keep = append(keep, uint16(gid(full, r)))
	}
	sub, err := subsetTrueType(assets.SignatureFont, keep)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("font: %d bytes whole, %d subset to %d glyphs", len(assets.SignatureFont), len(sub), len(keep))
	if len(sub) > len(assets.SignatureFont)/3 {
		t.Errorf("the subset is %d bytes of %d", len(sub), len(assets.SignatureFont))
	}
	f, err := sfnt.Parse(sub)
	if err != nil {
		t.Fatalf("the subset does not parse: %v", err)
	}
	if f.NumGlyphs() != full.NumGlyphs() {
		t.Fatalf("glyph ids moved: %d glyphs, was %d", f.NumGlyphs(), full.NumGlyphs())
	}
	outline := func(f *sfnt.Font, g sfnt.GlyphIndex) sfnt.Segments {
		var b sfnt.Buffer
		segs, err := f.LoadGlyph(&b, g, fixed.I(1000), nil)
		if err != nil {
			t.Fatalf("glyph %d: %v", g, err)
		}
		return slices.Clone(segs)
	}
	for _, g := range keep {
		if !slices.Equal(outline(f, sfnt.GlyphIndex(g)), outline(full, sfnt.GlyphIndex(g))) {
			t.Errorf("glyph %d changed", g)
		}
	}
	if z := gid(full, 'Z'); len(outline(f, z)) != 0 {
		t.Error("an unused glyph kept its outline")
	}
	// Composite glyphs keep their components (ā is often one).
	if _, err := subsetTrueType(assets.SignatureFont[:100], keep); err == nil {
		t.Error("a truncated font was accepted")
	}
}

// TestVisibleSignatureSize: a visible signature with two lines adds at
// most 15 KB beyond an invisible one, and its text still extracts with
// its diacritics.
func TestVisibleSignatureSize(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Jānis Bērziņš", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	testpdf.WriteFile(in, testpdf.Options{})
	sizes := map[bool]int64{}
	for _, visible := range []bool{false, true} {
		out := filepath.Join(dir, map[bool]string{false: "invisible.pdf", true: "visible.pdf"}[visible])
		opts := Options{}
		if visible {
			opts.Appearance = &Appearance{Page: 1, Rect: [4]float64{40, 40, 300, 90}, Lines: []string{"Parakstīja Jānis Bērziņš", "Rīga, 2026-12-02"}}
		}
		if err := SignFile(context.Background(), in, out, e.Key, pki.Chain(e.Cert), opts); err != nil {
			t.Fatal(err)
		}
		info, _ := os.Stat(out)
		sizes[visible] = info.Size()
	}
	added := sizes[true] - sizes[false]
	t.Logf("a visible signature with two lines adds %d bytes (invisible %d, visible %d); the whole font it embedded before is %d bytes deflated",
		added, sizes[false], sizes[true], len(deflate(assets.SignatureFont)))
	if added > 15<<10 {
		t.Errorf("a visible signature adds %d bytes, want ≤ 15 KB", added)
	}
	v := pdfcheck.New(t, pki)
	v.Check(t, filepath.Join(dir, "visible.pdf"), 1)
	text, err := pdfcheck.PageText(filepath.Join(dir, "visible.pdf"), 1)
	if err != nil || !strings.Contains(text, "Jānis Bērziņš") || !strings.Contains(text, "Rīga") {
		t.Errorf("pdftotext: %q %v", text, err)
	}
}
