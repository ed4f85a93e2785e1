package keys

import (
	"crypto/x509"
	"encoding/pem"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// SystemRootsFor is a pool of the system's trusted roots that a chain
// from certs can end at: those whose subject is the issuer of one of
// certs. Verifying a chain needs no more (a root is a chain's last
// issuer, and certs holds the signer with every intermediate on offer).
//
// Why not x509.SystemCertPool: it parses every root (about 140 on Debian,
// 22 ms measured), which is most of a `signet verify` of a small file.
// Here the system's PEM files are read and each certificate's subject is
// taken from its DER without parsing the rest; only the roots asked for
// are parsed. Where the system's roots are not in PEM files (not Linux),
// this is x509.SystemCertPool.
func SystemRootsFor(certs ...*x509.Certificate) *x509.CertPool {
	idx := loadRootIndex()
	if idx == nil {
		pool, err := x509.SystemCertPool()
		if err != nil {
			return x509.NewCertPool()
		}
		return pool
	}
	return idx.poolFor(certs)
}

// systemIssuers returns the system's roots whose subject is c's issuer
// (whether they signed c is the caller's to check); where the roots are
// not in PEM files, the one x509.SystemCertPool verifies c against, if
// any.
func systemIssuers(c *x509.Certificate) []*x509.Certificate {
	idx := loadRootIndex()
	if idx == nil {
		pool, err := x509.SystemCertPool()
		if err != nil {
			return nil
		}
		chains, err := c.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: c.NotBefore.Add(time.Second), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		if err != nil || len(chains[0]) < 2 {
			return nil
		}
		return []*x509.Certificate{chains[0][1]}
	}
	return idx.issuersOf(c)
}

// rootIndex maps a raw subject to the DER of the system roots with it.
type rootIndex map[string][][]byte

// poolFor parses the roots that issued one of certs into a pool.
func (idx rootIndex) poolFor(certs []*x509.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	seen := map[string]bool{}
	for _, c := range certs {
		name := string(c.RawIssuer)
		if seen[name] {
			continue
		}
		seen[name] = true
		for _, root := range idx.issuersOf(c) {
			pool.AddCert(root)
		}
	}
	return pool
}

// issuersOf parses the roots whose subject is c's issuer.
func (idx rootIndex) issuersOf(c *x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, der := range idx[string(c.RawIssuer)] {
		if root, err := x509.ParseCertificate(der); err == nil {
			out = append(out, root)
		}
	}
	return out
}

var (
	rootIndexOnce sync.Once
	rootIndexVal  rootIndex
)

// loadRootIndex reads the system's roots once; nil where they are not in
// PEM files this package knows how to find.
func loadRootIndex() rootIndex {
	rootIndexOnce.Do(func() {
		files, ok := systemRootFiles()
		if !ok {
			return
		}
		rootIndexVal = indexPEM(files)
	})
	return rootIndexVal
}

// indexPEM indexes the certificates of PEM files by raw subject, each
// once, without parsing them.
func indexPEM(files [][]byte) rootIndex {
	idx := rootIndex{}
	seen := map[string]bool{}
	for _, data := range files {
		for len(data) > 0 {
			var block *pem.Block
			block, data = pem.Decode(data)
			if block == nil {
				break
			}
			if block.Type != "CERTIFICATE" || len(block.Headers) != 0 || seen[string(block.Bytes)] {
				continue
			}
			seen[string(block.Bytes)] = true
			if subject, ok := rawSubject(block.Bytes); ok {
				idx[string(subject)] = append(idx[string(subject)], block.Bytes)
			}
		}
	}
	return idx
}

// rawSubject is the DER of a certificate's subject name (RFC 5280 section
// 4.1: Certificate → TBSCertificate → version, serial, signature
// algorithm, issuer, validity, subject), read without parsing the rest.
func rawSubject(der []byte) ([]byte, bool) {
	input := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	var subject cryptobyte.String
	ok := input.ReadASN1(&cert, cbasn1.SEQUENCE) &&
		cert.ReadASN1(&tbs, cbasn1.SEQUENCE) &&
		tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) &&
		tbs.SkipASN1(cbasn1.INTEGER) &&
		tbs.SkipASN1(cbasn1.SEQUENCE) && // signature algorithm
		tbs.SkipASN1(cbasn1.SEQUENCE) && // issuer
		tbs.SkipASN1(cbasn1.SEQUENCE) && // validity
		tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE)
	return subject, ok
}
