package pkcs11_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/signet-sign/signet/internal/softhsmtest"
	"github.com/signet-sign/signet/internal/testpki"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/pkcs11"
)

func TestMain(m *testing.M) { os.Exit(softhsmtest.Main(m)) }

// openModule loads SoftHSM2 for one test.
func openModule(t *testing.T) (*softhsmtest.Env, *pkcs11.Module) {
	t.Helper()
	env := softhsmtest.Require(t)
	m, err := pkcs11.Open(env.Module)
	if err != nil {
		t.Fatalf("Open(%s): %v", env.Module, err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return env, m
}

func tokenByLabel(t *testing.T, m *pkcs11.Module, label string) *pkcs11.Token {
	t.Helper()
	tokens, err := m.Tokens()
	if err != nil {
		t.Fatalf("Tokens: %v", err)
	}
	for _, tok := range tokens {
		if tok.Label == label {
			return tok
		}
	}
	t.Fatalf("token %q not found among %d tokens", label, len(tokens))
	return nil
}

func TestModuleInfo(t *testing.T) {
	_, m := openModule(t)
	info := m.Info()
	if info.Manufacturer != "SoftHSM" {
		t.Errorf("Manufacturer = %q, want SoftHSM", info.Manufacturer)
	}
	if info.CryptokiVersion == "" || info.LibraryVersion == "" {
		t.Errorf("versions missing: %+v", info)
	}
}

func TestOpenSharesModule(t *testing.T) {
	env, m := openModule(t)
	again, err := pkcs11.Open(env.Module)
	if err != nil {
		t.Fatal(err)
	}
	if again != m {
		t.Errorf("second Open returned a new module; the library can only be initialized once per process")
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
	// The first user still holds it: it must still answer.
	if _, err := m.Tokens(); err != nil {
		t.Errorf("module unusable after the second user closed it: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	notLib := filepath.Join(t.TempDir(), "not-a-module.so")
	if err := os.WriteFile(notLib, []byte("plain text"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
	}{
		{"fail missing file", filepath.Join(t.TempDir(), "missing.so")},
		{"fail not a library", notLib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := pkcs11.Open(tc.path)
			if !errors.Is(err, pkcs11.ErrModule) {
				t.Fatalf("Open(%s) = %v, %v; want ErrModule", tc.path, m, err)
			}
		})
	}
}

func TestSlotsAndTokens(t *testing.T) {
	_, m := openModule(t)
	slots, err := m.Slots()
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, s := range slots {
		if s.TokenPresent != (s.Token != nil) {
			t.Errorf("slot %d: TokenPresent=%v but token %v", s.ID, s.TokenPresent, s.Token)
		}
		if s.Token != nil && s.Token.Flags.Initialized {
			labels = append(labels, s.Token.Label)
		}
	}
	for _, want := range []string{softhsmtest.MainToken, softhsmtest.SecondToken} {
		found := false
		for _, l := range labels {
			found = found || l == want
		}
		if !found {
			t.Errorf("token %q not in slots (have %v)", want, labels)
		}
	}
	tok := tokenByLabel(t, m, softhsmtest.MainToken)
	f := tok.Flags
	if !f.LoginRequired || !f.Initialized || !f.UserPINInitialized {
		t.Errorf("flags = %+v, want login required, initialized, user PIN initialized", f)
	}
	if f.ProtectedAuthPath {
		t.Errorf("SoftHSM2 has no pinpad, yet ProtectedAuthPath is set")
	}
	if f.UserPIN != (pkcs11.PINStatus{}) {
		t.Errorf("fresh token PIN status = %+v, want clear", f.UserPIN)
	}
	if tok.Serial == "" || tok.Manufacturer != "SoftHSM project" {
		t.Errorf("token info = %+v", tok)
	}
}

func TestListTokensDropsDuplicates(t *testing.T) {
	_, m := openModule(t)
	// The same module twice stands for a module plus the p11-kit proxy
	// that re-exports it.
	tokens, err := pkcs11.ListTokens([]*pkcs11.Module{m, m})
	if err != nil {
		t.Fatal(err)
	}
	direct, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) != len(direct) {
		t.Errorf("ListTokens gave %d tokens, want %d (each once)", len(tokens), len(direct))
	}
}

// TestProxyListedLast: with p11-kit's proxy (which re-exports SoftHSM2,
// registered with p11-kit by Debian's package) given before SoftHSM2's
// own module, every token is listed once, through the direct module, and
// the proxy is known for one.
func TestProxyListedLast(t *testing.T) {
	_, m := openModule(t)
	const proxyPath = "/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so"
	if _, err := os.Stat(proxyPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("p11-kit's proxy module (p11-kit-modules): %v", err)
		}
		t.Skipf("p11-kit's proxy module is not installed: %v", err)
	}
	proxy, err := pkcs11.Open(proxyPath)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	if !proxy.IsProxy() || m.IsProxy() {
		t.Fatalf("IsProxy: proxy %v, SoftHSM2 %v", proxy.IsProxy(), m.IsProxy())
	}
	through, err := proxy.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	direct, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	if len(through) < len(direct) {
		t.Fatalf("the proxy re-exports %d tokens, SoftHSM2 has %d: it does not load the test tokens", len(through), len(direct))
	}
	tokens, err := pkcs11.ListTokens([]*pkcs11.Module{proxy, m})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range tokens {
		if tok.Module() == proxy {
			for _, d := range direct {
				if d.Label == tok.Label && d.Serial == tok.Serial {
					t.Errorf("token %q listed through the proxy, want SoftHSM2's own module", tok.Label)
				}
			}
		}
	}
	if len(tokens) != len(through) {
		t.Errorf("ListTokens gave %d tokens, want %d (each once)", len(tokens), len(through))
	}
}

func TestCertificates(t *testing.T) {
	env, m := openModule(t)
	certs, err := tokenByLabel(t, m, softhsmtest.MainToken).Certificates()
	if err != nil {
		t.Fatal(err)
	}
	byLabel := map[string]*pkcs11.Certificate{}
	for _, c := range certs {
		byLabel[c.Label] = c
	}
	for _, k := range softhsmtest.Keys {
		if k.Token != softhsmtest.MainToken {
			continue
		}
		c, ok := byLabel[k.Label]
		if !ok {
			t.Errorf("certificate %q not listed", k.Label)
			continue
		}
		if !bytes.Equal(c.ID, k.ID) {
			t.Errorf("%s: ID = %x, want %x", k.Label, c.ID, k.ID)
		}
		if !c.Cert.Equal(env.Cert(k.Token, k.Label)) {
			t.Errorf("%s: certificate differs from the one stored", k.Label)
		}
		// Without a login SoftHSM2 hides private keys; the public key
		// object still pairs.
		if c.Key != pkcs11.KeyPublicOnly {
			t.Errorf("%s: Key = %v, want public only before login", k.Label, c.Key)
		}
		if c.Cert.Subject.CommonName != k.CN {
			t.Errorf("%s: CN = %q, want %q", k.Label, c.Cert.Subject.CommonName, k.CN)
		}
		wantPurpose := keys.PurposeSigning
		if k.Label == "RSA-3072 authentication" || k.Label == "P-384 authentication" {
			wantPurpose = keys.PurposeAuthentication
		}
		if got := keys.CertificatePurpose(c.Cert); got != wantPurpose {
			t.Errorf("%s: purpose = %v, want %v", k.Label, got, wantPurpose)
		}
	}
	ca, ok := byLabel[softhsmtest.CALabel]
	if !ok {
		t.Fatalf("CA certificate not listed")
	}
	if ca.Key != pkcs11.KeyNone || keys.CertificatePurpose(ca.Cert) != keys.PurposeCA {
		t.Errorf("CA: Key = %v, purpose %v; want none, CA", ca.Key, keys.CertificatePurpose(ca.Cert))
	}
}

func TestFindCertificate(t *testing.T) {
	_, m := openModule(t)
	tokens, err := pkcs11.ListTokens([]*pkcs11.Module{m})
	if err != nil {
		t.Fatal(err)
	}
	// Every listed certificate's URI selects that certificate again.
	for _, tok := range tokens {
		certs, err := tok.Certificates()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range certs {
			uri, err := pkcs11.ParseURI(c.URI().String())
			if err != nil {
				t.Fatalf("listed URI %s does not parse: %v", c.URI(), err)
			}
			got, err := pkcs11.FindCertificate(tokens, uri)
			if err != nil {
				t.Errorf("FindCertificate(%s): %v", uri, err)
				continue
			}
			if got.Token.Label != tok.Label || !got.Cert.Equal(c.Cert) {
				t.Errorf("FindCertificate(%s) = %q on %q", uri, got.Label, got.Token.Label)
			}
		}
	}

	for _, tc := range []struct {
		name, uri string
		want      error
		label     string
	}{
		{"ok by label", "pkcs11:token=signet-test;object=RSA-2048%20signing", nil, "RSA-2048 signing"},
		{"ok by id", "pkcs11:token=signet-test;id=%05", nil, "P-256 eID signature"},
		{"ok private key type", "pkcs11:token=signet-test;id=%03;type=private", nil, "P-256 signing"},
		{"ok label unique across tokens", "pkcs11:object=P-384%20authentication", nil, "P-384 authentication"},
		{"fail ambiguous across tokens", "pkcs11:object=P-256%20signing", pkcs11.ErrAmbiguous, ""},
		{"fail no such token", "pkcs11:token=nobody", pkcs11.ErrTokenNotFound, ""},
		{"fail no such key", "pkcs11:token=signet-test;id=%99", pkcs11.ErrKeyNotFound, ""},
		{"fail other module", "pkcs11:token=signet-test?module-path=/nonexistent/lib.so", pkcs11.ErrTokenNotFound, ""},
		{"fail data type", "pkcs11:token=signet-test;type=data", pkcs11.ErrBadURI, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			uri, err := pkcs11.ParseURI(tc.uri)
			if err != nil {
				t.Fatalf("ParseURI: %v", err)
			}
			got, err := pkcs11.FindCertificate(tokens, uri)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Label != tc.label {
				t.Errorf("got %q, want %q", got.Label, tc.label)
			}
		})
	}
}

// TestTokenRemoved checks a token taken out while the module is loaded
// leaves the listing without hiding the others (SoftHSM2 answers
// CKR_GENERAL_ERROR for it).
func TestTokenRemoved(t *testing.T) {
	env := softhsmtest.Require(t)
	// SoftHSM2 sees tokens made by another process only when it
	// initializes, so the token goes in before the module is loaded.
	const label = "signet-pulled"
	if err := env.AddToken(t.TempDir(), label, softhsmtest.KeySpec{ID: []byte{7}, Label: "card key", Alg: testpki.P256, Profile: testpki.Signing, CN: "Card Holder"}); err != nil {
		t.Fatal(err)
	}
	m, err := pkcs11.Open(env.Module)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	labels := func() []string {
		t.Helper()
		tokens, err := pkcs11.ListTokens([]*pkcs11.Module{m})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, tk := range tokens {
			out = append(out, tk.Label)
		}
		return out
	}
	if got := labels(); !slices.Contains(got, label) || !slices.Contains(got, softhsmtest.MainToken) {
		t.Fatalf("inserted: %v", got)
	}
	if err := env.RemoveToken(label); err != nil {
		t.Fatal(err)
	}
	if got := labels(); slices.Contains(got, label) || !slices.Contains(got, softhsmtest.MainToken) {
		t.Fatalf("after removal: %v", got)
	}
}
