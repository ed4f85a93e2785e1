package pdf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// update is an incremental update being assembled (PDF 32000-1 section
// 7.5.6): changed and new objects, then an xref section of the same kind
// as the document's newest one, chained to it with /Prev.
type update struct {
	doc     *document
	buf     bytes.Buffer
	offsets map[int]int64 // object number → offset in the file
	gens    map[int]int
	next    int // next free object number
}

func newUpdate(d *document, inputEndsWithEOL bool) *update {
	u := &update{doc: d, offsets: map[int]int64{}, gens: map[int]int{}, next: d.size1}
	if !inputEndsWithEOL {
		// The original's "%%EOF" must stay on a line of its own.
		u.buf.WriteByte('\n')
	}
	return u
}

// pos is the file offset where the next byte of the update lands.
func (u *update) pos() int64 { return u.doc.size + int64(u.buf.Len()) }

// alloc reserves a new object number.
func (u *update) alloc() int {
	n := u.next
	u.next++
	return n
}

// ref is an indirect reference to object nr.
func ref(nr int) types.IndirectRef {
	return *types.NewIndirectRef(nr, 0)
}

// gen is the generation object nr is written with: a changed object
// keeps its own.
func (u *update) gen(nr int) int {
	if e, ok := u.doc.lookup(nr); ok && !e.inStm && !e.free && nr < u.doc.size1 {
		return e.gen
	}
	return 0
}

// writeObject writes object nr, its strings encrypted when the document
// is.
func (u *update) writeObject(nr int, obj types.Object) {
	if sec := u.doc.sec; sec != nil {
		obj = sec.encryptObject(obj, nr, u.gen(nr))
	}
	u.writeRaw(nr, obj.PDFString())
}

// writeRaw writes object nr with the given body text, as it is: the
// caller has encrypted what must be (see [update.text]).
func (u *update) writeRaw(nr int, body string) {
	gen := u.gen(nr)
	u.offsets[nr] = u.pos()
	u.gens[nr] = gen
	fmt.Fprintf(&u.buf, "%d %d obj\n%s\nendobj\n", nr, gen, body)
}

// text is s as a text string of object nr, encrypted when the document
// is, in PDF syntax.
func (u *update) text(nr int, s string) string {
	t := pdfText(s)
	if sec := u.doc.sec; sec != nil {
		return sec.encryptObject(t, nr, u.gen(nr)).PDFString()
	}
	return t.PDFString()
}

// writeStream writes a stream object with the given dictionary and data,
// both encrypted when the document is.
func (u *update) writeStream(nr int, dict types.Dict, data []byte) {
	dict = dict.Clone().(types.Dict)
	if sec := u.doc.sec; sec != nil {
		data = sec.encrypt(sec.streamAlg(dict), nr, u.gen(nr), data)
		dict = sec.encryptObject(dict, nr, u.gen(nr)).(types.Dict)
	}
	dict["Length"] = types.Integer(len(data))
	var body bytes.Buffer
	body.WriteString(dict.PDFString())
	body.WriteString("\nstream\n")
	body.Write(data)
	body.WriteString("\nendstream")
	u.writeRaw(nr, body.String())
}

// writeXRef writes the xref section and trailer, and the %%EOF line.
func (u *update) writeXRef() {
	trailer := types.Dict{}
	// An encrypted document stays encrypted with the same key: the
	// update keeps its /Encrypt and /ID (PDF 32000-1 section 7.6.1).
	for _, k := range []string{"Root", "Info", "ID", "Encrypt"} {
		if v, ok := u.doc.trailer[k]; ok {
			trailer[k] = v
		}
	}
	trailer["Prev"] = types.Integer(u.doc.startxref)

	if u.doc.xrefStream {
		u.writeXRefStream(trailer)
		return
	}
	xrefAt := u.pos()
	trailer["Size"] = types.Integer(u.next)
	u.buf.WriteString("xref\n")
	for _, run := range runs(u.objectNumbers()) {
		fmt.Fprintf(&u.buf, "%d %d\n", run[0], len(run))
		for _, nr := range run {
			// Entries are exactly 20 bytes (7.5.4).
			fmt.Fprintf(&u.buf, "%010d %05d n\r\n", u.offsets[nr], u.gens[nr])
		}
	}
	fmt.Fprintf(&u.buf, "trailer\n%s\nstartxref\n%d\n%%%%EOF\n", trailer.PDFString(), xrefAt)
}

// writeXRefStream writes an uncompressed cross-reference stream, which
// lists itself too.
func (u *update) writeXRefStream(trailer types.Dict) {
	nr := u.alloc()
	xrefAt := u.pos()
	u.offsets[nr] = xrefAt
	u.gens[nr] = 0
	numbers := u.objectNumbers()
	var data bytes.Buffer
	var index types.Array
	for _, run := range runs(numbers) {
		index = append(index, types.Integer(run[0]), types.Integer(len(run)))
		for _, n := range run {
			data.WriteByte(1)
			binary.Write(&data, binary.BigEndian, uint64(u.offsets[n]))
			binary.Write(&data, binary.BigEndian, uint16(u.gens[n]))
		}
	}
	trailer["Type"] = types.Name("XRef")
	trailer["Size"] = types.Integer(u.next)
	trailer["W"] = types.Array{types.Integer(1), types.Integer(8), types.Integer(2)}
	trailer["Index"] = index
	trailer["Length"] = types.Integer(data.Len())
	fmt.Fprintf(&u.buf, "%d 0 obj\n%s\nstream\r\n", nr, trailer.PDFString())
	u.buf.Write(data.Bytes())
	fmt.Fprintf(&u.buf, "\r\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", xrefAt)
}

func (u *update) objectNumbers() []int {
	var numbers []int
	for nr := range u.offsets {
		numbers = append(numbers, nr)
	}
	slices.Sort(numbers)
	return numbers
}

// runs splits sorted numbers into consecutive runs for xref subsections.
func runs(numbers []int) [][]int {
	var out [][]int
	for i, n := range numbers {
		if i == 0 || n != numbers[i-1]+1 {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], n)
	}
	return out
}

// literalEscaper escapes a literal string's backslashes and parentheses.
var literalEscaper = strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)

// pdfText encodes s as a PDF text string: PDFDocEncoding is not enough for
// names like "Nguyễn Văn Đức", so non-ASCII text is written as UTF-16BE
// with a byte order mark (7.9.2.2), in hex.
func pdfText(s string) types.Object {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			ascii = false
			break
		}
	}
	if ascii {
		escaped := literalEscaper.Replace(s)
		return types.StringLiteral(escaped)
	}
	var b strings.Builder
	b.WriteString("FEFF")
	for _, unit := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", unit)
	}
	return types.HexLiteral(b.String())
}

// utf16Units encodes one rune as UTF-16 code units.
func utf16Units(r rune) []uint16 { return utf16.Encode([]rune{r}) }
