package pdf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzOpenDocument feeds arbitrary bytes to everything that reads an
// untrusted PDF before signing: the xref chain, object streams, the
// catalog, the form and the page tree. Any input must give a document or
// an error, never a panic or a hang.
func FuzzOpenDocument(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("..", "testdata", "pdf", "*.pdf"))
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Go's fuzzer does not report hangs; a watchdog turns one into a
		// failure with the input saved.
		done := make(chan struct{})
		go func() { defer close(done); fuzzBody(data) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			t.Fatalf("hang on %d bytes", len(data))
		}
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
