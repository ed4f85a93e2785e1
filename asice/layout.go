package asice

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/signet-sign/signet/i18n"
)

// A zip is read through its central directory (archive/zip), but other
// readers — a streaming one, unzip, another validator — read the local
// headers in front of each entry's data. Where the two disagree, what
// Signet verified is not what they see: a name in the directory and
// another in the local header, a local entry no directory record lists,
// records that share one local entry (a zip bomb that costs no bytes),
// bytes hidden before the first entry or between entries. checkLayout
// walks the local headers from the first byte to the central directory
// and refuses every such disagreement; what it accepts is a zip every
// reader reads alike.

// ErrDamaged reports a container whose zip structure is inconsistent.
var ErrDamaged = i18n.Errorf("err.container_damaged", nil)

const (
	sigLocal      = 0x04034b50
	sigDescriptor = 0x08074b50
	sigEOCD       = 0x06054b50
	sigEOCD64Loc  = 0x07064b50
	sigEOCD64     = 0x06064b50
	flagEncrypted = 0x1
	flagDataDesc  = 0x8
	localFixed    = 30
	eocdFixed     = 22
)

func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}

// readAt reads n bytes at off, range-checked against size.
func readAt(r io.ReaderAt, size int64, off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off > size || int64(n) > size-off {
		return nil, damaged("a structure at offset %d runs past the end of the file (%d bytes)", off, size)
	}
	b := make([]byte, n)
	if _, err := r.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("%w: read at %d: %v", ErrDamaged, off, err)
	}
	return b, nil
}

// centralDirectory reads the end of central directory record as
// archive/zip does (the last one in the file) and the central directory's
// records: where the directory starts, and each record's header fields,
// name, extra field and comment. Refused: a record that does not end the
// file (bytes after it), an archive comment, zip64 (never needed within
// Signet's limits, and read differently by different readers), spanning
// disks, records that do not fill the directory exactly.
func centralDirectory(r io.ReaderAt, size int64) (start int64, records []cdRecord, err error) {
	tail := min(size, eocdFixed+math.MaxUint16)
	buf, err := readAt(r, size, size-tail, int(tail))
	if err != nil {
		return 0, nil, err
	}
	at := -1
	for i := len(buf) - eocdFixed; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) == sigEOCD {
			at = i // the last one, as archive/zip takes it
			break
		}
	}
	if at < 0 {
		return 0, nil, damaged("no end of central directory record")
	}
	eocd := buf[at:]
	eocdPos := size - tail + int64(at)
	if comment := int(binary.LittleEndian.Uint16(eocd[20:])); comment != 0 || at+eocdFixed != len(buf) {
		return 0, nil, damaged("bytes or a comment after the end of central directory record")
	}
	disk, cdDisk := binary.LittleEndian.Uint16(eocd[4:]), binary.LittleEndian.Uint16(eocd[6:])
	onDisk, total := binary.LittleEndian.Uint16(eocd[8:]), binary.LittleEndian.Uint16(eocd[10:])
	cdSize, cdOff := binary.LittleEndian.Uint32(eocd[12:]), binary.LittleEndian.Uint32(eocd[16:])
	switch {
	case total == math.MaxUint16 || onDisk == math.MaxUint16 || cdSize == math.MaxUint32 || cdOff == math.MaxUint32:
		return 0, nil, damaged("a zip64 archive (a container within Signet's limits never needs one)")
	case at >= 20 && binary.LittleEndian.Uint32(buf[at-20:]) == sigEOCD64Loc:
		return 0, nil, damaged("a zip64 locator before the end record")
	case disk != 0 || cdDisk != 0 || onDisk != total:
		return 0, nil, damaged("an archive spanning disks")
	case int64(cdOff) > eocdPos || int64(cdSize) != eocdPos-int64(cdOff):
		return 0, nil, damaged("the central directory's offset and size do not meet its end record")
	}
	dir, err := readAt(r, size, int64(cdOff), int(cdSize))
	if err != nil {
		return 0, nil, err
	}
	for len(dir) > 0 {
		if len(dir) < cdFixed || binary.LittleEndian.Uint32(dir) != sigCentral {
			return 0, nil, damaged("the central directory holds something else than its records")
		}
		rec := cdRecord{
			flags:      binary.LittleEndian.Uint16(dir[8:]),
			method:     binary.LittleEndian.Uint16(dir[10:]),
			crc:        binary.LittleEndian.Uint32(dir[16:]),
			csize:      binary.LittleEndian.Uint32(dir[20:]),
			usize:      binary.LittleEndian.Uint32(dir[24:]),
			disk:       binary.LittleEndian.Uint16(dir[34:]),
			offset:     binary.LittleEndian.Uint32(dir[42:]),
			nameLen:    int(binary.LittleEndian.Uint16(dir[28:])),
			extraLen:   int(binary.LittleEndian.Uint16(dir[30:])),
			commentLen: int(binary.LittleEndian.Uint16(dir[32:])),
		}
		n := cdFixed + rec.nameLen + rec.extraLen + rec.commentLen
		if n > len(dir) {
			return 0, nil, damaged("a central directory record runs past the directory")
		}
		rec.name = string(dir[cdFixed : cdFixed+rec.nameLen])
		rec.extra = dir[cdFixed+rec.nameLen : cdFixed+rec.nameLen+rec.extraLen]
		records = append(records, rec)
		dir = dir[n:]
	}
	if len(records) != int(total) {
		return 0, nil, damaged("the end record counts %d entries, the central directory has %d", total, len(records))
	}
	return int64(cdOff), records, nil
}

