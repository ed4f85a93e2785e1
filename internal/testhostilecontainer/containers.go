// Package testhostilecontainer builds hostile ASiC-E containers, one per
// class of attack on a container reader (the second hostile-input
// review): zip bombs and lying zips, XML floods, reference floods,
// transforms, spoofed names. (Apart from package testhostile, which the
// PDF reader's tests import, because these are signed with package asice,
// which imports the PDF reader.)
package testhostilecontainer

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"
	"time"

	"github.com/signet-sign/signet/asice"
	"github.com/signet-sign/signet/internal/testhostile"
	"github.com/signet-sign/signet/internal/testpki"
)

// Each container is a few KB to a few MB; what it expands to is written
// in its What.

// zipEntry is an entry of a zip written by hand.
type zipEntry struct {
	name    string // in the local header
	central string // in the directory record, when it differs
	method  uint16 // 0 stored, 8 deflated
	data    []byte // as stored (compressed or not)
	crc     uint32
	usize   uint64
	// localOnly: no directory record lists it; shareOf ≥ 0: a directory
	// record only, pointing at that earlier entry's local header.
	localOnly bool
	shareOf   int
	// external attributes, extra field (local and central) and comment
	// (central) of the record.
	external uint32
	extra    []byte
	comment  string
}

func stored(name string, data []byte) zipEntry {
	return zipEntry{name: name, data: data, crc: crc32.ChecksumIEEE(data), usize: uint64(len(data)), shareOf: -1}
}

// deflated is an entry whose content is pattern repeated to size bytes.
func deflated(name string, pattern []byte, size int64) zipEntry {
	data, crc := testhostile.RepeatDeflate(pattern, size)
	return zipEntry{name: name, method: 8, data: data, crc: crc, usize: uint64(size), shareOf: -1}
}

// rawZip writes prefix, the local entries, the central directory and its
// end record.
func rawZip(prefix []byte, entries []zipEntry) []byte {
	var b bytes.Buffer
	b.Write(prefix)
	offsets := make([]int, len(entries))
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	for i, e := range entries {
		if e.shareOf >= 0 {
			continue
		}
		offsets[i] = b.Len()
		le(uint32(0x04034b50))
		le(uint16(20))
		le(uint16(0x800)) // UTF-8 names
		le(e.method)
		le(uint32(0)) // time, date
		le(e.crc)
		le(uint32(len(e.data)))
		le(uint32(e.usize))
		le(uint16(len(e.name)))
		le(uint16(len(e.extra)))
		b.WriteString(e.name)
		b.Write(e.extra)
		b.Write(e.data)
	}
	cdStart, records := b.Len(), 0
	for i, e := range entries {
		if e.localOnly {
			continue
		}
		off, src := offsets[i], e
		if e.shareOf >= 0 {
			off, src = offsets[e.shareOf], entries[e.shareOf]
		}
		name := e.name
		if e.central != "" {
			name = e.central
		}
		le(uint32(0x02014b50))
		le(uint16(20))
		le(uint16(20))
		le(uint16(0x800))
		le(src.method)
		le(uint32(0))
		le(src.crc)
		le(uint32(len(src.data)))
		le(uint32(src.usize))
		le(uint16(len(name)))
		le(uint16(len(src.extra)))
		le(uint16(len(e.comment)))
		le(uint16(0)) // disk
		le(uint16(0)) // internal attributes
		le(e.external)
		le(uint32(off))
		b.WriteString(name)
		b.Write(src.extra)
		b.WriteString(e.comment)
		records++
	}
	cdEnd := b.Len()
	le(uint32(0x06054b50))
	le(uint16(0))
	le(uint16(0))
	le(uint16(records))
	le(uint16(records))
	le(uint32(cdEnd - cdStart))
	le(uint32(cdStart))
	le(uint16(0))
	return b.Bytes()
}

