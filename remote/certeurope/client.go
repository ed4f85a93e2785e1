// Package certeurope is a client for CertEurope's SignAPI (seed 004 and
// the Onetime / Onetime Triggered Signing API documents): orders for a
// one-time certificate, signature requests with the documents inline,
// the OTP step, signing (SYNC or ASYNC), status with the signed content,
// search and refusal — and the centralized (server seal) workflow, whose
// calls no public document describes (see Centralized). Mutual TLS with
// the client's certificate is the only authentication; TLSConfig builds
// it from a PKCS#12 file or a token key.
package certeurope

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/signet-sign/signet/i18n"
	"github.com/signet-sign/signet/keys"
	"github.com/signet-sign/signet/remote"
)

// Endpoints ("The API PROD endpoint is https://sign.certeurope.fr/",
// "PREPROD … https://sign-sandbox.certeurope.fr/").
const (
	ProductionURL = "https://sign.certeurope.fr"
	SandboxURL    = "https://sign-sandbox.certeurope.fr"
)

// maxAnswer bounds an answer: signed documents come inline, in base64.
const maxAnswer = 512 << 20

// Centralized are the paths of workflow 3 (server seal).
//
// ASSUMPTION: seed 004 names createCentralizedSignatureRequest,
// signCentralizedSignatureRequest(s) and getSignatureRequestStatus, and
// no public document gives their paths or bodies. Signet models them on
// workflow 1 without an order: Create takes the same array of signature
// requests as POST /ephemeral/signatures and answers the same statuses;
// Sign takes ?id=…&mode=… for one request; SignBatch takes the ids as a
// JSON array and ?mode=…; the status is workflow 1's GET
// /ephemeral/signatures/?id=. The CLI's --seal-paths changes the three.
type Centralized struct {
	Create, Sign, SignBatch string
}

// DefaultCentralized is the assumed shape; see [Centralized].
var DefaultCentralized = Centralized{
	Create:    "/centralized/signatures",
	Sign:      "/centralized/signatures/sign",
	SignBatch: "/centralized/signatures/sign/batch",
}

// Config configures a Client.
type Config struct {
	URL string // default ProductionURL
	// TLS is the mutual-TLS configuration (TLSConfig builds it).
	TLS         *tls.Config
	Timeout     time.Duration // default remote.DefaultTimeout
	Centralized Centralized   // default DefaultCentralized
}

// Client talks to one deployment.
type Client struct {
	base *url.URL
	cfg  Config
	http *http.Client
}

// ErrNoClientCertificate reports a configuration without the client
// certificate SignAPI authenticates with.
var ErrNoClientCertificate = i18n.Errorf("err.ce_no_client_cert", nil)

// New checks cfg.
func New(cfg Config) (*Client, error) {
	if cfg.URL == "" {
		cfg.URL = ProductionURL
	}
	u, err := remote.ParseURL("SignAPI", cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.TLS == nil || (len(cfg.TLS.Certificates) == 0 && cfg.TLS.GetClientCertificate == nil) {
		return nil, ErrNoClientCertificate
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = remote.DefaultTimeout
	}
	if cfg.Centralized == (Centralized{}) {
		cfg.Centralized = DefaultCentralized
	}
	tr := &http.Transport{Proxy: http.ProxyFromEnvironment, TLSClientConfig: cfg.TLS, ForceAttemptHTTP2: true,
		TLSHandshakeTimeout: 30 * time.Second}
	return &Client{base: u, cfg: cfg, http: &http.Client{Transport: tr, Timeout: cfg.Timeout}}, nil
}

// TLSConfig is mutual TLS with signer's certificate (a PKCS#12 file's
// key, or a token's through Signet's signer: the token asks its PIN the
// Signet way, once per session), trusting the system's roots and roots.
func TLSConfig(signer keys.Signer, roots []*x509.Certificate) (*tls.Config, error) {
	chain := signer.Chain()
	if len(chain) == 0 {
		chain = []*x509.Certificate{signer.Certificate()}
	}
	cert := tls.Certificate{PrivateKey: signer, Leaf: chain[0]}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	pool := keys.SystemPoolWith(roots)
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool, Certificates: []tls.Certificate{cert}}, nil
}

