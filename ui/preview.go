package ui

import (
	"bytes"
	"context"
	"image"
	"image/color"
	_ "image/jpeg" // a signature's image
	_ "image/png"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/assets"
	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/internal/escape"
	"github.com/signet-sign/signet/pdf"
)

// preview shows the selected document (the first when none is
// selected), so that a person sees what they sign: a page as poppler
// renders it (its outline at its true size without poppler), paged
// through, zoomed; the signature fields on it marked, signed or empty;
// and a visible signature about to be made drawn where it will go, with
// its text and image.
type preview struct {
	app   *App
	path  string
	page  int // 1-based
	pages int
	zoom  float32 // 0: fit the width

	view                   *pageView
	note                   *widget.Label
	pageLabel              *widget.Label
	prev, next             *widget.Button
	zoomIn, zoomOut, fitTo *widget.Button
	scroll                 *container.Scroll
	box                    fyne.CanvasObject
	gen                    int // a newer load discards an older one's render
	// shown is the document and page on screen (a load under way has
	// not replaced it yet).
	shownPath string
	shownPage int
	// cancel stops the render under way: a newer load, or the app
	// closing, does not wait for it.
	cancel context.CancelFunc
}

// renderWidth is the width in pixels pages are rendered at: sharp up to
// twice the size of an A4 page at 96 dpi.
const renderWidth = 1200

func newPreview(a *App) *preview {
	p := &preview{app: a, page: 1}
	p.view = newPageView()
	p.note = widget.NewLabel(i18n.T("ui.preview.none"))
	p.note.Wrapping = fyne.TextWrapWord
	p.note.Alignment = fyne.TextAlignCenter
	p.pageLabel = widget.NewLabel("")
	p.prev = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), func() { p.turn(-1) })
	p.next = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), func() { p.turn(1) })
	p.zoomOut = widget.NewButtonWithIcon("", theme.ZoomOutIcon(), func() { p.setZoom(p.currentZoom() / 1.25) })
	p.zoomIn = widget.NewButtonWithIcon("", theme.ZoomInIcon(), func() { p.setZoom(p.currentZoom() * 1.25) })
	p.fitTo = widget.NewButtonWithIcon("", theme.ZoomFitIcon(), func() { p.setZoom(0) })
	// The note (no page to show) in the scroll too: a wrapped sentence
	// must not make the window taller.
	p.scroll = container.NewScroll(container.NewStack(container.NewCenter(p.view), container.NewVBox(p.note)))
	bar := container.NewHBox(p.prev, p.pageLabel, p.next, layout.NewSpacer(), p.zoomOut, p.fitTo, p.zoomIn)
	p.box = container.NewBorder(bar, nil, nil, nil, p.scroll)
	p.setControls()
	return p
}

// currentZoom is the zoom as a scale of points to pixels: fit's when
// fitting.
func (p *preview) currentZoom() float32 {
	if p.zoom > 0 {
		return p.zoom
	}
	return p.view.fitScale(p.scroll.Size())
}

func (p *preview) setZoom(z float32) {
	if z > 0 {
		z = min(max(z, 0.25), 4)
	}
	p.zoom = z
	p.layout()
}

// layout sizes the page for the zoom: at fit, the page fills the width.
func (p *preview) layout() {
	scale := p.currentZoom()
	p.view.scale = scale
	p.view.Refresh()
	p.scroll.Refresh()
}

