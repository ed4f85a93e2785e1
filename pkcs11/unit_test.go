package pkcs11

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"

	p11 "github.com/miekg/pkcs11"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/prompt"
)

func TestDecodeTokenFlags(t *testing.T) {
	for _, tc := range []struct {
		name      string
		flags     uint
		want      PINStatus
		triesLeft int
		describe  string
	}{
		{"ok clear", p11.CKF_LOGIN_REQUIRED | p11.CKF_TOKEN_INITIALIZED, PINStatus{}, -1, ""},
		{"ok count low", p11.CKF_USER_PIN_COUNT_LOW, PINStatus{CountLow: true}, -1, "few tries"},
		{"ok final try", p11.CKF_USER_PIN_COUNT_LOW | p11.CKF_USER_PIN_FINAL_TRY, PINStatus{CountLow: true, FinalTry: true}, 1, "one try left"},
		{"ok locked", p11.CKF_USER_PIN_LOCKED, PINStatus{Locked: true}, 0, "locked"},
		{"ok to be changed", p11.CKF_USER_PIN_TO_BE_CHANGED, PINStatus{ToBeChanged: true}, -1, "changed"},
		// SO PIN flags must not leak into the user PIN state.
		{"ok SO flags ignored", p11.CKF_SO_PIN_LOCKED | p11.CKF_SO_PIN_FINAL_TRY | p11.CKF_SO_PIN_COUNT_LOW, PINStatus{}, -1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := decodeTokenFlags(tc.flags)
			if f.UserPIN != tc.want {
				t.Errorf("UserPIN = %+v, want %+v", f.UserPIN, tc.want)
			}
			if got := f.UserPIN.TriesLeft(); got != tc.triesLeft {
				t.Errorf("TriesLeft = %d, want %d", got, tc.triesLeft)
			}
			if d := f.UserPIN.Describe(i18n.For("en")); (tc.describe == "") != (d == "") || !strings.Contains(d, tc.describe) {
				t.Errorf("Describe = %q, want it to mention %q", d, tc.describe)
			}
		})
	}
	f := decodeTokenFlags(p11.CKF_LOGIN_REQUIRED | p11.CKF_PROTECTED_AUTHENTICATION_PATH | p11.CKF_WRITE_PROTECTED)
	if !f.LoginRequired || !f.ProtectedAuthPath || !f.WriteProtected || f.Initialized {
		t.Errorf("flags = %+v", f)
	}
}

func TestPINError(t *testing.T) {
	final := &PINError{Token: "eID", Status: PINStatus{CountLow: true, FinalTry: true}}
	if !errors.Is(final, ErrPINIncorrect) || errors.Is(final, ErrPINLocked) {
		t.Errorf("final-try error matches wrongly: %v", final)
	}
	if !strings.Contains(final.Error(), "one try left") {
		t.Errorf("message %q does not warn of the final try", final)
	}
	locked := &PINError{Token: "eID", Status: PINStatus{Locked: true}, ContextSpecific: true}
	if !errors.Is(locked, ErrPINLocked) || !strings.Contains(locked.Error(), "signature PIN") {
		t.Errorf("locking error = %v", locked)
	}
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		code uint
		want error
	}{
		{p11.CKR_PIN_INCORRECT, ErrPINIncorrect},
		{p11.CKR_PIN_LOCKED, ErrPINLocked},
		{p11.CKR_PIN_LEN_RANGE, ErrPINFormat},
		{p11.CKR_DEVICE_REMOVED, ErrTokenRemoved},
		{p11.CKR_TOKEN_NOT_PRESENT, ErrTokenRemoved},
		{p11.CKR_SESSION_HANDLE_INVALID, ErrTokenRemoved},
		{p11.CKR_MECHANISM_INVALID, ErrMechanism},
		{p11.CKR_KEY_FUNCTION_NOT_PERMITTED, ErrKeyCannotSign},
		{p11.CKR_FUNCTION_CANCELED, prompt.ErrCancelled},
	} {
		err := wrap("sign", "card", p11.Error(tc.code))
		if !errors.Is(err, tc.want) {
			t.Errorf("wrap(%s) = %v, want %v", ckrName(p11.Error(tc.code)), err, tc.want)
		}
		if !strings.Contains(err.Error(), "CKR_") || !strings.Contains(err.Error(), `"card"`) {
			t.Errorf("wrap(%#x) = %q: should name the token and the return value", tc.code, err)
		}
	}
	unknown := wrap("sign", "card", p11.Error(p11.CKR_GENERAL_ERROR))
	if !strings.Contains(unknown.Error(), "CKR_GENERAL_ERROR") {
		t.Errorf("unmapped error = %q", unknown)
	}
	if wrap("sign", "card", nil) != nil {
		t.Error("wrap(nil) != nil")
	}
}

