package remotesigning

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Agreement-management calls answer a billCode and 1007 (accepted) or an
// error; their bodies are passed as the document describes them.

func (c *Client) post(ctx context.Context, path string, body any, acceptPending bool) (*Response, error) {
	r, err := c.call(ctx, http.MethodPost, path, body)
	if err != nil {
		return nil, err
	}
	if err := check(path, r, acceptPending); err != nil {
		return r, err
	}
	return r, nil
}

// Register creates an agreement and asks the CA for a certificate. The
// request is the document's body (agreementDetails, email, mobileNo, …).
func (c *Client) Register(ctx context.Context, req map[string]any) (*Response, error) {
	return c.post(ctx, "/certificates/register", req, true)
}

// Change reissues the certificate of an agreement with new details.
func (c *Client) Change(ctx context.Context, agreement string, details map[string]any) (*Response, error) {
	return c.post(ctx, "/certificates/change", map[string]any{"agreementUUID": agreement, "agreementDetails": details}, true)
}

// ChangePIN changes the agreement's passcode; RemainingCounter reports the
// tries left after a wrong current passcode.
func (c *Client) ChangePIN(ctx context.Context, agreement string, current, next []byte) (*Response, error) {
	return c.post(ctx, "/certificates/change-pin", map[string]any{"agreementUUID": agreement, "currentPasscode": string(current), "newPasscode": string(next)}, true)
}

// ForgetPIN has the service send a new passcode to the registered email.
func (c *Client) ForgetPIN(ctx context.Context, agreement, subject, template string) (*Response, error) {
	return c.post(ctx, "/certificates/forget-pin", map[string]any{"agreementUUID": agreement, "notificationSubject": subject, "notificationMessage": template}, true)
}

// Renew extends the certificate, optionally with another profile.
func (c *Client) Renew(ctx context.Context, agreement, profile string) (*Response, error) {
	return c.post(ctx, "/certificates/renew", map[string]any{"agreementUUID": agreement, "certificateProfile": profile}, true)
}

// Revoke destroys the agreement and has its certificate revoked.
func (c *Client) Revoke(ctx context.Context, agreement string) (*Response, error) {
	return c.post(ctx, "/certificates/revoke", map[string]any{"agreementUUID": agreement}, true)
}

// Enable re-enables an agreement.
func (c *Client) Enable(ctx context.Context, agreement string) (*Response, error) {
	return c.post(ctx, "/certificates/enable", map[string]any{"agreementUUID": agreement}, true)
}

// Disable disables an agreement.
func (c *Client) Disable(ctx context.Context, agreement string) (*Response, error) {
	return c.post(ctx, "/certificates/disable", map[string]any{"agreementUUID": agreement}, true)
}

// Detail is an agreement's certificate.
type Detail struct {
	Certificate    *x509.Certificate
	AuthModes      []string
	SharedMode     int
	ResponseFields *Response
}

// GetDetail reads the agreement's certificate and authorization modes.
func (c *Client) GetDetail(ctx context.Context, agreement string) (*Detail, error) {
	path := "/certificates/get-detail"
	r, err := c.post(ctx, path, map[string]any{"agreementUUID": agreement}, true)
	if err != nil {
		return nil, err
	}
	// The documentation's example wraps the base64 in backquotes.
	der, err := base64.StdEncoding.DecodeString(strings.Trim(r.Certificate, "`\n "))
	if err != nil {
		return nil, fmt.Errorf("%w from %s: certificate is not base64", ErrBadResponse, path)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%w from %s: %v", ErrBadResponse, path, err)
	}
	return &Detail{Certificate: cert, AuthModes: r.AuthModeSupported, SharedMode: r.SharedMode, ResponseFields: r}, nil
}

// hashNames are the document's hashAlgorithm and mimeType values.
var hashNames = map[crypto.Hash][2]string{
	crypto.SHA256: {"SHA-256", "application/sha256-binary"},
	crypto.SHA384: {"SHA-384", "application/sha384-binary"},
	crypto.SHA512: {"SHA-512", "application/sha512-binary"},
}

// HashResult is the answer to a hash signing request: the signatures, or
// with Pending a billCode waiting for the one-time code.
type HashResult struct {
	Pending    bool
	BillCode   string
	Signatures [][]byte // PKCS#1, one per hash, in order
}

func signatures(path string, r *Response, n int) ([][]byte, error) {
	vals := r.SignatureValues
	if len(vals) == 0 && r.SignatureValue != "" {
		vals = []string{r.SignatureValue}
	}
	if len(vals) != n {
		return nil, fmt.Errorf("%w from %s: %d signatures for %d hashes", ErrBadResponse, path, len(vals), n)
	}
	out := make([][]byte, n)
	for i, v := range vals {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("%w from %s: signature %d is not base64", ErrBadResponse, path, i+1)
		}
		out[i] = b
	}
	return out, nil
}

