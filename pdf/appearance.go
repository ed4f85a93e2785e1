package pdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // decode JPEG headers
	"image/png"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/unicode/norm"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"github.com/signet-sign/signet/assets"
	"github.com/signet-sign/signet/i18n"
)

// Appearance makes a signature visible on a page.
type Appearance struct {
	// Page is 1-based; 0 is the first page, negative counts from the end
	// (-1 is the last page).
	Page int
	// Rect is the signature's rectangle on the page, in points from the
	// page's lower-left corner: lower-left x, y, upper-right x, y. The
	// page is the page as viewers show it: its CropBox, turned by its
	// /Rotate; the appearance is drawn upright on it.
	Rect [4]float64
	// Lines are the text lines. Empty: who signed, when, and the reason
	// and location when given.
	Lines []string
	// Image is an optional PNG or JPEG shown beside the text.
	Image []byte
	// ImageRight puts the image right of the text instead of left.
	ImageRight bool
	// Lang is the language of the default lines' words ("Digitally signed
	// by", "Date", …): a language of i18n.Languages; "" is English. Words
	// the signature font cannot draw (Hindi's Devanagari) stay English.
	Lang string
}

// ErrAppearance reports visible-signature options that cannot be drawn.
var ErrAppearance = i18n.Errorf("err.appearance", nil)

// MaxImagePixels bounds a visible signature's image: 4 million pixels
// (2000×2000) is more than a signature box needs at 600 dpi, and a PNG
// of that size decodes, at 16 bits a channel, into 32 MB (plus 16 MB for
// the samples written) where 20 million took 240 MB.
const MaxImagePixels = 4_000_000

const (
	padding     = 3.0 // points inside the rectangle
	maxFontSize = 11.0
	lineSpacing = 1.2
)

// signatureFont is the parsed font for appearance text.
var signatureFont = sync.OnceValues(func() (*sfnt.Font, error) {
	return sfnt.Parse(assets.SignatureFont)
})

// DefaultLines are the lines a visible signature carries when none are
// given (see [Appearance.Lines]): for a preview to show them as they
// will be.
func DefaultLines(lang, name string, t time.Time, reason, location string) []string {
	return defaultLines(lang, name, t, reason, location)
}

// defaultLines is the text when none is given, its words in lang; the
// date stays in ISO form with its offset, the same in every language, as
// a signed document's record. Words the signature font cannot draw
// (Devanagari: it has neither the glyphs nor the shaping the script
// needs) are English instead.
func defaultLines(lang, name string, t time.Time, reason, location string) []string {
	lines := wordsIn(lang, name, t, reason, location)
	if lang != "en" && !canDraw(lines[0]) {
		lines = wordsIn("en", name, t, reason, location)
	}
	return lines
}

// canDraw tells whether the signature font has a glyph for every rune.
func canDraw(s string) bool {
	u, err := newFontUse()
	if err != nil {
		return false
	}
	for _, r := range s {
		if g, err := u.f.GlyphIndex(&u.buf, r); err != nil || g == 0 {
			return false
		}
	}
	return true
}

func wordsIn(lang, name string, t time.Time, reason, location string) []string {
	l := i18n.For(lang)
	lines := []string{
		i18n.In(l, "sig.signed_by", -1, map[string]any{"Name": name}),
		i18n.In(l, "sig.date", -1, map[string]any{"Date": t.Format("2006-01-02 15:04:05 -07:00")}),
	}
	if reason != "" {
		lines = append(lines, i18n.In(l, "sig.reason", -1, map[string]any{"Reason": reason}))
	}
	if location != "" {
		lines = append(lines, i18n.In(l, "sig.location", -1, map[string]any{"Location": location}))
	}
	return lines
}

// fontUse collects the glyphs a text uses.
type fontUse struct {
	f      *sfnt.Font
	buf    sfnt.Buffer
	upem   fixed.Int26_6
	widths map[sfnt.GlyphIndex]int // in 1/1000 em
	runes  map[sfnt.GlyphIndex]rune
}

