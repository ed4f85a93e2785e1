package keys_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
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

func TestFetchIssuers(t *testing.T) {
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
			got, err := keys.FetchIssuers(context.Background(), e.Cert, nil)
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
		chain, err := keys.ChainSource{}.Complete(ctx, leaf.Cert, []*x509.Certificate{pki.Root.Cert, pki.Intermediate.Cert})
		if err != nil {
			t.Fatal(err)
		}
		want(t, chain, "Līga", "Signet Test Intermediate CA")
	})
	t.Run("anchor ends it", func(t *testing.T) {
		chain, err := keys.ChainSource{Anchors: []*x509.Certificate{pki.Intermediate.Cert}}.Complete(ctx, leaf.Cert, nil)
		if err != nil {
			t.Fatal(err)
		}
		want(t, chain, "Līga", "Signet Test Intermediate CA")
	})

	cache := t.TempDir()
	t.Run("fetched, then cached", func(t *testing.T) {
		src := keys.ChainSource{CacheDir: cache}
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
		chain, err := keys.ChainSource{CacheDir: t.TempDir()}.Complete(ctx, leaf.Cert, nil)
		var ice *keys.IncompleteChainError
		if !errors.As(err, &ice) || ice.Below != "Līga" || len(ice.URLs) != 1 || !strings.Contains(ice.Error(), srv.URL) {
			t.Fatalf("err = %v, want an IncompleteChainError naming the certificate and the URL", err)
		}
		want(t, chain, "Līga")
		if _, err := (keys.ChainSource{Offline: true}).Complete(ctx, leaf.Cert, nil); err == nil {
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
		src := keys.ChainSource{CacheDir: dir}
		if _, err := src.Complete(ctx, leaf.Cert, nil); err != nil {
			t.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.pem"))
		if len(files) != 1 {
			t.Fatalf("%d cache files, want 1", len(files))
		}
		os.WriteFile(files[0], pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: other.Intermediate.Cert.Raw}), 0o600)
		before := fetches
		chain, err := src.Complete(ctx, leaf.Cert, nil)
		if err != nil || fetches != before+1 || !chain[1].Equal(pki.Intermediate.Cert) {
			t.Fatalf("%v, %d fetches: the planted certificate was used", err, fetches-before)
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
