// Package softhsmtest makes throw-away SoftHSM2 tokens for tests: a real
// PKCS#11 module with keys made inside the token and certificates from
// [testpki], in a private SOFTHSM2_CONF so that nothing touches the
// machine's own tokens.
//
// A test binary sets the tokens up once in TestMain with [Main] and each
// test takes them with [Require]. Where SoftHSM2 is missing, tests skip
// on a developer's machine and fail under CI=true.
package softhsmtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	p11 "github.com/miekg/pkcs11"

	"github.com/signet-sign/signet/internal/testpki"
)

// PIN and SOPIN of every test token.
const (
	PIN   = "123456"
	SOPIN = "12345678"
)

// Labels of the test tokens.
const (
	MainToken   = "signet-test"
	SecondToken = "signet-test-2"
)

// KeySpec describes a key pair put on a test token.
type KeySpec struct {
	Token   string
	ID      []byte
	Label   string
	Alg     testpki.KeyAlg
	Profile testpki.Profile
	CN      string
	// AlwaysAuthenticate sets CKA_ALWAYS_AUTHENTICATE, as eID signing
	// keys have: SoftHSM2 then wants a context-specific login per
	// signature.
	AlwaysAuthenticate bool
	// Imported keys are made outside the token and written with OpenSC's
	// pkcs11-tool, as seals delivered in PKCS#12 files are.
	Imported bool
}

// Keys is what [Setup] puts on the tokens. The names cover the
// diacritics Signet must handle.
var Keys = []KeySpec{
	{Token: MainToken, ID: []byte{0x01}, Label: "RSA-2048 signing", Alg: testpki.RSA2048, Profile: testpki.Signing, CN: "Jānis Bērziņš"},
	{Token: MainToken, ID: []byte{0x02}, Label: "RSA-3072 authentication", Alg: testpki.RSA3072, Profile: testpki.Authentication, CN: "Jānis Bērziņš"},
	{Token: MainToken, ID: []byte{0x03}, Label: "P-256 signing", Alg: testpki.P256, Profile: testpki.Signing, CN: "Zoë Ørsted"},
	{Token: MainToken, ID: []byte{0x04}, Label: "P-384 authentication", Alg: testpki.P384, Profile: testpki.Authentication, CN: "João Conceição", Imported: true},
	{Token: MainToken, ID: []byte{0x05}, Label: "P-256 eID signature", Alg: testpki.P256, Profile: testpki.Signing, CN: "Nguyễn Văn Đức", AlwaysAuthenticate: true},
	{Token: SecondToken, ID: []byte{0x01}, Label: "P-256 signing", Alg: testpki.P256, Profile: testpki.Signing, CN: "Second Token Holder"},
}

// CALabel and CAID name the intermediate CA certificate stored on the main
// token without a key, as eID cards store their issuers.
const CALabel = "Signet Test Intermediate CA"

var CAID = []byte{0xCA}

// Env is a set-up SoftHSM2 with its tokens.
type Env struct {
	// Module is the path of libsofthsm2.so.
	Module string
	// Conf is the SOFTHSM2_CONF file; [Setup] also sets it in the process
	// environment, which is where SoftHSM2 reads it.
	Conf string
	PKI  *testpki.PKI
	// Certs maps a key's token and label to its certificate.
	Certs map[string]*x509.Certificate

	slots map[string]string // token label → slot ID, as softhsm2-util gave it
}

var slotRE = regexp.MustCompile(`reassigned to slot (\d+)`)

// Cert returns the certificate of the key with that label on that token.
func (e *Env) Cert(token, label string) *x509.Certificate {
	return e.Certs[token+"/"+label]
}

// ModulePath finds libsofthsm2.so.
func ModulePath() (string, error) {
	if p := os.Getenv("SIGNET_TEST_SOFTHSM2"); p != "" {
		return p, nil
	}
	for _, p := range []string{
		"/usr/lib/softhsm/libsofthsm2.so",
		"/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
		"/usr/local/lib/softhsm/libsofthsm2.so",
		"/opt/homebrew/lib/softhsm/libsofthsm2.so",
	} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("SoftHSM2 not found (install the softhsm2 package, or set SIGNET_TEST_SOFTHSM2)")
}