func newFontUse() (*fontUse, error) {
	f, err := signatureFont()
	if err != nil {
		return nil, fmt.Errorf("%w: signature font: %v", ErrAppearance, err)
	}
	return &fontUse{f: f, upem: fixed.I(int(f.UnitsPerEm())), widths: map[sfnt.GlyphIndex]int{}, runes: map[sfnt.GlyphIndex]rune{}}, nil
}

// encode maps a line to glyph IDs, as a hex string for Identity-H, and
// returns its width in 1/1000 em.
func (u *fontUse) encode(line string) (string, int, error) {
	var hex strings.Builder
	width := 0
	// Composed form, so that "e" + combining marks find the precomposed
	// glyph the font has.
	for _, r := range norm.NFC.String(line) {
		g, err := u.f.GlyphIndex(&u.buf, r)
		if err != nil || g == 0 {
			return "", 0, fmt.Errorf("%w: the signature font has no glyph for %q (U+%04X)", ErrAppearance, r, r)
		}
		w, ok := u.widths[g]
		if !ok {
			adv, err := u.f.GlyphAdvance(&u.buf, g, u.upem, font.HintingNone)
			if err != nil {
				return "", 0, fmt.Errorf("%w: %v", ErrAppearance, err)
			}
			w = int(adv) * 1000 / int(u.upem)
			u.widths[g] = w
			u.runes[g] = r
		}
		width += w
		fmt.Fprintf(&hex, "%04X", uint16(g))
	}
	return hex.String(), width, nil
}

// image is an image XObject ready to write.
type pdfImage struct {
	dict  types.Dict
	data  []byte
	smask *pdfImage
	w, h  int
}

// decodeImage turns PNG or JPEG bytes into image XObjects: JPEG as is
// (DCTDecode), PNG as Flate-compressed samples with its alpha as a soft
// mask.
func decodeImage(data []byte) (*pdfImage, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: image is neither PNG nor JPEG: %v", ErrAppearance, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxImagePixels {
		return nil, fmt.Errorf("%w: image of %dx%d pixels is too large", ErrAppearance, cfg.Width, cfg.Height)
	}
	base := types.Dict{
		"Type": types.Name("XObject"), "Subtype": types.Name("Image"),
		"Width": types.Integer(cfg.Width), "Height": types.Integer(cfg.Height),
		"BitsPerComponent": types.Integer(8),
	}
	switch format {
	case "jpeg":
		space := "DeviceRGB"
		switch cfg.ColorModel {
		case color.GrayModel:
			space = "DeviceGray"
		case color.CMYKModel:
			space = "DeviceCMYK"
		}
		base["ColorSpace"] = types.Name(space)
		base["Filter"] = types.Name("DCTDecode")
		return &pdfImage{dict: base, data: data, w: cfg.Width, h: cfg.Height}, nil
	case "png":
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w: PNG: %v", ErrAppearance, err)
		}
		b := img.Bounds()
		rgb := make([]byte, 0, 3*b.Dx()*b.Dy())
		alpha := make([]byte, 0, b.Dx()*b.Dy())
		opaque := true
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
				rgb = append(rgb, c.R, c.G, c.B)
				alpha = append(alpha, c.A)
				opaque = opaque && c.A == 255
			}
		}
		base["ColorSpace"] = types.Name("DeviceRGB")
		base["Filter"] = types.Name("FlateDecode")
		out := &pdfImage{dict: base, data: deflate(rgb), w: b.Dx(), h: b.Dy()}
		if !opaque {
			mask := types.Dict{
				"Type": types.Name("XObject"), "Subtype": types.Name("Image"),
				"Width": types.Integer(b.Dx()), "Height": types.Integer(b.Dy()),
				"BitsPerComponent": types.Integer(8), "ColorSpace": types.Name("DeviceGray"),
				"Filter": types.Name("FlateDecode"),
			}
			out.smask = &pdfImage{dict: mask, data: deflate(alpha)}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: image format %s (use PNG or JPEG)", ErrAppearance, format)
}