// setControls enables what can be done with the document shown.
func (p *preview) setControls() {
	has := p.path != "" && p.pages > 0
	for _, b := range []*widget.Button{p.zoomIn, p.zoomOut, p.fitTo} {
		if has {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if has && p.page > 1 {
		p.prev.Enable()
	} else {
		p.prev.Disable()
	}
	if has && p.page < p.pages {
		p.next.Enable()
	} else {
		p.next.Disable()
	}
	if has {
		p.pageLabel.SetText(i18n.T("ui.preview.page", map[string]any{"N": p.page, "Total": p.pages}))
	} else {
		p.pageLabel.SetText("")
	}
}

func (p *preview) turn(by int) {
	if n := p.page + by; n >= 1 && n <= p.pages {
		p.page = n
		p.load()
	}
}

// show shows a document from its first page (the same one again keeps
// its page).
func (p *preview) show(e *docEntry) {
	if e == nil {
		p.path, p.pages = "", 0
		p.note.SetText(i18n.T("ui.preview.none"))
		p.note.Show()
		p.view.Hide()
		p.setControls()
		return
	}
	if e.path != p.path {
		p.path, p.page = e.path, 1
	}
	p.load()
}

// load reads the page's size and signature fields and renders it, in the
// background; what the list knows of the document says whether there
// is a page to show.
func (p *preview) load() {
	p.gen++
	gen, path, page := p.gen, p.path, p.page
	e := p.app.docs.byPath(path)
	p.app.docs.mu.Lock()
	var info *flow.Document
	if e != nil {
		info = e.info
	}
	p.app.docs.mu.Unlock()
	switch {
	case info == nil:
		p.say(i18n.T("ui.still_reading"))
		return
	case info.Err != nil:
		p.say(i18n.T("ui.preview.unreadable"))
		return
	case info.Locked:
		p.say(i18n.T("ui.preview.locked"))
		return
	case info.Container != nil || info.Other:
		p.say(i18n.T("ui.preview.not_pdf"))
		return
	}
	if p.cancel != nil {
		p.cancel() // the render of another page, no longer wanted
	}
	ctx, cancel := context.WithCancel(p.app.alive)
	p.cancel = cancel
	p.app.run(func() {
		defer cancel()
		size, boxes, err := flow.PageFacts(path, page)
		var img image.Image
		if err == nil {
			img, _ = flow.RenderPage(ctx, path, page, renderWidth) // none: the outline
		}
		p.app.do(func() {
			if gen != p.gen {
				return // another page or document since
			}
			if err != nil {
				p.say(i18n.T("ui.preview.unreadable"))
				return
			}
			p.pages = size.Pages
			p.shownPath, p.shownPage = path, page
			p.note.Hide()
			p.view.Show()
			p.view.set(size, img, boxes)
			p.view.sig = p.app.options.signaturePreview(page, size.Pages)
			p.setControls()
			p.layout()
		})
	})
}

// say shows a sentence instead of a page.
func (p *preview) say(s string) {
	p.pages = 0
	p.note.SetText(s)
	p.note.Show()
	p.view.Hide()
	p.setControls()
}

// refreshSignature redraws the visible signature to be made (its
// options changed).
func (p *preview) refreshSignature() {
	if p.pages == 0 {
		return
	}
	p.view.sig = p.app.options.signaturePreview(p.page, p.pages)
	p.view.Refresh()
}

// sigPreview is a visible signature to be made, as it will look.
type sigPreview struct {
	rect       [4]float64
	lines      []string
	img        image.Image
	imageRight bool
}

// signaturePreview is the visible signature the options will make on
// page n of a document of total pages, or nil (none, or another page).
func (o *signOptions) signaturePreview(n, total int) *sigPreview {
	a := o.appearance
	if !o.visible.Checked || a == nil || pdf.PageNumber(a.Page, total) != n {
		return nil
	}
	s := o.signatureLooks()
	s.rect, s.imageRight = a.Rect, a.ImageRight
	return s
}

// signatureLooks is what a visible signature will hold: its lines (the
// person's, or who signs, when, why and where) and image.
func (o *signOptions) signatureLooks() *sigPreview {
	s := &sigPreview{}
	if t := o.lines.Text; t != "" {
		s.lines = lines(t)
	} else {
		name := i18n.T("ui.preview.signer")
		if c, ok := o.app.signer.chosen(); ok && c.Name != "" {
			name = c.Name
		}
		s.lines = pdf.DefaultLines(i18n.Current(), name, time.Now(), o.reason.Text, o.location.Text)
	}
	if o.imageData != nil {
		s.img, _, _ = image.Decode(bytes.NewReader(o.imageData))
	}
	return s
}

// pageView draws a page at a scale, with its marks.
type pageView struct {
	widget.BaseWidget
	size  pdf.PageSize
	img   image.Image
	boxes []pdf.Box
	sig   *sigPreview
	scale float32 // pixels a point
}

func newPageView() *pageView {
	v := &pageView{scale: 1, size: pdf.PageSize{Width: 595, Height: 842}}
	v.ExtendBaseWidget(v)
	v.Hide()
	return v
}

func (v *pageView) set(size pdf.PageSize, img image.Image, boxes []pdf.Box) {
	v.size, v.img, v.boxes = size, img, boxes
}

// fitScale is the scale at which the page fills the width of an area.
func (v *pageView) fitScale(area fyne.Size) float32 {
	if v.size.Width <= 0 || area.Width <= 0 {
		return 0.5
	}
	return max((area.Width-2*theme.Padding())/float32(v.size.Width), 0.1)
}

func (v *pageView) MinSize() fyne.Size {
	return fyne.NewSize(float32(v.size.Width)*v.scale, float32(v.size.Height)*v.scale)
}

func (v *pageView) CreateRenderer() fyne.WidgetRenderer {
	return &pageRenderer{v: v}
}

// signatureFont draws a signature's text in the face it is written in.
var signatureFont = fyne.NewStaticResource("signature.ttf", assets.SignatureFont)

type pageRenderer struct {
	v       *pageView
	objects []fyne.CanvasObject
}

// rectAt is a rectangle in points as a position and size in the widget.
func (r *pageRenderer) rectAt(rect [4]float64) (fyne.Position, fyne.Size) {
	s := r.v.scale
	x := float32(rect[0]) * s
	y := float32(r.v.size.Height-rect[3]) * s
	return fyne.NewPos(x, y), fyne.NewSize(float32(rect[2]-rect[0])*s, float32(rect[3]-rect[1])*s)
}

// build makes the objects: the page, its fields, the signature to be.
func (r *pageRenderer) build() {
	v := r.v
	size := v.MinSize()
	page := canvas.NewRectangle(color.White)
	page.StrokeColor, page.StrokeWidth = color.Gray{Y: 160}, 1
	page.Resize(size)
	objs := []fyne.CanvasObject{page}
	if v.img != nil {
		pic := canvas.NewImageFromImage(v.img)
		pic.FillMode = canvas.ImageFillStretch
		pic.Resize(size)
		objs = append(objs, pic)
	}
	for _, b := range v.boxes {
		pos, sz := r.rectAt(b.Rect)
		mark := canvas.NewRectangle(color.NRGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0x22})
		mark.StrokeColor, mark.StrokeWidth = color.NRGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff}, 2
		label := i18n.T("ui.preview.signed_field", map[string]any{"Name": b.Name})
		if !b.Signed {
			mark.FillColor = color.NRGBA{R: 0x90, G: 0x90, B: 0x90, A: 0x22}
			mark.StrokeColor = color.NRGBA{R: 0x60, G: 0x60, B: 0x60, A: 0xff}
			label = i18n.T("ui.preview.empty_field", map[string]any{"Name": b.Name})
		}
		mark.Move(pos)
		mark.Resize(sz)
		name := canvas.NewText(escape.Cut(escape.Text(label), 80), mark.StrokeColor) // a name from the file
		name.TextSize = 10
		name.Move(fyne.NewPos(pos.X, max(pos.Y-14, 0)))
		objs = append(objs, mark, name)
	}
	if s := v.sig; s != nil {
		pos, sz := r.rectAt(s.rect)
		objs = append(objs, drawSignature(s, pos, sz, v.scale)...)
	}
	r.objects = objs
}