// Setup creates the tokens under dir and sets SOFTHSM2_CONF for this process.
// It must run before anything in the process loads SoftHSM2.
func Setup(dir string) (*Env, error) {
	module, err := ModulePath()
	if err != nil {
		return nil, err
	}
	for _, tool := range []string{"softhsm2-util", "pkcs11-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s not found (install the softhsm2 and opensc packages)", tool)
		}
	}
	tokenDir := filepath.Join(dir, "tokens")
	if err := os.MkdirAll(tokenDir, 0o700); err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	confText := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", tokenDir)
	if err := os.WriteFile(conf, []byte(confText), 0o600); err != nil {
		return nil, err
	}
	if err := os.Setenv("SOFTHSM2_CONF", conf); err != nil {
		return nil, err
	}
	pki, err := testpki.New()
	if err != nil {
		return nil, err
	}
	env := &Env{Module: module, Conf: conf, PKI: pki, Certs: map[string]*x509.Certificate{}, slots: map[string]string{}}
	for _, label := range []string{MainToken, SecondToken} {
		out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label,
			"--so-pin", SOPIN, "--pin", PIN).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("softhsm2-util --init-token %s: %v: %s", label, err, out)
		}
		// "... is reassigned to slot 1372820101". pkcs11-tool's
		// --token-label matches by prefix ("signet-test" would also
		// pick "signet-test-2"), so later calls name the exact slot.
		m := slotRE.FindSubmatch(out)
		if m == nil {
			return nil, fmt.Errorf("softhsm2-util --init-token %s: no slot in %q", label, out)
		}
		env.slots[label] = string(m[1])
	}

	// Imported keys first, with pkcs11-tool, before this process loads
	// the module: two processes writing one token store would race.
	for _, k := range Keys {
		if !k.Imported {
			continue
		}
		if err := env.importKey(dir, k); err != nil {
			return nil, err
		}
	}
	if err := env.generateKeys(); err != nil {
		return nil, err
	}
	return env, nil
}

func (e *Env) importKey(dir string, k KeySpec) error {
	key, err := testpki.GenerateKey(k.Alg)
	if err != nil {
		return err
	}
	cert, err := e.PKI.Issue(key.Public(), k.Profile, k.CN, testpki.IssueOptions{})
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return err
	}
	id := fmt.Sprintf("%x", k.ID)
	for _, obj := range []struct {
		typ  string
		data []byte
		args []string
	}{
		{"privkey", keyDER, []string{"--usage-sign"}},
		{"pubkey", pubDER, nil},
		{"cert", cert.Raw, nil},
	} {
		file := filepath.Join(dir, "import-"+obj.typ+".der")
		if err := os.WriteFile(file, obj.data, 0o600); err != nil {
			return err
		}
		args := append([]string{"--module", e.Module, "--slot", e.slots[k.Token], "--login", "--pin", PIN,
			"--write-object", file, "--type", obj.typ, "--id", id, "--label", k.Label}, obj.args...)
		out, err := exec.Command("pkcs11-tool", args...).CombinedOutput()
		os.Remove(file)
		if err != nil {
			return fmt.Errorf("pkcs11-tool --write-object %s: %v: %s", obj.typ, err, out)
		}
	}
	e.Certs[k.Token+"/"+k.Label] = cert
	return nil
}

// generateKeys makes the other keys inside the tokens, as a card's keys
// are made, and stores their certificates next to them.
func (e *Env) generateKeys() error {
	ctx := p11.New(e.Module)
	if ctx == nil {
		return fmt.Errorf("load %s", e.Module)
	}
	defer ctx.Destroy()
	if err := ctx.Initialize(); err != nil {
		return fmt.Errorf("initialize SoftHSM2: %w", err)
	}
	defer ctx.Finalize()
	slots, err := ctx.GetSlotList(true)
	if err != nil {
		return err
	}
	sessions := map[string]p11.SessionHandle{}
	for _, slot := range slots {
		ti, err := ctx.GetTokenInfo(slot)
		if err != nil {
			return err
		}
		label := strings.TrimRight(ti.Label, " ")
		if label != MainToken && label != SecondToken {
			continue
		}
		sh, err := ctx.OpenSession(slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
		if err != nil {
			return err
		}
		defer ctx.CloseSession(sh)
		if err := ctx.Login(sh, p11.CKU_USER, PIN); err != nil && !errors.Is(err, p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN)) {
			return fmt.Errorf("log in to %s: %w", label, err)
		}
		sessions[label] = sh
	}
	for _, k := range Keys {
		if k.Imported {
			continue
		}
		sh, ok := sessions[k.Token]
		if !ok {
			return fmt.Errorf("token %s not found", k.Token)
		}
		pub, err := generateKeyPair(ctx, sh, k)
		if err != nil {
			return fmt.Errorf("generate %s: %w", k.Label, err)
		}
		cert, err := e.PKI.Issue(pub, k.Profile, k.CN, testpki.IssueOptions{})
		if err != nil {
			return err
		}
		if err := storeCert(ctx, sh, k.ID, k.Label, cert); err != nil {
			return err
		}
		e.Certs[k.Token+"/"+k.Label] = cert
	}
	return storeCert(ctx, sessions[MainToken], CAID, CALabel, e.PKI.Intermediate.Cert)
}

