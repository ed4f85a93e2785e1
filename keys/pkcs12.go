package keys

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"unsafe"

	"github.com/signet-sign/signet/i18n"

	gopkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/signet-sign/signet/prompt"
)

// ErrWrongPassword reports a PKCS#12 file that the password does not open.
var ErrWrongPassword = i18n.Errorf("err.key_password", nil)

// ErrKeyMismatch reports a key file whose private key does not belong to
// its certificate.
var ErrKeyMismatch = i18n.Errorf("err.key_mismatch", nil)

// fileKey is a software key loaded from a file: a crypto.Signer held in
// memory for as long as the Signer is open.
type fileKey struct {
	key   crypto.Signer
	cert  *x509.Certificate
	chain []*x509.Certificate
}

// LoadPKCS12 decodes a PKCS#12 (.p12/.pfx) file, as company seals are often
// delivered, and returns its key and certificate chain as a [Signer].
func LoadPKCS12(data, password []byte) (Signer, error) {
	// go-pkcs12 takes the password as a string. A view of the caller's
	// bytes avoids leaving an unzeroable copy on the Go heap; the library
	// converts it to BMPString bytes of its own.
	pw := unsafe.String(unsafe.SliceData(password), len(password))
	priv, cert, cas, err := gopkcs12.DecodeChain(data, pw)
	switch {
	case errors.Is(err, gopkcs12.ErrIncorrectPassword), errors.Is(err, gopkcs12.ErrDecryption):
		return nil, ErrWrongPassword
	case err != nil:
		return nil, i18n.Errorf("err.read_p12", map[string]any{"Err": err}, err)
	}
	signer, ok := priv.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("read PKCS#12: key of type %T cannot sign", priv)
	}
	pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(signer.Public()) {
		return nil, ErrKeyMismatch
	}
	return &fileKey{key: signer, cert: cert, chain: BuildChain(cert, cas)}, nil
}

// OpenPKCS12File reads path and asks p for its password.
func OpenPKCS12File(ctx context.Context, path string, p prompt.Prompter) (Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, i18n.Errorf("err.open_key_file", map[string]any{"Err": err}, err)
	}
	password, err := p.Secret(ctx, prompt.Request{Kind: prompt.Password, Token: filepath.Base(path), TriesLeft: -1})
	if err != nil {
		return nil, err
	}
	defer clear(password)
	s, err := LoadPKCS12(data, password)
	if err != nil {
		return nil, i18n.Errorf("err.open_named_key_file", map[string]any{"File": filepath.Base(path), "Err": err}, err)
	}
	return s, nil
}

func (k *fileKey) Public() crypto.PublicKey       { return k.key.Public() }
func (k *fileKey) Certificate() *x509.Certificate { return k.cert }
func (k *fileKey) Chain() []*x509.Certificate     { return k.chain }
func (k *fileKey) SetChain(c []*x509.Certificate) { k.chain = c }
func (k *fileKey) Close() error                   { k.key = nil; return nil }

// Concurrency: a key in memory signs on every core at once.
func (k *fileKey) Concurrency() int { return runtime.NumCPU() }
func (k *fileKey) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.SignContext(context.Background(), digest, opts)
}

// SignContext signs with the in-memory key. The digest length is checked
// here because crypto/ecdsa would sign a digest of any length.
func (k *fileKey) SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if k.key == nil {
		return nil, errors.New("sign: key file is closed")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if h := opts.HashFunc(); h != 0 && len(digest) != h.Size() {
		return nil, fmt.Errorf("sign: digest is %d bytes, %v needs %d", len(digest), h, h.Size())
	}
	return k.key.Sign(rand.Reader, digest, opts)
}
