package pdf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// pdfSeeds adds every testdata PDF to the corpus.
func pdfSeeds(f *testing.F) {
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
}

// withinSeconds runs fn and fails the test when it takes longer: Go's
// fuzzer does not report hangs, and a failure saves the input.
func withinSeconds(t *testing.T, seconds int, fn func()) {
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(time.Duration(seconds) * time.Second):
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
}
