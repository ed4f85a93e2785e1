package pdf

import (
	"crypto/x509"
	"errors"
	"slices"

	"golang.org/x/crypto/ocsp"
)

// parseOCSP reads an OCSP response about cert and checks who signed it
// (RFC 6960 section 4.2.2.2): the issuer itself, or a responder the
// issuer certified for it, with id-kp-OCSPSigning. x/crypto/ocsp checks
// that the issuer signed an embedded responder certificate, not that it
// made it a responder: any certificate of the CA, the signer's own
// among them, could otherwise vouch for itself.
func parseOCSP(der []byte, cert, issuer *x509.Certificate) (*ocsp.Response, error) {
	resp, err := ocsp.ParseResponseForCert(der, cert, issuer)
	if err != nil {
		return nil, err
	}
	if r := resp.Certificate; r != nil && !r.Equal(issuer) && !slices.Contains(r.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
		return nil, errors.New("the OCSP response is signed by a certificate the issuer did not make a responder (no id-kp-OCSPSigning)")
	}
	return resp, nil
}
