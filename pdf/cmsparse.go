package pdf

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"

	"github.com/signet-sign/signet/i18n"

	"github.com/digitorus/pkcs7"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ErrBadCMS reports a signature container that is not a CMS SignedData
// Signet can read.
var ErrBadCMS = i18n.Errorf("err.bad_cms", nil)

// parsedCMS is what verification needs of a SignedData with one signer.
// The signed attributes are kept as the bytes that were signed: signers
// that wrote them in non-canonical order are verified over what they
// signed, not over a re-encoding.
type parsedCMS struct {
	certs []*x509.Certificate

	// The signer.
	issuerRaw  []byte // sid: issuerAndSerialNumber
	serial     *big.Int
	skid       []byte // sid: subjectKeyIdentifier
	digestAlg  asn1.ObjectIdentifier
	sigAlg     pkix.AlgorithmIdentifier
	signature  []byte
	signedSet  []byte // DER SET OF the signed attributes (tag 0x31)
	signedAttr map[string][][]byte
	unsigned   map[string][][]byte
	hasEncap   bool // eContent present (not detached)
}

// attr returns the single value of a signed attribute, or nil.
func (p *parsedCMS) attr(oid asn1.ObjectIdentifier) []byte {
	v := p.signedAttr[oid.String()]
	if len(v) != 1 {
		return nil
	}
	return v[0]
}

func cmsErr(what string) error { return fmt.Errorf("%w: %s", ErrBadCMS, what) }

// parseCMS reads a ContentInfo holding a SignedData with one signer. DER
// is read directly; BER (indefinite lengths, as NSS and so poppler's
// pdfsig write) goes through digitorus/pkcs7, whose parser converts BER to
// DER first.
func parseCMS(der []byte) (*parsedCMS, error) {
	p, err := parseDERCMS(der)
	if err == nil {
		return p, nil
	}
	if b, berErr := parseBERCMS(der); berErr == nil {
		return b, nil
	}
	return nil, err
}

