package pdf

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// revocationList is what Signet needs of a CRL, whichever version.
type revocationList struct {
	thisUpdate, nextUpdate time.Time
	revoked                map[string]time.Time // serial (decimal) → revocation time
}

// revokedAt tells whether serial is on the list, and since when.
func (l *revocationList) revokedAt(serial *big.Int) (time.Time, bool) {
	t, ok := l.revoked[serial.String()]
	return t, ok
}

// parseCRL reads a CRL issued by issuer and checks its signature.
//
// Version-2 CRLs go through x509.ParseRevocationList. Go's parser refuses
// version-1 CRLs ("unsupported crl version"), which CAs made with
// OpenSSL issue by default (no extensions); for those — and only those —
// the standard library's older x509.ParseCRL, which takes both versions,
// reads the list, and the signature and issuer are checked the same way.
func parseCRL(der []byte, issuer *x509.Certificate) (*revocationList, error) {
	if list, err := x509.ParseRevocationList(der); err == nil {
		if err := list.CheckSignatureFrom(issuer); err != nil {
			return nil, err
		}
		out := &revocationList{thisUpdate: list.ThisUpdate, nextUpdate: list.NextUpdate, revoked: map[string]time.Time{}}
		for _, e := range list.RevokedCertificateEntries {
			out.revoked[e.SerialNumber.String()] = e.RevocationTime
		}
		return out, nil
	} else if !bytes.Contains([]byte(err.Error()), []byte("unsupported crl version")) {
		return nil, err
	}
	//lint:ignore SA1019 the one parser in the standard library that reads version-1 CRLs
	old, err := x509.ParseCRL(der)
	if err != nil {
		return nil, err
	}
	if old.TBSCertList.Version != 0 {
		return nil, errors.New("x509: unsupported crl version")
	}
	var name pkix.Name
	name.FillFromRDNSequence(&old.TBSCertList.Issuer)
	if name.String() != issuer.Subject.String() {
		return nil, fmt.Errorf("the CRL's issuer %q is not the certificate's issuer %q", name, issuer.Subject)
	}
	//lint:ignore SA1019 checks a version-1 CRL's signature (see above)
	if err := issuer.CheckCRLSignature(old); err != nil {
		return nil, fmt.Errorf("the CRL's signature: %w", err)
	}
	out := &revocationList{thisUpdate: old.TBSCertList.ThisUpdate, nextUpdate: old.TBSCertList.NextUpdate, revoked: map[string]time.Time{}}
	for _, e := range old.TBSCertList.RevokedCertificates {
		out.revoked[e.SerialNumber.String()] = e.RevocationTime
	}
	return out, nil
}

// current fails when the list is not valid at t: issued later, or past
// its next update.
func (l *revocationList) current(t time.Time) error {
	if l.thisUpdate.After(t) {
		return fmt.Errorf("the CRL was issued after %s", t.UTC().Format(time.RFC3339))
	}
	if !l.nextUpdate.IsZero() && t.After(l.nextUpdate) {
		return fmt.Errorf("the CRL expired on %s (its next update)", l.nextUpdate.UTC().Format(time.RFC3339))
	}
	return nil
}
