package keys_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pkcs7"

	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/keys"
)

func TestIssuerFetch(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := pkcs7.DegenerateCertificate(pki.Intermediate.Cert.Raw)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/int.crt", func(w http.ResponseWriter, _ *http.Request) { w.Write(pki.Intermediate.Cert.Raw) })
	mux.HandleFunc("/int.pem", func(w http.ResponseWriter, _ *http.Request) {
		w.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.Intermediate.Cert.Raw}))
	})
	mux.HandleFunc("/int.p7c", func(w http.ResponseWriter, _ *http.Request) { w.Write(bundle) })
	mux.HandleFunc("/root.crt", func(w http.ResponseWriter, _ *http.Request) { w.Write(pki.Root.Cert.Raw) })
	mux.HandleFunc("/junk", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("<html>")) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cases := []struct {
		name, path string
		wantErr    string
	}{
		{"ok DER", "/int.crt", ""},
		{"ok PEM", "/int.pem", ""},
		{"ok PKCS#7 bundle", "/int.p7c", ""},
		{"ok no AIA", "", ""},
		{"fail not found", "/missing", "HTTP 404"},
		{"fail another CA's certificate", "/root.crt", "holds no certificate that issued"},
		{"fail not a certificate", "/junk", "neither a certificate nor a PKCS#7 bundle"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := testpki.IssueOptions{}
			if tc.path != "" {
				opts.IssuerURL = srv.URL + tc.path
			}
			e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Leaf", opts)
			if err != nil {
				t.Fatal(err)
			}
			issuer, err := (&keys.ChainSource{}).Issuer(context.Background(), e.Cert)
			var got []*x509.Certificate
			if issuer != nil {
				got = append(got, issuer)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if tc.path == "" {
				want = 0
			}
			if len(got) != want || (want == 1 && !got[0].Equal(pki.Intermediate.Cert)) {
				t.Errorf("got %d issuers", len(got))
			}
		})
	}
}

