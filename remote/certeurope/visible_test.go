package certeurope

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/signet-sign/signet/pdf"
)

func TestVisibleOptions(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	img.Set(1, 1, color.Black)
	var pngData bytes.Buffer
	png.Encode(&pngData, img)

	o, err := VisibleOptions(&pdf.Appearance{Page: -1, Rect: [4]float64{300, 120, 60, 60}, Image: pngData.Bytes()}, 3, []string{"Signé par Jeanne Martin"})
	if err != nil {
		t.Fatal(err)
	}
	// Signet's last page is the API's page 3 (1-based); the corner is the
	// lower-left one; the image is the rectangle's size.
	if o.Page != 3 || o.PosX != 60 || o.PosY != 60 || len(o.Lines) != 1 || o.Lines[0].Content != "Signé par Jeanne Martin" {
		t.Fatalf("%+v", o)
	}
	a, err := Appearance(o)
	if err != nil || a.Rect != [4]float64{60, 60, 300, 120} || a.Page != 3 {
		t.Fatalf("back: %+v %v", a, err)
	}
	if *o.Lines[0].X < 20 {
		t.Errorf("the text starts at %.0f, over the image", *o.Lines[0].X)
	}
	if o, _ := VisibleOptions(&pdf.Appearance{Page: 0, Rect: [4]float64{0, 0, 100, 40}}, 1, nil); o.Page != 1 {
		t.Errorf("page 0 → %d, want 1", o.Page)
	}
	for _, bad := range []*pdf.Appearance{
		{Page: 4, Rect: [4]float64{0, 0, 100, 40}},
		{Page: 1, Rect: [4]float64{0, 0, 100, 40}, Lines: []string{"Nguyễn Văn Đức"}},
		{Page: 1, Rect: [4]float64{0, 0, 100, 20}, Lines: []string{"a", "b"}},
		{Page: 1, Rect: [4]float64{0, 0, 5, 40}},
		{Page: 1, Rect: [4]float64{0, 0, 100, 40}, Image: []byte("not an image")},
	} {
		if _, err := VisibleOptions(bad, 3, nil); !errors.Is(err, ErrCannotDraw) {
			t.Errorf("%+v: %v, want ErrCannotDraw", bad, err)
		}
	}
}