// Holder is the signer a one-time certificate is issued to.
type Holder struct {
	Firstname string `json:"firstname"`
	Lastname  string `json:"lastname"`
	Email     string `json:"email"`
	Mobile    string `json:"mobile"`
	Country   string `json:"country"` // ISO code
	IDNumber  string `json:"idNumber,omitempty"`
	IDType    string `json:"idType,omitempty"` // IDCARD, PASSPORT, DRIVING, RESIDENCE
}

// Order creates an order (POST /ephemeral/orders). The OTP fields are
// those of the triggered (OTP) workflow.
type Order struct {
	ExternalOrderRequestID string       `json:"externalOrderRequestId,omitempty"`
	Holder                 Holder       `json:"holder"`
	ProofFolder            *ProofFolder `json:"proofFolder,omitempty"`
	ClientIdentifier       string       `json:"clientIdentifier,omitempty"`
	OTPContact             string       `json:"otpContact,omitempty"`
	EnableOTP              *bool        `json:"enableOtp,omitempty"`
	EnableEmail            *bool        `json:"enableEmail,omitempty"`
	EnableSharing          *bool        `json:"enableSharing,omitempty"`
}

// ProofFolder is the holder's proof folder, a zip in base64.
type ProofFolder struct {
	ZipFiles string `json:"zipFiles"`
}

// OrderStatus is an order as the service reports it.
type OrderStatus struct {
	OrderRequestID         string `json:"orderRequestId"`
	ExternalOrderRequestID string `json:"externalOrderRequestId"`
	Status                 string `json:"status"`
}

// Ref names an order or a signature request: by the service's id or the
// client's external id.
type Ref struct{ ID, ExternalID string }

// SignatureOptions are a request's signatureOptions.
type SignatureOptions struct {
	SignatureType          string `json:"signatureType"`       // PAdES_BASELINE_B|T|LT|LTA
	DigestAlgorithmName    string `json:"digestAlgorithmName"` // SHA256, SHA224
	SignaturePackagingType string `json:"signaturePackagingType"`
	DocumentType           string `json:"documentType"`
}

// Line is one text line of a visible signature.
type Line struct {
	Color    *int     `json:"lineColor,omitempty"`
	FontSize *float64 `json:"lineFontSize,omitempty"`
	Font     string   `json:"lineFont,omitempty"`
	Content  string   `json:"lineContent"`
	X        *float64 `json:"linePosXInImage,omitempty"`
	Y        *float64 `json:"linePosYInImage,omitempty"`
}

// PDFSignatureOptions are a request's visible-signature options.
type PDFSignatureOptions struct {
	ImageContent string  `json:"signatureImageContent,omitempty"` // base64
	PosX         float64 `json:"signaturePosX"`
	PosY         float64 `json:"signaturePosY"`
	Page         int     `json:"signaturePage"`
	Lines        []Line  `json:"linesOptions,omitempty"`
}

// SignatureRequest is one document to sign.
type SignatureRequest struct {
	OrderRequestID             string               `json:"orderRequestId,omitempty"`
	ExternalOrderRequestID     string               `json:"externalOrderRequestId,omitempty"`
	ExternalSignatureRequestID string               `json:"externalSignatureRequestId,omitempty"`
	SignatureOptions           SignatureOptions     `json:"signatureOptions"`
	PDFSignatureOptions        *PDFSignatureOptions `json:"pdfSignatureOptions,omitempty"`
	EnableArchive              bool                 `json:"enableArchive"`
	ArchiverNames              []string             `json:"archiverNames,omitempty"`
	ToSignContent              string               `json:"toSignContent"`  // base64
	Hash                       string               `json:"hash,omitempty"` // SHA-1, hex
	Keywords                   []string             `json:"keywords,omitempty"`
}

