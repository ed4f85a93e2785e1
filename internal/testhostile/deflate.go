package testhostile

import (
	"bytes"
	"hash/crc32"
)

// Deflate streams that expand a short pattern to any size, written
// directly (RFC 1951 fixed-Huffman block: the pattern as literals, then
// copies of 258 bytes at the pattern's distance): a zip bomb costs a few
// bits per 258 bytes to make, where compressing the output would cost
// seconds a hundred megabytes under the race detector.

// bitWriter writes DEFLATE's bit stream: LSB first.
type bitWriter struct {
	out  []byte
	acc  uint64
	nacc uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.nacc
	w.nacc += n
	for w.nacc >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

// huffman writes a Huffman code of n bits, most significant bit first.
func (w *bitWriter) huffman(code uint64, n uint) {
	var rev uint64
	for i := uint(0); i < n; i++ {
		rev = rev<<1 | (code>>i)&1
	}
	w.bits(rev, n)
}

func (w *bitWriter) flush() []byte {
	if w.nacc > 0 {
		w.out = append(w.out, byte(w.acc))
	}
	return w.out
}

// literal writes a fixed-Huffman literal/length symbol.
func (w *bitWriter) literal(sym int) {
	switch {
	case sym < 144:
		w.huffman(uint64(0x30+sym), 8)
	case sym < 256:
		w.huffman(uint64(0x190+sym-144), 9)
	case sym < 280:
		w.huffman(uint64(sym-256), 7)
	default:
		w.huffman(uint64(0xc0+sym-280), 8)
	}
}

// distance writes distance d (1 to 32768): its 5-bit code and extra bits.
func (w *bitWriter) distance(d int) {
	base, code := 1, 0
	for ; code < 30; code++ {
		extra := 0
		if code >= 4 {
			extra = code/2 - 1
		}
		if d < base+1<<extra {
			w.huffman(uint64(code), 5)
			w.bits(uint64(d-base), uint(extra))
			return
		}
		base += 1 << extra
	}
	panic("distance over 32768")
}

// RepeatDeflate is a raw DEFLATE stream of pattern repeated to total bytes
// (total ≥ len(pattern), pattern at most 32768 bytes), and the CRC-32 of
// that output.
func RepeatDeflate(pattern []byte, total int64) ([]byte, uint32) {
	w := &bitWriter{}
	w.bits(1, 1) // BFINAL
	w.bits(1, 2) // BTYPE 01: fixed Huffman
	for _, b := range pattern {
		w.literal(int(b))
	}
	left := total - int64(len(pattern))
	copy258 := func() {
		w.literal(285) // length 258, no extra bits
		w.distance(len(pattern))
		left -= 258
	}
	// The copies are one code each: once a period of them ends on the
	// bit position it began on, the next periods are the same bytes, and
	// they are repeated instead of encoded (millions of copies, in
	// instrumented code, would take seconds).
	start, period := w.nacc, 0
	for left >= 258 && (period == 0 || w.nacc != start) {
		copy258()
		period++
		if w.nacc != start {
			continue
		}
		if left < 2*258*int64(period) {
			break
		}
		mark := len(w.out)
		for range period {
			copy258()
		}
		unit := append([]byte(nil), w.out[mark:]...)
		n := left / (258 * int64(period))
		w.out = append(w.out, bytes.Repeat(unit, int(n))...)
		left -= n * 258 * int64(period)
		break
	}
	for left >= 258 {
		copy258()
	}
	// The tail, as literals continuing the pattern.
	pos := (total - left) % int64(len(pattern))
	for ; left > 0; left-- {
		w.literal(int(pattern[pos]))
		pos = (pos + 1) % int64(len(pattern))
	}
	w.literal(256) // end of block
	return w.flush(), repeatCRC(pattern, total)
}

// repeatCRC is the CRC-32 (IEEE) of pattern repeated to total bytes.
func repeatCRC(pattern []byte, total int64) uint32 {
	unit := make([]byte, 0, 1<<20)
	for len(unit)+len(pattern) <= cap(unit) {
		unit = append(unit, pattern...)
	}
	var crc uint32
	for left := total; left > 0; {
		n := min(int64(len(unit)), left)
		crc = crc32.Update(crc, crc32.IEEETable, unit[:n])
		left -= n
	}
	return crc
}
