package cmd_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/signet-sign/signet/internal/pkcs1"
	"github.com/signet-sign/signet/remote/cmd"
	"github.com/signet-sign/signet/remote/cmd/fake"
)

const phone = "+351 912345678"

func start(t *testing.T) (*fake.Env, *fake.Citizen, *cmd.Client) {
	t.Helper()
	env, err := fake.StartEnv("app-1", "user", "secret")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	c, err := env.NewCitizen("Maria Exemplo", phone, "1234")
	if err != nil {
		t.Fatal(err)
	}
	return env, c, client(t, env, cmd.PKCS1v15)
}

func client(t *testing.T, env *fake.Env, padding cmd.Padding) *cmd.Client {
	t.Helper()
	ci, err := cmd.CipherFor(env.Cifra, padding)
	if err != nil {
		t.Fatal(err)
	}
	c, err := cmd.New(cmd.Config{URL: env.URL, ApplicationID: "app-1", Username: "user", Password: "secret", Cipher: ci})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func digestInfo(t *testing.T, s string) []byte {
	d := sha256.Sum256([]byte(s))
	di, err := pkcs1.DigestInfo(crypto.SHA256, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return di
}

func TestSignOne(t *testing.T) {
	env, citizen, c := start(t)
	ctx := context.Background()
	chain, err := c.GetCertificate(ctx, phone)
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 2 || !chain[0].Equal(citizen.Chain[0]) || !chain[1].Equal(env.PKI.Intermediate.Cert) {
		t.Fatalf("chain = %d certificates, want the citizen's and the CA's", len(chain))
	}
	di := digestInfo(t, "attrs")
	pid, err := c.Sign(ctx, phone, []byte("1234"), cmd.Document{Name: "contrato.pdf", Hash: di})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := c.ValidateOtp(ctx, pid, []byte(env.LastOTP()))
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.Sum256([]byte("attrs"))
	if err := rsa.VerifyPKCS1v15(&citizen.Key.PublicKey, crypto.SHA256, d[:], signed.Signature); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
}

func TestSignMultipleAndResend(t *testing.T) {
	env, citizen, c := start(t)
	ctx := context.Background()
	docs := []cmd.Document{{ID: "0", Name: "a.pdf", Hash: digestInfo(t, "a")}, {ID: "1", Name: "b.pdf", Hash: digestInfo(t, "b")}}
	pid, err := c.SignMultiple(ctx, phone, []byte("1234"), docs)
	if err != nil {
		t.Fatal(err)
	}
	first := env.LastOTP()
	if err := c.ForceSMS(ctx, pid, phone); err != nil {
		t.Fatal(err)
	}
	if env.Calls("ForceSMS") != 1 {
		t.Fatal("ForceSMS was not called")
	}
	second := env.LastOTP()
	if first != second {
		// The first code no longer works once a new one is sent.
		if _, err := c.ValidateOtp(ctx, pid, []byte(first)); !errors.Is(err, cmd.ErrWrongOTP) {
			t.Fatalf("the replaced code: %v, want a wrong-code error", err)
		}
	}
	signed, err := c.ValidateOtp(ctx, pid, []byte(second))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		id := map[string]string{"a": "0", "b": "1"}[name]
		d := sha256.Sum256([]byte(name))
		if err := rsa.VerifyPKCS1v15(&citizen.Key.PublicKey, crypto.SHA256, d[:], signed.Signatures[id]); err != nil {
			t.Fatalf("signature of %s: %v", name, err)
		}
	}
	many := make([]cmd.Document, cmd.MaxDocuments+1)
	if _, err := c.SignMultiple(ctx, phone, []byte("1234"), many); !errors.Is(err, cmd.ErrTooManyItems) {
		t.Fatalf("101 documents: %v", err)
	}
}

// The fake decrypts with its private key: a client that encrypts with
// AMA's real certificate, or with another padding, is refused.
func TestEncryption(t *testing.T) {
	env, _, _ := start(t)
	ctx := context.Background()
	ama, err := cmd.AMACipher(cmd.PKCS1v15)
	if err != nil {
		t.Fatal(err)
	}
	wrongKey, err := cmd.New(cmd.Config{URL: env.URL, ApplicationID: "app-1", Username: "user", Password: "secret", Cipher: ama})
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrongKey.Sign(ctx, phone, []byte("1234"), cmd.Document{Hash: digestInfo(t, "x")})
	var se *cmd.StatusError
	if !errors.As(err, &se) || se.Field != "UserId" || !errors.Is(err, cmd.ErrInvalid) {
		t.Fatalf("encrypted with another key: %v, want an invalid UserId", err)
	}
	oaep := client(t, env, cmd.OAEPSHA256)
	var fe *cmd.FaultError
	if _, err := oaep.GetCertificate(ctx, phone); !errors.As(err, &fe) || !strings.Contains(fe.String, "decifrar") {
		t.Fatalf("OAEP against a PKCS#1 v1.5 service: %v", err)
	}
	env.Padding = "oaep-sha256"
	if _, err := oaep.GetCertificate(ctx, phone); err != nil {
		t.Fatalf("OAEP against an OAEP service: %v", err)
	}
}

func TestStatusCodes(t *testing.T) {
	env, citizen, c := start(t)
	ctx := context.Background()
	di := digestInfo(t, "x")
	if _, err := c.Sign(ctx, phone, []byte("0000"), cmd.Document{Hash: di}); !errors.Is(err, cmd.ErrWrongPIN) || !strings.Contains(err.Error(), "PIN is wrong") {
		t.Fatalf("wrong PIN: %v", err)
	}
	citizen.Code = "902"
	_, err := c.Sign(ctx, phone, []byte("1234"), cmd.Document{Hash: di})
	if !errors.Is(err, cmd.ErrMustChange) || err.Error() != cmd.MessageChangeSigningPIN {
		t.Fatalf("902: %q", err)
	}
	citizen.Code = "817"
	if _, err := c.Sign(ctx, phone, []byte("1234"), cmd.Document{Hash: di}); !errors.Is(err, cmd.ErrInactive) {
		t.Fatalf("817: %v", err)
	}
	citizen.Code = ""
	env.Script("SCMDSign", fake.Answer{Code: "901"}, fake.Answer{Code: "503", Message: "Indisponível"}, fake.Answer{Fault: true}, fake.Answer{HTTPStatus: 503})
	if _, err := c.Sign(ctx, phone, []byte("1234"), cmd.Document{Hash: di}); err == nil || err.Error() != cmd.MessageChangePINs {
		t.Fatalf("901: %v", err)
	}
	if _, err := c.Sign(ctx, phone, []byte("1234"), cmd.Document{Hash: di}); !errors.Is(err, cmd.ErrService) || !strings.Contains(err.Error(), "Indisponível") {
		t.Fatalf("503 status: %v", err)
	}
	var fe *cmd.FaultError
	if _, err := c.Sign(ctx, phone, []byte("1234"), cmd.Document{Hash: di}); !errors.As(err, &fe) {
		t.Fatalf("fault: %v", err)
	}
	var he *cmd.HTTPError
	if _, err := c.Sign(ctx, phone, []byte("1234"), cmd.Document{Hash: di}); !errors.As(err, &he) || he.Status != 503 {
		t.Fatalf("HTTP 503: %v", err)
	}
	// A bare hash is not what §3 says to send.
	d := sha256.Sum256([]byte("x"))
	if _, err := c.Sign(ctx, phone, []byte("1234"), cmd.Document{Hash: d[:]}); !errors.Is(err, cmd.ErrInvalid) {
		t.Fatalf("bare hash: %v", err)
	}

	pid, err := c.Sign(ctx, phone, []byte("1234"), cmd.Document{Hash: di})
	if err != nil {
		t.Fatal(err)
	}
	env.ExpireProcesses()
	if _, err := c.ValidateOtp(ctx, pid, []byte(env.LastOTP())); !errors.Is(err, cmd.ErrProcessGone) {
		t.Fatalf("expired process: %v", err)
	}
	bad, err := cmd.New(cmd.Config{URL: env.URL, ApplicationID: "app-1", Username: "user", Password: "wrong", Cipher: c.Cipher()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.GetCertificate(ctx, phone); !errors.Is(err, cmd.ErrAuth) {
		t.Fatalf("wrong credentials: %v", err)
	}
}

func TestTimeout(t *testing.T) {
	env, _, c := start(t)
	env.Script("GetCertificate", fake.Answer{Delay: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.GetCertificate(ctx, phone); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow answer: %v", err)
	}
}

func TestUserID(t *testing.T) {
	for in, want := range map[string]string{
		"912345678":          "+351 912345678",
		"912 345 678":        "+351 912345678",
		"+351912345678":      "+351 912345678",
		"+351 912 345 678":   "+351 912345678",
		"00351 91-234-5678":  "+351 912345678",
		"+44 7700 900123":    "+44 7700900123",
		"  (+351) 912345678": "",
		"812345678":          "",
		"91234567":           "",
		"+447700900123":      "",
		"":                   "",
		"91234567x":          "",
	} {
		got, err := cmd.UserID(in)
		if want == "" {
			if err == nil {
				t.Errorf("UserID(%q) = %q, want an error", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("UserID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestCipherCertificate(t *testing.T) {
	ama, err := cmd.AMACipher("")
	if err != nil {
		t.Fatal(err)
	}
	if ama.Cert.Subject.CommonName != "CMD.assinatura" || ama.Padding != cmd.PKCS1v15 {
		t.Fatalf("AMA's cifra: %q %q", ama.Cert.Subject.CommonName, ama.Padding)
	}
	if err := ama.Check(ama.Cert.NotAfter.Add(time.Hour)); !errors.Is(err, cmd.ErrCipherExpired) {
		t.Fatalf("expired cifra: %v", err)
	}
	if _, err := cmd.CipherFor(ama.Cert, "rot13"); err == nil {
		t.Fatal("an unknown padding was accepted")
	}
	// What AMA's key would decrypt: the ciphertext has its modulus size.
	ct, err := ama.Encrypt([]byte("+351 912345678"))
	if err != nil || len(ct) != 344 {
		t.Fatalf("encrypted user id: %d base64 characters, %v", len(ct), err)
	}
}