// Status is a signature request's status; SignedContent (base64) and
// SigningDate come with GET status once SIGNED.
type Status struct {
	SignatureRequestID         string `json:"signatureRequestId"`
	ExternalSignatureRequestID string `json:"externalSignatureRequestId"`
	OrderRequestID             string `json:"orderRequestId"`
	ExternalOrderRequestID     string `json:"externalOrderRequestId"`
	Status                     string `json:"status"`
	Reason                     string `json:"reason"`
	SignedContent              string `json:"signedContent,omitempty"`
	SigningDate                string `json:"signingDate,omitempty"`
}

// Modes of signing.
const (
	SYNC  = "SYNC"
	ASYNC = "ASYNC"
)

// do sends one call and decodes a 2xx answer into out.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any) error {
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(data)
	}
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return transportError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	if len(data) > maxAnswer {
		return fmt.Errorf("%w: the answer to %s is larger than %d MB", ErrBadResponse, path, maxAnswer>>20)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return errorFrom(method+" "+path, resp.StatusCode, data)
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%w: the answer to %s %s is not the documented JSON: %v", ErrBadResponse, method, path, err)
		}
	}
	return nil
}

// transportError says what a failed connection means, TLS above all.
func transportError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *tls.CertificateVerificationError
	var alert tls.AlertError
	var opErr *net.OpError
	switch {
	case errors.As(err, &unknown), errors.As(err, &certErr):
		return fmt.Errorf("%w: the server's certificate is not trusted (%v); name its CA with --ca-file", ErrTLS, err)
	case errors.As(err, &hostErr):
		return fmt.Errorf("%w: the server's certificate is for another name (%v)", ErrTLS, err)
	case errors.As(err, &alert), strings.Contains(err.Error(), "bad certificate"), strings.Contains(err.Error(), "certificate required"):
		return fmt.Errorf("%w: the server refused this client's certificate in the mutual-TLS handshake (%v); SignAPI takes only the certificate CertEurope issued for this account", ErrTLS, err)
	case errors.As(err, &opErr) && opErr.Op == "remote error":
		return fmt.Errorf("%w: the server refused the mutual-TLS handshake (%v)", ErrTLS, err)
	}
	return fmt.Errorf("%w: %v", ErrUnreachable, err)
}

func ref(r Ref, idKey, extKey string) url.Values {
	q := url.Values{}
	if r.ID != "" {
		q.Set(idKey, r.ID)
	}
	if r.ExternalID != "" {
		q.Set(extKey, r.ExternalID)
	}
	return q
}

// CreateOrder creates an order for a one-time certificate.
func (c *Client) CreateOrder(ctx context.Context, o Order) (*OrderStatus, error) {
	var s OrderStatus
	if err := c.do(ctx, http.MethodPost, "/ephemeral/orders", nil, o, &s); err != nil {
		return nil, err
	}
	if s.OrderRequestID == "" {
		return nil, fmt.Errorf("%w: the new order has no orderRequestId", ErrBadResponse)
	}
	return &s, nil
}

// GetOrder reports an order.
func (c *Client) GetOrder(ctx context.Context, r Ref) (*OrderStatus, error) {
	var s OrderStatus
	err := c.do(ctx, http.MethodGet, "/ephemeral/orders/", ref(r, "id", "externalId"), nil, &s)
	return &s, err
}

// SearchOrders finds orders by the holder's email or mobile (raProfile:
// the triggered API's extra filter, optional).
func (c *Client) SearchOrders(ctx context.Context, email, mobile, raProfile string) ([]OrderStatus, error) {
	q := url.Values{}
	for k, v := range map[string]string{"email": email, "mobile": mobile, "raProfile": raProfile} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var out []OrderStatus
	err := c.do(ctx, http.MethodGet, "/ephemeral/orders/search", q, nil, &out)
	return out, err
}

// DeleteOrder deletes an order (before its certificate is made).
func (c *Client) DeleteOrder(ctx context.Context, r Ref) error {
	return c.do(ctx, http.MethodDelete, "/ephemeral/orders/", ref(r, "id", "externalId"), nil, nil)
}

