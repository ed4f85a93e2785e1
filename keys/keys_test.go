package keys_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	gopkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/prompt"
)

func newPKI(t *testing.T) *testpki.PKI {
	t.Helper()
	pki, err := testpki.New()
	if err != nil {
		t.Fatal(err)
	}
	return pki
}

func TestPKCS12(t *testing.T) {
	pki := newPKI(t)
	for _, alg := range []testpki.KeyAlg{testpki.RSA2048, testpki.P256} {
		t.Run("ok "+string(alg), func(t *testing.T) {
			seal, err := pki.NewEntity(alg, testpki.Signing, "Acme SIA seal", testpki.IssueOptions{})
			if err != nil {
				t.Fatal(err)
			}
			// Root and intermediate in the file, out of order, as some
			// CAs deliver them.
			data, err := gopkcs12.Modern.Encode(seal.Key, seal.Cert, []*x509.Certificate{pki.Root.Cert, pki.Intermediate.Cert}, "seal pass")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "seal.p12")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			p := prompttest.WithPIN("seal pass")
			s, err := keys.OpenPKCS12File(context.Background(), path, p)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if got := p.Requests(); len(got) != 1 || got[0].Kind != prompt.Password || got[0].Token != "seal.p12" {
				t.Errorf("prompts = %+v, want one password request naming the file", got)
			}
			if !p.AllZeroed() {
				t.Error("password not zeroed")
			}
			chain := s.Chain()
			if len(chain) != 3 || !chain[1].Equal(pki.Intermediate.Cert) || !chain[2].Equal(pki.Root.Cert) {
				t.Errorf("chain has %d certificates, want leaf, intermediate, root in order", len(chain))
			}
			for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA512} {
				var digest []byte
				if h == crypto.SHA256 {
					d := sha256.Sum256([]byte("seal"))
					digest = d[:]
				} else {
					d := sha512.Sum512([]byte("seal"))
					digest = d[:]
				}
				sig, err := s.SignContext(context.Background(), digest, h)
				if err != nil {
					t.Fatal(err)
				}
				switch pub := s.Public().(type) {
				case *rsa.PublicKey:
					err = rsa.VerifyPKCS1v15(pub, h, digest, sig)
				case *ecdsa.PublicKey:
					if !ecdsa.VerifyASN1(pub, digest, sig) {
						err = errors.New("ECDSA signature does not verify")
					}
				}
				if err != nil {
					t.Errorf("%v: %v", h, err)
				}
			}
			if _, err := s.SignContext(context.Background(), make([]byte, 31), crypto.SHA256); err == nil {
				t.Error("31-byte SHA-256 digest signed")
			}
		})
	}

	seal, err := pki.NewEntity(testpki.P256, testpki.Signing, "seal", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := gopkcs12.Modern.Encode(seal.Key, seal.Cert, nil, "right")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("fail wrong password", func(t *testing.T) {
		if _, err := keys.LoadPKCS12(data, []byte("wrong")); !errors.Is(err, keys.ErrWrongPassword) {
			t.Fatalf("err = %v, want ErrWrongPassword", err)
		}
	})
	t.Run("fail key does not match certificate", func(t *testing.T) {
		other, _ := testpki.GenerateKey(testpki.P256)
		bad, err := gopkcs12.Modern.Encode(other, seal.Cert, nil, "pw")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := keys.LoadPKCS12(bad, []byte("pw")); !errors.Is(err, keys.ErrKeyMismatch) {
			t.Fatalf("err = %v, want ErrKeyMismatch", err)
		}
	})
	t.Run("fail not PKCS#12", func(t *testing.T) {
		if _, err := keys.LoadPKCS12([]byte("%PDF-1.7"), []byte("pw")); err == nil {
			t.Fatal("garbage accepted")
		}
	})
	t.Run("fail password declined", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "seal.p12")
		os.WriteFile(path, data, 0o600)
		p := prompttest.ByKind(nil)
		if _, err := keys.OpenPKCS12File(context.Background(), path, p); !errors.Is(err, prompt.ErrCancelled) {
			t.Fatalf("err = %v, want ErrCancelled", err)
		}
	})
	t.Run("fail closed", func(t *testing.T) {
		s, err := keys.LoadPKCS12(data, []byte("right"))
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		d := sha256.Sum256(nil)
		if _, err := s.Sign(rand.Reader, d[:], crypto.SHA256); err == nil {
			t.Fatal("closed key signed")
		}
	})
}

func TestBuildChain(t *testing.T) {
	pki := newPKI(t)
	other := newPKI(t)
	leaf, err := pki.NewEntity(testpki.P256, testpki.Signing, "leaf", testpki.IssueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		pool []*x509.Certificate
		want []*x509.Certificate
	}{
		{"ok full", []*x509.Certificate{pki.Root.Cert, pki.Intermediate.Cert}, []*x509.Certificate{leaf.Cert, pki.Intermediate.Cert, pki.Root.Cert}},
		{"ok no root", []*x509.Certificate{pki.Intermediate.Cert}, []*x509.Certificate{leaf.Cert, pki.Intermediate.Cert}},
		{"ok empty pool", nil, []*x509.Certificate{leaf.Cert}},
		// Same subject name, different key: must not be taken as issuer.
		{"ok impostor ignored", []*x509.Certificate{other.Intermediate.Cert}, []*x509.Certificate{leaf.Cert}},
		{"ok leaf in pool", []*x509.Certificate{leaf.Cert, pki.Intermediate.Cert}, []*x509.Certificate{leaf.Cert, pki.Intermediate.Cert}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := keys.BuildChain(leaf.Cert, tc.pool)
			if !slices.EqualFunc(got, tc.want, (*x509.Certificate).Equal) {
				t.Errorf("chain of %d, want %d", len(got), len(tc.want))
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	pki := newPKI(t)
	for _, tc := range []struct {
		alg     testpki.KeyAlg
		profile testpki.Profile
		keyType string
		size    int
		purpose keys.Purpose
	}{
		{testpki.RSA3072, testpki.Signing, "RSA", 3072, keys.PurposeSigning},
		{testpki.P384, testpki.Authentication, "EC P-384", 384, keys.PurposeAuthentication},
		{testpki.P256, testpki.TSA, "EC P-256", 256, keys.PurposeTimestamping},
		{testpki.P256, testpki.OCSP, "EC P-256", 256, keys.PurposeOther},
	} {
		e, err := pki.NewEntity(tc.alg, tc.profile, "Zoë Ørsted", testpki.IssueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s := keys.Summarize(e.Cert)
		if s.KeyType != tc.keyType || s.KeySize != tc.size || s.Purpose != tc.purpose {
			t.Errorf("%s/%d: got %s %d %s, want %s %d %s", tc.alg, tc.profile, s.KeyType, s.KeySize, s.Purpose, tc.keyType, tc.size, tc.purpose)
		}
		if s.Subject != "CN=Zoë Ørsted,O=Signet Test,C=LV" {
			t.Errorf("subject = %q", s.Subject)
		}
	}
	if s := keys.Summarize(pki.Root.Cert); s.Purpose != keys.PurposeCA || !slices.Contains(s.KeyUsage, "keyCertSign") {
		t.Errorf("root summary = %+v", s)
	}
}
