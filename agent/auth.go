package agent

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"strings"

	"github.com/signet-sign/signet/keys"
)

// Logging in to a web page: POST /v1/authenticate answers a Web eID
// authentication token (format "web-eid:1.0", the Web eID system
// architecture document, "Web eID authentication token specification"),
// so that a site verifies it with Web eID's own server libraries.
//
// The page sends a challenge nonce its server made; the authentication
// key signs hash(origin) ‖ hash(nonce), where origin is the Origin header
// Signet saw on the request — never an origin the page names — and hash
// is the signature algorithm's. A page on one site therefore cannot
// relay another site's challenge: the token it gets names its own
// origin, and the other site refuses it.

// WebEIDFormat is the token format Signet writes.
const WebEIDFormat = "web-eid:1.0"

// appVersionURL identifies Signet and its version in a token's
// appVersion (informative, as the format says).
const appVersionURL = "https://github.com/signet-sign/signet/releases/"

// Challenge nonce bounds: Web eID's applications refuse nonces shorter
// than 44 characters (base64 of 256 bits); the upper bound keeps the
// request small and is Signet's own.
const (
	minNonce = 44
	maxNonce = 1024
)

type authenticateRequest struct {
	CertificateID  string `json:"certificateId"`
	ChallengeNonce string `json:"challengeNonce"`
}

// WebEIDToken is a Web eID authentication token.
type WebEIDToken struct {
	// UnverifiedCertificate is the authentication certificate's DER,
	// base64.
	UnverifiedCertificate string `json:"unverifiedCertificate"`
	// Algorithm is the JWA name of the signature algorithm (RS256,
	// ES384, …).
	Algorithm string `json:"algorithm"`
	// Signature is base64: PKCS#1 v1.5 for RS*, the raw r‖s for ES*.
	Signature  string `json:"signature"`
	Format     string `json:"format"`
	AppVersion string `json:"appVersion"`
}

// checkNonce: base64 (standard or URL-safe alphabet) of at least 32
// bytes, within the length bounds.
func checkNonce(n string) error {
	if len(n) < minNonce || len(n) > maxNonce {
		return fmt.Errorf("challengeNonce must be %d to %d characters of base64 (at least 256 random bits), not %d", minNonce, maxNonce, len(n))
	}
	var raw []byte
	var err error
	switch {
	case strings.ContainsAny(n, "-_"):
		raw, err = base64.URLEncoding.WithPadding(base64.NoPadding).DecodeString(strings.TrimRight(n, "="))
	default:
		raw, err = base64.StdEncoding.WithPadding(base64.NoPadding).DecodeString(strings.TrimRight(n, "="))
	}
	if err != nil || len(raw) < 32 {
		return errors.New("challengeNonce must be the base64 of at least 32 random bytes")
	}
	return nil
}

// webEIDAlgorithm is the JWA algorithm and hash for the key of c: RS256
// for RSA, ES256/384/512 by the curve for EC.
func webEIDAlgorithm(c *x509.Certificate) (string, crypto.Hash, error) {
	switch pub := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RS256", crypto.SHA256, nil
	case *ecdsa.PublicKey:
		switch pub.Curve {
		case elliptic.P256():
			return "ES256", crypto.SHA256, nil
		case elliptic.P384():
			return "ES384", crypto.SHA384, nil
		case elliptic.P521():
			return "ES512", crypto.SHA512, nil
		}
	}
	return "", 0, fmt.Errorf("the key of %q has no Web eID signature algorithm (RSA, or EC P-256, P-384, P-521)", c.Subject.CommonName)
}

// webEIDSigned is the digest the key signs for a token: the signature
// algorithm's hash over hash(origin) ‖ hash(nonce).
func webEIDSigned(h crypto.Hash, origin, nonce string) []byte {
	field := func(s string) []byte {
		d := h.New()
		d.Write([]byte(s))
		return d.Sum(nil)
	}
	d := h.New()
	d.Write(field(origin))
	d.Write(field(nonce))
	return d.Sum(nil)
}

// rawECDSA turns a DER ECDSA-Sig-Value into JWS's r‖s, each the curve's
// size.
func rawECDSA(der []byte, pub *ecdsa.PublicKey) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(der, &sig); err != nil || len(rest) != 0 {
		return nil, errors.New("the token's ECDSA signature is not DER")
	}
	size := (pub.Curve.Params().BitSize + 7) / 8
	if sig.R.Sign() <= 0 || sig.S.Sign() <= 0 || sig.R.BitLen() > 8*size || sig.S.BitLen() > 8*size {
		return nil, errors.New("the token's ECDSA signature is out of range")
	}
	out := make([]byte, 2*size)
	sig.R.FillBytes(out[:size])
	sig.S.FillBytes(out[size:])
	return out, nil
}

// authenticate makes a Web eID authentication token with an
// authentication key: its own endpoint, so that no signing request can
// ever reach an authentication key, and the person is asked in those
// words.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, pr *pageRequest) {
	var req authenticateRequest
	if !decode(w, pr, &req) {
		return
	}
	if err := checkNonce(req.ChallengeNonce); err != nil {
		fail(w, http.StatusBadRequest, CodeBadRequest, "%v", err)
		return
	}
	// Web eID binds logins to https origins ("scheme must be https").
	if u, _ := url.Parse(pr.canonical); u.Scheme != "https" && !(s.cfg.LoopbackHTTPLogin && loopbackOrigin(pr.canonical)) {
		fail(w, http.StatusForbidden, CodeOriginNotSecure, "logging in needs an https page, as Web eID tokens are bound to https origins: %s came over plain http", pr.canonical)
		return
	}
	c, ok := s.choice(w, req.CertificateID)
	if !ok {
		return
	}
	if err := keys.CheckLogin(c.Cert); err != nil {
		// A signing key proves no login: its signature means consent.
		fail(w, http.StatusForbidden, CodeNotForLogin, "%v: choose the certificate for logging in", err)
		return
	}
	alg, h, err := webEIDAlgorithm(c.Cert)
	if err != nil {
		fail(w, http.StatusBadRequest, CodeBadRequest, "%v", err)
		return
	}
	signer, release, ok := s.openApproved(w, r, c, approval(pr, c, Request{Login: true}))
	if !ok {
		return
	}
	defer release()
	digest := webEIDSigned(h, pr.origin, req.ChallengeNonce)
	sig, err := signer.SignContext(r.Context(), digest, h)
	if err != nil {
		signError(w, err)
		return
	}
	cert := signer.Certificate()
	if err := keys.VerifyDigest(cert.PublicKey, h, digest, sig, false); err != nil {
		fail(w, http.StatusInternalServerError, CodeSigningFailed, "the token's signature does not verify with the certificate %q: %v", cert.Subject.CommonName, err)
		return
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); ok {
		if sig, err = rawECDSA(sig, pub); err != nil {
			fail(w, http.StatusInternalServerError, CodeSigningFailed, "%v", err)
			return
		}
	}
	version := s.cfg.Version
	if version == "" {
		version = "dev"
	}
	writeJSON(w, http.StatusOK, WebEIDToken{
		UnverifiedCertificate: base64.StdEncoding.EncodeToString(cert.Raw),
		Algorithm:             alg,
		Signature:             base64.StdEncoding.EncodeToString(sig),
		Format:                WebEIDFormat,
		AppVersion:            appVersionURL + url.PathEscape(version),
	})
}
