package certeurope

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/png"

	_ "image/jpeg" // a signature image may be a JPEG

	"golang.org/x/image/draw"
	"golang.org/x/text/encoding/charmap"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/pdf"
)

// ErrCannotDraw reports a visible signature SignAPI cannot draw; nothing
// was sent.
var ErrCannotDraw = i18n.Errorf("err.ce_cannot_draw", nil)

// lineFontSize and lineHeight are the text size Signet asks for and the
// line spacing it leaves (the API's default size is 10).
const (
	lineFontSize = 10.0
	lineHeight   = 12.0
	margin       = 3.0
)

// VisibleOptions turns Signet's visible signature (the app's placement,
// the CLI's --visible, --page, --image, --text) into the API's
// pdfSignatureOptions for a document of pages pages.
//
// The API places an image at (signaturePosX, signaturePosY) and writes
// the lines inside it; it has no width or height. So Signet sends an
// image of exactly the rectangle's size (1 px = 1 pt): the person's
// image scaled into its left part (right with ImageRight), transparent
// elsewhere, and the lines placed beside it.
//
// ASSUMPTION: the documents do not say where (signaturePosX,
// signaturePosY) and linePos*InImage count from. Signet takes the
// position as the image's lower-left corner in points from the page's
// lower-left corner (PDF's own convention, as Signet's --visible), and a
// line's position as its baseline's start in the image's pixels from
// the image's top-left corner. Pages count from 1.
//
// What the API cannot draw is refused: text outside the Latin-1 range of
// its standard fonts, lines that do not fit the rectangle, a page the
// document does not have.
func VisibleOptions(a *pdf.Appearance, pages int, defaultLines []string) (*PDFSignatureOptions, error) {
	page := a.Page
	switch {
	case page == 0:
		page = 1
	case page < 0:
		page = pages + 1 + page
	}
	if page < 1 || page > pages {
		return nil, fmt.Errorf("%w: page %d is not in a document of %d pages", ErrCannotDraw, a.Page, pages)
	}
	x1, y1 := min(a.Rect[0], a.Rect[2]), min(a.Rect[1], a.Rect[3])
	w, h := max(a.Rect[0], a.Rect[2])-x1, max(a.Rect[1], a.Rect[3])-y1
	if w < 10 || h < 10 || w > 2000 || h > 2000 {
		return nil, fmt.Errorf("%w: a rectangle of %.0f×%.0f pt", ErrCannotDraw, w, h)
	}
	lines := a.Lines
	if len(lines) == 0 {
		lines = defaultLines
	}
	for _, l := range lines {
		if _, err := charmap.Windows1252.NewEncoder().String(l); err != nil {
			return nil, fmt.Errorf("%w: %q has characters its fonts (Helvetica, Times, Courier) do not have", ErrCannotDraw, l)
		}
	}
	if need := margin*2 + float64(len(lines))*lineHeight; need > h {
		return nil, fmt.Errorf("%w: %d lines need %.0f pt of height, the rectangle has %.0f", ErrCannotDraw, len(lines), need, h)
	}
	canvas := image.NewNRGBA(image.Rect(0, 0, int(w+0.5), int(h+0.5)))
	textX := margin
	if len(a.Image) > 0 {
		src, _, err := image.Decode(bytes.NewReader(a.Image))
		if err != nil {
			return nil, fmt.Errorf("%w: the image: %v", ErrCannotDraw, err)
		}
		// The image keeps its proportions in a box as tall as the
		// rectangle and at most half as wide.
		b := src.Bounds()
		scale := min(h/float64(b.Dy()), (w/2)/float64(b.Dx()))
		iw, ih := int(float64(b.Dx())*scale), int(float64(b.Dy())*scale)
		x0 := 0
		if a.ImageRight {
			x0 = canvas.Bounds().Dx() - iw
		} else {
			textX = float64(iw) + margin
		}
		y0 := (canvas.Bounds().Dy() - ih) / 2
		draw.CatmullRom.Scale(canvas, image.Rect(x0, y0, x0+iw, y0+ih), src, b, draw.Over, nil)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, canvas); err != nil {
		return nil, err
	}
	opts := &PDFSignatureOptions{ImageContent: base64.StdEncoding.EncodeToString(buf.Bytes()), PosX: x1, PosY: y1, Page: page}
	size := lineFontSize
	for i, l := range lines {
		x, y := textX, margin+float64(i+1)*lineHeight-2
		opts.Lines = append(opts.Lines, Line{Content: l, Font: "Helvetica", FontSize: &size, X: &x, Y: &y})
	}
	return opts, nil
}

// Appearance is the inverse, for the fake and for checks: the rectangle,
// page, image and lines the options describe.
func Appearance(o *PDFSignatureOptions) (*pdf.Appearance, error) {
	img, err := base64.StdEncoding.DecodeString(o.ImageContent)
	if err != nil {
		return nil, fmt.Errorf("signatureImageContent is not base64: %w", err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		return nil, fmt.Errorf("signatureImageContent is not an image: %w", err)
	}
	a := &pdf.Appearance{Page: o.Page, Rect: [4]float64{o.PosX, o.PosY, o.PosX + float64(cfg.Width), o.PosY + float64(cfg.Height)}, Image: img}
	for _, l := range o.Lines {
		a.Lines = append(a.Lines, l.Content)
	}
	return a, nil
}
