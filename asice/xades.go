package asice

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/digitorus/timestamp"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/signet-sign/signet/keys"
)

// XAdES signatures (ETSI EN 319 132-1) in a container's signature
// documents: the XML-DSig core (each reference's digest, the signature
// value over the canonical SignedInfo), the signing certificate's binding
// (SigningCertificateV2) and its chain. Canonicalization is goxmldsig's
// (exclusive and inclusive C14N 1.0, C14N 1.1), the XML tree etree's.
//
// Signature timestamps (B-T) are checked; archive timestamps and embedded
// certificate and revocation values (B-LT, B-LTA) are reported as present
// but not checked yet, and no level above B-T is claimed. Not yet: signing.

const (
	nsDS    = "http://www.w3.org/2000/09/xmldsig#"
	nsXAdES = "http://uri.etsi.org/01903/v1.3.2#"

	typeSignedProperties = "http://uri.etsi.org/01903#SignedProperties"
)

// digestMethods are the reference digests XAdES baseline allows.
var digestMethods = map[string]crypto.Hash{
	"http://www.w3.org/2001/04/xmlenc#sha256":         crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384":   crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":         crypto.SHA512,
	"http://www.w3.org/2007/05/xmldsig-more#sha3-256": crypto.SHA3_256,
}

// signatureMethods are the SignatureMethods verified: the hash, and
// whether RSA signs PSS.
var signatureMethods = map[string]struct {
	hash crypto.Hash
	pss  bool
}{
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256":      {crypto.SHA256, false},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384":      {crypto.SHA384, false},
	"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512":      {crypto.SHA512, false},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256":    {crypto.SHA256, false},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384":    {crypto.SHA384, false},
	"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512":    {crypto.SHA512, false},
	"http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1": {crypto.SHA256, true},
	"http://www.w3.org/2007/05/xmldsig-more#sha384-rsa-MGF1": {crypto.SHA384, true},
	"http://www.w3.org/2007/05/xmldsig-more#sha512-rsa-MGF1": {crypto.SHA512, true},
}

// canonicalizer is the Canonicalizer of a CanonicalizationMethod or
// Transform algorithm, or nil for one this reader does not know.
func canonicalizer(alg string) dsig.Canonicalizer {
	switch alg {
	case string(dsig.CanonicalXML10ExclusiveAlgorithmId):
		return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	case string(dsig.CanonicalXML10ExclusiveWithCommentsAlgorithmId):
		return dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList("")
	case string(dsig.CanonicalXML11AlgorithmId):
		return dsig.MakeC14N11Canonicalizer()
	case string(dsig.CanonicalXML11WithCommentsAlgorithmId):
		return dsig.MakeC14N11WithCommentsCanonicalizer()
	case string(dsig.CanonicalXML10RecAlgorithmId):
		return dsig.MakeC14N10RecCanonicalizer()
	case string(dsig.CanonicalXML10WithCommentsAlgorithmId):
		return dsig.MakeC14N10WithCommentsCanonicalizer()
	}
	return nil
}

// VerifyOptions choose what to trust.
type VerifyOptions struct {
	// Roots are the trust anchors; nil means the system's.
	Roots *x509.CertPool
	// ExtraRoots are trusted besides Roots.
	ExtraRoots []*x509.Certificate
	// Intermediates may complete chains the signatures do not carry
	// whole (many carry the signer's certificate only).
	Intermediates []*x509.Certificate
	// Now is the validation time; defaults to the current time.
	Now time.Time
}

// SignatureReport is what holds of one XAdES signature.
type SignatureReport struct {
	File   string            `json:"file"` // the signature document
	ID     string            `json:"id,omitempty"`
	Signer *x509.Certificate `json:"-"`
	// SignerName is the signer certificate's common name.
	SignerName string `json:"signer,omitempty"`
	// Level is the XAdES baseline level checked: B-B, or B-T with a valid
	// signature timestamp.
	Level string `json:"level,omitempty"`
	// ProvenTime is the signature timestamp's time.
	ProvenTime *time.Time `json:"provenTime,omitempty"`
	// Covers lists the data files the signature's references cover.
	Covers []string `json:"covers"`
	Checks []Check  `json:"checks"`
	Valid  bool     `json:"valid"`
}