// TestChainSource: chains are completed up to (not including) the root,
// from what is at hand, the anchors, the cache and the caIssuers URL, in
// that order; what is fetched is cached and serves offline; a certificate
// planted in the cache that did not issue the one below is not used.
func TestChainSource(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	fetches := 0
	down := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches++
		if down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Write(pki.Intermediate.Cert.Raw)
	}))
	defer srv.Close()
	leaf, err := pki.NewEntity(testpki.P256, testpki.Signing, "Līga", testpki.IssueOptions{IssuerURL: srv.URL + "/ca.cer"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want := func(t *testing.T, chain []*x509.Certificate, names ...string) {
		t.Helper()
		var got []string
		for _, c := range chain {
			got = append(got, c.Subject.CommonName)
		}
		if strings.Join(got, " → ") != strings.Join(names, " → ") {
			t.Errorf("chain %v, want %v", got, names)
		}
	}

	t.Run("at hand, root left out", func(t *testing.T) {
		chain, err := (&keys.ChainSource{}).Complete(ctx, leaf.Cert, []*x509.Certificate{pki.Root.Cert, pki.Intermediate.Cert})
		if err != nil {
			t.Fatal(err)
		}
		want(t, chain, "Līga", "Signet Test Intermediate CA")
	})
	t.Run("self-signed end entity", func(t *testing.T) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Self Seal"}, NotBefore: time.Now().Add(-time.Hour),
			NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, BasicConstraintsValid: true}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		self, _ := x509.ParseCertificate(der)
		chain, err := (&keys.ChainSource{}).Complete(ctx, self, nil)
		if err != nil {
			t.Fatalf("a self-signed certificate's chain is itself: %v", err)
		}
		want(t, chain, "Self Seal")
	})
	t.Run("anchor ends it", func(t *testing.T) {
		chain, err := (&keys.ChainSource{Anchors: []*x509.Certificate{pki.Intermediate.Cert}}).Complete(ctx, leaf.Cert, nil)
		if err != nil {
			t.Fatal(err)
		}
		want(t, chain, "Līga", "Signet Test Intermediate CA")
	})

	cache := t.TempDir()
	t.Run("fetched, then cached", func(t *testing.T) {
		src := &keys.ChainSource{CacheDir: cache}
		chain, err := src.Complete(ctx, leaf.Cert, nil)
		if err != nil || fetches != 1 {
			t.Fatalf("%v, %d fetches", err, fetches)
		}
		// The intermediate names no URL for its issuer: taken to be a
		// root's, the validator's to have.
		want(t, chain, "Līga", "Signet Test Intermediate CA")
		down = true
		defer func() { down = false }()
		src.Offline = true
		chain, err = src.Complete(ctx, leaf.Cert, nil)
		if err != nil || fetches != 1 {
			t.Fatalf("offline from the cache: %v, %d fetches", err, fetches)
		}
		want(t, chain, "Līga", "Signet Test Intermediate CA")
	})

	t.Run("unreachable", func(t *testing.T) {
		down = true
		defer func() { down = false }()
		chain, err := (&keys.ChainSource{CacheDir: t.TempDir()}).Complete(ctx, leaf.Cert, nil)
		var ice *keys.IncompleteChainError
		if !errors.As(err, &ice) || ice.Below != "Līga" || len(ice.URLs) != 1 || !strings.Contains(ice.Error(), srv.URL) {
			t.Fatalf("err = %v, want an IncompleteChainError naming the certificate and the URL", err)
		}
		want(t, chain, "Līga")
		if _, err := (&keys.ChainSource{Offline: true}).Complete(ctx, leaf.Cert, nil); err == nil {
			t.Error("offline with no cache: no error")
		}
	})

	t.Run("planted in the cache", func(t *testing.T) {
		// Another PKI's intermediate of the same name, written where
		// the real one would be cached: its signature does not verify
		// the leaf, so it is ignored and the real one fetched.
		other, err := testpki.New()
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		src := &keys.ChainSource{CacheDir: dir}
		if _, err := src.Complete(ctx, leaf.Cert, nil); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
		if len(files) != 1 {
			t.Fatalf("%d cache files, want 1", len(files))
		}
		os.Remove(files[0])
		planted := strings.TrimSuffix(files[0], ".pem")[:len(files[0])-len(".pem")-16] + "0000000000000000.pem"
		os.WriteFile(planted, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Intermediate.Cert.Raw}), 0o600)
		before := fetches
		src = &keys.ChainSource{CacheDir: dir}
		chain, err := src.Complete(ctx, leaf.Cert, nil)
		if err != nil || fetches != before+1 || !chain[1].Equal(pki.Intermediate.Cert) {
			t.Fatalf("%v, %d fetches: the planted certificate was used", err, fetches-before)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "*.pem")); len(files) != 2 {
			t.Errorf("%d cache files, want the planted one beside the genuine one", len(files))
		}
	})

	t.Run("expired in the cache", func(t *testing.T) {
		// The CA renewed its intermediate (same name, same key): the
		// expired one cached is not used, the renewed one is fetched.
		tmpl := *pki.Intermediate.Cert
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)
		der, err := x509.CreateCertificate(rand.Reader, &tmpl, pki.Root.Cert, pki.Intermediate.Key.Public(), pki.Root.Key)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		src := &keys.ChainSource{CacheDir: dir}
		if _, err := src.Complete(ctx, leaf.Cert, nil); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
		os.WriteFile(files[0], pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
		before := fetches
		chain, err := (&keys.ChainSource{CacheDir: dir}).Complete(ctx, leaf.Cert, nil)
		if err != nil || fetches != before+1 || !chain[1].Equal(pki.Intermediate.Cert) {
			t.Fatalf("%v, %d fetches: the expired intermediate was used", err, fetches-before)
		}
	})

	t.Run("each URL once, two a certificate", func(t *testing.T) {
		down = true
		defer func() { down = false }()
		var urls []string
		for i := range 50 {
			urls = append(urls, fmt.Sprintf("%s/ca-%d.cer", srv.URL, i))
		}
		many, err := pki.NewEntity(testpki.P256, testpki.Signing, "Many URLs", testpki.IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tmpl := *many.Cert
		tmpl.IssuingCertificateURL = urls
		der, err := x509.CreateCertificate(rand.Reader, &tmpl, pki.Intermediate.Cert, many.Key.Public(), pki.Intermediate.Key)
		if err != nil {
			t.Fatal(err)
		}
		cert, _ := x509.ParseCertificate(der)
		before := fetches
		src := &keys.ChainSource{}
		for range 5 { // five signatures by the same signer
			if _, err := src.Complete(ctx, cert, nil); err == nil {
				t.Fatal("complete with the server down")
			}
		}
		if n := fetches - before; n != 2 {
			t.Errorf("%d fetches for five chains of a certificate naming 50 URLs, want 2", n)
		}
	})

	t.Run("a loop is no chain", func(t *testing.T) {
		// Two CAs certifying each other, neither a root anyone knows.
		a, b, looped := loopCAs(t)
		chain, err := (&keys.ChainSource{}).Complete(ctx, looped, []*x509.Certificate{a, b})
		var ice *keys.IncompleteChainError
		if !errors.As(err, &ice) {
			t.Fatalf("chain of %d certificates, err %v: want an IncompleteChainError", len(chain), err)
		}
	})

	t.Run("verifier completes", func(t *testing.T) {
		src := &keys.ChainSource{CacheDir: cache, Offline: true}
		chain, more, err := keys.VerifyChainWith(ctx, src, leaf.Cert, nil, pki.Roots(), nil, time.Now(), x509.ExtKeyUsageAny)
		if err != nil || len(chain) != 3 || len(more) != 1 {
			t.Fatalf("chain %d, added %d: %v", len(chain), len(more), err)
		}
		if _, _, err := keys.VerifyChainWith(ctx, nil, leaf.Cert, nil, pki.Roots(), nil, time.Now(), x509.ExtKeyUsageAny); err == nil {
			t.Error("without a source the chain verified with no intermediate")
		}
	})
}