// drawSignature draws the signature to be made in its box (pos, sz in
// pixels; scale pixels a point): its image beside its lines, the lines
// in the signature's font at the size that fits, as the appearance
// stream lays them out.
func drawSignature(s *sigPreview, pos fyne.Position, sz fyne.Size, scale float32) []fyne.CanvasObject {
	box := canvas.NewRectangle(color.NRGBA{R: 0x15, G: 0x65, B: 0xc0, A: 0x18})
	box.StrokeColor, box.StrokeWidth = color.NRGBA{R: 0x15, G: 0x65, B: 0xc0, A: 0xff}, 1
	box.Move(pos)
	box.Resize(sz)
	out := []fyne.CanvasObject{box}
	pad := float32(3) * scale
	textX, textW := pos.X+pad, sz.Width-2*pad
	if s.img != nil {
		b := s.img.Bounds()
		h := sz.Height - 2*pad
		w := min(h*float32(b.Dx())/float32(max(b.Dy(), 1)), sz.Width/2)
		pic := canvas.NewImageFromImage(s.img)
		pic.FillMode = canvas.ImageFillContain
		x := pos.X + pad
		if s.imageRight {
			x = pos.X + sz.Width - pad - w
		} else {
			textX += w + pad
		}
		textW -= w + pad
		pic.Move(fyne.NewPos(x, pos.Y+pad))
		pic.Resize(fyne.NewSize(w, h))
		out = append(out, pic)
	}
	if len(s.lines) == 0 || textW <= 0 {
		return out
	}
	// The size that fits every line, 11 pt at most (as written).
	size := min(float32(11), (float32(s.rect[3]-s.rect[1])-6)/(float32(len(s.lines))*1.2))
	for _, l := range s.lines {
		w := fyne.MeasureText(l, size*scale, fyne.TextStyle{}).Width
		if w > textW {
			size = size * textW / w
		}
	}
	px := size * scale
	for i, l := range s.lines {
		t := canvas.NewText(l, color.Black)
		t.TextSize = px
		t.FontSource = signatureFont
		t.Move(fyne.NewPos(textX, pos.Y+pad+float32(i)*px*1.2))
		out = append(out, t)
	}
	return out
}

func (r *pageRenderer) Layout(fyne.Size)             { r.build() }
func (r *pageRenderer) MinSize() fyne.Size           { return r.v.MinSize() }
func (r *pageRenderer) Refresh()                     { r.build(); canvas.Refresh(r.v) }
func (r *pageRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *pageRenderer) Destroy()                     {}
