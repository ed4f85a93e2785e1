// Package testpki builds a throw-away PKI for tests: a root CA, an
// intermediate CA, and end-entity certificates shaped like the real ones
// Signet meets (eID signing and authentication certificates, a time-stamping
// authority, an OCSP responder).
//
// Keys live in memory; [PKI.Issue] certifies any public key, so a key made
// inside a SoftHSM2 token gets its certificate the way a card's does.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	gopkcs12 "software.sslmate.com/src/go-pkcs12"
)

// Profile is the kind of end-entity certificate to issue.
type Profile int

const (
	// Signing: a qualified-signature style certificate (keyUsage
	// digitalSignature + nonRepudiation), like an eID card's signing one.
	Signing Profile = iota
	// Authentication: digitalSignature with extendedKeyUsage clientAuth,
	// like an eID card's authentication certificate.
	Authentication
	// TSA: a time-stamping authority (extendedKeyUsage timeStamping,
	// critical, as RFC 3161 section 2.3 demands and OpenSSL enforces).
	TSA
	// OCSP: a delegated OCSP responder (extendedKeyUsage OCSPSigning and
	// id-pkix-ocsp-nocheck, RFC 6960 section 4.2.2.2).
	OCSP
	// Encryption: keyEncipherment only, a certificate that may not sign.
	Encryption
	// Logon: a PIV / corporate smart-card logon certificate, issued to a
	// person under the company's name (O=Example Corp, CN=the person):
	// digitalSignature, extendedKeyUsage clientAuth, msSmartcardLogon and
	// pkinit. For logging in only, though its subject looks like a seal's.
	Logon
	// ClientEmail: digitalSignature with clientAuth and emailProtection,
	// a certificate for logging in and e-mail.
	ClientEmail
)

var (
	oidMSSmartcardLogon = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 2}
	oidPKINITClient     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 2, 3, 4}
)

// Entity is a certificate with its private key.
type Entity struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// PKI is a root and an intermediate CA that issues end-entity certificates.
type PKI struct {
	Root         Entity
	Intermediate Entity
	serial       atomic.Int64
}

// IssueOptions adjusts an end-entity certificate.
type IssueOptions struct {
	// NotBefore and NotAfter default to one hour ago and one year on.
	NotBefore, NotAfter time.Time
	// OCSPServer and CRLDistributionPoint go into the certificate's AIA
	// and CRL distribution points, for revocation tests.
	OCSPServer           string
	CRLDistributionPoint string
	// IssuerURL goes into the AIA as caIssuers: where the issuer's
	// certificate can be fetched.
	IssuerURL string
}

var (
	oidTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
	oidEKU          = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidOCSPNoCheck  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
)

// New creates a root and an intermediate CA with EC P-384 keys (fast to
// make; end-entity keys are whatever the test needs).
func New() (*PKI, error) {
	p := &PKI{}
	p.serial.Store(time.Now().UnixNano() & 0xffffffff)
	var err error
	if p.Root, err = p.newCA("Signet Test Root CA", nil, 10*365*24*time.Hour); err != nil {
		return nil, err
	}
	if p.Intermediate, err = p.newCA("Signet Test Intermediate CA", &p.Root, 5*365*24*time.Hour); err != nil {
		return nil, err
	}
	return p, nil
}

// newCA makes a CA certified by parent, or self-signed when parent is nil.
func (p *PKI) newCA(cn string, parent *Entity, lifetime time.Duration) (Entity, error) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return Entity{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(p.serial.Add(1)),
		Subject:               pkix.Name{Country: []string{"LV"}, Organization: []string{"Signet Test"}, CommonName: cn},
		NotBefore:             now.Add(-24 * time.Hour),
		NotAfter:              now.Add(lifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	issuer, issuerKey := tmpl, crypto.Signer(key)
	if parent != nil {
		issuer, issuerKey = parent.Cert, parent.Key
		tmpl.MaxPathLenZero = true
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, issuer, key.Public(), issuerKey)
	if err != nil {
		return Entity{}, fmt.Errorf("create %s: %w", cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return Entity{}, err
	}
	return Entity{Cert: cert, Key: key}, nil
}

// Issue certifies pub for subject cn under the intermediate CA.
func (p *PKI) Issue(pub crypto.PublicKey, profile Profile, cn string, opts IssueOptions) (*x509.Certificate, error) {
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(p.serial.Add(1)),
		Subject: pkix.Name{
			Country:      []string{"LV"},
			Organization: []string{"Signet Test"},
			CommonName:   cn,
		},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		BasicConstraintsValid: true,
	}
	if !opts.NotBefore.IsZero() {
		tmpl.NotBefore = opts.NotBefore
	}
	if !opts.NotAfter.IsZero() {
		tmpl.NotAfter = opts.NotAfter
	}
	if opts.OCSPServer != "" {
		tmpl.OCSPServer = []string{opts.OCSPServer}
	}
	if opts.CRLDistributionPoint != "" {
		tmpl.CRLDistributionPoints = []string{opts.CRLDistributionPoint}
	}
	if opts.IssuerURL != "" {
		tmpl.IssuingCertificateURL = []string{opts.IssuerURL}
	}
	switch profile {
	case Signing:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
	case Authentication:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case TSA:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		// crypto/x509 writes extendedKeyUsage as non-critical; write it
		// ourselves to mark it critical.
		eku, err := asn1.Marshal([]asn1.ObjectIdentifier{oidTimeStamping})
		if err != nil {
			return nil, err
		}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidEKU, Critical: true, Value: eku})
	case OCSP:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
		tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: oidOCSPNoCheck, Value: asn1.NullBytes})
	case Encryption:
		tmpl.KeyUsage = x509.KeyUsageKeyEncipherment
	case Logon:
		tmpl.Subject = pkix.Name{Country: []string{"US"}, Organization: []string{"Example Corp"}, CommonName: cn}
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		tmpl.UnknownExtKeyUsage = []asn1.ObjectIdentifier{oidMSSmartcardLogon, oidPKINITClient}
	case ClientEmail:
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageEmailProtection}
	default:
		return nil, fmt.Errorf("unknown profile %d", profile)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.Intermediate.Cert, pub, p.Intermediate.Key)
	if err != nil {
		return nil, fmt.Errorf("issue %q: %w", cn, err)
	}
	return x509.ParseCertificate(der)
}

