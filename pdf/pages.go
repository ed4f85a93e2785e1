package pdf

import (
	"io"
	"math"

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

// PageInfo reads page n's size as a viewer shows it (see [pageView]:
// its CropBox within its MediaBox, turned by its /Rotate, each inherited
// from the page tree when the page has none; US Letter when no node has
// a MediaBox) and the page count, reading only the page tree's nodes on
// the way.
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
	w, h := d.view(page).size()
	return PageSize{Width: w, Height: h, Pages: total}, nil
}

// pageView is a page as viewers show it: box is the region shown, in
// default user space (the CropBox clipped to the MediaBox, PDF 32000-1
// §14.11.2), and rotate how far it is turned clockwise, in degrees: 0,
// 90, 180 or 270 (§7.7.3.3, /Rotate).
//
// Signet takes and gives positions on a page as a person sees it: in
// points from the lower-left corner of the page shown, so a signature
// placed at the top of a scanned page turned by /Rotate 90 lands at the
// top of what the reader sees, upright, and a preview rendered by a
// viewer marks fields where they are drawn.
type pageView struct {
	box    [4]float64
	rotate int
	media  [4]float64 // the MediaBox read, lower-left to upper-right
}

// view reads page's pageView. Both boxes and /Rotate are inherited
// from the page tree (§7.7.3.4).
func (d *document) view(page types.Dict) pageView {
	media, ok := d.numbers(d.inherited(page, "MediaBox"))
	// Any two opposite corners (§7.9.5), and a size a float holds
	// ("[-1e308 0 1e308 1]" is not).
	media = [4]float64{min(media[0], media[2]), min(media[1], media[3]), max(media[0], media[2]), max(media[1], media[3])}
	w, h := media[2]-media[0], media[3]-media[1]
	if !ok || !(w > 0 && h > 0) || math.IsInf(w, 0) || math.IsInf(h, 0) {
		media = [4]float64{0, 0, 612, 792}
	}
	v := pageView{box: media, media: media}
	if crop, ok := d.numbers(d.inherited(page, "CropBox")); ok {
		crop = [4]float64{min(crop[0], crop[2]), min(crop[1], crop[3]), max(crop[0], crop[2]), max(crop[1], crop[3])}
		clipped := [4]float64{max(crop[0], media[0]), max(crop[1], media[1]), min(crop[2], media[2]), min(crop[3], media[3])}
		if clipped[2]-clipped[0] >= 1 && clipped[3]-clipped[1] >= 1 {
			v.box = clipped // a crop box outside the media box is ignored, as viewers do
		}
	}
	if o, err := d.resolve(d.inherited(page, "Rotate")); err == nil {
		if r, ok := o.(types.Integer); ok && r%90 == 0 {
			v.rotate = (int(r)%360 + 360) % 360
		}
	}
	return v
}

// inherited is node's entry key, or the nearest ancestor's in its tree
// (the page tree or the field tree: both link by /Parent), nil when none
// has it; a /Parent chain that loops or runs deeper than 64 ends the
// search.
func (d *document) inherited(node types.Dict, key string) types.Object {
	visited := map[int]bool{}
	for depth := 0; node != nil && depth < 64; depth++ {
		if v, ok := node[key]; ok && v != nil {
			return v
		}
		ref, ok := node["Parent"].(types.IndirectRef)
		if !ok || visited[ref.ObjectNumber.Value()] {
			return nil
		}
		visited[ref.ObjectNumber.Value()] = true
		parent, err := d.dict(ref)
		if err != nil {
			return nil
		}
		node = parent
	}
	return nil
}

// size is the page's width and height as shown.
func (v pageView) size() (w, h float64) {
	w, h = v.box[2]-v.box[0], v.box[3]-v.box[1]
	if v.rotate == 90 || v.rotate == 270 {
		return h, w
	}
	return w, h
}

// toUser maps a rectangle on the page as shown (points from its
// lower-left corner, lower-left to upper-right) to default user space.
func (v pageView) toUser(r [4]float64) [4]float64 {
	w, h := v.box[2]-v.box[0], v.box[3]-v.box[1]
	point := func(u, s float64) (x, y float64) {
		switch v.rotate {
		case 90:
			x, y = w-s, u
		case 180:
			x, y = w-u, h-s
		case 270:
			x, y = s, h-u
		default:
			x, y = u, s
		}
		return x + v.box[0], y + v.box[1]
	}
	return corners(point, r)
}

// fromUser maps a rectangle in default user space to the page as shown,
// the inverse of toUser.
func (v pageView) fromUser(r [4]float64) [4]float64 {
	w, h := v.box[2]-v.box[0], v.box[3]-v.box[1]
	point := func(x, y float64) (u, s float64) {
		x, y = x-v.box[0], y-v.box[1]
		switch v.rotate {
		case 90:
			return y, w - x
		case 180:
			return w - x, h - y
		case 270:
			return h - y, x
		}
		return x, y
	}
	return corners(point, r)
}

// corners maps r's two corners by f and orders the result lower-left to
// upper-right.
func corners(f func(a, b float64) (float64, float64), r [4]float64) [4]float64 {
	x0, y0 := f(r[0], r[1])
	x1, y1 := f(r[2], r[3])
	return [4]float64{min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)}
}

// matrix is the /Matrix of an appearance drawn upright on the page as
// shown: it turns the drawing counter-clockwise by the page's rotation,
// which the viewer's clockwise turn undoes (§12.5.5 then fits it to the
// widget's rectangle); nil when the page is not turned.
func (v pageView) matrix() types.Array {
	i := func(n int) types.Integer { return types.Integer(n) }
	switch v.rotate {
	case 90:
		return types.Array{i(0), i(1), i(-1), i(0), i(0), i(0)}
	case 180:
		return types.Array{i(-1), i(0), i(0), i(-1), i(0), i(0)}
	case 270:
		return types.Array{i(0), i(-1), i(1), i(0), i(0), i(0)}
	}
	return nil
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
			if math.IsInf(v[i], 0) || math.IsNaN(v[i]) {
				return v, false // "1e999": no place on a page
			}
		default:
			return v, false
		}
	}
	return v, true
}

// UnturnedRect maps a rectangle given on page n as shown (see
// [pageView]; n read as [Appearance.Page] is) to the page's default
// user space, counted from its MediaBox's lower-left corner: the page
// as it is stored, not turned, not cropped.
//
// ASSUMPTION: signing services that draw a visible signature themselves
// (Aadhaar eSign's signRectangles, Remote Signing's COORDINATE,
// SignAPI's signaturePosX/Y) take positions in that space; their
// documents do not say, and it is what PDF libraries place in. On a page
// that is neither turned nor cropped the two are the same.
func UnturnedRect(r io.ReaderAt, size int64, n int, password string, rect [4]float64) (_ [4]float64, err error) {
	defer RecoverBug("", &err)
	d, err := openDocumentLimits(r, size, Limits{}, password)
	if err != nil {
		return rect, err
	}
	_, page, _, err := d.pageRef(n)
	if err != nil {
		return rect, err
	}
	v := d.view(page)
	u := v.toUser(rect)
	return [4]float64{u[0] - v.media[0], u[1] - v.media[1], u[2] - v.media[0], u[3] - v.media[1]}, nil
}
