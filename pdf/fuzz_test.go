package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"github.com/signet-sign/signet/internal/testhostile"
	"github.com/signet-sign/signet/internal/testpdf"
)

// pdfSeeds adds every testdata PDF to the corpus, and one small crafted
// file of each hostile class.
func pdfSeeds(f *testing.F) {
	for _, h := range testhostile.Small() {
		f.Add(h.Data)
	}
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "pdf", "*.pdf"))
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata/pdf")
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// Pages turned and cropped, by themselves and by the page tree.
	for _, o := range []testpdf.Options{
		{Pages: 2, PageEntries: "/Rotate 90 /CropBox [10 20 500 800]"},
		{Pages: 2, TreeEntries: "/Rotate -270 /CropBox [0 0 1e999 1]", InheritedBox: "[-1e308 0 1e308 595]"},
	} {
		var b bytes.Buffer
		if err := testpdf.Write(&b, o); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
}

// withinSeconds runs fn and fails the test when it takes longer: Go's
// fuzzer does not report hangs, and a failure saves the input.
func withinSeconds(t *testing.T, seconds int, fn func()) {
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	timer := time.NewTimer(time.Duration(seconds*raceSlowdown) * time.Second)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		t.Fatalf("hang: more than %d s", seconds)
	}
}

// FuzzOpenDocument feeds arbitrary bytes to everything that reads an
// untrusted PDF before signing: the xref chain, object streams, the
// catalog, the form and the page tree. Any input must give a document or
// an error, never a panic or a hang.
func FuzzOpenDocument(f *testing.F) {
	pdfSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		withinSeconds(t, 3, func() { fuzzBody(data) })
	})
}

var errStopFuzz = errors.New("stop")

func fuzzBody(data []byte) {
	{
		d, err := openDocument(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		cat, _, err := d.catalog()
		if err != nil {
			return
		}
		if form, err := d.dict(cat["AcroForm"]); err == nil && form != nil {
			p := &Prepared{}
			if fields, _, err := p.fields(d, form); err == nil {
				p.existing(d, cat, fields)
			}
		}
		d.pageRef(1)
		d.pageRef(-1)
	}
	// The preview's reading of the signature boxes on a page: a page it
	// reads has a size, finite and not empty.
	size, _, err := PageMarks(bytes.NewReader(data), int64(len(data)), 1, "")
	if err == nil && !(size.Width > 0 && size.Height > 0 && !math.IsInf(size.Width, 0) && !math.IsInf(size.Height, 0)) {
		panic(fmt.Sprintf("page 1 read as %v × %v points", size.Width, size.Height))
	}
}

// fuzzDocument is a document of size bytes with the default budget, for
// fuzzing the stream decoders alone.
func fuzzDocument(size int) *document {
	lim := DefaultLimits()
	return &document{size: int64(size), limits: lim, budget: lim.budget(int64(size)),
		objStms: map[int]*objStm{}, cache: map[int]types.Object{}, reading: map[int]bool{}}
}

// fuzzStream decodes data with the filters of the dictionary in dictText.
func fuzzStream(dictText string, data []byte) (*document, types.Dict, []byte, bool) {
	if len(dictText) > 4096 {
		return nil, nil, nil, false
	}
	o, err := model.ParseObject(&dictText)
	dict, ok := o.(types.Dict)
	if err != nil || !ok {
		return nil, nil, nil, false
	}
	d := fuzzDocument(len(data) + len(dictText))
	decoded, err := d.decodeStream(dict, bytes.NewReader(data), int64(len(data)), d.limits.Stream)
	if err != nil {
		return nil, nil, nil, false
	}
	return d, dict, decoded, true
}

// FuzzXRefStream feeds the xref-stream decoder alone: a stream dictionary
// (/W, /Index, /Size, /Filter, /DecodeParms) and its raw data.
func FuzzXRefStream(f *testing.F) {
	f.Add("<< /Type /XRef /W [1 2 1] /Size 3 >>", []byte("\x00\x00\x00\xff\x01\x00\x0f\x00\x02\x00\x05\x01"))
	f.Add("<< /Type /XRef /W [1 4 2] /Index [0 1 5 2] /Filter /FlateDecode >>", deflate(make([]byte, 21)))
	f.Add("<< /Type /XRef /W [1 2 0] /Size 2 /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 3 >> >>", deflate([]byte("\x02\x01\x00\x10\x02\x00\x00\x20")))
	f.Add("<< /Type /XRef /W [0 2 0] /Size 1000000 >>", make([]byte, 64))
	f.Fuzz(func(t *testing.T, dictText string, data []byte) {
		d, dict, decoded, ok := fuzzStream(dictText, data)
		if !ok {
			return
		}
		sec := &xrefSection{}
		if parseXRefStream(sec, dict, decoded) != nil {
			return
		}
		if sec.finish(d) != nil {
			return
		}
		for _, nr := range []int{0, 1, 2, 5, 1000, maxObjectNumber} {
			sec.lookup(nr)
		}
		n := 0
		sec.each(func(nr int, e xrefEntry) error {
			if n++; n > 10000 {
				return errStopFuzz
			}
			return nil
		})
	})
}

// FuzzObjectStream feeds the object-stream decoder alone: a stream
// dictionary (/N, /First, /Filter, /DecodeParms) and its raw data; every
// object it lists is then cut out and parsed.
func FuzzObjectStream(f *testing.F) {
	f.Add("<< /Type /ObjStm /N 2 /First 8 >>", []byte("1 0 2 5 << /A 1 >> [1 2 3]"))
	f.Add("<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>", deflate([]byte("7 0 (a string)")))
	f.Add("<< /Type /ObjStm /N 2 /First 9 >>", []byte("2 30 4 0 << /Type /Pages >> << /A 1 >>"))
	f.Add("<< /Type /ObjStm /N 1 /First 4 /Filter [/FlateDecode /FlateDecode] >>", deflate(deflate([]byte("3 0 null"))))
	f.Fuzz(func(t *testing.T, dictText string, data []byte) {
		d, dict, decoded, ok := fuzzStream(dictText, data)
		if !ok {
			return
		}
		n, first := dict.IntEntry("N"), dict.IntEntry("First")
		if n == nil || first == nil {
			return
		}
		s, err := parseObjStm(1, int64(*n), int64(*first), decoded)
		if err != nil {
			return
		}
		for i := range s.offsets {
			end := len(s.data)
			if i+1 < len(s.offsets) {
				end = s.offsets[i+1]
			}
			if d.spend(int64(end-s.offsets[i]), "fuzz") != nil {
				return
			}
			text := string(s.data[s.offsets[i]:end])
			model.ParseObject(&text)
		}
	})
}