// CreateSignatureRequests adds documents to an order: POST
// /ephemeral/signatures, or /ephemeral/trigger/signatures when
// triggered (the OTP workflow).
func (c *Client) CreateSignatureRequests(ctx context.Context, order Ref, reqs []SignatureRequest, triggered bool) ([]Status, error) {
	path := "/ephemeral/signatures"
	if triggered {
		path = "/ephemeral/trigger/signatures"
		for i := range reqs {
			reqs[i].OrderRequestID, reqs[i].ExternalOrderRequestID = order.ID, order.ExternalID
		}
	}
	return c.statuses(ctx, http.MethodPost, path, ref(order, "orderRequestId", "externalOrderRequestId"), reqs, len(reqs))
}

// statuses calls and expects n statuses (n < 0: any number).
func (c *Client) statuses(ctx context.Context, method, path string, q url.Values, body any, n int) ([]Status, error) {
	var out []Status
	if err := c.do(ctx, method, path, q, body, &out); err != nil {
		return nil, err
	}
	if n >= 0 && len(out) != n {
		return nil, fmt.Errorf("%w: %s answered %d statuses for %d documents", ErrBadResponse, path, len(out), n)
	}
	return out, nil
}

// Validate has the service send the OTP of a triggered order; call it
// once the signer has seen the documents and consented.
func (c *Client) Validate(ctx context.Context, order Ref, smsApplicationCode string) error {
	q := ref(order, "orderRequestId", "externalOrderRequestId")
	if smsApplicationCode != "" {
		q.Set("smsApplicationCode", smsApplicationCode)
	}
	return c.do(ctx, http.MethodPost, "/ephemeral/trigger/signatures/validate", q, nil, nil)
}

// Sign launches the signature of an order's documents (with the OTP on
// the triggered path). SYNC answers the final statuses; ASYNC the
// statuses so far (poll Status).
func (c *Client) Sign(ctx context.Context, order Ref, mode string, otp []byte, triggered bool) ([]Status, error) {
	q := ref(order, "orderRequestId", "externalOrderRequestId")
	q.Set("mode", mode)
	path := "/ephemeral/signatures/sign"
	if triggered {
		path = "/ephemeral/trigger/signatures/sign"
		if len(otp) > 0 {
			// The documented call carries the OTP in the query.
			q.Set("otp", string(otp))
		}
	}
	return c.statuses(ctx, http.MethodPost, path, q, nil, -1)
}

// Status reports a signature request, with the signed content once
// SIGNED.
func (c *Client) Status(ctx context.Context, r Ref) (*Status, error) {
	var s Status
	if err := c.do(ctx, http.MethodGet, "/ephemeral/signatures/", ref(r, "id", "externalId"), nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// SearchSignatures lists an order's signature requests, by status when
// given.
func (c *Client) SearchSignatures(ctx context.Context, order Ref, status string) ([]Status, error) {
	q := ref(order, "orderRequestId", "externalOrderRequestId")
	if status != "" {
		q.Set("status", status)
	}
	return c.statuses(ctx, http.MethodGet, "/ephemeral/signatures/search/", q, nil, -1)
}

// Refuse changes a signature request's status to REFUSED.
func (c *Client) Refuse(ctx context.Context, r Ref) error {
	return c.do(ctx, http.MethodPatch, "/ephemeral/signatures/", ref(r, "id", "externalId"), map[string]string{"status": StatusRefused}, nil)
}

// CreateCentralized adds documents to be sealed with the organisation's
// server seal (workflow 3; see [Centralized]).
func (c *Client) CreateCentralized(ctx context.Context, reqs []SignatureRequest) ([]Status, error) {
	return c.statuses(ctx, http.MethodPost, c.cfg.Centralized.Create, nil, reqs, len(reqs))
}

// SignCentralized seals the requests: one by Sign, several at once by
// SignBatch (see [Centralized]).
func (c *Client) SignCentralized(ctx context.Context, ids []string, mode string) ([]Status, error) {
	q := url.Values{"mode": {mode}}
	if len(ids) == 1 {
		q.Set("id", ids[0])
		return c.statuses(ctx, http.MethodPost, c.cfg.Centralized.Sign, q, nil, -1)
	}
	return c.statuses(ctx, http.MethodPost, c.cfg.Centralized.SignBatch, q, ids, -1)
}