// Verify checks every signature of the container's signature documents,
// and reports data files no signature covers as a container check.
func (c *Container) Verify(opts VerifyOptions) []SignatureReport {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	var reports []SignatureReport
	names := make([]string, 0, len(c.Signatures))
	for name := range c.Signatures {
		names = append(names, name)
	}
	slices.Sort(names)
	covered := map[string]bool{}
	for _, name := range names {
		for _, r := range c.verifyDocument(name, c.Signatures[name], opts) {
			if r.Valid {
				for _, f := range r.Covers {
					covered[f] = true
				}
			}
			reports = append(reports, r)
		}
	}
	var bare []string
	for _, f := range c.Files {
		if !covered[f.Name] {
			bare = append(bare, f.Name)
		}
	}
	if len(bare) > 0 && len(reports) > 0 {
		c.Checks = append(c.Checks, Check{Name: "coverage", Status: Warning, Detail: "no valid signature covers " + strings.Join(bare, ", ")})
	}
	return reports
}

// verifyDocument verifies the ds:Signature elements of one signature
// document.
func (c *Container) verifyDocument(name string, data []byte, opts VerifyOptions) []SignatureReport {
	if err := checkXML(data); err != nil {
		return []SignatureReport{{File: name, Checks: []Check{{Name: "XML", Status: Failed, Detail: fmt.Sprintf("%s: %v", name, err)}}}}
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(data); err != nil || doc.Root() == nil {
		return []SignatureReport{{File: name, Checks: []Check{{Name: "XML", Status: Failed, Detail: fmt.Sprintf("%s cannot be read as XML: %v", name, err)}}}}
	}
	var reports []SignatureReport
	err := etreeutils.NSFindIterate(doc.Root(), nsDS, "Signature", func(ctx etreeutils.NSContext, sig *etree.Element) error {
		reports = append(reports, c.verifySignature(name, doc, ctx, sig, opts))
		return nil
	})
	if err != nil || len(reports) == 0 {
		return []SignatureReport{{File: name, Checks: []Check{{Name: "XML", Status: Failed, Detail: fmt.Sprintf("%s holds no XML-DSig signature", name)}}}}
	}
	return reports
}

func (c *Container) verifySignature(name string, doc *etree.Document, ctx etreeutils.NSContext, sig *etree.Element, opts VerifyOptions) (r SignatureReport) {
	r = SignatureReport{File: name, ID: sig.SelectAttrValue("Id", "")}
	add := func(check string, st Status, format string, args ...any) {
		r.Checks = append(r.Checks, Check{Name: check, Status: st, Detail: fmt.Sprintf(format, args...)})
	}
	defer func() {
		r.Valid = !slices.ContainsFunc(r.Checks, func(k Check) bool { return k.Status == Failed })
	}()

	signedInfo := child(sig, nsDS, "SignedInfo")
	if signedInfo == nil {
		add("signature", Failed, "no SignedInfo")
		return r
	}
	cert, pool := keyInfoCerts(sig)
	if cert == nil {
		add("signer certificate", Failed, "the signature carries no X509Certificate")
		return r
	}
	r.Signer, r.SignerName = cert, cert.Subject.CommonName

	// References: each data file, and the signed properties.
	var signedProps *etree.Element
	refsOK := true
	for _, ref := range children(signedInfo, nsDS, "Reference") {
		uri := ref.SelectAttrValue("URI", "")
		alg := attrOf(child(ref, nsDS, "DigestMethod"), "Algorithm")
		h, ok := digestMethods[alg]
		if !ok {
			add("references", Failed, "reference %q: digest method %q is not one XAdES baseline allows", uri, alg)
			refsOK = false
			continue
		}
		want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(textOf(child(ref, nsDS, "DigestValue"))))
		if err != nil {
			add("references", Failed, "reference %q: the digest value is not base64", uri)
			refsOK = false
			continue
		}
		var content []byte
		if id, internal := strings.CutPrefix(uri, "#"); internal {
			target := findByID(doc.Root(), id)
			if target == nil {
				add("references", Failed, "reference %q: no element has that Id", uri)
				refsOK = false
				continue
			}
			if content, err = transform(target, ref); err != nil {
				add("references", Failed, "reference %q: %v", uri, err)
				refsOK = false
				continue
			}
			if ref.SelectAttrValue("Type", "") == typeSignedProperties {
				signedProps = target
			}
		} else {
			fileName, err := url.PathUnescape(uri)
			if err != nil {
				fileName = uri
			}
			i := slices.IndexFunc(c.Files, func(f File) bool { return f.Name == fileName })
			if i < 0 {
				add("references", Failed, "reference %q: the container has no such file", uri)
				refsOK = false
				continue
			}
			content = c.Files[i].Data
			r.Covers = append(r.Covers, fileName)
		}
		hh := h.New()
		hh.Write(content)
		if !bytes.Equal(hh.Sum(nil), want) {
			add("references", Failed, "reference %q: the %v digest does not match: the signed content was changed", uri, h)
			refsOK = false
		}
	}
	if refsOK {
		add("references", Passed, "every reference's digest matches (%d data file(s) and the signed properties)", len(r.Covers))
	}
	if len(r.Covers) == 0 {
		add("references", Failed, "the signature covers no data file")
	}

	// The signature value over the canonical SignedInfo.
	method := attrOf(child(signedInfo, nsDS, "SignatureMethod"), "Algorithm")
	canon := canonicalizer(attrOf(child(signedInfo, nsDS, "CanonicalizationMethod"), "Algorithm"))
	sm, known := signatureMethods[method]
	switch {
	case canon == nil:
		add("signature", Failed, "unknown canonicalization method")
	case !known:
		add("signature", Failed, "unknown signature method %q", method)
	default:
		value, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(textOf(child(sig, nsDS, "SignatureValue"))), ""))
		if err != nil {
			add("signature", Failed, "the signature value is not base64")
			break
		}
		canonical, err := canonicalIn(ctx, signedInfo, canon)
		if err != nil {
			add("signature", Failed, "SignedInfo cannot be canonicalized: %v", err)
			break
		}
		if err := checkValue(cert, sm.hash, sm.pss, canonical, value); err != nil {
			add("signature", Failed, "the signature does not verify with the signer's key: %v", err)
		} else {
			add("signature", Passed, "made with the key of %q", cert.Subject.CommonName)
		}
	}

	// The signing certificate's binding (XAdES SigningCertificateV2).
	signingTime := opts.Now
	if signedProps == nil {
		add("signing certificate", Failed, "no SignedProperties are signed: the certificate is not bound to the signature")
	} else {
		if st := textOf(find(signedProps, nsXAdES, "SigningTime")); st != "" {
			if t, err := time.Parse(time.RFC3339, strings.TrimSpace(st)); err == nil {
				signingTime = t
			}
		}
		name, st, detail := bindingCheck(signedProps, cert)
		add(name, st, "%s", detail)
	}

	// XAdES B-T: a signature timestamp proves the time the chain is
	// checked at.
	r.Level = "B-B"
	if t, ok := c.checkSignatureTimestamp(ctx, sig, opts, add); ok {
		signingTime, r.Level = t, "B-T"
		r.ProvenTime = &t
	}

	// The chain, at the proven time, else the claimed signing time.
	roots := opts.Roots
	if roots == nil {
		roots = keys.SystemRootsFor(append(append([]*x509.Certificate{cert}, pool...), opts.Intermediates...)...)
	} else {
		roots = roots.Clone()
	}
	for _, x := range opts.ExtraRoots {
		roots.AddCert(x)
	}
	inter := x509.NewCertPool()
	for _, x := range append(pool, opts.Intermediates...) {
		inter.AddCert(x)
	}
	when := "the claimed signing time"
	if r.ProvenTime != nil {
		when = "the time the timestamp proves"
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: signingTime, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		add("certificate", Failed, "the signer's certificate does not chain to a trusted root at %s (%s): %v", when, signingTime.UTC().Format(time.RFC3339), err)
	} else {
		add("certificate", Passed, "chains to a trusted root and was valid at %s (%s)", when, signingTime.UTC().Format(time.RFC3339))
	}
	if usp := find(sig, nsXAdES, "UnsignedSignatureProperties"); usp != nil {
		for _, name := range []string{"CertificateValues", "RevocationValues", "ArchiveTimeStamp"} {
			if find(usp, nsXAdES, name) != nil {
				add("long-term data", Warning, "the signature carries %s, which this version does not check yet", name)
			}
		}
	}
	return r
}

