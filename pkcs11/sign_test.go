package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"testing"

	p11 "github.com/miekg/pkcs11"

	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/pkcs11"
	"github.com/signet-sign/signet/prompt"
)

// openKey finds the key with label on token and opens it with p.
func openKey(t *testing.T, m *pkcs11.Module, token, label string, p prompt.Prompter) *pkcs11.Key {
	t.Helper()
	tokens, err := pkcs11.ListTokens([]*pkcs11.Module{m})
	if err != nil {
		t.Fatal(err)
	}
	uri := pkcs11.NewURI().Set("token", token).Set("object", label)
	c, err := pkcs11.FindCertificate(tokens, uri)
	if err != nil {
		t.Fatalf("FindCertificate(%s): %v", uri, err)
	}
	k, err := pkcs11.OpenKey(c, p)
	if err != nil {
		t.Fatalf("OpenKey(%s): %v", label, err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

func digestOf(h crypto.Hash, msg string) []byte {
	hh := h.New()
	hh.Write([]byte(msg))
	return hh.Sum(nil)
}

// verify checks sig with Go's crypto, independent of the token.
func verify(pub crypto.PublicKey, digest, sig []byte, opts crypto.SignerOpts) error {
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		if pss, ok := opts.(*rsa.PSSOptions); ok {
			return rsa.VerifyPSS(pub, pss.Hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.VerifyPKCS1v15(pub, opts.HashFunc(), digest, sig)
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, digest, sig) {
			return errors.New("ECDSA signature does not verify")
		}
		return nil
	}
	return fmt.Errorf("unexpected key %T", pub)
}

func TestSignAllMechanisms(t *testing.T) {
	_, m := openModule(t)
	hashes := []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512}
	// Login state is shared by all sessions of an application with a
	// token, and every key stays open until the test ends: so one token
	// PIN per token, whatever the number of keys and signatures.
	p := prompttest.WithPIN(softhsmtest.PIN)
	for _, spec := range softhsmtest.Keys {
		if spec.AlwaysAuthenticate {
			continue // TestAlwaysAuthenticate
		}
		k := openKey(t, m, spec.Token, spec.Label, p)
		_, isRSA := k.Public().(*rsa.PublicKey)
		for _, h := range hashes {
			mechs := map[string]crypto.SignerOpts{"ecdsa": h}
			if isRSA {
				mechs = map[string]crypto.SignerOpts{
					"pkcs1": h,
					"pss":   &rsa.PSSOptions{Hash: h, SaltLength: rsa.PSSSaltLengthEqualsHash},
				}
			}
			for mech, opts := range mechs {
				t.Run(fmt.Sprintf("ok %s %s %s %v", spec.Token, spec.Label, mech, h), func(t *testing.T) {
					digest := digestOf(h, "signet "+spec.Label)
					sig, err := k.SignContext(context.Background(), digest, opts)
					if err != nil {
						t.Fatalf("sign: %v", err)
					}
					if err := verify(k.Public(), digest, sig, opts); err != nil {
						t.Fatalf("verify: %v", err)
					}
					// A signature over another digest must not verify:
					// the check above is not vacuous.
					if verify(k.Public(), digestOf(h, "other"), sig, opts) == nil {
						t.Fatal("signature verifies for another digest")
					}
				})
			}
		}
	}
	var tokens []string
	for _, r := range p.Requests() {
		if r.Kind != prompt.TokenPIN {
			t.Errorf("asked %v for %s; ordinary keys need only the token PIN", r.Kind, r.Key)
		}
		tokens = append(tokens, r.Token)
	}
	if want := []string{softhsmtest.MainToken, softhsmtest.SecondToken}; !slices.Equal(tokens, want) {
		t.Errorf("token PINs asked for %v, want once for each of %v", tokens, want)
	}
	if !p.AllZeroed() {
		t.Error("a PIN was not zeroed after use")
	}
}

func TestSignChain(t *testing.T) {
	env, m := openModule(t)
	k := openKey(t, m, softhsmtest.MainToken, "RSA-2048 signing", prompttest.WithPIN(softhsmtest.PIN))
	chain := k.Chain()
	if len(chain) != 2 || !chain[1].Equal(env.PKI.Intermediate.Cert) {
		t.Fatalf("chain has %d certificates; want signing certificate + intermediate CA from the token", len(chain))
	}
}

// TestAlwaysAuthenticate shows that SoftHSM2 enforces CKA_ALWAYS_AUTHENTICATE
// and that Signet satisfies it with one signature PIN per signature.
func TestAlwaysAuthenticate(t *testing.T) {
	env, m := openModule(t)
	const label = "P-256 eID signature"
	digest := digestOf(crypto.SHA256, "eID")

	t.Run("fail raw sign without context login", func(t *testing.T) {
		c := p11.New(env.Module)
		// Same library, already initialized by m; this context shares it.
		slots, err := c.GetSlotList(true)
		if err != nil {
			t.Fatal(err)
		}
		for _, slot := range slots {
			ti, _ := c.GetTokenInfo(slot)
			if ti.Label != softhsmtest.MainToken {
				continue
			}
			sh, err := c.OpenSession(slot, p11.CKF_SERIAL_SESSION)
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseSession(sh)
			if err := c.Login(sh, p11.CKU_USER, softhsmtest.PIN); err != nil && !errors.Is(err, p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN)) {
				t.Fatal(err)
			}
			c.FindObjectsInit(sh, []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY), p11.NewAttribute(p11.CKA_LABEL, label)})
			objs, _, _ := c.FindObjects(sh, 1)
			c.FindObjectsFinal(sh)
			if len(objs) != 1 {
				t.Fatalf("found %d keys", len(objs))
			}
			if err := c.SignInit(sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_ECDSA, nil)}, objs[0]); err != nil {
				t.Fatal(err)
			}
			_, err = c.Sign(sh, digest)
			if !errors.Is(err, p11.Error(p11.CKR_USER_NOT_LOGGED_IN)) {
				t.Fatalf("raw C_Sign without context-specific login: err = %v, want CKR_USER_NOT_LOGGED_IN", err)
			}
			return
		}
		t.Fatal("main token not found")
	})

	t.Run("ok one signature PIN per signature", func(t *testing.T) {
		p := prompttest.WithPIN(softhsmtest.PIN)
		k := openKey(t, m, softhsmtest.MainToken, label, p)
		if !k.Info().AlwaysAuthenticate && k.Info().Key == pkcs11.KeyPrivate {
			t.Error("listing missed CKA_ALWAYS_AUTHENTICATE")
		}
		for i := range 3 {
			p.Reset()
			sig, err := k.SignContext(context.Background(), digest, crypto.SHA256)
			if err != nil {
				t.Fatalf("signature %d: %v", i+1, err)
			}
			if err := verify(k.Public(), digest, sig, crypto.SHA256); err != nil {
				t.Fatalf("signature %d: %v", i+1, err)
			}
			want := []prompt.Kind{prompt.SignaturePIN}
			if i == 0 {
				want = []prompt.Kind{prompt.TokenPIN, prompt.SignaturePIN}
			}
			if got := p.Kinds(); !slices.Equal(got, want) {
				t.Errorf("signature %d asked %v, want %v", i+1, got, want)
			}
			if r := p.Requests(); r[len(r)-1].Key != "Nguyễn Văn Đức" {
				t.Errorf("signature PIN prompt names key %q, want the certificate's name", r[len(r)-1].Key)
			}
		}
	})

	t.Run("fail declined signature PIN then ok", func(t *testing.T) {
		declined := false
		p := &prompttest.Prompter{Answer: func(req prompt.Request) ([]byte, error) {
			if req.Kind == prompt.SignaturePIN && !declined {
				declined = true
				return nil, prompt.ErrCancelled
			}
			return []byte(softhsmtest.PIN), nil
		}}
		k := openKey(t, m, softhsmtest.MainToken, label, p)
		if _, err := k.SignContext(context.Background(), digest, crypto.SHA256); !errors.Is(err, prompt.ErrCancelled) {
			t.Fatalf("err = %v, want ErrCancelled", err)
		}
		// The aborted operation must not block the next signature.
		sig, err := k.SignContext(context.Background(), digest, crypto.SHA256)
		if err != nil {
			t.Fatalf("signature after a declined one: %v", err)
		}
		if err := verify(k.Public(), digest, sig, crypto.SHA256); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("fail wrong signature PIN", func(t *testing.T) {
		p := prompttest.ByKind(map[prompt.Kind]string{prompt.TokenPIN: softhsmtest.PIN, prompt.SignaturePIN: "999999"})
		k := openKey(t, m, softhsmtest.MainToken, label, p)
		_, err := k.SignContext(context.Background(), digest, crypto.SHA256)
		var pinErr *pkcs11.PINError
		if !errors.As(err, &pinErr) || !pinErr.ContextSpecific {
			t.Fatalf("err = %v, want a context-specific PINError", err)
		}
		if got := p.Kinds(); !slices.Equal(got, []prompt.Kind{prompt.TokenPIN, prompt.SignaturePIN}) {
			t.Errorf("asked %v: a wrong PIN must not be asked again by itself", got)
		}
	})
}

func TestWrongPIN(t *testing.T) {
	_, m := openModule(t)
	p := prompttest.WithPIN("000000")
	k := openKey(t, m, softhsmtest.MainToken, "P-256 signing", p)
	digest := digestOf(crypto.SHA256, "x")
	_, err := k.SignContext(context.Background(), digest, crypto.SHA256)
	var pinErr *pkcs11.PINError
	if !errors.As(err, &pinErr) {
		t.Fatalf("err = %v, want *PINError", err)
	}
	if !errors.Is(err, pkcs11.ErrPINIncorrect) || pinErr.Token != softhsmtest.MainToken || pinErr.ContextSpecific {
		t.Errorf("PINError = %+v", pinErr)
	}
	if n := len(p.Requests()); n != 1 {
		t.Errorf("PIN asked %d times; a wrong PIN is never retried automatically", n)
	}
	if !p.AllZeroed() {
		t.Error("the wrong PIN was not zeroed")
	}
	// The person tries again with the right PIN.
	p.PIN = softhsmtest.PIN
	if _, err := k.SignContext(context.Background(), digest, crypto.SHA256); err != nil {
		t.Fatalf("sign after correcting the PIN: %v", err)
	}
}

func TestSignErrors(t *testing.T) {
	_, m := openModule(t)
	p := prompttest.WithPIN(softhsmtest.PIN)

	t.Run("fail certificate without key", func(t *testing.T) {
		k := openKey(t, m, softhsmtest.MainToken, softhsmtest.CALabel, p)
		_, err := k.SignContext(context.Background(), digestOf(crypto.SHA256, "x"), crypto.SHA256)
		if !errors.Is(err, pkcs11.ErrKeyNotFound) {
			t.Fatalf("err = %v, want ErrKeyNotFound", err)
		}
	})
	t.Run("fail digest length", func(t *testing.T) {
		k := openKey(t, m, softhsmtest.MainToken, "RSA-2048 signing", p)
		_, err := k.SignContext(context.Background(), make([]byte, 31), crypto.SHA256)
		if err == nil {
			t.Fatal("a 31-byte SHA-256 digest was signed")
		}
	})
	t.Run("fail SHA-1", func(t *testing.T) {
		k := openKey(t, m, softhsmtest.MainToken, "RSA-2048 signing", p)
		_, err := k.SignContext(context.Background(), make([]byte, 20), crypto.SHA1)
		if !errors.Is(err, pkcs11.ErrMechanism) {
			t.Fatalf("err = %v, want ErrMechanism", err)
		}
	})
	t.Run("fail closed key", func(t *testing.T) {
		k := openKey(t, m, softhsmtest.MainToken, "P-256 signing", p)
		k.Close()
		_, err := k.SignContext(context.Background(), digestOf(crypto.SHA256, "x"), crypto.SHA256)
		if !errors.Is(err, pkcs11.ErrKeyClosed) {
			t.Fatalf("err = %v, want ErrKeyClosed", err)
		}
	})
	t.Run("fail cancelled context asks nothing", func(t *testing.T) {
		asked := prompttest.WithPIN(softhsmtest.PIN)
		k := openKey(t, m, softhsmtest.MainToken, "P-256 signing", asked)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := k.SignContext(ctx, digestOf(crypto.SHA256, "x"), crypto.SHA256); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if len(asked.Requests()) != 0 {
			t.Error("a PIN was asked for a cancelled operation")
		}
	})
}

// TestCryptoSigner uses a Key through the crypto.Signer interface alone, as
// the PAdES layer will.
func TestCryptoSigner(t *testing.T) {
	_, m := openModule(t)
	var s crypto.Signer = openKey(t, m, softhsmtest.MainToken, "RSA-3072 authentication", prompttest.WithPIN(softhsmtest.PIN))
	sum := sha256.Sum256([]byte("crypto.Signer"))
	sig, err := s.Sign(nil, sum[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(s.Public().(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Fatal(err)
	}
}
