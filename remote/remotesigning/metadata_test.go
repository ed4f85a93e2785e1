package remotesigning

import (
	"strings"
	"testing"

	"github.com/signet-sign/signet/pdf"
)

func TestMetaDataFor(t *testing.T) {
	rect := [4]float64{10, 20, 210.7, 80}
	cases := []struct {
		name    string
		opts    pdf.Options
		color   string
		want    map[string]string
		absent  []string
		wantErr string
	}{
		{name: "ok invisible keeps reason and location", opts: pdf.Options{Reason: "Đồng ý", Location: "Hà Nội"},
			want:   map[string]string{"VISIBLESIGNATURE": "false", "SIGNREASON": "Đồng ý", "LOCATION": "Hà Nội"},
			absent: []string{"COORDINATE", "SHOWREASON", "LOCKAFTERSIGNING"}},
		{name: "ok visible last page with image right, red, locked",
			opts:  pdf.Options{Certify: pdf.NoChanges, Reason: "OK", Appearance: &pdf.Appearance{Page: -1, Rect: rect, Image: []byte{1, 2, 3}, ImageRight: true}},
			color: "red",
			want: map[string]string{"VISIBLESIGNATURE": "true", "PAGENO": "Last", "COORDINATE": "10,20,210,80",
				"SIGNATUREIMAGE": "AQID", "IMAGEANDTEXT": "true", "TEXTDIRECTION": "LEFTTORIGHT", "TEXTCOLOR": "red",
				"SHOWSIGNERINFO": "true", "SHOWDATETIME": "true", "SHOWREASON": "true", "SIGNREASON": "OK", "LOCKAFTERSIGNING": "true"},
			absent: []string{"SHOWLOCATION"}},
		{name: "ok numbered page, image left", opts: pdf.Options{Appearance: &pdf.Appearance{Page: 4, Rect: rect, Image: []byte{1}}},
			want: map[string]string{"PAGENO": "4", "TEXTDIRECTION": "RIGHTTOLEFT"}, absent: []string{"TEXTCOLOR"}},
		{name: "ok page 0 is the first", opts: pdf.Options{Appearance: &pdf.Appearance{Rect: rect}},
			want: map[string]string{"PAGENO": "First"}, absent: []string{"SIGNATUREIMAGE", "TEXTDIRECTION"}},
		{name: "fail text lines", opts: pdf.Options{Appearance: &pdf.Appearance{Rect: rect, Lines: []string{"x"}}}, wantErr: "text lines"},
		{name: "fail second to last page", opts: pdf.Options{Appearance: &pdf.Appearance{Page: -2, Rect: rect}}, wantErr: "from the end"},
		{name: "fail form-filling certification", opts: pdf.Options{Certify: pdf.FormFilling}, wantErr: "certify"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := MetaDataFor(tc.opts, tc.color)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, e := range m.SingletonSigning.Entry {
				if _, dup := got[e.Key]; dup {
					t.Errorf("%s sent twice", e.Key)
				}
				got[e.Key] = e.Value
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			for _, k := range tc.absent {
				if _, ok := got[k]; ok {
					t.Errorf("%s sent", k)
				}
			}
		})
	}
}
