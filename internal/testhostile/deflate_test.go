package testhostile

import (
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"testing"
)

func TestRepeatDeflate(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		total   int64
	}{
		{"\x00", 1}, {"\x00", 1 << 20}, {"ab", 1001}, {`<e p="x"/>`, 70_000}, {"xyz", 3},
	} {
		data, crc := RepeatDeflate([]byte(tc.pattern), tc.total)
		got, err := io.ReadAll(flate.NewReader(bytes.NewReader(data)))
		if err != nil {
			t.Fatalf("%q×%d: %v", tc.pattern, tc.total, err)
		}
		want := bytes.Repeat([]byte(tc.pattern), int(tc.total)/len(tc.pattern)+1)[:tc.total]
		if !bytes.Equal(got, want) || crc != crc32.ChecksumIEEE(want) {
			t.Errorf("%q×%d: %d bytes, crc %x", tc.pattern, tc.total, len(got), crc)
		}
	}
}
