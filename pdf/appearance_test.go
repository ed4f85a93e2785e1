package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/internal/testpdf"
)

var names = []string{"Jānis Bērziņš", "João Conceição", "Nguyễn Văn Đức", "Zoë Ørsted"}

func testImage(t *testing.T, format string) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 40, 30))
	for y := range 30 {
		for x := range 40 {
			img.Set(x, y, color.NRGBA{uint8(x * 6), 60, 160, uint8(128 + y*4)})
		}
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// inkIn renders the page with pdftoppm and counts the dark pixels inside
// rect (points from the lower-left corner of an A4 page, 72 dpi).
func inkIn(t *testing.T, path string, page int, rect [4]float64) int {
	t.Helper()
	return inkOn(t, path, page, 842, rect)
}

// inkOn is inkIn on a page that viewers show height points high.
func inkOn(t *testing.T, path string, page int, height float64, rect [4]float64) int {
	t.Helper()
	prefix := filepath.Join(t.TempDir(), "page")
	x, y := int(rect[0]), int(height-rect[3])
	w, h := int(rect[2]-rect[0]), int(rect[3]-rect[1])
	cmd := exec.Command("pdftoppm", "-f", fmt.Sprint(page), "-l", fmt.Sprint(page), "-r", "72", "-png", "-singlefile", "-cropbox",
		"-x", fmt.Sprint(x), "-y", fmt.Sprint(y), "-W", fmt.Sprint(w), "-H", fmt.Sprint(h), path, prefix)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	dark := 0
	b := img.Bounds()
	for yy := b.Min.Y; yy < b.Max.Y; yy++ {
		for xx := b.Min.X; xx < b.Max.X; xx++ {
			if g := color.GrayModel.Convert(img.At(xx, yy)).(color.Gray); g.Y < 200 {
				dark++
			}
		}
	}
	return dark
}

func pageText(t *testing.T, path string, page int) string {
	t.Helper()
	out, err := exec.Command("pdftotext", "-f", fmt.Sprint(page), "-l", fmt.Sprint(page), "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestVisibleSignature(t *testing.T) {
	pdfcheck.Require(t, "pdftoppm", "pdftotext")
	f := newFixture(t)
	in := filepath.Join(f.dir, "three-pages.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{Pages: 3}); err != nil {
		t.Fatal(err)
	}
	rect := [4]float64{320, 60, 560, 150}
	for _, tc := range []struct {
		name       string
		page, want int
		image      string
		right      bool
	}{
		{"ok text only first page", 0, 1, "", false},
		{"ok png left last page", -1, 3, "png", false},
		{"ok jpeg right page 2", 2, 2, "jpeg", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &Appearance{Page: tc.page, Rect: rect, Lines: names, ImageRight: tc.right}
			if tc.image != "" {
				a.Image = testImage(t, tc.image)
			}
			out := filepath.Join(t.TempDir(), "visible.pdf")
			f.sign(t, in, out, "rsa", Options{Appearance: a, Timestamper: &TSAClient{URL: f.tsa.URL}})
			f.v.Check(t, out, 1)
			if ink := inkIn(t, out, tc.want, rect); ink < 200 {
				t.Errorf("the signature rectangle on page %d is blank (%d dark pixels)", tc.want, ink)
			}
			text := pageText(t, out, tc.want)
			for _, n := range names {
				if !strings.Contains(text, n) {
					t.Errorf("page %d text lacks %q:\n%s", tc.want, n, text)
				}
			}
			// The other pages stay as they were.
			for p := 1; p <= 3; p++ {
				if p != tc.want && inkIn(t, out, p, rect) != 0 {
					t.Errorf("page %d has ink in the rectangle", p)
				}
			}
		})
	}

	t.Run("ok default lines", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "default.pdf")
		f.sign(t, in, out, "ecdsa", Options{Reason: "Apstiprinu", Location: "Rīga", Appearance: &Appearance{Rect: rect}})
		text := pageText(t, out, 1)
		for _, want := range []string{"Digitally signed by Jānis Bērziņš ecdsa", "Reason: Apstiprinu", "Location: Rīga", "Date: "} {
			if !strings.Contains(text, want) {
				t.Errorf("default text lacks %q:\n%s", want, text)
			}
		}
		// The preview finds the signed box where it was drawn, on its
		// page only (issue 31, 6).
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		_, boxes, err := PageMarks(bytes.NewReader(data), int64(len(data)), 1, "")
		if err != nil || len(boxes) != 1 || !boxes[0].Signed || boxes[0].Rect != rect || boxes[0].Name == "" {
			t.Errorf("boxes %+v, %v; want one signed at %v", boxes, err, rect)
		}
		if _, boxes, err := PageMarks(bytes.NewReader(data), int64(len(data)), 2, ""); err != nil || len(boxes) != 0 {
			t.Errorf("page 2 boxes %+v, %v", boxes, err)
		}
	})

	e := f.keys["rsa"]
	for _, tc := range []struct {
		name string
		a    Appearance
	}{
		{"fail off the page", Appearance{Rect: [4]float64{500, 700, 700, 900}}},
		{"fail inverted rectangle", Appearance{Rect: [4]float64{300, 150, 100, 50}}},
		{"fail page out of range", Appearance{Page: 9, Rect: rect}},
		{"fail missing glyph", Appearance{Rect: rect, Lines: []string{"签名"}}},
		{"fail not an image", Appearance{Rect: rect, Image: []byte("GIF89a")}},
		{"fail tiny rectangle", Appearance{Rect: [4]float64{10, 10, 14, 12}, Lines: names}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "x.pdf")
			err := SignFile(context.Background(), in, out, e.Key, f.pki.Chain(e.Cert), Options{Appearance: &tc.a})
			if !errors.Is(err, ErrAppearance) {
				t.Fatalf("err = %v, want ErrAppearance", err)
			}
			if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
				t.Error("an output was written")
			}
		})
	}
}

