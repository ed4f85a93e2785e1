// Package testhostile builds small crafted PDFs, each of one class of
// attack on a PDF reader: reference cycles, decompression bombs, offsets
// and lengths outside the file, absurd counts and depths. Tests, fuzz seeds
// and benchmarks use them; nothing here is a valid document.
package testhostile

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
)

// File is one hostile PDF and what it attacks.
type File struct {
	Name string // short, usable as a file name
	What string
	Data []byte
}

// All returns one file per class, each small (a few hundred bytes to a
// few KB) except the xref-stream file, which is as large as the attack
// needs (16 MB).
func All() []File {
	return []File{
		{"objstm-length-cycle", "an object stream whose /Length is an object inside that same stream", ObjStmLengthCycle()},
		{"double-flate-pages", "page-tree kids each in an object stream Flate-compressed twice, ~60 MB decoded each", DoubleFlatePages(6)},
		{"flate-hex-page", "a page in an object stream behind Flate then ASCIIHex, 40 MB between the two", FlateHexPage()},
		{"xrefstm-past-eof", "/XRefStm pointing past the end of the file", XRefStmPastEOF()},
		{"objstm-offsets-decreasing", "object-stream offsets that go backwards", ObjStmOffsetsDecreasing()},
		{"byterange-overflow", "a signature /ByteRange near MaxInt64", ByteRangeOverflow()},
		{"xref-stream-huge", "a 16 MB xref stream listing size/2 entries", HugeXRefStream(16 << 20)},
		{"deep-nesting", "arrays nested a million deep", DeepNesting(1 << 20)},
		{"prev-cycle", "xref /Prev chains that loop", PrevCycle()},
		{"page-tree-cycle", "a page tree whose kids and parents loop", PageTreeCycle()},
		{"field-tree-cycle", "signature fields whose /Kids and /Parent loop", FieldTreeCycle()},
		{"length-cycle", "stream /Length objects referring to each other", LengthCycle()},
	}
}

// Small returns one file per class, each at most a few KB: seeds for
// fuzzing, where large inputs slow every mutation.
func Small() []File {
	var out []File
	for _, f := range All() {
		switch f.Name {
		case "xref-stream-huge":
			f.Data = HugeXRefStream(64 << 10)
		case "deep-nesting":
			f.Data = DeepNesting(200)
		case "double-flate-pages":
			f.Data = DoubleFlatePages(2)
		}
		out = append(out, f)
	}
	return out
}

// writer assembles a classic PDF with correct offsets.
type writer struct {
	buf     bytes.Buffer
	offsets map[int]int
}

func newWriter() *writer {
	w := &writer{offsets: map[int]int{}}
	w.buf.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	return w
}

func (w *writer) obj(nr int, body string) {
	w.offsets[nr] = w.buf.Len()
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nendobj\n", nr, body)
}

func (w *writer) stream(nr int, dict string, data []byte) {
	w.offsets[nr] = w.buf.Len()
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nstream\n", nr, dict)
	w.buf.Write(data)
	w.buf.WriteString("\nendstream\nendobj\n")
}

// classic writes a classic xref table for objects 0..size-1 and the
// trailer, plus startxref.
func (w *writer) classic(size int, trailer string) []byte {
	at := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f \n", size)
	for nr := 1; nr < size; nr++ {
		if off, ok := w.offsets[nr]; ok {
			fmt.Fprintf(&w.buf, "%010d 00000 n \n", off)
		} else {
			w.buf.WriteString("0000000000 65535 f \n")
		}
	}
	fmt.Fprintf(&w.buf, "trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n", size, trailer, at)
	return w.buf.Bytes()
}

