package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/signet-sign/signet/flow"
	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/pdf"
)

// placer shows a page (rendered, or its outline) and lets the person drag
// the signature's rectangle on it. Rect is in PDF points from the page's
// lower-left corner.
type placer struct {
	widget.BaseWidget
	pageW, pageH float64 // points
	img          image.Image
	sig          *sigPreview // the words and image the box will hold
	Rect         [4]float64
	dragFrom     *fyne.Position
	OnChanged    func()
}

func newPlacer(w, h float64, r [4]float64) *placer {
	p := &placer{pageW: w, pageH: h, Rect: r}
	p.ExtendBaseWidget(p)
	return p
}

// frame is where the page sits in the widget, and points per pixel.
func (p *placer) frame(size fyne.Size) (x, y, scale float32) {
	scale = min(size.Width/float32(p.pageW), size.Height/float32(p.pageH))
	x = (size.Width - float32(p.pageW)*scale) / 2
	y = (size.Height - float32(p.pageH)*scale) / 2
	return x, y, scale
}

// toPoints turns a widget position into page points (y from the bottom).
func (p *placer) toPoints(pos fyne.Position) (float64, float64) {
	x0, y0, s := p.frame(p.Size())
	px := float64((pos.X - x0) / s)
	py := p.pageH - float64((pos.Y-y0)/s)
	return clamp(px, 0, p.pageW), clamp(py, 0, p.pageH)
}

func clamp(v, lo, hi float64) float64 { return max(lo, min(hi, v)) }

func (p *placer) Dragged(e *fyne.DragEvent) {
	if p.dragFrom == nil {
		start := e.Position.Subtract(e.Dragged)
		p.dragFrom = &start
	}
	x1, y1 := p.toPoints(*p.dragFrom)
	x2, y2 := p.toPoints(e.Position)
	p.Rect = [4]float64{min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)}
	p.Refresh()
}

func (p *placer) DragEnd() {
	p.dragFrom = nil
	if p.Rect[2]-p.Rect[0] < 20 || p.Rect[3]-p.Rect[1] < 10 {
		// A click or a sliver: keep a usable rectangle where it started.
		p.Rect[2], p.Rect[3] = min(p.pageW, p.Rect[0]+220), min(p.pageH, p.Rect[1]+60)
	}
	p.Refresh()
	if p.OnChanged != nil {
		p.OnChanged()
	}
}

// setImage shows the rendered page under the rectangle.
func (p *placer) setImage(img image.Image) {
	p.img = img
	p.Refresh()
}

func (p *placer) MinSize() fyne.Size { return fyne.NewSize(360, 420) }

func (p *placer) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	page := canvas.NewRectangle(color.White)
	page.StrokeColor = theme.Color(theme.ColorNameForeground)
	page.StrokeWidth = 1
	pic := canvas.NewImageFromImage(p.img) // nil until the page is rendered
	pic.FillMode = canvas.ImageFillStretch
	sel := canvas.NewRectangle(color.NRGBA{R: 0x1e, G: 0x66, B: 0xd0, A: 0x40})
	sel.StrokeColor = color.NRGBA{R: 0x1e, G: 0x66, B: 0xd0, A: 0xff}
	sel.StrokeWidth = 2
	return &placerRenderer{p: p, bg: bg, page: page, pic: pic, sel: sel}
}

type placerRenderer struct {
	p             *placer
	bg, page, sel *canvas.Rectangle
	pic           *canvas.Image
	sig           []fyne.CanvasObject // the signature as it will look, in the box
}

func (r *placerRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	x, y, s := r.p.frame(size)
	pw, ph := float32(r.p.pageW)*s, float32(r.p.pageH)*s
	r.page.Move(fyne.NewPos(x, y))
	r.page.Resize(fyne.NewSize(pw, ph))
	r.pic.Move(fyne.NewPos(x, y))
	r.pic.Resize(fyne.NewSize(pw, ph))
	rc := r.p.Rect
	r.sel.Move(fyne.NewPos(x+float32(rc[0])*s, y+float32(r.p.pageH-rc[3])*s))
	r.sel.Resize(fyne.NewSize(float32(rc[2]-rc[0])*s, float32(rc[3]-rc[1])*s))
	r.sig = nil
	if r.p.sig != nil {
		sig := *r.p.sig
		sig.rect = rc
		r.sig = drawSignature(&sig, r.sel.Position(), r.sel.Size(), s)
	}
}

func (r *placerRenderer) MinSize() fyne.Size { return r.p.MinSize() }
func (r *placerRenderer) Refresh() {
	if r.pic.Image != r.p.img {
		r.pic.Image = r.p.img
		r.pic.Refresh()
	}
	r.Layout(r.p.Size())
	canvas.Refresh(r.p)
}
func (r *placerRenderer) Destroy() {}
func (r *placerRenderer) Objects() []fyne.CanvasObject {
	return append([]fyne.CanvasObject{r.bg, r.page, r.pic, r.sel}, r.sig...)
}

