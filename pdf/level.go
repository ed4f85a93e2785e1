package pdf

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"
)

var oidOCSPNoCheck = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}

// Time proofs a signature's level rests on (SignatureReport.TimeProof).
const (
	ProofSignatureTimestamp = "signature-timestamp"
	ProofDocumentTimestamp  = "document-timestamp"
)

// decideLevel sets the PAdES baseline level the signature f reaches, per
// ETSI EN 319 142-1 (section 6.3 and its table of requirements), with the
// time proof it rests on and what the next level lacks, as checks named
// "level" and "next level":
//
//   - B-B: a valid PAdES signature (ETSI.CAdES.detached).
//   - B-T: and a proof of its time: a valid signature timestamp, or a
//     valid document timestamp in a later revision (the signature was made
//     before it).
//   - B-LT: and, in DSS updates after that time proof, validation data (an
//     OCSP response or a CRL) for every certificate of the signer's chain
//     and of the time proof's TSA chain, trust anchors excepted, and those
//     that name no revocation source (see hasRevocationSource).
//   - B-LTA: and a valid document timestamp in a revision after the one
//     that completed that validation data.
//
// A document timestamp over validation data it is itself the time proof
// for does not make B-LTA: one timestamp cannot both date the signature
// and protect the data that shows its own TSA valid.
func (v *verifier) decideLevel(f *sigField, all []*sigField, rep *SignatureReport) {
	if !f.valid || f.docTS || rep.SubFilter != string(PAdES) {
		return
	}
	level := func(id string, data map[string]any) {
		rep.Checks = append(rep.Checks, NewCheck("level", Passed, id, data))
	}
	next := func(id string, data map[string]any) {
		rep.Checks = append(rep.Checks, NewCheck("next level", Passed, id, data))
	}
	laterDocTS := func(after int) *sigField {
		for _, g := range all {
			if g.docTS && g.valid && g.revIdx > after {
				return g
			}
		}
		return nil
	}

	// B-T: the time proof.
	proofRev, proofChain := f.revIdx, f.tsChain
	switch {
	case f.tsChain != nil:
		rep.TimeProof = ProofSignatureTimestamp
	case laterDocTS(f.revIdx) != nil:
		g := laterDocTS(f.revIdx)
		rep.TimeProof = ProofDocumentTimestamp
		t := g.tsTime
		rep.SignedBefore = &t
		proofRev, proofChain = g.revIdx, g.tsChain
	default:
		rep.Level = "B-B"
		level("verify.check.level_bb", nil)
		next("verify.check.level_next_bt", nil)
		return
	}
	rep.Level = "B-T"
	proofData := map[string]any{"Level": "B-T", "Time": proofTime(rep)}
	proofID := "verify.check.level_proof_sig"
	if rep.TimeProof == ProofDocumentTimestamp {
		proofID = "verify.check.level_proof_doc"
	}

	// B-LT: validation data after the time proof, in a DSS (even when
	// no certificate needs revocation data, the DSS carries the chain).
	ltRev, missing := v.validationDataRev(proofRev, proofTime(rep), f.chain, proofChain)
	if ltRev == proofRev && v.dssRev > proofRev {
		ltRev = v.dssRev
	}
	if len(missing) > 0 || ltRev <= proofRev {
		if len(missing) == 0 {
			missing = []string{"“" + f.chain[0].Subject.CommonName + "”"}
		}
		level(proofID, proofData)
		next("verify.check.level_next_blt", map[string]any{"Names": strings.Join(missing, ", ")})
		return
	}
	rep.Level = "B-LT"
	proofData["Level"] = "B-LT"

	// B-LTA: a document timestamp after it.
	if laterDocTS(ltRev) == nil {
		level(proofID, proofData)
		next("verify.check.level_next_blta", nil)
		return
	}
	rep.Level = "B-LTA"
	proofData["Level"] = "B-LTA"
	level(proofID, proofData)
}

// proofTime is the time the signature's time proof gives.
func proofTime(rep *SignatureReport) time.Time {
	switch {
	case rep.ProvenTime != nil:
		return *rep.ProvenTime
	case rep.SignedBefore != nil:
		return *rep.SignedBefore
	}
	return time.Time{}
}

