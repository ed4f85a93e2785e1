package eparaksts

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Document is a file held in a session.
type Document struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Size              int64    `json:"size"`
	Type              string   `json:"type"`
	IncludedDocuments []string `json:"includedDocuments"`
}

// StartSession opens a file processing session.
func (c *Client) StartSession(ctx context.Context) (string, error) {
	path := "/api-session/v1.0/start"
	body, err := c.do(ctx, request{method: http.MethodGet, path: path})
	if err != nil {
		return "", err
	}
	var out struct {
		SessionID string `json:"sessionId"`
	}
	if err := decode(path, body, &out); err != nil {
		return "", err
	}
	if out.SessionID == "" {
		return "", fmt.Errorf("%w from %s: no sessionId", ErrBadResponse, path)
	}
	return out.SessionID, nil
}

// CloseSession closes a session; the service deletes its files.
func (c *Client) CloseSession(ctx context.Context, session string) error {
	_, err := c.do(ctx, request{method: http.MethodGet, path: "/api-session/v1.0/" + url.PathEscape(session) + "/close", idempotent: true})
	return err
}

// Upload stores a file in the session.
func (c *Client) Upload(ctx context.Context, session, name string, data io.Reader) (*Document, error) {
	path := "/api-storage/v1.0/" + url.PathEscape(session) + "/upload"
	body, err := c.do(ctx, request{method: http.MethodPut, path: path, file: &namedFile{name, data}})
	if err != nil {
		return nil, err
	}
	var doc Document
	if err := decode(path, body, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// List lists the session's files.
func (c *Client) List(ctx context.Context, session string) ([]Document, error) {
	path := "/api-storage/v1.0/" + url.PathEscape(session) + "/list"
	body, err := c.do(ctx, request{method: http.MethodGet, path: path, idempotent: true})
	if err != nil {
		return nil, err
	}
	// The documentation names the call, not its answer's shape; a list
	// of the documents upload describes is what the service returns.
	var docs []Document
	if err := decode(path, body, &docs); err != nil {
		return nil, err
	}
	return docs, nil
}

// Download returns a file of the session (after finalizing: the signed one).
func (c *Client) Download(ctx context.Context, session, document string) ([]byte, error) {
	return c.do(ctx, request{method: http.MethodGet, path: "/api-storage/v1.0/" + url.PathEscape(session) + "/" + url.PathEscape(document), idempotent: true})
}

// Delete removes a file from the session.
func (c *Client) Delete(ctx context.Context, session, document string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/api-storage/v1.0/" + url.PathEscape(session) + "/" + url.PathEscape(document), idempotent: true})
	return err
}

// SessionDigest is the data to be signed for one session, or its error.
type SessionDigest struct {
	SessionID string    `json:"sessionId"`
	Digest    string    `json:"digest"` // base64 hash, algorithm in Digests.Algorithm
	Error     *apiError `json:"error"`
}

// Digests is CalculateDigest's answer.
type Digests struct {
	SessionDigests []SessionDigest `json:"sessionDigests"`
	// DigestsSummary is only for server-side signing identities; a card
	// signs the session digests.
	DigestsSummary string `json:"digests_summary"`
	Algorithm      string `json:"algorithm"`
}

// Err returns the session's error, or nil.
func (d SessionDigest) Err() error {
	if d.Error == nil {
		return nil
	}
	return &SessionError{SessionID: d.SessionID, Code: d.Error.Code, Message: d.Error.Message}
}

// Bytes decodes the digest.
func (d SessionDigest) Bytes() ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(d.Digest)
	if err != nil {
		return nil, fmt.Errorf("%w: digest of session %s is not base64", ErrBadResponse, short(d.SessionID))
	}
	return b, nil
}

type sessionRef struct {
	SessionID string `json:"sessionId"`
}

func refs(sessions []string) []sessionRef {
	out := make([]sessionRef, len(sessions))
	for i, s := range sessions {
		out[i] = sessionRef{s}
	}
	return out
}

// CalculateDigest asks for the data to sign in each session with the
// signing certificate. signAsPdf makes PAdES signatures (one PDF per
// session); otherwise XAdES in an ASiC-E container (createNewEdoc: always a
// new container).
func (c *Client) CalculateDigest(ctx context.Context, sessions []string, signCert *x509.Certificate, signAsPdf, createNewEdoc bool) (*Digests, error) {
	path := "/api-sign/v1.0/CalculateDigest"
	body, err := c.do(ctx, request{method: http.MethodPost, path: path, json: map[string]any{
		"sessions":      refs(sessions),
		"certificate":   base64.StdEncoding.EncodeToString(signCert.Raw),
		"signAsPdf":     signAsPdf,
		"createNewEdoc": createNewEdoc,
	}})
	if err != nil {
		return nil, err
	}
	var d Digests
	if err := decode(path, body, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// SignatureValue is a session's signature, from the card.
type SignatureValue struct {
	SessionID      string `json:"sessionId"`
	SignatureValue string `json:"signatureValue"` // base64
}

// Result is one session's outcome of finalize, archive or seal.
type Result struct {
	SessionID string    `json:"sessionId"`
	Error     *apiError `json:"error"`
}

// Err returns the session's error, or nil.
func (r Result) Err() error {
	if r.Error == nil {
		return nil
	}
	return &SessionError{SessionID: r.SessionID, Code: r.Error.Code, Message: r.Error.Message}
}

func (c *Client) results(ctx context.Context, path string, payload any) ([]Result, error) {
	body, err := c.do(ctx, request{method: http.MethodPost, path: path, json: payload})
	if err != nil {
		return nil, err
	}
	var out struct {
		Results []Result `json:"results"`
	}
	if err := decode(path, body, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// FinalizeSigning embeds the signature values (the service adds the
// timestamp and revocation data). It is not idempotent and is never
// repeated by this client after a failure the service may have acted on.
func (c *Client) FinalizeSigning(ctx context.Context, values []SignatureValue, authCert *x509.Certificate) ([]Result, error) {
	return c.results(ctx, "/api-sign/v1.0/finalizeSigning", map[string]any{
		"sessionSignatureValues": values,
		"authCertificate":        base64.StdEncoding.EncodeToString(authCert.Raw),
	})
}

// AddArchive adds an archive timestamp to signed documents.
func (c *Client) AddArchive(ctx context.Context, sessions []string, authCert *x509.Certificate) ([]Result, error) {
	return c.results(ctx, "/api-sign/v1.0/addArchive", map[string]any{
		"sessions":        refs(sessions),
		"authCertificate": base64.StdEncoding.EncodeToString(authCert.Raw),
	})
}

// ESealCreate seals the sessions' files with an organization's key given as
// a PKCS#12 file. The password travels encrypted with the service's public
// key (RSA PKCS#1 v1.5, as documented), never in clear.
func (c *Client) ESealCreate(ctx context.Context, sessions []string, pfx, password []byte, authCert *x509.Certificate, signAsPdf, createNewEdoc bool) ([]Result, error) {
	pub, err := c.PublicKey(ctx)
	if err != nil {
		return nil, err
	}
	// The API documents PKCS#1 v1.5 padding (RSAEncryptionPadding.Pkcs1)
	// for this field; OAEP would not be decrypted by the service.
	//lint:ignore SA1019 the eParaksts API specifies PKCS#1 v1.5 encryption of the seal password
	enc, err := rsa.EncryptPKCS1v15(rand.Reader, pub, password)
	if err != nil {
		return nil, fmt.Errorf("encrypt the seal password: %w", err)
	}
	return c.results(ctx, "/api-sign/v1.0/eSealCreate", map[string]any{
		"sessions":        refs(sessions),
		"signAsPdf":       signAsPdf,
		"createNewEdoc":   createNewEdoc,
		"signKey":         base64.StdEncoding.EncodeToString(pfx),
		"signKeyPassword": base64.StdEncoding.EncodeToString(enc),
		"authCertificate": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: authCert.Raw})),
	})
}

// ServiceConfig is the service's configuration (session timeout, maximum
// file size, …), as it sends it.
type ServiceConfig map[string]any

// Config reads the service's configuration.
func (c *Client) Config(ctx context.Context) (ServiceConfig, error) {
	path := "/api-config/v1.0/"
	body, err := c.do(ctx, request{method: http.MethodGet, path: path, idempotent: true})
	if err != nil {
		return nil, err
	}
	var cfg ServiceConfig
	if err := decode(path, body, &cfg); err != nil {
		return nil, err
	}
	return cfg, nil
}

// PublicKey reads the key that encrypts eSeal passwords: PEM (a public key
// or certificate) or base64 DER in data, or in data.publicKey.
func (c *Client) PublicKey(ctx context.Context) (*rsa.PublicKey, error) {
	path := "/api-config/v1.0/public/key"
	body, err := c.do(ctx, request{method: http.MethodGet, path: path, idempotent: true})
	if err != nil {
		return nil, err
	}
	var s string
	if err := decode(path, body, &s); err != nil {
		var obj struct {
			PublicKey string `json:"publicKey"`
		}
		if err2 := decode(path, body, &obj); err2 != nil || obj.PublicKey == "" {
			return nil, err
		}
		s = obj.PublicKey
	}
	der := []byte(s)
	if block, _ := pem.Decode(der); block != nil {
		der = block.Bytes
	} else if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		der = b
	}
	if cert, err := x509.ParseCertificate(der); err == nil {
		if pub, ok := cert.PublicKey.(*rsa.PublicKey); ok {
			return pub, nil
		}
	}
	if key, err := x509.ParsePKIXPublicKey(der); err == nil {
		if pub, ok := key.(*rsa.PublicKey); ok {
			return pub, nil
		}
	}
	return nil, fmt.Errorf("%w from %s: not an RSA public key", ErrBadResponse, path)
}
