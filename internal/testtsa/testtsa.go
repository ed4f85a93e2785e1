// Package testtsa runs an RFC 3161 timestamp authority in-process for
// tests, with a TSA certificate from the test PKI.
package testtsa

import (
	"crypto"
	"encoding/asn1"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/signet-sign/signet/internal/testocsp"
	"github.com/signet-sign/signet/internal/testpki"
)

// TSA is a running timestamp authority.
type TSA struct {
	*httptest.Server
	Entity testpki.Entity
	// Requests counts the requests answered.
	Requests atomic.Int64
}

// Policy is the TSA policy OID written into tokens.
var Policy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1, 1}

// Start starts a TSA whose certificate is issued by pki. Close it when done.
func Start(pki *testpki.PKI) (*TSA, error) {
	return StartWith(pki, testpki.IssueOptions{})
}

// StartWith starts a TSA whose certificate carries opts (an OCSP responder,
// for long-term validation tests).
func StartWith(pki *testpki.PKI, opts testpki.IssueOptions) (*TSA, error) {
	e, err := pki.NewEntity(testpki.P256, testpki.TSA, "Signet Test TSA", opts)
	if err != nil {
		return nil, err
	}
	t := &TSA{Entity: e}
	t.Server = httptest.NewServer(http.HandlerFunc(t.serve))
	return t, nil
}

func (t *TSA) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/timestamp-query" {
		http.Error(w, "want POST application/timestamp-query", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, err := timestamp.ParseRequest(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	t.Requests.Add(1)
	ts := timestamp.Timestamp{
		HashAlgorithm:     req.HashAlgorithm,
		HashedMessage:     req.HashedMessage,
		Time:              time.Now(),
		Nonce:             req.Nonce,
		Policy:            Policy,
		AddTSACertificate: req.Certificates,
		Accuracy:          time.Second,
	}
	resp, err := ts.CreateResponseWithOpts(t.Entity.Cert, t.Entity.Key, crypto.SHA256)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	w.Write(resp)
}

// StartPKI makes a fresh test PKI and starts a TSA it certifies: what a
// demo or fake service needs to sign with timestamps.
func StartPKI() (*testpki.PKI, *TSA, error) {
	pki, err := testpki.New()
	if err != nil {
		return nil, nil, err
	}
	tsa, err := Start(pki)
	if err != nil {
		return nil, nil, err
	}
	return pki, tsa, nil
}

// LTV is what long-term validation needs of a test PKI: an OCSP
// responder, a TSA whose certificate names it, and the options that put
// it into the certificates tests issue.
type LTV struct {
	TSA   *TSA
	OCSP  *testocsp.Responder
	Issue testpki.IssueOptions
}

// StartLTV starts an OCSP responder and a TSA for pki.
func StartLTV(pki *testpki.PKI) (*LTV, error) {
	responder, err := testocsp.Start(pki)
	if err != nil {
		return nil, err
	}
	issue := testpki.IssueOptions{OCSPServer: responder.URL}
	tsa, err := StartWith(pki, issue)
	if err != nil {
		responder.Close()
		return nil, err
	}
	return &LTV{TSA: tsa, OCSP: responder, Issue: issue}, nil
}

// Close stops both.
func (l *LTV) Close() {
	l.TSA.Close()
	l.OCSP.Close()
}