// TestVisibleSignatureOnTurnedPage: on a page that viewers turn
// (/Rotate, inherited or not, negative too) or crop (/CropBox), the
// rectangle is where the person put it on the page as shown, and the
// signature is drawn upright there, as poppler renders it.
func TestVisibleSignatureOnTurnedPage(t *testing.T) {
	pdfcheck.Require(t, "pdftoppm")
	f := newFixture(t)
	// Lower left as shown, clear of the page's own line of text whichever
	// way the page is turned.
	rect := [4]float64{70, 40, 310, 130}
	for _, tc := range []struct {
		name, page, tree string
		w, h             float64
	}{
		{"ok upright", "", "", 595, 842},
		{"ok turned 90", "/Rotate 90", "", 842, 595},
		{"ok turned 180, inherited", "", "/Rotate 180", 595, 842},
		{"ok turned -90, cropped", "/Rotate -90 /CropBox [40 60 555 802]", "", 742, 515},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join(t.TempDir(), "turned.pdf")
			if err := testpdf.WriteFile(in, testpdf.Options{PageEntries: tc.page, TreeEntries: tc.tree}); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := PageInfo(bytes.NewReader(data), int64(len(data)), 1); err != nil || got != (PageSize{tc.w, tc.h, 1}) {
				t.Fatalf("PageInfo = %+v, %v; want %vx%v as shown", got, err, tc.w, tc.h)
			}
			out := filepath.Join(t.TempDir(), "signed.pdf")
			f.sign(t, in, out, "rsa", Options{Appearance: &Appearance{Rect: rect, Lines: names[:2], Image: testImage(t, "png"), ImageRight: true}})
			f.v.Check(t, out, 1)
			ink := inkOn(t, out, 1, tc.h, rect)
			if ink < 200 {
				t.Fatalf("the rectangle as shown is blank (%d dark pixels)", ink)
			}
			// Upright: the image is on the right, as asked; turned, it
			// would be at the top, the bottom or the left.
			// The image spans the rectangle's height: both halves of its
			// right end hold more ink than the text's at its left end.
			mid := (rect[1] + rect[3]) / 2
			for _, half := range [][2]float64{{rect[1], mid}, {mid, rect[3]}} {
				left := inkOn(t, out, 1, tc.h, [4]float64{rect[0], half[0], rect[0] + 60, half[1]})
				right := inkOn(t, out, 1, tc.h, [4]float64{rect[2] - 60, half[0], rect[2], half[1]})
				if right < 2*left {
					t.Errorf("the signature is not drawn upright: from y %v to %v, %d dark pixels at its left end, %d at its right, where the image is", half[0], half[1], left, right)
				}
			}
			// The preview's marks agree with what was asked.
			signed, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			_, boxes, err := PageMarks(bytes.NewReader(signed), int64(len(signed)), 1, "")
			if err != nil || len(boxes) != 1 {
				t.Fatalf("PageMarks = %v, %v; want one box", boxes, err)
			}
			for i := range rect {
				if d := boxes[0].Rect[i] - rect[i]; d < -0.01 || d > 0.01 {
					t.Fatalf("PageMarks puts the signature at %v, not at %v", boxes[0].Rect, rect)
				}
			}
		})
	}
}