// loopCAs makes two CAs, A and B, each certified by the other (A's
// certificate issued by B, B's by A) and neither by a root, and a leaf
// under A.
func loopCAs(t *testing.T) (a, b, leaf *x509.Certificate) {
	t.Helper()
	keyA, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	keyB, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := func(cn string, serial int64, ca bool) *x509.Certificate {
		c := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, NotBefore: time.Now().Add(-time.Hour),
			NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
		if ca {
			c.IsCA, c.BasicConstraintsValid, c.KeyUsage = true, true, x509.KeyUsageCertSign
		}
		return c
	}
	mk := func(c, parent *x509.Certificate, pub any, key *ecdsa.PrivateKey) *x509.Certificate {
		der, err := x509.CreateCertificate(rand.Reader, c, parent, pub, key)
		if err != nil {
			t.Fatal(err)
		}
		parsed, _ := x509.ParseCertificate(der)
		return parsed
	}
	tA, tB := tmpl("Loop CA A", 1, true), tmpl("Loop CA B", 2, true)
	a = mk(tA, tB, &keyA.PublicKey, keyB)
	b = mk(tB, tA, &keyB.PublicKey, keyA)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf = mk(tmpl("Looped", 3, false), tA, &leafKey.PublicKey, keyA)
	return a, b, leaf
}

// TestIssuerURLLinkLocal: a caIssuers URL at a link-local address (a
// cloud machine's metadata service) is not fetched.
func TestIssuerURLLinkLocal(t *testing.T) {
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	e, err := pki.NewEntity(testpki.P256, testpki.Signing, "Metadata", testpki.IssueOptions{IssuerURL: "http://169.254.169.254/latest/meta-data/"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&keys.ChainSource{}).Complete(context.Background(), e.Cert, nil)
	if err == nil || !strings.Contains(err.Error(), "not fetched from 169.254.169.254") {
		t.Errorf("err = %v, want the link-local address refused", err)
	}
}
