package cmd

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	_ "embed"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"time"

	"github.com/signet-sign/signet/i18n"
)

// amaCifra is AMA's cifra.cer (doc-CMD-assinatura, folder "certificado"):
// the public key that encrypts the phone number, PIN and OTP. AMA
// replaces it from time to time; Config.Cipher (CLI --cifra) takes
// another.
//
//go:embed cifra.cer
var amaCifra []byte

// Padding is the RSA encryption scheme for the encrypted fields.
//
// ASSUMPTION: the specification (§2, v1.7+) says the fields are
// "encrypted with RSA" with cifra.cer's public key, and no more. Signet
// assumes PKCS#1 v1.5 padding: the default of RSA encryption on .NET
// (RSACryptoServiceProvider.Encrypt with fOAEP false), which the service
// is built on, and of Java's Cipher.getInstance("RSA"), which most
// integrators use. The other schemes are here for a deployment that says
// otherwise (CLI --cifra-padding).
type Padding string

const (
	PKCS1v15   Padding = "pkcs1v15"
	OAEPSHA1   Padding = "oaep-sha1"
	OAEPSHA256 Padding = "oaep-sha256"
)

// DefaultPadding is the assumed scheme; see [Padding].
const DefaultPadding = PKCS1v15

// Paddings lists the schemes, for help texts and flag checks.
var Paddings = []Padding{PKCS1v15, OAEPSHA1, OAEPSHA256}

// Cipher encrypts the sensitive fields for the service.
type Cipher struct {
	Cert    *x509.Certificate
	Padding Padding
	key     *rsa.PublicKey
}

// NewCipher takes the service's encryption certificate (PEM or DER).
func NewCipher(certData []byte, padding Padding) (*Cipher, error) {
	if b, _ := pem.Decode(certData); b != nil {
		certData = b.Bytes
	}
	cert, err := x509.ParseCertificate(certData)
	if err != nil {
		return nil, fmt.Errorf("the encryption certificate (cifra) cannot be read: %w", err)
	}
	return CipherFor(cert, padding)
}

// CipherFor makes a cipher with cert's RSA public key.
func CipherFor(cert *x509.Certificate, padding Padding) (*Cipher, error) {
	key, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the encryption certificate %q has no RSA key", cert.Subject.CommonName)
	}
	if padding == "" {
		padding = DefaultPadding
	}
	switch padding {
	case PKCS1v15, OAEPSHA1, OAEPSHA256:
	default:
		return nil, fmt.Errorf("unknown padding %q (use %v)", padding, Paddings)
	}
	return &Cipher{Cert: cert, Padding: padding, key: key}, nil
}

// AMACipher is AMA's published cifra.cer with the assumed padding.
func AMACipher(padding Padding) (*Cipher, error) { return NewCipher(amaCifra, padding) }

// LoadCipher reads a certificate file, or AMA's when path is empty.
func LoadCipher(path string, padding Padding) (*Cipher, error) {
	if path == "" {
		return AMACipher(padding)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return NewCipher(data, padding)
}

// ErrCipherExpired reports an encryption certificate past its validity:
// AMA has most likely published a new one.
var ErrCipherExpired = i18n.Errorf("err.cmd_cipher_expired", nil)

// Check refuses a certificate that is not valid at now.
func (c *Cipher) Check(now time.Time) error {
	if now.After(c.Cert.NotAfter) {
		return fmt.Errorf("%w (it ended %s)", ErrCipherExpired, c.Cert.NotAfter.Format(time.DateOnly))
	}
	return nil
}

// Encrypt encrypts plain and returns it base64-encoded, as the
// base64String (cifrado) fields want it.
func (c *Cipher) Encrypt(plain []byte) (string, error) {
	var out []byte
	var err error
	switch c.Padding {
	case OAEPSHA1:
		out, err = rsa.EncryptOAEP(sha1.New(), rand.Reader, c.key, plain, nil)
	case OAEPSHA256:
		out, err = rsa.EncryptOAEP(sha256.New(), rand.Reader, c.key, plain, nil)
	default:
		// Deprecated in Go 1.26 for new designs (a decryption oracle on
		// the server's side), but it is what this protocol is assumed
		// to take; see Padding.
		//lint:ignore SA1019 the service decrypts PKCS#1 v1.5 (assumed, configurable)
		out, err = rsa.EncryptPKCS1v15(rand.Reader, c.key, plain)
	}
	if err != nil {
		return "", fmt.Errorf("encrypting for the service: %w", err)
	}
	return base64.StdEncoding.EncodeToString(out), nil
}
