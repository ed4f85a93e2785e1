package keys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
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
