package asice

// Writing a container with one XAdES baseline signature (B-B): what the
// eParaksts fake answers for signAsPdf=false, and the start of signing
// containers. The XML is written directly in its exclusive canonical
// form, so the bytes digested and signed are the bytes in the file.

import (
	"archive/zip"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ASiC-E with a XAdES baseline signature (ETSI EN 319 162, EN 319 132),
// as the service makes for signAsPdf=false. The XML is written directly in
// its exclusive canonical form (W3C exc-c14n: namespace declarations on the
// elements that use them, attributes sorted, no empty-element tags), so
// the bytes digested and signed are the bytes in the file, and any XML-DSig
// verifier recomputes them.

const (
	nsASiC  = "http://uri.etsi.org/02918/v1.2.1#"
	excC14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
	sha256U = "http://www.w3.org/2001/04/xmlenc#sha256"
	asicE   = MimeType
)

// Pending is a container signature waiting for its signature value:
// Digest is what the key signs (SHA-256 of the canonical SignedInfo).
type Pending struct {
	files      []File
	cert       *x509.Certificate
	chain      []*x509.Certificate
	index      int
	signedInfo string // canonical
	signedProp string // canonical
	digest     []byte // SHA-256 of signedInfo: what the card signs
	id         string
}

// escapeText escapes character data for canonical XML.
func escapeText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#xD;").Replace(s)
}

// escapeAttr escapes an attribute value for canonical XML.
func escapeAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", `"`, "&quot;", "\t", "&#x9;", "\n", "&#xA;", "\r", "&#xD;").Replace(s)
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func sum256(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// signatureMethod is the XML-DSig algorithm URI for the key.
func signatureMethod(pub crypto.PublicKey) (string, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", nil
	case *ecdsa.PublicKey:
		return "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", nil
	}
	return "", fmt.Errorf("keys of type %T", pub)
}

// issuerSerialV2 is the DER IssuerSerial of XAdES SigningCertificateV2.
func issuerSerialV2(c *x509.Certificate) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(c.RawIssuer) })
		})
		b.AddASN1BigInt(c.SerialNumber)
	})
	return b.BytesOrPanic()
}

// PrepareOptions adjust a signature being prepared.
type PrepareOptions struct {
	// Index numbers the signature within its container: it becomes
	// META-INF/signatures<Index>.xml with Id "S<Index>".
	Index int
	// Chain is the signer's certificate chain, put in KeyInfo after the
	// signer's certificate (which it may include) so that the signature
	// can be checked without fetching it.
	Chain []*x509.Certificate
}

// Prepare makes the signed parts of a XAdES baseline B-B signature over
// files by cert's key, at now.
func Prepare(files []File, cert *x509.Certificate, now time.Time, opts PrepareOptions) (*Pending, error) {
	method, err := signatureMethod(cert.PublicKey)
	if err != nil {
		return nil, err
	}
	id := fmt.Sprintf("S%d", opts.Index)
	propsID := id + "-SignedProperties"
	ds := `xmlns:ds="` + nsDS + `"`
	var props strings.Builder
	props.WriteString(`<xades:SignedProperties xmlns:xades="` + nsXAdES + `" Id="` + propsID + `">`)
	props.WriteString(`<xades:SignedSignatureProperties>`)
	props.WriteString(`<xades:SigningTime>` + now.UTC().Format("2006-01-02T15:04:05Z") + `</xades:SigningTime>`)
	props.WriteString(`<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>`)
	props.WriteString(`<ds:DigestMethod ` + ds + ` Algorithm="` + sha256U + `"></ds:DigestMethod>`)
	props.WriteString(`<ds:DigestValue ` + ds + `>` + b64(sum256(cert.Raw)) + `</ds:DigestValue>`)
	props.WriteString(`</xades:CertDigest><xades:IssuerSerialV2>` + b64(issuerSerialV2(cert)) + `</xades:IssuerSerialV2>`)
	props.WriteString(`</xades:Cert></xades:SigningCertificateV2></xades:SignedSignatureProperties>`)
	props.WriteString(`<xades:SignedDataObjectProperties>`)
	for i, f := range files {
		props.WriteString(`<xades:DataObjectFormat ObjectReference="#r` + fmt.Sprint(i) + `"><xades:MimeType>` + escapeText(mimeType(f.Name)) + `</xades:MimeType></xades:DataObjectFormat>`)
	}
	props.WriteString(`</xades:SignedDataObjectProperties></xades:SignedProperties>`)

	var si strings.Builder
	si.WriteString(`<ds:SignedInfo ` + ds + `>`)
	si.WriteString(`<ds:CanonicalizationMethod Algorithm="` + excC14N + `"></ds:CanonicalizationMethod>`)
	si.WriteString(`<ds:SignatureMethod Algorithm="` + method + `"></ds:SignatureMethod>`)
	for i, f := range files {
		sum, err := digestFile(f, crypto.SHA256) // streamed: a container's files are not held
		if err != nil {
			return nil, err
		}
		si.WriteString(`<ds:Reference Id="r` + fmt.Sprint(i) + `" URI="` + escapeAttr(fileURI(f.Name)) + `">`)
		si.WriteString(`<ds:DigestMethod Algorithm="` + sha256U + `"></ds:DigestMethod>`)
		si.WriteString(`<ds:DigestValue>` + b64(sum) + `</ds:DigestValue></ds:Reference>`)
	}
	si.WriteString(`<ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#` + propsID + `">`)
	si.WriteString(`<ds:Transforms><ds:Transform Algorithm="` + excC14N + `"></ds:Transform></ds:Transforms>`)
	si.WriteString(`<ds:DigestMethod Algorithm="` + sha256U + `"></ds:DigestMethod>`)
	si.WriteString(`<ds:DigestValue>` + b64(sum256([]byte(props.String()))) + `</ds:DigestValue></ds:Reference>`)
	si.WriteString(`</ds:SignedInfo>`)
	return &Pending{files: files, cert: cert, chain: opts.Chain, signedInfo: si.String(), signedProp: props.String(),
		digest: sum256([]byte(si.String())), id: id, index: opts.Index}, nil
}