func deflate(data []byte) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write(data) // writes to a bytes.Buffer do not fail
	w.Close()
	return b.Bytes()
}

// writeAppearance writes the appearance stream (a form XObject) of a
// w×h signature with its font and image, and returns its object number.
func (u *update) writeAppearance(a *Appearance, lines []string, w, h float64, matrix types.Array) (int, error) {
	fu, err := newFontUse()
	if err != nil {
		return 0, err
	}
	type encoded struct {
		hex   string
		width int
	}
	var enc []encoded
	widest := 0
	for _, l := range lines {
		hex, width, err := fu.encode(l)
		if err != nil {
			return 0, err
		}
		enc = append(enc, encoded{hex, width})
		widest = max(widest, width)
	}

	// Split the rectangle between image and text.
	textX, textW := padding, w-2*padding
	var content strings.Builder
	content.WriteString("q\n")
	resources := types.Dict{}
	if len(a.Image) > 0 {
		img, err := decodeImage(a.Image)
		if err != nil {
			return 0, err
		}
		imgNr := u.alloc()
		if img.smask != nil {
			maskNr := u.alloc()
			u.writeStream(maskNr, img.smask.dict, img.smask.data)
			img.dict["SMask"] = ref(maskNr)
		}
		u.writeStream(imgNr, img.dict, img.data)
		resources["XObject"] = types.Dict{"Im1": ref(imgNr)}
		boxW := w * 0.4
		if len(lines) == 0 {
			boxW = w
		}
		boxH := h - 2*padding
		scale := min((boxW-2*padding)/float64(img.w), boxH/float64(img.h))
		iw, ih := float64(img.w)*scale, float64(img.h)*scale
		ix := padding + (boxW-2*padding-iw)/2
		if a.ImageRight {
			ix = w - boxW + padding + (boxW-2*padding-iw)/2
		} else {
			textX = boxW
		}
		textW = w - boxW - padding
		iy := padding + (boxH-ih)/2
		fmt.Fprintf(&content, "q %.2f 0 0 %.2f %.2f %.2f cm /Im1 Do Q\n", iw, ih, ix, iy)
	}

	if len(lines) > 0 {
		fontNr := u.writeFont(fu)
		resources["Font"] = types.Dict{"F1": ref(fontNr)}
		size := min(maxFontSize, (h-2*padding)/(float64(len(lines))*lineSpacing))
		if widest > 0 {
			size = min(size, textW*1000/float64(widest))
		}
		if size < 2 {
			return 0, fmt.Errorf("%w: the rectangle is too small for the text (%.0f×%.0f points)", ErrAppearance, w, h)
		}
		metrics, err := fu.f.Metrics(&fu.buf, fu.upem, font.HintingNone)
		if err != nil {
			return 0, fmt.Errorf("%w: %v", ErrAppearance, err)
		}
		ascent := float64(metrics.Ascent) / float64(fu.upem) * size
		// The block of lines, centred vertically like the image.
		block := float64(len(lines)) * size * lineSpacing
		y := (h+block)/2 - ascent
		content.WriteString("BT\n0 g\n")
		fmt.Fprintf(&content, "/F1 %.2f Tf\n", size)
		for _, e := range enc {
			fmt.Fprintf(&content, "1 0 0 1 %.2f %.2f Tm <%s> Tj\n", textX, y, e.hex)
			y -= size * lineSpacing
		}
		content.WriteString("ET\n")
	}
	content.WriteString("Q\n")

	apNr := u.alloc()
	form := types.Dict{
		"Type": types.Name("XObject"), "Subtype": types.Name("Form"),
		"BBox":      types.Array{types.Integer(0), types.Integer(0), types.Float(w), types.Float(h)},
		"Resources": resources,
	}
	if matrix != nil {
		form["Matrix"] = matrix // drawn upright on a turned page
	}
	u.writeStream(apNr, form, []byte(content.String()))
	return apNr, nil
}

