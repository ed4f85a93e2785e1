package pdf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// subsetTrueType cuts a TrueType font down to the glyphs a signature
// draws, keeping every glyph id where it is — so the PDF's CIDToGIDMap
// stays Identity — by emptying the other glyphs' outlines (glyf/loca)
// and their advances (hmtx), and dropping the tables a PDF font program
// does not use (name, OS/2, layout tables; cmap is left empty and post
// without glyph names, for font parsers that want them:
// PDF 32000-1 section 9.9 lists head, hhea, loca, maxp, cvt, prep, glyf,
// hmtx, fpgm).
// Components of composite glyphs are kept with them; glyph 0 (.notdef)
// always. No library on the module proxy does this (tdewolff/font is
// refused); the routine is small and tested against sfnt's parser.
func subsetTrueType(ttf []byte, keep []uint16) ([]byte, error) {
	tables, err := ttTables(ttf)
	if err != nil {
		return nil, err
	}
	head, maxp, hhea, loca, glyf, hmtx := tables["head"], tables["maxp"], tables["hhea"], tables["loca"], tables["glyf"], tables["hmtx"]
	if head == nil || maxp == nil || hhea == nil || loca == nil || glyf == nil || hmtx == nil || len(head) < 54 || len(maxp) < 6 || len(hhea) < 36 {
		return nil, errors.New("font: a required table is missing or short")
	}
	numGlyphs := int(binary.BigEndian.Uint16(maxp[4:]))
	long := binary.BigEndian.Uint16(head[50:]) == 1
	offsets := make([]int, numGlyphs+1)
	for i := range offsets {
		switch {
		case long && 4*i+4 <= len(loca):
			offsets[i] = int(binary.BigEndian.Uint32(loca[4*i:]))
		case !long && 2*i+2 <= len(loca):
			offsets[i] = 2 * int(binary.BigEndian.Uint16(loca[2*i:]))
		default:
			return nil, errors.New("font: loca is shorter than maxp says")
		}
		if offsets[i] > len(glyf) || (i > 0 && offsets[i] < offsets[i-1]) {
			return nil, errors.New("font: loca points outside glyf")
		}
	}
	glyph := func(g int) []byte { return glyf[offsets[g]:offsets[g+1]] }

	// The glyphs to keep, with the components of composites.
	kept := make([]bool, numGlyphs)
	todo := append([]uint16{0}, keep...)
	for len(todo) > 0 {
		g := int(todo[len(todo)-1])
		todo = todo[:len(todo)-1]
		if g >= numGlyphs || kept[g] {
			continue
		}
		kept[g] = true
		comps, err := components(glyph(g))
		if err != nil {
			return nil, fmt.Errorf("font: glyph %d: %w", g, err)
		}
		todo = append(todo, comps...)
	}

	// glyf with the kept outlines (each padded to 4 bytes), loca long.
	var newGlyf []byte
	newLoca := make([]byte, 4*(numGlyphs+1))
	for g := range numGlyphs {
		binary.BigEndian.PutUint32(newLoca[4*g:], uint32(len(newGlyf)))
		if kept[g] {
			newGlyf = append(newGlyf, glyph(g)...)
			for len(newGlyf)%4 != 0 {
				newGlyf = append(newGlyf, 0)
			}
		}
	}
	binary.BigEndian.PutUint32(newLoca[4*numGlyphs:], uint32(len(newGlyf)))

	// hmtx: the dropped glyphs' metrics zeroed (they compress away).
	newHmtx := slices.Clone(hmtx)
	numH := int(binary.BigEndian.Uint16(hhea[34:]))
	for g := range numGlyphs {
		if kept[g] {
			continue
		}
		switch {
		case g < numH && 4*g+4 <= len(newHmtx):
			clear(newHmtx[4*g : 4*g+4])
		case g >= numH && 4*numH+2*(g-numH)+2 <= len(newHmtx):
			i := 4*numH + 2*(g-numH)
			clear(newHmtx[i : i+2])
		}
	}
	newHead := slices.Clone(head)
	binary.BigEndian.PutUint16(newHead[50:], 1) // long loca
	clear(newHead[8:12])                        // checkSumAdjustment, set below

	out := map[string][]byte{"head": newHead, "hhea": hhea, "maxp": maxp, "loca": newLoca, "glyf": newGlyf, "hmtx": newHmtx, "cmap": emptyCmap}
	// post version 3: the header without glyph names.
	if post := tables["post"]; len(post) >= 32 {
		p := slices.Clone(post[:32])
		binary.BigEndian.PutUint32(p, 0x00030000)
		out["post"] = p
	}
	for _, tag := range []string{"cvt ", "fpgm", "prep"} {
		if t := tables[tag]; t != nil {
			out[tag] = t
		}
	}
	return ttAssemble(out), nil
}

