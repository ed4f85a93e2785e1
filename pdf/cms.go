package pdf

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"time"

	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
)

// We build the CMS SignedData ourselves (RFC 5652) rather than with
// github.com/digitorus/pkcs7: that package always adds a signing-time
// attribute, which PAdES baseline forbids (ETSI EN 319 142-1 section
// 5.2.1: the time goes in the signature dictionary's /M), cannot sign
// RSA-PSS, and wants the signed content in memory, which defeats hashing a
// 100 MB PDF as a stream. A detached SignedData with one signer is a small,
// fixed structure; cryptobyte writes it.

// Object identifiers (RFC 5652, RFC 5035, RFC 5754, RFC 4055, RFC 3161).
var (
	oidData               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidAttrContentType    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidAttrSigningCertV2  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidAttrTimestampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidRSAEncryption      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSASSAPSS          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidECDSAWithSHA256    = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384    = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512    = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidSHA256             = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384             = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512             = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

var hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA256: oidSHA256,
	crypto.SHA384: oidSHA384,
	crypto.SHA512: oidSHA512,
}

// ErrUnsupportedKey reports a key type or hash the CMS layer cannot use.
var ErrUnsupportedKey = i18n.Errorf("err.unsupported_key", nil)

// cmsSigner describes the one signer of a SignedData.
type cmsSigner struct {
	chain []*x509.Certificate // signing certificate first
	hash  crypto.Hash
	pss   bool // RSA keys: RSASSA-PSS instead of PKCS#1 v1.5
	// signingTime adds a signing-time attribute: for adbe.pkcs7.detached
	// only; PAdES puts the time in /M.
	signingTime time.Time
}

// signerOpts is what the key must be asked to sign with.
func (s cmsSigner) signerOpts() crypto.SignerOpts {
	if s.pss {
		return &rsa.PSSOptions{Hash: s.hash, SaltLength: rsa.PSSSaltLengthEqualsHash}
	}
	return s.hash
}

func (s cmsSigner) check() error {
	if len(s.chain) == 0 {
		return errors.New("no signing certificate")
	}
	if _, ok := hashOIDs[s.hash]; !ok {
		return fmt.Errorf("%w: digest %v (use SHA-256, SHA-384 or SHA-512)", ErrUnsupportedKey, s.hash)
	}
	switch s.chain[0].PublicKey.(type) {
	case *rsa.PublicKey:
	case *ecdsa.PublicKey:
		if s.pss {
			return fmt.Errorf("%w: RSA-PSS with an EC key", ErrUnsupportedKey)
		}
	default:
		return fmt.Errorf("%w: %T keys", ErrUnsupportedKey, s.chain[0].PublicKey)
	}
	return nil
}

// signedAttributes returns the DER of the signed attributes as the SET OF
// that is hashed and signed (RFC 5652 section 5.4: the [0] IMPLICIT tag of
// the SignerInfo is replaced by the SET OF tag for the signature).
func (s cmsSigner) signedAttributes(contentDigest []byte) ([]byte, error) {
	cert := s.chain[0]
	certHash := s.hash.New()
	certHash.Write(cert.Raw)

	attrs := [][]byte{
		attribute(oidAttrContentType, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oidData) }),
		attribute(oidAttrMessageDigest, func(b *cryptobyte.Builder) { b.AddASN1OctetString(contentDigest) }),
		// ESS signing-certificate-v2 (RFC 5035): binds the signature to
		// the certificate, against substitution.
		attribute(oidAttrSigningCertV2, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2
						if s.hash != crypto.SHA256 { // DEFAULT id-sha256 is omitted in DER
							addAlgorithm(b, hashOIDs[s.hash], false)
						}
						b.AddASN1OctetString(certHash.Sum(nil))
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
								b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
									b.AddBytes(cert.RawIssuer) // directoryName
								})
							})
							b.AddASN1BigInt(cert.SerialNumber)
						})
					})
				})
			})
		}),
	}
	if !s.signingTime.IsZero() {
		attrs = append(attrs, attribute(oidAttrSigningTime, func(b *cryptobyte.Builder) {
			b.AddASN1UTCTime(s.signingTime.UTC())
		}))
	}
	return derSetOf(attrs)
}

// attribute encodes Attribute ::= SEQUENCE { attrType, attrValues SET OF }.
func attribute(oid asn1.ObjectIdentifier, value cryptobyte.BuilderContinuation) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, value)
	})
	return b.BytesOrPanic()
}