// parseBERCMS builds a parsedCMS from pkcs7.Parse. The signed attributes
// are re-encoded as a DER SET OF, which is what RFC 5652 section 5.4 says
// the signer signed, whatever encoding the container uses.
func parseBERCMS(ber []byte) (*parsedCMS, error) {
	p7, err := pkcs7.Parse(ber)
	if err != nil {
		return nil, err
	}
	if len(p7.Signers) != 1 {
		return nil, cmsErr("not exactly one signer")
	}
	si := p7.Signers[0]
	p := &parsedCMS{
		certs:      p7.Certificates,
		issuerRaw:  si.IssuerAndSerialNumber.IssuerName.FullBytes,
		serial:     si.IssuerAndSerialNumber.SerialNumber,
		digestAlg:  si.DigestAlgorithm.Algorithm,
		sigAlg:     si.DigestEncryptionAlgorithm,
		signature:  si.EncryptedDigest,
		signedAttr: map[string][][]byte{},
		unsigned:   map[string][][]byte{},
	}
	var attrs [][]byte
	for _, a := range si.AuthenticatedAttributes {
		der, err := asn1.Marshal(a)
		if err != nil {
			return nil, cmsErr("signed attribute")
		}
		attrs = append(attrs, der)
		if err := readAttributes(cryptobyte.String(der), p.signedAttr); err != nil {
			return nil, err
		}
	}
	if len(attrs) == 0 {
		return nil, cmsErr("no signed attributes")
	}
	if p.signedSet, err = derSetOf(attrs); err != nil {
		return nil, cmsErr("signed attributes")
	}
	for _, a := range si.UnauthenticatedAttributes {
		der, err := asn1.Marshal(a)
		if err != nil {
			return nil, cmsErr("unsigned attribute")
		}
		if err := readAttributes(cryptobyte.String(der), p.unsigned); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// parseDERCMS reads a DER ContentInfo holding a SignedData with one signer.
func parseDERCMS(der []byte) (*parsedCMS, error) {
	in := cryptobyte.String(der)
	var ci, content cryptobyte.String
	var ct asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&ct) {
		return nil, cmsErr("not a ContentInfo")
	}
	if !ct.Equal(oidSignedData) {
		return nil, cmsErr("content is not SignedData")
	}
	if !ci.ReadASN1(&content, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, cmsErr("no content")
	}
	var sd, digestAlgs, encap cryptobyte.String
	var version int64
	if !content.ReadASN1(&sd, cbasn1.SEQUENCE) || !sd.ReadASN1Int64WithTag(&version, cbasn1.INTEGER) ||
		!sd.ReadASN1(&digestAlgs, cbasn1.SET) || !sd.ReadASN1(&encap, cbasn1.SEQUENCE) {
		return nil, cmsErr("bad SignedData header")
	}
	p := &parsedCMS{signedAttr: map[string][][]byte{}, unsigned: map[string][][]byte{}}
	var eType asn1.ObjectIdentifier
	if !encap.ReadASN1ObjectIdentifier(&eType) {
		return nil, cmsErr("bad encapsulated content")
	}
	p.hasEncap = !encap.Empty()

	var certs cryptobyte.String
	var hasCerts bool
	if !sd.ReadOptionalASN1(&certs, &hasCerts, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, cmsErr("bad certificates")
	}
	for !certs.Empty() {
		var raw cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&raw, &tag) {
			return nil, cmsErr("bad certificate")
		}
		if tag != cbasn1.SEQUENCE {
			continue // other certificate formats are ignored
		}
		c, err := x509.ParseCertificate(raw)
		if err != nil {
			return nil, cmsErr("certificate: " + err.Error())
		}
		p.certs = append(p.certs, c)
	}
	if !sd.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil, cmsErr("bad crls")
	}
	var signers, si cryptobyte.String
	if !sd.ReadASN1(&signers, cbasn1.SET) || !signers.ReadASN1(&si, cbasn1.SEQUENCE) {
		return nil, cmsErr("no signer")
	}
	if !signers.Empty() {
		return nil, cmsErr("more than one signer")
	}
	var siVersion int64
	if !si.ReadASN1Int64WithTag(&siVersion, cbasn1.INTEGER) {
		return nil, cmsErr("bad SignerInfo version")
	}
	// sid: IssuerAndSerialNumber or [0] SubjectKeyIdentifier.
	switch {
	case si.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias cryptobyte.String
		var issuer cryptobyte.String
		p.serial = new(big.Int)
		if !si.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !ias.ReadASN1Integer(p.serial) {
			return nil, cmsErr("bad issuerAndSerialNumber")
		}
		p.issuerRaw = issuer
	case si.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		var skid cryptobyte.String
		if !si.ReadASN1(&skid, cbasn1.Tag(0).ContextSpecific()) {
			return nil, cmsErr("bad subjectKeyIdentifier")
		}
		p.skid = skid
	default:
		return nil, cmsErr("bad signer identifier")
	}
	var digestAlg cryptobyte.String
	if !si.ReadASN1(&digestAlg, cbasn1.SEQUENCE) || !digestAlg.ReadASN1ObjectIdentifier(&p.digestAlg) {
		return nil, cmsErr("bad digestAlgorithm")
	}
	var signed cryptobyte.String
	var hasSigned bool
	if !si.ReadOptionalASN1(&signed, &hasSigned, cbasn1.Tag(0).Constructed().ContextSpecific()) || !hasSigned {
		return nil, cmsErr("no signed attributes")
	}
	// The signature covers the attributes re-tagged as SET OF.
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(signed) })
	set, err := b.Bytes()
	if err != nil {
		return nil, cmsErr("signed attributes")
	}
	p.signedSet = set
	if err := readAttributes(signed, p.signedAttr); err != nil {
		return nil, err
	}
	var sigAlgDER cryptobyte.String
	if !si.ReadASN1Element(&sigAlgDER, cbasn1.SEQUENCE) {
		return nil, cmsErr("bad signatureAlgorithm")
	}
	if rest, err := asn1.Unmarshal(sigAlgDER, &p.sigAlg); err != nil || len(rest) > 0 {
		return nil, cmsErr("bad signatureAlgorithm")
	}
	var sig cryptobyte.String
	if !si.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return nil, cmsErr("bad signature value")
	}
	p.signature = bytes.Clone(sig)
	var unsigned cryptobyte.String
	var hasUnsigned bool
	if !si.ReadOptionalASN1(&unsigned, &hasUnsigned, cbasn1.Tag(1).Constructed().ContextSpecific()) {
		return nil, cmsErr("bad unsigned attributes")
	}
	if hasUnsigned {
		if err := readAttributes(unsigned, p.unsigned); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func readAttributes(s cryptobyte.String, into map[string][][]byte) error {
	for !s.Empty() {
		var attr, values cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !s.ReadASN1(&attr, cbasn1.SEQUENCE) || !attr.ReadASN1ObjectIdentifier(&oid) || !attr.ReadASN1(&values, cbasn1.SET) {
			return cmsErr("bad attribute")
		}
		for !values.Empty() {
			var v cryptobyte.String
			var tag cbasn1.Tag
			if !values.ReadAnyASN1Element(&v, &tag) {
				return cmsErr("bad attribute value")
			}
			into[oid.String()] = append(into[oid.String()], bytes.Clone(v))
		}
	}
	return nil
}

// hashFor maps a digest algorithm OID to its hash.
func hashFor(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for h, o := range hashOIDs {
		if o.Equal(oid) {
			return h, true
		}
	}
	if oid.Equal(asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}) {
		return crypto.SHA1, true
	}
	return 0, false
}

// signerCert finds the signer's certificate among the embedded ones.
func (p *parsedCMS) signerCert() *x509.Certificate {
	for _, c := range p.certs {
		if p.serial != nil && c.SerialNumber.Cmp(p.serial) == 0 && bytes.Equal(c.RawIssuer, p.issuerRaw) {
			return c
		}
		if p.skid != nil && bytes.Equal(c.SubjectKeyId, p.skid) {
			return c
		}
	}
	return nil
}