// xrefStream writes an xref stream (object nr) with rows for the given
// entries (object number → [type, f2, f3]), plus startxref.
func (w *writer) xrefStream(nr, size int, entries map[int][3]int, extra string) []byte {
	at := w.buf.Len()
	w.offsets[nr] = at
	var rows bytes.Buffer
	for i := range size {
		e, ok := entries[i]
		if !ok {
			if off, isObj := w.offsets[i]; isObj {
				e = [3]int{1, off, 0}
			} else {
				e = [3]int{0, 0, 0}
			}
		}
		rows.WriteByte(byte(e[0]))
		binary.Write(&rows, binary.BigEndian, uint32(e[1]))
		binary.Write(&rows, binary.BigEndian, uint16(e[2]))
	}
	fmt.Fprintf(&w.buf, "%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Length %d %s >>\nstream\n", nr, size, rows.Len(), extra)
	w.buf.Write(rows.Bytes())
	fmt.Fprintf(&w.buf, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", at)
	return w.buf.Bytes()
}

var (
	doubleFlateMu    sync.Mutex
	doubleFlateCache = map[int][]byte{}
)

// doubleFlate compresses data and 60 MB of padding twice, once per page
// number in a process (it takes a few hundred ms).
func doubleFlate(page int, data []byte) []byte {
	doubleFlateMu.Lock()
	defer doubleFlateMu.Unlock()
	if raw, ok := doubleFlateCache[page]; ok {
		return raw
	}
	var inner bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&inner, zlib.BestCompression)
	zw.Write(data)
	pad := bytes.Repeat([]byte{' '}, 1<<20)
	for range 60 {
		zw.Write(pad)
	}
	zw.Close()
	raw := deflate(inner.Bytes())
	doubleFlateCache[page] = raw
	return raw
}

func deflate(data []byte) []byte {
	var b bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// objStmData is an object stream's decoded content: the offset table,
// then the objects.
func objStmData(numbers []int, bodies []string) (data []byte, first int) {
	var head, body strings.Builder
	for i, nr := range numbers {
		fmt.Fprintf(&head, "%d %d ", nr, body.Len())
		body.WriteString(bodies[i])
		body.WriteByte(' ')
	}
	head.WriteByte('\n')
	return []byte(head.String() + body.String()), head.Len()
}

// ObjStmLengthCycle: object stream 5's /Length is object 6, which lives
// in object stream 5. Resolving the length needs the stream, which needs
// the length.
func ObjStmLengthCycle() []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	data, first := objStmData([]int{2, 6}, []string{"<< /Type /Pages /Kids [] /Count 0 >>", "10"})
	w.stream(5, fmt.Sprintf("<< /Type /ObjStm /N 2 /First %d /Length 6 0 R >>", first), data)
	return w.xrefStream(7, 8, map[int][3]int{2: {2, 5, 0}, 6: {2, 5, 1}}, "/Root 1 0 R")
}

// LengthCycle: two plain streams whose /Length objects are each other.
func LengthCycle() []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R /DSS 6 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	w.stream(3, "<< /Type /ObjStm /N 1 /First 4 /Length 4 0 R >>", []byte("8 0 1"))
	w.stream(4, "<< /Length 3 0 R >>", []byte("1"))
	w.obj(6, "<< /Certs [3 0 R 4 0 R] /OCSPs [4 0 R] >>")
	return w.xrefStream(7, 9, map[int][3]int{8: {2, 3, 0}}, "/Root 1 0 R /Info 8 0 R")
}

// DoubleFlatePages: a page tree of kids kids, each stored in its own
// object stream whose data is ~60 MB of padding after the page, Flate
// compressed twice (a few hundred bytes each).
func DoubleFlatePages(kids int) []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	var refs []string
	entries := map[int][3]int{}
	for i := range kids {
		page := 100 + i
		refs = append(refs, fmt.Sprintf("%d 0 R", page))
		data, first := objStmData([]int{page}, []string{"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"})
		raw := doubleFlate(page, data)
		stm := 10 + i
		w.stream(stm, fmt.Sprintf("<< /Type /ObjStm /N 1 /First %d /Length %d /Filter [/FlateDecode /FlateDecode] >>", first, len(raw)), raw)
		entries[page] = [3]int{2, stm, 0}
	}
	w.obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(refs, " "), kids))
	return w.xrefStream(3, 100+kids, entries, "/Root 1 0 R")
}