// fileURI is a data file's reference URI: its path within the container,
// each segment percent-encoded and the slashes kept (a file in a folder
// is "folder/name", as other verifiers resolve it).
func fileURI(name string) string {
	return (&url.URL{Path: name}).EscapedPath()
}

func mimeType(name string) string {
	if strings.HasSuffix(strings.ToLower(name), ".pdf") {
		return "application/pdf"
	}
	return "application/octet-stream"
}

// Digest is what the key signs: SHA-256 of the canonical SignedInfo.
func (x *Pending) Digest() []byte { return x.digest }

// Name is the entry the signature document goes to in its container.
func (x *Pending) Name() string { return fmt.Sprintf("META-INF/signatures%d.xml", x.index) }

// Signature checks the signature value against the certificate and
// returns the signature document (a XAdES B-B signature). ECDSA arrives
// DER-encoded (as cards give it); XML-DSig wants r‖s.
func (x *Pending) Signature(sig []byte) ([]byte, error) {
	switch pub := x.cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, x.digest, sig); err != nil {
			return nil, fmt.Errorf("signature value does not match the certificate: %w", err)
		}
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, x.digest, sig) {
			return nil, errors.New("signature value does not match the certificate")
		}
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(sig, &rs); err != nil {
			return nil, err
		}
		size := (pub.Curve.Params().BitSize + 7) / 8
		raw := make([]byte, 2*size)
		rs.R.FillBytes(raw[:size])
		rs.S.FillBytes(raw[size:])
		sig = raw
	}
	var xml strings.Builder
	xml.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	xml.WriteString(`<asic:XAdESSignatures xmlns:asic="` + nsASiC + `" xmlns:ds="` + nsDS + `" xmlns:xades="` + nsXAdES + `">`)
	xml.WriteString(`<ds:Signature Id="` + x.id + `">`)
	xml.WriteString(x.signedInfo)
	xml.WriteString(`<ds:SignatureValue Id="` + x.id + `-SignatureValue">` + b64(sig) + `</ds:SignatureValue>`)
	xml.WriteString(`<ds:KeyInfo><ds:X509Data>`)
	xml.WriteString(`<ds:X509Certificate>` + b64(x.cert.Raw) + `</ds:X509Certificate>`)
	for _, c := range x.chain {
		if c.Equal(x.cert) {
			continue // a chain may start with the signer's own
		}
		xml.WriteString(`<ds:X509Certificate>` + b64(c.Raw) + `</ds:X509Certificate>`)
	}
	xml.WriteString(`</ds:X509Data></ds:KeyInfo>`)
	xml.WriteString(`<ds:Object><xades:QualifyingProperties Target="#` + x.id + `">` + x.signedProp + `</xades:QualifyingProperties></ds:Object>`)
	xml.WriteString(`</ds:Signature></asic:XAdESSignatures>`)
	return []byte(xml.String()), nil
}

