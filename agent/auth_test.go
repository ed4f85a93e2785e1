package agent

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/signet-sign/signet/internal/pdfcheck"
	"github.com/signet-sign/signet/keys"
)

// verifyWebEIDToken checks a Web eID authentication token as a site's
// server does, written here from the format's specification (the Web eID
// system architecture document, "Web eID authentication token
// specification") and independent of agent/auth.go: format web-eid:1.0;
// algorithm one of JWA's RS/PS/ES 256/384/512; the signature by the
// certificate's key over hash(origin) ‖ hash(challenge nonce), hash being
// the algorithm's, with origin the site's own and the nonce as the site
// issued it (its base64 text). ES signatures are r‖s.
func verifyWebEIDToken(token map[string]any, origin, nonce string) (*x509.Certificate, error) {
	if token["format"] != "web-eid:1.0" {
		return nil, fmt.Errorf("format %v", token["format"])
	}
	for _, f := range []string{"unverifiedCertificate", "algorithm", "signature", "format", "appVersion"} {
		if s, _ := token[f].(string); s == "" {
			return nil, fmt.Errorf("%s is missing", f)
		}
	}
	if len(token) != 5 {
		return nil, fmt.Errorf("the token has %d fields, the format 5", len(token))
	}
	der, err := base64.StdEncoding.DecodeString(token["unverifiedCertificate"].(string))
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	alg := token["algorithm"].(string)
	h := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}[alg[len(alg)-3:]]
	if h == 0 || !strings.ContainsAny(alg[:2], "RPE") {
		return nil, fmt.Errorf("algorithm %q", alg)
	}
	sig, err := base64.StdEncoding.DecodeString(token["signature"].(string))
	if err != nil {
		return nil, err
	}
	hash := func(b []byte) []byte { d := h.New(); d.Write(b); return d.Sum(nil) }
	signed := append(hash([]byte(origin)), hash([]byte(nonce))...)
	digest := hash(signed)
	switch alg[:2] {
	case "RS":
		return cert, rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), h, digest, sig)
	case "PS":
		return cert, rsa.VerifyPSS(cert.PublicKey.(*rsa.PublicKey), h, digest, sig, nil)
	case "ES":
		pub := cert.PublicKey.(*ecdsa.PublicKey)
		size := (pub.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return nil, fmt.Errorf("an ES signature of %d bytes, want r‖s of %d", len(sig), 2*size)
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		if !ecdsa.Verify(pub, digest, r, s) {
			return nil, errors.New("ECDSA signature invalid")
		}
		return cert, nil
	}
	return nil, fmt.Errorf("algorithm %q", alg)
}

// opensslVerify checks the token's signature with OpenSSL too, over the
// signed fields written to a file: `openssl dgst -verify`.
func opensslVerify(t *testing.T, token map[string]any, origin, nonce string) {
	t.Helper()
	pdfcheck.Require(t, "openssl")
	der, _ := base64.StdEncoding.DecodeString(token["unverifiedCertificate"].(string))
	cert, _ := x509.ParseCertificate(der)
	alg := token["algorithm"].(string)
	h := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}[alg[len(alg)-3:]]
	hash := func(b []byte) []byte { d := h.New(); d.Write(b); return d.Sum(nil) }
	sig, _ := base64.StdEncoding.DecodeString(token["signature"].(string))
	if strings.HasPrefix(alg, "ES") { // OpenSSL wants DER
		n := len(sig) / 2
		sig, _ = asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:n]), new(big.Int).SetBytes(sig[n:])})
	}
	pub, _ := x509.MarshalPKIXPublicKey(cert.PublicKey)
	dir := t.TempDir()
	files := map[string][]byte{"pub.pem": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}),
		"sig": sig, "data": append(hash([]byte(origin)), hash([]byte(nonce))...)}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command("openssl", "dgst", "-"+strings.ToLower(strings.ReplaceAll(h.String(), "-", "")), "-verify", filepath.Join(dir, "pub.pem"),
		"-signature", filepath.Join(dir, "sig"), filepath.Join(dir, "data")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verified OK") {
		t.Errorf("openssl dgst -verify: %v: %s", err, out)
	}
}