// emptyCmap is a cmap that maps no character (one Windows Unicode
// subtable, format 4, with only the closing segment). The PDF reaches
// glyphs by id (CIDToGIDMap Identity) and never uses it, but font
// parsers want a cmap to be there.
var emptyCmap = []byte{
	0, 0, 0, 1, // version, one subtable
	0, 3, 0, 1, 0, 0, 0, 12, // Windows, Unicode BMP, at offset 12
	0, 4, 0, 24, 0, 0, // format 4, length 24, language
	0, 2, 0, 2, 0, 0, 0, 0, // segCountX2, searchRange, entrySelector, rangeShift
	0xFF, 0xFF, 0, 0, // endCode, reservedPad
	0xFF, 0xFF, 0, 1, 0, 0, // startCode, idDelta, idRangeOffset
}

// ttTables reads a TrueType font's table directory.
func ttTables(ttf []byte) (map[string][]byte, error) {
	if len(ttf) < 12 {
		return nil, errors.New("font: too short")
	}
	if v := binary.BigEndian.Uint32(ttf); v != 0x00010000 && v != 0x74727565 {
		return nil, errors.New("font: not a TrueType font")
	}
	n := int(binary.BigEndian.Uint16(ttf[4:]))
	if 12+16*n > len(ttf) {
		return nil, errors.New("font: table directory past the end")
	}
	tables := map[string][]byte{}
	for i := range n {
		rec := ttf[12+16*i:]
		off, length := uint64(binary.BigEndian.Uint32(rec[8:])), uint64(binary.BigEndian.Uint32(rec[12:]))
		if off+length > uint64(len(ttf)) {
			return nil, fmt.Errorf("font: table %q past the end", rec[:4])
		}
		tables[string(rec[:4])] = ttf[off : off+length]
	}
	return tables, nil
}

// components lists the glyphs a composite glyph is made of (none for a
// simple or empty glyph).
func components(g []byte) ([]uint16, error) {
	if len(g) < 10 || int16(binary.BigEndian.Uint16(g)) >= 0 {
		return nil, nil
	}
	const (
		argsAreWords = 0x0001
		haveScale    = 0x0008
		moreComps    = 0x0020
		haveXYScale  = 0x0040
		have2x2      = 0x0080
	)
	var out []uint16
	p := 10
	for {
		if p+4 > len(g) {
			return nil, errors.New("composite glyph past its end")
		}
		flags, gid := binary.BigEndian.Uint16(g[p:]), binary.BigEndian.Uint16(g[p+2:])
		out = append(out, gid)
		p += 4
		if flags&argsAreWords != 0 {
			p += 4
		} else {
			p += 2
		}
		switch {
		case flags&haveScale != 0:
			p += 2
		case flags&haveXYScale != 0:
			p += 4
		case flags&have2x2 != 0:
			p += 8
		}
		if flags&moreComps == 0 {
			return out, nil
		}
		if len(out) > 1000 {
			return nil, errors.New("composite glyph with too many components")
		}
	}
}

// ttAssemble writes tables as a TrueType font: sorted table records,
// 4-byte aligned tables, checksums, and head's checkSumAdjustment.
func ttAssemble(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	n := len(tags)
	entrySelector := 0
	for 1<<(entrySelector+1) <= n {
		entrySelector++
	}
	searchRange := 16 << entrySelector
	out := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	binary.BigEndian.PutUint16(out[6:], uint16(searchRange))
	binary.BigEndian.PutUint16(out[8:], uint16(entrySelector))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-searchRange))
	headAt := 0
	for i, tag := range tags {
		data := tables[tag]
		rec := out[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], ttChecksum(data))
		binary.BigEndian.PutUint32(rec[8:], uint32(len(out)))
		binary.BigEndian.PutUint32(rec[12:], uint32(len(data)))
		if tag == "head" {
			headAt = len(out)
		}
		out = append(out, data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-ttChecksum(out))
	return out
}

// ttChecksum is the sum of a table's big-endian 32-bit words, the last
// one padded with zeros.
func ttChecksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i < len(b); i += 4 {
		var w [4]byte
		copy(w[:], b[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