// FlateHexPage: the page tree's only kid sits in an object stream whose
// filters are [/FlateDecode /ASCIIHexDecode]: a few hundred bytes inflate
// to 40 MB of hex digits, which a filter that reads all its input first
// would hold whole.
func FlateHexPage() []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [100 0 R] /Count 1 >>")
	data, first := objStmData([]int{100}, []string{"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"})
	flateHexOnce.Do(func() {
		var b bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&b, zlib.BestCompression)
		fmt.Fprintf(zw, "%x", data)
		pad := bytes.Repeat([]byte("20"), 1<<20)
		for range 20 {
			zw.Write(pad)
		}
		zw.Write([]byte(">"))
		zw.Close()
		flateHexRaw = b.Bytes()
	})
	w.stream(10, fmt.Sprintf("<< /Type /ObjStm /N 1 /First %d /Length %d /Filter [/FlateDecode /ASCIIHexDecode] >>", first, len(flateHexRaw)), flateHexRaw)
	return w.xrefStream(3, 101, map[int][3]int{100: {2, 10, 0}}, "/Root 1 0 R")
}

var (
	flateHexOnce sync.Once
	flateHexRaw  []byte
)

// XRefStmPastEOF: a hybrid file whose /XRefStm is beyond the file.
func XRefStmPastEOF() []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	return w.classic(3, "/Root 1 0 R /XRefStm 999999999")
}

// ObjStmOffsetsDecreasing: an object stream whose offset table goes
// backwards, so object i+1 starts before object i.
func ObjStmOffsetsDecreasing() []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	body := "<< /Type /Pages /Kids [] /Count 0 >> << /A 1 >>"
	head := "2 30 4 0 "
	w.stream(5, fmt.Sprintf("<< /Type /ObjStm /N 2 /First %d /Length %d >>", len(head), len(head)+len(body)), []byte(head+body))
	return w.xrefStream(6, 7, map[int][3]int{2: {2, 5, 0}, 4: {2, 5, 1}}, "/Root 1 0 R")
}

// ByteRangeOverflow: a signed-looking field whose /ByteRange sums past
// MaxInt64.
func ByteRangeOverflow() []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>")
	w.obj(4, "<< /FT /Sig /T (Sig1) /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /V 5 0 R >>")
	w.obj(5, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 9223372036854775800 9223372036854775800] /Contents <3082> >>")
	return w.classic(6, "/Root 1 0 R")
}

// HugeXRefStream: an uncompressed xref stream about size bytes long that
// lists size/2 in-use objects, all at offset 15.
func HugeXRefStream(size int) []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	n := size / 2
	rows := make([]byte, 0, n*2)
	for range n {
		rows = append(rows, 0, 15) // W [0 2 0]: type 1 at offset 15
	}
	at := w.buf.Len()
	fmt.Fprintf(&w.buf, "3 0 obj\n<< /Type /XRef /Size %d /W [0 2 0] /Length %d /Root 1 0 R >>\nstream\n", n, len(rows))
	w.buf.Write(rows)
	fmt.Fprintf(&w.buf, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", at)
	return w.buf.Bytes()
}

// DeepNesting: the catalog holds arrays nested depth deep.
func DeepNesting(depth int) []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R /Nest "+strings.Repeat("[", depth)+strings.Repeat("]", depth)+" >>")
	w.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	return w.classic(3, "/Root 1 0 R")
}

// PrevCycle: two xref sections whose /Prev point at each other, with
// /XRefStm joining the loop.
func PrevCycle() []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [] /Count 0 >>")
	first := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n1 2\n%010d 00000 n \n%010d 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R /Prev PREV_____ >>\n", w.offsets[1], w.offsets[2])
	second := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 3 /Root 1 0 R /Prev %d /XRefStm %d >>\nstartxref\n%d\n%%%%EOF\n", first, second, second)
	return bytes.Replace(w.buf.Bytes(), []byte("PREV_____"), fmt.Appendf(nil, "%-9d", second), 1)
}