// derSetOf encodes a SET OF with its elements in DER order (X.690 section
// 11.6: sorted as octet strings).
func derSetOf(elems [][]byte) ([]byte, error) {
	sorted := slices.Clone(elems)
	slices.SortFunc(sorted, bytes.Compare)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
		for _, e := range sorted {
			b.AddBytes(e)
		}
	})
	return b.Bytes()
}

func addAlgorithm(b *cryptobyte.Builder, oid asn1.ObjectIdentifier, nullParams bool) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		if nullParams {
			b.AddASN1NULL()
		}
	})
}

// addSignatureAlgorithm writes the SignerInfo's signatureAlgorithm.
func (s cmsSigner) addSignatureAlgorithm(b *cryptobyte.Builder) {
	switch {
	case s.pss:
		// RSASSA-PSS-params (RFC 4055 section 3.1), salt = hash length.
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidRSASSAPSS)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					addAlgorithm(b, hashOIDs[s.hash], true)
				})
				b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oidMGF1)
						addAlgorithm(b, hashOIDs[s.hash], true)
					})
				})
				b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddASN1Int64(int64(s.hash.Size()))
				})
			})
		})
	default:
		switch s.chain[0].PublicKey.(type) {
		case *rsa.PublicKey:
			// rsaEncryption, as RFC 3370 section 3.2 recommends and
			// Adobe, OpenSSL and NSS write.
			addAlgorithm(b, oidRSAEncryption, true)
		case *ecdsa.PublicKey:
			addAlgorithm(b, map[crypto.Hash]asn1.ObjectIdentifier{
				crypto.SHA256: oidECDSAWithSHA256,
				crypto.SHA384: oidECDSAWithSHA384,
				crypto.SHA512: oidECDSAWithSHA512,
			}[s.hash], false)
		}
	}
}

// signedData assembles the DER ContentInfo of a detached SignedData with
// one signer. unsigned are DER Attributes for the unsignedAttrs (the
// signature timestamp), or nil.
func (s cmsSigner) signedData(signedAttrs, signature []byte, unsigned [][]byte) ([]byte, error) {
	cert := s.chain[0]
	// The signed attributes are signed as a SET OF (tag 0x31) and stored
	// as [0] IMPLICIT (tag 0xA0) with the same content.
	var attrs cryptobyte.String = signedAttrs
	var attrsContent cryptobyte.String
	if !attrs.ReadASN1(&attrsContent, cbasn1.SET) {
		return nil, errors.New("signed attributes are not a DER SET")
	}
	var unsignedSet []byte
	if len(unsigned) > 0 {
		var err error
		if unsignedSet, err = derSetOf(unsigned); err != nil {
			return nil, err
		}
		var u cryptobyte.String = unsignedSet
		var content cryptobyte.String
		u.ReadASN1(&content, cbasn1.SET)
		unsignedSet = content
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
				b.AddASN1Int64(1) // version: issuerAndSerialNumber, no attribute certificates
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					addAlgorithm(b, hashOIDs[s.hash], false)
				})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncapsulatedContentInfo, detached
					b.AddASN1ObjectIdentifier(oidData)
				})
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					for _, c := range s.chain {
						b.AddBytes(c.Raw)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { // signerInfos
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerAndSerialNumber
							b.AddBytes(cert.RawIssuer)
							b.AddASN1BigInt(cert.SerialNumber)
						})
						addAlgorithm(b, hashOIDs[s.hash], false)
						b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
							b.AddBytes(attrsContent)
						})
						s.addSignatureAlgorithm(b)
						b.AddASN1OctetString(signature)
						if unsignedSet != nil {
							b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
								b.AddBytes(unsignedSet)
							})
						}
					})
				})
			})
		})
	})
	return b.Bytes()
}

// timestampAttribute wraps an RFC 3161 TimeStampToken as the unsigned
// attribute id-aa-signatureTimeStampToken (RFC 3161 appendix A).
func timestampAttribute(token []byte) []byte {
	return attribute(oidAttrTimestampToken, func(b *cryptobyte.Builder) { b.AddBytes(token) })
}

// verifySignatureValue checks sig over signedAttrs with the certificate's
// key before it goes into a PDF: a signature from a token, a cloud service
// or another process that does not verify (wrong key, DigestInfo vs raw
// hash mix-up) is caught here with a clear message, not as an invalid
// signature later.
func (s cmsSigner) verifySignatureValue(signedAttrs, sig []byte) error {
	h := s.hash.New()
	h.Write(signedAttrs)
	switch s.chain[0].PublicKey.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
		return keys.VerifyDigest(s.chain[0].PublicKey, s.hash, h.Sum(nil), sig, s.pss)
	}
	return ErrUnsupportedKey
}