func generateKeyPair(ctx *p11.Ctx, sh p11.SessionHandle, k KeySpec) (crypto.PublicKey, error) {
	pubT := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_VERIFY, true),
		p11.NewAttribute(p11.CKA_ID, k.ID),
		p11.NewAttribute(p11.CKA_LABEL, k.Label),
	}
	privT := []*p11.Attribute{
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_PRIVATE, true),
		p11.NewAttribute(p11.CKA_SENSITIVE, true),
		p11.NewAttribute(p11.CKA_EXTRACTABLE, false),
		p11.NewAttribute(p11.CKA_SIGN, true),
		p11.NewAttribute(p11.CKA_ID, k.ID),
		p11.NewAttribute(p11.CKA_LABEL, k.Label),
		p11.NewAttribute(p11.CKA_ALWAYS_AUTHENTICATE, k.AlwaysAuthenticate),
	}
	var mech uint
	var curve elliptic.Curve
	switch k.Alg {
	case testpki.RSA2048, testpki.RSA3072:
		bits := 2048
		if k.Alg == testpki.RSA3072 {
			bits = 3072
		}
		mech = p11.CKM_RSA_PKCS_KEY_PAIR_GEN
		pubT = append(pubT, p11.NewAttribute(p11.CKA_MODULUS_BITS, bits),
			p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1}))
	case testpki.P256, testpki.P384:
		mech = p11.CKM_EC_KEY_PAIR_GEN
		oid := asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
		curve = elliptic.P256()
		if k.Alg == testpki.P384 {
			oid, curve = asn1.ObjectIdentifier{1, 3, 132, 0, 34}, elliptic.P384()
		}
		params, err := asn1.Marshal(oid)
		if err != nil {
			return nil, err
		}
		pubT = append(pubT, p11.NewAttribute(p11.CKA_EC_PARAMS, params))
	}
	pubH, _, err := ctx.GenerateKeyPair(sh, []*p11.Mechanism{p11.NewMechanism(mech, nil)}, pubT, privT)
	if err != nil {
		return nil, err
	}
	if curve == nil {
		a, err := ctx.GetAttributeValue(sh, pubH, []*p11.Attribute{
			p11.NewAttribute(p11.CKA_MODULUS, nil), p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, nil)})
		if err != nil {
			return nil, err
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(a[0].Value), E: int(new(big.Int).SetBytes(a[1].Value).Int64())}, nil
	}
	a, err := ctx.GetAttributeValue(sh, pubH, []*p11.Attribute{p11.NewAttribute(p11.CKA_EC_POINT, nil)})
	if err != nil {
		return nil, err
	}
	// CKA_EC_POINT is the uncompressed point inside a DER OCTET STRING.
	var point []byte
	if _, err := asn1.Unmarshal(a[0].Value, &point); err != nil {
		return nil, fmt.Errorf("CKA_EC_POINT: %w", err)
	}
	return ecdsa.ParseUncompressedPublicKey(curve, point)
}

func storeCert(ctx *p11.Ctx, sh p11.SessionHandle, id []byte, label string, cert *x509.Certificate) error {
	serial, err := asn1.Marshal(cert.SerialNumber)
	if err != nil {
		return err
	}
	_, err = ctx.CreateObject(sh, []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CLASS, p11.CKO_CERTIFICATE),
		p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509),
		p11.NewAttribute(p11.CKA_TOKEN, true),
		p11.NewAttribute(p11.CKA_ID, id),
		p11.NewAttribute(p11.CKA_LABEL, label),
		p11.NewAttribute(p11.CKA_SUBJECT, cert.RawSubject),
		p11.NewAttribute(p11.CKA_ISSUER, cert.RawIssuer),
		p11.NewAttribute(p11.CKA_SERIAL_NUMBER, serial),
		p11.NewAttribute(p11.CKA_VALUE, cert.Raw),
	})
	if err != nil {
		return fmt.Errorf("store certificate %q: %w", label, err)
	}
	return nil
}

var (
	shared    *Env
	sharedErr error
)

// Main sets the tokens up in a temporary directory, runs the tests and
// cleans up. Call it from TestMain.
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "signet-softhsm-")
	if err != nil {
		sharedErr = err
	} else {
		defer os.RemoveAll(dir)
		// Issuers fetched while signing are cached in the user's cache
		// directory: the tests' in one of their own.
		os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
		shared, sharedErr = Setup(dir)
	}
	return m.Run()
}

