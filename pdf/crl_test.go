package pdf

import (
	"bytes"
	"context"
	"crypto/x509"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/testpdf"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/internal/testtsa"
)

func TestParseCRLVersion1(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	der, err := testpki.V1CRL(pki.Intermediate, now.Add(-time.Minute), now.Add(time.Hour), big.NewInt(42))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x509.ParseRevocationList(der); err == nil || !strings.Contains(err.Error(), "unsupported crl version") {
		t.Fatalf("Go's parser now takes version-1 CRLs (%v): the fallback may go", err)
	}
	list, err := parseCRL(der, pki.Intermediate.Cert)
	if err != nil {
		t.Fatal(err)
	}
	if _, revoked := list.revokedAt(big.NewInt(42)); !revoked {
		t.Error("serial 42 is not on the list")
	}
	if _, revoked := list.revokedAt(big.NewInt(43)); revoked {
		t.Error("serial 43 is on the list")
	}
	if err := list.current(now); err != nil {
		t.Error(err)
	}
	if err := list.current(now.Add(2 * time.Hour)); err == nil {
		t.Error("an expired CRL is current")
	}
	// Another CA's CRL, or a broken signature, is refused.
	if _, err := parseCRL(der, pki.Root.Cert); err == nil {
		t.Error("the CRL was accepted from another issuer")
	}
	bad := bytes.Clone(der)
	bad[len(bad)-5] ^= 0xff
	if _, err := parseCRL(bad, pki.Intermediate.Cert); err == nil {
		t.Error("a CRL with a broken signature was accepted")
	}
}

// TestLongTermVersion1CRL: a PKI whose CRLs are version 1 (no
// extensions) — the signer's and the TSA's — still gets B-LT.
func TestLongTermVersion1CRL(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	crlServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		der, err := testpki.V1CRL(pki.Intermediate, time.Now().Add(-time.Minute), time.Now().Add(time.Hour))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Write(der)
	}))
	defer crlServer.Close()
	opts := testpki.IssueOptions{CRLDistributionPoint: crlServer.URL}
	tsa, err := testtsa.StartWith(pki, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer tsa.Close()
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "CRL Signer", opts)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in, signed := filepath.Join(dir, "in.pdf"), filepath.Join(dir, "signed.pdf")
	if err := testpdf.WriteFile(in, testpdf.Options{}); err != nil {
		t.Fatal(err)
	}
	ts := &TSAClient{URL: tsa.URL}
	if err := SignFile(context.Background(), in, signed, e.Key, pki.Chain(e.Cert), Options{Timestamper: ts}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Extend(context.Background(), bytes.NewReader(data), int64(len(data)), &out, LevelBLT, ts, LTVOptions{Roots: pki.Roots()}); err != nil {
		t.Fatalf("B-LT with version-1 CRLs: %v", err)
	}
	rep, err := Verify(context.Background(), bytes.NewReader(out.Bytes()), int64(out.Len()), VerifyOptions{Roots: pki.Roots()})
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Signatures[0]
	if s.Level != "B-LT" || !s.Valid {
		t.Fatalf("level %s valid %v: %+v", s.Level, s.Valid, s.Checks)
	}
	for _, c := range s.Checks {
		if c.Name == "revocation" && (c.Status != Passed || !strings.Contains(c.Detail, "CRL")) {
			t.Errorf("revocation: %+v", c)
		}
	}
}