func TestECDSADER(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte("r||s"))
	r, s, err := ecdsa.Sign(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	// What CKM_ECDSA returns: r and s left-padded to 32 bytes each.
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	s.FillBytes(raw[32:])
	der, err := ecdsaDER(raw, 32)
	if err != nil {
		t.Fatal(err)
	}
	if !ecdsa.VerifyASN1(&key.PublicKey, digest[:], der) {
		t.Error("converted signature does not verify")
	}
	// Leading zeros in r must survive (DER integers are minimal).
	small := make([]byte, 64)
	big.NewInt(1).FillBytes(small[:32])
	big.NewInt(2).FillBytes(small[32:])
	if der, err := ecdsaDER(small, 32); err != nil || hex.EncodeToString(der) != "3006020101020102" {
		t.Errorf("ecdsaDER(1,2) = %x, %v", der, err)
	}
	if _, err := ecdsaDER(raw[:63], 32); err == nil {
		t.Error("odd-length signature accepted")
	}
}

func TestNewSignOp(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 1024)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	d256 := make([]byte, 32)
	for _, tc := range []struct {
		name    string
		pub     crypto.PublicKey
		digest  []byte
		opts    crypto.SignerOpts
		mech    uint
		wantErr error
	}{
		{"ok rsa pkcs1", &rsaKey.PublicKey, d256, crypto.SHA256, p11.CKM_RSA_PKCS, nil},
		{"ok rsa pss", &rsaKey.PublicKey, d256, &rsa.PSSOptions{Hash: crypto.SHA256}, p11.CKM_RSA_PKCS_PSS, nil},
		{"ok rsa prehashed digestinfo", &rsaKey.PublicKey, make([]byte, 51), crypto.Hash(0), p11.CKM_RSA_PKCS, nil},
		{"ok ecdsa", &ecKey.PublicKey, make([]byte, 48), crypto.SHA384, p11.CKM_ECDSA, nil},
		{"fail sha1", &rsaKey.PublicKey, make([]byte, 20), crypto.SHA1, 0, ErrMechanism},
		{"fail ed25519", edPub, d256, crypto.SHA256, 0, ErrMechanism},
		{"fail pss salt too long", &rsaKey.PublicKey, d256, &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: 200}, 0, errAny},
		{"fail digest length", &ecKey.PublicKey, d256, crypto.SHA384, 0, errAny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op, err := newSignOp(tc.pub, tc.digest, tc.opts)
			switch {
			case tc.wantErr == errAny && err == nil:
				t.Fatal("no error")
			case tc.wantErr == errAny:
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			case tc.wantErr == nil && err != nil:
				t.Fatal(err)
			case tc.wantErr == nil && op.mechType() != tc.mech:
				t.Errorf("mechanism %#x, want %#x", op.mechType(), tc.mech)
			}
		})
	}
}

var errAny = errors.New("any error")

// BenchmarkLayerCost measures what Signet adds per signature in Go, apart
// from the token: choosing the mechanism, encoding the DigestInfo, and
// turning ECDSA r‖s into DER. Stable where token timings are noisy.
func BenchmarkLayerCost(b *testing.B) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	digest := make([]byte, 32)
	raw := make([]byte, 64)
	rand.Read(raw)
	b.Run("key=rsa2048", func(b *testing.B) {
		for b.Loop() {
			if _, err := newSignOp(&rsaKey.PublicKey, digest, crypto.SHA256); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("key=p256", func(b *testing.B) {
		for b.Loop() {
			op, err := newSignOp(&ecKey.PublicKey, digest, crypto.SHA256)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ecdsaDER(raw, op.ecdsaSize); err != nil {
				b.Fatal(err)
			}
		}
	})
}