// Require returns the environment made by [Main]. When SoftHSM2 could not
// be set up the test fails under CI=true, where every real part must be
// present, and is skipped elsewhere with the reason.
func Require(tb testing.TB) *Env {
	tb.Helper()
	if shared != nil {
		return shared
	}
	err := sharedErr
	if err == nil {
		err = errors.New("softhsmtest.Main was not called from TestMain")
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("SoftHSM2 test token: %v", err)
	}
	tb.Skipf("SoftHSM2 test token unavailable (this fails under CI=true): %v", err)
	return nil
}

// AddToken puts a new token named label into the store, holding one key
// made outside the token (k.Token is set to label), as a card being
// inserted; dir holds the import's temporary files. [Env.RemoveToken]
// takes it out again. SoftHSM2 sees a token made by another process only
// when the module is initialized: add tokens before loading it.
func (e *Env) AddToken(dir, label string, k KeySpec) error {
	out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label,
		"--so-pin", SOPIN, "--pin", PIN).CombinedOutput()
	if err != nil {
		return fmt.Errorf("softhsm2-util --init-token %s: %v: %s", label, err, out)
	}
	m := slotRE.FindSubmatch(out)
	if m == nil {
		return fmt.Errorf("softhsm2-util --init-token %s: no slot in %q", label, out)
	}
	e.slots[label] = string(m[1])
	k.Token = label
	return e.importKey(dir, k)
}

// InsertToken makes SoftHSM2's free slot a token named label with the
// keys of ks (generated on it) and their certificates, through the module
// as this process loaded it: what a card put in a reader looks like to a
// loaded module. (SoftHSM2 does not see tokens another process makes,
// softhsm2-util's included, until it is loaded again: see AddToken.)
// [Env.Cert] finds the certificates under label.
func (e *Env) InsertToken(label string, ks ...KeySpec) error {
	c := p11.New(e.Module)
	if c == nil {
		return fmt.Errorf("load %s", e.Module)
	}
	if err := c.Initialize(); err != nil && !errors.Is(err, p11.Error(p11.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
		return err
	}
	slots, err := c.GetSlotList(true)
	if err != nil {
		return err
	}
	for _, id := range slots {
		ti, err := c.GetTokenInfo(id)
		if err != nil || ti.Flags&p11.CKF_TOKEN_INITIALIZED != 0 {
			continue
		}
		if err := c.InitToken(id, SOPIN, label); err != nil {
			return fmt.Errorf("init token %s: %w", label, err)
		}
		sh, err := c.OpenSession(id, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
		if err != nil {
			return err
		}
		defer c.CloseSession(sh)
		if err := c.Login(sh, p11.CKU_SO, SOPIN); err != nil {
			return err
		}
		if err := c.InitPIN(sh, PIN); err != nil {
			return err
		}
		c.Logout(sh)
		if err := c.Login(sh, p11.CKU_USER, PIN); err != nil {
			return err
		}
		defer c.Logout(sh)
		for _, k := range ks {
			k.Token = label
			pub, err := generateKeyPair(c, sh, k)
			if err != nil {
				return err
			}
			cert, err := e.PKI.Issue(pub, k.Profile, k.CN, testpki.IssueOptions{})
			if err != nil {
				return err
			}
			if err := storeCert(c, sh, k.ID, k.Label, cert); err != nil {
				return err
			}
			e.Certs[label+"/"+k.Label] = cert
		}
		return nil
	}
	return errors.New("no free SoftHSM2 slot")
}

// RemoveToken deletes the token named label from the store, as a card
// being pulled out.
func (e *Env) RemoveToken(label string) error {
	out, err := exec.Command("softhsm2-util", "--delete-token", "--token", label).CombinedOutput()
	if err != nil {
		return fmt.Errorf("softhsm2-util --delete-token %s: %v: %s", label, err, out)
	}
	return nil
}

// CopyStore copies the token store into dir and writes a SOFTHSM2_CONF
// for the copy, whose path it returns: processes that run side by side
// each get their own store (SoftHSM2 answers CKR_GENERAL_ERROR to a
// process reading a token file that another process is rewriting).
func (e *Env) CopyStore(dir string) (string, error) {
	src := filepath.Join(filepath.Dir(e.Conf), "tokens")
	dst := filepath.Join(dir, "softhsm-tokens")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		return "", fmt.Errorf("copy the SoftHSM2 token store: %w", err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n", dst)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return "", err
	}
	return conf, nil
}
