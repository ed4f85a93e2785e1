package aadhaar

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestSignRectangleFor(t *testing.T) {
	for _, tc := range []struct {
		r     Rect
		pages int
		want  SignRectangle
		err   bool
	}{
		// Signet's page 1 is the config's 0; points stay points.
		{Rect{1, 402, 53, 542, 93}, 3, SignRectangle{Coordinate{402, 53, 542, 93}, []int{0}}, false},
		{Rect{3, 358, 232, 498.53009106595096, 272.52901734104046}, 3, SignRectangle{Coordinate{358, 232, 498.53009106595096, 272.52901734104046}, []int{2}}, false},
		// 0 is the first page, -1 the last; corners in any order.
		{Rect{0, 542, 93, 402, 53}, 3, SignRectangle{Coordinate{402, 53, 542, 93}, []int{0}}, false},
		{Rect{-1, 10, 10, 190, 70}, 4, SignRectangle{Coordinate{10, 10, 190, 70}, []int{3}}, false},
		{Rect{-4, 10, 10, 190, 70}, 4, SignRectangle{Coordinate{10, 10, 190, 70}, []int{0}}, false},
		{Rect{5, 10, 10, 190, 70}, 4, SignRectangle{}, true},
		{Rect{-5, 10, 10, 190, 70}, 4, SignRectangle{}, true},
		{Rect{1, 10, 10, 10, 70}, 4, SignRectangle{}, true},
	} {
		got, err := SignRectangleFor(tc.r, tc.pages)
		if (err != nil) != tc.err || !tc.err && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SignRectangleFor(%+v, %d) = %+v, %v; want %+v", tc.r, tc.pages, got, err, tc.want)
		}
	}
	p, err := NamedPlacement("bottom-left", -1, 3)
	if err != nil || !reflect.DeepEqual(p.OnPages, []string{"3"}) || p.Height != 60 || p.Width != 180 {
		t.Errorf("NamedPlacement = %+v, %v", p, err)
	}
}

// The config body is one line, as the seed insists, and in the seed's
// field names.
func TestConfigBody(t *testing.T) {
	cfg := SigningConfig{Signers: []ConfigSigner{{SignRectangles: []SignRectangle{{Coordinate{402, 53, 542, 93}, []int{0, 1}}}}}}
	body, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.ContainsAny(body, "\r\n") {
		t.Fatalf("config body has a line break: %s", body)
	}
	want := `{"signers":[{"optional":false,"signRectangles":[{"coordinate":{"lowerLeftX":402,"lowerLeftY":53,"upperRightX":542,"upperRightY":93},"pages":[0,1]}]}]}`
	if string(body) != want {
		t.Fatalf("config body\n%s\nwant\n%s", body, want)
	}
}
