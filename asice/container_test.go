package asice

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/testpki"
)

type entry struct {
	name   string
	data   string
	method uint16
}

func build(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.data))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func manifest(files ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">`)
	b.WriteString(`<manifest:file-entry manifest:full-path="/" manifest:media-type="` + MimeType + `"/>`)
	for _, f := range files {
		b.WriteString(`<manifest:file-entry manifest:full-path="` + f + `" manifest:media-type="application/octet-stream"/>`)
	}
	b.WriteString(`</manifest:manifest>`)
	return b.String()
}

var (
	mimetype   = entry{"mimetype", MimeType, zip.Store}
	fileA      = entry{"līgums.txt", "Apstiprinu.", zip.Deflate}
	fileB      = entry{"pielikums/tabula.csv", "a;b\n1;2\n", zip.Deflate}
	signatures = entry{"META-INF/signatures0.xml", "<asic:XAdESSignatures/>", zip.Deflate}
)

func open(t *testing.T, data []byte, lim Limits) (*Container, error) {
	t.Helper()
	return Open(bytes.NewReader(data), int64(len(data)), lim)
}

func checkStatus(c *Container, name string) Status {
	for _, k := range c.Checks {
		if k.Name == name {
			return k.Status
		}
	}
	return ""
}

func TestOpen(t *testing.T) {
	good := build(t, mimetype, fileA, fileB, entry{"META-INF/manifest.xml", manifest("līgums.txt", "pielikums/tabula.csv"), zip.Deflate}, signatures)
	c, err := open(t, good, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Valid() || len(c.Files) != 2 || len(c.Signatures) != 1 || c.Files[1].Name != "pielikums/tabula.csv" || c.Files[0].MimeType != "application/octet-stream" {
		t.Fatalf("%+v", c)
	}
	// Data files stream from the zip; nothing of them is held.
	rc, err := c.Files[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	content, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(content) != "Apstiprinu." || c.Files[0].Data != nil || c.Files[0].Size != int64(len(content)) {
		t.Errorf("the first file reads %q, %v", content, err)
	}
	if checkStatus(c, "mimetype") != Passed || checkStatus(c, "manifest") != Passed {
		t.Errorf("checks %+v", c.Checks)
	}

	for _, tc := range []struct {
		name    string
		entries []entry
		check   string
	}{
		{"mimetype compressed", []entry{{"mimetype", MimeType, zip.Deflate}, fileA, {"META-INF/manifest.xml", manifest("līgums.txt"), zip.Deflate}, signatures}, "mimetype"},
		{"mimetype not first", []entry{fileA, mimetype, {"META-INF/manifest.xml", manifest("līgums.txt"), zip.Deflate}, signatures}, "mimetype"},
		{"mimetype wrong", []entry{{"mimetype", "application/zip", zip.Store}, fileA, {"META-INF/manifest.xml", manifest("līgums.txt"), zip.Deflate}, signatures}, "mimetype"},
		{"mimetype missing", []entry{fileA, {"META-INF/manifest.xml", manifest("līgums.txt"), zip.Deflate}, signatures}, "mimetype"},
		{"data file added", []entry{mimetype, fileA, fileB, {"META-INF/manifest.xml", manifest("līgums.txt"), zip.Deflate}, signatures}, "manifest"},
		{"manifest edited", []entry{mimetype, fileA, {"META-INF/manifest.xml", manifest("līgums.txt", "cits.txt"), zip.Deflate}, signatures}, "manifest"},
		{"manifest missing", []entry{mimetype, fileA, signatures}, "manifest"},
		{"manifest broken", []entry{mimetype, fileA, {"META-INF/manifest.xml", "<manifest", zip.Deflate}, signatures}, "manifest"},
	} {
		t.Run("fail "+tc.name, func(t *testing.T) {
			c, err := open(t, build(t, tc.entries...), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if c.Valid() || checkStatus(c, tc.check) != Failed {
				t.Errorf("%s: %+v", tc.check, c.Checks)
			}
		})
	}
	t.Run("warning no signatures", func(t *testing.T) {
		c, err := open(t, build(t, mimetype, fileA, entry{"META-INF/manifest.xml", manifest("līgums.txt"), zip.Deflate}), Limits{})
		if err != nil || checkStatus(c, "signatures") != Warning {
			t.Errorf("%v %+v", err, c)
		}
	})
}

func TestOpenRefuses(t *testing.T) {
	big := strings.Repeat("0", 3<<20)
	for _, tc := range []struct {
		name    string
		entries []entry
		lim     Limits
		want    error
		says    string
	}{
		{"parent directory", []entry{mimetype, {"../evil.sh", "x", zip.Deflate}}, Limits{}, ErrUnsafe, "leaves the container"},
		{"nested parent", []entry{mimetype, {"a/../../evil.sh", "x", zip.Deflate}}, Limits{}, ErrUnsafe, "leaves the container"},
		{"absolute", []entry{mimetype, {"/etc/passwd", "x", zip.Deflate}}, Limits{}, ErrUnsafe, "leaves the container"},
		{"backslash", []entry{mimetype, {`..\evil.sh`, "x", zip.Deflate}}, Limits{}, ErrUnsafe, "leaves the container"},
		{"twice", []entry{mimetype, fileA, fileA}, Limits{}, ErrUnsafe, "appears twice"},
		{"zip bomb", []entry{mimetype, {"bomb.bin", big, zip.Deflate}}, Limits{Entry: 1 << 20}, ErrUnsafe, "more than the 1048576 allowed"},
		{"total", []entry{mimetype, {"a.bin", big, zip.Deflate}, {"b.bin", big, zip.Deflate}}, Limits{Total: 4 << 20}, ErrUnsafe, "more than 4194304 bytes"},
		{"entries", []entry{mimetype, fileA, fileB, signatures}, Limits{Entries: 3}, ErrUnsafe, "entries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := open(t, build(t, tc.entries...), tc.lim)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.says) || c != nil {
				t.Errorf("%v, want %v saying %q", err, tc.want, tc.says)
			}
		})
	}
	if _, err := open(t, []byte("%PDF-1.7 not a zip"), Limits{}); !errors.Is(err, ErrNotContainer) {
		t.Errorf("not a zip: %v", err)
	}
}

// FuzzOpen: any bytes give a container or an error, never a panic, and
// never more data than the limits allow.
func FuzzOpen(f *testing.F) {
	f.Add(build(f, mimetype, fileA, entry{"META-INF/manifest.xml", manifest("līgums.txt"), zip.Deflate}, signatures))
	f.Add(build(f, mimetype, entry{"../x", "y", zip.Store}))
	f.Add([]byte("PK\x03\x04"))
	f.Add(build(f, mimetype, fileA, entry{"META-INF/manifest.xml", manifest("līgums.txt"), zip.Deflate},
		entry{"META-INF/signatures0.xml", `<a xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Signature Id="S"><ds:SignedInfo><ds:Reference URI="#S"/></ds:SignedInfo></ds:Signature></a>`, zip.Deflate}))
	f.Add(build(f, mimetype, entry{"META-INF/signatures0.xml", strings.Repeat("<a>", 100000), zip.Deflate}))
	// Long-term data, parts missing: OCSP values without CRL values, an
	// archive timestamp whose token is not one; a real certificate so
	// that verification gets that far.
	pki, err := testpki.New()
	if err != nil {
		f.Fatal(err)
	}
	certB64 := base64.StdEncoding.EncodeToString(pki.Intermediate.Cert.Raw)
	f.Add(build(f, mimetype, fileA, entry{"META-INF/manifest.xml", manifest("līgums.txt"), zip.Deflate},
		entry{"META-INF/signatures0.xml", `<a xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:x="http://uri.etsi.org/01903/v1.3.2#" xmlns:y="http://uri.etsi.org/01903/v1.4.1#">` +
			`<ds:Signature Id="S"><ds:SignedInfo><ds:Reference URI="l%C4%ABgums.txt"/></ds:SignedInfo><ds:SignatureValue>AA==</ds:SignatureValue>` +
			`<ds:KeyInfo><ds:X509Data><ds:X509Certificate>` + certB64 + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
			`<ds:Object><x:QualifyingProperties><x:UnsignedProperties><x:UnsignedSignatureProperties>` +
			`<x:SignatureTimeStamp><x:EncapsulatedTimeStamp>AA==</x:EncapsulatedTimeStamp></x:SignatureTimeStamp>` +
			`<x:CertificateValues><x:EncapsulatedX509Certificate>AA==</x:EncapsulatedX509Certificate></x:CertificateValues>` +
			`<x:RevocationValues><x:OCSPValues><x:EncapsulatedOCSPValue>AA==</x:EncapsulatedOCSPValue></x:OCSPValues></x:RevocationValues>` +
			`<y:ArchiveTimeStamp><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><x:EncapsulatedTimeStamp>AA==</x:EncapsulatedTimeStamp></y:ArchiveTimeStamp>` +
			`</x:UnsignedSignatureProperties></x:UnsignedProperties></x:QualifyingProperties></ds:Object></ds:Signature></a>`, zip.Deflate}))
	// Lying zips (issue 27): junk before the first entry, a local header
	// whose name differs from the directory's, a directory record that
	// points at another entry's local header.
	good := build(f, mimetype, fileA, entry{"META-INF/manifest.xml", manifest("līgums.txt"), zip.Deflate})
	f.Add(append([]byte("JUNK"), good...))
	if i := bytes.Index(good, []byte("līgums.txt")); i >= 0 {
		renamed := bytes.Clone(good)
		copy(renamed[i:], "evil!s.exe")
		f.Add(renamed)
	}
	if i := bytes.LastIndex(good, []byte("PK\x01\x02")); i >= 0 {
		shared := bytes.Clone(good)
		shared[i+42], shared[i+43], shared[i+44], shared[i+45] = 0, 0, 0, 0 // the last record's local header offset: the first entry's
		f.Add(shared)
	}
	lim := Limits{Entries: 50, Entry: 1 << 20, Total: 2 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Open(bytes.NewReader(data), int64(len(data)), lim)
		if err != nil {
			return
		}
		var total int64
		for _, f := range c.Files {
			total += int64(len(f.Data))
		}
		for _, s := range c.Signatures {
			total += int64(len(s))
		}
		if total > lim.Total {
			t.Fatalf("%d bytes read, over the %d limit", total, lim.Total)
		}
		c.Verify(context.Background(), VerifyOptions{Roots: x509.NewCertPool()})
	})
}

func TestEntryOrder(t *testing.T) {
	names := []string{"META-INF/signatures10.xml", "META-INF/signatures.xml", "META-INF/signatures2.xml", "META-INF/signatures0.xml"}
	slices.SortFunc(names, entryOrder)
	want := []string{"META-INF/signatures.xml", "META-INF/signatures0.xml", "META-INF/signatures2.xml", "META-INF/signatures10.xml"}
	if !slices.Equal(names, want) {
		t.Errorf("%v", names)
	}
}