func newNonce(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// TestWebEIDToken (2): /v1/authenticate gives a Web eID token bound to the
// origin Signet saw, which a site verifies with the format's own check
// (and OpenSSL); another site, another nonce or a relayed challenge does
// not verify; raw digests are no longer signed.
func TestWebEIDToken(t *testing.T) {
	e := newEnv(t, nil)
	const site = "https://login.example"
	e.consent.decide(site, AllowOnce)
	for _, tc := range []struct{ label, alg string }{{"RSA-3072 authentication", "RS256"}, {"P-384 authentication", "ES384"}} {
		t.Run("ok "+tc.label, func(t *testing.T) {
			id, cert := e.certID(tc.label)
			nonce := newNonce(t)
			resp, token := e.call("POST", "/v1/authenticate", site, map[string]any{"certificateId": id, "challengeNonce": nonce}, nil)
			expect(t, resp, token, 200, "")
			if token["algorithm"] != tc.alg {
				t.Errorf("algorithm %v, want %s", token["algorithm"], tc.alg)
			}
			got, err := verifyWebEIDToken(token, site, nonce)
			if err != nil || !got.Equal(cert) {
				t.Fatalf("the site's check: %v", err)
			}
			opensslVerify(t, token, site, nonce)
			if _, err := verifyWebEIDToken(token, "https://other.example", nonce); err == nil {
				t.Error("the token verifies for another site")
			}
			if _, err := verifyWebEIDToken(token, site, newNonce(t)); err == nil {
				t.Error("the token verifies for another nonce")
			}
			e.consent.mu.Lock()
			last := e.consent.approved[len(e.consent.approved)-1]
			e.consent.mu.Unlock()
			if !last.Login || last.Origin != site || last.Purpose != keys.PurposeAuthentication || len(last.Digests) != 0 {
				t.Errorf("the person was asked %+v", last)
			}
		})
	}
	t.Run("ok a relayed challenge names the relaying page", func(t *testing.T) {
		// evil.example relays bank.example's challenge: the token it gets
		// is for evil.example, and bank.example refuses it.
		const evil = "https://evil.example"
		e.consent.decide(evil, AllowOnce)
		id, _ := e.certID("RSA-3072 authentication")
		nonce := newNonce(t)
		resp, token := e.call("POST", "/v1/authenticate", evil, map[string]any{"certificateId": id, "challengeNonce": nonce}, nil)
		expect(t, resp, token, 200, "")
		if _, err := verifyWebEIDToken(token, "https://bank.example", nonce); err == nil {
			t.Error("a relayed challenge verified for the site that issued it")
		}
		if _, err := verifyWebEIDToken(token, evil, nonce); err != nil {
			t.Errorf("the token is not the relaying page's: %v", err)
		}
	})
	id, _ := e.certID("RSA-3072 authentication")
	signID, _ := e.certID("RSA-2048 signing")
	before := e.approvals()
	for _, tc := range []struct {
		name, origin string
		body         map[string]any
		status       int
		code         string
	}{
		{"fail a raw digest (the old form)", site, digestBody(id, make([]byte, 32)), http.StatusBadRequest, CodeBadRequest},
		{"fail a short nonce", site, map[string]any{"certificateId": id, "challengeNonce": strings.Repeat("A", 43)}, http.StatusBadRequest, CodeBadRequest},
		{"fail a nonce that is not base64", site, map[string]any{"certificateId": id, "challengeNonce": strings.Repeat("!", 44)}, http.StatusBadRequest, CodeBadRequest},
		{"fail a nonce of too few bytes", site, map[string]any{"certificateId": id, "challengeNonce": strings.Repeat("A", 40) + "===="}, http.StatusBadRequest, CodeBadRequest},
		{"fail the signing key", site, map[string]any{"certificateId": signID, "challengeNonce": newNonce(t)}, http.StatusForbidden, CodeNotForLogin},
		{"fail plain http", "http://login.example", map[string]any{"certificateId": id, "challengeNonce": newNonce(t)}, http.StatusForbidden, CodeOriginNotSecure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.consent.decide(tc.origin, AllowOnce)
			resp, body := e.call("POST", "/v1/authenticate", tc.origin, tc.body, nil)
			expect(t, resp, body, tc.status, tc.code)
		})
	}
	if n := e.approvals() - before; n != 0 {
		t.Errorf("asked %d times about refused logins", n)
	}
	t.Run("fail http from this machine by default", func(t *testing.T) {
		resp, body := e.call("POST", "/v1/authenticate", page, map[string]any{"certificateId": id, "challengeNonce": newNonce(t)}, nil)
		expect(t, resp, body, http.StatusForbidden, CodeOriginNotSecure)
	})
	t.Run("ok http from this machine when allowed", func(t *testing.T) {
		e.srv.cfg.LoopbackHTTPLogin = true
		defer func() { e.srv.cfg.LoopbackHTTPLogin = false }()
		nonce := newNonce(t)
		resp, token := e.call("POST", "/v1/authenticate", page, map[string]any{"certificateId": id, "challengeNonce": nonce}, nil)
		expect(t, resp, token, 200, "")
		if _, err := verifyWebEIDToken(token, page, nonce); err != nil {
			t.Error(err)
		}
	})
}

func TestCheckNonce(t *testing.T) {
	for _, tc := range []struct {
		name, nonce string
		ok          bool
	}{
		{"ok 32 bytes std", base64.StdEncoding.EncodeToString(make([]byte, 32)), true},
		{"ok 48 bytes url-safe", base64.RawURLEncoding.EncodeToString(append(make([]byte, 47), 0xfb)), true},
		{"fail 31 bytes", base64.StdEncoding.EncodeToString(make([]byte, 31)) + "AA", false},
		{"fail too long", strings.Repeat("A", maxNonce+1), false},
		{"fail spaces", strings.Repeat("A ", 30), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkNonce(tc.nonce); (err == nil) != tc.ok {
				t.Errorf("checkNonce(%q) = %v", tc.nonce, err)
			}
		})
	}
}
