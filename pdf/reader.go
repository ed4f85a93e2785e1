package pdf

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

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
	ErrNotPDF = errors.New("not a PDF file")
	// ErrBrokenPDF reports a PDF whose structure cannot be read.
	ErrBrokenPDF = errors.New("damaged PDF")
	// ErrEncrypted reports an encrypted PDF, which Signet does not sign.
	ErrEncrypted = errors.New("PDF is encrypted; remove the password protection before signing")
)

// Limits against hostile input.
const (
	maxObjectText  = 8 << 20  // one dictionary's text
	maxXRefStream  = 64 << 20 // a decoded xref or object stream
	maxXRefEntries = 8 << 20  // objects in a file
	tailSize       = 4096     // where startxref is looked for
)

// xrefEntry locates an object: at an offset, or inside an object stream.
type xrefEntry struct {
	offset  int64
	gen     int
	stream  int // object stream number, for compressed objects
	index   int // index in that object stream
	inStm   bool
	free    bool
	present bool
}

// xrefSection is one cross-reference section: one revision of the file.
type xrefSection struct {
	offset  int64
	entries map[int]xrefEntry
	// end is the offset just after the revision's %%EOF line, -1 when
	// none follows the section, 0 until asked (see [document.sectionEnd]).
	end int64
}

// document is a PDF opened for signing.
type document struct {
	r    io.ReaderAt
	size int64

	header     string // "1.7"
	xref       map[int]xrefEntry
	trailer    types.Dict // the newest trailer
	startxref  int64      // offset of the newest xref section
	xrefStream bool       // the newest section is an xref stream
	size1      int        // trailer /Size

	objStms map[int]*objStm
	cache   map[int]types.Object

	// sections are the xref sections, newest first, each with the
	// entries it lists and the end of its revision.
	sections []*xrefSection

	// maxEntries bounds the xref entries by the file size: every object
	// takes bytes, even compressed, so a small file cannot list millions
	// of objects through a compressed xref stream and make us allocate
	// for them.
	maxEntries int
}

type objStm struct {
	data    []byte
	offsets []int // start of object i in data
	numbers []int
}

func brokenf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBrokenPDF, fmt.Sprintf(format, args...))
}

// openDocument reads the structure of the PDF in r.
func openDocument(r io.ReaderAt, size int64) (*document, error) {
	d := &document{r: r, size: size, xref: map[int]xrefEntry{}, objStms: map[int]*objStm{}, cache: map[int]types.Object{}}
	d.maxEntries = int(min(int64(maxXRefEntries), size/2+1024))
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
		return nil, ErrEncrypted
	}
	if d.trailer.IndirectRefEntry("Root") == nil {
		return nil, brokenf("trailer has no /Root")
	}
	if n := d.trailer.IntEntry("Size"); n != nil {
		d.size1 = *n
	}
	for nr := range d.xref {
		if nr >= d.size1 {
			d.size1 = nr + 1
		}
	}
	return d, nil
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
// Entries already known come from a newer section and win.
func (d *document) readXRefChain(off int64) error {
	seen := map[int64]bool{}
	first := true
	for off > 0 {
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
		if stm := trailer.IntEntry("XRefStm"); stm != nil && !isStream && !seen[int64(*stm)] {
			seen[int64(*stm)] = true
			if _, _, err := d.readXRefSection(int64(*stm)); err != nil {
				return err
			}
		}
		prev := trailer.IntEntry("Prev")
		if prev == nil {
			break
		}
		off = int64(*prev)
		if off < 0 || off >= d.size {
			return brokenf("xref /Prev %d is outside the file", off)
		}
	}
	return nil
}

func (d *document) set(sec *xrefSection, nr int, e xrefEntry) error {
	if len(d.xref) >= d.maxEntries || len(sec.entries) >= d.maxEntries {
		return brokenf("more objects listed than a file of %d bytes can hold", d.size)
	}
	e.present = true
	sec.entries[nr] = e
	if _, known := d.xref[nr]; !known {
		d.xref[nr] = e
	}
	return nil
}

