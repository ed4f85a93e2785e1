// Package testpdf writes small synthetic PDFs for tests and benchmarks:
// pages of text with a classic xref table, optionally a form field and
// padding to reach a size. Other shapes (xref streams, object streams,
// linearized files) are made from these with qpdf in the tests.
package testpdf

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
)

// Options shape the generated document.
type Options struct {
	Pages int // default 1
	// Form adds an AcroForm with one text field on page 1.
	Form bool
	// PadBytes adds an unreferenced-by-pages stream of this many
	// incompressible bytes, for big-file benchmarks.
	PadBytes int64
	// PadByte, when not zero, fills the PadBytes stream with this byte
	// instead: as large, but made (and base64-encoded) with memory copies,
	// which matters under the race detector.
	PadByte byte
	// Catalog adds entries to the catalog verbatim, e.g. "/Lang (lv-LV)".
	Catalog string
	// InheritedBox, e.g. "[0 0 842 595]", goes on the page tree's root as
	// the MediaBox every page inherits, instead of A4 on each page.
	InheritedBox string
	// PageEntries go on every page verbatim, e.g. "/Rotate 90"; TreeEntries
	// on the page tree's root, for every page to inherit.
	PageEntries, TreeEntries string
	// Objects are more objects, verbatim, numbered 1000, 1001, …: the
	// entries above may refer to them ("/Annots [1000 0 R]").
	Objects []string
}

// Write writes a PDF 1.4 document with a classic xref table to w.
func Write(w io.Writer, opts Options) error {
	if opts.Pages < 1 {
		opts.Pages = 1
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	var offsets []int64
	var pos int64
	write := func(format string, args ...any) {
		n, _ := fmt.Fprintf(bw, format, args...)
		pos += int64(n)
	}
	obj := func(nr int, format string, args ...any) {
		for len(offsets) <= nr {
			offsets = append(offsets, 0)
		}
		offsets[nr] = pos
		write("%d 0 obj\n", nr)
		write(format, args...)
		write("\nendobj\n")
	}
	write("%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n")

	// 1 catalog, 2 pages, 3 font, 4 form field (optional), 5 padding,
	// then page i at 10+2i and its content at 11+2i.
	form := ""
	if opts.Form {
		form = "/AcroForm << /Fields [4 0 R] /DA (/Helv 0 Tf 0 g) >>"
	}
	obj(1, "<< /Type /Catalog /Pages 2 0 R %s %s >>", form, opts.Catalog)
	kids := ""
	for i := range opts.Pages {
		kids += fmt.Sprintf("%d 0 R ", 10+2*i)
	}
	pageBox, treeBox := "/MediaBox [0 0 595 842]", ""
	if opts.InheritedBox != "" {
		pageBox, treeBox = "", "/MediaBox "+opts.InheritedBox
	}
	obj(2, "<< /Type /Pages /Count %d /Kids [%s] %s %s >>", opts.Pages, kids, treeBox, opts.TreeEntries)
	obj(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	if opts.Form {
		obj(4, "<< /FT /Tx /T (Name) /V (Zoe) /Type /Annot /Subtype /Widget /Rect [72 600 300 620] /P 10 0 R /F 4 >>")
	}
	if opts.PadBytes > 0 {
		for len(offsets) <= 5 {
			offsets = append(offsets, 0)
		}
		offsets[5] = pos
		write("5 0 obj\n<< /Length %d >>\nstream\n", opts.PadBytes)
		rng := rand.New(rand.NewPCG(1, 2))
		buf := make([]byte, 1<<16)
		if opts.PadByte != 0 {
			buf = bytes.Repeat([]byte{opts.PadByte}, len(buf))
		}
		for left := opts.PadBytes; left > 0; {
			n := min(int64(len(buf)), left)
			for i := range buf[:n] {
				if opts.PadByte != 0 {
					break
				}
				buf[i] = byte(rng.Uint32())
			}
			bw.Write(buf[:n])
			pos += n
			left -= n
		}
		write("\nendstream\nendobj\n")
	}
	for i := range opts.Pages {
		annots := ""
		if opts.Form && i == 0 {
			annots = "/Annots [4 0 R]"
		}
		obj(10+2*i, "<< /Type /Page /Parent 2 0 R %s /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R %s %s >>", pageBox, 11+2*i, annots, opts.PageEntries)
		text := fmt.Sprintf("BT /F1 24 Tf 72 760 Td (Signet test page %d) Tj ET", i+1)
		obj(11+2*i, "<< /Length %d >>\nstream\n%s\nendstream", len(text), text)
	}
	for i, o := range opts.Objects {
		obj(1000+i, "%s", o)
	}
	xref := pos
	write("xref\n0 %d\n", len(offsets))
	write("0000000000 65535 f\r\n")
	for nr := 1; nr < len(offsets); nr++ {
		if offsets[nr] == 0 {
			write("0000000000 00000 f\r\n")
		} else {
			write("%010d 00000 n\r\n", offsets[nr])
		}
	}
	write("trailer\n<< /Size %d /Root 1 0 R /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>] >>\nstartxref\n%d\n%%%%EOF\n", len(offsets), xref)
	return bw.Flush()
}

// WriteFile writes the document to path.
func WriteFile(path string, opts Options) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := Write(f, opts); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