// Finish checks the signature value and writes a new container with the
// files and this signature (B-B).
func (x *Pending) Finish(sig []byte) ([]byte, error) {
	doc, err := x.Signature(sig)
	if err != nil {
		return nil, err
	}
	return Write(x.files, map[string][]byte{x.Name(): doc})
}

// Write makes a new container of files and the signature documents
// (entry name → XML).
func Write(files []File, signatures map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	// The mimetype comes first, stored, so the container is recognized
	// by its first bytes (ETSI EN 319 162-1 section A.1).
	// With its CRC and size in its local header, not in a data
	// descriptor after it: streaming readers (Java's ZipInputStream)
	// cannot read a stored entry whose size follows its data.
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "mimetype", Method: zip.Store,
		CRC32: crc32.ChecksumIEEE([]byte(asicE)), CompressedSize64: uint64(len(asicE)), UncompressedSize64: uint64(len(asicE))})
	if err != nil {
		return nil, err
	}
	w.Write([]byte(asicE))
	var manifest strings.Builder
	manifest.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">` +
		`<manifest:file-entry manifest:full-path="/" manifest:media-type="` + asicE + `"/>`)
	for _, f := range files {
		if err := safeName(f.Name); err != nil || f.Name == "mimetype" || strings.HasPrefix(f.Name, "META-INF/") {
			return nil, fmt.Errorf("a data file cannot be named %q in a container", f.Name)
		}
		fw, err := zw.Create(f.Name)
		if err != nil {
			return nil, err
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(fw, rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: entry %q: %v", ErrDamaged, f.Name, err)
		}
		manifest.WriteString(`<manifest:file-entry manifest:full-path="` + escapeAttr(f.Name) + `" manifest:media-type="` + escapeAttr(mimeType(f.Name)) + `"/>`)
	}
	manifest.WriteString(`</manifest:manifest>`)
	names := slices.Sorted(maps.Keys(signatures))
	entries := [][2]string{{"META-INF/manifest.xml", manifest.String()}}
	for _, n := range names {
		entries = append(entries, [2]string{n, string(signatures[n])})
	}
	for _, entry := range entries {
		fw, err := zw.Create(entry[0])
		if err != nil {
			return nil, err
		}
		fw.Write([]byte(entry[1]))
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// NextIndex is the lowest n for which the container has no
// META-INF/signatures<n>.xml: the index of a signature added to it.
func (c *Container) NextIndex() int {
	for n := 0; ; n++ {
		if _, taken := c.Signatures[fmt.Sprintf("META-INF/signatures%d.xml", n)]; !taken {
			return n
		}
	}
}

// AddSignature copies the container in r (size bytes) entry by entry,
// unchanged (compressed data copied as it is), and adds the signature
// document as entry name: the container's existing signatures, manifest
// and files stay byte for byte what they were.
func AddSignature(r io.ReaderAt, size int64, name string, doc []byte) ([]byte, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotContainer, err)
	}
	if slices.ContainsFunc(zr.File, func(f *zip.File) bool { return f.Name == name }) {
		return nil, fmt.Errorf("the container already has %s", name)
	}
	return rewrite(zr, nil, name, doc)
}
