package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Purpose is what a certificate is for, as a person would say it.
type Purpose string

const (
	// PurposeSigning: electronic signatures and seals. The certificate
	// asserts non-repudiation (X.509 keyUsage contentCommitment), as
	// qualified signature certificates on eID cards do.
	PurposeSigning Purpose = "signing"
	// PurposeAuthentication: logging in (digitalSignature without
	// non-repudiation, or extendedKeyUsage clientAuth).
	PurposeAuthentication Purpose = "authentication"
	// PurposeCA: a certification authority's certificate.
	PurposeCA Purpose = "CA"
	// PurposeTimestamping: a time-stamping authority's certificate.
	PurposeTimestamping Purpose = "timestamping"
	// PurposeOther: anything else (encryption, OCSP signing, unknown).
	PurposeOther Purpose = "other"
)

// CertificateSummary is a certificate's description for listings.
type CertificateSummary struct {
	// Name is the subject's common name: the person or the seal.
	Name        string    `json:"name"`
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	Serial      string    `json:"serial"`
	NotBefore   time.Time `json:"notBefore"`
	NotAfter    time.Time `json:"notAfter"`
	KeyType     string    `json:"keyType"`
	KeySize     int       `json:"keySize"`
	KeyUsage    []string  `json:"keyUsage"`
	ExtKeyUsage []string  `json:"extKeyUsage,omitempty"`
	Purpose     Purpose   `json:"purpose"`
}

// Summarize describes c.
func Summarize(c *x509.Certificate) CertificateSummary {
	keyType, keySize := KeyType(c)
	return CertificateSummary{
		Name:        c.Subject.CommonName,
		Subject:     c.Subject.String(),
		Issuer:      c.Issuer.String(),
		Serial:      fmt.Sprintf("%X", c.SerialNumber),
		NotBefore:   c.NotBefore.UTC(),
		NotAfter:    c.NotAfter.UTC(),
		KeyType:     keyType,
		KeySize:     keySize,
		KeyUsage:    keyUsageNames(c.KeyUsage),
		ExtKeyUsage: extKeyUsageNames(c),
		Purpose:     CertificatePurpose(c),
	}
}

// KeyType names the certificate's key algorithm ("RSA", "EC P-256",
// "Ed25519") and gives its size in bits.
func KeyType(c *x509.Certificate) (string, int) {
	switch pub := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", pub.N.BitLen()
	case *ecdsa.PublicKey:
		return "EC " + pub.Curve.Params().Name, pub.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	}
	return c.PublicKeyAlgorithm.String(), 0
}

// CertificatePurpose tells signing certificates from authentication ones.
// eID cards carry one of each; only the signing one makes a qualified
// signature, so the distinction is what a person choosing a key needs.
func CertificatePurpose(c *x509.Certificate) Purpose {
	switch {
	case c.IsCA:
		return PurposeCA
	case c.KeyUsage&x509.KeyUsageContentCommitment != 0:
		return PurposeSigning
	case slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageTimeStamping):
		return PurposeTimestamping
	case slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageClientAuth),
		c.KeyUsage&x509.KeyUsageDigitalSignature != 0 && !slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning):
		return PurposeAuthentication
	}
	return PurposeOther
}

var keyUsageBits = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"},
	{x509.KeyUsageContentCommitment, "nonRepudiation"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
	{x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"},
	{x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"},
	{x509.KeyUsageEncipherOnly, "encipherOnly"},
	{x509.KeyUsageDecipherOnly, "decipherOnly"},
}

func keyUsageNames(u x509.KeyUsage) []string {
	names := []string{}
	for _, b := range keyUsageBits {
		if u&b.bit != 0 {
			names = append(names, b.name)
		}
	}
	return names
}

var extKeyUsageName = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:             "any",
	x509.ExtKeyUsageServerAuth:      "serverAuth",
	x509.ExtKeyUsageClientAuth:      "clientAuth",
	x509.ExtKeyUsageCodeSigning:     "codeSigning",
	x509.ExtKeyUsageEmailProtection: "emailProtection",
	x509.ExtKeyUsageTimeStamping:    "timeStamping",
	x509.ExtKeyUsageOCSPSigning:     "OCSPSigning",
}

func extKeyUsageNames(c *x509.Certificate) []string {
	var names []string
	for _, u := range c.ExtKeyUsage {
		if n, ok := extKeyUsageName[u]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("eku-%d", u))
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		names = append(names, oid.String())
	}
	return names
}

// ErrNotForSigning reports a certificate whose key is not for signing
// content: an authentication certificate, above all. Its key signing a
// digest it cannot see is exactly a TLS client's CertificateVerify, so a
// page that had it sign one could log in as the person elsewhere.
var ErrNotForSigning = errors.New("the certificate is not for signing")

// oidQcStatements and the ETSI QcType values (ETSI EN 319 412-5 4.2.3).
var (
	oidQcStatements = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidQcType       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}
	oidQcTypeESeal  = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 2}
)

// CheckSigning tells whether c's key may sign content (PDFs, and digests
// for web pages): a signing certificate (non-repudiation), or a seal's
// (digitalSignature, issued to an organisation, with no TLS-only extended
// key usage). Anything else, authentication certificates first, gets
// ErrNotForSigning with the reason.
func CheckSigning(c *x509.Certificate) error {
	switch p := CertificatePurpose(c); {
	case p == PurposeSigning:
		return nil
	case c.KeyUsage&x509.KeyUsageDigitalSignature != 0 && isSeal(c) && !tlsOnly(c):
		return nil
	case p == PurposeAuthentication:
		return fmt.Errorf("%w: %q is an authentication certificate (for logging in), not a signing one", ErrNotForSigning, c.Subject.CommonName)
	default:
		return fmt.Errorf("%w: %q is a certificate for %s", ErrNotForSigning, c.Subject.CommonName, p)
	}
}

// tlsOnly: an extended key usage limited to TLS (client or server
// authentication).
func tlsOnly(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return false
	}
	for _, u := range c.ExtKeyUsage {
		if u != x509.ExtKeyUsageClientAuth && u != x509.ExtKeyUsageServerAuth {
			return false
		}
	}
	return len(c.UnknownExtKeyUsage) == 0
}

// isSeal: a certificate for an organisation's seal. A QcType statement
// says so outright (id-etsi-qct-eseal); without one, a subject that names
// an organisation and no person (no given name or surname) is taken as a
// seal.
func isSeal(c *x509.Certificate) bool {
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(oidQcStatements) {
			continue
		}
		var statements []struct {
			ID   asn1.ObjectIdentifier
			Info asn1.RawValue `asn1:"optional"`
		}
		if _, err := asn1.Unmarshal(ext.Value, &statements); err != nil {
			break
		}
		for _, st := range statements {
			if !st.ID.Equal(oidQcType) {
				continue
			}
			var types []asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(st.Info.FullBytes, &types); err == nil {
				return slices.ContainsFunc(types, func(t asn1.ObjectIdentifier) bool { return t.Equal(oidQcTypeESeal) })
			}
		}
	}
	if len(c.Subject.Organization) == 0 {
		return false
	}
	for _, n := range c.Subject.Names {
		if n.Type.Equal(asn1.ObjectIdentifier{2, 5, 4, 42}) || n.Type.Equal(asn1.ObjectIdentifier{2, 5, 4, 4}) {
			return false // givenName or surname: a person
		}
	}
	return true
}