// XML limits: a signature document is a few kilobytes a few levels deep;
// the tree walks (here and in goxmldsig) recurse, so depth is bounded
// before the document is parsed into a tree.
const (
	maxXMLDepth    = 64
	maxXMLElements = 100_000
)

// checkXML reads data's tokens (no tree) and refuses what is too deep or
// too large to walk safely.
func checkXML(data []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, elements := 0, 0
	for {
		tok, err := dec.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("not well-formed XML: %v", err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			elements++
			if depth > maxXMLDepth || elements > maxXMLElements {
				return fmt.Errorf("XML nested deeper than %d or with more than %d elements", maxXMLDepth, maxXMLElements)
			}
		case xml.EndElement:
			depth--
		}
	}
}

// checkSignatureTimestamp checks a XAdES SignatureTimeStamp: an RFC 3161
// token over the canonical ds:SignatureValue element (EN 319 132-1
// 5.3), from a trusted TSA. It returns the proven time.
func (c *Container) checkSignatureTimestamp(ctx etreeutils.NSContext, sig *etree.Element, opts VerifyOptions, add func(string, Status, string, ...any)) (time.Time, bool) {
	st := find(sig, nsXAdES, "SignatureTimeStamp")
	if st == nil {
		return time.Time{}, false
	}
	canon := canonicalizer(string(dsig.CanonicalXML10RecAlgorithmId))
	if m := child(st, nsDS, "CanonicalizationMethod"); m != nil {
		canon = canonicalizer(attrOf(m, "Algorithm"))
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(textOf(child(st, nsXAdES, "EncapsulatedTimeStamp"))), ""))
	if err != nil || canon == nil {
		add("signature timestamp", Failed, "the timestamp is not a base64 token with a known canonicalization")
		return time.Time{}, false
	}
	ts, err := timestamp.Parse(der)
	if err != nil {
		add("signature timestamp", Failed, "the timestamp token is malformed or its signature does not verify: %v", err)
		return time.Time{}, false
	}
	value := child(sig, nsDS, "SignatureValue")
	if value == nil {
		add("signature timestamp", Failed, "no SignatureValue to timestamp")
		return time.Time{}, false
	}
	canonical, err := canonicalIn(ctx, value, canon)
	if err != nil {
		add("signature timestamp", Failed, "SignatureValue cannot be canonicalized: %v", err)
		return time.Time{}, false
	}
	h := ts.HashAlgorithm.New()
	h.Write(canonical)
	if !bytes.Equal(h.Sum(nil), ts.HashedMessage) {
		add("signature timestamp", Failed, "the timestamp is for another signature (imprint differs)")
		return time.Time{}, false
	}
	if len(ts.Certificates) == 0 {
		add("signature timestamp", Failed, "the timestamp carries no TSA certificate, so its signature cannot be checked")
		return time.Time{}, false
	}
	tsa := ts.Certificates[0]
	roots := opts.Roots
	if roots == nil {
		roots = keys.SystemRootsFor(append(slices.Clone(ts.Certificates), opts.Intermediates...)...)
	} else {
		roots = roots.Clone()
	}
	for _, x := range opts.ExtraRoots {
		roots.AddCert(x)
	}
	inter := x509.NewCertPool()
	for _, x := range append(slices.Clone(ts.Certificates), opts.Intermediates...) {
		inter.AddCert(x)
	}
	if _, err := tsa.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: ts.Time, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
		add("signature timestamp", Failed, "the timestamp authority %q is not trusted: %v", tsa.Subject.CommonName, err)
		return time.Time{}, false
	}
	add("signature timestamp", Passed, "the signature existed at %s (timestamp by %q)", ts.Time.UTC().Format(time.RFC3339), tsa.Subject.CommonName)
	return ts.Time, true
}