// TestPageMarksFieldTree: a signature field's type and value are
// inherited down the field tree, so a widget two levels below the /FT
// /Sig is a signature box, signed when an ancestor holds the value.
func TestPageMarksFieldTree(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		signed      bool
	}{
		{"ok empty", "", false},
		{"ok signed", "/V 1003 0 R", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := testpdf.Write(&b, testpdf.Options{
				Catalog:     "/AcroForm << /Fields [1000 0 R] /SigFlags 3 >>",
				PageEntries: "/Annots [1002 0 R]",
				Objects: []string{
					"<< /FT /Sig /T (Approvals) /Kids [1001 0 R] " + tc.value + " >>",
					"<< /T (Board) /Parent 1000 0 R /Kids [1002 0 R] >>",
					"<< /Type /Annot /Subtype /Widget /Parent 1001 0 R /Rect [300 160 100 100] /P 10 0 R >>",
					"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached >>",
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			_, boxes, err := PageMarks(bytes.NewReader(b.Bytes()), int64(b.Len()), 1, "")
			want := []Box{{Name: "Board", Rect: [4]float64{100, 100, 300, 160}, Signed: tc.signed}}
			if err != nil || !slices.Equal(boxes, want) {
				t.Errorf("PageMarks = %+v, %v; want %+v", boxes, err, want)
			}
		})
	}
}

func TestPageInfo(t *testing.T) {
	file := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "pdf", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	synthetic := func(opts testpdf.Options) []byte {
		var b bytes.Buffer
		if err := testpdf.Write(&b, opts); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	cases := []struct {
		name    string
		data    []byte
		page    int
		want    PageSize
		wantErr bool
	}{
		{name: "ok first page", data: file("simple.pdf"), page: 1, want: PageSize{595, 842, 2}},
		{name: "ok last page", data: file("xrefstream.pdf"), page: -1, want: PageSize{595, 842, 1}},
		{name: "ok box inherited from the page tree", data: synthetic(testpdf.Options{Pages: 3, InheritedBox: "[0 0 842 595]"}), page: 2, want: PageSize{842, 595, 3}},
		{name: "ok turned a quarter", data: synthetic(testpdf.Options{PageEntries: "/Rotate 90"}), page: 1, want: PageSize{842, 595, 1}},
		{name: "ok turned by the page tree", data: synthetic(testpdf.Options{Pages: 2, TreeEntries: "/Rotate 270"}), page: 2, want: PageSize{842, 595, 2}},
		{name: "ok turned -450 is turned 270", data: synthetic(testpdf.Options{PageEntries: "/Rotate -450"}), page: 1, want: PageSize{842, 595, 1}},
		{name: "ok a turn not by quarters is no turn", data: synthetic(testpdf.Options{PageEntries: "/Rotate 45"}), page: 1, want: PageSize{595, 842, 1}},
		{name: "ok cropped", data: synthetic(testpdf.Options{PageEntries: "/CropBox [50 50 545 792]"}), page: 1, want: PageSize{495, 742, 1}},
		{name: "ok cropped beyond the media box is clipped", data: synthetic(testpdf.Options{PageEntries: "/CropBox [-100 100 1000 842]"}), page: 1, want: PageSize{595, 742, 1}},
		{name: "ok a crop box off the media box is ignored", data: synthetic(testpdf.Options{PageEntries: "/CropBox [700 900 800 1000]"}), page: 1, want: PageSize{595, 842, 1}},
		{name: "ok a media box too wide for a float is Letter", data: synthetic(testpdf.Options{InheritedBox: "[-1e308 0 1e308 595]"}), page: 1, want: PageSize{612, 792, 1}},
		{name: "ok inherited crop box", data: synthetic(testpdf.Options{TreeEntries: "/CropBox [0 0 400 500]"}), page: 1, want: PageSize{400, 500, 1}},
		{name: "fail no such page", data: file("simple.pdf"), page: 9, wantErr: true},
		{name: "fail not a PDF", data: []byte("hello"), page: 1, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PageInfo(bytes.NewReader(tc.data), int64(len(tc.data)), tc.page)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestUnturnedRect: a rectangle on the page as shown, in the page as
// stored, counted from its MediaBox's corner, for services that draw.
func TestUnturnedRect(t *testing.T) {
	shown := [4]float64{70, 40, 310, 130}
	for _, tc := range []struct {
		name, page string
		want       [4]float64
	}{
		{"ok upright", "", shown},
		{"ok turned 90", "/Rotate 90", [4]float64{465, 70, 555, 310}},
		{"ok turned 90, media box off the origin", "/Rotate 90 /MediaBox [10 20 605 862]", [4]float64{465, 70, 555, 310}},
		{"ok cropped", "/CropBox [50 60 545 802]", [4]float64{120, 100, 360, 190}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			opts := testpdf.Options{PageEntries: tc.page}
			if strings.Contains(tc.page, "MediaBox") {
				opts.InheritedBox = "[0 0 1 1]" // the page's own box wins
			}
			if err := testpdf.Write(&b, opts); err != nil {
				t.Fatal(err)
			}
			got, err := UnturnedRect(bytes.NewReader(b.Bytes()), int64(b.Len()), 1, "", shown)
			if err != nil || got != tc.want {
				t.Errorf("UnturnedRect = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
