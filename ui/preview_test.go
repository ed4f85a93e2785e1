package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testx"
	"github.com/signet-sign/signet/pdf"
)

// TestDocumentInView (issue 31, 6): the document is in view — the first
// one, else the selected one — rendered by poppler, paged through and
// zoomed; a visible signature about to be made is drawn where it will go
// with the signer's words; a signed field is marked where it is.
func TestDocumentInView(t *testing.T) {
	pdfcheck.Require(t, "pdftoppm")
	h := newHarness(t, nil, nil)
	p := h.app.preview
	shown := func(path string, page, pages int) func() bool {
		return func() bool {
			return p.shownPath == path && p.shownPage == page && p.pages == pages && p.view.img != nil
		}
	}
	docs := h.docs("one.pdf", "two.pdf")
	h.waitFor("the first document in view", shown(docs[0], 1, 1))
	if !p.prev.Disabled() || !p.next.Disabled() || p.pageLabel.Text != "Page 1 of 1" {
		t.Errorf("one page: prev %v next %v %q", p.prev.Disabled(), p.next.Disabled(), p.pageLabel.Text)
	}
	// An A4 page upright: about renderWidth wide, its height bounded.
	if b := p.view.img.Bounds(); b.Dy() != renderWidth*3/2 || b.Dx() < renderWidth*8/10 || b.Dx() > renderWidth*11/10 {
		t.Errorf("rendered %d×%d px", b.Dx(), b.Dy())
	}

	h.app.docs.list.Select(1)
	h.waitFor("the selected document", shown(docs[1], 1, 2))
	test.Tap(p.next)
	h.waitFor("its second page", shown(docs[1], 2, 2))
	if p.pageLabel.Text != "Page 2 of 2" || !p.next.Disabled() || p.prev.Disabled() {
		t.Errorf("page 2: %q next %v prev %v", p.pageLabel.Text, p.next.Disabled(), p.prev.Disabled())
	}
	fit := p.view.MinSize()
	test.Tap(p.zoomIn)
	if got := p.view.MinSize(); got.Width < fit.Width*1.24 || got.Width > fit.Width*1.26 {
		t.Errorf("zoomed in from %v to %v", fit, got)
	}
	test.Tap(p.fitTo)
	if got := p.view.MinSize(); got != fit {
		t.Errorf("fit %v, then %v", fit, got)
	}

	// A visible signature on page 2: drawn there, with the signer's name.
	h.choose(softhsmtest.MainToken, "P-256 signing")
	h.app.options.visible.SetChecked(true)
	rect := [4]float64{300, 80, 540, 150}
	h.app.options.appearance = &pdf.Appearance{Page: 2, Rect: rect}
	h.app.options.describePlacement()
	if s := p.view.sig; s == nil || s.rect != rect || !strings.Contains(strings.Join(s.lines, "\n"), "Zoë Ørsted") {
		t.Fatalf("the signature to be: %+v", s)
	}
	test.Tap(p.prev)
	h.waitFor("page 1", shown(docs[1], 1, 2))
	if p.view.sig != nil {
		t.Error("the signature is drawn on page 1 too")
	}

	// Signed: the field is marked on page 2 of the signed copy.
	test.Tap(h.app.signBtn)
	h.answer(softhsmtest.PIN)
	rows := h.results()
	if len(rows) != 1 || !rows[0].OK {
		t.Fatalf("rows %+v (%v)", rows, h.lastError())
	}
	h.app.win.Canvas().Overlays().Top().Hide()
	h.add(rows[0].Output)
	h.app.docs.list.Select(2)
	h.waitFor("the signed copy", shown(rows[0].Output, 1, 2))
	test.Tap(p.next)
	h.waitFor("its page 2", shown(rows[0].Output, 2, 2))
	if len(p.view.boxes) != 1 || !p.view.boxes[0].Signed || p.view.boxes[0].Rect != rect {
		t.Errorf("boxes %+v", p.view.boxes)
	}
	if got, _ := pdf.VerifyFile(context.Background(), rows[0].Output, pdf.VerifyOptions{Roots: h.env.PKI.Roots()}); got == nil || len(got.Signatures) != 1 {
		t.Errorf("the signed copy: %+v", got)
	}
	if filepath.Base(rows[0].Output) != "two-signed.pdf" {
		t.Errorf("signed %s", rows[0].Output)
	}
}

// TestOpenSeveralFiles (issue 31, 15): Open asks the desktop's file
// chooser (the portal) for several files at once, PDFs and containers
// first; every file chosen is listed.
func TestOpenSeveralFiles(t *testing.T) {
	h := newHarness(t, nil, nil)
	a, b := filepath.Join(h.dir, "a.pdf"), filepath.Join(h.dir, "b.pdf")
	for _, p := range []string{a, b} {
		if err := testpdf.WriteFile(p, testpdf.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	portal := testx.StartFilePortal(t, []string{"file://" + a, "file://" + b})
	h.app.docs.openDialog()
	h.waitFor("both documents listed", func() bool { return h.app.docs.length() == 2 })
	_, asked := portal.Request()
	if asked["multiple"].Value() != true || !strings.Contains(asked["filters"].String(), `"*.pdf"`) || !strings.Contains(asked["filters"].String(), `"*.edoc"`) {
		t.Errorf("asked %v", asked)
	}
}