// bindingCheck compares SigningCertificateV2's digest with the signer's
// certificate.
func bindingCheck(props *etree.Element, cert *x509.Certificate) (string, Status, string) {
	certEl := find(props, nsXAdES, "CertDigest")
	if certEl == nil {
		return "signing certificate", Failed, "no SigningCertificateV2 digest"
	}
	h, ok := digestMethods[attrOf(child(certEl, nsDS, "DigestMethod"), "Algorithm")]
	if !ok {
		return "signing certificate", Failed, "unknown digest method in SigningCertificateV2"
	}
	want, err := base64.StdEncoding.DecodeString(strings.TrimSpace(textOf(child(certEl, nsDS, "DigestValue"))))
	hh := h.New()
	hh.Write(cert.Raw)
	if err != nil || !bytes.Equal(hh.Sum(nil), want) {
		return "signing certificate", Failed, "SigningCertificateV2 does not name the signer's certificate"
	}
	return "signing certificate", Passed, "SigningCertificateV2 binds the signature to the signer's certificate"
}

// checkValue verifies an XML-DSig signature value: RSA PKCS#1 v1.5 or
// PSS, or ECDSA as r‖s (RFC 4050), over digest h of data.
func checkValue(cert *x509.Certificate, h crypto.Hash, pss bool, data, value []byte) error {
	hh := h.New()
	hh.Write(data)
	digest := hh.Sum(nil)
	switch pub := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if pss {
			return rsa.VerifyPSS(pub, h, digest, value, nil)
		}
		return rsa.VerifyPKCS1v15(pub, h, digest, value)
	case *ecdsa.PublicKey:
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(value) != 2*size {
			return fmt.Errorf("an ECDSA value of %d bytes for a %d-bit key", len(value), pub.Curve.Params().BitSize)
		}
		r, s := new(big.Int).SetBytes(value[:size]), new(big.Int).SetBytes(value[size:])
		if !ecdsa.Verify(pub, digest, r, s) {
			return errors.New("ECDSA signature does not verify")
		}
		return nil
	}
	return fmt.Errorf("key of type %T", cert.PublicKey)
}

