package pdf

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/signet-sign/signet/i18n"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// The reader reads only what a signature needs: the cross-reference
// sections (classic tables and xref streams, following /Prev), the
// trailer, and the few objects it asks for (catalog, page tree, AcroForm).
// Page contents and images are never read, so memory does not grow with
// the file. pdfcpu parses the object syntax (model.ParseObject) and decodes
// streams (filter); its whole-document reader (api.ReadContext) would load
// every object and stream into memory.

var (
	// ErrNotPDF reports input that is not a PDF file.
	ErrNotPDF = i18n.Errorf("err.not_pdf", nil)
	// ErrBrokenPDF reports a PDF whose structure cannot be read.
	ErrBrokenPDF = i18n.Errorf("err.broken_pdf", nil)
	// ErrEncrypted reports a PDF encrypted in a way Signet cannot open
	// (see crypt.go for the ones it can).
	ErrEncrypted = i18n.Errorf("err.encrypted", nil)
)

// xrefEntry locates an object: at an offset, or inside an object stream.
type xrefEntry struct {
	offset int64
	gen    int
	stream int // object stream number, for compressed objects
	index  int // index in that object stream
	inStm  bool
	free   bool
}

// xrefSection is one cross-reference section: one revision of the file.
// Its entries stay in the row form of an xref stream (PDF 32000-1
// 7.5.8.2), classic tables converted to it, and are looked up by binary
// search: a section listing millions of objects costs its rows, never a
// map of them.
type xrefSection struct {
	offset int64
	// end is the offset just after the revision's %%EOF line, -1 when
	// none follows the section, 0 until asked (see [document.sectionEnd]).
	end    int64
	widths [3]int
	rowLen int
	rows   []byte
	subs   []xrefSub // sorted by first
	// overlap: subsections overlap, so lookups scan them in file order
	// (the last wins, as when they are read one after another).
	overlap bool
}

// xrefSub is a subsection: count objects from first, rows from row.
type xrefSub struct{ first, count, row int }

// classicWidths is the row form classic tables are converted to: type
// (0 free, 1 in use), 8-byte offset, 4-byte generation.
var classicWidths = [3]int{1, 8, 4}

func rowField(b []byte) int64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return int64(v & (1<<63 - 1))
}

// entry decodes row i.
func (s *xrefSection) entry(i int) (xrefEntry, bool) {
	row := s.rows[i*s.rowLen : (i+1)*s.rowLen]
	typ := int64(1) // a zero-width type field means type 1
	if s.widths[0] > 0 {
		typ = rowField(row[:s.widths[0]])
	}
	f2 := rowField(row[s.widths[0] : s.widths[0]+s.widths[1]])
	f3 := rowField(row[s.widths[0]+s.widths[1]:])
	switch typ {
	case 0:
		return xrefEntry{free: true, gen: int(min(f3, 65535))}, true
	case 1:
		return xrefEntry{offset: f2, gen: int(min(f3, 65535))}, true
	case 2:
		return xrefEntry{inStm: true, stream: int(min(f2, maxObjectNumber)), index: int(min(f3, maxObjectNumber))}, true
	}
	return xrefEntry{}, false // reserved types are ignored (7.5.8.3)
}

// lookup finds object nr's entry in this section.
func (s *xrefSection) lookup(nr int) (xrefEntry, bool) {
	if s.overlap {
		for i := len(s.subs) - 1; i >= 0; i-- {
			if sub := s.subs[i]; nr >= sub.first && nr < sub.first+sub.count {
				return s.entry(sub.row + nr - sub.first)
			}
		}
		return xrefEntry{}, false
	}
	i := sort.Search(len(s.subs), func(i int) bool { return s.subs[i].first > nr }) - 1
	if i < 0 || nr >= s.subs[i].first+s.subs[i].count {
		return xrefEntry{}, false
	}
	return s.entry(s.subs[i].row + nr - s.subs[i].first)
}