// writeFont writes the Type0 font of the appearance text: the signature
// font embedded (FontFile2), glyph widths, and a ToUnicode map so that the
// text can be copied and searched (PDF 32000-1 sections 9.7 and 9.10).
func (u *update) writeFont(fu *fontUse) int {
	fileNr, descNr, cidNr, toUniNr, fontNr := u.alloc(), u.alloc(), u.alloc(), u.alloc(), u.alloc()
	// Only the glyphs drawn: the appearance adds a few kilobytes, not the
	// whole font. Should subsetting fail, the whole font still draws.
	used := make([]uint16, 0, len(fu.widths))
	for g := range fu.widths {
		used = append(used, uint16(g))
	}
	ttf, err := subsetTrueType(assets.SignatureFont, used)
	if err != nil {
		ttf = assets.SignatureFont
	}
	u.writeStream(fileNr, types.Dict{"Filter": types.Name("FlateDecode"), "Length1": types.Integer(len(ttf))}, deflate(ttf))

	// "SIGNET+": the six-letter tag of a font subset (9.6.4).
	const name = "SIGNET+DejaVuSans"
	em := func(v fixed.Int26_6) types.Integer { return types.Integer(int(v) * 1000 / int(fu.upem)) }
	bounds, _ := fu.f.Bounds(&fu.buf, fu.upem, font.HintingNone)
	metrics, _ := fu.f.Metrics(&fu.buf, fu.upem, font.HintingNone)
	u.writeObject(descNr, types.Dict{
		"Type": types.Name("FontDescriptor"), "FontName": types.Name(name),
		"Flags": types.Integer(32), // nonsymbolic
		// sfnt measures y downwards; PDF upwards.
		"FontBBox":    types.Array{em(bounds.Min.X), em(-bounds.Max.Y), em(bounds.Max.X), em(-bounds.Min.Y)},
		"ItalicAngle": types.Integer(0), "Ascent": em(metrics.Ascent), "Descent": -em(metrics.Descent),
		"CapHeight": em(metrics.CapHeight), "StemV": types.Integer(80),
		"FontFile2": ref(fileNr),
	})

	gids := make([]sfnt.GlyphIndex, 0, len(fu.widths))
	for g := range fu.widths {
		gids = append(gids, g)
	}
	slices.Sort(gids)
	var w types.Array
	for _, g := range gids {
		w = append(w, types.Integer(g), types.Array{types.Integer(fu.widths[g])})
	}
	u.writeObject(cidNr, types.Dict{
		"Type": types.Name("Font"), "Subtype": types.Name("CIDFontType2"), "BaseFont": types.Name(name),
		"CIDSystemInfo":  types.Dict{"Registry": types.StringLiteral("Adobe"), "Ordering": types.StringLiteral("Identity"), "Supplement": types.Integer(0)},
		"FontDescriptor": ref(descNr), "W": w, "DW": types.Integer(600),
		"CIDToGIDMap": types.Name("Identity"),
	})

	var cmap strings.Builder
	cmap.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for chunk := range slices.Chunk(gids, 100) {
		fmt.Fprintf(&cmap, "%d beginbfchar\n", len(chunk))
		for _, g := range chunk {
			fmt.Fprintf(&cmap, "<%04X> <", uint16(g))
			for _, unit := range utf16Units(fu.runes[g]) {
				fmt.Fprintf(&cmap, "%04X", unit)
			}
			cmap.WriteString(">\n")
		}
		cmap.WriteString("endbfchar\n")
	}
	cmap.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	u.writeStream(toUniNr, types.Dict{}, []byte(cmap.String()))

	u.writeObject(fontNr, types.Dict{
		"Type": types.Name("Font"), "Subtype": types.Name("Type0"), "BaseFont": types.Name(name),
		"Encoding": types.Name("Identity-H"), "DescendantFonts": types.Array{ref(cidNr)},
		"ToUnicode": ref(toUniNr),
	})
	return fontNr
}
