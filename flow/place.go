package flow

import (
	"bytes"

	"github.com/signet-sign/signet/pdf"
	"github.com/signet-sign/signet/remote/aadhaar"
)

// Services that draw a visible signature themselves are sent its place
// in the page as stored; the person gives it on the page as shown (see
// pdf.UnturnedRect, where the assumption is written).

// unturnedAppearance is opts with its visible signature's rectangle, on
// the page as the person sees it, moved to the page as stored, where a
// service draws (see [pdf.UnturnedRect]).
func unturnedAppearance(doc []byte, opts pdf.Options) pdf.Options {
	if opts.Appearance == nil {
		return opts
	}
	a := *opts.Appearance
	r, err := pdf.UnturnedRect(bytes.NewReader(doc), int64(len(doc)), a.Page, opts.Password, a.Rect)
	if err != nil {
		// A page the document lacks, or a document that cannot be read:
		// the service's own checks, and the signing, say so next.
		return opts
	}
	a.Rect = r
	opts.Appearance = &a
	return opts
}

// unturnedPlace is a signature's place given on the page as the person
// sees it, in the page as stored, where the service draws (see
// [pdf.UnturnedRect]).
func unturnedPlace(doc []byte, p aadhaar.Rect) (aadhaar.Rect, error) {
	r, err := pdf.UnturnedRect(bytes.NewReader(doc), int64(len(doc)), p.Page, "", [4]float64{p.X1, p.Y1, p.X2, p.Y2})
	if err != nil {
		return p, err
	}
	p.X1, p.Y1, p.X2, p.Y2 = r[0], r[1], r[2], r[3]
	return p, nil
}
