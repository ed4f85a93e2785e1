package keys

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"time"
)

// VerifyChain builds cert's chain to a trust anchor at time t for usage;
// pool holds certificates that may complete it. roots are the anchors;
// nil means the person's extra roots first (a chain ending there needs
// none of the system's), then the system roots a chain through pool may
// end at, with extra beside them. It returns the first chain found.
func VerifyChain(cert *x509.Certificate, pool []*x509.Certificate, roots *x509.CertPool, extra []*x509.Certificate, t time.Time, usage x509.ExtKeyUsage) ([]*x509.Certificate, error) {
	inter := x509.NewCertPool()
	for _, c := range pool {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: t, KeyUsages: []x509.ExtKeyUsage{usage}}
	if roots == nil {
		if len(extra) > 0 {
			opts.Roots = x509.NewCertPool()
			for _, c := range extra {
				opts.Roots.AddCert(c)
			}
			if chains, err := cert.Verify(opts); err == nil {
				return chains[0], nil
			}
		}
		opts.Roots = SystemRootsFor(append([]*x509.Certificate{cert}, pool...)...)
	} else if len(extra) > 0 {
		opts.Roots = roots.Clone()
	}
	for _, c := range extra {
		opts.Roots.AddCert(c)
	}
	chains, err := cert.Verify(opts)
	if err != nil {
		return nil, err
	}
	return chains[0], nil
}

// VerifyChainWith is [VerifyChain] that, when no chain reaches a trust
// anchor for want of an issuer, completes pool from src (the issuer cache,
// caIssuers URLs) and tries again; nil src is VerifyChain. It also
// returns the issuers it added, for the caller to keep.
func VerifyChainWith(ctx context.Context, src *ChainSource, cert *x509.Certificate, pool []*x509.Certificate, roots *x509.CertPool, extra []*x509.Certificate, t time.Time, usage x509.ExtKeyUsage) ([]*x509.Certificate, []*x509.Certificate, error) {
	chain, err := VerifyChain(cert, pool, roots, extra, t, usage)
	var unknown x509.UnknownAuthorityError
	if src == nil || !errors.As(err, &unknown) {
		return chain, nil, err
	}
	more := src.Issuers(ctx, cert, pool)
	if len(more) == 0 {
		return chain, nil, err
	}
	chain, err = VerifyChain(cert, append(slices.Clone(pool), more...), roots, extra, t, usage)
	return chain, more, err
}
