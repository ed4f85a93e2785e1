package keys

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/signet-sign/signet/internal/testpki"
)

func TestVerifyDigest(t *testing.T) {
	digest := sha256.Sum256([]byte("Signet"))
	for _, alg := range []testpki.KeyAlg{testpki.RSA2048, testpki.P256} {
		key, err := testpki.GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		other, _ := testpki.GenerateKey(alg)
		sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if err := VerifyDigest(key.Public(), crypto.SHA256, digest[:], sig, false); err != nil {
			t.Errorf("ok %v: %v", alg, err)
		}
		if err := VerifyDigest(other.Public(), crypto.SHA256, digest[:], sig, false); !errors.Is(err, ErrBadSignature) {
			t.Errorf("fail %v another key: %v", alg, err)
		}
	}
	key, _ := testpki.GenerateKey(testpki.RSA2048)
	pss, _ := key.Sign(rand.Reader, digest[:], &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
	if err := VerifyDigest(key.Public(), crypto.SHA256, digest[:], pss, true); err != nil {
		t.Errorf("ok PSS: %v", err)
	}
	if err := VerifyDigest(key.Public(), crypto.SHA256, digest[:], pss, false); !errors.Is(err, ErrBadSignature) {
		t.Errorf("fail PSS read as PKCS#1 v1.5: %v", err)
	}
}
