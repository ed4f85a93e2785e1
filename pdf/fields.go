package pdf

import (
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Box is a signature field's widget on a page: where it is (PDF points),
// its name, and whether it holds a signature. Rect is on the page as
// shown (see [pageView]): from the lower-left corner of what a viewer
// draws, the page's /Rotate applied.
type Box struct {
	Name   string
	Rect   [4]float64
	Signed bool
}

// maxBoxes bounds the widgets read from one page: a page of a million
// annotations is told in its first thousand.
const maxBoxes = 1000

// PageMarks are page n's size (as [PageInfo] reads it) and the
// signature fields' widgets on it, for a preview to draw the page and
// mark them, from one reading of the document. Invisible signatures (an
// empty rectangle) are left out.
func PageMarks(r io.ReaderAt, size int64, n int, password string) (_ PageSize, _ []Box, err error) {
	defer RecoverBug("", &err)
	d, err := openDocumentLimits(r, size, Limits{}, password)
	if err != nil {
		return PageSize{}, nil, err
	}
	_, page, total, err := d.pageRef(n)
	if err != nil {
		return PageSize{}, nil, err
	}
	view := d.view(page)
	w, h := view.size()
	info := PageSize{Width: w, Height: h, Pages: total}
	annots, err := d.resolve(page["Annots"])
	if err != nil {
		return PageSize{}, nil, err
	}
	list, _ := annots.(types.Array)
	var out []Box
	for i, a := range list {
		if i == maxBoxes {
			break
		}
		w, err := d.dict(a)
		if err != nil || w == nil {
			continue // a broken annotation is no signature box
		}
		if st := w.NameEntry("Subtype"); st == nil || *st != "Widget" {
			continue
		}
		// The field is the widget itself or an ancestor (a field of one
		// widget merges the two, §12.7.3.1); its type and value are
		// inherited down the field tree (§12.7.3.1, Table 220).
		name := textString(w["T"])
		if p, ok := w["Parent"].(types.IndirectRef); ok && name == "" {
			if pd, err := d.dict(p); err == nil && pd != nil {
				name = textString(pd["T"])
			}
		}
		ft, err := d.resolve(d.inherited(w, "FT"))
		if n, ok := ft.(types.Name); err != nil || !ok || n != "Sig" {
			continue
		}
		rect, ok := d.numbers(w["Rect"])
		if !ok {
			continue
		}
		x0, y0, x1, y1 := min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
		if x1-x0 < 1 || y1-y0 < 1 {
			continue // an invisible signature
		}
		out = append(out, Box{Name: name, Rect: view.fromUser([4]float64{x0, y0, x1, y1}), Signed: d.inherited(w, "V") != nil})
	}
	return info, out, nil
}
