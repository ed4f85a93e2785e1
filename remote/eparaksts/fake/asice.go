package fake

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"time"

	"github.com/signet-sign/signet/asice"
)

// The service's containers (signAsPdf=false) are written by the asice
// package: an ASiC-E with a XAdES baseline signature.

// File is a data file of a container Container makes.
type File struct {
	Name string
	Data []byte
}

// Container signs files into an ASiC-E container with key (cert's), the
// way the service answers signAsPdf=false: containers made elsewhere, for
// tests of the paths that read them (verify, the app's list).
func Container(files []File, key crypto.Signer, cert *x509.Certificate, now time.Time) ([]byte, error) {
	var docs []asice.File
	for _, f := range files {
		docs = append(docs, asice.File{Name: f.Name, Data: f.Data})
	}
	x, err := asice.Prepare(docs, cert, now, asice.PrepareOptions{})
	if err != nil {
		return nil, err
	}
	sig, err := key.Sign(rand.Reader, x.Digest(), crypto.SHA256)
	if err != nil {
		return nil, err
	}
	return x.Finish(sig)
}
