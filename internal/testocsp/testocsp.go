// Package testocsp runs an OCSP responder (RFC 6960) in-process for tests,
// with a delegated responder certificate from the test PKI.
package testocsp

import (
	"crypto/x509"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/signet-sign/signet/internal/testpki"
)

// Responder answers OCSP requests for certificates of the test PKI's
// intermediate CA: good, unless revoked with Revoke.
type Responder struct {
	*httptest.Server
	pki       *testpki.PKI
	Responder testpki.Entity

	mu      sync.Mutex
	revoked map[string]time.Time
}

// Start starts a responder. Close it when done.
func Start(pki *testpki.PKI) (*Responder, error) {
	e, err := pki.NewEntity(testpki.P256, testpki.OCSP, "Signet Test OCSP Responder", testpki.IssueOptions{})
	if err != nil {
		return nil, err
	}
	r := &Responder{pki: pki, Responder: e, revoked: map[string]time.Time{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	return r, nil
}

// Revoke marks the certificate with this serial as revoked at t.
func (r *Responder) Revoke(serial *big.Int, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.revoked[serial.String()] = at
}

// Response makes a signed response for cert, as the server would send.
func (r *Responder) Response(cert *x509.Certificate) ([]byte, error) {
	r.mu.Lock()
	at, revoked := r.revoked[cert.SerialNumber.String()]
	r.mu.Unlock()
	now := time.Now()
	tmpl := ocsp.Response{
		Status:       ocsp.Good,
		SerialNumber: cert.SerialNumber,
		ThisUpdate:   now.Add(-time.Minute),
		NextUpdate:   now.Add(time.Hour),
		Certificate:  r.Responder.Cert,
	}
	if revoked {
		tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, at, ocsp.KeyCompromise
	}
	return ocsp.CreateResponse(r.pki.Intermediate.Cert, r.Responder.Cert, tmpl, r.Responder.Key)
}

func (r *Responder) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<16))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	q, err := ocsp.ParseRequest(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	resp, err := r.Response(&x509.Certificate{SerialNumber: q.SerialNumber})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	w.Write(resp)
}
