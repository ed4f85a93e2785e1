package pdf

import (
	"fmt"

	"github.com/signet-sign/signet/i18n"
)

// Hostile input: what bounds the reader.
//
// Signet reads PDFs that strangers send, so every document is read under
// a budget and every structure is checked before it is used:
//
//	reference cycles           an in-progress set in document.object and
//	                           document.objectStream; seen sets in every tree
//	                           walk (pages, /Parent chains, fields, /Prev)
//	nesting                    pdfcpu's parser stops at depth 100; nested
//	                           object reads stop at maxNestedReads
//	offsets and lengths        checked against the file size with
//	                           overflow-safe arithmetic (inFile, rangeEnd)
//	xref entry counts          in-use entries bounded by what the file can
//	                           hold (minObjectBytes each); sections kept in
//	                           their row form, never expanded into maps
//	decoded bytes              Limits.Decoded*: every decoded stream, parsed
//	                           object text and scanned byte is charged
//	one stream                 Limits.Stream, enforced while decoding
//	decoded object streams     a cache of Limits.ObjStmCache, not all at once
//
// A document over a limit is refused with ErrTooComplex naming the limit.

// ErrTooComplex reports a document that would take more memory or work to
// read than Signet allows for one document (see [Limits]).
var ErrTooComplex = i18n.Errorf("err.too_complex", nil)

// Limits bound the work and memory spent reading one document. The zero
// value of a field means its default ([DefaultLimits]).
type Limits struct {
	// DecodedBase and DecodedPerByte bound, together, the bytes decoded
	// from streams, parsed as object text and scanned for revision ends
	// in one document: DecodedBase + DecodedPerByte × the file's size.
	DecodedBase    int64
	DecodedPerByte int64
	// Stream bounds one decoded stream (xref, object and DSS streams).
	Stream int64
	// ObjStmCache is how many decoded object streams are kept at once;
	// together they hold at most Stream bytes.
	ObjStmCache int
	// Sections bounds the cross-reference sections (about one per
	// revision) followed through /Prev and /XRefStm.
	Sections int
}

// DefaultLimits are generous for real documents (a 100 MB PDF needs a few
// MB of them; the largest xref streams seen, for a million objects, decode
// to about 7 MB) and keep a hostile one well within 128 MB of memory: one
// stream being decoded, the object-stream cache and the parsed-object
// cache are each bounded.
func DefaultLimits() Limits {
	return Limits{
		DecodedBase:    64 << 20,
		DecodedPerByte: 4,
		Stream:         16 << 20,
		ObjStmCache:    8,
		Sections:       4096,
	}
}

func (l Limits) withDefaults() Limits {
	def := DefaultLimits()
	if l.DecodedBase <= 0 {
		l.DecodedBase = def.DecodedBase
	}
	if l.DecodedPerByte <= 0 {
		l.DecodedPerByte = def.DecodedPerByte
	}
	if l.Stream <= 0 {
		l.Stream = def.Stream
	}
	if l.ObjStmCache <= 0 {
		l.ObjStmCache = def.ObjStmCache
	}
	if l.Sections <= 0 {
		l.Sections = def.Sections
	}
	return l
}

// budget is the decoded-bytes allowance of a file of size bytes.
func (l Limits) budget(size int64) int64 {
	if size > 0 && l.DecodedPerByte > (1<<62-l.DecodedBase)/size {
		return 1 << 62
	}
	return l.DecodedBase + l.DecodedPerByte*size
}

// Structural constants that are not worth configuring.
const (
	// maxObjectText bounds one object's text (a dictionary, an array).
	maxObjectText = 8 << 20
	// minObjectBytes is the least an in-use, uncompressed object takes
	// in a file ("1 0 obj 0 endobj"), which bounds how many a file holds.
	minObjectBytes = 16
	// maxObjectNumber bounds object numbers: PDF 32000-1 Annex C puts the
	// practical limit at 8,388,607 objects; twice that leaves room.
	maxObjectNumber = 1 << 24
	// maxNestedReads bounds reads started while reading another object
	// (a stream's /Length inside an object stream, and so on).
	maxNestedReads = 16
	// objectCost is charged for every object read, on top of its text,
	// so that reading many tiny or failing objects also ends.
	objectCost = 64
	// maxCachedText bounds the text of the parsed objects kept.
	maxCachedText = 2 << 20
	tailSize      = 4096 // where startxref is looked for
)

func tooComplexf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrTooComplex, fmt.Sprintf(format, args...))
}

// spend charges n bytes of work to the document's budget.
func (d *document) spend(n int64, what string) error {
	if n < 0 || n > d.budget {
		d.budget = 0
		return tooComplexf("reading it needs more than %d MB of decoded data (%s); the limit for a %d-byte file is DecodedBase + DecodedPerByte × size", d.limits.budget(d.size)>>20, what, d.size)
	}
	d.budget -= n
	return nil
}

// inFile reports whether off is a position inside the file.
func (d *document) inFile(off int64) bool { return off >= 0 && off < d.size }

// rangeEnd returns off+n when both are non-negative and the range lies
// within size bytes, without overflowing.
func rangeEnd(off, n, size int64) (int64, bool) {
	if off < 0 || n < 0 || off > size || n > size-off {
		return 0, false
	}
	return off + n, true
}
