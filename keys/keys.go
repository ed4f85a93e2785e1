// Package keys is Signet's one signing seam: whatever holds the key (a
// smart card through PKCS#11, a PKCS#12 file, later a cloud service), the
// rest of Signet sees a [Signer], a crypto.Signer with its certificate
// chain and a context for the prompts signing may need.
//
// # Key sources
//
//   - PKCS#11 tokens: package [github.com/signet-sign/signet/pkcs11].
//   - PKCS#12 files: [LoadPKCS12] and [OpenPKCS12File].
package keys

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
)

// Signer is a private key that can sign, with its certificate chain.
type Signer interface {
	crypto.Signer
	// SignContext is Sign with a context: the key may have to ask the
	// person for a PIN or a code first, and ctx bounds that wait.
	SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error)
	// Certificate is the signing certificate.
	Certificate() *x509.Certificate
	// Chain is the certificate path as far as the key source knows it,
	// signing certificate first. It may stop short of a root.
	Chain() []*x509.Certificate
	// Close releases the key (for a token: its session and login).
	Close() error
}

// ChainSetter is a Signer whose chain can be completed once it is open,
// from issuers its key source does not hold (see flow.CompleteChain).
type ChainSetter interface {
	// SetChain sets the chain its signatures carry, signing certificate
	// first.
	SetChain(chain []*x509.Certificate)
}

// Concurrent is a Signer that can make several signatures at once.
type Concurrent interface {
	// Concurrency is how many signatures it can make at once, 1 when
	// they must be made one after another. It may change after the
	// first signature (a token key knows then whether it asks a PIN
	// before each signature).
	Concurrency() int
}

// Concurrency is how many signatures s can make at once.
func Concurrency(s Signer) int {
	if c, ok := s.(Concurrent); ok {
		return max(c.Concurrency(), 1)
	}
	return 1
}

// maxChain bounds chain building against loops among cross-signed CAs.
const maxChain = 10

// BuildChain orders the certificates of pool that issued leaf, leaf first,
// up to a self-signed certificate or the first one whose issuer is not in
// pool. A candidate counts as the issuer only if its subject is the
// certificate's issuer and its key verifies the certificate's signature.
func BuildChain(leaf *x509.Certificate, pool []*x509.Certificate) []*x509.Certificate {
	chain := []*x509.Certificate{leaf}
	for cur := leaf; len(chain) < maxChain; {
		if bytes.Equal(cur.RawIssuer, cur.RawSubject) && cur.CheckSignatureFrom(cur) == nil {
			break // self-signed root
		}
		var issuer *x509.Certificate
		for _, c := range pool {
			if c.Equal(cur) || !bytes.Equal(c.RawSubject, cur.RawIssuer) {
				continue
			}
			if cur.CheckSignatureFrom(c) == nil {
				issuer = c
				break
			}
		}
		if issuer == nil || inChain(chain, issuer) {
			break
		}
		chain = append(chain, issuer)
		cur = issuer
	}
	return chain
}

func inChain(chain []*x509.Certificate, c *x509.Certificate) bool {
	for _, x := range chain {
		if x.Equal(c) {
			return true
		}
	}
	return false
}