func mimetypeEntry() zipEntry { return stored("mimetype", []byte(asice.MimeType)) }

// manifestOf lists the data files.
func manifestOf(names ...string) zipEntry {
	var m strings.Builder
	m.WriteString(`<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">`)
	m.WriteString(`<manifest:file-entry manifest:full-path="/" manifest:media-type="` + asice.MimeType + `"/>`)
	for _, n := range names {
		m.WriteString(`<manifest:file-entry manifest:full-path="` + xmlAttr(n) + `" manifest:media-type="application/octet-stream"/>`)
	}
	m.WriteString(`</manifest:manifest>`)
	return stored("META-INF/manifest.xml", []byte(m.String()))
}

func xmlAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\n", "&#xA;", "\r", "&#xD;", "\t", "&#x9;").Replace(s)
}

var zeros = []byte{0}

// signer is the key the signed classes are signed with (their signature
// values are valid, so a verifier gets past them to the references).
type signer struct{ e testpki.Entity }

func newSigner() (*signer, error) {
	pki, err := testpki.New()
	if err != nil {
		return nil, err
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Hostile Signer", testpki.IssueOptions{})
	if err != nil {
		return nil, err
	}
	return &signer{e}, nil
}

// document is a XAdES signature document over files, its SignedInfo
// rewritten by edit (references added or changed) and signed again.
func (s *signer) document(files []asice.File, edit func(signedInfo string) string) ([]byte, error) {
	p, err := asice.Prepare(files, s.e.Cert, time.Now(), asice.PrepareOptions{})
	if err != nil {
		return nil, err
	}
	sig, err := ecdsa.SignASN1(rand.Reader, s.e.Key.(*ecdsa.PrivateKey), p.Digest())
	if err != nil {
		return nil, err
	}
	doc, err := p.Signature(sig)
	if err != nil {
		return nil, err
	}
	text := string(doc)
	i, j := strings.Index(text, "<ds:SignedInfo"), strings.Index(text, "</ds:SignedInfo>")+len("</ds:SignedInfo>")
	si := text[i:j]
	edited := edit(si)
	if edited == si {
		return doc, nil
	}
	digest := sha256.Sum256([]byte(edited))
	r, ss, err := ecdsa.Sign(rand.Reader, s.e.Key.(*ecdsa.PrivateKey), digest[:])
	if err != nil {
		return nil, err
	}
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	ss.FillBytes(raw[32:])
	k := strings.Index(text, "-SignatureValue\">") + len("-SignatureValue\">")
	l := strings.Index(text[k:], "<") + k
	return []byte(text[:i] + edited + text[j:k] + base64.StdEncoding.EncodeToString(raw) + text[l:]), nil
}

// zeroFile is a data file of n zero bytes, for Prepare to hash.
func zeroFile(name string, n int64) asice.File {
	return asice.File{Name: name, Size: n, Data: make([]byte, n)}
}

// Containers returns one container per class. Building them takes a few
// seconds (two signatures over 64 MB).
func Containers() ([]testhostile.File, error) {
	s, err := newSigner()
	if err != nil {
		return nil, err
	}
	var out []testhostile.File
	add := func(name, what string, data []byte) {
		out = append(out, testhostile.File{Name: name, What: what, Data: data})
	}

	add("zip-bomb", "one 500 MB entry of zeros, 3 MB deflated",
		rawZip(nil, []zipEntry{mimetypeEntry(), deflated("bomb.bin", zeros, 500<<20), manifestOf("bomb.bin")}))
	add("zip-bomb-4x400", "four 400 MB entries",
		rawZip(nil, []zipEntry{mimetypeEntry(), deflated("a.bin", zeros, 400<<20), deflated("b.bin", zeros, 400<<20),
			deflated("c.bin", zeros, 400<<20), deflated("d.bin", zeros, 400<<20), manifestOf("a.bin", "b.bin", "c.bin", "d.bin")}))
	shared := []zipEntry{mimetypeEntry(), deflated("data0.bin", zeros, 1<<20)}
	names := []string{"data0.bin"}
	for i := 1; i < 3000; i++ {
		name := fmt.Sprintf("data%d.bin", i)
		shared = append(shared, zipEntry{name: name, shareOf: 1})
		names = append(names, name)
	}
	add("shared-local-entry", "3,000 directory records sharing one 1 MB local entry", rawZip(nil, append(shared, manifestOf(names...))))
	add("manifest-bomb", "a 300 MB manifest.xml",
		rawZip(nil, []zipEntry{mimetypeEntry(), stored("a.txt", []byte("a")), deflated("META-INF/manifest.xml", []byte(" "), 300<<20)}))
	add("mimetype-bomb", "a 400 MB mimetype",
		rawZip(nil, []zipEntry{deflated("mimetype", []byte("x"), 400<<20), stored("a.txt", []byte("a")), manifestOf("a.txt")}))
	entryLine := []byte(`<manifest:file-entry manifest:full-path="f.txt" manifest:media-type="text/plain"/>`)
	add("manifest-2m-entries", "a manifest of 2,000,000 entries",
		rawZip(nil, []zipEntry{mimetypeEntry(), stored("a.txt", []byte("a")), deflated("META-INF/manifest.xml", entryLine, int64(len(entryLine))*2_000_000)}))

	// XML floods in a signature document.
	var attrs strings.Builder
	attrs.WriteString(`<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#">`)
	for range 25_000 {
		attrs.WriteString("<e")
		for j := range 60 {
			fmt.Fprintf(&attrs, ` a%d=""`, j)
		}
		attrs.WriteString("/>")
	}
	attrs.WriteString(`</asic:XAdESSignatures>`)
	base := []zipEntry{mimetypeEntry(), stored("a.txt", []byte("a")), manifestOf("a.txt")}
	add("xml-attributes", "1,500,000 attributes in a signature document (60 an element)",
		rawZip(nil, append(base[:3:3], stored("META-INF/signatures0.xml", []byte(attrs.String())))))
	var nss strings.Builder
	nss.WriteString(`<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#">`)
	for i := range 300_000 / 50 {
		nss.WriteString("<e")
		for j := range 50 {
			fmt.Fprintf(&nss, ` xmlns:p%d_%d="urn:x"`, i, j)
		}
		nss.WriteString("/>")
	}
	nss.WriteString(`</asic:XAdESSignatures>`)
	add("xml-namespaces", "300,000 namespace declarations in a signature document",
		rawZip(nil, append(base[:3:3], stored("META-INF/signatures0.xml", []byte(nss.String())))))
	add("xml-big-certificate", "a 300 MB signature document, as one base64 certificate",
		rawZip(nil, append(base[:3:3], deflated("META-INF/signatures0.xml", []byte("QUFB"), 300<<20))))

	// Reference floods, signed: the signature value holds, so every
	// reference is followed.
	big := zeroFile("big.bin", 64<<20)
	flood, err := s.document([]asice.File{big}, func(si string) string {
		i := strings.Index(si, `<ds:Reference Id="r0"`)
		j := strings.Index(si[i:], "</ds:Reference>") + i + len("</ds:Reference>")
		ref := si[i:j]
		var more strings.Builder
		for k := 1; k < 999; k++ { // with SignedProperties: the 1,000 a signature may have
			more.WriteString(strings.Replace(ref, `Id="r0"`, fmt.Sprintf(`Id="r0-%d"`, k), 1))
		}
		return si[:j] + more.String() + si[j:]
	})
	if err != nil {
		return nil, err
	}
	add("reference-flood", "999 signed references to one 64 MB file",
		rawZip(nil, []zipEntry{mimetypeEntry(), deflated("big.bin", zeros, 64<<20), manifestOf("big.bin"), stored("META-INF/signatures0.xml", flood)}))
	unsignedRefs := strings.Repeat(`<ds:Reference URI="big.bin"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference>`, 5000)
	add("reference-flood-unsigned", "5,000 references to a 64 MB file in a signature whose value is not valid",
		rawZip(nil, []zipEntry{mimetypeEntry(), deflated("big.bin", zeros, 64<<20), manifestOf("big.bin"),
			stored("META-INF/signatures0.xml", []byte(`<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Signature Id="S0"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>`+
				unsignedRefs+`</ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue><ds:KeyInfo><ds:X509Data><ds:X509Certificate>`+
				base64.StdEncoding.EncodeToString(s.e.Cert.Raw)+`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature></asic:XAdESSignatures>`))}))
	many := []zipEntry{mimetypeEntry(), stored("a.txt", []byte("a")), manifestOf("a.txt")}
	doc := []byte(`<asic:XAdESSignatures xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"/>`)
	for i := range 9990 {
		many = append(many, stored(fmt.Sprintf("META-INF/signatures%d.xml", i), doc))
	}
	add("signature-documents", "9,990 signature documents", rawZip(nil, many))

	// Lying zips.
	good := []zipEntry{mimetypeEntry(), stored("a.txt", []byte("a")), manifestOf("a.txt")}
	renamed := append([]zipEntry{}, good...)
	renamed[1].central, renamed[1].name = "a.txt", "evil.exe"
	add("local-name-differs", "the directory names a.txt, the local header evil.exe", rawZip(nil, renamed))
	hidden := append(append([]zipEntry{}, good...), zipEntry{name: "hidden.exe", data: []byte("MZ"), crc: crc32.ChecksumIEEE([]byte("MZ")), usize: 2, localOnly: true, shareOf: -1})
	add("unlisted-local-entry", "a local entry no directory record lists", rawZip(nil, hidden))
	add("junk-before", "100 KB of junk before the first entry", rawZip(bytes.Repeat([]byte("J"), 100<<10), good))

	// A data file signed through a transform Signet does not apply.
	a := asice.File{Name: "a.txt", Size: 1, Data: []byte("a")}
	transformed, err := s.document([]asice.File{a}, func(si string) string {
		i := strings.Index(si, `<ds:Reference Id="r0"`)
		i += strings.Index(si[i:], ">") + 1
		return si[:i] + `<ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#base64"></ds:Transform></ds:Transforms>` + si[i:]
	})
	if err != nil {
		return nil, err
	}
	add("file-transform", "a data-file reference with a base64 transform, the signature value valid",
		rawZip(nil, []zipEntry{mimetypeEntry(), stored("a.txt", []byte("a")), manifestOf("a.txt"), stored("META-INF/signatures0.xml", transformed)}))

	// Names that would print lines of their own.
	spoof := "x.txt\n  ✓ valid       Signed by Bank — SPOOFED"
	ansi := "\x1b]0;owned\x07\x1b[2Jreport.txt"
	// Signed, so that the names are printed as what the signature covers;
	// the one with escapes cannot stand in a manifest (XML has no ESC),
	// so the manifest check names it too.
	spoofDoc, err := s.document([]asice.File{{Name: spoof, Size: 1, Data: []byte("a")}, {Name: ansi, Size: 1, Data: []byte("b")}}, func(si string) string { return si })
	if err != nil {
		return nil, err
	}
	add("spoofed-names", "data files named with a newline and a forged verdict, and with terminal escapes",
		rawZip(nil, []zipEntry{mimetypeEntry(), stored(spoof, []byte("a")), stored(ansi, []byte("b")), manifestOf(spoof),
			stored("META-INF/signatures0.xml", spoofDoc)}))
	add("spoofed-mimetype", "a mimetype holding terminal escapes",
		rawZip(nil, []zipEntry{stored("mimetype", []byte("\x1b[2J\x1b]0;owned\x07")), stored("a.txt", []byte("a")), manifestOf("a.txt")}))

	// What other readers extract differently (the review of the fix).
	payload := stored("payload.exe", []byte("MZ"))
	payload.external = 0x10 // the DOS directory attribute
	add("directory-attribute", "a file flagged a directory by its attributes, which other readers extract",
		rawZip(nil, []zipEntry{mimetypeEntry(), stored("a.txt", []byte("a")), payload, manifestOf("a.txt")}))
	add("case-twins", "doc.txt and Doc.txt: one file where case is not told apart",
		rawZip(nil, []zipEntry{mimetypeEntry(), stored("doc.txt", []byte("a")), stored("Doc.txt", []byte("b")), manifestOf("doc.txt", "Doc.txt")}))
	add("nul-name", `an entry named "doc.txt\x00/", which C readers extract as doc.txt`,
		rawZip(nil, []zipEntry{mimetypeEntry(), stored("doc.txt", []byte("a")), stored("doc.txt\x00/", []byte("b")), manifestOf("doc.txt")}))
	upath := stored("META-INF/x.bin", []byte("b"))
	upath.extra = append([]byte{0x75, 0x70, 12, 0, 1, 0, 0, 0, 0}, "doc.txt"...) // Info-ZIP Unicode path: doc.txt
	add("unicode-path", "an entry whose Unicode path extra field names doc.txt",
		rawZip(nil, []zipEntry{mimetypeEntry(), stored("doc.txt", []byte("a")), upath, manifestOf("doc.txt")}))
	commented := []zipEntry{mimetypeEntry(), stored("a.txt", []byte("a")), manifestOf("a.txt")}
	commented[1].comment = "PK\x01\x02 a second directory could hide here"
	add("entry-comment", "a directory record with a comment (where another directory can hide)", rawZip(nil, commented))
	loc := rawZip(nil, []zipEntry{mimetypeEntry(), stored("a.txt", []byte("a")), manifestOf("a.txt")})
	eocd := bytes.LastIndex(loc, []byte("PK\x05\x06"))
	locator := append([]byte("PK\x06\x07"), make([]byte, 16)...)
	loc = append(append(append([]byte{}, loc[:eocd]...), locator...), loc[eocd:]...)
	add("zip64-locator", "a zip64 locator before the end record, which some readers follow", loc)
	return out, nil
}

// SlowToVerify is a container whose valid signature covers two files of
// size zero bytes each (stored deflated, a few MB): verifying it hashes
// them all, which takes seconds for sizes of hundreds of MB.
func SlowToVerify(size int64) ([]byte, error) {
	s, err := newSigner()
	if err != nil {
		return nil, err
	}
	sum := zeroDigest(size)
	doc, err := s.document([]asice.File{{Name: "a.bin", Size: 1, Data: []byte{0}}, {Name: "b.bin", Size: 1, Data: []byte{0}}}, func(si string) string {
		one := base64.StdEncoding.EncodeToString(sha256Sum([]byte{0}))
		return strings.ReplaceAll(si, "<ds:DigestValue>"+one+"</ds:DigestValue>", "<ds:DigestValue>"+base64.StdEncoding.EncodeToString(sum)+"</ds:DigestValue>")
	})
	if err != nil {
		return nil, err
	}
	return rawZip(nil, []zipEntry{mimetypeEntry(), deflated("a.bin", zeros, size), deflated("b.bin", zeros, size), manifestOf("a.bin", "b.bin"),
		stored("META-INF/signatures0.xml", doc)}), nil
}

func sha256Sum(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

// zeroDigest is the SHA-256 of size zero bytes.
func zeroDigest(size int64) []byte {
	h := sha256.New()
	buf := make([]byte, 1<<20)
	for left := size; left > 0; {
		n := min(int64(len(buf)), left)
		h.Write(buf[:n])
		left -= n
	}
	return h.Sum(nil)
}
