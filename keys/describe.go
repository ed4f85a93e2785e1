package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"
	"time"

	"github.com/signet-sign/signet/i18n"
)

// Purpose is what a certificate is for, as a person would say it.
type Purpose string

// Words are the purpose in the current language: "signing certificate".
func (p Purpose) Words() string {
	switch p {
	case PurposeSigning:
		return i18n.T("keys.purpose.signing")
	case PurposeAuthentication:
		return i18n.T("keys.purpose.authentication")
	}
	return i18n.T("keys.purpose.other", map[string]any{"Purpose": string(p)})
}

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
// A certificate is for signing when it says so (see [CheckSigning]); one
// whose extended key usage is for logging in is never for signing
// without non-repudiation.
func CertificatePurpose(c *x509.Certificate) Purpose {
	switch {
	case c.IsCA:
		return PurposeCA
	case c.KeyUsage&x509.KeyUsageContentCommitment != 0:
		return PurposeSigning
	case slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageTimeStamping):
		return PurposeTimestamping
	case c.KeyUsage&x509.KeyUsageDigitalSignature != 0 && !forLogin(c) && declaredSigning(c):
		return PurposeSigning
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
var ErrNotForSigning = i18n.Errorf("err.not_for_signing", nil)

// ErrNotForLogin reports a certificate whose key is not for logging in.
var ErrNotForLogin = i18n.Errorf("err.not_for_login", nil)

// CheckSigning tells whether c's key may sign content (PDFs, containers,
// documents for web pages). It may when its certificate says so:
//
//   - keyUsage nonRepudiation (contentCommitment): a signing certificate,
//     as qualified signature certificates on eID cards are;
//   - without it, digitalSignature, no extended key usage for logging in
//     (see forLogin), and one of: an extended key usage for document
//     signing (RFC 9336's id-kp-documentSigning, Microsoft's or Adobe's
//     document-signing purposes); a QcType statement id-etsi-qct-eseal
//     (ETSI EN 319 412-5 4.2.3), a seal declared as one; or, the one rule
//     for seals that declare nothing, a subject that names an
//     organisation with its organizationIdentifier (as ETSI EN 319 412-3
//     has legal persons' certificates do) and no person (no givenName,
//     surname or pseudonym), no QcType and no extended key usage.
//
// Everything else is refused with ErrNotForSigning and the reason. An
// organisation's name alone proves nothing: a PIV or corporate logon
// card names its company in O= too, with or without an extended key
// usage.
func CheckSigning(c *x509.Certificate) error {
	switch p := CertificatePurpose(c); p {
	case PurposeSigning:
		return nil
	case PurposeAuthentication:
		return fmt.Errorf("%w: %q is an authentication certificate (for logging in), not a signing one", ErrNotForSigning, c.Subject.CommonName)
	default:
		return fmt.Errorf("%w: %q is a certificate for %s", ErrNotForSigning, c.Subject.CommonName, p)
	}
}

// CheckDigestSigning is [CheckSigning] for bare digests, whose content no
// one sees: a dual-use certificate, for signing (non-repudiation) and for
// logging in (an extended key usage for TLS, smart-card logon, PKINIT),
// is refused too, since its signature over a digest could answer a login
// challenge.
func CheckDigestSigning(c *x509.Certificate) error {
	if err := CheckSigning(c); err != nil {
		return err
	}
	if forLogin(c) {
		return fmt.Errorf("%w: %q is also for logging in (its extended key usage), so it does not sign bare digests; sign the document instead", ErrNotForSigning, c.Subject.CommonName)
	}
	return nil
}

// CheckLogin tells whether c's key may answer a login (a Web eID
// authentication token): an authentication certificate whose extended
// key usage includes clientAuth, as Web eID's validators require.
// Signing certificates are refused: their signature means consent.
func CheckLogin(c *x509.Certificate) error {
	if p := CertificatePurpose(c); p != PurposeAuthentication {
		return fmt.Errorf("%w: %q is a certificate for %s", ErrNotForLogin, c.Subject.CommonName, p)
	}
	if !slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageClientAuth) {
		return fmt.Errorf("%w: %q has no extended key usage clientAuth", ErrNotForLogin, c.Subject.CommonName)
	}
	return nil
}