// PageTreeCycle: a page tree node whose only kid is itself (with a
// /Count that says there are pages), and a page whose /Parent loops.
func PageTreeCycle() []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 1000000 >>")
	w.obj(3, "<< /Type /Pages /Kids [2 0 R 4 0 R] /Count 999999 /Parent 4 0 R >>")
	w.obj(4, "<< /Type /Page /Parent 3 0 R >>")
	return w.classic(5, "/Root 1 0 R")
}

// FieldTreeCycle: a form whose fields are each other's kids and parents.
func FieldTreeCycle() []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R 5 0 R] >>")
	w.obj(4, "<< /FT /Sig /T (A) /Kids [5 0 R] /Parent 5 0 R >>")
	w.obj(5, "<< /FT /Sig /T (B) /Kids [4 0 R] /Parent 4 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] >>")
	return w.classic(6, "/Root 1 0 R")
}

// ManyUpdates is a small valid PDF followed by n incremental updates,
// each rewriting the catalog alone (a classic xref section and trailer
// with /Prev each): a file of a few hundred KB with thousands of
// revisions.
func ManyUpdates(n int) []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
	w.classic(4, "/Root 1 0 R")
	prev := bytes.LastIndex(w.buf.Bytes(), []byte("\nxref\n")) + 1
	for i := range n {
		off := w.buf.Len()
		fmt.Fprintf(&w.buf, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R /Version%d true >>\nendobj\n", i)
		at := w.buf.Len()
		fmt.Fprintf(&w.buf, "xref\n1 1\n%010d 00000 n \ntrailer\n<< /Size 4 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", off, prev, at)
		prev = at
	}
	return w.buf.Bytes()
}

// fieldDocument is a one-page document with one signature field named by
// the PDF string title (as written between its parentheses) whose value
// is the dictionary sig.
func fieldDocument(title, sig string) []byte {
	w := newWriter()
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] /SigFlags 3 >> >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>")
	w.obj(4, "<< /FT /Sig /T ("+title+") /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /P 3 0 R /V 5 0 R >>")
	w.obj(5, sig)
	return w.classic(6, "/Root 1 0 R")
}

// ForgedFieldName is an unsigned document whose one signature field's
// name holds a newline and a line that reads like a verdict.
func ForgedFieldName() []byte {
	return fieldDocument(`Approval\n  \342\234\223 valid     Signed by Bank \(SPOOFED\)`,
		"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 10] /Contents <3082> >>")
}

// OversizedSignature is a document whose signature field's value (/V)
// is a dictionary of 9 MB of text, over the reader's bound on one
// object's text.
func OversizedSignature() []byte {
	return fieldDocument("Sig1", "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 10 20 10] /Contents <"+
		strings.Repeat("00", 9<<19)+"> >>")
}

// DSSBombs is a document whose DSS lists n certificate streams, each
// 16 MB of zeros Flate-compressed to a few KB: signing never reads them,
// verification does.
func DSSBombs(n int) []byte {
	w := newWriter()
	refs := make([]string, n)
	for i := range n {
		refs[i] = fmt.Sprintf("%d 0 R", 4+i)
	}
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R /DSS << /Certs ["+strings.Join(refs, " ")+"] >> >>")
	w.obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	w.obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
	bomb := deflate(make([]byte, 16<<20))
	for i := range n {
		w.stream(4+i, fmt.Sprintf("<< /Filter /FlateDecode /Length %d >>", len(bomb)), bomb)
	}
	return w.classic(4+n, "/Root 1 0 R")
}

// Round2 returns the PDF classes of the second hostile-input review:
// what signing and verifying must treat alike, and names that must not
// print lines of their own.
func Round2() []File {
	return []File{
		{"many-updates", "4,000 incremental updates of one object each", ManyUpdates(4000)},
		{"forged-field-name", "a signature field named with a newline and a forged verdict line", ForgedFieldName()},
		{"oversized-signature", "a signature dictionary of 9 MB, over the bound on one object's text", OversizedSignature()},
		{"dss-bombs", "a DSS of 8 streams that decode to 16 MB each", DSSBombs(8)},
	}
}
