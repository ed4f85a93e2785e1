package pdf

import (
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// PageSize is a page's size in points and how many pages the document
// has; n is 1-based, negative counts from the end.
type PageSize struct {
	Width, Height float64
	Pages         int
}

// PageNumber is the 1-based number of the page that n names in a
// document of the given number of pages, read as [Appearance.Page] is:
// 0 is the first page, a negative number counts from the end (-1 the
// last). The result is outside 1..pages when there is no such page.
func PageNumber(n, pages int) int {
	switch {
	case n == 0:
		return 1
	case n < 0:
		return pages + 1 + n
	}
	return n
}

// PageInfo reads page n's size (its MediaBox, inherited from the page
// tree when the page has none; US Letter when no node has one) and the
// page count, reading only the page tree's nodes on the way.
func PageInfo(r io.ReaderAt, size int64, n int) (_ PageSize, err error) {
	return PageInfoWithPassword(r, size, n, "")
}

// PageInfoWithPassword is [PageInfo] on a document that password opens
// (see [Options.Password]).
func PageInfoWithPassword(r io.ReaderAt, size int64, n int, password string) (_ PageSize, err error) {
	defer RecoverBug("", &err)
	d, err := openDocumentLimits(r, size, Limits{}, password)
	if err != nil {
		return PageSize{}, err
	}
	_, page, total, err := d.pageRef(n)
	if err != nil {
		return PageSize{}, err
	}
	box := d.mediaBox(page)
	return PageSize{Width: box[2] - box[0], Height: box[3] - box[1], Pages: total}, nil
}

// mediaBox is the page's MediaBox, looked up the /Parent chain as PDF
// 32000-1 §7.7.3.4 lets pages inherit it; US Letter when none is found.
func (d *document) mediaBox(page types.Dict) [4]float64 {
	node := page
	visited := map[int]bool{}
	for depth := 0; node != nil && depth < 64; depth++ {
		if v, ok := d.numbers(node["MediaBox"]); ok && v[2] > v[0] && v[3] > v[1] {
			return v
		}
		ref, ok := node["Parent"].(types.IndirectRef)
		if !ok || visited[ref.ObjectNumber.Value()] {
			break // no parent, or a /Parent chain that loops
		}
		visited[ref.ObjectNumber.Value()] = true
		parent, err := d.dict(ref)
		if err != nil {
			break
		}
		node = parent
	}
	return [4]float64{0, 0, 612, 792}
}

// numbers reads a four-number array.
func (d *document) numbers(o types.Object) ([4]float64, bool) {
	var v [4]float64
	if o == nil {
		return v, false
	}
	o, err := d.resolve(o)
	if err != nil {
		return v, false
	}
	arr, ok := o.(types.Array)
	if !ok || len(arr) != 4 {
		return v, false
	}
	for i, e := range arr {
		e, err := d.resolve(e)
		if err != nil {
			return v, false
		}
		switch n := e.(type) {
		case types.Integer:
			v[i] = float64(n)
		case types.Float:
			v[i] = float64(n)
		default:
			return v, false
		}
	}
	return v, true
}