// Extended key usages for logging in that Go does not name:
// Microsoft's smart-card logon, Kerberos PKINIT's client, PIV card
// authentication.
var loginEKUs = []asn1.ObjectIdentifier{
	{1, 3, 6, 1, 4, 1, 311, 20, 2, 2},
	{1, 3, 6, 1, 5, 2, 3, 4},
	{2, 16, 840, 1, 101, 3, 6, 8},
}

// forLogin: an extended key usage that lets the key answer logins or
// sign mail: TLS client or server, e-mail protection, any purpose, or one
// of loginEKUs.
func forLogin(c *x509.Certificate) bool {
	for _, u := range c.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageAny:
			return true
		}
	}
	return slices.ContainsFunc(c.UnknownExtKeyUsage, func(o asn1.ObjectIdentifier) bool {
		return slices.ContainsFunc(loginEKUs, o.Equal)
	})
}

// documentSigningEKUs are the extended key usages that name document
// signing: RFC 9336's id-kp-documentSigning, Microsoft's
// szOID_KP_DOCUMENT_SIGNING and Adobe's Authentic Documents Trust.
var documentSigningEKUs = []asn1.ObjectIdentifier{
	{1, 3, 6, 1, 5, 5, 7, 3, 36},
	{1, 3, 6, 1, 4, 1, 311, 10, 3, 12},
	{1, 2, 840, 113583, 1, 1, 5},
}

// declaredSigning: a certificate without non-repudiation that says it is
// for signing (see [CheckSigning]), login purposes aside.
func declaredSigning(c *x509.Certificate) bool {
	switch {
	case slices.ContainsFunc(c.UnknownExtKeyUsage, func(o asn1.ObjectIdentifier) bool {
		return slices.ContainsFunc(documentSigningEKUs, o.Equal)
	}):
		return true
	case hasQcType(c, oidQcTypeESeal):
		return true
	}
	return !hasQcType(c, nil) && len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 && organisationOnly(c)
}

// oidQcStatements and the ETSI QcType values (ETSI EN 319 412-5 4.2.3).
var (
	oidQcStatements = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
	oidQcType       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}
	oidQcTypeESeal  = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 2}
)

// hasQcType reports whether c's QcStatements declare the QcType typ, or
// any QcType when typ is nil.
func hasQcType(c *x509.Certificate, typ asn1.ObjectIdentifier) bool {
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(oidQcStatements) {
			continue
		}
		var statements []struct {
			ID   asn1.ObjectIdentifier
			Info asn1.RawValue `asn1:"optional"`
		}
		if _, err := asn1.Unmarshal(ext.Value, &statements); err != nil {
			return false
		}
		for _, st := range statements {
			if !st.ID.Equal(oidQcType) {
				continue
			}
			var types []asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(st.Info.FullBytes, &types); err == nil && (typ == nil || slices.ContainsFunc(types, typ.Equal)) {
				return true
			}
		}
	}
	return false
}

// personAttributes are the subject attributes that name a person
// (X.520 givenName, surname, pseudonym).
var personAttributes = []asn1.ObjectIdentifier{{2, 5, 4, 42}, {2, 5, 4, 4}, {2, 5, 4, 65}}

// oidOrganizationIdentifier is X.520 organizationIdentifier, which ETSI
// EN 319 412-3 requires in legal persons' certificates.
var oidOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}

// organisationOnly: the subject names an organisation, with its
// organizationIdentifier, and no person.
func organisationOnly(c *x509.Certificate) bool {
	if len(c.Subject.Organization) == 0 {
		return false
	}
	identified := false
	for _, n := range c.Subject.Names {
		if slices.ContainsFunc(personAttributes, n.Type.Equal) {
			return false
		}
		identified = identified || n.Type.Equal(oidOrganizationIdentifier)
	}
	return identified
}