// showPlacement opens the placement dialog on the selected document (or
// the first one).
func (o *signOptions) showPlacement() {
	docs := o.app.docs.all()
	if len(docs) == 0 {
		o.app.showError(i18n.T("ui.err.no_document"), errors.New(i18n.T("ui.err.no_document_why")))
		return
	}
	doc := docs[0]
	if e := o.app.docs.entry(o.app.docs.selected); e != nil {
		doc = e
	}
	a := o.appearance
	if a == nil {
		a = &pdf.Appearance{Page: 1, Rect: [4]float64{36, 36, 256, 96}}
	}
	o.app.placementDialog(doc.path, a, func(na *pdf.Appearance) {
		o.appearance = na
		o.describePlacement()
	})
}

// placementDialog lets the person choose the page and drag the rectangle
// on a preview of it; done receives the placement.
func (a *App) placementDialog(path string, start *pdf.Appearance, done func(*pdf.Appearance)) *placementView {
	v := &placementView{app: a, path: path, page: start.Page, rect: start.Rect}
	v.pages = newSelect(nil, func(s string) {
		switch s {
		case i18n.T("ui.page_last"):
			v.page = -1
		default:
			v.page, _ = strconv.Atoi(s)
		}
		v.load()
	})
	v.info = widget.NewLabel("")
	v.holder = container.NewStack()
	content := container.NewBorder(container.NewHBox(widget.NewLabel(i18n.T("ui.page")), v.pages, v.info), nil, nil, nil, v.holder)
	v.dialog = dialog.NewCustomConfirm(i18n.T("ui.place_signature"), i18n.T("ui.use_this_place"), i18n.T("ui.cancel"), content, func(ok bool) {
		if ok && v.placer != nil {
			done(&pdf.Appearance{Page: v.page, Rect: v.placer.Rect})
		}
	}, a.win)
	size := a.win.Canvas().Size()
	v.dialog.Resize(fyne.NewSize(min(size.Width-20, 620), min(size.Height-20, 720)))
	v.load()
	a.keyed(v.dialog, v.dialog.Confirm)
	a.mu.Lock()
	a.placement = v
	a.mu.Unlock()
	return v
}

// placementView is the open placement dialog.
type placementView struct {
	app    *App
	path   string
	page   int
	rect   [4]float64
	pages  *widget.Select
	info   *widget.Label
	holder *fyne.Container
	placer *placer
	dialog *dialog.ConfirmDialog
}

// load reads the page's size, renders it in the background and shows it.
func (v *placementView) load() {
	size, _, err := flow.PageFacts(v.path, v.page)
	if err != nil {
		v.info.SetText(err.Error())
		return
	}
	if v.pages.Options == nil {
		var opts []string
		for i := 1; i <= size.Pages; i++ {
			opts = append(opts, strconv.Itoa(i))
		}
		if size.Pages > 1 {
			opts = append(opts, i18n.T("ui.page_last"))
		}
		v.pages.Options = opts
		sel := strconv.Itoa(v.page)
		if v.page < 0 {
			sel = i18n.T("ui.page_last")
			if size.Pages == 1 {
				sel = "1" // a one-page document offers no "last"
			}
		}
		v.pages.SetSelected(sel) // calls load again with the page set
		return
	}
	if v.placer != nil {
		v.rect = v.placer.Rect
	}
	v.info.SetText(i18n.T("ui.placement.info", map[string]any{"Width": fmt.Sprintf("%.0f", size.Width), "Height": fmt.Sprintf("%.0f", size.Height)}))
	v.placer = newPlacer(size.Width, size.Height, fitRect(v.rect, size))
	if v.app.options != nil {
		v.placer.sig = v.app.options.signatureLooks()
	}
	v.holder.Objects = []fyne.CanvasObject{v.placer}
	v.holder.Refresh()
	page, p := v.page, v.placer
	v.app.run(func() {
		n := page
		if n < 0 {
			n = size.Pages
		}
		img, err := flow.RenderPage(context.Background(), v.path, n, 800)
		v.app.do(func() {
			if err != nil {
				if !errors.Is(err, flow.ErrNoRenderer) {
					v.info.SetText(v.info.Text + " · " + i18n.T("ui.placement.no_preview", map[string]any{"Err": err.Error()}))
				}
				return // the outline stays
			}
			p.setImage(img)
		})
	})
}

// fitRect keeps a rectangle on a page of the given size.
func fitRect(r [4]float64, s pdf.PageSize) [4]float64 {
	w, h := r[2]-r[0], r[3]-r[1]
	if r[2] > s.Width {
		r[0], r[2] = max(0, s.Width-w), s.Width
	}
	if r[3] > s.Height {
		r[1], r[3] = max(0, s.Height-h), s.Height
	}
	return r
}