// SignHash asks for signatures of digests (one uses hash, several hashs).
// With EXPLICIT/PIN, code is the passcode and the signatures come back at
// once; with the OTP modes, code is empty, the service sends a one-time
// code to the person and answers Pending with a billCode for
// AuthorizeHash.
func (c *Client) SignHash(ctx context.Context, agreement, authMode string, code []byte, h crypto.Hash, digests [][]byte) (*HashResult, error) {
	path := "/signing/hash"
	names, ok := hashNames[h]
	if !ok || len(digests) == 0 {
		return nil, fmt.Errorf("remote signing signs SHA-256, SHA-384 or SHA-512 digests")
	}
	body := map[string]any{"agreementUUID": agreement, "authMode": authMode, "encryption": "RSA", "hashAlgorithm": names[0], "mimeType": names[1]}
	if len(code) > 0 {
		body["authorizeCode"] = string(code)
	}
	if len(digests) == 1 {
		body["hash"] = hex.EncodeToString(digests[0])
	} else {
		var hs []string
		for _, d := range digests {
			hs = append(hs, hex.EncodeToString(d))
		}
		body["hashs"] = hs
	}
	r, err := c.post(ctx, path, body, true)
	if err != nil {
		return nil, err
	}
	if r.ResponseCode == CodeRequestAccepted && r.SignatureValue == "" && len(r.SignatureValues) == 0 {
		if r.BillCode == "" {
			return nil, fmt.Errorf("%w from %s: accepted without a billCode", ErrBadResponse, path)
		}
		return &HashResult{Pending: true, BillCode: r.BillCode}, nil
	}
	sigs, err := signatures(path, r, len(digests))
	if err != nil {
		return nil, err
	}
	return &HashResult{BillCode: r.BillCode, Signatures: sigs}, nil
}

// AuthorizeHash completes a pending hash signing with the one-time code.
// A wrong code is an *Error (ErrWrongCode) carrying the tries left.
func (c *Client) AuthorizeHash(ctx context.Context, agreement, billCode string, code []byte, n int) ([][]byte, error) {
	path := "/signing/hash/authorize"
	r, err := c.post(ctx, path, map[string]any{"agreementUUID": agreement, "billCode": billCode, "authorizeCode": string(code)}, false)
	if err != nil {
		return nil, err
	}
	return signatures(path, r, n)
}

// SignFile sends a whole file to be signed by the service, with the look of
// the signature in metadata (see MetaData).
func (c *Client) SignFile(ctx context.Context, agreement, authMode string, code []byte, mimeType string, file []byte, meta *MetaData) (*Response, error) {
	body := map[string]any{"agreementUUID": agreement, "authMode": authMode, "mimeType": mimeType,
		"signingFileData": base64.StdEncoding.EncodeToString(file)}
	if len(code) > 0 {
		body["authorizeCode"] = string(code)
	}
	if meta != nil {
		body["signCloudMetaData"] = meta
	}
	return c.post(ctx, "/signing/file", body, true)
}

// AuthorizeFile completes a pending file signing with the one-time code.
func (c *Client) AuthorizeFile(ctx context.Context, agreement, billCode string, code []byte) (*Response, error) {
	return c.post(ctx, "/signing/file/authorize", map[string]any{"agreementUUID": agreement, "billCode": billCode, "authorizeCode": string(code)}, false)
}

// Download fetches the signed files of a billCode.
func (c *Client) Download(ctx context.Context, billCode string) ([]SignedFile, error) {
	r, err := c.call(ctx, http.MethodGet, "/signing/download/file/"+url.PathEscape(billCode), nil)
	if err != nil {
		return nil, err
	}
	if r.ResponseCode != 0 && r.ResponseCode != CodeRequestAccepted && len(r.SignedFiles) == 0 {
		return nil, check("/signing/download/file", r, false)
	}
	return r.SignedFiles, nil
}

// MetaData is signCloudMetaData: how the service draws the signature.
type MetaData struct {
	SingletonSigning *MetaEntries `json:"singletonSigning,omitempty"`
	CounterSigning   *MetaEntries `json:"counterSigning,omitempty"`
}

// MetaEntries is a list of key/value settings.
type MetaEntries struct {
	Entry []MetaEntry `json:"entry"`
}

// MetaEntry is one setting (the document's SignCloudMetaData table).
type MetaEntry struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}
