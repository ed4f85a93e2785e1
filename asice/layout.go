package asice

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
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
var ErrDamaged = errors.New("damaged container")

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

// centralDirectory finds where the central directory starts and ends,
// and how many records it says it has, from the end of central directory
// record (and its zip64 form).
func centralDirectory(r io.ReaderAt, size int64) (start, end int64, records uint64, err error) {
	tail := min(size, eocdFixed+math.MaxUint16)
	buf, err := readAt(r, size, size-tail, int(tail))
	if err != nil {
		return 0, 0, 0, err
	}
	at := -1
	for i := len(buf) - eocdFixed; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) == sigEOCD &&
			i+eocdFixed+int(binary.LittleEndian.Uint16(buf[i+20:])) == len(buf) { // the comment ends the file
			at = i
			break
		}
	}
	if at < 0 {
		return 0, 0, 0, damaged("no end of central directory record ending the file")
	}
	eocd := buf[at:]
	eocdPos := size - tail + int64(at)
	records = uint64(binary.LittleEndian.Uint16(eocd[10:]))
	cdSize := uint64(binary.LittleEndian.Uint32(eocd[12:]))
	cdOff := uint64(binary.LittleEndian.Uint32(eocd[16:]))
	end = eocdPos
	if records == math.MaxUint16 || cdSize == math.MaxUint32 || cdOff == math.MaxUint32 {
		loc, err := readAt(r, size, eocdPos-20, 20)
		if err != nil || binary.LittleEndian.Uint32(loc) != sigEOCD64Loc {
			return 0, 0, 0, damaged("a zip64 end of central directory is announced but not found")
		}
		off64 := binary.LittleEndian.Uint64(loc[8:])
		if off64 > uint64(size) {
			return 0, 0, 0, damaged("the zip64 end of central directory lies past the end of the file")
		}
		rec, err := readAt(r, size, int64(off64), 56)
		if err != nil || binary.LittleEndian.Uint32(rec) != sigEOCD64 {
			return 0, 0, 0, damaged("no zip64 end of central directory record where its locator points")
		}
		records = binary.LittleEndian.Uint64(rec[32:])
		cdSize = binary.LittleEndian.Uint64(rec[40:])
		cdOff = binary.LittleEndian.Uint64(rec[48:])
		end = int64(off64)
	}
	if cdOff > uint64(end) || cdSize != uint64(end)-cdOff {
		return 0, 0, 0, damaged("the central directory's offset and size do not meet its end record")
	}
	return int64(cdOff), end, records, nil
}

// checkLayout walks the local headers from offset 0 and checks each
// against files (the central directory, in its order): one local entry
// per record, in order, with no byte before, between or after them up to
// the central directory; the same name, method and flags, and the same
// CRC and sizes (in the local header, or in the data descriptor that
// follows the data when flag bit 3 says so). Encrypted entries are
// refused.
func checkLayout(r io.ReaderAt, size int64, files []*zip.File) error {
	cdStart, _, records, err := centralDirectory(r, size)
	if err != nil {
		return err
	}
	if records != uint64(len(files)) {
		return damaged("the end record counts %d entries, the central directory has %d", records, len(files))
	}
	var pos int64
	for _, f := range files {
		h, err := readAt(r, size, pos, localFixed)
		if err != nil {
			return err
		}
		if binary.LittleEndian.Uint32(h) != sigLocal {
			if pos == 0 {
				return damaged("the file does not start with a zip entry (bytes precede it)")
			}
			return damaged("bytes hidden at offset %d, after the entry before %q", pos, f.Name)
		}
		flags := binary.LittleEndian.Uint16(h[6:])
		method := binary.LittleEndian.Uint16(h[8:])
		crc := binary.LittleEndian.Uint32(h[14:])
		csize, usize := uint64(binary.LittleEndian.Uint32(h[18:])), uint64(binary.LittleEndian.Uint32(h[22:]))
		nameLen, extraLen := int(binary.LittleEndian.Uint16(h[26:])), int(binary.LittleEndian.Uint16(h[28:]))
		name, err := readAt(r, size, pos+localFixed, nameLen)
		if err != nil {
			return err
		}
		switch {
		case string(name) != f.Name:
			return damaged("the entry %q is named %q in its local header", f.Name, name)
		case flags&flagEncrypted != 0 || f.Flags&flagEncrypted != 0:
			return damaged("the entry %q is encrypted", f.Name)
		case flags&flagDataDesc != f.Flags&flagDataDesc:
			return damaged("the entry %q says where its sizes are differently in its local header", f.Name)
		case method != f.Method:
			return damaged("the entry %q has compression method %d in its local header, %d in the directory", f.Name, method, f.Method)
		}
		dataStart := pos + localFixed + int64(nameLen) + int64(extraLen)
		if off, err := f.DataOffset(); err != nil || off != dataStart {
			return damaged("the directory's record of %q points to another local entry (it is not the next one)", f.Name)
		}
		if flags&flagDataDesc == 0 {
			if csize == math.MaxUint32 || usize == math.MaxUint32 {
				extra, err := readAt(r, size, pos+localFixed+int64(nameLen), extraLen)
				if err != nil {
					return err
				}
				if usize, csize, err = zip64Sizes(extra, usize, csize); err != nil {
					return damaged("the entry %q: %v", f.Name, err)
				}
			}
			if crc != f.CRC32 || csize != f.CompressedSize64 || usize != f.UncompressedSize64 {
				return damaged("the entry %q has another CRC or size in its local header than in the directory", f.Name)
			}
		}
		if f.CompressedSize64 > uint64(size-dataStart) {
			return damaged("the data of %q runs past the end of the file", f.Name)
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

// zip64Sizes reads the zip64 extended information of a local header's
// extra field: the uncompressed, then the compressed size, each present
// when its 32-bit field is all ones.
func zip64Sizes(extra []byte, usize, csize uint64) (uint64, uint64, error) {
	for len(extra) >= 4 {
		id, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		if n > len(extra)-4 {
			break
		}
		body := extra[4 : 4+n]
		if id == 0x0001 {
			if usize == math.MaxUint32 {
				if len(body) < 8 {
					return 0, 0, errors.New("short zip64 field")
				}
				usize, body = binary.LittleEndian.Uint64(body), body[8:]
			}
			if csize == math.MaxUint32 {
				if len(body) < 8 {
					return 0, 0, errors.New("short zip64 field")
				}
				csize = binary.LittleEndian.Uint64(body)
			}
			return usize, csize, nil
		}
		extra = extra[4+n:]
	}
	return 0, 0, errors.New("sizes announced in a zip64 field that is missing")
}

// checkDescriptor reads the data descriptor at pos (an optional
// signature, the CRC, then both sizes in 4 or, for zip64, 8 bytes) and
// checks it against the directory; it returns where the next entry
// starts.
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
	if len(b) >= 20 && bytes.Equal(b[:4], crc) &&
		binary.LittleEndian.Uint64(b[4:]) == f.CompressedSize64 && binary.LittleEndian.Uint64(b[12:]) == f.UncompressedSize64 {
		return pos + 20, nil
	}
	return 0, damaged("the data descriptor of %q does not match its directory record", f.Name)
}