// cdRecord is a central directory record as the file has it.
type cdRecord struct {
	flags, method, disk           uint16
	crc, csize, usize, offset     uint32
	nameLen, extraLen, commentLen int
	name                          string
	extra                         []byte
}

const (
	sigCentral = 0x02014b50
	cdFixed    = 46
)

// refusedExtra are extra fields that give an entry another name or
// comment than its header's, or zip64 sizes: readers that honour them
// (Info-ZIP's Unicode path and comment) would see another file than
// Signet verified.
var refusedExtra = map[uint16]string{0x0001: "zip64 sizes", 0x7075: "a Unicode path", 0x6375: "a Unicode comment"}

// checkExtra refuses an extra field Signet does not read alike.
func checkExtra(name string, extra []byte) error {
	for len(extra) >= 4 {
		id, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		if what, refused := refusedExtra[id]; refused {
			return damaged("the entry %q carries %s in an extra field", name, what)
		}
		if n > len(extra)-4 {
			return damaged("the entry %q has a malformed extra field", name)
		}
		extra = extra[4+n:]
	}
	if len(extra) != 0 {
		return damaged("the entry %q has a malformed extra field", name)
	}
	return nil
}

// checkLayout walks the local headers from offset 0 and checks each
// against the central directory's records as the file has them and as
// archive/zip read them (files, in order): one local entry per record,
// in order, with no byte before, between or after them up to the central
// directory; the same name, method and flags, and the same CRC and sizes
// (in the local header, or in the data descriptor that follows the data
// when flag bit 3 says so). Refused too: encrypted entries, entry
// comments, extra fields that rename an entry.
func checkLayout(r io.ReaderAt, size int64, files []*zip.File) error {
	cdStart, records, err := centralDirectory(r, size)
	if err != nil {
		return err
	}
	if len(records) != len(files) {
		return damaged("archive/zip reads %d entries where the central directory has %d", len(files), len(records))
	}
	var pos int64
	for i, f := range files {
		rec := records[i]
		switch {
		case rec.name != f.Name || rec.method != f.Method || rec.flags != f.Flags || rec.crc != f.CRC32 ||
			uint64(rec.csize) != f.CompressedSize64 || uint64(rec.usize) != f.UncompressedSize64:
			return damaged("the central directory record of %q is not what zip readers make of it", f.Name)
		case rec.commentLen != 0:
			return damaged("the entry %q has a comment", f.Name)
		case rec.disk != 0:
			return damaged("the entry %q lies on another disk", f.Name)
		case int64(rec.offset) != pos:
			if pos == 0 {
				return damaged("the file does not start with a zip entry (bytes precede it)")
			}
			return damaged("the record of %q points to offset %d, where the entry before it ends at %d", f.Name, rec.offset, pos)
		}
		if err := checkExtra(f.Name, rec.extra); err != nil {
			return err
		}
		h, err := readAt(r, size, pos, localFixed)
		if err != nil {
			return err
		}
		if binary.LittleEndian.Uint32(h) != sigLocal {
			return damaged("no local header of %q at offset %d", f.Name, pos)
		}
		flags := binary.LittleEndian.Uint16(h[6:])
		method := binary.LittleEndian.Uint16(h[8:])
		crc := binary.LittleEndian.Uint32(h[14:])
		csize, usize := binary.LittleEndian.Uint32(h[18:]), binary.LittleEndian.Uint32(h[22:])
		nameLen, extraLen := int(binary.LittleEndian.Uint16(h[26:])), int(binary.LittleEndian.Uint16(h[28:]))
		name, err := readAt(r, size, pos+localFixed, nameLen)
		if err != nil {
			return err
		}
		extra, err := readAt(r, size, pos+localFixed+int64(nameLen), extraLen)
		if err != nil {
			return err
		}
		switch {
		case string(name) != f.Name:
			return damaged("the entry %q is named %q in its local header", f.Name, name)
		case flags&flagEncrypted != 0:
			return damaged("the entry %q is encrypted", f.Name)
		case flags != f.Flags:
			return damaged("the entry %q has other flags in its local header", f.Name)
		case method != f.Method:
			return damaged("the entry %q has compression method %d in its local header, %d in the directory", f.Name, method, f.Method)
		case flags&flagDataDesc == 0 && (crc != f.CRC32 || uint64(csize) != f.CompressedSize64 || uint64(usize) != f.UncompressedSize64):
			return damaged("the entry %q has another CRC or size in its local header than in the directory", f.Name)
		case flags&flagDataDesc != 0 && !((crc == 0 && csize == 0 && usize == 0) ||
			(crc == f.CRC32 && uint64(csize) == f.CompressedSize64 && uint64(usize) == f.UncompressedSize64)):
			return damaged("the entry %q has a CRC or size in its local header that its data descriptor contradicts", f.Name)
		}
		if err := checkExtra(f.Name, extra); err != nil {
			return err
		}
		dataStart := pos + localFixed + int64(nameLen) + int64(extraLen)
		if off, err := f.DataOffset(); err != nil || off != dataStart {
			return damaged("the directory's record of %q points to another local entry (it is not the next one)", f.Name)
		}
		if dataStart > cdStart || f.CompressedSize64 > uint64(cdStart-dataStart) {
			return damaged("the data of %q runs into the central directory", f.Name)
		}
		pos = dataStart + int64(f.CompressedSize64)
		if flags&flagDataDesc != 0 {
			if pos, err = checkDescriptor(r, size, pos, f); err != nil {
				return err
			}
		}
		if pos > cdStart {
			return damaged("the entry %q overlaps the central directory", f.Name)
		}
	}
	if pos != cdStart {
		return damaged("%d bytes hidden between the last entry and the central directory", cdStart-pos)
	}
	return nil
}

// checkDescriptor reads the data descriptor at pos (an optional
// signature, the CRC, then both sizes in 4 bytes: zip64's 8 are refused
// with zip64) and checks it against the directory; it returns where the
// next entry starts.
func checkDescriptor(r io.ReaderAt, size, pos int64, f *zip.File) (int64, error) {
	b, err := readAt(r, size, pos, int(min(24, size-pos)))
	if err != nil {
		return 0, err
	}
	if len(b) >= 4 && binary.LittleEndian.Uint32(b) == sigDescriptor {
		b, pos = b[4:], pos+4
	}
	crc := make([]byte, 4)
	binary.LittleEndian.PutUint32(crc, f.CRC32)
	if len(b) >= 12 && bytes.Equal(b[:4], crc) &&
		uint64(binary.LittleEndian.Uint32(b[4:])) == f.CompressedSize64 && uint64(binary.LittleEndian.Uint32(b[8:])) == f.UncompressedSize64 {
		return pos + 12, nil
	}
	return 0, damaged("the data descriptor of %q does not match its directory record", f.Name)
}