// canonicalIn canonicalizes el with the namespaces in scope where it is.
func canonicalIn(ctx etreeutils.NSContext, el *etree.Element, canon dsig.Canonicalizer) ([]byte, error) {
	scope, err := ctx.SubContext(el)
	if err != nil {
		return nil, err
	}
	detached, err := etreeutils.NSDetatch(scope, el)
	if err != nil {
		return nil, err
	}
	return canon.Canonicalize(detached)
}

// transform applies a same-document reference's transforms to target:
// one canonicalization (the only transform XAdES baseline uses on
// SignedProperties); without any, inclusive C14N 1.0 (XML-DSig 4.4.3.2).
func transform(target *etree.Element, ref *etree.Element) ([]byte, error) {
	alg := string(dsig.CanonicalXML10RecAlgorithmId)
	if ts := child(ref, nsDS, "Transforms"); ts != nil {
		list := children(ts, nsDS, "Transform")
		if len(list) != 1 {
			return nil, fmt.Errorf("%d transforms; one canonicalization is supported", len(list))
		}
		alg = attrOf(list[0], "Algorithm")
	}
	canon := canonicalizer(alg)
	if canon == nil {
		return nil, fmt.Errorf("transform %q is not supported", alg)
	}
	ctx, err := etreeutils.NSBuildParentContext(target)
	if err != nil {
		return nil, err
	}
	detached, err := etreeutils.NSDetatch(ctx, target)
	if err != nil {
		return nil, err
	}
	return canon.Canonicalize(detached)
}

// child is el's first child named local in namespace ns.
func child(el *etree.Element, ns, local string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			return c
		}
	}
	return nil
}

func children(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

// find is the first descendant of el named local in namespace ns.
func find(el *etree.Element, ns, local string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			return c
		}
		if f := find(c, ns, local); f != nil {
			return f
		}
	}
	return nil
}

// findByID is the element whose Id attribute is id.
func findByID(el *etree.Element, id string) *etree.Element {
	if el.SelectAttrValue("Id", "") == id {
		return el
	}
	for _, c := range el.ChildElements() {
		if f := findByID(c, id); f != nil {
			return f
		}
	}
	return nil
}

func attrOf(el *etree.Element, name string) string {
	if el == nil {
		return ""
	}
	return el.SelectAttrValue(name, "")
}

func textOf(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return el.Text()
}

// keyInfoCerts reads KeyInfo's certificates: the first is the signer's
// (as XAdES baseline puts it), the rest help build its chain.
func keyInfoCerts(sig *etree.Element) (*x509.Certificate, []*x509.Certificate) {
	data := child(child(sig, nsDS, "KeyInfo"), nsDS, "X509Data")
	if data == nil {
		return nil, nil
	}
	var certs []*x509.Certificate
	for _, el := range children(data, nsDS, "X509Certificate") {
		der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(el.Text()), ""))
		if err != nil {
			continue
		}
		if c, err := x509.ParseCertificate(der); err == nil {
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		return nil, nil
	}
	return certs[0], certs[1:]
}