// KeyAlg is a key algorithm for [PKI.NewEntity].
type KeyAlg string

const (
	RSA2048 KeyAlg = "rsa2048"
	RSA3072 KeyAlg = "rsa3072"
	P256    KeyAlg = "p256"
	P384    KeyAlg = "p384"
)

// GenerateKey makes a software key of the given algorithm.
func GenerateKey(alg KeyAlg) (crypto.Signer, error) {
	switch alg {
	case RSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case RSA3072:
		return rsa.GenerateKey(rand.Reader, 3072)
	case P256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case P384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	}
	return nil, fmt.Errorf("unknown key algorithm %q", alg)
}

// NewEntity makes a software key and certifies it.
func (p *PKI) NewEntity(alg KeyAlg, profile Profile, cn string, opts IssueOptions) (Entity, error) {
	key, err := GenerateKey(alg)
	if err != nil {
		return Entity{}, err
	}
	cert, err := p.Issue(key.Public(), profile, cn, opts)
	if err != nil {
		return Entity{}, err
	}
	return Entity{Cert: cert, Key: key}, nil
}

// Chain is cert followed by the intermediate CA (the root is the trust
// anchor and not sent).
func (p *PKI) Chain(cert *x509.Certificate) []*x509.Certificate {
	return []*x509.Certificate{cert, p.Intermediate.Cert}
}

// PKCS12 encodes e's key and certificate, with the intermediate CA, as a
// password-protected PKCS#12 file (a seal as a clerk would receive it).
func (p *PKI) PKCS12(e Entity, password string) ([]byte, error) {
	return gopkcs12.Modern.Encode(e.Key, e.Cert, []*x509.Certificate{p.Intermediate.Cert}, password)
}

// Roots is a pool holding the root CA.
func (p *PKI) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root.Cert)
	return pool
}

// WriteRootPEM writes the root CA certificate to dir/root.pem and returns
// the path, for tools that take trust anchors from a file.
func (p *PKI) WriteRootPEM(dir string) (string, error) {
	path := filepath.Join(dir, "root.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Root.Cert.Raw})
	return path, os.WriteFile(path, data, 0o644)
}

// V1CRL is a version-1 CRL (no version field, no extensions) issued by
// ca — what OpenSSL's "ca -gencrl" writes by default, and Go's
// x509.CreateRevocationList cannot — listing revoked serials.
func V1CRL(ca Entity, thisUpdate, nextUpdate time.Time, revoked ...*big.Int) ([]byte, error) {
	//lint:ignore SA1019 the only standard type of a CRL's TBS that can omit the version
	tbs := pkix.TBSCertificateList{
		Signature:  pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA384},
		Issuer:     ca.Cert.Subject.ToRDNSequence(),
		ThisUpdate: thisUpdate.UTC().Truncate(time.Second),
		NextUpdate: nextUpdate.UTC().Truncate(time.Second),
	}
	for _, s := range revoked {
		tbs.RevokedCertificates = append(tbs.RevokedCertificates, pkix.RevokedCertificate{SerialNumber: s, RevocationTime: thisUpdate.Add(-time.Hour).UTC().Truncate(time.Second)})
	}
	if _, ok := ca.Key.Public().(*ecdsa.PublicKey); !ok {
		return nil, fmt.Errorf("V1CRL signs with the test CAs' EC P-384 keys only")
	}
	der, err := asn1.Marshal(tbs)
	if err != nil {
		return nil, err
	}
	digest := sha512.Sum384(der)
	sig, err := ca.Key.Sign(rand.Reader, digest[:], crypto.SHA384)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 see above
	return asn1.Marshal(pkix.CertificateList{TBSCertList: pkix.TBSCertificateList{Raw: der}, SignatureAlgorithm: tbs.Signature,
		SignatureValue: asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}})
}

var oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
