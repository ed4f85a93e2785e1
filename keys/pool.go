package keys

import "crypto/x509"

// SystemPoolWith is the system's trusted roots plus extra (a person's own
// trust anchors); only extra when the system pool cannot be read.
func SystemPoolWith(extra []*x509.Certificate) *x509.CertPool {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, c := range extra {
		pool.AddCert(c)
	}
	return pool
}
