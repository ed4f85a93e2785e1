package flow

import (
	"context"
	"crypto/x509"

	"github.com/signet-sign/signet/keys"
)

// IncompleteChainError: a chain to embed stops below a root (see
// [keys.IncompleteChainError]).
type IncompleteChainError = keys.IncompleteChainError

// ChainOptions say how a signer's certificate chain is completed before a
// signature is made: one rule for every key, whatever holds it (a card
// that carries the signer's certificate alone, a PKCS#12 file without its
// CA, a cloud service that gives the end-entity certificate).
type ChainOptions struct {
	// Source finds the issuers the key source does not hold: the
	// person's trust anchors, the system's roots, the issuer cache and
	// caIssuers URLs. The zero value fetches, with no cache.
	Source keys.ChainSource
	// Require refuses to sign (before any PIN or code is asked) when the
	// chain cannot be completed; without it the signature is made with
	// the chain as far as it goes and Warn is told.
	Require bool
	// Warn hears an incomplete chain; nil ignores it.
	Warn func(error)
}

// DefaultChainOptions completes chains with the person's trust anchors
// and the issuer cache in their cache directory, fetching what it lacks.
func DefaultChainOptions(anchors []*x509.Certificate) ChainOptions {
	return ChainOptions{Source: keys.ChainSource{Anchors: anchors, CacheDir: keys.IssuerCacheDir()}}
}

// completeChain completes leaf's chain from the certificates at hand: the
// chain to embed, and an error only when the options require a complete
// chain and it is not.
func (o ChainOptions) completeChain(ctx context.Context, leaf *x509.Certificate, have []*x509.Certificate) ([]*x509.Certificate, error) {
	chain, err := o.Source.Complete(ctx, leaf, have)
	if err != nil {
		if o.Require {
			return nil, err
		}
		if o.Warn != nil {
			o.Warn(err)
		}
	}
	return chain, nil
}

// CompleteChain completes the chain s will embed in its signatures, from
// what its key source holds (a token's certificates, a PKCS#12 file's)
// and o. Token keys log in lazily: called after opening and before
// signing, it costs the person no PIN, and with o.Require an incomplete
// chain is refused before any is asked. A key whose chain cannot be set
// is left as it is.
func CompleteChain(ctx context.Context, s keys.Signer, o ChainOptions) error {
	setter, ok := s.(keys.ChainSetter)
	if !ok {
		return nil
	}
	chain, err := o.completeChain(ctx, s.Certificate(), s.Chain())
	if err != nil {
		return err
	}
	setter.SetChain(chain)
	return nil
}