// validationDataRev finds, among the DSS's OCSP responses and CRLs added
// in revisions after the time proof's (after), validation data for every
// certificate of the chains but their trust anchors (each chain's last),
// showing it not revoked before the proven time t. It returns the
// revision by which all of it was there, or the names of the
// certificates that have none.
func (v *verifier) validationDataRev(after int, t time.Time, chains ...[]*x509.Certificate) (rev int, missing []string) {
	rev = after
	seen := map[string]bool{}
	for _, chain := range chains {
		for i := 0; i+1 < len(chain); i++ {
			c, issuer := chain[i], chain[i+1]
			if seen[string(c.Raw)] || !hasRevocationSource(c) {
				continue
			}
			seen[string(c.Raw)] = true
			first := -1
			for k, it := range v.dssItems {
				if it.rev <= after || (first >= 0 && it.rev >= first) {
					continue
				}
				if v.covers(k, c, issuer, t) {
					first = it.rev
				}
			}
			if first < 0 {
				missing = append(missing, "“"+c.Subject.CommonName+"”")
				continue
			}
			rev = max(rev, first)
		}
	}
	return rev, missing
}

// hasRevocationSource tells whether c can have validation data: it names
// an OCSP responder or a CRL distribution point and is not an OCSP
// responder's own certificate marked id-pkix-ocsp-nocheck (RFC 6960
// 4.2.2.2.1). A certificate that names neither is checked by no validator
// for revocation, and nothing could be collected for it.
func hasRevocationSource(c *x509.Certificate) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(oidOCSPNoCheck) {
			return false
		}
	}
	return len(c.OCSPServer) > 0 || len(c.CRLDistributionPoints) > 0
}

// covers tells whether DSS item k is validation data for c that shows it
// not revoked before t: an OCSP response about c from its issuer or a
// responder the issuer made one, or a CRL its issuer signed. Each item is
// read once per certificate and issuer (a DSS of large CRLs is read many
// times otherwise).
func (v *verifier) covers(k int, c, issuer *x509.Certificate, t time.Time) bool {
	key := fmt.Sprint(k, "|", string(c.Raw), "|", string(issuer.Raw))
	if ok, done := v.covered[key]; done {
		return ok
	}
	ok := false
	it := v.dssItems[k]
	if it.crl {
		list, err := parseCRLOnce(v, k, issuer)
		ok = err == nil && list.validAt(c, t)
	} else {
		ok = ocspValidAt(it.der, c, issuer, t)
	}
	if v.covered == nil {
		v.covered = map[string]bool{}
	}
	v.covered[key] = ok
	return ok
}

// ocspValidAt tells whether der is an OCSP response about c, from its
// issuer or a responder it made one, that shows c not revoked before t.
func ocspValidAt(der []byte, c, issuer *x509.Certificate, t time.Time) bool {
	resp, err := parseOCSP(der, c, issuer)
	return err == nil && (resp.Status == ocsp.Good || (resp.Status == ocsp.Revoked && resp.RevokedAt.After(t)))
}

// validAt tells whether the list shows c not revoked before t.
func (l *revocationList) validAt(c *x509.Certificate, t time.Time) bool {
	at, revoked := l.revokedAt(c.SerialNumber)
	return !revoked || at.After(t)
}

// parseCRLOnce parses DSS item k as a CRL of issuer, once.
func parseCRLOnce(v *verifier, k int, issuer *x509.Certificate) (*revocationList, error) {
	key := fmt.Sprint(k, "|", string(issuer.Raw))
	if r, done := v.crls[key]; done {
		return r.list, r.err
	}
	list, err := parseCRL(v.dssItems[k].der, issuer)
	if v.crls == nil {
		v.crls = map[string]parsedCRL{}
	}
	v.crls[key] = parsedCRL{list, err}
	return list, err
}

type parsedCRL struct {
	list *revocationList
	err  error
}

// MissingValidationData names the certificates of the chains (each
// chain's last, its trust anchor, excepted) that the given OCSP responses
// and CRLs do not show valid at t, as a level needs them (see
// validationDataRev); certificates that name no revocation source need
// none. XAdES signatures carry theirs in RevocationValues.
func MissingValidationData(ocsps, crls [][]byte, t time.Time, chains ...[]*x509.Certificate) []string {
	var missing []string
	seen := map[string]bool{}
	for _, chain := range chains {
		for i := 0; i+1 < len(chain); i++ {
			c, issuer := chain[i], chain[i+1]
			if seen[string(c.Raw)] || !hasRevocationSource(c) {
				continue
			}
			seen[string(c.Raw)] = true
			ok := slices.ContainsFunc(ocsps, func(der []byte) bool { return ocspValidAt(der, c, issuer, t) }) ||
				slices.ContainsFunc(crls, func(der []byte) bool {
					list, err := parseCRL(der, issuer)
					return err == nil && list.validAt(c, t)
				})
			if !ok {
				missing = append(missing, "“"+c.Subject.CommonName+"”")
			}
		}
	}
	return missing
}