func (d *document) readXRefSection(off int64) (types.Dict, bool, error) {
	peek := make([]byte, min(32, d.size-off))
	if _, err := d.r.ReadAt(peek, off); err != nil && err != io.EOF {
		return nil, false, fmt.Errorf("read PDF: %w", err)
	}
	sec := &xrefSection{offset: off, entries: map[int]xrefEntry{}}
	d.sections = append(d.sections, sec)
	if bytes.HasPrefix(bytes.TrimLeft(peek, " \r\n\t\f\x00"), []byte("xref")) {
		t, err := d.readXRefTable(sec)
		return t, false, err
	}
	t, err := d.readXRefStream(sec)
	return t, true, err
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
	const window = 1 << 20
	buf := make([]byte, window)
	for pos := sec.offset; pos < d.size; pos += window - 16 {
		n, err := d.r.ReadAt(buf[:min(window, d.size-pos)], pos)
		if err != nil && err != io.EOF {
			return -1
		}
		if m := eofRE.FindIndex(buf[:n]); m != nil {
			// A line end split by the window edge still counts.
			end := pos + int64(m[1])
			if m[1] == n && n == window {
				continue
			}
			sec.end = end
			return end
		}
		if int64(n) < window {
			break
		}
	}
	return -1
}

// readXRefTable reads a classic table: "xref", subsections of 20-byte
// entries, "trailer" and its dictionary.
func (d *document) readXRefTable(sec *xrefSection) (types.Dict, error) {
	off := sec.offset
	br := bufio.NewReaderSize(io.NewSectionReader(d.r, off, d.size-off), 64<<10)
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
		if err1 != nil || err2 != nil || err3 != nil || first < 0 || count < 0 || count > d.maxEntries {
			return nil, brokenf("xref table at %d: bad subsection header %q %q", off, w, cw)
		}
		for i := range count {
			ow, err1 := word()
			gw, err2 := word()
			tw, err3 := word()
			if err1 != nil || err2 != nil || err3 != nil {
				return nil, brokenf("xref table at %d is cut short", off)
			}
			o, errO := strconv.ParseInt(ow, 10, 64)
			g, errG := strconv.Atoi(gw)
			if errO != nil || errG != nil || (tw != "n" && tw != "f") {
				return nil, brokenf("xref table at %d: bad entry %s %s %s", off, ow, gw, tw)
			}
			if err := d.set(sec, first+i, xrefEntry{offset: o, gen: g, free: tw == "f"}); err != nil {
				return nil, err
			}
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
	// Rows are at most 24 bytes (three 8-byte fields).
	dict, data, err := d.readStreamAt(off, min(maxXRefStream, 24*int64(d.maxEntries)))
	if err != nil {
		return nil, fmt.Errorf("xref stream at %d: %w", off, err)
	}
	if t := dict.NameEntry("Type"); t == nil || *t != "XRef" {
		return nil, brokenf("object at offset %d is neither an xref table nor an xref stream", off)
	}
	w := dict.ArrayEntry("W")
	if len(w) != 3 {
		return nil, brokenf("xref stream at %d: /W must have three numbers", off)
	}
	var widths [3]int
	for i, v := range w {
		n, ok := v.(types.Integer)
		if !ok || n < 0 || n > 8 {
			return nil, brokenf("xref stream at %d: bad /W", off)
		}
		widths[i] = int(n)
	}
	rowLen := widths[0] + widths[1] + widths[2]
	if rowLen == 0 {
		return nil, brokenf("xref stream at %d: empty /W", off)
	}
	index := dict.ArrayEntry("Index")
	if index == nil {
		size := dict.IntEntry("Size")
		if size == nil {
			return nil, brokenf("xref stream at %d has no /Size", off)
		}
		index = types.Array{types.Integer(0), types.Integer(*size)}
	}
	if len(index)%2 != 0 {
		return nil, brokenf("xref stream at %d: odd /Index", off)
	}
	field := func(b []byte) int64 {
		var v int64
		for _, c := range b {
			v = v<<8 | int64(c)
		}
		return v
	}
	pos := 0
	for i := 0; i < len(index); i += 2 {
		first, ok1 := index[i].(types.Integer)
		count, ok2 := index[i+1].(types.Integer)
		if !ok1 || !ok2 || first < 0 || count < 0 {
			return nil, brokenf("xref stream at %d: bad /Index", off)
		}
		for j := range int(count) {
			if pos+rowLen > len(data) {
				return nil, brokenf("xref stream at %d is shorter than its /Index", off)
			}
			row := data[pos : pos+rowLen]
			pos += rowLen
			typ := int64(1) // a zero-width type field means type 1
			if widths[0] > 0 {
				typ = field(row[:widths[0]])
			}
			f2 := field(row[widths[0] : widths[0]+widths[1]])
			f3 := field(row[widths[0]+widths[1]:])
			var e xrefEntry
			switch typ {
			case 0:
				e = xrefEntry{free: true, gen: int(f3)}
			case 1:
				e = xrefEntry{offset: f2, gen: int(f3)}
			case 2:
				e = xrefEntry{inStm: true, stream: int(f2), index: int(f3)}
			default:
				continue // reserved types are ignored (7.5.8.3)
			}
			if err := d.set(sec, int(first)+j, e); err != nil {
				return nil, err
			}
		}
	}
	return dict, nil
}

var objHeaderRE = regexp.MustCompile(`^\s*(\d+)\s+(\d+)\s+obj\b`)

// objectText reads the text of the object at off, up to "endobj" or
// "stream", without the "N G obj" header. It also returns the offset just
// after the text.
func (d *document) objectText(off int64) (string, int64, int, error) {
	if off < 0 || off >= d.size {
		return "", 0, 0, brokenf("object offset %d is outside the file", off)
	}
	chunk := 4096
	for {
		n := min(int64(chunk), d.size-off)
		buf := make([]byte, n)
		if _, err := d.r.ReadAt(buf, off); err != nil && err != io.EOF {
			return "", 0, 0, fmt.Errorf("read PDF: %w", err)
		}
		m := objHeaderRE.FindSubmatchIndex(buf)
		if m == nil {
			return "", 0, 0, brokenf("no object at offset %d", off)
		}
		nr, _ := strconv.Atoi(string(buf[m[2]:m[3]]))
		body := buf[m[1]:]
		end := indexKeyword(body, "endobj")
		if s := indexKeyword(body, "stream"); s >= 0 && (end < 0 || s < end) {
			end = s
		}
		if end >= 0 {
			return string(body[:end]), off + int64(m[1]+end), nr, nil
		}
		if n == d.size-off || chunk >= maxObjectText {
			return "", 0, 0, brokenf("object at offset %d has no endobj", off)
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
// data (at most limit bytes).
func (d *document) readStreamAt(off int64, limit int64) (types.Dict, []byte, error) {
	text, after, _, err := d.objectText(off)
	if err != nil {
		return nil, nil, err
	}
	obj, err := model.ParseObject(&text)
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
	if length < 0 || length > limit || start+length > d.size {
		return nil, nil, brokenf("stream at %d has a bad /Length %d", off, length)
	}
	raw := make([]byte, length)
	if _, err := d.r.ReadAt(raw, start); err != nil {
		return nil, nil, fmt.Errorf("read PDF: %w", err)
	}
	data, err := decodeStream(dict, raw, limit)
	if err != nil {
		return nil, nil, brokenf("stream at %d: %v", off, err)
	}
	return dict, data, nil
}

// decodeStream applies the stream's filters with pdfcpu's filter package.
func decodeStream(dict types.Dict, raw []byte, limit int64) ([]byte, error) {
	var names []string
	var parms []types.Object
	switch f := dict["Filter"].(type) {
	case nil:
		return raw, nil
	case types.Name:
		names = []string{string(f)}
		parms = []types.Object{dict["DecodeParms"]}
	case types.Array:
		dp, _ := dict["DecodeParms"].(types.Array)
		for i, n := range f {
			name, ok := n.(types.Name)
			if !ok {
				return nil, errors.New("bad /Filter")
			}
			names = append(names, string(name))
			if i < len(dp) {
				parms = append(parms, dp[i])
			} else {
				parms = append(parms, nil)
			}
		}
	default:
		return nil, errors.New("bad /Filter")
	}
	var r io.Reader = bytes.NewReader(raw)
	for i, name := range names {
		p := map[string]int{}
		if pd, ok := parms[i].(types.Dict); ok {
			for k, v := range pd {
				if n, ok := v.(types.Integer); ok {
					p[k] = int(n)
				}
			}
		}
		f, err := filter.NewFilter(name, p, limit)
		if err != nil {
			return nil, fmt.Errorf("filter %s: %w", name, err)
		}
		if r, err = f.Decode(r); err != nil {
			return nil, fmt.Errorf("filter %s: %w", name, err)
		}
	}
	return io.ReadAll(io.LimitReader(r, limit+1))
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

// object returns object nr (its dictionary for a stream).
func (d *document) object(nr int) (types.Object, error) {
	if o, ok := d.cache[nr]; ok {
		return o, nil
	}
	e, ok := d.xref[nr]
	if !ok || e.free {
		return nil, nil // a missing object is the null object (7.3.10)
	}
	var text string
	if e.inStm {
		stm, err := d.objectStream(e.stream)
		if err != nil {
			return nil, err
		}
		if e.index < 0 || e.index >= len(stm.offsets) || stm.numbers[e.index] != nr {
			return nil, brokenf("object %d is not where the xref says in object stream %d", nr, e.stream)
		}
		end := len(stm.data)
		if e.index+1 < len(stm.offsets) {
			end = stm.offsets[e.index+1]
		}
		text = string(stm.data[stm.offsets[e.index]:end])
	} else {
		t, _, got, err := d.objectText(e.offset)
		if err != nil {
			return nil, err
		}
		if got != nr {
			return nil, brokenf("xref points object %d at object %d", nr, got)
		}
		text = t
	}
	obj, err := model.ParseObject(&text)
	if err != nil {
		return nil, brokenf("object %d: %v", nr, err)
	}
	d.cache[nr] = obj
	return obj, nil
}

func (d *document) objectStream(nr int) (*objStm, error) {
	if s, ok := d.objStms[nr]; ok {
		return s, nil
	}
	e, ok := d.xref[nr]
	if !ok || e.free || e.inStm {
		return nil, brokenf("object stream %d is missing", nr)
	}
	dict, data, err := d.readStreamAt(e.offset, maxXRefStream)
	if err != nil {
		return nil, err
	}
	n, err1 := d.intValue(dict, "N")
	first, err2 := d.intValue(dict, "First")
	if err1 != nil || err2 != nil || n < 0 || first < 0 || first > int64(len(data)) {
		return nil, brokenf("object stream %d has a bad /N or /First", nr)
	}
	fields := strings.Fields(string(data[:first]))
	if int64(len(fields)) < 2*n {
		return nil, brokenf("object stream %d lists fewer than /N objects", nr)
	}
	s := &objStm{data: data}
	for i := range int(n) {
		num, err1 := strconv.Atoi(fields[2*i])
		o, err2 := strconv.Atoi(fields[2*i+1])
		if err1 != nil || err2 != nil || o < 0 || int(first)+o > len(data) {
			return nil, brokenf("object stream %d has a bad offset table", nr)
		}
		s.numbers = append(s.numbers, num)
		s.offsets = append(s.offsets, int(first)+o)
	}
	d.objStms[nr] = s
	return s, nil
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
	if err != nil || root == nil {
		return types.IndirectRef{}, nil, 0, brokenf("bad page tree")
	}
	total := root.IntEntry("Count")
	if total == nil || *total < 1 {
		return types.IndirectRef{}, nil, 0, brokenf("page tree has no /Count")
	}
	if n < 0 {
		n = *total + 1 + n
	}
	if n < 1 || n > *total {
		return types.IndirectRef{}, nil, 0, fmt.Errorf("page %d does not exist: the document has %d pages", n, *total)
	}
	node, nodeRef := root, *rootRef
	remaining := n
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
			if err != nil || kd == nil {
				return types.IndirectRef{}, nil, 0, brokenf("bad page tree node")
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

// parseObjectText parses one object's text.
func parseObjectText(text string) (types.Object, error) {
	return model.ParseObject(&text)
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
