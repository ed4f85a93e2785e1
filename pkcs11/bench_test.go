package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"

	p11 "github.com/miekg/pkcs11"

	"github.com/signet-sign/signet/internal/prompttest"
	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/pkcs11"
)

// BenchmarkSign compares a signature through Signet's layer (Key.SignContext:
// mechanism choice, DigestInfo, login check, ECDSA to DER) with the bare
// C_SignInit + C_Sign through miekg/pkcs11 on the same SoftHSM2 key.
// scripts/bench-pkcs11.sh runs it and reports the overhead.
func BenchmarkSign(b *testing.B) {
	env := softhsmtest.Require(b)
	m, err := pkcs11.Open(env.Module)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	tokens, err := m.Tokens()
	if err != nil {
		b.Fatal(err)
	}
	digest := sha256.Sum256([]byte("benchmark"))
	for _, tc := range []struct {
		name, label string
		mech        uint
		input       []byte
	}{
		{"key=rsa2048", "RSA-2048 signing", p11.CKM_RSA_PKCS, rsaDigestInfo(b, digest[:])},
		{"key=p256", "P-256 signing", p11.CKM_ECDSA, digest[:]},
	} {
		uri := pkcs11.NewURI().Set("token", softhsmtest.MainToken).Set("object", tc.label)
		cert, err := pkcs11.FindCertificate(tokens, uri)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name+"/impl=signet", func(b *testing.B) {
			key, err := pkcs11.OpenKey(cert, prompttest.WithPIN(softhsmtest.PIN))
			if err != nil {
				b.Fatal(err)
			}
			defer key.Close()
			ctx := context.Background()
			if _, err := key.SignContext(ctx, digest[:], crypto.SHA256); err != nil { // log in
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := key.SignContext(ctx, digest[:], crypto.SHA256); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sigs/s")
		})
		b.Run(tc.name+"/impl=raw", func(b *testing.B) {
			c, sh, key := rawKey(b, env.Module, tc.label)
			defer c.CloseSession(sh)
			mech := []*p11.Mechanism{p11.NewMechanism(tc.mech, nil)}
			b.ResetTimer()
			for b.Loop() {
				if err := c.SignInit(sh, mech, key); err != nil {
					b.Fatal(err)
				}
				if _, err := c.Sign(sh, tc.input); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sigs/s")
		})
	}
}

func rsaDigestInfo(b *testing.B, digest []byte) []byte {
	di, err := asn1.Marshal(struct {
		A pkix.AlgorithmIdentifier
		D []byte
	}{pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, Parameters: asn1.NullRawValue}, digest})
	if err != nil {
		b.Fatal(err)
	}
	return di
}

// rawKey logs in with plain miekg/pkcs11 and finds the private key.
func rawKey(b *testing.B, module, label string) (*p11.Ctx, p11.SessionHandle, p11.ObjectHandle) {
	c := p11.New(module) // shares the library pkcs11.Open initialized
	slots, err := c.GetSlotList(true)
	if err != nil {
		b.Fatal(err)
	}
	for _, slot := range slots {
		ti, err := c.GetTokenInfo(slot)
		if err != nil || strings.TrimRight(ti.Label, " ") != softhsmtest.MainToken {
			continue
		}
		sh, err := c.OpenSession(slot, p11.CKF_SERIAL_SESSION)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Login(sh, p11.CKU_USER, softhsmtest.PIN); err != nil && !errors.Is(err, p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN)) {
			b.Fatal(err)
		}
		if err := c.FindObjectsInit(sh, []*p11.Attribute{
			p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
			p11.NewAttribute(p11.CKA_LABEL, label),
		}); err != nil {
			b.Fatal(err)
		}
		objs, _, err := c.FindObjects(sh, 1)
		c.FindObjectsFinal(sh)
		if err != nil || len(objs) != 1 {
			b.Fatalf("find %q: %v (%d found)", label, err, len(objs))
		}
		return c, sh, objs[0]
	}
	b.Fatal("main token not found")
	return nil, 0, 0
}