// each calls fn for every entry of the section, in object order.
func (s *xrefSection) each(fn func(nr int, e xrefEntry) error) error {
	for _, sub := range s.subs {
		for j := range sub.count {
			if e, ok := s.entry(sub.row + j); ok {
				if err := fn(sub.first+j, e); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// finish sorts the subsections and counts the in-use entries, which must
// fit in a file of size bytes.
func (s *xrefSection) finish(d *document) error {
	if !slices.IsSortedFunc(s.subs, func(a, b xrefSub) int { return a.first - b.first }) {
		s.overlap = true
	}
	for i := 1; i < len(s.subs) && !s.overlap; i++ {
		if s.subs[i].first < s.subs[i-1].first+s.subs[i-1].count {
			s.overlap = true
		}
	}
	// Per section, not summed: some writers list every object again in
	// each revision's section.
	inUse := int64(0)
	for i := range len(s.rows) / max(s.rowLen, 1) {
		if e, ok := s.entry(i); ok && !e.free && !e.inStm {
			inUse++
		}
	}
	if inUse > d.size/minObjectBytes+16 {
		return brokenf("the cross-reference section at %d lists %d objects stored in the file, more than a file of %d bytes can hold", s.offset, inUse, d.size)
	}
	return nil
}

// document is a PDF opened for reading. Everything read from it is
// charged to its budget (see limits.go).
type document struct {
	r    io.ReaderAt
	size int64
	// tableBuf reads classic xref tables, reused from one to the next.
	tableBuf *bufio.Reader

	header     string     // "1.7"
	trailer    types.Dict // the newest trailer
	startxref  int64      // offset of the newest xref section
	xrefStream bool       // the newest section is an xref stream
	size1      int        // trailer /Size, or one past the highest object number

	// sections are the xref sections, newest first.
	sections []*xrefSection

	limits Limits
	budget int64 // bytes of work left

	objStms     map[int]*objStm // a few decoded object streams
	objStmTick  int
	objStmBytes int
	cache       map[int]types.Object
	cachedText  int
	// reading holds the objects (nr) and object streams (-nr-1) being
	// read: meeting one again is a reference cycle.
	reading map[int]bool

	// sec decrypts strings and streams; nil for a document that is not
	// encrypted.
	sec *security
}

type objStm struct {
	data    []byte
	offsets []int // start of object i in data
	numbers []int
	used    int // objStmTick when last used
}

func brokenf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBrokenPDF, fmt.Sprintf(format, args...))
}

// openDocument reads the structure of the PDF in r under the default
// limits; an encrypted one must open with the empty user password.
func openDocument(r io.ReaderAt, size int64) (*document, error) {
	return openDocumentLimits(r, size, Limits{}, "")
}

// openDocumentLimits reads the structure of the PDF in r; password opens
// an encrypted one (as its owner or user password; "" tries the empty
// user password).
func openDocumentLimits(r io.ReaderAt, size int64, limits Limits, password string) (*document, error) {
	if size <= 0 {
		return nil, ErrNotPDF
	}
	limits = limits.withDefaults()
	d := &document{r: r, size: size, limits: limits, budget: limits.budget(size),
		objStms: map[int]*objStm{}, cache: map[int]types.Object{}, reading: map[int]bool{}}
	head := make([]byte, min(1024, size))
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("read PDF: %w", err)
	}
	i := bytes.Index(head, []byte("%PDF-"))
	if i < 0 || len(head) < i+8 {
		return nil, ErrNotPDF
	}
	d.header = string(head[i+5 : i+8])

	start, err := d.findStartXRef()
	if err != nil {
		return nil, err
	}
	d.startxref = start
	if err := d.readXRefChain(start); err != nil {
		return nil, err
	}
	if _, ok := d.trailer.Find("Encrypt"); ok {
		if err := d.openSecurity(password); err != nil {
			return nil, err
		}
	}
	if d.trailer.IndirectRefEntry("Root") == nil {
		return nil, brokenf("trailer has no /Root")
	}
	if n := d.trailer.IntEntry("Size"); n != nil && *n > 0 && *n <= maxObjectNumber {
		d.size1 = *n
	}
	for _, sec := range d.sections {
		for _, sub := range sec.subs {
			d.size1 = max(d.size1, sub.first+sub.count)
		}
	}
	return d, nil
}

// openSecurity reads the /Encrypt dictionary, unencrypted itself, and
// derives the document's key.
func (d *document) openSecurity(password string) error {
	encRef := d.trailer["Encrypt"]
	enc, err := d.dict(encRef)
	if err != nil {
		return err
	}
	if enc == nil {
		return brokenf("the trailer's /Encrypt is not a dictionary")
	}
	nr := 0
	if ref, ok := encRef.(types.IndirectRef); ok {
		nr = ref.ObjectNumber.Value()
		if e, ok := d.lookup(nr); ok && e.inStm {
			return brokenf("the /Encrypt dictionary is inside an object stream")
		}
	}
	// Its values, and the crypt filters', as direct objects.
	enc = enc.Clone().(types.Dict)
	for k, v := range enc {
		if enc[k], err = d.resolve(v); err != nil {
			return err
		}
	}
	if cf, ok := enc["CF"].(types.Dict); ok {
		for k, v := range cf {
			if cf[k], err = d.resolve(v); err != nil {
				return err
			}
		}
	}
	id, err := d.resolve(d.trailer["ID"])
	if err != nil {
		return err
	}
	ids, _ := id.(types.Array)
	d.sec, err = openSecurity(enc, nr, ids, password)
	// The objects read so far (the /Encrypt dictionary and what it
	// refers to) are not encrypted; nothing else was read.
	clear(d.cache)
	d.cachedText = 0
	return err
}

var startxrefRE = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF`)

func (d *document) findStartXRef() (int64, error) {
	n := min(tailSize, d.size)
	tail := make([]byte, n)
	if _, err := d.r.ReadAt(tail, d.size-n); err != nil && err != io.EOF {
		return 0, fmt.Errorf("read PDF: %w", err)
	}
	all := startxrefRE.FindAllSubmatch(tail, -1)
	if len(all) == 0 {
		return 0, brokenf("no startxref/%%%%EOF at the end of the file (truncated?)")
	}
	off, err := strconv.ParseInt(string(all[len(all)-1][1]), 10, 64)
	if err != nil || off <= 0 || off >= d.size {
		return 0, brokenf("startxref %s is outside the file", all[len(all)-1][1])
	}
	return off, nil
}

// readXRefChain reads the xref section at off and its /Prev predecessors.
// Entries in newer sections win, as lookups go newest first.
func (d *document) readXRefChain(off int64) error {
	seen := map[int64]bool{}
	first := true
	for {
		if seen[off] {
			return brokenf("xref /Prev chain loops at offset %d", off)
		}
		seen[off] = true
		trailer, isStream, err := d.readXRefSection(off)
		if err != nil {
			return err
		}
		if first {
			d.trailer, d.xrefStream, first = trailer, isStream, false
		}
		// Hybrid files: a classic section may point at an xref stream
		// that lists the compressed objects (PDF 32000-1 section 7.5.8.4).
		if stm := trailer.IntEntry("XRefStm"); stm != nil && !isStream {
			at := int64(*stm)
			if !d.inFile(at) {
				return brokenf("/XRefStm %d is outside the %d-byte file", at, d.size)
			}
			if !seen[at] {
				seen[at] = true
				if _, _, err := d.readXRefSection(at); err != nil {
					return err
				}
			}
		}
		prev := trailer.IntEntry("Prev")
		if prev == nil {
			return nil
		}
		off = int64(*prev)
		if !d.inFile(off) {
			return brokenf("xref /Prev %d is outside the %d-byte file", off, d.size)
		}
	}
}

func (d *document) readXRefSection(off int64) (types.Dict, bool, error) {
	if !d.inFile(off) {
		return nil, false, brokenf("xref section offset %d is outside the %d-byte file", off, d.size)
	}
	if len(d.sections) >= d.limits.Sections {
		return nil, false, tooComplexf("more than %d cross-reference sections (Limits.Sections)", d.limits.Sections)
	}
	peek := make([]byte, min(32, d.size-off))
	if _, err := d.r.ReadAt(peek, off); err != nil && err != io.EOF {
		return nil, false, fmt.Errorf("read PDF: %w", err)
	}
	sec := &xrefSection{offset: off}
	var (
		t        types.Dict
		isStream bool
		err      error
	)
	if bytes.HasPrefix(bytes.TrimLeft(peek, " \r\n\t\f\x00"), []byte("xref")) {
		t, err = d.readXRefTable(sec)
	} else {
		t, err = d.readXRefStream(sec)
		isStream = true
	}
	if err != nil {
		return nil, false, err
	}
	if err := sec.finish(d); err != nil {
		return nil, false, err
	}
	d.sections = append(d.sections, sec)
	return t, isStream, nil
}

// lookup finds object nr's newest entry.
func (d *document) lookup(nr int) (xrefEntry, bool) {
	for _, sec := range d.sections {
		if e, ok := sec.lookup(nr); ok {
			return e, true
		}
	}
	return xrefEntry{}, false
}

var eofRE = regexp.MustCompile(`%%EOF[ \t]*(\r\n|\r|\n)?`)

// sectionEnd finds the end of the %%EOF line that closes a section's
// revision, scanning forward in 1 MB windows (overlapping, so that a
// marker across a window edge is found) without holding more than one.
func (d *document) sectionEnd(sec *xrefSection) int64 {
	if sec.end != 0 {
		return sec.end
	}
	sec.end = -1
	// The %%EOF usually follows the section within a few hundred bytes
	// (its trailer and startxref): the window starts small and doubles,
	// so that a file of thousands of revisions costs what it holds, not
	// a megabyte scanned for each.
	const maxWindow = 1 << 20
	window := int64(4 << 10)
	var buf []byte
	for pos := sec.offset; pos < d.size; pos += window - 16 {
		window = min(window*2, maxWindow)
		size := min(window, d.size-pos)
		if int64(len(buf)) < size {
			buf = make([]byte, size)
		}
		if d.spend(size, "revision ends") != nil {
			return -1
		}
		n, err := d.r.ReadAt(buf[:size], pos)
		if err != nil && err != io.EOF {
			return -1
		}
		if m := eofRE.FindIndex(buf[:n]); m != nil {
			// A line end split by the window edge still counts.
			end := pos + int64(m[1])
			if m[1] == n && int64(n) == window {
				continue
			}
			sec.end = end
			return end
		}
		if int64(n) < size || pos+int64(n) >= d.size {
			break
		}
	}
	return -1
}

// readXRefTable reads a classic table: "xref", subsections of 20-byte
// entries, "trailer" and its dictionary.
func (d *document) readXRefTable(sec *xrefSection) (types.Dict, error) {
	off := sec.offset
	sec.widths = classicWidths
	rowLen := classicWidths[0] + classicWidths[1] + classicWidths[2]
	sec.rowLen = rowLen
	// One buffer for every table of the document: a file of thousands
	// of revisions would otherwise allocate one per section.
	src := io.NewSectionReader(d.r, off, d.size-off)
	if d.tableBuf == nil {
		// Sized for any section of the file, not the first one read
		// (the newest, often a few hundred bytes before the end).
		d.tableBuf = bufio.NewReaderSize(src, int(min(64<<10, max(d.size, 16))))
	} else {
		d.tableBuf.Reset(src)
	}
	br := d.tableBuf
	word := func() (string, error) {
		var b strings.Builder
		for {
			c, err := br.ReadByte()
			if err != nil {
				if b.Len() > 0 && err == io.EOF {
					return b.String(), nil
				}
				return "", brokenf("xref table at %d is cut short", off)
			}
			if isSpace(c) {
				if b.Len() > 0 {
					return b.String(), nil
				}
				continue
			}
			b.WriteByte(c)
			if b.Len() > 32 {
				return "", brokenf("xref table at %d: unexpected %q", off, b.String())
			}
		}
	}
	if w, err := word(); err != nil || w != "xref" {
		return nil, brokenf("no xref table at offset %d", off)
	}
	for {
		w, err := word()
		if err != nil {
			return nil, err
		}
		if w == "trailer" {
			break
		}
		first, err1 := strconv.Atoi(w)
		cw, err2 := word()
		count, err3 := strconv.Atoi(cw)
		// An entry takes at least 6 bytes ("0 0 n "), so a count the rest
		// of the file cannot hold is refused before anything is kept.
		if err1 != nil || err2 != nil || err3 != nil || first < 0 || count < 0 || first > maxObjectNumber || int64(count) > (d.size-off)/6 {
			return nil, brokenf("xref table at %d: bad subsection header %q %q", off, w, cw)
		}
		if err := d.spend(int64(count)*int64(rowLen), "xref table"); err != nil {
			return nil, err
		}
		sec.subs = append(sec.subs, xrefSub{first: first, count: count, row: len(sec.rows) / rowLen})
		for range count {
			ow, err1 := word()
			gw, err2 := word()
			tw, err3 := word()
			if err1 != nil || err2 != nil || err3 != nil {
				return nil, brokenf("xref table at %d is cut short", off)
			}
			o, errO := strconv.ParseUint(ow, 10, 63)
			g, errG := strconv.ParseUint(gw, 10, 32)
			if errO != nil || errG != nil || (tw != "n" && tw != "f") {
				return nil, brokenf("xref table at %d: bad entry %s %s %s", off, ow, gw, tw)
			}
			typ := byte(1)
			if tw == "f" {
				typ = 0
			}
			sec.rows = append(sec.rows, typ)
			sec.rows = binary.BigEndian.AppendUint64(sec.rows, o)
			sec.rows = binary.BigEndian.AppendUint32(sec.rows, uint32(g))
		}
	}
	rest, _ := br.Peek(maxObjectText)
	text := string(rest)
	obj, err := model.ParseObject(&text)
	if err != nil {
		return nil, brokenf("trailer at %d: %v", off, err)
	}
	trailer, ok := obj.(types.Dict)
	if !ok {
		return nil, brokenf("trailer at %d is not a dictionary", off)
	}
	return trailer, nil
}

// readXRefStream reads a cross-reference stream (PDF 32000-1 7.5.8).
func (d *document) readXRefStream(sec *xrefSection) (types.Dict, error) {
	off := sec.offset
	dict, data, err := d.readStreamAt(off, d.limits.Stream)
	if err != nil {
		return nil, fmt.Errorf("xref stream at %d: %w", off, err)
	}
	return dict, parseXRefStream(sec, dict, data)
}

// parseXRefStream reads an xref stream's rows into sec.
func parseXRefStream(sec *xrefSection, dict types.Dict, data []byte) error {
	off := sec.offset
	if t := dict.NameEntry("Type"); t == nil || *t != "XRef" {
		return brokenf("object at offset %d is neither an xref table nor an xref stream", off)
	}
	w := dict.ArrayEntry("W")
	if len(w) != 3 {
		return brokenf("xref stream at %d: /W must have three numbers", off)
	}
	for i, v := range w {
		n, ok := v.(types.Integer)
		if !ok || n < 0 || n > 8 {
			return brokenf("xref stream at %d: bad /W", off)
		}
		sec.widths[i] = int(n)
	}
	sec.rowLen = sec.widths[0] + sec.widths[1] + sec.widths[2]
	if sec.rowLen == 0 {
		return brokenf("xref stream at %d: empty /W", off)
	}
	index := dict.ArrayEntry("Index")
	if index == nil {
		size := dict.IntEntry("Size")
		if size == nil {
			return brokenf("xref stream at %d has no /Size", off)
		}
		index = types.Array{types.Integer(0), types.Integer(*size)}
	}
	if len(index)%2 != 0 {
		return brokenf("xref stream at %d: odd /Index", off)
	}
	rows := len(data) / sec.rowLen
	next := 0
	for i := 0; i < len(index); i += 2 {
		first, ok1 := index[i].(types.Integer)
		count, ok2 := index[i+1].(types.Integer)
		if !ok1 || !ok2 || first < 0 || count < 0 || first > maxObjectNumber || int(count) > rows-next {
			return brokenf("xref stream at %d: /Index %v does not fit its %d rows", off, index[i:i+2], rows)
		}
		sec.subs = append(sec.subs, xrefSub{first: int(first), count: int(count), row: next})
		next += int(count)
	}
	sec.rows = data[:next*sec.rowLen]
	return nil
}

// objID is an object's number and generation.
type objID struct{ nr, gen int }

var objHeaderRE = regexp.MustCompile(`^\s*(\d+)\s+(\d+)\s+obj\b`)

// objectText reads the text of the object at off, up to "endobj" or
// "stream", without the "N G obj" header. It also returns the offset just
// after the text and the header's object and generation numbers. Every
// byte read is charged to the budget.
func (d *document) objectText(off int64) (string, int64, objID, error) {
	if !d.inFile(off) {
		return "", 0, objID{}, brokenf("object offset %d is outside the file", off)
	}
	chunk := int64(512)
	for {
		n := min(chunk, d.size-off)
		if err := d.spend(n+objectCost, "object text"); err != nil {
			return "", 0, objID{}, err
		}
		buf := make([]byte, n)
		if _, err := d.r.ReadAt(buf, off); err != nil && err != io.EOF {
			return "", 0, objID{}, fmt.Errorf("read PDF: %w", err)
		}
		m := objHeaderRE.FindSubmatchIndex(buf)
		if m == nil {
			// Only white space so far, or a header cut short, may need
			// more; anything else is not an object.
			if len(bytes.TrimLeft(buf, " \t\r\n\f\x00")) >= 32 || n == d.size-off || chunk >= maxObjectText {
				return "", 0, objID{}, brokenf("no object at offset %d", off)
			}
			chunk *= 4
			continue
		}
		nr, err1 := strconv.Atoi(string(buf[m[2]:m[3]]))
		gen, err2 := strconv.Atoi(string(buf[m[4]:m[5]]))
		if err1 != nil || err2 != nil || gen > 65535 {
			return "", 0, objID{}, brokenf("no object at offset %d", off)
		}
		body := buf[m[1]:]
		end := indexKeyword(body, "endobj")
		if s := indexKeyword(body, "stream"); s >= 0 && (end < 0 || s < end) {
			end = s
		}
		if end >= 0 {
			return string(body[:end]), off + int64(m[1]+end), objID{nr, gen}, nil
		}
		if n == d.size-off || chunk >= maxObjectText {
			return "", 0, objID{}, brokenf("object at offset %d has no endobj", off)
		}
		chunk *= 4
	}
}

// indexKeyword finds kw as a whole token.
func indexKeyword(b []byte, kw string) int {
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(kw))
		if j < 0 {
			return -1
		}
		j += i
		before := j == 0 || isSpace(b[j-1]) || isDelim(b[j-1])
		after := j+len(kw) == len(b) || isSpace(b[j+len(kw)]) || isDelim(b[j+len(kw)])
		if before && after {
			return j
		}
		i = j + 1
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool { return strings.IndexByte("()<>[]{}/%", c) >= 0 }

// readStreamAt reads the stream object at off: its dictionary and decoded
// data (at most limit bytes, and at most what the budget has left).
func (d *document) readStreamAt(off int64, limit int64) (types.Dict, []byte, error) {
	text, after, id, err := d.objectText(off)
	if err != nil {
		return nil, nil, err
	}
	obj, err := d.parse(text, id)
	if err != nil {
		return nil, nil, brokenf("object at %d: %v", off, err)
	}
	dict, ok := obj.(types.Dict)
	if !ok {
		return nil, nil, brokenf("object at %d is not a stream", off)
	}
	// after points at "stream"; the data starts after its EOL.
	kw := make([]byte, 8)
	if _, err := d.r.ReadAt(kw, after); err != nil && err != io.EOF {
		return nil, nil, err
	}
	if !bytes.HasPrefix(kw, []byte("stream")) {
		return nil, nil, brokenf("object at %d is not a stream", off)
	}
	start := after + 6
	switch {
	case kw[6] == '\r' && kw[7] == '\n':
		start += 2
	case kw[6] == '\n' || kw[6] == '\r':
		start++
	}
	length, err := d.intValue(dict, "Length")
	if err != nil {
		return nil, nil, err
	}
	if _, ok := rangeEnd(start, length, d.size); !ok {
		return nil, nil, brokenf("stream at %d has a bad /Length %d", off, length)
	}
	var raw io.Reader = io.NewSectionReader(d.r, start, length)
	if d.sec != nil {
		if raw, err = d.sec.decryptingReader(d.sec.streamAlg(dict), id.nr, id.gen, raw, length, limit); err != nil {
			return nil, nil, fmt.Errorf("stream at %d: %w", off, err)
		}
	}
	data, err := d.decodeStream(dict, raw, length, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("stream at %d: %w", off, err)
	}
	return dict, data, nil
}

// decodeStream applies the stream's filters. Flate without a predictor,
// by far the most common, is decoded by compress/zlib as a stream, so a
// cascade of filters holds only its output; the others go through
// pdfcpu's filter package, which stops at the limit.
func (d *document) decodeStream(dict types.Dict, raw io.Reader, rawLen, limit int64) ([]byte, error) {
	var names []string
	var parms []types.Object
	switch f := dict["Filter"].(type) {
	case nil:
	case types.Name:
		names = []string{string(f)}
		parms = []types.Object{dict["DecodeParms"]}
	case types.Array:
		if len(f) > 8 {
			return nil, brokenf("%d filters on one stream", len(f))
		}
		dp, _ := dict["DecodeParms"].(types.Array)
		for i, n := range f {
			name, ok := n.(types.Name)
			if !ok {
				return nil, brokenf("bad /Filter")
			}
			names = append(names, string(name))
			if i < len(dp) {
				parms = append(parms, dp[i])
			} else {
				parms = append(parms, nil)
			}
		}
	default:
		return nil, brokenf("bad /Filter")
	}
	what := fmt.Sprintf("one stream may decode to %d MB (Limits.Stream)", limit>>20)
	if d.budget < limit {
		limit = d.budget
		what = "the document's decoded-data budget is spent (Limits.DecodedBase, DecodedPerByte)"
	}
	if len(names) == 0 && rawLen > limit {
		return nil, tooComplexf("%s", what)
	}
	r := raw
	for i, name := range names {
		p := map[string]int{}
		if pd, ok := parms[i].(types.Dict); ok {
			for k, v := range pd {
				if n, ok := v.(types.Integer); ok {
					p[k] = int(n)
				}
			}
		}
		if name == filter.Flate && p["Predictor"] <= 1 {
			zr, err := zlib.NewReader(r)
			if err != nil {
				return nil, brokenf("filter %s: %v", name, err)
			}
			// The next filter may read all its input before writing: the
			// cap keeps a stage's output within the limit too.
			r = &capReader{r: zr, left: limit, what: what}
			continue
		}
		f, err := filter.NewFilter(name, p, limit)
		if err != nil {
			return nil, brokenf("filter %s: %v", name, err)
		}
		if r, err = f.Decode(r); err != nil {
			if errors.Is(err, filter.ErrDecodeLimitExceeded) {
				return nil, tooComplexf("%s", what)
			}
			return nil, brokenf("filter %s: %v", name, err)
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(data)) > limit || errors.Is(err, ErrTooComplex) {
		return nil, tooComplexf("%s", what)
	}
	// A Flate stream cut short still gives what it has, as other readers
	// accept it.
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, brokenf("decode: %v", err)
	}
	if err := d.spend(int64(len(data)), "decoded streams"); err != nil {
		return nil, err
	}
	return data, nil
}

// capReader fails once more than left bytes are read from r.
type capReader struct {
	r    io.Reader
	left int64
	what string
}

func (c *capReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.left -= int64(n); c.left < 0 {
		return n, tooComplexf("%s", c.what)
	}
	return n, err
}

// intValue reads an integer entry, following an indirect reference.
func (d *document) intValue(dict types.Dict, key string) (int64, error) {
	v, err := d.resolve(dict[key])
	if err != nil {
		return 0, err
	}
	n, ok := v.(types.Integer)
	if !ok {
		return 0, brokenf("/%s is not a number", key)
	}
	return int64(n), nil
}

// enter marks key (an object, or -nr-1 for object stream nr) as being
// read; meeting it again before leave is a reference cycle.
func (d *document) enter(key int, what string) error {
	if d.reading[key] {
		return brokenf("reference cycle: %s refers back to itself", what)
	}
	if len(d.reading) >= maxNestedReads {
		return brokenf("references nested more than %d deep while reading %s", maxNestedReads, what)
	}
	d.reading[key] = true
	return nil
}

func (d *document) leave(key int) { delete(d.reading, key) }

// object returns object nr (its dictionary for a stream).
func (d *document) object(nr int) (types.Object, error) {
	if o, ok := d.cache[nr]; ok {
		return o, nil
	}
	e, ok := d.lookup(nr)
	if !ok || e.free {
		return nil, nil // a missing object is the null object (7.3.10)
	}
	if err := d.enter(nr, fmt.Sprintf("object %d", nr)); err != nil {
		return nil, err
	}
	defer d.leave(nr)
	var text string
	id := objID{nr: -1} // objects in object streams are decrypted with their stream
	if e.inStm {
		stm, err := d.objectStream(e.stream)
		if err != nil {
			return nil, err
		}
		if e.index >= len(stm.offsets) || stm.numbers[e.index] != nr {
			return nil, brokenf("object %d is not where the xref says in object stream %d", nr, e.stream)
		}
		end := len(stm.data)
		if e.index+1 < len(stm.offsets) {
			end = stm.offsets[e.index+1]
		}
		if err := d.spend(int64(end-stm.offsets[e.index])+objectCost, "object text"); err != nil {
			return nil, err
		}
		text = string(stm.data[stm.offsets[e.index]:end])
	} else {
		t, _, got, err := d.objectText(e.offset)
		if err != nil {
			return nil, err
		}
		if got.nr != nr {
			return nil, brokenf("xref points object %d at object %d", nr, got.nr)
		}
		text, id = t, got
	}
	obj, err := d.parse(text, id)
	if err != nil {
		return nil, brokenf("object %d: %v", nr, err)
	}
	// Small objects are kept (the catalog, page tree nodes, fields); the
	// cache is bounded, what does not fit is read again when asked.
	if len(text) <= 4096 && d.cachedText+len(text) <= maxCachedText {
		d.cachedText += len(text)
		d.cache[nr] = obj
	}
	return obj, nil
}

// objectStream returns object stream nr decoded, from a small cache.
func (d *document) objectStream(nr int) (*objStm, error) {
	d.objStmTick++
	if s, ok := d.objStms[nr]; ok {
		s.used = d.objStmTick
		return s, nil
	}
	e, ok := d.lookup(nr)
	if !ok || e.free || e.inStm {
		return nil, brokenf("object stream %d is missing", nr)
	}
	if err := d.enter(-nr-1, fmt.Sprintf("object stream %d", nr)); err != nil {
		return nil, err
	}
	defer d.leave(-nr - 1)
	dict, data, err := d.readStreamAt(e.offset, d.limits.Stream)
	if err != nil {
		return nil, err
	}
	n, err1 := d.intValue(dict, "N")
	first, err2 := d.intValue(dict, "First")
	if err1 != nil || err2 != nil {
		return nil, brokenf("object stream %d has a bad /N or /First", nr)
	}
	s, err := parseObjStm(nr, n, first, data)
	if err != nil {
		return nil, err
	}
	// Keep a few decoded streams, within Limits.Stream bytes together:
	// the least recently used ones go.
	for len(d.objStms) > 0 && (len(d.objStms) >= d.limits.ObjStmCache || d.objStmBytes+len(data) > int(d.limits.Stream)) {
		oldest := -1
		for k, v := range d.objStms {
			if oldest < 0 || v.used < d.objStms[oldest].used {
				oldest = k
			}
		}
		d.objStmBytes -= len(d.objStms[oldest].data)
		delete(d.objStms, oldest)
	}
	s.used = d.objStmTick
	d.objStms[nr] = s
	d.objStmBytes += len(data)
	return s, nil
}

// parseObjStm reads object stream nr's offset table: n pairs of object
// number and offset (from first), the offsets increasing (7.5.7).
func parseObjStm(nr int, n, first int64, data []byte) (*objStm, error) {
	// Each object takes at least two numbers in the offset table.
	if n < 0 || first < 0 || first > int64(len(data)) || n > first/4+1 {
		return nil, brokenf("object stream %d has a bad /N or /First", nr)
	}
	s := &objStm{data: data, numbers: make([]int, 0, n), offsets: make([]int, 0, n)}
	table := data[:first]
	prev := 0
	for range n {
		var num, o int
		var ok bool
		if num, table, ok = nextInt(table); !ok {
			return nil, brokenf("object stream %d lists fewer than /N objects", nr)
		}
		if o, table, ok = nextInt(table); !ok {
			return nil, brokenf("object stream %d lists fewer than /N objects", nr)
		}
		// Offsets are relative to /First and increase (7.5.7).
		if o < prev || int64(o) > int64(len(data))-first {
			return nil, brokenf("object stream %d: offset %d of object %d is out of order or outside the stream", nr, o, num)
		}
		prev = o
		s.numbers = append(s.numbers, num)
		s.offsets = append(s.offsets, int(first)+o)
	}
	return s, nil
}

// nextInt reads a non-negative integer from the front of b, after white
// space.
func nextInt(b []byte) (int, []byte, bool) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	j := i
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	if j == i || j-i > 10 {
		return 0, b, false
	}
	n, err := strconv.Atoi(string(b[i:j]))
	return n, b[j:], err == nil
}

// resolve follows indirect references (a bounded number of hops).
func (d *document) resolve(o types.Object) (types.Object, error) {
	for range 32 {
		ref, ok := o.(types.IndirectRef)
		if !ok {
			return o, nil
		}
		var err error
		if o, err = d.object(ref.ObjectNumber.Value()); err != nil {
			return nil, err
		}
	}
	return nil, brokenf("reference chain too long")
}

// dict resolves o to a dictionary, or nil when it is absent or not one.
func (d *document) dict(o types.Object) (types.Dict, error) {
	v, err := d.resolve(o)
	if err != nil {
		return nil, err
	}
	dict, _ := v.(types.Dict)
	return dict, nil
}

// catalog is the document catalog (/Root).
func (d *document) catalog() (types.Dict, int, error) {
	ref := d.trailer.IndirectRefEntry("Root")
	cat, err := d.dict(*ref)
	if err != nil {
		return nil, 0, err
	}
	if cat == nil {
		return nil, 0, brokenf("/Root is not a dictionary")
	}
	return cat, ref.ObjectNumber.Value(), nil
}

// pageRef finds page n (1-based) by walking the page tree, reading only
// the nodes on the way. n < 0 counts from the end (-1 is the last page).
func (d *document) pageRef(n int) (types.IndirectRef, types.Dict, int, error) {
	cat, _, err := d.catalog()
	if err != nil {
		return types.IndirectRef{}, nil, 0, err
	}
	rootRef := cat.IndirectRefEntry("Pages")
	if rootRef == nil {
		return types.IndirectRef{}, nil, 0, brokenf("catalog has no /Pages")
	}
	root, err := d.dict(*rootRef)
	if err != nil {
		return types.IndirectRef{}, nil, 0, err
	}
	if root == nil {
		return types.IndirectRef{}, nil, 0, brokenf("the page tree's root is not a dictionary")
	}
	total := root.IntEntry("Count")
	if total == nil || *total < 1 {
		return types.IndirectRef{}, nil, 0, brokenf("page tree has no /Count")
	}
	n = PageNumber(n, *total)
	if n < 1 || n > *total {
		return types.IndirectRef{}, nil, 0, fmt.Errorf("page %d does not exist: the document has %d pages", n, *total)
	}
	node, nodeRef := root, *rootRef
	remaining := n
	visited := map[int]bool{rootRef.ObjectNumber.Value(): true}
	for depth := 0; depth < 64; depth++ {
		if t := node.NameEntry("Type"); t != nil && *t == "Page" {
			return nodeRef, node, *total, nil
		}
		found := false
		for _, kid := range node.ArrayEntry("Kids") {
			ref, ok := kid.(types.IndirectRef)
			if !ok {
				continue
			}
			kd, err := d.dict(ref)
			if err != nil {
				return types.IndirectRef{}, nil, 0, err
			}
			if kd == nil {
				return types.IndirectRef{}, nil, 0, brokenf("page tree node %d is not a dictionary", ref.ObjectNumber.Value())
			}
			count := 1
			if t := kd.NameEntry("Type"); t == nil || *t != "Page" {
				c := kd.IntEntry("Count")
				if c == nil {
					return types.IndirectRef{}, nil, 0, brokenf("page tree node without /Count")
				}
				count = *c
			}
			if remaining <= count {
				if visited[ref.ObjectNumber.Value()] {
					return types.IndirectRef{}, nil, 0, brokenf("page tree loops at object %d", ref.ObjectNumber.Value())
				}
				visited[ref.ObjectNumber.Value()] = true
				node, nodeRef, found = kd, ref, true
				break
			}
			remaining -= count
		}
		if !found {
			return types.IndirectRef{}, nil, 0, brokenf("page %d is not in the page tree", n)
		}
	}
	return types.IndirectRef{}, nil, 0, brokenf("page tree too deep")
}

// parse parses the text of object id and decrypts its strings (id.nr
// < 0: an object from an object stream, whose strings are not encrypted
// on their own).
func (d *document) parse(text string, id objID) (types.Object, error) {
	obj, err := model.ParseObject(&text)
	if err != nil || d.sec == nil || id.nr < 0 || id.nr == d.sec.encryptNr {
		return obj, err
	}
	if dict, ok := obj.(types.Dict); ok {
		if t := dict.NameEntry("Type"); t != nil && *t == "XRef" {
			return obj, nil
		}
	}
	return d.sec.decryptObject(obj, id.nr, id.gen)
}

// forEachPage calls fn for every page, in order, reading the page tree
// node by node; loops and absurd depths end the walk with an error.
func (d *document) forEachPage(fn func(types.Dict) error) error {
	cat, _, err := d.catalog()
	if err != nil {
		return err
	}
	seen := map[int]bool{}
	var walk func(o types.Object, depth int) error
	walk = func(o types.Object, depth int) error {
		if depth > 64 {
			return brokenf("page tree too deep")
		}
		if ref, ok := o.(types.IndirectRef); ok {
			if seen[ref.ObjectNumber.Value()] {
				return brokenf("page tree loops")
			}
			seen[ref.ObjectNumber.Value()] = true
		}
		node, err := d.dict(o)
		if err != nil || node == nil {
			return err
		}
		if t := node.NameEntry("Type"); t != nil && *t == "Page" {
			return fn(node)
		}
		kids, err := d.resolve(node["Kids"])
		if err != nil {
			return err
		}
		k, _ := kids.(types.Array)
		for _, kid := range k {
			if err := walk(kid, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(cat["Pages"], 0)
}

// fieldWalker walks form field trees (PDF 32000-1 12.7.3.1) depth-first:
// each field once (one listed twice is skipped, and a subtree shared by
// two parents is not walked again), a field that is its own ancestor is a
// loop and an error, at most 32 levels deep. fn sees each field with its
// full name and its field type, inherited from its parents when it has
// none, after its kids.
type fieldWalker struct {
	d         *document
	fn        func(field types.Dict, name, fieldType string) error
	seen      map[int]bool
	ancestors map[int]bool
}

func newFieldWalker(d *document, fn func(field types.Dict, name, fieldType string) error) *fieldWalker {
	return &fieldWalker{d: d, fn: fn, seen: map[int]bool{}, ancestors: map[int]bool{}}
}

// walk visits the fields in arr; the walker remembers what it saw, so a
// second call (page widgets after the form's fields) skips those.
func (w *fieldWalker) walk(arr types.Array, prefix, inheritedFT string, depth int) error {
	if depth > 32 {
		return brokenf("form fields nest too deep")
	}
	for _, o := range arr {
		ref, isRef := o.(types.IndirectRef)
		if !isRef {
			if err := w.visit(o, prefix, inheritedFT, depth); err != nil {
				return err
			}
			continue
		}
		nr := ref.ObjectNumber.Value()
		if w.ancestors[nr] {
			return brokenf("form fields loop: object %d is its own ancestor", nr)
		}
		if w.seen[nr] {
			continue
		}
		w.seen[nr], w.ancestors[nr] = true, true
		err := w.visit(o, prefix, inheritedFT, depth)
		delete(w.ancestors, nr)
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *fieldWalker) visit(o types.Object, prefix, inheritedFT string, depth int) error {
	fd, err := w.d.dict(o)
	if err != nil || fd == nil {
		return err
	}
	name := prefix
	if t := textString(fd["T"]); t != "" {
		if name != "" {
			name += "."
		}
		name += t
	}
	ft := inheritedFT
	if n := fd.NameEntry("FT"); n != nil {
		ft = *n
	}
	kids, err := w.d.resolve(fd["Kids"])
	if err != nil {
		return err
	}
	if k, ok := kids.(types.Array); ok && len(k) > 0 {
		if err := w.walk(k, name, ft, depth+1); err != nil {
			return err
		}
	}
	return w.fn(fd, name, ft)
}
