package asice_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/signet-sign/signet/asice"
	"github.com/signet-sign/signet/internal/testhostilecontainer"
)

// TestLyingZips: every zip whose entries other readers would extract
// differently from what Signet verifies is refused, or its odd entry
// shown (issue 27 and its review).
func TestLyingZips(t *testing.T) {
	all, err := testhostilecontainer.Containers()
	if err != nil {
		t.Fatal(err)
	}
	refused := map[string]error{
		"local-name-differs": asice.ErrDamaged, "unlisted-local-entry": asice.ErrDamaged, "junk-before": asice.ErrDamaged,
		"shared-local-entry": asice.ErrDamaged, "unicode-path": asice.ErrDamaged, "entry-comment": asice.ErrDamaged,
		"zip64-locator": asice.ErrDamaged, "case-twins": asice.ErrUnsafe, "nul-name": asice.ErrUnsafe,
		"zip-bomb-4x400": asice.ErrUnsafe, "manifest-bomb": asice.ErrUnsafe, "mimetype-bomb": asice.ErrUnsafe,
		"manifest-2m-entries": asice.ErrUnsafe, "xml-big-certificate": asice.ErrUnsafe, "signature-documents": asice.ErrUnsafe,
		"spoofed-names": asice.ErrUnsafe,
	}
	for _, h := range all {
		t.Run(h.Name, func(t *testing.T) {
			c, err := asice.Open(bytes.NewReader(h.Data), int64(len(h.Data)), asice.Limits{})
			if want, ok := refused[h.Name]; ok {
				if !errors.Is(err, want) {
					t.Errorf("%s: got %v, want %v", h.What, err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", h.What, err)
			}
			if h.Name == "directory-attribute" {
				// A file whatever its attributes say: listed, and the
				// manifest check names it.
				if !slices.ContainsFunc(c.Files, func(f asice.File) bool { return f.Name == "payload.exe" }) || c.Valid() {
					t.Errorf("the entry flagged a directory is not seen as the file it is: %+v %+v", c.Files, c.Checks)
				}
			}
		})
	}
}
