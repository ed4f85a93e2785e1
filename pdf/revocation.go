package pdf

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/signet-sign/signet/keys"
)

// Revocation checking and validation data apart from PDF documents: what
// other signature formats (XAdES in ASiC-E containers) share with PAdES,
// so a certificate's status reads and is gathered the same everywhere.

// CheckRevocation reports the status of cert, issued by issuer, at time t
// from the OCSP responses (DER OCSPResponse) and CRLs given — any of them
// may be for other certificates — fetching one online when none is given
// and opts.Online allows. The check is named "revocation", as in a
// PDF's report.
func CheckRevocation(ctx context.Context, cert, issuer *x509.Certificate, ocsps, crls [][]byte, t time.Time, opts VerifyOptions) Check {
	v := &verifier{ctx: ctx, opts: opts}
	var out Check
	v.revocationStatus(cert, issuer, ocsps, crls, t, func(name string, st Status, id string, data map[string]any) {
		out = NewCheck(name, st, id, data)
	})
	return out
}

// ValidationData is what shows certificates valid after they expire or
// are revoked: their chains, and OCSP responses and CRLs for them (DER).
type ValidationData struct {
	Certs, OCSPs, CRLs [][]byte
}

// GatherValidationData fetches, for every leaf (signers, timestamp
// authorities), its chain to a trusted root (pool helps build it) and an
// OCSP response — or, when a certificate names no responder, a CRL — for
// each certificate below the root. Issuers missing from pool are fetched
// from the certificates' AIA caIssuers URLs. It fails when a status cannot be
// fetched, rather than yield data that claims more than it has.
func GatherValidationData(ctx context.Context, leaves, pool []*x509.Certificate, opts LTVOptions) (*ValidationData, error) {
	v := &verifier{ctx: ctx, opts: VerifyOptions{Roots: opts.Roots, HTTPClient: opts.HTTPClient}, pool: pool}
	if v.opts.Roots == nil {
		var err error
		if v.opts.Roots, err = x509.SystemCertPool(); err != nil {
			v.opts.Roots = x509.NewCertPool()
		}
	}
	return v.gather(leaves)
}

// gather is GatherValidationData with the verifier's pool, roots and
// DSS certificates.
func (v *verifier) gather(leaves []*x509.Certificate) (*ValidationData, error) {
	out := &ValidationData{}
	seen := map[string]bool{}
	addCert := func(c *x509.Certificate) {
		if !seen[string(c.Raw)] {
			seen[string(c.Raw)] = true
			out.Certs = append(out.Certs, c.Raw)
		}
	}
	done := map[string]bool{}
	src := &keys.ChainSource{Client: v.opts.HTTPClient, CacheDir: keys.IssuerCacheDir()}
	for _, leaf := range leaves {
		chain, err := v.verifyChain(leaf, v.pool, time.Now(), x509.ExtKeyUsageAny)
		var unknown x509.UnknownAuthorityError
		if errors.As(err, &unknown) && len(leaf.IssuingCertificateURL) > 0 {
			// Many signatures carry their signer's certificate alone:
			// its issuers come from the issuer cache or from where it
			// says (AIA caIssuers), as when signing.
			if more := src.Issuers(v.ctx, leaf, v.pool); len(more) > 0 {
				v.pool = append(v.pool, more...)
				chain, err = v.verifyChain(leaf, v.pool, time.Now(), x509.ExtKeyUsageAny)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%w: the chain of %q does not reach a trusted root: %v", ErrValidationData, leaf.Subject.CommonName, err)
		}
		for i, c := range chain {
			addCert(c)
			if i == len(chain)-1 || done[string(c.Raw)] {
				continue // the root needs no status; each certificate once
			}
			done[string(c.Raw)] = true
			issuer := chain[i+1]
			switch {
			case len(c.OCSPServer) > 0:
				resp, err := v.fetchOCSP(c, issuer)
				if err == nil {
					_, err = parseOCSP(resp, c, issuer)
				}
				if err != nil {
					return nil, fmt.Errorf("%w: OCSP for %q: %v", ErrValidationData, c.Subject.CommonName, err)
				}
				out.OCSPs = append(out.OCSPs, resp)
			case len(c.CRLDistributionPoints) > 0:
				crl, err := v.fetch(http.MethodGet, c.CRLDistributionPoints[0], "", nil)
				if err == nil {
					var list *revocationList
					if list, err = parseCRL(crl, issuer); err == nil {
						err = list.current(time.Now())
					}
				}
				if err != nil {
					return nil, fmt.Errorf("%w: CRL for %q: %v", ErrValidationData, c.Subject.CommonName, err)
				}
				out.CRLs = append(out.CRLs, crl)
			case c.IsCA:
				// A CA whose issuer publishes no status for it: its
				// certificate is all there is to keep.
			default:
				return nil, fmt.Errorf("%w: %q names neither an OCSP responder nor a CRL", ErrValidationData, c.Subject.CommonName)
			}
		}
	}
	return out, nil
}
